// Compare() walks both sorted snapshots once; Render() turns each difference into one line.
#include "verifier/schema/diff.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "runner/sql/script.h"
#include "verifier/schema/line_diff.h"

namespace stairway::schema {
namespace {

using Key = std::pair<std::string, std::string>;  // (kind, identity)

Key OwnKey(const Object& o) {
  return {o.kind, o.identity};
}

// Languages whose bodies PostgreSQL's own scanner reads: for them, two bodies with the same
// tokens differ only in layout (whitespace, comments), which changes nothing the function does.
bool ScannedLanguage(const Object& o) {
  const std::string* language = o.Text("language");
  return language != nullptr && (*language == "sql" || *language == "plpgsql");
}

bool LayoutOnlyBodies(const Object& a, const Object& b, const std::optional<Value>& va,
                      const std::optional<Value>& vb) {
  const auto* ta = va ? std::get_if<std::string>(&*va) : nullptr;
  const auto* tb = vb ? std::get_if<std::string>(&*vb) : nullptr;
  return ta != nullptr && tb != nullptr && ScannedLanguage(a) && ScannedLanguage(b) &&
         sql::SameTokensIgnoringComments(*ta, *tb);
}

void CompareAttributes(const Object& a, const Object& b, const CompareOptions& options,
                       std::string_view skip, std::vector<Difference>& out) {
  std::set<std::string> names;
  for (const auto& [name, value] : a.attributes) names.insert(name);
  for (const auto& [name, value] : b.attributes) names.insert(name);
  for (const std::string& name : names) {
    if (name == skip) continue;
    if (name == "owner" && options.owners == Owners::kIgnore) continue;
    auto ia = a.attributes.find(name);
    auto ib = b.attributes.find(name);
    std::optional<Value> va, vb;
    if (ia != a.attributes.end()) va = ia->second;
    if (ib != b.attributes.end()) vb = ib->second;
    if (va == vb) continue;
    Difference d;
    d.change = Change::kChanged;
    d.severity = name == "position" || (name == "body" && LayoutOnlyBodies(a, b, va, vb))
                     ? Severity::kSoft
                     : Severity::kHard;
    d.kind = a.kind;
    d.identity = a.identity;
    d.attribute = name;
    d.a = std::move(va);
    d.b = std::move(vb);
    out.push_back(std::move(d));
  }
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += separator;
    out += items[i];
  }
  return out;
}

// The short description shown after an object that exists on one side only.
std::string Summarize(const Object& o) {
  const std::string* type = o.Text("type");
  if (o.kind == "type" && type) {
    if (*type == "enum") {
      auto it = o.attributes.find("labels");
      const auto* labels =
          it == o.attributes.end() ? nullptr : std::get_if<std::vector<std::string>>(&it->second);
      return "enum " + (labels ? Join(*labels, ",") : std::string());
    }
    if (*type == "domain" && o.Text("base_type")) return "domain over " + *o.Text("base_type");
    if (*type == "range" && o.Text("subtype")) return "range over " + *o.Text("subtype");
    return *type;
  }
  if (o.kind == "column" && type) {
    const std::string* not_null = o.Text("not_null");
    return *type + (not_null && *not_null == "true" ? " NOT NULL" : "");
  }
  if (o.kind == "constraint" && o.Text("definition")) return *o.Text("definition");
  if (o.kind == "index" && o.Text("definition")) {
    // "CREATE UNIQUE INDEX ON public.t USING btree (a) WHERE ..." -> "UNIQUE btree (a) WHERE ..."
    const std::string& def = *o.Text("definition");
    const std::size_t using_at = def.find(" USING ");
    if (using_at == std::string::npos) return def;
    const bool unique = def.starts_with("CREATE UNIQUE ");
    return (unique ? "UNIQUE " : "") + def.substr(using_at + 7);
  }
  if (o.kind == "sequence" && type) return *type;
  if (o.kind == "extension" && o.Text("version")) return "version " + *o.Text("version");
  if ((o.kind == "function" || o.kind == "aggregate") && o.Text("returns")) {
    return "returns " + *o.Text("returns");
  }
  return "";
}

// For each object present on one side only, the top-most ancestor that is also present on that
// side only (itself when its parent exists on both sides).
std::map<Key, Key> TopMissingAncestors(const std::map<Key, const Object*>& only) {
  std::map<Key, Key> top;
  for (const auto& [key, object] : only) {
    Key current = key;
    const Object* o = object;
    for (int depth = 0; depth < 8 && !o->parent_kind.empty(); ++depth) {
      auto parent = only.find(Key{o->parent_kind, o->parent});
      if (parent == only.end()) break;
      current = parent->first;
      o = parent->second;
    }
    top.emplace(key, current);
  }
  return top;
}

void AddOneSided(const std::map<Key, const Object*>& only, Change change,
                 std::vector<Difference>& out) {
  const std::map<Key, Key> top = TopMissingAncestors(only);
  std::map<Key, std::map<std::string, int>> dependents;
  for (const auto& [key, ancestor] : top) {
    if (ancestor != key) ++dependents[ancestor][key.first];
  }
  for (const auto& [key, object] : only) {
    if (top.at(key) != key) continue;
    Difference d;
    d.change = change;
    d.kind = object->kind;
    d.identity = object->identity;
    d.summary = Summarize(*object);
    if (auto it = dependents.find(key); it != dependents.end()) d.dependents = it->second;
    out.push_back(std::move(d));
  }
}

// Constraints and indexes with auto-generated names may be named differently in two databases:
// same kind, same table and same definition on both sides means a rename, not a drop + add.
void PairRenames(std::map<Key, const Object*>& only_a, std::map<Key, const Object*>& only_b,
                 const CompareOptions& options, std::vector<Difference>& out) {
  using DefinitionKey = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<DefinitionKey, std::vector<Key>> b_by_definition;
  for (const auto& [key, o] : only_b) {
    if (o->kind != "constraint" && o->kind != "index") continue;
    const std::string* def = o->Text("definition");
    if (!def) continue;
    b_by_definition[{o->kind, o->parent_kind, o->parent, *def}].push_back(key);
  }
  std::vector<Key> paired_a;
  for (const auto& [key, o] : only_a) {
    const std::string* def = o->Text("definition");
    if ((o->kind != "constraint" && o->kind != "index") || !def) continue;
    auto it = b_by_definition.find({o->kind, o->parent_kind, o->parent, *def});
    if (it == b_by_definition.end() || it->second.empty()) continue;
    const Key b_key = it->second.front();
    it->second.erase(it->second.begin());
    const Object* b = only_b.at(b_key);
    Difference d;
    d.change = Change::kRenamed;
    d.severity = Severity::kSoft;
    d.kind = o->kind;
    d.identity = o->identity;
    d.renamed_to = b->identity;
    out.push_back(std::move(d));
    CompareAttributes(*o, *b, options, "definition", out);
    only_b.erase(b_key);
    paired_a.push_back(key);
  }
  for (const Key& key : paired_a) only_a.erase(key);
}

// The names of the columns of `table` in `s`, in position order.
std::vector<std::string> ColumnOrder(const Snapshot& s, const std::string& table_kind,
                                     const std::string& table) {
  std::vector<std::pair<int, std::string>> columns;
  for (const Object& o : s.objects) {
    if (o.kind != "column" || o.parent != table || o.parent_kind != table_kind) continue;
    const std::string* position = o.Text("position");
    int at = 0;
    if (position != nullptr) {
      for (char c : *position) at = c >= '0' && c <= '9' ? at * 10 + (c - '0') : at;
    }
    // The identity is the table's followed by "." and the quoted column name.
    columns.emplace_back(at, o.identity.substr(std::min(o.identity.size(), table.size() + 1)));
  }
  std::sort(columns.begin(), columns.end());
  std::vector<std::string> names;
  for (auto& [at, name] : columns) names.push_back(std::move(name));
  return names;
}

// Columns whose positions differ are reported once per table ("column_order": the column names
// in order on each side), and only when the columns both sides have are in another order: a
// column dropped or added elsewhere moves the positions of the others without reordering them,
// and that drop or add is the difference worth reading.
void GroupColumnOrder(const Snapshot& a, const Snapshot& b, std::vector<Difference>& out) {
  std::set<std::pair<std::string, std::string>> tables;  // (kind, identity)
  std::erase_if(out, [&](const Difference& d) {
    if (d.kind != "column" || d.attribute != "position") return false;
    if (const Object* column = a.Find("column", d.identity)) {
      tables.emplace(column->parent_kind, column->parent);
    }
    return true;
  });
  for (const auto& [kind, table] : tables) {
    std::vector<std::string> before = ColumnOrder(a, kind, table);
    std::vector<std::string> after = ColumnOrder(b, kind, table);
    const std::set<std::string> in_before(before.begin(), before.end());
    const std::set<std::string> in_after(after.begin(), after.end());
    std::vector<std::string> common_before, common_after;
    for (const std::string& c : before) {
      if (in_after.contains(c)) common_before.push_back(c);
    }
    for (const std::string& c : after) {
      if (in_before.contains(c)) common_after.push_back(c);
    }
    if (common_before == common_after) continue;
    Difference d;
    d.change = Change::kChanged;
    d.severity = Severity::kSoft;
    d.kind = kind;
    d.identity = table;
    d.attribute = "column_order";
    d.a = std::move(before);
    d.b = std::move(after);
    out.push_back(std::move(d));
  }
}

// Attribute names read as words: "identity_sequence" -> "identity sequence".
std::string AttributeWords(std::string_view attribute) {
  std::string words(attribute);
  std::replace(words.begin(), words.end(), '_', ' ');
  return words;
}

// Boolean attributes that read better as the SQL words for each state. An absent value is false.
struct BoolWords {
  std::string_view attribute, yes, no;
};
constexpr BoolWords kBoolWords[] = {
    {"valid", "valid", "INVALID"},
    {"not_null", "NOT NULL", "nullable"},
    {"validated", "validated", "NOT VALID"},
    {"row_security", "row security enabled", "row security disabled"},
    {"force_row_security", "row security forced", "row security not forced"},
    {"strict", "STRICT", "not STRICT"},
    {"security_definer", "SECURITY DEFINER", "SECURITY INVOKER"},
    {"leakproof", "LEAKPROOF", "NOT LEAKPROOF"},
    {"cycle", "CYCLE", "NO CYCLE"},
    {"populated", "populated", "not populated"},
    {"clustered", "clustered", "not clustered"},
    {"inherited", "inherited", "local"},
    {"deterministic", "deterministic", "nondeterministic"},
    {"window", "WINDOW", "not WINDOW"},
};

const BoolWords* FindBoolWords(std::string_view attribute) {
  for (const BoolWords& w : kBoolWords) {
    if (w.attribute == attribute) return &w;
  }
  return nullptr;
}

std::string ValueText(const std::optional<Value>& v, std::string_view attribute) {
  if (!v) return "none";
  if (const auto* text = std::get_if<std::string>(&*v)) return *text;
  const auto& items = std::get<std::vector<std::string>>(*v);
  if (attribute == "labels") return items.empty() ? "(no labels)" : Join(items, ",");
  return "{" + Join(items, ", ") + "}";
}

bool IsMultiLine(const std::optional<Value>& v) {
  const auto* text = v ? std::get_if<std::string>(&*v) : nullptr;
  return text && text->find('\n') != std::string::npos;
}

// Multi-line values (function bodies, view definitions): a unified diff of the two texts.
std::string RenderTextChange(const Difference& d, const Wording& w) {
  const std::string a = d.a ? std::get<std::string>(*d.a) : std::string();
  const std::string b = d.b ? std::get<std::string>(*d.b) : std::string();
  return fmt::format("{} differs{}:\n{}", AttributeWords(d.attribute),
                     IsLayoutOnly(d) ? " only in whitespace and comments" : "",
                     UnifiedDiff(a, b, w.in_a, w.in_b));
}

std::string RenderChange(const Difference& d, const Wording& w) {
  if (const BoolWords* words = FindBoolWords(d.attribute)) {
    auto word = [&](const std::optional<Value>& v) {
      const auto* text = v ? std::get_if<std::string>(&*v) : nullptr;
      return (text && *text == "true") ? words->yes : words->no;
    };
    return fmt::format("{} {}, {} {}", word(d.a), w.in_a, word(d.b), w.in_b);
  }
  if (d.a && d.b && (IsMultiLine(d.a) || IsMultiLine(d.b))) return RenderTextChange(d, w);
  if (IsLayoutOnly(d)) {
    return fmt::format("{} differs only in whitespace and comments: {} {}, {} {}",
                       AttributeWords(d.attribute), ValueText(d.a, d.attribute), w.in_a,
                       ValueText(d.b, d.attribute), w.in_b);
  }
  return fmt::format("{} {} {}, {} {}", AttributeWords(d.attribute), ValueText(d.a, d.attribute),
                     w.in_a, ValueText(d.b, d.attribute), w.in_b);
}

std::string Plural(const std::string& kind, int n) {
  if (n == 1) return kind;
  if (kind == "index") return "indexes";
  if (kind == "policy") return "policies";
  if (kind == "statistics") return kind;
  return kind + "s";
}

std::string ReplaceObject(std::string_view templ, const std::string& object) {
  std::string out(templ);
  const std::size_t at = out.find("{object}");
  if (at == std::string::npos) return out + " " + object;
  return out.replace(at, 8, object);
}

std::string RenderColumnOrder(const Difference& d, const Wording& w) {
  auto names = [](const std::optional<Value>& v) {
    const auto* items = v ? std::get_if<std::vector<std::string>>(&*v) : nullptr;
    return items != nullptr ? Join(*items, ", ") : std::string();
  };
  return fmt::format("columns of {} {} in a different order: {} ({}), {} ({})", d.kind, d.identity,
                     w.in_a, names(d.a), w.in_b, names(d.b));
}

}  // namespace

std::vector<Difference> Compare(const Snapshot& a, const Snapshot& b,
                                const CompareOptions& options) {
  std::vector<Difference> out;
  std::map<Key, const Object*> only_a, only_b;
  auto ia = a.objects.begin();
  auto ib = b.objects.begin();
  while (ia != a.objects.end() || ib != b.objects.end()) {
    if (ib == b.objects.end() || (ia != a.objects.end() && KeyOf(*ia) < KeyOf(*ib))) {
      only_a.emplace(OwnKey(*ia), &*ia);
      ++ia;
    } else if (ia == a.objects.end() || KeyOf(*ib) < KeyOf(*ia)) {
      only_b.emplace(OwnKey(*ib), &*ib);
      ++ib;
    } else {
      CompareAttributes(*ia, *ib, options, "", out);
      ++ia;
      ++ib;
    }
  }
  GroupColumnOrder(a, b, out);
  PairRenames(only_a, only_b, options, out);
  AddOneSided(only_a, Change::kOnlyInA, out);
  AddOneSided(only_b, Change::kOnlyInB, out);
  std::stable_sort(out.begin(), out.end(), [](const Difference& x, const Difference& y) {
    return std::tie(x.identity, x.kind, x.change, x.attribute) <
           std::tie(y.identity, y.kind, y.change, y.attribute);
  });
  return out;
}

std::string DescribeObject(const Difference& d) {
  std::string text = d.kind + " " + d.identity;
  std::string details = d.summary;
  if (!d.dependents.empty()) {
    std::string deps;
    for (const auto& [kind, n] : d.dependents) {
      if (!deps.empty()) deps += ", ";
      deps += fmt::format("{} {}", n, Plural(kind, n));
    }
    details += (details.empty() ? "with " : "; with ") + deps;
  }
  if (!details.empty()) text += " (" + details + ")";
  return text;
}

std::string Render(const Difference& d, const Wording& w) {
  switch (d.change) {
    case Change::kOnlyInA:
      return ReplaceObject(w.only_in_a, DescribeObject(d));
    case Change::kOnlyInB:
      return ReplaceObject(w.only_in_b, DescribeObject(d));
    case Change::kRenamed:
      return fmt::format("{} {} is named {} {} (same definition)", d.kind, d.identity, d.renamed_to,
                         w.in_b);
    case Change::kChanged:
      if (d.attribute == "column_order") return RenderColumnOrder(d, w);
      return fmt::format("{} {}: {}", d.kind, d.identity, RenderChange(d, w));
  }
  return "";
}

std::string RenderAttributeChange(const Difference& d, const Wording& w) {
  return RenderChange(d, w);
}

bool IsLayoutOnly(const Difference& d) {
  return d.change == Change::kChanged && d.attribute == "body" && d.severity == Severity::kSoft;
}

std::vector<std::string> RenderAll(const std::vector<Difference>& diffs, const Wording& wording) {
  std::vector<std::string> lines;
  lines.reserve(diffs.size());
  for (const Difference& d : diffs) lines.push_back(Render(d, wording));
  return lines;
}

bool HasHardDifference(const std::vector<Difference>& diffs) {
  return std::any_of(diffs.begin(), diffs.end(),
                     [](const Difference& d) { return d.severity == Severity::kHard; });
}

}  // namespace stairway::schema

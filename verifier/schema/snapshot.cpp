// TakeSnapshot: runs the catalog queries and turns their rows into sorted Objects.
#include "verifier/schema/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <iterator>
#include <optional>
#include <span>
#include <string_view>
#include <thread>
#include <utility>

#include "runner/db/session.h"
#include "verifier/schema/catalog_queries.h"
#include "verifier/schema/catalog_rows.h"

namespace stairway::schema {
namespace {

std::string SqlTextArray(const std::vector<std::string>& items) {
  std::string sql = "ARRAY[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += db::QuoteLiteral(items[i]);
  }
  return sql + "]::text[]";
}

}  // namespace

QueryFilters FiltersFor(const SnapshotOptions& options) {
  QueryFilters f;
  f.namespace_filter =
      "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
      "AND n.nspname NOT LIKE 'pg\\_temp\\_%'";
  if (!options.schemas.empty()) {
    f.namespace_filter += " AND n.nspname = ANY (" + SqlTextArray(options.schemas) + ")";
    f.database_level = false;
  }
  f.excluded_array = SqlTextArray(options.excluded_names);
  // stairway's own schemas (the roundtrip's change watch) are left out like its tables.
  f.namespace_filter += " AND NOT (n.nspname LIKE ANY (" + f.excluded_array + "))";
  f.relation_filter = "NOT (c.relname LIKE ANY (" + f.excluded_array + "))";
  f.event_trigger_filter = "NOT (e.evtname LIKE ANY (" + f.excluded_array + "))";
  return f;
}

namespace {

// pg_get_indexdef names the index ("CREATE INDEX users_idx ON ..."); the name is the identity,
// so the definition drops it and two indexes that differ only by name compare equal.
std::string StripIndexName(const std::string& definition, const std::string& quoted_name) {
  const std::string marker = " INDEX " + quoted_name + " ON ";
  const std::size_t at = definition.find(marker);
  if (at == std::string::npos) return definition;
  return definition.substr(0, at) + " INDEX ON " + definition.substr(at + marker.size());
}

// Helper columns (leading "_") a row may carry for post-processing.
struct Helpers {
  const std::string* owner = nullptr;
  const std::string* name = nullptr;
  const std::string* attnum = nullptr;
};

// Option lists are sets: sorted here (cheaper than in SQL). Storage options lose server
// bookkeeping: some builds record pg_attver=<WAL position> in attoptions, which differs on every
// database; no user-settable option starts with "pg_".
void NormalizeLists(std::map<std::string, Value>& attrs) {
  for (const char* name : {"options", "server_options", "tags"}) {
    auto it = attrs.find(name);
    if (it == attrs.end()) continue;
    auto& items = std::get<std::vector<std::string>>(it->second);
    if (std::string_view(name) == "options") {
      std::erase_if(items, [](const std::string& item) { return item.starts_with("pg_"); });
    }
    if (items.empty()) {
      attrs.erase(it);
    } else {
      std::sort(items.begin(), items.end());
    }
  }
}

void PostProcess(Object& o, const Helpers& helpers, const SnapshotOptions& options) {
  auto& attrs = o.attributes;
  NormalizeLists(attrs);
  if (auto it = attrs.find("grants"); it != attrs.end()) {
    auto& items = std::get<std::vector<std::string>>(it->second);
    items = NormalizeGrants(std::move(items), helpers.owner ? *helpers.owner : std::string_view());
  }
  if (o.kind == "index" && helpers.name) {
    if (auto it = attrs.find("definition"); it != attrs.end()) {
      it->second = StripIndexName(std::get<std::string>(it->second), *helpers.name);
    }
  }
  // "NOT VALID" is reported through `validated`, so a definition compares equal either way.
  if (o.kind == "constraint") {
    const std::string* validated = o.Text("validated");
    auto it = attrs.find("definition");
    constexpr std::string_view kNotValid = " NOT VALID";
    if (validated && *validated == "false" && it != attrs.end()) {
      auto& def = std::get<std::string>(it->second);
      if (def.ends_with(kNotValid)) def.resize(def.size() - kNotValid.size());
    }
  }
  if (options.owners == Owners::kIgnore) attrs.erase("owner");
}

// Turns the rows of one catalog query into Objects, straight from the server's result. Attribute
// columns are inserted in name order, each at the end of the map: no key comparisons. With
// `oids`, also records each row's `_oid`/`_root` helper columns (tracked queries).
class ObjectBuilder : public db::RowSink {
 public:
  ObjectBuilder(const SnapshotOptions& options, std::vector<Object>& out,
                std::vector<ObjectOids>* oids = nullptr)
      : options_(options), out_(out), oids_(oids) {}

  const std::vector<std::string>& column_names() const { return names_; }

  void Columns(const std::vector<std::string>& names, std::size_t row_count) override {
    names_ = names;
    columns_.clear();
    for (const std::string& raw : names) {
      Column c{raw};
      if (c.name.ends_with("[]")) {
        c.list = true;
        c.name.resize(c.name.size() - 2);
      }
      if (c.name == "_owner") {
        c.helper = Helper::kOwner;
      } else if (c.name == "_name") {
        c.helper = Helper::kName;
      } else if (c.name == "_attnum") {
        c.helper = Helper::kAttnum;
      } else if (c.name == "_oid") {
        c.helper = Helper::kOid;
      } else if (c.name == "_root") {
        c.helper = Helper::kRoot;
      } else if (c.name.starts_with("_")) {
        c.helper = Helper::kOther;
      }
      columns_.push_back(std::move(c));
    }
    attribute_order_.clear();
    for (std::size_t i = 4; i < columns_.size(); ++i) {
      if (columns_[i].helper == Helper::kNone) attribute_order_.push_back(i);
    }
    // Stable: with a (mistaken) repeated name the first column wins, as with plain emplace.
    std::stable_sort(
        attribute_order_.begin(), attribute_order_.end(),
        [&](std::size_t a, std::size_t b) { return columns_[a].name < columns_[b].name; });
    // Geometric growth: reserving exactly what each query adds would move every object each time.
    if (out_.size() + row_count > out_.capacity()) {
      out_.reserve(std::max(out_.size() + row_count, 2 * out_.capacity()));
    }
  }

  void Row(std::span<const db::FieldView> row) override {
    Object o;
    o.kind = row[0].value_or("");
    o.identity = row[1].value_or("");
    o.parent_kind = row[2].value_or("");
    o.parent = row[3].value_or("");
    std::string owner;
    std::string name;
    Helpers helpers;
    ObjectOids oids;
    std::optional<std::string_view> attnum;
    for (std::size_t i = 4; i < row.size(); ++i) {
      if (!row[i]) continue;
      switch (columns_[i].helper) {
        case Helper::kOwner:
          owner = *row[i];
          helpers.owner = &owner;
          break;
        case Helper::kName:
          name = *row[i];
          helpers.name = &name;
          break;
        case Helper::kAttnum:
          attnum = *row[i];
          break;
        case Helper::kOid:
          oids.oid = ParseOid(*row[i]);
          break;
        case Helper::kRoot:
          oids.root = ParseOid(*row[i]);
          break;
        case Helper::kNone:
        case Helper::kOther:
          break;
      }
    }
    auto& attrs = o.attributes;
    for (std::size_t i : attribute_order_) {
      if (!row[i]) continue;
      const Column& c = columns_[i];
      if (c.list) {
        attrs.emplace_hint(attrs.end(), c.name, ParseTextArray(*row[i]));
      } else {
        attrs.emplace_hint(attrs.end(), c.name, std::string(*row[i]));
      }
    }
    PostProcess(o, helpers, options_);
    // attnum for now; AssignPositions turns it into the position among live columns.
    if (attnum) attrs.emplace("position", std::string(*attnum));
    if (oids_) oids_->push_back(oids);
    out_.push_back(std::move(o));
  }

 private:
  enum class Helper { kNone, kOwner, kName, kAttnum, kOid, kRoot, kOther };
  struct Column {
    std::string name;
    bool list = false;
    Helper helper = Helper::kNone;
  };
  const SnapshotOptions& options_;
  std::vector<Object>& out_;
  std::vector<ObjectOids>* oids_;
  std::vector<std::string> names_;
  std::vector<Column> columns_;
  std::vector<std::size_t> attribute_order_;  // attribute columns by name
};

// One aclitem name: "alice", "\"odd name\"" or "" (PUBLIC). Returns the raw name and advances.
std::string ReadAclName(std::string_view text, std::size_t& pos) {
  std::string name;
  if (pos < text.size() && text[pos] == '"') {
    ++pos;
    while (pos < text.size()) {
      if (text[pos] == '"') {
        if (pos + 1 < text.size() && text[pos + 1] == '"') {
          name += '"';
          pos += 2;
          continue;
        }
        ++pos;
        break;
      }
      name += text[pos++];
    }
    return name;
  }
  while (pos < text.size() && text[pos] != '=' && text[pos] != '/') name += text[pos++];
  return name;
}

// "grantee=privileges/grantor" with the owner's name replaced by <owner> on either side.
std::string NormalizeGrant(const std::string& item, std::string_view owner) {
  std::size_t pos = 0;
  const std::string grantee = ReadAclName(item, pos);
  const std::size_t grantee_end = pos;
  if (pos >= item.size() || item[pos] != '=') return item;
  const std::size_t slash = item.find('/', pos);
  if (slash == std::string::npos) return item;
  std::size_t grantor_pos = slash + 1;
  const std::string grantor = ReadAclName(item, grantor_pos);
  std::string out =
      (!grantee.empty() && grantee == owner) ? "<owner>" : item.substr(0, grantee_end);
  out += item.substr(grantee_end, slash + 1 - grantee_end);  // "=arw/"
  out += grantor == owner ? "<owner>" : item.substr(slash + 1);
  return out;
}

}  // namespace

// A column's position is its rank among the table's live columns (attnum order), so dropping the
// last column and adding it again keeps its position while a re-added middle column moves.
void AssignPositions(std::vector<Object>& objects) {
  std::map<std::string_view, std::vector<std::pair<long, Object*>>> by_parent;
  for (Object& o : objects) {
    if (o.kind != "column") continue;
    const std::string* attnum = o.Text("position");
    if (!attnum) continue;
    by_parent[o.parent].emplace_back(std::stol(*attnum), &o);
  }
  for (auto& [parent, columns] : by_parent) {
    std::sort(columns.begin(), columns.end(),
              [](const auto& x, const auto& y) { return x.first < y.first; });
    for (std::size_t i = 0; i < columns.size(); ++i) {
      columns[i].second->attributes["position"] = std::to_string(i + 1);
    }
  }
}

std::unique_ptr<db::RowSink> MakeObjectSink(const SnapshotOptions& options,
                                            std::vector<Object>& out,
                                            std::vector<ObjectOids>* oids) {
  return std::make_unique<ObjectBuilder>(options, out, oids);
}

std::vector<std::string> ReadObjects(db::Session& session, const std::string& sql,
                                     const SnapshotOptions& options, std::vector<Object>& out,
                                     std::vector<ObjectOids>* oids) {
  ObjectBuilder builder(options, out, oids);
  session.QueryPreparedInto(sql, {}, builder);
  return builder.column_names();
}

PinnedSettings::PinnedSettings(db::Session& session) : session_(session) {
  std::string read = "SELECT ";
  std::string write = "SELECT ";
  std::vector<db::Value> values;
  for (std::size_t i = 0; i < kPinnedSettings.size(); ++i) {
    const auto& [name, value] = kPinnedSettings[i];
    if (i > 0) {
      read += ", ";
      write += ", ";
    }
    read += fmt::format("current_setting('{}')", name);
    write += fmt::format("set_config('{}', ${}, false)", name, i + 1);
    values.emplace_back(std::string(value));
  }
  write_sql_ = write;
  const db::QueryResult saved = session_.QueryPrepared(read);
  for (const db::Value& v : saved.rows.at(0)) saved_.push_back(v);
  session_.QueryPrepared(write_sql_, values);
}

PinnedSettings::~PinnedSettings() {
  try {
    session_.QueryPrepared(write_sql_, saved_);
  } catch (...) {
    // A broken session keeps the pinned values; the caller sees the failure on its next use.
  }
}

namespace {

// Whether the session's open transaction has written anything: uncommitted catalog changes that a
// second connection would not see. A transaction that has written has a transaction id.
bool HasUncommittedWrites(db::Session& session, int server_version_num) {
  const char* sql = server_version_num >= 130000
                        ? "SELECT pg_catalog.pg_current_xact_id_if_assigned() IS NOT NULL"
                        : "SELECT pg_catalog.txid_current_if_assigned() IS NOT NULL";
  return session.QueryPrepared(sql).rows.at(0).at(0) == std::optional<std::string>("t");
}

// The queries in the order the two connections take them, each unit run whole by one. Biggest
// first. The constraints and the indexes are one unit: deparsing a CHECK constraint or an index
// opens its table, so the server process that does both builds each table's relation cache entry
// once instead of two processes building it each (1,000 tables: 15-20 ms less of a cold read).
std::vector<std::vector<std::size_t>> Units(std::size_t count) {
  using Q = CatalogQuery;
  const auto at = [](Q q) { return static_cast<std::size_t>(q); };
  std::vector<std::vector<std::size_t>> units = {
      {at(Q::kConstraints), at(Q::kIndexes)}, {at(Q::kColumns)}, {at(Q::kRelations)}};
  for (std::size_t i = 0; i < count; ++i) {
    if (i != at(Q::kConstraints) && i != at(Q::kIndexes) && i != at(Q::kColumns) &&
        i != at(Q::kRelations)) {
      units.push_back({i});
    }
  }
  return units;
}

// The units of work two workers share, and the first one not taken yet.
struct SharedUnits {
  std::vector<std::vector<std::size_t>> units;
  std::atomic<std::size_t> next{0};
};

// Runs queries on `session`: the units not taken yet from `shared`, or, when `shared` is null,
// all of them in order.
void RunQueries(db::Session& session, const std::vector<std::string>& queries,
                const SnapshotOptions& options, SharedUnits* shared, std::vector<Object>& out) {
  PinnedSettings pinned(session);
  ObjectBuilder builder(options, out);
  if (shared == nullptr) {
    for (const std::string& sql : queries) session.QueryPreparedInto(sql, {}, builder);
    return;
  }
  for (std::size_t u; (u = shared->next.fetch_add(1)) < shared->units.size();) {
    for (std::size_t i : shared->units[u]) session.QueryPreparedInto(queries[i], {}, builder);
  }
}

// Shares the queries between the session and `second` (null: the session's companion), each
// working on its own thread and taking the next unit when done with one. Returns false, with
// `out` incomplete, when the other session failed: the caller then runs everything on the
// session alone, so a companion that lost its connection costs time, never the snapshot. An
// error on the session itself is thrown.
bool RunShared(db::Session& session, db::Session* second, const std::vector<std::string>& queries,
               const SnapshotOptions& options, std::vector<Object>& out) {
  SharedUnits shared{Units(queries.size())};
  std::vector<Object> companion_objects;
  std::exception_ptr companion_error;
  bool companion_ran = false;
  // The companion connects on its thread (the first time), while the session already works.
  std::thread helper([&] {
    try {
      db::Session* companion = second != nullptr ? second : session.Companion();
      if (companion == nullptr) return;
      companion_ran = true;
      RunQueries(*companion, queries, options, &shared, companion_objects);
    } catch (...) {
      companion_error = std::current_exception();
    }
  });
  try {
    RunQueries(session, queries, options, &shared, out);
  } catch (...) {
    shared.next = shared.units.size();  // the companion stops after its current unit
    helper.join();
    throw;
  }
  helper.join();
  if (companion_error) {
    if (second == nullptr) session.CloseCompanion();
    return false;
  }
  if (!companion_ran) return true;  // no companion: the session took every query
  out.reserve(out.size() + companion_objects.size());
  std::move(companion_objects.begin(), companion_objects.end(), std::back_inserter(out));
  return true;
}

}  // namespace

const std::string* Object::Text(std::string_view attribute) const {
  auto it = attributes.find(std::string(attribute));
  if (it == attributes.end()) return nullptr;
  return std::get_if<std::string>(&it->second);
}

const Object* Snapshot::Find(std::string_view kind, std::string_view identity) const {
  const ObjectKey key{kind, identity};
  auto it = std::lower_bound(objects.begin(), objects.end(), key,
                             [](const Object& o, const ObjectKey& k) { return KeyOf(o) < k; });
  if (it == objects.end() || KeyOf(*it) != key) return nullptr;
  return &*it;
}

void Snapshot::Sort() {
  // Kinds are few: each gets its rank among the distinct kinds. Identities of one kind share a
  // long prefix ("public.t"), so each entry also carries the 8 bytes after that shared prefix as
  // an integer (big-endian, zero-padded: it orders like the bytes). Most comparisons then read two
  // integers and no string; each object is moved once at the end.
  std::vector<std::string_view> kinds;
  for (const Object& o : objects) {
    if (std::find(kinds.begin(), kinds.end(), o.kind) == kinds.end()) kinds.push_back(o.kind);
  }
  std::sort(kinds.begin(), kinds.end());
  struct Entry {
    std::uint32_t kind_rank;
    std::uint32_t index;
    std::uint64_t abbreviation;
    std::string_view identity;
  };
  std::vector<Entry> entries;
  entries.reserve(objects.size());
  std::vector<std::string_view> first_of_kind(kinds.size());
  std::vector<std::size_t> shared_prefix(kinds.size(), std::string_view::npos);
  std::uint32_t rank = 0;
  for (std::uint32_t i = 0; i < objects.size(); ++i) {
    const Object& o = objects[i];
    if (kinds[rank] != o.kind) {  // objects come in runs of one kind: usually the same as before
      rank = static_cast<std::uint32_t>(std::lower_bound(kinds.begin(), kinds.end(), o.kind) -
                                        kinds.begin());
    }
    const std::string_view identity = o.identity;
    std::size_t& shared = shared_prefix[rank];
    if (shared == std::string_view::npos) {
      first_of_kind[rank] = identity;
      shared = identity.size();
    } else {
      const std::string_view first = first_of_kind[rank];
      const std::size_t limit = std::min({shared, first.size(), identity.size()});
      std::size_t n = 0;
      while (n < limit && first[n] == identity[n]) ++n;
      shared = n;
    }
    entries.push_back({rank, i, 0, identity});
  }
  for (Entry& e : entries) {
    const std::size_t from = shared_prefix[e.kind_rank];
    std::uint64_t key = 0;
    for (std::size_t k = 0; k < 8; ++k) {
      const std::size_t at = from + k;
      key = (key << 8) | (at < e.identity.size() ? static_cast<unsigned char>(e.identity[at]) : 0);
    }
    e.abbreviation = key;
  }
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
    if (a.kind_rank != b.kind_rank) return a.kind_rank < b.kind_rank;
    if (a.abbreviation != b.abbreviation) return a.abbreviation < b.abbreviation;
    return a.identity < b.identity;
  });
  std::vector<Object> sorted;
  sorted.reserve(objects.size());
  for (const Entry& e : entries) sorted.push_back(std::move(objects[e.index]));
  objects = std::move(sorted);
}

namespace {

// Calls `add(item, is_null)` for each element of a one-dimensional text array literal.
template <typename Add>
void ForEachArrayItem(std::string_view text, Add add) {
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return;
  std::size_t pos = 1;
  const std::size_t end = text.size() - 1;
  while (pos < end) {
    std::string item;
    bool quoted = false;
    if (text[pos] == '"') {
      quoted = true;
      ++pos;
      while (pos < end && text[pos] != '"') {
        if (text[pos] == '\\' && pos + 1 < end) ++pos;
        item += text[pos++];
      }
      ++pos;  // closing quote
    } else {
      const std::size_t comma = std::min(text.find(',', pos), end);
      item.assign(text.substr(pos, comma - pos));
      pos = comma;
    }
    const bool is_null = !quoted && item == "NULL";
    add(std::move(item), is_null);
    if (pos < end && text[pos] == ',') ++pos;
  }
}

}  // namespace

std::vector<std::string> ParseTextArray(std::string_view text) {
  std::vector<std::string> items;
  ForEachArrayItem(text, [&](std::string item, bool is_null) {
    if (!is_null) items.push_back(std::move(item));
  });
  return items;
}

std::vector<std::optional<std::string>> ParseTextArrayWithNulls(std::string_view text) {
  std::vector<std::optional<std::string>> items;
  ForEachArrayItem(text, [&](std::string item, bool is_null) {
    items.push_back(is_null ? std::nullopt : std::optional<std::string>(std::move(item)));
  });
  return items;
}

std::vector<std::string> NormalizeGrants(std::vector<std::string> items, std::string_view owner) {
  if (!owner.empty()) {
    for (std::string& item : items) item = NormalizeGrant(item, owner);
  }
  std::sort(items.begin(), items.end());
  return items;
}

Snapshot ReadCatalog(db::Session& session, const std::vector<std::string>& queries,
                     const SnapshotOptions& options, db::Session* second) {
  Snapshot snapshot;
  snapshot.server_version_num = session.server_version_num();
  const bool shared = (second != nullptr || options.sessions == Sessions::kWithCompanion) &&
                      !HasUncommittedWrites(session, snapshot.server_version_num);
  if (!shared || !RunShared(session, second, queries, options, snapshot.objects)) {
    snapshot.objects.clear();
    RunQueries(session, queries, options, nullptr, snapshot.objects);
  }
  AssignPositions(snapshot.objects);
  snapshot.Sort();
  return snapshot;
}

Snapshot TakeSnapshot(db::Session& session, const SnapshotOptions& options) {
  return ReadCatalog(session, CatalogQueries(session.server_version_num(), FiltersFor(options)),
                     options);
}

}  // namespace stairway::schema

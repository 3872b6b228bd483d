// TakeSnapshot: runs the catalog queries and turns their rows into sorted Objects.
#include "verifier/schema/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
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
  const std::string* oid = nullptr;
  const std::string* root = nullptr;
};

unsigned ParseOid(const std::string* text) {
  return text ? static_cast<unsigned>(std::stoul(*text)) : 0;
}

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

}  // namespace

void AddRows(const db::QueryResult& result, const SnapshotOptions& options,
             std::vector<Object>& out, std::vector<ObjectOids>* oids) {
  struct Column {
    std::string name;
    bool list = false;
    bool helper = false;
  };
  std::vector<Column> columns;
  for (const std::string& raw : result.columns) {
    Column c{raw};
    if (c.name.ends_with("[]")) {
      c.list = true;
      c.name.resize(c.name.size() - 2);
    }
    c.helper = c.name.starts_with("_");
    columns.push_back(std::move(c));
  }
  for (const db::Row& row : result.rows) {
    Object o;
    o.kind = row[0].value_or("");
    o.identity = row[1].value_or("");
    o.parent_kind = row[2].value_or("");
    o.parent = row[3].value_or("");
    Helpers helpers;
    for (std::size_t i = 4; i < row.size(); ++i) {
      if (!row[i]) continue;
      const Column& c = columns[i];
      if (c.helper) {
        if (c.name == "_owner") helpers.owner = &*row[i];
        if (c.name == "_name") helpers.name = &*row[i];
        if (c.name == "_attnum") helpers.attnum = &*row[i];
        if (c.name == "_oid") helpers.oid = &*row[i];
        if (c.name == "_root") helpers.root = &*row[i];
      } else if (c.list) {
        o.attributes.emplace(c.name, ParseTextArray(*row[i]));
      } else {
        o.attributes.emplace(c.name, *row[i]);
      }
    }
    PostProcess(o, helpers, options);
    // attnum for now; AssignPositions turns it into the position among live columns.
    if (helpers.attnum) o.attributes.emplace("position", *helpers.attnum);
    if (oids) oids->push_back({ParseOid(helpers.oid), ParseOid(helpers.root)});
    out.push_back(std::move(o));
  }
}

namespace {

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
  std::sort(objects.begin(), objects.end(),
            [](const Object& a, const Object& b) { return KeyOf(a) < KeyOf(b); });
}

std::vector<std::string> ParseTextArray(std::string_view text) {
  std::vector<std::string> items;
  if (text.size() < 2 || text.front() != '{' || text.back() != '}') return items;
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
      while (pos < end && text[pos] != ',') item += text[pos++];
    }
    if (quoted || item != "NULL") items.push_back(std::move(item));
    if (pos < end && text[pos] == ',') ++pos;
  }
  return items;
}

std::vector<std::string> NormalizeGrants(std::vector<std::string> items, std::string_view owner) {
  if (!owner.empty()) {
    for (std::string& item : items) item = NormalizeGrant(item, owner);
  }
  std::sort(items.begin(), items.end());
  return items;
}

Snapshot TakeSnapshot(db::Session& session, const SnapshotOptions& options) {
  Snapshot snapshot;
  snapshot.server_version_num = session.server_version_num();
  PinnedSettings pinned(session);
  const QueryFilters filters = FiltersFor(options);
  for (const std::string& sql : CatalogQueries(snapshot.server_version_num, filters)) {
    AddRows(session.QueryPrepared(sql), options, snapshot.objects);
  }
  AssignPositions(snapshot.objects);
  snapshot.Sort();
  return snapshot;
}

}  // namespace stairway::schema

// Replaying CREATE/ALTER/DROP into the in-memory schema model.
#include "verifier/lint/schema_model.h"

#include <algorithm>

namespace stairway::lint {

const ColumnInfo* TableInfo::Column(const std::string& n) const {
  for (const ColumnInfo& c : columns) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

ColumnInfo* TableInfo::Column(const std::string& n) {
  for (ColumnInfo& c : columns) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

bool TableInfo::HasLeadingIndex(const std::vector<std::string>& cols) const {
  for (const IndexInfo& i : indexes) {
    if (i.columns.size() < cols.size()) continue;
    std::vector<std::string> lead(i.columns.begin(), i.columns.begin() + cols.size());
    std::vector<std::string> want = cols;
    std::sort(lead.begin(), lead.end());
    std::sort(want.begin(), want.end());
    if (lead == want) return true;
  }
  return false;
}

bool TableInfo::HasCheckOn(const std::string& column) const {
  for (const ConstraintInfo& c : constraints) {
    if (c.kind == sql::Constraint::Kind::kCheck &&
        std::find(c.columns.begin(), c.columns.end(), column) != c.columns.end()) {
      return true;
    }
  }
  return false;
}

namespace {

constexpr std::string_view kPublic = "public";

std::string_view SchemaOf(const sql::QualifiedName& n) {
  return n.schema.empty() ? kPublic : std::string_view(n.schema);
}

// FNV-1a, fed piece by piece so that a QualifiedName hashes like its key string.
std::size_t Fnv(std::size_t h, std::string_view s) {
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}
constexpr std::size_t kFnvBasis = 14695981039346656037ull;

std::string Key(const sql::QualifiedName& n) {
  return TableKey(n);
}

}  // namespace

std::string TableKey(const sql::QualifiedName& n) {
  const std::string_view schema = SchemaOf(n);
  std::string key;
  key.reserve(schema.size() + 1 + n.name.size());
  key.append(schema).append(1, '.').append(n.name);
  return key;
}

std::size_t TableKeyHash::operator()(std::string_view key) const {
  return Fnv(kFnvBasis, key);
}

std::size_t TableKeyHash::operator()(const sql::QualifiedName& n) const {
  return Fnv(Fnv(Fnv(kFnvBasis, SchemaOf(n)), "."), n.name);
}

bool TableKeyEq::operator()(const sql::QualifiedName& n, std::string_view key) const {
  const std::string_view schema = SchemaOf(n);
  return key.size() == schema.size() + 1 + n.name.size() &&
         key.substr(0, schema.size()) == schema && key[schema.size()] == '.' &&
         key.substr(schema.size() + 1) == n.name;
}

const TableInfo* SchemaModel::Find(const sql::QualifiedName& n) const {
  auto it = tables_.find(n);
  return it == tables_.end() ? nullptr : &it->second;
}

TableInfo* SchemaModel::Find(const sql::QualifiedName& n) {
  auto it = tables_.find(n);
  return it == tables_.end() ? nullptr : &it->second;
}

std::vector<std::string> SchemaModel::CreatedIn(int unit) const {
  std::vector<std::string> out;
  for (const auto& [key, t] : tables_) {
    if (t.created_unit == unit) out.push_back(key);
  }
  // DROP INDEX locks are keyed by the index: an index of a table created in this unit (its
  // down drops both) locks nothing anyone else uses either.
  for (const auto& [index, table] : index_table_) {
    const auto it = tables_.find(table);
    if (it != tables_.end() && it->second.created_unit == unit) out.push_back(index);
  }
  return out;
}

TableInfo* SchemaModel::FindOrStub(const sql::QualifiedName& n) {
  auto it = tables_.find(n);
  if (it != tables_.end()) return &it->second;
  TableInfo& t = tables_[Key(n)];
  if (t.name.name.empty()) {
    t.name = n;  // a table from before the migrations stairway read: columns unknown
    t.columns_known = false;
  }
  return &t;
}

const TableInfo* SchemaModel::TableOfIndex(const sql::QualifiedName& index) const {
  auto it = index_table_.find(index);
  if (it == index_table_.end()) return nullptr;
  auto t = tables_.find(it->second);
  return t == tables_.end() ? nullptr : &t->second;
}

std::vector<const TableInfo*> SchemaModel::PartitionsOf(const TableInfo& parent) const {
  std::vector<const TableInfo*> out;
  const std::string key = Key(parent.name);
  for (const auto& [k, t] : tables_) {
    if (t.partition_of == key) out.push_back(&t);
  }
  return out;
}

namespace {

// Columns a CHECK expression mentions, and whether it is exactly "col IS NOT NULL".
void CheckColumns(const sql::Expr& e, std::vector<std::string>& out) {
  if (e.kind == sql::Expr::Kind::kColumn) out.push_back(e.name);
  for (const sql::Expr& a : e.args) CheckColumns(a, out);
}

}  // namespace

void SchemaModel::AddConstraint(TableInfo& t, const sql::Constraint& c, const std::string& column) {
  using K = sql::Constraint::Kind;
  ConstraintInfo info;
  info.name = c.name;
  info.kind = c.kind;
  info.columns =
      c.columns.empty() && !column.empty() ? std::vector<std::string>{column} : c.columns;
  info.not_valid = c.not_valid;
  if (c.kind == K::kCheck && c.expr) {
    if (info.columns.empty() || !column.empty()) {
      info.columns.clear();
      CheckColumns(*c.expr, info.columns);
    }
    if (c.expr->kind == sql::Expr::Kind::kOther && c.expr->name == "is not null" &&
        c.expr->args.size() == 1 && c.expr->args[0].kind == sql::Expr::Kind::kColumn) {
      info.is_not_null_check = true;
      info.check_column = c.expr->args[0].name;
    }
  }
  if (c.kind == K::kNotNull) {
    if (ColumnInfo* col = t.Column(column)) col->not_null = true;
    return;
  }
  if (c.kind == K::kPrimaryKey || c.kind == K::kUnique) {
    const std::string index = !c.using_index.empty() ? c.using_index
                              : !c.name.empty()
                                  ? c.name
                                  : t.name.name + "_" + (c.kind == K::kPrimaryKey ? "pkey" : "key");
    if (c.using_index.empty()) {
      t.indexes.push_back({index, info.columns, true});
    } else {
      for (IndexInfo& i : t.indexes) {
        if (i.name == c.using_index) info.columns = i.columns;
      }
    }
    if (c.kind == K::kPrimaryKey) {
      for (const std::string& n : info.columns) {
        if (ColumnInfo* col = t.Column(n)) col->not_null = true;
      }
    }
    if (info.name.empty()) info.name = index;
  }
  if (c.kind == K::kCheck || c.kind == K::kForeignKey || c.kind == K::kPrimaryKey ||
      c.kind == K::kUnique || c.kind == K::kExclusion) {
    t.constraints.push_back(std::move(info));
  }
}

void SchemaModel::Apply(const sql::Statement& s, int unit) {
  if (const auto* ct = s.As<sql::CreateTable>()) {
    if (ct->temporary) return;
    if (ct->if_not_exists && Find(ct->table) != nullptr) return;
    TableInfo t;
    t.name = ct->table;
    t.partitioned = ct->partitioned;
    if (ct->partition_of) t.partition_of = Key(*ct->partition_of);
    t.created_unit = unit;
    for (const sql::ColumnDef& c : ct->columns) t.columns.push_back({c.name, c.type, false});
    for (const sql::ColumnDef& c : ct->columns) {
      for (const sql::Constraint& k : c.constraints) AddConstraint(t, k, c.name);
    }
    for (const sql::Constraint& k : ct->constraints) AddConstraint(t, k, "");
    const std::string key = Key(t.name);
    for (const IndexInfo& i : t.indexes) index_table_[Key({t.name.schema, i.name})] = key;
    tables_[key] = std::move(t);
  } else if (const auto* at = s.As<sql::AlterTable>()) {
    if (at->object_type != "TABLE") return;
    TableInfo* t = FindOrStub(at->table);
    for (const sql::AlterTableCmd& c : at->cmds) {
      if (c.subtype == "AddColumn" && c.column) {
        if (t->Column(c.column->name) != nullptr) continue;
        t->columns.push_back({c.column->name, c.column->type, false, unit});
        for (const sql::Constraint& k : c.column->constraints) AddConstraint(*t, k, c.column->name);
      } else if (c.subtype == "DropColumn") {
        std::erase_if(t->columns, [&](const ColumnInfo& col) { return col.name == c.name; });
        std::erase_if(t->indexes, [&](const IndexInfo& i) {
          return std::find(i.columns.begin(), i.columns.end(), c.name) != i.columns.end();
        });
      } else if (c.subtype == "AlterColumnType" && c.column) {
        if (ColumnInfo* col = t->Column(c.name)) col->type = c.column->type;
      } else if (c.subtype == "SetNotNull") {
        if (ColumnInfo* col = t->Column(c.name)) col->not_null = true;
      } else if (c.subtype == "DropNotNull") {
        if (ColumnInfo* col = t->Column(c.name)) col->not_null = false;
      } else if (c.subtype == "AddConstraint" && c.constraint) {
        const std::size_t known = t->indexes.size();
        AddConstraint(*t, *c.constraint, "");
        for (std::size_t i = known; i < t->indexes.size(); ++i)
          index_table_[Key({t->name.schema, t->indexes[i].name})] = Key(t->name);
      } else if (c.subtype == "ValidateConstraint") {
        for (ConstraintInfo& k : t->constraints) {
          if (k.name == c.name) k.not_valid = false;
        }
      } else if (c.subtype == "DropConstraint") {
        std::erase_if(t->constraints, [&](const ConstraintInfo& k) { return k.name == c.name; });
        std::erase_if(t->indexes, [&](const IndexInfo& i) { return i.name == c.name; });
      } else if ((c.subtype == "AttachPartition" || c.subtype == "DetachPartition") &&
                 c.partition) {
        // Only a partitioned table has partitions (a stub learns it here). The map's nodes
        // stay put when it grows, so `t` is still valid.
        const bool attach = c.subtype == "AttachPartition";
        if (attach) t->partitioned = true;
        FindOrStub(*c.partition)->partition_of = attach ? Key(t->name) : "";
      }
    }
  } else if (const auto* ci = s.As<sql::CreateIndex>()) {
    TableInfo* t = FindOrStub(ci->table);
    std::string name = ci->name;
    if (name.empty()) {
      name = t->name.name;
      for (const std::string& c : ci->columns) name += "_" + (c.empty() ? std::string("expr") : c);
      name += "_idx";
    }
    if (ci->if_not_exists && index_table_.count(Key({ci->table.schema, name})) > 0) return;
    t->indexes.push_back({name, ci->columns, ci->unique, ci->partial, ci->method});
    index_table_[Key({ci->table.schema, name})] = Key(t->name);
  } else if (const auto* d = s.As<sql::Drop>()) {
    for (const sql::QualifiedName& n : d->objects) {
      if (d->object_type == "TABLE") {
        tables_.erase(Key(n));
      } else if (d->object_type == "INDEX") {
        auto it = index_table_.find(Key(n));
        if (it == index_table_.end()) continue;
        if (auto t = tables_.find(it->second); t != tables_.end()) {
          std::erase_if(t->second.indexes, [&](const IndexInfo& i) { return i.name == n.name; });
        }
        index_table_.erase(it);
      }
    }
  } else if (const auto* r = s.As<sql::Rename>()) {
    TableInfo* t = Find(r->relation);
    if (r->object_type == "TABLE" && t != nullptr) {
      TableInfo moved = std::move(*t);
      tables_.erase(Key(r->relation));
      moved.name.name = r->new_name;
      const std::string key = Key(moved.name);
      for (auto& [index, table] : index_table_) {
        if (table == Key(r->relation)) table = key;
      }
      tables_[key] = std::move(moved);
    } else if (r->object_type == "COLUMN" && t != nullptr) {
      if (ColumnInfo* col = t->Column(r->old_name)) col->name = r->new_name;
      for (IndexInfo& i : t->indexes)
        std::replace(i.columns.begin(), i.columns.end(), r->old_name, r->new_name);
      for (ConstraintInfo& k : t->constraints)
        std::replace(k.columns.begin(), k.columns.end(), r->old_name, r->new_name);
    } else if (r->object_type == "TABCONSTRAINT" && t != nullptr) {
      for (ConstraintInfo& k : t->constraints) {
        if (k.name == r->old_name) k.name = r->new_name;
      }
    } else if (r->object_type == "INDEX") {
      auto it = index_table_.find(Key(r->relation));
      if (it == index_table_.end()) return;
      const std::string table = it->second;
      index_table_.erase(it);
      index_table_[Key({r->relation.schema, r->new_name})] = table;
      if (auto tt = tables_.find(table); tt != tables_.end()) {
        for (IndexInfo& i : tt->second.indexes) {
          if (i.name == r->relation.name) i.name = r->new_name;
        }
      }
    }
  }
}

}  // namespace stairway::lint

// An in-memory replay of the DDL seen so far (earlier revisions and earlier statements), so
// rules know tables, columns, nullability, indexes and foreign keys without a database.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "runner/sql/ast.h"

namespace stairway::lint {

// Tables are keyed "schema.table" (public when unqualified). Lookups by a QualifiedName hash
// and compare the parts in place: rules look tables up many times per statement, and building
// the key string each time cost more than the rules themselves.
struct TableKeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view key) const;
  std::size_t operator()(const sql::QualifiedName& n) const;
};
struct TableKeyEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
  bool operator()(const sql::QualifiedName& n, std::string_view key) const;
  bool operator()(std::string_view key, const sql::QualifiedName& n) const {
    return (*this)(n, key);
  }
};
template <typename V>
using TableKeyMap = std::unordered_map<std::string, V, TableKeyHash, TableKeyEq>;
using TableKeySet = std::unordered_set<std::string, TableKeyHash, TableKeyEq>;

// "schema.table" with public for unqualified names.
std::string TableKey(const sql::QualifiedName& n);

struct ColumnInfo {
  std::string name;
  sql::TypeRef type;
  bool not_null = false;
  int created_unit = -1;  // unit (section) that added it; -1 when it came with its table
};

struct IndexInfo {
  std::string name;
  std::vector<std::string> columns;  // "" for expressions
  bool unique = false;
  bool partial = false;
  std::string method;  // "btree", "gin", ...; empty for the index of a constraint (btree)
};

struct ConstraintInfo {
  std::string name;
  sql::Constraint::Kind kind = sql::Constraint::Kind::kOther;
  std::vector<std::string> columns;
  bool not_valid = false;
  bool is_not_null_check = false;  // CHECK (col IS NOT NULL): lets SET NOT NULL skip its scan
  std::string check_column;        // the column of such a check
};

struct TableInfo {
  sql::QualifiedName name;
  std::vector<ColumnInfo> columns;
  std::vector<IndexInfo> indexes;
  std::vector<ConstraintInfo> constraints;
  bool partitioned = false;
  std::string partition_of;   // "schema.table" of the parent when a partition, else empty
  int created_unit = -1;      // serial number of the unit (section) that created it
  bool columns_known = true;  // false for tables first seen in an ALTER (created elsewhere)

  const ColumnInfo* Column(const std::string& n) const;
  ColumnInfo* Column(const std::string& n);
  // True when an index starts with exactly these columns (in any order among the leading ones).
  bool HasLeadingIndex(const std::vector<std::string>& cols) const;
  bool HasCheckOn(const std::string& column) const;
};

class SchemaModel {
 public:
  // Applies one statement; `unit` is the serial number of the section it comes from.
  void Apply(const sql::Statement& s, int unit);
  const TableInfo* Find(const sql::QualifiedName& n) const;
  TableInfo* Find(const sql::QualifiedName& n);
  // The table an index (by name) belongs to, or null.
  const TableInfo* TableOfIndex(const sql::QualifiedName& index) const;
  // The partitions of a partitioned table known from CREATE TABLE ... PARTITION OF and ATTACH
  // PARTITION (not those a function or a tool creates at run time).
  std::vector<const TableInfo*> PartitionsOf(const TableInfo& parent) const;
  std::size_t table_count() const { return tables_.size(); }
  // Keys ("schema.table") of the tables created by the given unit, and of those tables' indexes.
  std::vector<std::string> CreatedIn(int unit) const;

 private:
  // Tables altered before any CREATE was seen get a stub, so their constraints and indexes
  // are still tracked.
  TableInfo* FindOrStub(const sql::QualifiedName& n);
  void AddConstraint(TableInfo& t, const sql::Constraint& c, const std::string& column);
  TableKeyMap<TableInfo> tables_;
  TableKeyMap<std::string> index_table_;  // index key -> table key
};

}  // namespace stairway::lint

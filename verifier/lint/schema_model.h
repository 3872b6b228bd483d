// An in-memory replay of the DDL seen so far (earlier revisions and earlier statements), so
// rules know tables, columns, nullability, indexes and foreign keys without a database.
#pragma once

#include <map>
#include <unordered_map>
#include <string>
#include <vector>

#include "runner/sql/ast.h"

namespace stairway::lint {

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
  std::size_t table_count() const { return tables_.size(); }
  // Keys ("schema.table") of the tables created by the given unit.
  std::vector<std::string> CreatedIn(int unit) const;

 private:
  static std::string Key(const sql::QualifiedName& n);
  // Tables altered before any CREATE was seen get a stub, so their constraints and indexes
  // are still tracked.
  TableInfo* FindOrStub(const sql::QualifiedName& n);
  void AddConstraint(TableInfo& t, const sql::Constraint& c, const std::string& column);
  std::unordered_map<std::string, TableInfo> tables_;
  std::unordered_map<std::string, std::string> index_table_;  // index key -> table key
};

}  // namespace stairway::lint

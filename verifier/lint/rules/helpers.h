// Shared helpers for rule files: walking ALTER TABLE subcommands, foreign keys and column
// definitions a statement introduces.
#pragma once

#include <string>
#include <vector>

#include "verifier/lint/context.h"

namespace stairway::lint {

// Calls fn(alter, cmd) for each subcommand of an ALTER TABLE on a table that exists already
// (not created earlier in this revision).
template <typename Fn>
void ForEachExistingAlter(const StatementContext& c, Fn fn) {
  const auto* at = c.stmt().As<sql::AlterTable>();
  if (at == nullptr || c.IsNewTable(at->table)) return;
  for (const sql::AlterTableCmd& cmd : at->cmds) fn(*at, cmd);
}

struct ForeignKeyUse {
  const sql::Constraint* fk = nullptr;
  sql::QualifiedName table;          // referencing table
  std::vector<std::string> columns;  // referencing columns
  bool added_to_existing = false;    // ALTER TABLE on an existing table
  bool via_add_column = false;       // ADD COLUMN ... REFERENCES
};
std::vector<ForeignKeyUse> ForeignKeysOf(const StatementContext& c);

struct ColumnUse {
  const sql::ColumnDef* column = nullptr;
  sql::QualifiedName table;
  bool added_to_existing = false;  // ADD COLUMN on an existing table
  bool type_change = false;        // ALTER COLUMN ... TYPE (column->type is the new type)
};
// Columns the statement defines or retypes (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE).
std::vector<ColumnUse> ColumnsOf(const StatementContext& c);

// Whether the column is NOT NULL: in the statement that defines it, or in the schema model.
bool ColumnNotNull(const StatementContext& c, const sql::QualifiedName& table,
                   const std::string& column);

bool IsSerialType(const std::string& type_name);
// "CREATE INDEX CONCURRENTLY" and friends that cannot run inside a transaction block.
bool IsNonTransactional(const sql::Statement& s, int pg_version);

}  // namespace stairway::lint

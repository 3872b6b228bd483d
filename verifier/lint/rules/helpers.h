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

// The foreign keys the statement introduces (computed once per statement).
inline const std::vector<ForeignKeyUse>& ForeignKeysOf(const StatementContext& c) {
  return c.ForeignKeys();
}

// Columns the statement defines or retypes (CREATE TABLE, ADD COLUMN, ALTER COLUMN TYPE),
// computed once per statement.
inline const std::vector<ColumnUse>& ColumnsOf(const StatementContext& c) {
  return c.Columns();
}

// Whether the column is NOT NULL: in the statement that defines it, or in the schema model.
bool ColumnNotNull(const StatementContext& c, const sql::QualifiedName& table,
                   const std::string& column);

bool IsSerialType(const std::string& type_name);
// "CREATE INDEX CONCURRENTLY" and friends that cannot run inside a transaction block.
bool IsNonTransactional(const sql::Statement& s, int pg_version);

}  // namespace stairway::lint

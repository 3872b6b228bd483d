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

// Whether `pred(statement)` holds for a statement of the same transaction as the current one,
// after it (AnyLaterInTransaction) or before it (AnyEarlierInTransaction). False outside a
// transaction.
template <typename Pred>
bool AnyLaterInTransaction(const StatementContext& c, Pred pred) {
  const SectionContext& s = c.section();
  const StatementFacts& f = c.facts();
  if (!f.in_transaction) return false;
  for (std::size_t i = c.index() + 1; i < s.statements.size(); ++i) {
    if (s.facts[i].transaction != f.transaction) break;
    if (pred(s.statements[i])) return true;
  }
  return false;
}
template <typename Pred>
bool AnyEarlierInTransaction(const StatementContext& c, Pred pred) {
  const SectionContext& s = c.section();
  const StatementFacts& f = c.facts();
  if (!f.in_transaction) return false;
  for (std::size_t i = c.index(); i-- > 0;) {
    if (s.facts[i].transaction != f.transaction) break;
    if (pred(s.statements[i])) return true;
  }
  return false;
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

// Line in the file of a byte offset in the section (for messages that point at another line).
int LineAt(const SectionContext& s, std::size_t offset);

bool IsSerialType(const std::string& type_name);
// Binary-coercible type changes: ALTER COLUMN TYPE needs no rewrite (lint-rules.md, part b).
bool SafeTypeChange(const sql::TypeRef& from, const sql::TypeRef& to);

// What makes the statement slow, in proportion to the size of tables that existed before this
// revision ("a table rewrite", "a data change", ...); empty when it only changes the catalog
// or touches tables created earlier in the same section. Locks held while a slow statement
// runs block traffic for as long as the table is big.
std::string SlowWork(const StatementContext& c);
// Whether a CREATE INDEX only adds catalog entries and reads no rows: ON ONLY on a partitioned
// parent (or on a table not known as a plain one: ONLY means nothing there), or an index on a
// partitioned parent whose known partitions all have a matching index already, which
// PostgreSQL attaches instead of building. When no partition is known (a function creates
// them), a matching CONCURRENTLY build earlier in the section on a table stairway has not seen
// created stands for them.
bool IndexBuildsNothing(const StatementContext& c, const sql::CreateIndex& ci);
// "CREATE INDEX CONCURRENTLY" and friends that cannot run inside a transaction block.
bool IsNonTransactional(const sql::Statement& s, int pg_version);

}  // namespace stairway::lint

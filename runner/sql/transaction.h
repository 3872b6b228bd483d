// Transaction rules shared by the readers, the applier and the linter, so that what runs and
// what lint assumes agree: which statements PostgreSQL refuses inside a transaction block, and
// which of a section's own BEGIN/COMMIT the runner's transaction replaces.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "runner/sql/ast.h"

namespace stairway::sql {

// The server version the readers assume when they decide a file's transaction mode (no
// database is at hand then): ALTER TYPE ... ADD VALUE runs in a transaction from 12 on.
inline constexpr int kAssumedServerVersion = 15;

// True for a statement PostgreSQL refuses inside a transaction block (25001): CREATE/DROP
// INDEX CONCURRENTLY, REINDEX CONCURRENTLY / SCHEMA / SYSTEM / DATABASE, DETACH PARTITION
// CONCURRENTLY, VACUUM, CREATE/DROP DATABASE, CREATE/DROP TABLESPACE, CREATE/DROP
// SUBSCRIPTION, ALTER SYSTEM, and ALTER TYPE ... ADD VALUE before PostgreSQL 12.
bool CannotRunInTransaction(const Statement& s, int pg_version);

// Whether `sql` holds such a statement. Cheap for the usual file: the text is parsed only when
// it contains a word one of them needs. Statements that do not parse count as transactional.
bool HasNonTransactionalStatement(std::string_view sql, int pg_version = kAssumedServerVersion);

// How a section's own transaction control meets the runner's transaction. A transactional
// section runs inside the runner's one transaction, so its BEGIN and COMMIT have nothing left
// to do: the tools that run a file as one multi-statement string (golang-migrate, dbmate) or
// inside their own transaction (dbmate, goose) get the same outcome from them when the
// migration succeeds (PostgreSQL only warns about a BEGIN inside a transaction or a COMMIT
// outside one).
struct TransactionControl {
  // BEGIN/START TRANSACTION ... COMMIT/END pairs, in order: the wrapper golang-migrate files
  // often have (sometimes after a SET or two). Lint treats them as the runner does.
  std::vector<std::size_t> pairs;
  // Other BEGIN/COMMIT of a transactional section (a nested BEGIN, a COMMIT without BEGIN, a
  // BEGIN never committed): the runner leaves them out too, but under the project's own tool
  // they end its transaction early, so lint still reports them.
  std::vector<std::size_t> stray;
  // The first statement the runner cannot run as the section asks: a ROLLBACK or PREPARE
  // TRANSACTION (it would undo or hand off the revision), or any transaction control in a
  // non-transactional section; nullopt when none.
  std::optional<std::size_t> refused;
  bool Dropped(std::size_t i) const;
};
TransactionControl PlanTransactionControl(const std::vector<Statement>& statements,
                                          bool transactional);

}  // namespace stairway::sql

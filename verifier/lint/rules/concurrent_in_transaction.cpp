// concurrent-in-transaction: CONCURRENTLY operations or VACUUM inside a transaction.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
void Check(const StatementContext& c) {
  if (!c.facts().in_transaction || !IsNonTransactional(c.stmt(), c.pg_version())) return;
  c.Report(c.facts().in_explicit_transaction
               ? "this statement cannot run inside the BEGIN block that contains it"
               : "this statement cannot run inside a transaction, but the runner wraps this "
                 "migration in one");
}
}  // namespace

extern const Rule kRuleConcurrentInTransaction{
    .id = "concurrent-in-transaction",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "CONCURRENTLY operations or VACUUM inside a transaction",
    .help =
        "put the statement in its own migration with the transaction disabled (e.g. `-- migrate:up "
        "transaction:false`)",
    .why =
        "CREATE/DROP INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY and "
        "VACUUM refuse to run inside a transaction block: the migration fails at run time (25001).",
    .bad = "BEGIN;\nCREATE INDEX CONCURRENTLY i ON t (a);\nCOMMIT;",
    .good = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY i ON t (a);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

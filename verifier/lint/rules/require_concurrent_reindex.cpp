// require-concurrent-reindex: REINDEX without CONCURRENTLY.
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
  const auto* r = c.stmt().As<sql::Reindex>();
  if (r == nullptr || r->concurrent) return;
  if ((r->kind == "INDEX" || r->kind == "TABLE") && !r->target.name.empty()) {
    const TableInfo* t =
        r->kind == "TABLE" ? c.Table(r->target) : c.schema().TableOfIndex(r->target);
    if (t != nullptr && c.IsNewTable(t->name)) return;
  }
  c.Report(c.pg_version() >= 12
               ? "REINDEX without CONCURRENTLY blocks writes and queries that use the index"
               : "REINDEX blocks writes and queries that use the index (no CONCURRENTLY before "
                 "PostgreSQL 12)",
           c.pg_version() >= 12 ? ""
                                : "rebuild with CREATE INDEX CONCURRENTLY + DROP INDEX "
                                  "CONCURRENTLY, or upgrade to PostgreSQL 12+",
           "SHARE");
}
}  // namespace

extern const Rule kRuleRequireConcurrentReindex{
    .id = "require-concurrent-reindex",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "REINDEX without CONCURRENTLY",
    .help = "use REINDEX ... CONCURRENTLY (PostgreSQL 12+) outside a transaction",
    .why =
        "REINDEX holds a SHARE lock on the table and an ACCESS EXCLUSIVE lock on the index; "
        "queries planned against the table lock every index, so even reads stall.",
    .bad = "REINDEX INDEX messages_thread_idx;",
    .good = "REINDEX INDEX CONCURRENTLY messages_thread_idx;",
    .versions = "12+ for the safe form",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

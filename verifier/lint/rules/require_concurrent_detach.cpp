// require-concurrent-detach: DETACH PARTITION without CONCURRENTLY.
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
  ForEachExistingAlter(c, [&](const sql::AlterTable& at, const sql::AlterTableCmd& cmd) {
    if (cmd.subtype != "DetachPartition" || cmd.concurrent) return;
    c.Report(
        cmd.location,
        fmt::format("DETACH PARTITION takes ACCESS EXCLUSIVE on {}", at.table.Display()),
        c.pg_version() >= 14
            ? ""
            : "CONCURRENTLY needs PostgreSQL 14+; detach in a quiet period with a lock_timeout",
        "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleRequireConcurrentDetach{
    .id = "require-concurrent-detach",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "DETACH PARTITION without CONCURRENTLY",
    .help =
        "use ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY (PostgreSQL 14+, outside a "
        "transaction, no default partition)",
    .why =
        "DETACH PARTITION takes ACCESS EXCLUSIVE on the parent and the partition: all queries on "
        "the partitioned table wait.",
    .bad = "ALTER TABLE events DETACH PARTITION events_2020;",
    .good =
        "-- migrate:up transaction:false\nALTER TABLE events DETACH PARTITION events_2020 "
        "CONCURRENTLY;",
    .versions = "14+ for the safe form",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

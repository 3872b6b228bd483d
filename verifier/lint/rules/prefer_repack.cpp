// prefer-repack: VACUUM FULL or CLUSTER.
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
  if (const auto* v = c.stmt().As<sql::Vacuum>(); v != nullptr && v->full) {
    c.Report("VACUUM FULL rewrites the table under ACCESS EXCLUSIVE", {}, "ACCESS EXCLUSIVE");
  }
  if (c.stmt().As<sql::Cluster>() != nullptr) {
    c.Report("CLUSTER rewrites the table under ACCESS EXCLUSIVE", {}, "ACCESS EXCLUSIVE");
  }
}
}  // namespace

extern const Rule kRulePreferRepack{
    .id = "prefer-repack",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "VACUUM FULL or CLUSTER",
    .help = "use pg_repack (or REPACK CONCURRENTLY where available) to rewrite without blocking",
    .why =
        "VACUUM FULL and CLUSTER rewrite the whole table under ACCESS EXCLUSIVE: nothing can read "
        "or write it until they finish.",
    .bad = "VACUUM FULL events;",
    .good = "-- outside the migration: pg_repack --table events",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// refresh-matview-blocking: REFRESH MATERIALIZED VIEW without CONCURRENTLY.
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
  const auto* r = c.stmt().As<sql::RefreshMatView>();
  if (r == nullptr || r->concurrent) return;
  c.Report(fmt::format("refreshing {} blocks its readers", r->view.Display()), {},
           "ACCESS EXCLUSIVE");
}
}  // namespace

extern const Rule kRuleRefreshMatviewBlocking{
    .id = "refresh-matview-blocking",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "REFRESH MATERIALIZED VIEW without CONCURRENTLY",
    .help = "REFRESH MATERIALIZED VIEW CONCURRENTLY (needs a unique index on the view)",
    .why =
        "A plain refresh takes ACCESS EXCLUSIVE on the view: every reader waits for the rebuild.",
    .bad = "REFRESH MATERIALIZED VIEW daily_stats;",
    .good =
        "CREATE UNIQUE INDEX daily_stats_day_key ON daily_stats (day);\nREFRESH MATERIALIZED VIEW "
        "CONCURRENTLY daily_stats;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// index-too-many-columns: Non-unique index with more than three columns.
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
  const auto* ci = c.stmt().As<sql::CreateIndex>();
  if (ci == nullptr || ci->unique || ci->columns.size() <= 3) return;
  c.Report(fmt::format("index on {} has {} columns", ci->table.Display(), ci->columns.size()));
}
}  // namespace

extern const Rule kRuleIndexTooManyColumns{
    .id = "index-too-many-columns",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "Non-unique index with more than three columns",
    .help =
        "lead with the most selective columns and keep non-unique indexes to three columns or "
        "fewer",
    .why =
        "Wide non-unique indexes are rarely used beyond their first columns but cost space and "
        "write amplification on every change.",
    .bad = "CREATE INDEX t_abcd_idx ON t (a, b, c, d);",
    .good = "CREATE INDEX t_ab_idx ON t (a, b);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

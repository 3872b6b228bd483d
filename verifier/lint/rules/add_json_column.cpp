// add-json-column: Columns of type json.
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
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (u.column->type.name != "json") continue;
    c.Report(u.column->location, fmt::format("column {} is json; prefer jsonb", u.column->name));
  }
}
}  // namespace

extern const Rule kRuleAddJsonColumn{
    .id = "add-json-column",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Columns of type json",
    .help = "use jsonb",
    .why =
        "json has no equality operator: DISTINCT, UNION, GROUP BY and many ORM queries fail on it; "
        "jsonb is also faster to query.",
    .bad = "ALTER TABLE events ADD COLUMN payload json;",
    .good = "ALTER TABLE events ADD COLUMN payload jsonb;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

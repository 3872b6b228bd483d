// prefer-timestamptz: timestamp without time zone.
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
    if (u.column->type.name == "timestamp") {
      c.Report(u.column->location,
               fmt::format("column {} is timestamp without time zone", u.column->name));
    }
  }
}
}  // namespace

extern const Rule kRulePreferTimestamptz{
    .id = "prefer-timestamptz",
    .severity = Severity::kWarning,
    .profile = Profile::kStyle,
    .summary = "timestamp without time zone",
    .help = "use timestamptz",
    .why =
        "timestamp without time zone silently drops the offset of the values written to it, so the "
        "same instant reads differently across sessions.",
    .bad = "CREATE TABLE events (at timestamp);",
    .good = "CREATE TABLE events (at timestamptz);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// prefer-text-field: varchar(n) columns.
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
    if (u.column->type.name == "varchar" && !u.column->type.mods.empty()) {
      c.Report(u.column->location,
               fmt::format("column {} is {}", u.column->name, u.column->type.Display()));
    }
  }
}
}  // namespace

extern const Rule kRulePreferTextField{
    .id = "prefer-text-field",
    .severity = Severity::kWarning,
    .profile = Profile::kStyle,
    .summary = "varchar(n) columns",
    .help = "use text with a CHECK (length(col) <= n) constraint",
    .why =
        "Changing n later needs ACCESS EXCLUSIVE (and shrinking it rewrites the table); a CHECK "
        "can be replaced with NOT VALID + VALIDATE.",
    .bad = "CREATE TABLE users (name varchar(100));",
    .good = "CREATE TABLE users (name text CHECK (length(name) <= 100));",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

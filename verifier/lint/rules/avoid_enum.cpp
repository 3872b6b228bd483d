// avoid-enum: CREATE TYPE ... AS ENUM.
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
  if (const auto* e = c.stmt().As<sql::CreateEnum>())
    c.Report(fmt::format("enum type {}", e->type.Display()));
}
}  // namespace

extern const Rule kRuleAvoidEnum{
    .id = "avoid-enum",
    .severity = Severity::kInfo,
    .profile = Profile::kStyle,
    .summary = "CREATE TYPE ... AS ENUM",
    .help = "use a lookup table with a foreign key",
    .why =
        "Enum values cannot be removed or reordered, and they carry no attached data; a lookup "
        "table can do both.",
    .bad = "CREATE TYPE status AS ENUM ('active', 'paused');",
    .good = "CREATE TABLE statuses (name text PRIMARY KEY);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

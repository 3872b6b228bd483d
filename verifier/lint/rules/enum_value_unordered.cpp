// enum-value-unordered: ALTER TYPE ... ADD VALUE without BEFORE or AFTER.
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
  const auto* e = c.stmt().As<sql::AlterEnum>();
  if (e == nullptr || !e->old_value.empty() || !e->neighbor.empty()) return;
  c.Report(fmt::format("value '{}' is appended at the end of {}", e->new_value, e->type.Display()));
}
}  // namespace

extern const Rule kRuleEnumValueUnordered{
    .id = "enum-value-unordered",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "ALTER TYPE ... ADD VALUE without BEFORE or AFTER",
    .help = "say where the value goes: ADD VALUE 'x' BEFORE 'y' or AFTER 'y'",
    .why =
        "New enum values are appended last, which changes the meaning of < and > comparisons and "
        "ORDER BY on the enum if the order matters.",
    .bad = "ALTER TYPE status ADD VALUE 'paused';",
    .good = "ALTER TYPE status ADD VALUE 'paused' AFTER 'active';",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// rename-enum-value: ALTER TYPE ... RENAME VALUE.
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
  if (e == nullptr || e->old_value.empty()) return;
  c.Report(fmt::format("renaming value '{}' of {} breaks code that uses it", e->old_value,
                       e->type.Display()));
}
}  // namespace

extern const Rule kRuleRenameEnumValue{
    .id = "rename-enum-value",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "ALTER TYPE ... RENAME VALUE",
    .help =
        "add the new value, make the application accept both, backfill, then stop using the old "
        "one",
    .why = "Application code and stored data comparisons that use the old label break at once.",
    .bad = "ALTER TYPE message_role RENAME VALUE 'bot' TO 'assistant';",
    .good = "ALTER TYPE message_role ADD VALUE IF NOT EXISTS 'assistant' AFTER 'bot';",
    .versions = "10+",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

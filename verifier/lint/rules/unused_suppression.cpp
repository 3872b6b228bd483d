// unused-suppression: A stairway:ignore comment that suppresses nothing.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
extern const Rule kRuleUnusedSuppression{
    .id = "unused-suppression",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "A stairway:ignore comment that suppresses nothing",
    .help =
        "delete the comment (or fix the rule id or its position: it applies to the next statement)",
    .why = "Stale suppressions hide future findings on the statement they sit on.",
    .bad = "-- stairway:ignore drop-table\nCREATE TABLE t (id bigint);",
    .good = "CREATE TABLE t (id bigint);",
    .versions = "all",
    .check = nullptr,
    .finish = nullptr,
};

}  // namespace stairway::lint

// drop-not-null: ALTER COLUMN ... DROP NOT NULL.
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
  ForEachExistingAlter(c, [&](const sql::AlterTable& at, const sql::AlterTableCmd& cmd) {
    if (cmd.subtype != "DropNotNull") return;
    c.Report(fmt::format("{}.{} may now hold NULLs that existing readers do not expect",
                         at.table.Display(), cmd.name));
  });
}
}  // namespace

extern const Rule kRuleDropNotNull{
    .id = "drop-not-null",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "ALTER COLUMN ... DROP NOT NULL",
    .help =
        "check that readers and PL code handle NULL first, or keep NOT NULL with a sentinel value",
    .why =
        "Code written for the NOT NULL column (application, views, functions) may not expect NULLs "
        "once the constraint is gone.",
    .bad = "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;",
    .good = "-- keep NOT NULL; store '' or a sentinel, or expose a view for old readers",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

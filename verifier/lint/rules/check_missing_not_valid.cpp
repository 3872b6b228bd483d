// check-missing-not-valid: ADD CONSTRAINT ... CHECK without NOT VALID on an existing table.
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
    if (cmd.subtype != "AddConstraint" || !cmd.constraint) return;
    if (cmd.constraint->kind != sql::Constraint::Kind::kCheck || cmd.constraint->not_valid) return;
    c.Report(cmd.location,
             fmt::format("CHECK constraint on {} scans the whole table under ACCESS EXCLUSIVE",
                         at.table.Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleCheckMissingNotValid{
    .id = "check-missing-not-valid",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD CONSTRAINT ... CHECK without NOT VALID on an existing table",
    .help =
        "add the CHECK with NOT VALID, then VALIDATE CONSTRAINT in a later transaction (it takes "
        "only SHARE UPDATE EXCLUSIVE)",
    .why =
        "Adding a CHECK constraint validates every row while holding ACCESS EXCLUSIVE: nothing can "
        "read or write the table during the scan.",
    .bad = "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0);",
    .good =
        "ALTER TABLE orders ADD CONSTRAINT orders_total_positive CHECK (total >= 0) NOT VALID;\n-- "
        "next migration:\nALTER TABLE orders VALIDATE CONSTRAINT orders_total_positive;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

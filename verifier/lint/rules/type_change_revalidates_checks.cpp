// type-change-revalidates-checks: Type change on a column that has CHECK constraints.
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
    if (cmd.subtype != "AlterColumnType") return;
    const TableInfo* t = c.Table(at.table);
    if (t == nullptr || !t->HasCheckOn(cmd.name)) return;
    c.Report(cmd.location,
             fmt::format("CHECK constraints on {}.{} are re-validated against every row",
                         at.table.Display(), cmd.name),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleTypeChangeRevalidatesChecks{
    .id = "type-change-revalidates-checks",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Type change on a column that has CHECK constraints",
    .help =
        "drop the CHECK constraints, change the type, then re-add them NOT VALID and VALIDATE in a "
        "later transaction",
    .why =
        "After a type change every CHECK constraint that mentions the column is re-checked against "
        "every row while ACCESS EXCLUSIVE is held.",
    .bad =
        "ALTER TABLE orders ALTER COLUMN total TYPE numeric(14,2);  -- total has CHECK (total >= "
        "0)",
    .good =
        "ALTER TABLE orders DROP CONSTRAINT orders_total_check;\nALTER TABLE orders ALTER COLUMN "
        "total TYPE numeric(14,2);\nALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK "
        "(total >= 0) NOT VALID;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

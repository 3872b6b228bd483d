// change-column-type: ALTER COLUMN ... TYPE that is not provably binary-coercible.
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
    if (cmd.subtype != "AlterColumnType" || !cmd.column) return;
    const TableInfo* t = c.Table(at.table);
    const ColumnInfo* col = t != nullptr ? t->Column(cmd.name) : nullptr;
    if (col != nullptr && !cmd.has_using && SafeTypeChange(col->type, cmd.column->type)) return;
    const std::string from = col != nullptr ? " from " + col->type.Display() : "";
    c.Report(cmd.location,
             fmt::format(
                 "changing {}.{}{} to {} rewrites the table and its indexes under ACCESS EXCLUSIVE",
                 at.table.Display(), cmd.name, from, cmd.column->type.Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleChangeColumnType{
    .id = "change-column-type",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ALTER COLUMN ... TYPE that is not provably binary-coercible",
    .help =
        "expand/contract: add a new column, write both, backfill in batches, switch readers, drop "
        "the old column",
    .why =
        "Changing a column's type rewrites the table and rebuilds its indexes under ACCESS "
        "EXCLUSIVE unless the change is binary-coercible: varchar(n) to varchar(m >= n) or text, "
        "text to varchar without a limit, numeric precision increase at the same scale, cidr to "
        "inet.",
    .bad = "ALTER TABLE users ALTER COLUMN age TYPE bigint;",
    .good =
        "ALTER TABLE users ADD COLUMN age_new bigint;\n-- dual-write, backfill in batches, switch "
        "readers, then:\nALTER TABLE users DROP COLUMN age;",
    .versions =
        "all (timestamp/timestamptz is coercible from 12+ only when the session time zone is UTC; "
        "flagged)",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

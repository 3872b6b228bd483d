// drop-column: DROP COLUMN on an existing table.
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
    if (cmd.subtype != "DropColumn") return;
    // A column the same revision added (the down undoing its up) holds nothing yet.
    const TableInfo* t = c.Table(at.table);
    const ColumnInfo* col = t != nullptr ? t->Column(cmd.name) : nullptr;
    if (col != nullptr && col->created_unit == c.section().unit) return;
    c.Report(cmd.location,
             fmt::format("dropping {}.{} loses its data and breaks clients that still use it",
                         at.table.Display(), cmd.name),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleDropColumn{
    .id = "drop-column",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "DROP COLUMN on an existing table",
    .help = "first deploy code that ignores the column (e.g. ORM ignored_columns), then drop it",
    .why =
        "The data is gone, and application versions or ORMs that cached the column list fail until "
        "they restart.",
    .bad = "ALTER TABLE users DROP COLUMN legacy_flag;",
    .good =
        "-- deploy 1: stop reading/writing legacy_flag; deploy 2:\nALTER TABLE users DROP COLUMN "
        "legacy_flag;  -- stairway:ignore drop-column unused since v42",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

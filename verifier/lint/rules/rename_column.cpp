// rename-column: RENAME COLUMN on an existing table.
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
  const auto* r = c.stmt().As<sql::Rename>();
  if (r == nullptr || r->object_type != "COLUMN" || c.IsNewTable(r->relation)) return;
  c.Report(fmt::format("renaming {}.{} breaks application versions that still use the old name",
                       r->relation.Display(), r->old_name),
           {}, "ACCESS EXCLUSIVE");
}
}  // namespace

extern const Rule kRuleRenameColumn{
    .id = "rename-column",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "RENAME COLUMN on an existing table",
    .help =
        "expand/contract: add the new column, write both, backfill, move readers, then drop the "
        "old one",
    .why =
        "Application versions that are running during the deploy still use the old name and fail.",
    .bad = "ALTER TABLE users RENAME COLUMN name TO full_name;",
    .good =
        "ALTER TABLE users ADD COLUMN full_name text;\n-- dual-write, backfill, deploy readers, "
        "then drop name",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

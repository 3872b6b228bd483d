// add-exclusion-constraint: EXCLUDE constraint on an existing table.
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
    if (!cmd.constraint || cmd.constraint->kind != sql::Constraint::Kind::kExclusion) return;
    c.Report(cmd.location,
             fmt::format("EXCLUDE constraint builds an index and scans {} under ACCESS EXCLUSIVE",
                         at.table.Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleAddExclusionConstraint{
    .id = "add-exclusion-constraint",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "EXCLUDE constraint on an existing table",
    .help = "there is no online way: add it when creating the table, or in a maintenance window",
    .why =
        "An exclusion constraint builds its index and checks every row under ACCESS EXCLUSIVE; it "
        "supports neither NOT VALID nor USING INDEX.",
    .bad =
        "ALTER TABLE bookings ADD CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, during "
        "WITH &&);",
    .good =
        "CREATE TABLE bookings (room int, during tstzrange, EXCLUDE USING gist (room WITH =, "
        "during WITH &&));",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

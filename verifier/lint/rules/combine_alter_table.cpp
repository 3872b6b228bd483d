// combine-alter-table: Several ALTER TABLE statements on the same table in one file that each
// rewrite or scan it.
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
  const auto* at = c.stmt().As<sql::AlterTable>();
  if (at == nullptr || at->object_type != "TABLE" || c.facts().locks.empty()) return;
  // One ALTER TABLE rewrites or scans once for all its subcommands; separate statements do it
  // each time. Catalog-only ALTERs cost nothing to keep apart.
  const std::string slow = SlowWork(c);
  if (slow.empty() || c.section().FirstTime(TableKey(at->table))) return;
  c.Report(
      fmt::format("another ALTER TABLE on {} that does {} in the same file: one statement "
                  "would do the work once",
                  at->table.Display(), slow));
}
}  // namespace

extern const Rule kRuleCombineAlterTable{
    .id = "combine-alter-table",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary =
        "Several ALTER TABLE statements on the same table in one file that each rewrite or scan it",
    .help = "combine them into one ALTER TABLE with comma-separated actions",
    .why =
        "PostgreSQL rewrites or scans a table once for all the subcommands of one ALTER TABLE; "
        "each separate statement that rewrites or validates (a type change, a volatile default, "
        "SET NOT NULL, a CHECK or foreign key without NOT VALID, a new key) reads the whole table "
        "again under its lock. The rule reports the second and later such ALTER TABLE on a table "
        "that existed before the revision; ALTERs that only change the catalog (ADD COLUMN "
        "without a volatile default, DROP COLUMN, SET DEFAULT, ...) are not reported.",
    .bad =
        "ALTER TABLE users ALTER COLUMN age TYPE bigint;\nALTER TABLE users ADD CONSTRAINT "
        "age_positive CHECK (age > 0);",
    .good =
        "ALTER TABLE users ALTER COLUMN age TYPE bigint,\n  ADD CONSTRAINT age_positive CHECK "
        "(age > 0);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

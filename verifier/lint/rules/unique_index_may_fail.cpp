// unique-index-may-fail: CREATE UNIQUE INDEX on existing data.
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
  const auto* ci = c.stmt().As<sql::CreateIndex>();
  if (ci == nullptr || !ci->unique || c.IsNewTable(ci->table)) return;
  if (IndexBuildsNothing(c, *ci)) return;  // checks no rows: the partitions' indexes did
  c.Report(fmt::format("unique index on existing table {} fails if duplicate rows exist",
                       ci->table.Display()));
}
}  // namespace

extern const Rule kRuleUniqueIndexMayFail{
    .id = "unique-index-may-fail",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "CREATE UNIQUE INDEX on existing data",
    .help =
        "check for duplicates first (SELECT cols, count(*) ... GROUP BY cols HAVING count(*) > 1); "
        "after a failed CONCURRENTLY build, drop the INVALID index",
    .why =
        "Building a unique index on existing rows fails if duplicates exist; a failed CREATE "
        "UNIQUE INDEX CONCURRENTLY leaves an INVALID index that still holds the name and slows "
        "writes.",
    .bad = "CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
    .good =
        "SELECT email, count(*) FROM users GROUP BY email HAVING count(*) > 1;  -- expect no "
        "rows\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// rename-table: ALTER TABLE ... RENAME TO.
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
  if (r == nullptr || r->object_type != "TABLE" || c.IsNewTable(r->relation)) return;
  c.Report(
      fmt::format("renaming {} breaks clients that still use the old name", r->relation.Display()),
      {}, "ACCESS EXCLUSIVE");
}
}  // namespace

extern const Rule kRuleRenameTable{
    .id = "rename-table",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "ALTER TABLE ... RENAME TO",
    .help =
        "rename, then create a view with the old name for the running application versions; drop "
        "it later",
    .why = "Application versions running during the deploy still query the old name and fail.",
    .bad = "ALTER TABLE messages RENAME TO chat_messages;",
    .good =
        "ALTER TABLE messages RENAME TO chat_messages;\nCREATE VIEW messages AS SELECT * FROM "
        "chat_messages;  -- until every reader moved",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

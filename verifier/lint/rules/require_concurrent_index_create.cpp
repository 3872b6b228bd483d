// require-concurrent-index-create: CREATE INDEX without CONCURRENTLY on an existing table.
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
  if (ci == nullptr || ci->concurrent || c.IsNewTable(ci->table)) return;
  const TableInfo* t = c.Table(ci->table);
  if (t != nullptr && t->partitioned) return;  // index-on-partitioned-table explains that case
  if (IndexBuildsNothing(c, *ci)) return;      // ON ONLY: no rows are read
  c.Report(fmt::format("CREATE INDEX on {} blocks writes to it (SHARE lock) for the whole build",
                       ci->table.Display()),
           {}, "SHARE");
}
}  // namespace

extern const Rule kRuleRequireConcurrentIndexCreate{
    .id = "require-concurrent-index-create",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "CREATE INDEX without CONCURRENTLY on an existing table",
    .help =
        "use CREATE INDEX CONCURRENTLY in a migration that runs without a transaction; if it "
        "fails, drop the INVALID index before retrying",
    .why =
        "A plain CREATE INDEX takes a SHARE lock on the table for the whole build: every INSERT, "
        "UPDATE and DELETE waits until the index is built, which on a large table is minutes. "
        "Tables created earlier in the same revision are exempt, and so is CREATE INDEX ON ONLY "
        "a partitioned table (or one stairway has not seen created), which builds nothing.",
    .bad = "CREATE INDEX messages_thread_idx ON messages (thread_id);",
    .good =
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS "
        "messages_thread_idx ON messages (thread_id);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

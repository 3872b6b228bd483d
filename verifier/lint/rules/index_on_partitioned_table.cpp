// index-on-partitioned-table: CREATE INDEX on a partitioned table's parent.
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
  if (ci == nullptr || ci->only || c.IsNewTable(ci->table)) return;
  const TableInfo* t = c.Table(ci->table);
  if (t == nullptr || !t->partitioned || IndexBuildsNothing(c, *ci)) return;
  c.Report(
      fmt::format("index on partitioned table {} locks every partition and cannot be concurrent",
                  ci->table.Display()),
      {}, "SHARE");
}
}  // namespace

extern const Rule kRuleIndexOnPartitionedTable{
    .id = "index-on-partitioned-table",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "CREATE INDEX on a partitioned table's parent",
    .help =
        "CREATE INDEX ON ONLY the parent, CREATE INDEX CONCURRENTLY on each partition, then ALTER "
        "INDEX ... ATTACH PARTITION",
    .why =
        "An index on a partitioned parent cannot be built concurrently and takes a SHARE lock on "
        "every partition at once. When every partition stairway knows of already has a matching "
        "index (built CONCURRENTLY earlier), PostgreSQL attaches those instead of building, and "
        "the rule is silent.",
    .bad = "CREATE INDEX events_ts_idx ON events (ts);",
    .good =
        "CREATE INDEX events_ts_idx ON ONLY events (ts);\nCREATE INDEX CONCURRENTLY "
        "events_2024_ts_idx ON events_2024 (ts);\nALTER INDEX events_ts_idx ATTACH PARTITION "
        "events_2024_ts_idx;",
    .versions = "11+",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

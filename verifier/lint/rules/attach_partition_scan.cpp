// attach-partition-scan: ATTACH PARTITION without a pre-validated CHECK matching the bound.
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
    // ALTER INDEX ... ATTACH PARTITION links an index that exists already: nothing to scan.
    if (at.object_type != "TABLE" || cmd.subtype != "AttachPartition" || !cmd.partition) return;
    if (c.IsNewTable(*cmd.partition) && !cmd.partition_default) return;
    const TableInfo* p = c.Table(*cmd.partition);
    if (p != nullptr && !cmd.partition_default) {
      for (const ConstraintInfo& k : p->constraints) {
        if (k.kind == sql::Constraint::Kind::kCheck && !k.not_valid) return;
      }
    }
    c.Report(cmd.location,
             fmt::format("attaching {} scans it under ACCESS EXCLUSIVE to check the bound",
                         cmd.partition->Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleAttachPartitionScan{
    .id = "attach-partition-scan",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "ATTACH PARTITION without a pre-validated CHECK matching the bound",
    .help =
        "before attaching, ADD a CHECK constraint matching the partition bound NOT VALID, VALIDATE "
        "it, attach, then drop the CHECK",
    .why =
        "ATTACH PARTITION scans the partition (and any DEFAULT partition) under ACCESS EXCLUSIVE "
        "to prove the rows fit the bound, unless a valid CHECK constraint already proves it.",
    .bad =
        "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO "
        "('2026-01-01');",
    .good =
        "ALTER TABLE events_2025 ADD CONSTRAINT bound CHECK (ts >= '2025-01-01' AND ts < "
        "'2026-01-01') NOT VALID;\nALTER TABLE events_2025 VALIDATE CONSTRAINT bound;\nALTER TABLE "
        "events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO "
        "('2026-01-01');\nALTER TABLE events_2025 DROP CONSTRAINT bound;",
    .versions = "10+",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// replica-identity-change: REPLICA IDENTITY FULL or NOTHING.
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
    if (cmd.subtype != "ReplicaIdentity" ||
        (cmd.replica_identity != 'f' && cmd.replica_identity != 'n'))
      return;
    c.Report(fmt::format("REPLICA IDENTITY {} on {} changes logical replication",
                         cmd.replica_identity == 'f' ? "FULL" : "NOTHING", at.table.Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleReplicaIdentityChange{
    .id = "replica-identity-change",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "REPLICA IDENTITY FULL or NOTHING",
    .help =
        "review the logical replication setup first (FULL logs whole rows, NOTHING breaks "
        "UPDATE/DELETE replication)",
    .why =
        "FULL makes every UPDATE/DELETE write the whole old row to WAL; NOTHING makes published "
        "UPDATEs and DELETEs fail.",
    .bad = "ALTER TABLE users REPLICA IDENTITY FULL;",
    .good = "ALTER TABLE users REPLICA IDENTITY USING INDEX users_pkey;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// trigger-on-existing-table: CREATE TRIGGER or ENABLE/DISABLE TRIGGER on an existing table.
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
  // The lock is brief; the harm is the queue behind it while it waits, which lock_timeout ends.
  if (c.facts().lock_timeout) return;
  if (const auto* t = c.stmt().As<sql::CreateTrigger>(); t != nullptr && !c.IsNewTable(t->table)) {
    c.Report(fmt::format("CREATE TRIGGER blocks writes to {} while it runs", t->table.Display()),
             {}, "SHARE ROW EXCLUSIVE");
  }
  ForEachExistingAlter(c, [&](const sql::AlterTable& at, const sql::AlterTableCmd& cmd) {
    if (cmd.subtype.find("Trig") == std::string::npos) return;
    c.Report(fmt::format("enabling or disabling triggers blocks writes to {}", at.table.Display()),
             {}, "SHARE ROW EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleTriggerOnExistingTable{
    .id = "trigger-on-existing-table",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "CREATE TRIGGER or ENABLE/DISABLE TRIGGER on an existing table",
    .help = "set a lock_timeout; the lock is brief but queues writers behind it",
    .why =
        "Creating, enabling or disabling a trigger takes SHARE ROW EXCLUSIVE, which blocks writes "
        "while it waits and runs. The lock is brief; the harm is the queue of writers behind it "
        "while it waits, so the rule is silent when a lock_timeout is in effect and for tables "
        "created earlier in the same revision.",
    .bad = "CREATE TRIGGER audit AFTER UPDATE ON users FOR EACH ROW EXECUTE FUNCTION audit();",
    .good =
        "SET lock_timeout = '2s';\nCREATE TRIGGER audit AFTER UPDATE ON users FOR EACH ROW EXECUTE "
        "FUNCTION audit();",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// require-lock-timeout: Locking statement with no lock_timeout in effect.
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
  // Once per section: on the first statement that needs it.
  if (c.index() != c.section().first_unprotected_lock) return;
  for (const LockTaken& l : c.facts().locks) {
    if (!BlocksDml(l.mode)) continue;
    c.Report(fmt::format("{} lock on {} is requested with no lock_timeout set", LockName(l.mode),
                         l.table.Display()),
             {}, std::string(LockName(l.mode)));
    return;
  }
}
}  // namespace

extern const Rule kRuleRequireLockTimeout{
    .id = "require-lock-timeout",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Locking statement with no lock_timeout in effect",
    .help =
        "SET lock_timeout = '2s' (SET LOCAL inside a transaction) before the statement and retry "
        "on timeout; disable this rule if your runner sets it",
    .why =
        "A DDL statement waiting for its lock sits at the head of the lock queue: every later "
        "query on the table, even a plain SELECT, queues behind it. A short lock_timeout turns an "
        "outage into a retry. SET, SET LOCAL (inside a transaction) and SELECT set_config("
        "'lock_timeout', ..., is_local) all set it.",
    .bad = "ALTER TABLE users ADD COLUMN plan text;",
    .good = "SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN plan text;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

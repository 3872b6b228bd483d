// statements-after-strong-lock: More statements in a transaction after one took a DML-blocking
// lock.
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
  if (!c.facts().first_after_lock) return;
  const HeldLock* held = c.FirstHeldLock();
  c.Report(fmt::format("{} on {} is still held while this statement runs", LockName(held->mode),
                       held->table.Display()),
           {}, std::string(LockName(held->mode)));
}
}  // namespace

extern const Rule kRuleStatementsAfterStrongLock{
    .id = "statements-after-strong-lock",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "More statements in a transaction after one took a DML-blocking lock",
    .help =
        "move the locking statement to the end of its transaction, or split the migration so each "
        "lock is held briefly",
    .why =
        "Locks are held until the transaction ends: in a wrapped migration every statement after a "
        "strong lock extends the time reads or writes are blocked.",
    .bad =
        "ALTER TABLE users ADD COLUMN plan text;  -- ACCESS EXCLUSIVE held from here\nUPDATE users "
        "SET plan = 'free';    -- ... until this finishes too",
    .good =
        "-- 0007: ALTER TABLE users ADD COLUMN plan text;\n-- 0008 (or a batched job): UPDATE "
        "users SET plan = 'free' WHERE ...;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// statements-after-strong-lock: A slow statement (rewrite, scan, index build, data change) in a
// transaction that already holds a DML-blocking lock on an existing table.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
// The first lock held from earlier in the transaction that this statement does not take as
// strongly itself: a slow statement that locks the same table at least as strongly would
// block it as long anyway (its own rule reports that).
const HeldLock* HeldThrough(const StatementContext& c) {
  const StatementFacts& f = c.facts();
  for (std::size_t k = f.held_begin; k < f.held_end; ++k) {
    const HeldLock& held = c.section().lock_log[k];
    const bool own = std::any_of(f.locks.begin(), f.locks.end(), [&](const LockTaken& l) {
      return l.table == held.table && l.mode >= held.mode;
    });
    if (!own) return &held;
  }
  return nullptr;
}

void Check(const StatementContext& c) {
  const StatementFacts& f = c.facts();
  if (!f.in_transaction || f.held_begin == f.held_end) return;
  const HeldLock* held = HeldThrough(c);
  if (held == nullptr) return;
  // Catalog-only statements finish at once: only work that grows with a table extends the lock.
  const std::string slow = SlowWork(c);
  if (slow.empty() || !c.section().FirstTime(std::to_string(f.transaction))) return;
  c.Report(fmt::format("{} on {} (taken on line {}) is held until COMMIT, through {} here",
                       LockName(held->mode), held->table.Display(),
                       LineAt(c.section(), held->offset), slow),
           {}, std::string(LockName(held->mode)));
}
}  // namespace

extern const Rule kRuleStatementsAfterStrongLock{
    .id = "statements-after-strong-lock",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Slow statement in a transaction that holds a DML-blocking lock",
    .help =
        "move the locking statement to the end of its transaction, or split the migration so each "
        "lock is held briefly",
    .why =
        "Locks are held until the transaction ends. A statement whose work grows with a table (a "
        "rewrite, a full scan or validation, an index build, an UPDATE or DELETE, INSERT ... "
        "SELECT) keeps an earlier DML-blocking lock on an existing table held for all that time. "
        "The rule stays silent for catalog-only statements (ADD COLUMN without a volatile "
        "default, DROP COLUMN, DROP CONSTRAINT, renames, CREATE TABLE, ...), for locks on tables "
        "created earlier in the same revision, and when the slow statement itself locks the same "
        "table at least as strongly (its own rule reports it). It reports the first such "
        "statement of each transaction.",
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

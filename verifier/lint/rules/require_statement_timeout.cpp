// require-statement-timeout: A slow statement under a DML-blocking lock with no
// statement_timeout.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
// The DML-blocking lock on an existing table a slow statement takes or runs under, or null.
const LockTaken* BlockingLock(const StatementContext& c, LockTaken& from_log) {
  for (const LockTaken& l : c.facts().locks) {
    if (BlocksDml(l.mode)) return &l;
  }
  if (const HeldLock* held = c.FirstHeldLock()) {
    from_log = {held->table, held->mode};
    return &from_log;
  }
  return nullptr;
}

void Check(const StatementContext& c) {
  if (c.facts().statement_timeout) return;
  LockTaken from_log;
  const LockTaken* lock = BlockingLock(c, from_log);
  if (lock == nullptr) return;
  // Catalog-only statements finish at once; only work that grows with a table can run away.
  const std::string slow = SlowWork(c);
  if (slow.empty() || !c.section().FirstTime()) return;
  c.Report(fmt::format("no statement_timeout is set, and {} runs here while {} on {} blocks "
                       "writes",
                       slow, LockName(lock->mode), lock->table.Display()),
           {}, std::string(LockName(lock->mode)));
}
}  // namespace

extern const Rule kRuleRequireStatementTimeout{
    .id = "require-statement-timeout",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "Slow statement under a DML-blocking lock with no statement_timeout",
    .help =
        "SET statement_timeout = '5min' (or what fits) at the start; disable this rule if your "
        "runner sets it",
    .why =
        "A runaway statement (a rewrite, scan, index build or data change that takes far longer "
        "than expected) keeps its locks until it finishes; statement_timeout bounds the damage. "
        "The rule reports the first statement of a section that does such work on a table that "
        "existed before the revision while it takes, or its transaction holds, a lock that "
        "blocks writes (SHARE or stronger) with no statement_timeout in effect. Catalog-only "
        "statements (CREATE TABLE, ADD COLUMN without a volatile default, DROP ...) and "
        "CONCURRENTLY builds, which block no writes, are not reported. SET, SET LOCAL (inside a "
        "transaction) and SELECT set_config('statement_timeout', ..., is_local) all set it.",
    .bad = "CREATE INDEX orders_created_at_idx ON orders (created_at);",
    .good =
        "SET statement_timeout = '30min';\nCREATE INDEX orders_created_at_idx ON orders "
        "(created_at);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

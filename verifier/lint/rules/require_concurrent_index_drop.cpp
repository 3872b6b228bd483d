// require-concurrent-index-drop: DROP INDEX without CONCURRENTLY.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
bool IsPlainDropIndex(const sql::Statement& s) {
  const auto* d = s.As<sql::Drop>();
  return d != nullptr && d->object_type == "INDEX" && !d->concurrent;
}

// The transaction locks `table` as strongly anyway: an earlier statement that has no concurrent
// form (an ALTER TABLE, not another DROP INDEX, which is reported itself) took ACCESS EXCLUSIVE
// on it, so this DROP INDEX waits for nothing and blocks nothing more; or a later DROP TABLE
// takes it. CONCURRENTLY could not run in that transaction either.
bool TableLockedAnyway(const StatementContext& c, const sql::QualifiedName& table) {
  const SectionContext& s = c.section();
  const StatementFacts& f = c.facts();
  if (!f.in_transaction) return false;
  for (std::size_t i = f.held_begin; i < f.held_end; ++i) {
    const HeldLock& held = s.lock_log[i];
    if (held.mode != LockMode::kAccessExclusive || !(held.table == table)) continue;
    const auto by =
        std::find_if(s.statements.begin(), s.statements.end(),
                     [&](const sql::Statement& st) { return st.offset == held.offset; });
    if (by != s.statements.end() && !IsPlainDropIndex(*by)) return true;
  }
  return AnyLaterInTransaction(c, [&](const sql::Statement& st) {
    const auto* d = st.As<sql::Drop>();
    return d != nullptr && d->object_type == "TABLE" &&
           std::find(d->objects.begin(), d->objects.end(), table) != d->objects.end();
  });
}

void Check(const StatementContext& c) {
  const auto* d = c.stmt().As<sql::Drop>();
  if (d == nullptr || d->object_type != "INDEX" || d->concurrent) return;
  // No lock on an existing table: every index named belongs to a table this revision created
  // (a down that drops its up's tables, then their indexes).
  if (c.facts().locks.empty()) return;
  for (const sql::QualifiedName& n : d->objects) {
    const TableInfo* t = c.schema().TableOfIndex(n);
    if (t != nullptr && c.IsNewTable(t->name)) continue;
    // An index of a partitioned table cannot be dropped CONCURRENTLY.
    if (t != nullptr && (t->partitioned || TableLockedAnyway(c, t->name))) continue;
    c.Report(n.location,
             fmt::format("DROP INDEX {} takes an ACCESS EXCLUSIVE lock on its table", n.Display()),
             {}, "ACCESS EXCLUSIVE");
  }
}
}  // namespace

extern const Rule kRuleRequireConcurrentIndexDrop{
    .id = "require-concurrent-index-drop",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "DROP INDEX without CONCURRENTLY",
    .help =
        "use DROP INDEX CONCURRENTLY (one index, no CASCADE) in a migration that runs without a "
        "transaction",
    .why =
        "DROP INDEX takes an ACCESS EXCLUSIVE lock on the index's table: reads and writes wait, "
        "and so does everything queued behind the DROP. Not reported for indexes of tables "
        "created in the same revision, of a table the same transaction already holds ACCESS "
        "EXCLUSIVE on (from an earlier ALTER TABLE, say) or drops afterwards, or of a "
        "partitioned table "
        "(DROP INDEX CONCURRENTLY cannot drop those).",
    .bad = "DROP INDEX messages_thread_idx;",
    .good =
        "-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS messages_thread_idx;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

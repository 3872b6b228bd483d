// backfill-in-ddl-migration: UPDATE or DELETE in a migration that also changes the schema.
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
  const auto* d = c.stmt().As<sql::Dml>();
  if (d == nullptr || (d->kind != sql::Dml::Kind::kUpdate && d->kind != sql::Dml::Kind::kDelete))
    return;
  if (!c.section().has_ddl || c.IsNewTable(d->table)) return;
  // A data change that runs while its transaction holds a DML-blocking lock on an existing
  // table keeps that lock for as long as it runs. Elsewhere (its own transaction, or before any
  // such lock) it delays no DDL, and only an unbounded one (no WHERE) is worth batching.
  const HeldLock* held = c.facts().in_transaction ? c.FirstHeldLock() : nullptr;
  if (held == nullptr && d->has_where) return;
  const std::string what = fmt::format("{} of {}{} in a schema migration",
                                       d->kind == sql::Dml::Kind::kUpdate ? "UPDATE" : "DELETE",
                                       d->table.Display(), d->has_where ? "" : " without WHERE");
  if (held == nullptr) {
    c.Report(what);
    return;
  }
  c.Report(fmt::format("{}, while {} on {} (line {}) is held", what, LockName(held->mode),
                       held->table.Display(), LineAt(c.section(), held->offset)));
}
}  // namespace

extern const Rule kRuleBackfillInDdlMigration{
    .id = "backfill-in-ddl-migration",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "UPDATE or DELETE in a migration that also changes the schema",
    .help =
        "run backfills as a separate, batched step outside the DDL transaction (e.g. WHERE id "
        "BETWEEN ... in a loop)",
    .why =
        "A data change in the DDL migration holds row locks on every row it touches and extends "
        "how long the DDL locks are held; unbounded UPDATEs on big tables take minutes. The rule "
        "reports an UPDATE or DELETE of a table that existed before the revision when it runs "
        "while its transaction holds a DML-blocking lock on an existing table (taken by earlier "
        "DDL), or when it has no WHERE. A bounded clean-up before any such lock, or in its own "
        "transaction, is not reported.",
    .bad = "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
    .good =
        "ALTER TABLE users ADD COLUMN plan text;\n-- separate job, in batches:\nUPDATE users SET "
        "plan = 'free' WHERE id >= $1 AND id < $1 + 10000 AND plan IS NULL;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

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
  c.Report(fmt::format("{} of {}{} in a schema migration",
                       d->kind == sql::Dml::Kind::kUpdate ? "UPDATE" : "DELETE", d->table.Display(),
                       d->has_where ? "" : " without WHERE"));
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
        "how long the DDL locks are held; unbounded UPDATEs on big tables take minutes.",
    .bad = "ALTER TABLE users ADD COLUMN plan text;\nUPDATE users SET plan = 'free';",
    .good =
        "ALTER TABLE users ADD COLUMN plan text;\n-- separate job, in batches:\nUPDATE users SET "
        "plan = 'free' WHERE id >= $1 AND id < $1 + 10000 AND plan IS NULL;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// add-unique-constraint: ADD UNIQUE constraint not USING INDEX on an existing table.
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
    if (!cmd.constraint || cmd.constraint->kind != sql::Constraint::Kind::kUnique) return;
    if (!cmd.constraint->using_index.empty()) return;
    c.Report(
        cmd.location,
        fmt::format("ADD UNIQUE builds an index on {} under ACCESS EXCLUSIVE", at.table.Display()),
        {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleAddUniqueConstraint{
    .id = "add-unique-constraint",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD UNIQUE constraint not USING INDEX on an existing table",
    .help =
        "CREATE UNIQUE INDEX CONCURRENTLY first, then ALTER TABLE ... ADD CONSTRAINT name UNIQUE "
        "USING INDEX index_name",
    .why =
        "ADD CONSTRAINT ... UNIQUE builds its index while holding ACCESS EXCLUSIVE: reads and "
        "writes wait for the whole build.",
    .bad = "ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);",
    .good =
        "-- migrate:up transaction:false\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON "
        "users (email);\n-- next migration:\nALTER TABLE users ADD CONSTRAINT users_email_key "
        "UNIQUE USING INDEX users_email_key;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

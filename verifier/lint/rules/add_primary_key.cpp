// add-primary-key: ADD PRIMARY KEY not USING INDEX on an existing table.
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
    if (!cmd.constraint || cmd.constraint->kind != sql::Constraint::Kind::kPrimaryKey) return;
    if (!cmd.constraint->using_index.empty()) return;
    c.Report(cmd.location,
             fmt::format("ADD PRIMARY KEY builds an index on {} under ACCESS EXCLUSIVE",
                         at.table.Display()),
             {}, "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleAddPrimaryKey{
    .id = "add-primary-key",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD PRIMARY KEY not USING INDEX on an existing table",
    .help =
        "CREATE UNIQUE INDEX CONCURRENTLY on NOT NULL columns, then ALTER TABLE ... ADD CONSTRAINT "
        "name PRIMARY KEY USING INDEX index_name",
    .why =
        "ADD PRIMARY KEY builds a unique index under ACCESS EXCLUSIVE (and sets the columns NOT "
        "NULL, scanning the table if they are nullable).",
    .bad = "ALTER TABLE events ADD PRIMARY KEY (id);",
    .good =
        "CREATE UNIQUE INDEX CONCURRENTLY events_pkey_idx ON events (id);\nALTER TABLE events ADD "
        "CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_pkey_idx;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

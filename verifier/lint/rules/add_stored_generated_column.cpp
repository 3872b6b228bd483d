// add-stored-generated-column: ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing
// table.
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
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (!u.added_to_existing || u.type_change) continue;
    if (u.column->Find(sql::Constraint::Kind::kGenerated) == nullptr) continue;
    c.Report(u.column->location,
             fmt::format("stored generated column {} rewrites {} under ACCESS EXCLUSIVE",
                         u.column->name, u.table.Display()),
             {}, "ACCESS EXCLUSIVE");
  }
}
}  // namespace

extern const Rule kRuleAddStoredGeneratedColumn{
    .id = "add-stored-generated-column",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD COLUMN ... GENERATED ALWAYS AS (...) STORED on an existing table",
    .help =
        "add a plain column, fill it with a trigger and a batched backfill (PostgreSQL 18 VIRTUAL "
        "columns need no rewrite)",
    .why =
        "A stored generated column is computed for every existing row: the table is rewritten "
        "under ACCESS EXCLUSIVE.",
    .bad =
        "ALTER TABLE users ADD COLUMN email_lower text GENERATED ALWAYS AS (lower(email)) STORED;",
    .good =
        "ALTER TABLE users ADD COLUMN email_lower text;\n-- trigger keeps it current; backfill in "
        "batches",
    .versions = "12+",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

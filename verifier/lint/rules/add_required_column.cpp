// add-required-column: ADD COLUMN ... NOT NULL without a DEFAULT.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
// TRUNCATE earlier in the same transaction: the table is empty and stays so until COMMIT (the
// ACCESS EXCLUSIVE lock of TRUNCATE keeps writers out).
bool TruncatedBefore(const StatementContext& c, const sql::QualifiedName& table) {
  return AnyEarlierInTransaction(c, [&](const sql::Statement& st) {
    const auto* tr = st.As<sql::Truncate>();
    return tr != nullptr &&
           std::find(tr->tables.begin(), tr->tables.end(), table) != tr->tables.end();
  });
}

void Check(const StatementContext& c) {
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (!u.added_to_existing || u.type_change || !u.column->NotNull()) continue;
    if (TruncatedBefore(c, u.table)) continue;
    if (u.column->Default() != nullptr || IsSerialType(u.column->type.name) ||
        u.column->Find(sql::Constraint::Kind::kIdentity) != nullptr ||
        u.column->Find(sql::Constraint::Kind::kGenerated) != nullptr) {
      continue;
    }
    c.Report(u.column->location,
             fmt::format("NOT NULL column {} without a default fails on a non-empty {}",
                         u.column->name, u.table.Display()));
  }
}
}  // namespace

extern const Rule kRuleAddRequiredColumn{
    .id = "add-required-column",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD COLUMN ... NOT NULL without a DEFAULT",
    .help =
        "add the column nullable (or with a non-volatile DEFAULT on PostgreSQL 11+), backfill, "
        "then make it NOT NULL",
    .why =
        "Adding a NOT NULL column without a default fails on any non-empty table, and INSERTs from "
        "the running application version, which do not know the column, start failing. Not "
        "reported for a table created in the same revision, or emptied by TRUNCATE earlier in "
        "the same transaction (its lock keeps the table empty until COMMIT).",
    .bad = "ALTER TABLE users ADD COLUMN plan text NOT NULL;",
    .good = "ALTER TABLE users ADD COLUMN plan text NOT NULL DEFAULT 'free';",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

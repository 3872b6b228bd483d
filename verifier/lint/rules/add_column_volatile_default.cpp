// add-column-volatile-default: ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL
// 11).
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
    const sql::Expr* def = u.column->Default();
    if (def == nullptr) continue;
    if (c.pg_version() < 11) {
      c.Report(def->location,
               fmt::format("before PostgreSQL 11 any DEFAULT on ADD COLUMN rewrites {}",
                           u.table.Display()),
               {}, "ACCESS EXCLUSIVE");
    } else if (ExprVolatility(*def) == Volatility::kVolatile) {
      c.Report(
          def->location,
          fmt::format("volatile DEFAULT rewrites {} under ACCESS EXCLUSIVE", u.table.Display()), {},
          "ACCESS EXCLUSIVE");
    }
  }
}
}  // namespace

extern const Rule kRuleAddColumnVolatileDefault{
    .id = "add-column-volatile-default",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD COLUMN with a volatile DEFAULT (any DEFAULT before PostgreSQL 11)",
    .help =
        "add the column without a default, SET DEFAULT for new rows, then backfill existing rows "
        "in batches",
    .why =
        "PostgreSQL 11+ stores a non-volatile default in the catalog (no rewrite), but a volatile "
        "default (random(), gen_random_uuid(), clock_timestamp(), nextval(), unknown functions) "
        "must be computed per row: the whole table is rewritten under ACCESS EXCLUSIVE. Before 11 "
        "every default rewrites. now() and CURRENT_TIMESTAMP are stable, not volatile: they are "
        "safe.",
    .bad = "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();",
    .good =
        "ALTER TABLE users ADD COLUMN token uuid;\nALTER TABLE users ALTER COLUMN token SET "
        "DEFAULT gen_random_uuid();\n-- backfill in batches outside the DDL transaction:\nUPDATE "
        "users SET token = gen_random_uuid() WHERE id BETWEEN 1 AND 10000 AND token IS NULL;",
    .versions = "all (PostgreSQL 11+ only flags volatile defaults)",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

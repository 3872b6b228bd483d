// fk-set-null-on-not-null: ON DELETE/UPDATE SET NULL on a NOT NULL column.
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
  for (const ForeignKeyUse& u : ForeignKeysOf(c)) {
    const bool del = u.fk->on_delete == 'n', upd = u.fk->on_update == 'n';
    if (!del && !upd) continue;
    for (const std::string& col : u.columns) {
      if (!ColumnNotNull(c, u.table, col)) continue;
      c.Report(u.fk->location,
               fmt::format("ON {} SET NULL on NOT NULL column {}.{}: deleting the parent fails",
                           del ? "DELETE" : "UPDATE", u.table.Display(), col));
      break;
    }
  }
}
}  // namespace

extern const Rule kRuleFkSetNullOnNotNull{
    .id = "fk-set-null-on-not-null",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ON DELETE/UPDATE SET NULL on a NOT NULL column",
    .help = "use ON DELETE CASCADE or RESTRICT, or make the column nullable",
    .why =
        "When the parent row is deleted (or its key updated) PostgreSQL tries to set the "
        "referencing column to NULL; on a NOT NULL column that fails with 23502 at run time, so "
        "the parent can never be deleted.",
    .bad =
        "CREATE TABLE messages (id bigint PRIMARY KEY, thread_id bigint NOT NULL REFERENCES "
        "chat_threads ON DELETE SET NULL);",
    .good =
        "CREATE TABLE messages (id bigint PRIMARY KEY, thread_id bigint NOT NULL REFERENCES "
        "chat_threads ON DELETE CASCADE);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// drop-table: DROP TABLE of an existing table.
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
  const auto* d = c.stmt().As<sql::Drop>();
  if (d == nullptr || d->object_type != "TABLE") return;
  for (const sql::QualifiedName& n : d->objects) {
    if (c.IsNewTable(n)) continue;
    c.Report(n.location, fmt::format("dropping {} loses its data", n.Display()), {},
             "ACCESS EXCLUSIVE");
  }
}
}  // namespace

extern const Rule kRuleDropTable{
    .id = "drop-table",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "DROP TABLE of an existing table",
    .help = "stop using the table, back it up, and check it is empty or unused before dropping",
    .why =
        "Dropping a table loses its data, breaks clients that still use it, and takes ACCESS "
        "EXCLUSIVE on it and on tables linked to it by foreign keys. Tables created in the same "
        "revision (for instance in its down section) are exempt.",
    .bad = "DROP TABLE sessions;",
    .good =
        "-- after the application stopped using it and a backup exists:\nDROP TABLE IF EXISTS "
        "sessions;  -- stairway:ignore drop-table retired in #123",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

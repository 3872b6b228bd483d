// drop-schema-or-database: DROP SCHEMA or DROP DATABASE.
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
  if (const auto* d = c.stmt().As<sql::Drop>(); d != nullptr && d->object_type == "SCHEMA") {
    for (const sql::QualifiedName& n : d->objects)
      c.Report(n.location, fmt::format("dropping schema {} loses everything in it", n.Display()));
  }
  if (const auto* d = c.stmt().As<sql::DropDatabase>()) {
    c.Report(d->location, fmt::format("dropping database {} loses everything in it", d->name));
  }
}
}  // namespace

extern const Rule kRuleDropSchemaOrDatabase{
    .id = "drop-schema-or-database",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "DROP SCHEMA or DROP DATABASE",
    .help = "do not drop schemas or databases from a migration; do it by hand after a backup",
    .why = "Everything in the schema or database is lost at once.",
    .bad = "DROP SCHEMA reporting CASCADE;",
    .good = "-- by hand, after pg_dump -n reporting",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

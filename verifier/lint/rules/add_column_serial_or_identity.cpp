// add-column-serial-or-identity: ADD COLUMN of a serial type or GENERATED AS IDENTITY on an
// existing table.
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
    const bool serial = IsSerialType(u.column->type.name);
    if (!serial && u.column->Find(sql::Constraint::Kind::kIdentity) == nullptr) continue;
    c.Report(
        u.column->location,
        fmt::format("{} column {} rewrites {} under ACCESS EXCLUSIVE",
                    serial ? u.column->type.name : "identity", u.column->name, u.table.Display()),
        {}, "ACCESS EXCLUSIVE");
  }
}
}  // namespace

extern const Rule kRuleAddColumnSerialOrIdentity{
    .id = "add-column-serial-or-identity",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ADD COLUMN of a serial type or GENERATED AS IDENTITY on an existing table",
    .help =
        "create a new table and copy, or add a nullable column, attach a sequence default, and "
        "backfill in batches",
    .why =
        "A serial or identity column needs a fresh sequence value for every existing row: the "
        "table is rewritten under ACCESS EXCLUSIVE.",
    .bad = "ALTER TABLE events ADD COLUMN seq bigserial;",
    .good =
        "ALTER TABLE events ADD COLUMN seq bigint;\nCREATE SEQUENCE events_seq_seq OWNED BY "
        "events.seq;\nALTER TABLE events ALTER COLUMN seq SET DEFAULT "
        "nextval('events_seq_seq');\n-- backfill in batches",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

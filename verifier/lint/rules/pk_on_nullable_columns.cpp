// pk-on-nullable-columns: Primary key over columns that may be NULL.
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
    const TableInfo* t = c.Table(at.table);
    if (t == nullptr) return;  // unknown table: columns unknown
    std::vector<std::string> cols = cmd.constraint->columns;
    for (const IndexInfo& i : t->indexes) {
      if (cols.empty() && i.name == cmd.constraint->using_index) cols = i.columns;
    }
    for (const std::string& col : cols) {
      const ColumnInfo* ci = t->Column(col);
      if (ci != nullptr && !ci->not_null) {
        c.Report(cmd.location,
                 fmt::format("primary key column {}.{} is nullable: SET NOT NULL scans the table "
                             "under ACCESS EXCLUSIVE",
                             at.table.Display(), col),
                 {}, "ACCESS EXCLUSIVE");
      }
    }
  });
}
}  // namespace

extern const Rule kRulePkOnNullableColumns{
    .id = "pk-on-nullable-columns",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Primary key over columns that may be NULL",
    .help =
        "make the columns NOT NULL first without a scan (CHECK (col IS NOT NULL) NOT VALID, "
        "VALIDATE, SET NOT NULL), then add the primary key",
    .why =
        "A primary key implies NOT NULL; on nullable columns PostgreSQL scans the whole table "
        "under ACCESS EXCLUSIVE to prove it, even with USING INDEX.",
    .bad =
        "ALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX events_id_idx;  -- "
        "id is nullable",
    .good =
        "ALTER TABLE events ADD CONSTRAINT events_id_nn CHECK (id IS NOT NULL) NOT VALID;\nALTER "
        "TABLE events VALIDATE CONSTRAINT events_id_nn;\nALTER TABLE events ALTER COLUMN id SET "
        "NOT NULL;\nALTER TABLE events ADD CONSTRAINT events_pkey PRIMARY KEY USING INDEX "
        "events_id_idx;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

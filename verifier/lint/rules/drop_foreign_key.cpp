// drop-foreign-key: DROP CONSTRAINT of a foreign key.
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
    if (cmd.subtype != "DropConstraint") return;
    const TableInfo* t = c.Table(at.table);
    if (t == nullptr) return;
    for (const ConstraintInfo& k : t->constraints) {
      if (k.name == cmd.name && k.kind == sql::Constraint::Kind::kForeignKey) {
        c.Report(cmd.location,
                 fmt::format("dropping foreign key {} on {} removes referential integrity",
                             cmd.name, at.table.Display()),
                 {}, "ACCESS EXCLUSIVE");
      }
    }
  });
}
}  // namespace

extern const Rule kRuleDropForeignKey{
    .id = "drop-foreign-key",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "DROP CONSTRAINT of a foreign key",
    .help =
        "confirm the integrity loss is intended; set a lock_timeout, since both tables are locked",
    .why =
        "Dropping a foreign key gives up referential integrity and takes ACCESS EXCLUSIVE on the "
        "table and on the referenced table (its RI triggers are dropped).",
    .bad = "ALTER TABLE messages DROP CONSTRAINT messages_user_fk;",
    .good =
        "SET lock_timeout = '2s';\nALTER TABLE messages DROP CONSTRAINT messages_user_fk;  -- "
        "stairway:ignore drop-foreign-key replaced by ...",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

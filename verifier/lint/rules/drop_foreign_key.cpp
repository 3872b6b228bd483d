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
// The ALTER drops one of the key's columns: the column drop is the change (drop-column reports
// it), and its foreign key goes with it.
bool DropsKeyColumn(const sql::AlterTable& at, const ConstraintInfo& k) {
  return std::any_of(at.cmds.begin(), at.cmds.end(), [&](const sql::AlterTableCmd& cmd) {
    return cmd.subtype == "DropColumn" &&
           std::find(k.columns.begin(), k.columns.end(), cmd.name) != k.columns.end();
  });
}

bool AddsForeignKeyOn(const sql::AlterTable& at, const sql::QualifiedName& table,
                      const std::vector<std::string>& columns) {
  if (!(at.table == table)) return false;
  return std::any_of(at.cmds.begin(), at.cmds.end(), [&](const sql::AlterTableCmd& cmd) {
    return cmd.constraint && cmd.constraint->kind == sql::Constraint::Kind::kForeignKey &&
           cmd.constraint->columns == columns;
  });
}

// A foreign key on the same columns is added again by this statement or later in the same
// transaction (to change ON DELETE, or its target): referential integrity is never given up.
bool ReplacedInTransaction(const StatementContext& c, const sql::AlterTable& at,
                           const ConstraintInfo& k) {
  if (k.columns.empty()) return false;
  if (AddsForeignKeyOn(at, at.table, k.columns)) return true;
  return AnyLaterInTransaction(c, [&](const sql::Statement& st) {
    const auto* later = st.As<sql::AlterTable>();
    return later != nullptr && AddsForeignKeyOn(*later, at.table, k.columns);
  });
}

void Check(const StatementContext& c) {
  ForEachExistingAlter(c, [&](const sql::AlterTable& at, const sql::AlterTableCmd& cmd) {
    if (cmd.subtype != "DropConstraint") return;
    const TableInfo* t = c.Table(at.table);
    if (t == nullptr) return;
    for (const ConstraintInfo& k : t->constraints) {
      if (k.name == cmd.name && k.kind == sql::Constraint::Kind::kForeignKey &&
          !DropsKeyColumn(at, k) && !ReplacedInTransaction(c, at, k)) {
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
        "table and on the referenced table (its RI triggers are dropped). Not reported when the "
        "same ALTER drops one of the key's columns (drop-column reports that), or when a foreign "
        "key on the same columns is added again in the same transaction.",
    .bad = "ALTER TABLE messages DROP CONSTRAINT messages_user_fk;",
    .good =
        "SET lock_timeout = '2s';\nALTER TABLE messages DROP CONSTRAINT messages_user_fk;  -- "
        "stairway:ignore drop-foreign-key replaced by ...",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// fk-missing-not-valid: Foreign key added to an existing table without NOT VALID.
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
    if (!u.added_to_existing || u.fk->not_valid) continue;
    if (u.via_add_column) {
      c.Report(
          u.fk->location,
          fmt::format(
              "ADD COLUMN ... REFERENCES on {} validates under SHARE ROW EXCLUSIVE on both tables",
              u.table.Display()),
          "add the column without REFERENCES, then ADD CONSTRAINT ... FOREIGN KEY ... NOT VALID "
          "and VALIDATE it later",
          "SHARE ROW EXCLUSIVE");
    } else {
      c.Report(
          u.fk->location,
          fmt::format("foreign key on {} validates every row while blocking writes to {} and {}",
                      u.table.Display(), u.table.Display(), u.fk->ref_table.Display()),
          {}, "SHARE ROW EXCLUSIVE");
    }
  }
}
}  // namespace

extern const Rule kRuleFkMissingNotValid{
    .id = "fk-missing-not-valid",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "Foreign key added to an existing table without NOT VALID",
    .help = "add the foreign key with NOT VALID, then VALIDATE CONSTRAINT in a later transaction",
    .why =
        "Adding a foreign key validates every row while holding SHARE ROW EXCLUSIVE on both "
        "tables: writes to the table and to the referenced table wait for the scan.",
    .bad =
        "ALTER TABLE messages ADD CONSTRAINT messages_user_fk FOREIGN KEY (user_id) REFERENCES "
        "users (id) ON DELETE CASCADE;",
    .good =
        "ALTER TABLE messages ADD CONSTRAINT messages_user_fk FOREIGN KEY (user_id) REFERENCES "
        "users (id) ON DELETE CASCADE NOT VALID;\n-- next migration:\nALTER TABLE messages "
        "VALIDATE CONSTRAINT messages_user_fk;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// fk-missing-on-delete: Foreign key without an explicit ON DELETE.
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
    if (u.fk->on_delete_explicit) continue;
    c.Report(u.fk->location,
             fmt::format("foreign key from {} to {} does not say what happens on delete",
                         u.table.Display(), u.fk->ref_table.Display()));
  }
}
}  // namespace

extern const Rule kRuleFkMissingOnDelete{
    .id = "fk-missing-on-delete",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Foreign key without an explicit ON DELETE",
    .help = "state the policy: ON DELETE RESTRICT, CASCADE, SET NULL or NO ACTION",
    .why =
        "Without ON DELETE the policy silently defaults to NO ACTION: deleting a parent row fails "
        "while children exist. Reviewers cannot tell whether that, a cascade or orphan cleanup was "
        "intended.",
    .bad = "ALTER TABLE messages ADD FOREIGN KEY (thread_id) REFERENCES chat_threads (id);",
    .good =
        "ALTER TABLE messages ADD FOREIGN KEY (thread_id) REFERENCES chat_threads (id) ON DELETE "
        "CASCADE NOT VALID;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// validate-in-same-transaction: VALIDATE CONSTRAINT in the transaction that added it NOT VALID, or
// after a strong lock.
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
  const auto* at = c.stmt().As<sql::AlterTable>();
  if (at == nullptr || c.IsNewTable(at->table)) return;
  for (const sql::AlterTableCmd& cmd : at->cmds) {
    if (cmd.subtype != "ValidateConstraint") continue;
    const std::string key = (at->table.schema.empty() ? "public" : at->table.schema) + "." +
                            at->table.name + "." + cmd.name;
    if (c.facts().not_valid_in_transaction.count(key) > 0) {
      c.Report(fmt::format(
          "constraint {} is validated in the same transaction that added it NOT VALID", cmd.name));
    } else if (const HeldLock* held = c.FirstHeldLock()) {
      c.Report(fmt::format("VALIDATE runs while this transaction still holds {} on {}",
                           LockName(held->mode), held->table.Display()));
    }
  }
}
}  // namespace

extern const Rule kRuleValidateInSameTransaction{
    .id = "validate-in-same-transaction",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary =
        "VALIDATE CONSTRAINT in the transaction that added it NOT VALID, or after a strong lock",
    .help =
        "commit between ADD ... NOT VALID and VALIDATE CONSTRAINT: put VALIDATE in a later "
        "migration",
    .why =
        "VALIDATE CONSTRAINT itself only takes SHARE UPDATE EXCLUSIVE, but locks are held until "
        "the transaction ends: after the ADD (ACCESS EXCLUSIVE / SHARE ROW EXCLUSIVE) in the same "
        "transaction, the whole validation scan runs under the strong lock and NOT VALID gains "
        "nothing.",
    .bad =
        "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE t VALIDATE "
        "CONSTRAINT c;  -- same transaction",
    .good =
        "-- 0005_add_check.sql\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\n-- "
        "0006_validate_check.sql\nALTER TABLE t VALIDATE CONSTRAINT c;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

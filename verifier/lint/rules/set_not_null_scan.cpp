// set-not-null-scan: ALTER COLUMN ... SET NOT NULL on an existing table.
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
    if (cmd.subtype != "SetNotNull") return;
    if (c.pg_version() >= 12) {
      const TableInfo* t = c.Table(at.table);
      if (t != nullptr) {
        for (const ConstraintInfo& k : t->constraints) {
          if (k.is_not_null_check && k.check_column == cmd.name && !k.not_valid) return;
        }
      }
    }
    c.Report(fmt::format("SET NOT NULL on {}.{} scans the table under ACCESS EXCLUSIVE",
                         at.table.Display(), cmd.name),
             c.pg_version() >= 12 ? ""
                                  : "before PostgreSQL 12 there is no scan-free way: backfill, "
                                    "then SET NOT NULL in a quiet period",
             "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleSetNotNullScan{
    .id = "set-not-null-scan",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "ALTER COLUMN ... SET NOT NULL on an existing table",
    .help =
        "PostgreSQL 12+: ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; VALIDATE CONSTRAINT c "
        "(later transaction); SET NOT NULL (no scan); DROP CONSTRAINT c",
    .why =
        "SET NOT NULL scans the whole table under ACCESS EXCLUSIVE to prove there are no NULLs. "
        "From PostgreSQL 12 the scan is skipped when a valid CHECK (col IS NOT NULL) constraint "
        "already proves it.",
    .bad = "ALTER TABLE users ALTER COLUMN email SET NOT NULL;",
    .good =
        "ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;\n-- "
        "next migration:\nALTER TABLE users VALIDATE CONSTRAINT users_email_nn;\nALTER TABLE users "
        "ALTER COLUMN email SET NOT NULL;\nALTER TABLE users DROP CONSTRAINT users_email_nn;",
    .versions = "all (the scan-free pattern needs 12+)",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

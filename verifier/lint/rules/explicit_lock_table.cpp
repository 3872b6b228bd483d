// explicit-lock-table: LOCK TABLE.
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
  const auto* l = c.stmt().As<sql::LockTable>();
  if (l == nullptr) return;
  const LockMode m = static_cast<LockMode>(l->mode);
  c.Report(fmt::format("LOCK TABLE takes {} until the transaction ends", LockName(m)), {},
           std::string(LockName(m)));
}
}  // namespace

extern const Rule kRuleExplicitLockTable{
    .id = "explicit-lock-table",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "LOCK TABLE",
    .help = "remove the explicit lock, or take the weakest mode that works with a lock_timeout",
    .why =
        "LOCK TABLE without a mode takes ACCESS EXCLUSIVE and holds it until the transaction ends: "
        "everything on the table waits.",
    .bad = "LOCK TABLE users;",
    .good = "SET lock_timeout = '2s';\nLOCK TABLE users IN SHARE ROW EXCLUSIVE MODE;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

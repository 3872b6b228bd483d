// truncate-cascade: TRUNCATE ... CASCADE.
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
  const auto* t = c.stmt().As<sql::Truncate>();
  if (t == nullptr || !t->cascade) return;
  c.Report("TRUNCATE ... CASCADE also empties every table that references these", {},
           "ACCESS EXCLUSIVE");
}
}  // namespace

extern const Rule kRuleTruncateCascade{
    .id = "truncate-cascade",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "TRUNCATE ... CASCADE",
    .help = "list every table to truncate explicitly",
    .why =
        "CASCADE silently empties every table that references the truncated ones through foreign "
        "keys, and those that reference them in turn.",
    .bad = "TRUNCATE users CASCADE;",
    .good = "TRUNCATE sessions, users;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

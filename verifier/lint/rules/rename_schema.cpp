// rename-schema: ALTER SCHEMA ... RENAME.
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
  const auto* r = c.stmt().As<sql::Rename>();
  if (r == nullptr || r->object_type != "SCHEMA") return;
  c.Report(fmt::format("renaming schema {} breaks clients that use the old name", r->old_name));
}
}  // namespace

extern const Rule kRuleRenameSchema{
    .id = "rename-schema",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "ALTER SCHEMA ... RENAME",
    .help =
        "expand/contract: create the new schema, move objects, keep the old names reachable until "
        "clients moved",
    .why = "Every client, view and function that names the schema breaks.",
    .bad = "ALTER SCHEMA app RENAME TO core;",
    .good = "CREATE SCHEMA core;\n-- move objects and clients gradually",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// table-rewrite-misc: SET LOGGED/UNLOGGED, SET TABLESPACE or SET ACCESS METHOD on an existing
// table.
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
    const std::string& t = cmd.subtype;
    const char* what = t == "SetLogged"         ? "SET LOGGED"
                       : t == "SetUnLogged"     ? "SET UNLOGGED"
                       : t == "SetTableSpace"   ? "SET TABLESPACE"
                       : t == "SetAccessMethod" ? "SET ACCESS METHOD"
                                                : nullptr;
    if (what == nullptr) return;
    c.Report(fmt::format("{} rewrites {} under ACCESS EXCLUSIVE", what, at.table.Display()), {},
             "ACCESS EXCLUSIVE");
  });
}
}  // namespace

extern const Rule kRuleTableRewriteMisc{
    .id = "table-rewrite-misc",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "SET LOGGED/UNLOGGED, SET TABLESPACE or SET ACCESS METHOD on an existing table",
    .help = "avoid on large tables, or run in a maintenance window",
    .why = "These rewrite or copy the whole table under ACCESS EXCLUSIVE.",
    .bad = "ALTER TABLE events SET LOGGED;",
    .good = "-- maintenance window only",
    .versions = "all (SET ACCESS METHOD: 15+)",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

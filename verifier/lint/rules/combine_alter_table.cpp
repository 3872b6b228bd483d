// combine-alter-table: Several ALTER TABLE statements on the same table in one file.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
void Finish(const SectionContext& s) {
  std::set<std::string> seen;
  for (std::size_t i = 0; i < s.statements.size(); ++i) {
    const auto* at = s.statements[i].As<sql::AlterTable>();
    if (at == nullptr || at->object_type != "TABLE" || s.facts[i].locks.empty()) continue;
    const std::string key = at->table.Display();
    if (!seen.insert(key).second) {
      s.Report(s.statements[i].offset,
               fmt::format("another ALTER TABLE on {} in the same file", key));
    }
  }
}
}  // namespace

extern const Rule kRuleCombineAlterTable{
    .id = "combine-alter-table",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "Several ALTER TABLE statements on the same table in one file",
    .help = "combine them into one ALTER TABLE with comma-separated actions",
    .why =
        "Each ALTER TABLE queues for its own ACCESS EXCLUSIVE lock and may scan or rewrite the "
        "table again; one statement does the work once.",
    .bad = "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
    .good = "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;",
    .versions = "all",
    .check = nullptr,
    .finish = Finish,
};

}  // namespace stairway::lint

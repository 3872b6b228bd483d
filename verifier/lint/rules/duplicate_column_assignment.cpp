// duplicate-column-assignment: The same column twice in CREATE TABLE, a view, or UPDATE ... SET.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
void Dupes(const StatementContext& c, const std::vector<std::string>& names, const char* what) {
  std::set<std::string> seen;
  for (const std::string& n : names) {
    if (!n.empty() && !seen.insert(n).second)
      c.Report(fmt::format("column {} appears twice in {}", n, what));
  }
}

void Check(const StatementContext& c) {
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) {
    std::vector<std::string> names;
    for (const auto& col : ct->columns) names.push_back(col.name);
    Dupes(c, names, "CREATE TABLE");
  }
  if (const auto* v = c.stmt().As<sql::CreateView>()) Dupes(c, v->columns, "the view");
  if (const auto* d = c.stmt().As<sql::Dml>()) Dupes(c, d->set_columns, "UPDATE ... SET");
}
}  // namespace

extern const Rule kRuleDuplicateColumnAssignment{
    .id = "duplicate-column-assignment",
    .severity = Severity::kError,
    .profile = Profile::kStyle,
    .summary = "The same column twice in CREATE TABLE, a view, or UPDATE ... SET",
    .help = "remove the duplicate",
    .why =
        "PostgreSQL rejects the statement at run time (42701 / 42601), after earlier statements of "
        "a non-transactional migration already ran.",
    .bad = "UPDATE users SET plan = 'free', plan = 'pro';",
    .good = "UPDATE users SET plan = 'pro';",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// naming-convention: Names that are not lower snake_case.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
bool Snake(const std::string& n) {
  if (n.empty()) return true;
  for (char ch : n) {
    if (!(std::islower(static_cast<unsigned char>(ch)) ||
          std::isdigit(static_cast<unsigned char>(ch)) || ch == '_'))
      return false;
  }
  return !std::isdigit(static_cast<unsigned char>(n[0]));
}

void Check(const StatementContext& c) {
  auto check = [&](const std::string& n, std::size_t at) {
    if (!Snake(n)) c.Report(at, fmt::format("\"{}\" is not lower snake_case", n));
  };
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) check(ct->table.name, ct->table.location);
  if (const auto* ci = c.stmt().As<sql::CreateIndex>()) check(ci->name, c.stmt().offset);
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (!u.type_change) check(u.column->name, u.column->location);
  }
}
}  // namespace

extern const Rule kRuleNamingConvention{
    .id = "naming-convention",
    .severity = Severity::kInfo,
    .profile = Profile::kStyle,
    .summary = "Names that are not lower snake_case",
    .help = "use lower-case snake_case names (unquoted identifiers)",
    .why =
        "Mixed-case or quoted names must be quoted everywhere forever, and inconsistent names make "
        "schemas harder to read.",
    .bad = "CREATE TABLE \"UserAccounts\" (\"Id\" bigint);",
    .good = "CREATE TABLE user_accounts (id bigint);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// naming-convention: Names that do not follow the naming pattern (lower snake_case by default).
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "runner/sql/parse.h"
#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
void Check(const StatementContext& c) {
  const NamePattern& pattern = *c.section().naming;
  // The location is a function: an index name's costs a token scan, done only on a finding.
  auto check = [&](const std::string& n, auto location) {
    if (n.empty() || pattern.Matches(n)) return;
    c.Report(location(),
             pattern.text() == kSnakeCasePattern
                 ? fmt::format("\"{}\" is not lower snake_case", n)
                 : fmt::format("\"{}\" does not match the naming pattern {}", n, pattern.text()));
  };
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) {
    check(ct->table.name, [&] { return ct->table.location; });
  }
  if (const auto* ci = c.stmt().As<sql::CreateIndex>()) {
    check(ci->name, [&] { return sql::IndexNameLocation(c.stmt()); });
  }
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (!u.type_change) check(u.column->name, [&] { return u.column->location; });
  }
}
}  // namespace

extern const Rule kRuleNamingConvention{
    .id = "naming-convention",
    .severity = Severity::kInfo,
    .profile = Profile::kStyle,
    .summary = "Names that do not follow the naming pattern (lower snake_case by default)",
    .help =
        "rename it to match the naming pattern: lower-case snake_case unless stairway.toml sets "
        "[lint] naming_pattern",
    .why =
        "Mixed-case or quoted names must be quoted everywhere forever, and inconsistent names make "
        "schemas harder to read. Tables, columns and indexes are checked against the regular "
        "expression in stairway.toml [lint] naming_pattern (default [a-z_][a-z0-9_]*, matched "
        "against the whole name).",
    .bad = "CREATE TABLE \"UserAccounts\" (\"Id\" bigint);",
    .good = "CREATE TABLE user_accounts (id bigint);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// identifier-too-long: Identifiers longer than 63 bytes.
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
  auto check = [&](const std::string& n, std::size_t at) {
    if (n.size() > 63) c.Report(at, fmt::format("identifier \"{}\" is {} bytes; PostgreSQL keeps 63", n, n.size()));
  };
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) check(ct->table.name, ct->table.location);
  if (const auto* ci = c.stmt().As<sql::CreateIndex>()) check(ci->name, c.stmt().offset);
  for (const ColumnUse& u : ColumnsOf(c)) check(u.column->name, u.column->location);
  if (const auto* r = c.stmt().As<sql::Rename>()) check(r->new_name, c.stmt().offset);
}
}  // namespace

extern const Rule kRuleIdentifierTooLong{
    .id = "identifier-too-long",
    .severity = Severity::kWarning,
    .profile = Profile::kStyle,
    .summary = "Identifiers longer than 63 bytes",
    .help = "shorten the name to at most 63 bytes",
    .why = "PostgreSQL silently truncates identifiers to 63 bytes, so two long names can collide and later statements can miss the object.",
    .bad = "CREATE TABLE a_table_name_that_goes_on_and_on_and_on_far_beyond_what_postgres_keeps (id int);",
    .good = "CREATE TABLE a_shorter_name (id int);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

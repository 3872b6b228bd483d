// require-schema-qualified: Unqualified table names.
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
  const sql::QualifiedName* n = nullptr;
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) n = &ct->table;
  if (const auto* at = c.stmt().As<sql::AlterTable>()) n = &at->table;
  if (const auto* ci = c.stmt().As<sql::CreateIndex>()) n = &ci->table;
  if (n != nullptr && n->schema.empty())
    c.Report(n->location, fmt::format("{} is not schema-qualified", n->name));
}
}  // namespace

extern const Rule kRuleRequireSchemaQualified{
    .id = "require-schema-qualified",
    .severity = Severity::kInfo,
    .profile = Profile::kStyle,
    .summary = "Unqualified table names",
    .help = "qualify the name: schema.table",
    .why =
        "Unqualified names resolve through search_path, which can differ between the migration "
        "session and the application.",
    .bad = "CREATE TABLE users (id bigint);",
    .good = "CREATE TABLE public.users (id bigint);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

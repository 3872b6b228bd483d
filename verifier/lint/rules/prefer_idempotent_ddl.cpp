// prefer-idempotent-ddl: Non-idempotent DDL outside a transaction.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {

// Whether an earlier statement of the section drops index `name` with IF EXISTS.
bool DroppedBefore(const StatementContext& c, const std::string& name) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < c.index(); ++i) {
    const auto* d = c.section().statements[i].As<sql::Drop>();
    if (d == nullptr || !d->missing_ok || d->object_type != "INDEX") continue;
    for (const sql::QualifiedName& object : d->objects) {
      if (object.name == name) return true;
    }
  }
  return false;
}

void Check(const StatementContext& c) {
  if (c.facts().in_transaction) return;
  const sql::Statement& s = c.stmt();
  // Migration sections and loose files alike: a file that failed halfway outside a transaction
  // is re-run from the top, whoever runs it.
  if (const auto* ci = s.As<sql::CreateIndex>()) {
    if (ci->if_not_exists) return;
    if (!ci->concurrent) {
      c.Report("CREATE INDEX without IF NOT EXISTS fails when retried");
    } else if (!DroppedBefore(c, ci->name)) {
      // A failed concurrent build leaves an INVALID index under the name: IF NOT EXISTS would
      // keep it on the retry, a DROP before the build makes the retry build it again.
      c.Report(
          "CREATE INDEX CONCURRENTLY fails when retried: a failed build leaves an INVALID "
          "index under its name",
          fmt::format("put DROP INDEX CONCURRENTLY IF EXISTS {} before it (IF NOT EXISTS "
                      "would skip the build on a retry and keep the INVALID index)",
                      ci->name.empty() ? "<name>" : ci->name));
    }
  } else if (const auto* d = s.As<sql::Drop>()) {
    if (!d->missing_ok) c.Report("DROP without IF EXISTS fails when retried");
  } else if (const auto* ct = s.As<sql::CreateTable>()) {
    if (!ct->if_not_exists && !ct->as_select && !ct->temporary)
      c.Report("CREATE TABLE without IF NOT EXISTS fails when retried");
  }
}
}  // namespace

extern const Rule kRulePreferIdempotentDdl{
    .id = "prefer-idempotent-ddl",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "Non-idempotent DDL outside a transaction",
    .help = "use IF NOT EXISTS / IF EXISTS so a retry after a partial failure succeeds",
    .why =
        "Without a transaction, a migration that fails halfway leaves its first statements "
        "applied; re-running it fails on objects that already exist (or are already gone).",
    .bad = "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY t_a_idx ON t (a);",
    .good =
        "-- migrate:up transaction:false\nDROP INDEX CONCURRENTLY IF EXISTS t_a_idx;\nCREATE "
        "INDEX CONCURRENTLY t_a_idx ON t (a);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

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
void Check(const StatementContext& c) {
  if (c.facts().in_transaction) return;
  const sql::Statement& s = c.stmt();
  // Migration sections and loose files alike: a file that failed halfway outside a transaction
  // is re-run from the top, whoever runs it.
  if (const auto* ci = s.As<sql::CreateIndex>()) {
    if (!ci->if_not_exists) c.Report("CREATE INDEX without IF NOT EXISTS fails when retried");
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
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a_idx ON t "
        "(a);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// pg14-cic-corruption: CONCURRENTLY index builds on PostgreSQL 14.0-14.3.
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
  if (c.pg_version() != 14) return;
  const auto* ci = c.stmt().As<sql::CreateIndex>();
  const auto* r = c.stmt().As<sql::Reindex>();
  if ((ci != nullptr && ci->concurrent) || (r != nullptr && r->concurrent)) {
    c.Report("concurrent index builds corrupt indexes on PostgreSQL 14.0-14.3");
  }
}
}  // namespace

extern const Rule kRulePg14CicCorruption{
    .id = "pg14-cic-corruption",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "CONCURRENTLY index builds on PostgreSQL 14.0-14.3",
    .help = "make sure the server runs 14.4 or later before building indexes concurrently",
    .why =
        "PostgreSQL 14.0 to 14.3 can silently corrupt indexes built or rebuilt with CONCURRENTLY "
        "(fixed in 14.4).",
    .bad = "CREATE INDEX CONCURRENTLY i ON t (a);  -- with --pg-version 14",
    .good = "-- upgrade to 14.4+, then:\nCREATE INDEX CONCURRENTLY i ON t (a);",
    .versions = "14 only",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// mixed-txn-modes: A statement that cannot run in a transaction mixed with other statements.
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
  std::size_t other = 0;
  std::optional<std::size_t> first;
  for (const sql::Statement& st : s.statements) {
    if (st.error || st.As<sql::SetVariable>() != nullptr || st.As<sql::Transaction>() != nullptr)
      continue;
    // Alembic's autocommit_block(): the revision itself chose where its transaction ends.
    if (s.OutsideTransaction(st.offset)) continue;
    if (IsNonTransactional(st, s.pg_version)) {
      if (first)
        ++other;
      else
        first = st.offset;
    } else {
      ++other;
    }
  }
  if (first && other > 0) {
    s.Report(
        *first,
        "this statement cannot run in a transaction but shares its file with other statements");
  }
}
}  // namespace

extern const Rule kRuleMixedTxnModes{
    .id = "mixed-txn-modes",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "A statement that cannot run in a transaction mixed with other statements",
    .help =
        "give each non-transactional statement (CREATE INDEX CONCURRENTLY, VACUUM, ...) its own "
        "migration file",
    .why =
        "The runner must pick one mode per migration: in a transaction the statement fails; "
        "without one, a failure halfway leaves the other statements applied.",
    .bad =
        "-- migrate:up transaction:false\nALTER TABLE t ADD COLUMN a int;\nCREATE INDEX "
        "CONCURRENTLY t_a_idx ON t (a);",
    .good =
        "-- 0007: ALTER TABLE t ADD COLUMN a int;\n-- 0008 (transaction:false): CREATE INDEX "
        "CONCURRENTLY t_a_idx ON t (a);",
    .versions = "all",
    .check = nullptr,
    .finish = Finish,
};

}  // namespace stairway::lint

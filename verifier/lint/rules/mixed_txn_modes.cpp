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
// Whether running the statement a second time, after a failure later in the file, succeeds.
bool RetrySafe(const sql::Statement& st) {
  if (const auto* ci = st.As<sql::CreateIndex>()) return ci->if_not_exists;
  if (const auto* ct = st.As<sql::CreateTable>()) return ct->if_not_exists;
  if (const auto* d = st.As<sql::Drop>()) return d->missing_ok;
  if (const auto* e = st.As<sql::AlterEnum>()) return e->if_not_exists && e->old_value.empty();
  if (const auto* dml = st.As<sql::Dml>()) return dml->kind != sql::Dml::Kind::kInsert;
  if (const auto* at = st.As<sql::AlterTable>()) {
    return std::all_of(at->cmds.begin(), at->cmds.end(), [](const sql::AlterTableCmd& c) {
      if (c.subtype == "AddColumn" || c.subtype == "DropColumn" || c.subtype == "DropConstraint")
        return c.missing_ok;
      return c.subtype != "AddConstraint";
    });
  }
  return false;
}

void Finish(const SectionContext& s) {
  std::size_t other = 0;
  std::optional<std::size_t> first;
  std::optional<std::size_t> unsafe_before;  // a retry-unsafe statement before `first`
  for (const sql::Statement& st : s.statements) {
    if (st.error || st.As<sql::SetVariable>() != nullptr || st.As<sql::SetConfig>() != nullptr ||
        st.As<sql::Transaction>() != nullptr)
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
      if (!first && !unsafe_before && !RetrySafe(st)) unsafe_before = st.offset;
    }
  }
  if (!first || other == 0) return;
  if (!s.marked_no_transaction) {
    s.Report(
        *first,
        "this statement cannot run in a transaction but shares its file with other statements");
    return;
  }
  // The file chose to run outside a transaction: each statement runs on its own, and only a
  // failure of this statement (a lock timeout, a duplicate key) after statements that cannot
  // run twice makes the retry fail.
  if (unsafe_before) {
    s.Report(*first, fmt::format("if this statement fails, the statement on line {} stays "
                                 "applied and fails when the file is run again",
                                 LineAt(s, *unsafe_before)));
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
        "without one, a failure halfway leaves the other statements applied. A file whose "
        "marker says it runs outside a transaction (goose NO TRANSACTION, transaction:false) "
        "chose its mode: it is reported only when a statement before the non-transactional one "
        "cannot be run twice (no IF NOT EXISTS / IF EXISTS, ADD CONSTRAINT, INSERT, ...), since a "
        "failure of the non-transactional statement then makes the retry fail.",
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

// transaction-nesting: BEGIN/COMMIT in a migration the runner already wraps, or a repeated BEGIN.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"
#include "verifier/lint/wrapper.h"

namespace stairway::lint {
namespace {
void Check(const StatementContext& c) {
  const auto* t = c.stmt().As<sql::Transaction>();
  if (t == nullptr) return;
  using K = sql::Transaction::Kind;
  const StatementFacts& f = c.facts();
  // A BEGIN ... COMMIT wrapper the runner's transaction replaces.
  if (RunnerDroppedPairs(c.section())[c.index()]) return;
  if (t->kind == K::kBegin && f.in_transaction) {
    c.Report(f.in_explicit_transaction
                 ? "BEGIN inside a transaction that is already open"
                 : "BEGIN inside the transaction the runner opened for this migration");
  } else if ((t->kind == K::kCommit || t->kind == K::kRollback) && f.in_transaction &&
             !f.in_explicit_transaction) {
    c.Report("this ends the runner's transaction early; later statements run outside it");
  }
}
}  // namespace

extern const Rule kRuleTransactionNesting{
    .id = "transaction-nesting",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "BEGIN/COMMIT in a migration the runner already wraps, or a repeated BEGIN",
    .help =
        "remove BEGIN/COMMIT and let the runner manage the transaction, or disable the runner's "
        "transaction for this migration",
    .why =
        "A COMMIT inside the runner's transaction ends it early: later statements run outside it "
        "and a failure leaves a partial migration; a BEGIN inside it is ignored with a warning. A "
        "BEGIN ... COMMIT pair around statements is not flagged: stairway's runner leaves it out "
        "and runs the revision in its one transaction, and a tool that wraps the file runs it to "
        "the same end.",
    .bad =
        "-- migrate:up\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;\nALTER TABLE t ADD COLUMN b "
        "int;",
    .good = "-- migrate:up\nALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN b int;",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

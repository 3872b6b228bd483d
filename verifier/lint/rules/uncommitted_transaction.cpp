// uncommitted-transaction: BEGIN without a matching COMMIT.
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
void Finish(const SectionContext& s) {
  std::optional<std::size_t> open;
  const std::vector<bool> dropped = RunnerDroppedPairs(s);  // the runner's own wrapper pairs
  for (std::size_t i = 0; i < s.statements.size(); ++i) {
    const sql::Statement& st = s.statements[i];
    const auto* t = st.As<sql::Transaction>();
    if (t == nullptr || dropped[i]) continue;
    using K = sql::Transaction::Kind;
    if (t->kind == K::kBegin && !open) open = st.offset;
    if (t->kind == K::kCommit || t->kind == K::kRollback || t->kind == K::kPrepare) open.reset();
  }
  if (open) s.Report(*open, "this transaction is never committed");
}
}  // namespace

extern const Rule kRuleUncommittedTransaction{
    .id = "uncommitted-transaction",
    .severity = Severity::kError,
    .profile = Profile::kDefault,
    .summary = "BEGIN without a matching COMMIT",
    .help = "end the transaction with COMMIT",
    .why =
        "The migration appears to succeed, but the open transaction is rolled back when the "
        "session ends and its changes are lost.",
    .bad = "BEGIN;\nALTER TABLE t ADD COLUMN a int;",
    .good = "BEGIN;\nALTER TABLE t ADD COLUMN a int;\nCOMMIT;",
    .versions = "all",
    .check = nullptr,
    .finish = Finish,
};

}  // namespace stairway::lint

// require-statement-timeout: Locking migration with no statement_timeout.
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
  for (std::size_t i = 0; i < s.statements.size(); ++i) {
    const StatementFacts& f = s.facts[i];
    if (f.statement_timeout || f.locks.empty()) continue;
    bool strong = false;
    for (const LockTaken& l : f.locks) strong = strong || l.mode >= LockMode::kShareUpdateExclusive;
    if (!strong) continue;
    s.Report(s.statements[i].offset, "no statement_timeout is set for this locking statement");
    return;
  }
}
}  // namespace

extern const Rule kRuleRequireStatementTimeout{
    .id = "require-statement-timeout",
    .severity = Severity::kInfo,
    .profile = Profile::kDefault,
    .summary = "Locking migration with no statement_timeout",
    .help =
        "SET statement_timeout = '5min' (or what fits) at the start; disable this rule if your "
        "runner sets it",
    .why =
        "A runaway statement (a rewrite or scan that takes far longer than expected) keeps its "
        "locks until it finishes; statement_timeout bounds the damage.",
    .bad = "CREATE INDEX CONCURRENTLY i ON t (a);",
    .good = "SET statement_timeout = '30min';\nCREATE INDEX CONCURRENTLY i ON t (a);",
    .versions = "all",
    .check = nullptr,
    .finish = Finish,
};

}  // namespace stairway::lint

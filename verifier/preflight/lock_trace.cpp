// verify --lock-trace; see lock_trace.h.
#include "verifier/preflight/lock_trace.h"

#include <fmt/format.h>

#include <chrono>

#include "runner/planner/planner.h"
#include "verifier/preflight/trace.h"

namespace stairway::verifier::preflight {

report::Report TraceRevisions(sandbox::Sandbox& box, const source::MigrationSet& set,
                              const applier::Options& options, const LintedAt& linted) {
  report::Report rep;
  rep.command = "verify";
  report::Step step;
  step.check = "lock-trace";
  step.name = "lock trace of every revision";
  if (source::IsAlembic(set)) {
    step.skipped = true;
    step.skip_reason = "Alembic revisions are not traced statement by statement";
    rep.steps.push_back(step);
    return rep;
  }
  const auto started = std::chrono::steady_clock::now();
  const planner::Plan plan = planner::PlanUpgrade(set, {}, "head").ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  Tracer tracer;
  {
    db::Session session = db::Session::Connect(database->url());
    applier::Runner runner(session, options, &tracer);
    runner.EnsureHistory();
    try {
      for (const applier::PreparedStep& s : steps) runner.RunStep(s);
    } catch (const applier::MigrationFailed& e) {
      tracer.StatementFailed(e.diagnostic().message);
      step.skip_reason = "stopped at a failing revision";
    }
  }
  step.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  for (const StatementTrace& s : tracer.statements()) {
    std::vector<std::string> facts;
    std::string strongest;
    for (const LockTaken& lock : s.locks) {
      if (!lock.existed_before || LockStrength(lock.mode) < LockStrength("SHARE")) continue;
      facts.push_back(
          fmt::format("{} on {}: {}", lock.mode, lock.relation, WhatItBlocks(lock.mode)));
      if (LockStrength(lock.mode) > LockStrength(strongest)) strongest = lock.mode;
    }
    for (const std::string& table : s.rewritten) {
      facts.push_back(
          fmt::format("rewrites {} (the whole table is copied while the lock is "
                      "held)",
                      table));
    }
    if (facts.empty()) continue;
    report::Finding f;
    f.check = "lock-trace";
    f.rule = s.rewritten.empty() ? "lock-trace-lock" : "lock-trace-rewrite";
    f.severity = Severity::kInfo;
    f.path = s.path;
    f.line = s.line;
    f.column = 1;
    f.revision = s.revision;
    f.lock = strongest;
    f.message = fmt::format("measured: {}", fmt::join(facts, "; "));
    if (linted && !linted(s.path, s.line)) {
      f.message += " (no lint rule flagged this statement: worth a look)";
    }
    f.help =
        "on a busy table: take the lock for less time (lock_timeout, a separate revision), or use "
        "the online form (CREATE INDEX CONCURRENTLY, NOT VALID then VALIDATE, a new column "
        "backfilled in batches)";
    rep.findings.push_back(std::move(f));
  }
  rep.steps.push_back(step);
  if (!rep.findings.empty()) {
    rep.rules.push_back({"lock-trace-lock", "a statement took a lock that blocks writes or reads",
                         "", Severity::kInfo});
    rep.rules.push_back({"lock-trace-rewrite", "a statement rewrote a table", "", Severity::kInfo});
  }
  return rep;
}

}  // namespace stairway::verifier::preflight

// verify --lock-trace; see lock_trace.h.
#include "verifier/preflight/lock_trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>

#include "runner/planner/planner.h"

namespace stairway::verifier::preflight {

applier::Observer* FirstUpTraces::ForDatabase() {
  auto tracer = std::make_unique<Tracer>(Tracer::RowCounts::kSkip, Tracer::Detail::kFindingsOnly);
  std::lock_guard lock(mutex_);
  tracers_.push_back(std::move(tracer));
  return tracers_.back().get();
}

std::vector<StatementTrace> FirstUpTraces::Statements(const source::MigrationSet& set,
                                                      const std::set<std::string>& reported) const {
  std::map<std::string, std::size_t> position;
  for (std::size_t i = 0; i < set.revisions.size(); ++i) position[set.revisions[i].Label()] = i;
  std::vector<StatementTrace> out;
  {
    std::lock_guard lock(mutex_);
    for (const std::unique_ptr<Tracer>& tracer : tracers_) {
      for (const StatementTrace& s : tracer->statements()) {
        if (reported.count(s.revision) > 0) out.push_back(s);
      }
    }
  }
  // Each revision's first up runs once, on one database: ordering by revision keeps each
  // revision's statements in the order they ran.
  std::stable_sort(out.begin(), out.end(), [&](const StatementTrace& a, const StatementTrace& b) {
    return position[a.revision] < position[b.revision];
  });
  return out;
}

double FirstUpTraces::ReadMs() const {
  std::lock_guard lock(mutex_);
  double ms = 0;
  for (const std::unique_ptr<Tracer>& tracer : tracers_) ms += tracer->read_ms();
  return ms;
}

report::Report LockTraceReport(const std::vector<StatementTrace>& statements,
                               const LintedAt& linted, const std::string& step_name,
                               double duration_ms) {
  report::Report rep;
  rep.command = "verify";
  report::Step step;
  step.check = "lock-trace";
  step.name = step_name;
  step.duration_ms = duration_ms;
  for (const StatementTrace& s : statements) {
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
    f.column = s.line > 0 ? 1 : 0;
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

report::Report TraceRevisions(sandbox::Sandbox& box, const source::MigrationSet& set,
                              const applier::Options& options, const LintedAt& linted,
                              const CodeStepsFor& code_steps) {
  const std::string name = "lock trace of every revision (applied once more, without roundtrip)";
  const bool alembic = source::IsAlembic(set);
  if (alembic && !code_steps) {
    report::Report rep = LockTraceReport({}, linted, name);
    rep.steps.back().skipped = true;
    rep.steps.back().skip_reason = "Alembic revisions need the project's Python, not started";
    return rep;
  }
  const auto started = std::chrono::steady_clock::now();
  const planner::Plan plan =
      planner::PlanUpgrade(set, {}, alembic ? "heads" : "head").ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  Tracer tracer(Tracer::RowCounts::kSkip, Tracer::Detail::kFindingsOnly);
  bool stopped = false;
  {
    db::Session session = db::Session::Connect(database->url());
    std::unique_ptr<applier::CodeSteps> code = alembic ? code_steps(session) : nullptr;
    applier::Runner runner(session, options, &tracer);
    if (alembic) runner.UseAlembic(set, code.get());
    runner.EnsureHistory();
    try {
      for (const applier::PreparedStep& s : steps) runner.RunStep(s);
    } catch (const applier::MigrationFailed& e) {
      tracer.StatementFailed(e.diagnostic().message);
      stopped = true;
    }
  }
  report::Report rep = LockTraceReport(
      tracer.statements(), linted, name,
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
          .count());
  if (stopped) rep.steps.back().skip_reason = "stopped at a failing revision";
  return rep;
}

}  // namespace stairway::verifier::preflight

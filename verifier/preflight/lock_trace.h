// verify --lock-trace: preflight's trace of what each revision's statements lock and rewrite,
// handed to the report as dynamic findings beside the static lint. With the roundtrip the trace
// rides on its first up of each revision (FirstUpTraces); without it the revisions are applied
// once on a throwaway database of their own (TraceRevisions).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/preflight/trace.h"
#include "verifier/report/report.h"

namespace stairway::verifier::preflight {

// Whether the lint flagged the statement at path:line (any rule): a trace finding the lint
// missed says so. Line 0 (a statement whose line is unknown): anywhere in the file.
using LintedAt = std::function<bool(const std::string& path, int line)>;

// The traces of one roundtrip, a Tracer per database it uses (roundtrip::Options::
// trace_first_up); the databases run on threads of their own, hence the lock.
class FirstUpTraces {
 public:
  // A new Tracer for one database's runner (row counts are not read: the findings do not use
  // them).
  applier::Observer* ForDatabase();
  // What the tracers recorded for the revisions labelled in `reported` (a run split across
  // databases may have traced revisions it then did not report), in the set's order.
  std::vector<StatementTrace> Statements(const source::MigrationSet& set,
                                         const std::set<std::string>& reported) const;
  // The tracers' own queries, summed over the databases (which run side by side).
  double ReadMs() const;

 private:
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<Tracer>> tracers_;
};

// The findings: each statement that took SHARE or a stronger lock on a relation that existed
// before its revision, or rewrote a table (check "lock-trace", severity info: durations on an
// empty database mean little, the lock modes do), under one step named `step_name` that took
// `duration_ms`.
report::Report LockTraceReport(const std::vector<StatementTrace>& statements,
                               const LintedAt& linted, const std::string& step_name,
                               double duration_ms = 0);

// Runs an Alembic set's revisions on the given database's session (a helper connected to it).
using CodeStepsFor = std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)>;

// Without the roundtrip: applies the set's revisions, from base (to the heads for Alembic, with
// `code_steps`), on a new database of `box` with the trace, and reports as LockTraceReport. A
// revision that fails stops the trace.
report::Report TraceRevisions(sandbox::Sandbox& box, const source::MigrationSet& set,
                              const applier::Options& options, const LintedAt& linted,
                              const CodeStepsFor& code_steps = {});

}  // namespace stairway::verifier::preflight

// verify --lock-trace: every revision applied once more on a throwaway database with preflight's
// trace, and what it saw (locks on relations that existed before the revision, rewrites) handed
// to the report as dynamic findings beside the static lint.
#pragma once

#include <functional>

#include "runner/applier/applier.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/report/report.h"

namespace stairway::verifier::preflight {

// Whether the lint flagged the statement at path:line (any rule): a trace finding the lint
// missed says so.
using LintedAt = std::function<bool(const std::string& path, int line)>;

// Applies the set's revisions, from base, on a new database of `box` and reports each statement
// that took SHARE or a stronger lock on a relation that existed before its revision, or rewrote
// a table (check "lock-trace", severity info: durations on an empty database mean little, the
// lock modes do). A revision that fails stops the trace (the roundtrip reports the failure).
// Alembic sets are not traced (one info finding says so).
report::Report TraceRevisions(sandbox::Sandbox& box, const source::MigrationSet& set,
                              const applier::Options& options, const LintedAt& linted);

}  // namespace stairway::verifier::preflight

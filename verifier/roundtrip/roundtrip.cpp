// The up/down/up loop of verify --roundtrip.
#include "verifier/roundtrip/roundtrip.h"

#include <fmt/format.h>

#include "runner/common/error.h"

namespace stairway::verifier::roundtrip {

namespace {

using Clock = std::chrono::steady_clock;

void Notify(const std::vector<PhaseObserver*>& observers, PhaseContext& context) {
  for (PhaseObserver* observer : observers) observer->AtPhase(context);
}

}  // namespace

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kBefore:
      return "S0";
    case Phase::kAfterUp:
      return "S1";
    case Phase::kAfterDown:
      return "S0'";
    case Phase::kAfterReUp:
      return "S1'";
  }
  return "S0";
}

int Result::ExitCode(Irreversible irreversible_policy) const {
  if (failed) return static_cast<int>(stairway::ExitCode::kDatabase);
  if (findings > 0) return static_cast<int>(stairway::ExitCode::kFindings);
  if (irreversible > 0 && irreversible_policy == Irreversible::kFail) {
    return static_cast<int>(stairway::ExitCode::kFindings);
  }
  return 0;
}

Result Run(db::Session& session, const source::MigrationSet& set, const Options& options,
           const std::vector<PhaseObserver*>& observers, ProgressListener* listener) {
  const Clock::time_point start = Clock::now();
  // Split every section first: a section the scanner rejects is input (exit 2), found before
  // anything runs.
  std::vector<applier::PreparedStep> ups, downs;
  for (const source::Revision& rev : set.revisions) {
    ups.push_back(applier::PrepareStep({&rev, history::Direction::kUp}).ValueOrThrow());
    if (rev.down) {
      downs.push_back(applier::PrepareStep({&rev, history::Direction::kDown}).ValueOrThrow());
    }
  }
  applier::Runner runner(session, options.applier);
  runner.EnsureHistory();

  Result result;
  std::size_t next_down = 0;
  const int total = static_cast<int>(set.revisions.size());
  for (int i = 0; i < total; ++i) {
    const source::Revision& rev = set.revisions[i];
    RevisionResult r;
    r.label = rev.Label();
    r.irreversible = !rev.down;
    auto at = [&](Phase phase) {
      PhaseContext context{rev, i, phase, session, r.findings};
      Notify(observers, context);
    };
    try {
      at(Phase::kBefore);
      r.failed_step = "up";
      r.up = runner.RunStep(ups[i]);
      at(Phase::kAfterUp);
      if (rev.down) {
        r.failed_step = "down";
        r.down = runner.RunStep(downs[next_down++]);
        at(Phase::kAfterDown);
        r.failed_step = "re-up";
        r.reup = runner.RunStep(ups[i]);
        at(Phase::kAfterReUp);
      }
      r.failed_step.clear();
    } catch (const applier::MigrationFailed& e) {
      r.failure = e.what();
    }
    result.irreversible += r.irreversible ? 1 : 0;
    result.findings += static_cast<int>(r.findings.size());
    const bool stop = r.failure.has_value();
    result.failed = result.failed || stop;
    result.revisions.push_back(std::move(r));
    if (listener != nullptr) listener->RevisionDone(result.revisions.back(), i, total);
    if (stop) break;  // later revisions build on this one
  }
  result.total = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace stairway::verifier::roundtrip

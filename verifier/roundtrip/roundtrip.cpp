// The up/down/up loop of verify --roundtrip.
#include "verifier/roundtrip/roundtrip.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

#include "runner/common/error.h"
#include "verifier/roundtrip/catalog_observer.h"
#include "verifier/roundtrip/fixtures_observer.h"
#include "verifier/roundtrip/tracked_observer.h"
#include "verifier/roundtrip/verify_script_observer.h"

namespace stairway::verifier::roundtrip {

namespace {

using Clock = std::chrono::steady_clock;

void Notify(const std::vector<PhaseObserver*>& observers, PhaseContext& context) {
  for (PhaseObserver* observer : observers) observer->AtPhase(context);
}

// Index of a revision named by an option, or an input error naming the option.
int IndexOrThrow(const source::MigrationSet& set, std::string_view version,
                 std::string_view option) {
  const int index = set.IndexOf(version);
  if (index < 0) {
    throw StopError(Error::Input(
        fmt::format("{} {}: no such revision in {}; give a version listed by `stairway status`",
                    option, version, set.dir.string())));
  }
  return index;
}

// Why revision i is applied up only, or empty when it is round-tripped.
struct Selection {
  std::vector<std::string> reason;  // per revision; empty = round-trip
  std::vector<bool> skipped;
};

// Whether a revision goes down and up again: it is not applied up only (`up_only_reason`
// empty), has a down, and is not marked irreversible.
bool RoundTrips(const source::Revision& rev, std::string_view up_only_reason) {
  return up_only_reason.empty() && !rev.irreversible_marker && rev.down.has_value();
}

Selection Select(const source::MigrationSet& set, const Options& options) {
  const int total = static_cast<int>(set.revisions.size());
  Selection sel{std::vector<std::string>(total), std::vector<bool>(total, false)};
  const int from = options.from ? IndexOrThrow(set, *options.from, "--from") : 0;
  const int min_down =
      options.min_downgrade ? IndexOrThrow(set, *options.min_downgrade, "--min-downgrade") : 0;
  for (const std::string& version : options.skip) {
    sel.skipped[IndexOrThrow(set, version, "--skip")] = true;
  }
  std::vector<bool> in_only(total, !options.only.has_value());
  if (options.only) {
    for (const std::string& version : *options.only) {
      const int index = set.IndexOf(version);
      if (index >= 0) in_only[index] = true;  // a changed file may be a removed revision
    }
  }
  for (int i = 0; i < total; ++i) {
    if (sel.skipped[i]) {
      sel.reason[i] = "skipped (--skip)";
    } else if (i < from) {
      sel.reason[i] = fmt::format("before --from {}", *options.from);
    } else if (i < min_down) {
      sel.reason[i] = fmt::format("before --min-downgrade {}", *options.min_downgrade);
    } else if (!in_only[i]) {
      sel.reason[i] = "unchanged (--changed-since)";
    }
  }
  return sel;
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
  // A step that fails is a finding about the migrations, not a check that could not run.
  if (failed || findings > 0) return static_cast<int>(stairway::ExitCode::kFindings);
  if (irreversible > 0 && irreversible_policy == Irreversible::kFail) {
    return static_cast<int>(stairway::ExitCode::kFindings);
  }
  return 0;
}

Result Run(db::Session& session, const source::MigrationSet& set, const Options& options,
           const std::vector<PhaseObserver*>& extra_observers, ProgressListener* listener) {
  // The built-in checks run first: the catalog comparison, then the data fixtures (their rows
  // do not change the catalog, so the order only matters for the order of findings).
  // The history tables exist before the catalog is first read: they are stairway's and the
  // tool's bookkeeping (alembic_version is kept by every step), never a difference.
  applier::Runner runner(session, options.applier);
  std::unique_ptr<applier::CodeSteps> code;
  if (options.code_steps) {
    code = options.code_steps(session);
    runner.UseAlembic(set, code.get());
  }
  runner.EnsureHistory();
  CatalogObserver catalog;
  std::optional<TrackedCatalogObserver> tracked;
  std::optional<FixturesObserver> fixtures;
  std::vector<PhaseObserver*> observers;
  Result result;
  result.snapshots = options.snapshots;
  if (options.snapshots == Options::Snapshots::kTracked ||
      options.snapshots == Options::Snapshots::kChecked) {
    if (std::optional<schema::TrackedCatalog> watched = schema::TrackedCatalog::Start(session)) {
      tracked.emplace(std::move(*watched), options.snapshots == Options::Snapshots::kChecked
                                               ? TrackedCatalogObserver::Check::kEveryStep
                                               : TrackedCatalogObserver::Check::kAtEnd);
      observers.push_back(&*tracked);
    } else {
      observers.push_back(&catalog);
      result.snapshots = Options::Snapshots::kFull;
      result.snapshots_fallback = "the role may not create event triggers";
    }
  } else if (options.snapshots == Options::Snapshots::kFull) {
    observers.push_back(&catalog);
  }
  if (options.data_fixtures) {
    fixtures.emplace(*options.data_fixtures);
    observers.push_back(&*fixtures);
  }
  VerifyScriptObserver verify_scripts;  // sqitch verify scripts; other revisions have none
  observers.push_back(&verify_scripts);
  observers.insert(observers.end(), extra_observers.begin(), extra_observers.end());
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
  const Selection selection = Select(set, options);

  std::size_t next_down = 0;
  const int total = static_cast<int>(set.revisions.size());
  const int end = options.share_end < 0 ? total : std::min(total, options.share_end);
  for (int i = 0; i < end; ++i) {
    if (options.cancelled != nullptr && options.cancelled->load()) break;
    const source::Revision& rev = set.revisions[i];
    const bool elsewhere = i < options.share_begin;  // round-tripped on another database
    RevisionResult r;
    r.label = rev.Label();
    r.irreversible_marker = rev.irreversible_marker;
    r.irreversible = !rev.down && !rev.irreversible_marker;
    r.up_only_reason = elsewhere ? "round-tripped on the other database" : selection.reason[i];
    r.skipped = selection.skipped[i];
    r.up_only = !r.up_only_reason.empty();
    const bool round_trip = RoundTrips(rev, r.up_only_reason);
    // Up-only revisions are still seen by observers at S0 and S1 (data fixtures load there).
    auto at = [&](Phase phase) {
      PhaseContext context{
          rev, i, phase, session, r.findings, r.finding_rules, r.soft_findings, round_trip};
      Notify(observers, context);
    };
    const applier::PreparedStep* down_step = rev.down ? &downs[next_down++] : nullptr;
    try {
      at(Phase::kBefore);
      r.failed_step = "up";
      r.up = runner.RunStep(ups[i]);
      at(Phase::kAfterUp);
      if (round_trip) {
        r.failed_step = "down";
        r.down = runner.RunStep(*down_step);
        at(Phase::kAfterDown);
        r.failed_step = "re-up";
        r.reup = runner.RunStep(ups[i]);
        at(Phase::kAfterReUp);
      }
      r.failed_step.clear();
    } catch (const applier::MigrationFailed& e) {
      r.failure = e.what();
    }
    r.finding_rules.resize(r.findings.size(), "roundtrip-mismatch");
    // A revision that is not round-tripped is not blamed for lacking a down.
    if (r.up_only) r.irreversible = false;
    if (elsewhere && !r.failure) continue;  // reported by the database that round-trips it
    result.irreversible += r.irreversible ? 1 : 0;
    result.findings += static_cast<int>(r.findings.size());
    const bool stop = r.failure.has_value();
    result.failed = result.failed || stop;
    result.revisions.push_back(std::move(r));
    if (listener != nullptr) listener->RevisionDone(result.revisions.back(), i, total);
    if (stop) break;  // later revisions build on this one
  }
  if (tracked) {
    // The tracked catalog must equal a full snapshot of the final state; a difference means the
    // watch missed a command, and the comparisons may have missed a leftover.
    std::vector<std::string> missed = tracked->Finish(session);
    if (!result.failed && !missed.empty() && !result.revisions.empty()) {
      RevisionResult& last = result.revisions.back();
      for (const std::string& line : missed) {
        last.finding_rules.resize(last.findings.size(), "roundtrip-mismatch");
        last.findings.push_back(fmt::format(
            "{}: the change watch missed a change; rerun with --full-snapshots and please report "
            "it: {}",
            last.label, line));
        last.finding_rules.push_back("roundtrip-tracking");
        ++result.findings;
      }
    }
    result.full_catalog_reads = tracked->catalog().full_reads() + 1;
  } else if (options.snapshots != Options::Snapshots::kOff) {
    result.full_catalog_reads = catalog.snapshots_taken();
  }
  result.total = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

namespace {

// Hands the second database's revisions on once the first database is done: held until then,
// passed straight through after.
class HeldListener : public ProgressListener {
 public:
  explicit HeldListener(ProgressListener* next) : next_(next) {}
  void RevisionDone(const RevisionResult& result, int index, int total) override {
    if (next_ == nullptr) return;
    std::lock_guard<std::mutex> lock(mutex_);
    if (open_) {
      next_->RevisionDone(result, index, total);
    } else {
      held_.push_back({result, index, total});
    }
  }
  void Open() {
    if (next_ == nullptr) return;
    std::lock_guard<std::mutex> lock(mutex_);
    for (const Held& h : held_) next_->RevisionDone(h.result, h.index, h.total);
    held_.clear();
    open_ = true;
  }

 private:
  struct Held {
    RevisionResult result;
    int index, total;
  };
  ProgressListener* next_;
  std::mutex mutex_;
  std::vector<Held> held_;
  bool open_ = false;
};

}  // namespace

int SplitPoint(const source::MigrationSet& set, const Options& options) {
  const Selection selection = Select(set, options);
  const int total = static_cast<int>(set.revisions.size());
  // What a revision costs, in ups: a round trip is three steps and three catalog reads, where a
  // down and the read after it cost about half an up and its read (there is little left to
  // read). Measured on the runner bench (tables, columns, enums, views): a round trip costs
  // about four applied ups.
  constexpr int kRoundTrip = 4;
  std::vector<int> cost(total);
  int round_trips = 0;
  int rest = 0;
  for (int i = 0; i < total; ++i) {
    const bool round_trip = RoundTrips(set.revisions[i], selection.reason[i]);
    cost[i] = round_trip ? kRoundTrip : 1;
    round_trips += round_trip ? 1 : 0;
    rest += cost[i];
  }
  if (round_trips < kMinSplitRoundTrips) return 0;
  // Cut at k: the first database's load is the cost of revisions [0, k); the second's is one
  // step for each of those and the cost of the rest.
  int first = 0, best = 0, best_load = rest;
  for (int k = 1; k < total; ++k) {
    first += cost[k - 1];
    rest -= cost[k - 1];
    const int load = std::max(first, k + rest);
    if (load < best_load) {
      best_load = load;
      best = k;
    }
  }
  return best;
}

Result RunSplit(db::Session& first, const std::function<db::Session&()>& open_second,
                const source::MigrationSet& set, const Options& options, int cut,
                ProgressListener* listener) {
  if (cut <= 0) return Run(first, set, options, {}, listener);
  const Clock::time_point start = Clock::now();
  std::atomic<bool> first_failed{false};
  Options head = options;
  head.share_end = cut;
  Options tail = options;
  tail.share_begin = cut;
  tail.cancelled = &first_failed;
  HeldListener held(listener);
  Result second_result;
  std::exception_ptr second_error;
  std::thread worker([&] {
    try {
      second_result = Run(open_second(), set, tail, {}, &held);
    } catch (...) {
      second_error = std::current_exception();
    }
  });
  Result result;
  try {
    result = Run(first, set, head, {}, listener);
  } catch (...) {
    first_failed = true;
    worker.join();
    throw;
  }
  first_failed = result.failed;
  if (!result.failed) held.Open();  // else the second database's revisions are not reported
  worker.join();
  if (!result.failed) {
    if (second_error) std::rethrow_exception(second_error);
    for (RevisionResult& r : second_result.revisions) result.revisions.push_back(std::move(r));
    result.irreversible += second_result.irreversible;
    result.findings += second_result.findings;
    result.failed = second_result.failed;
    result.full_catalog_reads += second_result.full_catalog_reads;
    if (result.snapshots_fallback.empty()) {
      result.snapshots = second_result.snapshots;
      result.snapshots_fallback = second_result.snapshots_fallback;
    }
  }
  result.total = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
  return result;
}

}  // namespace stairway::verifier::roundtrip

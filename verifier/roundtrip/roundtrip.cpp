// The up/down/up loop of verify --roundtrip.
#include "verifier/roundtrip/roundtrip.h"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <mutex>
#include <string_view>
#include <thread>

#include "runner/common/error.h"
#include "runner/planner/alembic_plan.h"
#include "runner/planner/planner.h"
#include "verifier/roundtrip/catalog_observer.h"
#include "verifier/roundtrip/fixtures_observer.h"
#include "verifier/roundtrip/tracked_observer.h"
#include "verifier/roundtrip/verify_script_observer.h"

namespace stairway::verifier::roundtrip {

namespace {

using Clock = std::chrono::steady_clock;

// What a revision costs, in ups: a round trip is three steps and three catalog reads, where a
// down and the read after it cost about half an up and its read (there is little left to read).
// Measured on the runner bench (tables, columns, enums, views): a round trip costs about four
// applied ups.
constexpr int kRoundTripCost = 4;

void Notify(const std::vector<PhaseObserver*>& observers, PhaseContext& context) {
  for (PhaseObserver* observer : observers) observer->AtPhase(context);
}

// Options::trace_first_up: hands the runner's callbacks on to the trace while open (the first
// up of a revision), and drops them otherwise.
class TraceGate : public applier::Observer {
 public:
  applier::Observer* trace = nullptr;
  bool open = false;

  void StepStarted(const applier::PreparedStep& step) override {
    if (open) trace->StepStarted(step);
  }
  void StepFinished(const applier::PreparedStep& step, std::chrono::milliseconds took) override {
    if (open) trace->StepFinished(step, took);
  }
  void StatementStarting(const applier::PreparedStep& step, std::size_t index,
                         db::Session& session) override {
    if (open) trace->StatementStarting(step, index, session);
  }
  void StatementFinished(const applier::PreparedStep& step, std::size_t index,
                         db::Session& session) override {
    if (open) trace->StatementFinished(step, index, session);
  }
  const applier::CodeTraceQueries* CodeTraceWanted(const applier::PreparedStep& step) override {
    return open ? trace->CodeTraceWanted(step) : nullptr;
  }
  void CodeTraced(const applier::PreparedStep& step, const applier::CodeTrace& traced) override {
    if (open) trace->CodeTraced(step, traced);
  }
};

// Opens a gate for one step; closed again however the step ends.
class OpenGate {
 public:
  OpenGate(TraceGate& gate, bool open) : gate_(gate) {
    gate_.open = open && gate_.trace != nullptr;
  }
  ~OpenGate() { gate_.open = false; }
  OpenGate(const OpenGate&) = delete;
  OpenGate& operator=(const OpenGate&) = delete;

 private:
  TraceGate& gate_;
};

}  // namespace

int ResolveOption(const source::MigrationSet& set, std::string_view revision,
                  std::string_view option) {
  Expected<const source::Revision*> found = planner::ResolveRevision(set, revision);
  if (!found.ok()) {
    std::string message = found.error().message;
    if (message.starts_with("unknown revision") &&
        message.find("did you mean") == std::string::npos) {
      // Nothing close enough for "did you mean": the labels nearest to what was typed, so a
      // label copied from another history's table is easy to correct.
      std::vector<std::pair<std::size_t, std::string>> nearest;
      for (const source::Revision& rev : set.revisions) {
        nearest.emplace_back(planner::EditDistance(revision, rev.Label()), rev.Label());
      }
      std::stable_sort(nearest.begin(), nearest.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      constexpr std::size_t kNearest = 3;
      std::string names;
      for (std::size_t i = 0; i < nearest.size() && i < kNearest; ++i) {
        names += (i == 0 ? "" : ", ") + nearest[i].second;
      }
      if (!names.empty()) message += fmt::format("; the nearest labels: {}", names);
    }
    throw StopError(Error::Input(fmt::format("{} {}: {}", option, revision, message)));
  }
  if (*found == nullptr) {  // "head" of an empty set
    throw StopError(Error::Input(
        fmt::format("{} {}: {} has no revisions", option, revision, set.dir.string())));
  }
  return static_cast<int>(*found - set.revisions.data());
}

namespace {

// Index of a revision named by an option, or an input error naming the option.
int IndexOrThrow(const source::MigrationSet& set, std::string_view revision,
                 std::string_view option) {
  return ResolveOption(set, revision, option);
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

std::vector<std::string> RevisionResult::Messages(Severity severity) const {
  std::vector<std::string> out;
  for (const FindingDetail& d : details) {
    if (d.severity == severity) out.push_back(d.message);
  }
  return out;
}

int RevisionResult::FindingCount() const {
  return static_cast<int>(std::count_if(details.begin(), details.end(), [](const FindingDetail& d) {
    return d.severity == Severity::kError;
  }));
}

std::string_view StepOfPhase(Phase phase) {
  switch (phase) {
    case Phase::kBefore:
      return "";
    case Phase::kAfterUp:
      return "up";
    case Phase::kAfterDown:
      return "down";
    case Phase::kAfterReUp:
      return "re-up";
  }
  return "";
}

int Result::ExitCode(Irreversible irreversible_policy) const {
  // A step that fails is a finding about the migrations, not a check that could not run.
  if (failed || findings > 0) return static_cast<int>(stairway::ExitCode::kFindings);
  if (irreversible > 0 && irreversible_policy == Irreversible::kFail) {
    return static_cast<int>(stairway::ExitCode::kFindings);
  }
  return 0;
}

namespace {

// One database the run works on: the runner holding its migration lock, the Alembic helper
// connected to it, and the built-in observers, whose state describes this database. Members
// are destroyed in reverse: observers, then the runner (unlocks), the helper, the session, and
// last the database (dropped).
struct Lane {
  std::unique_ptr<sandbox::ThrowawayDatabase> database;  // null: the caller's database
  std::optional<db::Session> own_session;
  db::Session* session = nullptr;
  std::unique_ptr<applier::CodeSteps> code;
  TraceGate trace_gate;  // outlives the runner, which calls it
  std::unique_ptr<applier::Runner> runner;
  CatalogObserver catalog;
  std::optional<TrackedCatalogObserver> tracked;
  std::optional<FixturesObserver> fixtures;
  VerifyScriptObserver verify_scripts;    // sqitch verify scripts; other revisions have none
  std::vector<PhaseObserver*> observers;  // the built-in ones, in order
  bool tracking_refused = false;          // full snapshots: the role may not create event triggers
};

// Sets up a lane on `session`, or on a session of its own on `database` when that is given.
// `watch_now`: the lane's first revision round-trips, so the change watch starts here, before
// the Alembic helper is asked for (it may still be starting). `watch_later`: a later one does,
// so the watch is prepared beside the up-only revisions before it.
std::unique_ptr<Lane> OpenLane(std::unique_ptr<sandbox::ThrowawayDatabase> database,
                               db::Session* session, const source::MigrationSet& set,
                               const Options& options, bool watch_now, bool watch_later = false) {
  auto lane = std::make_unique<Lane>();
  lane->database = std::move(database);
  if (lane->database)
    session = &lane->own_session.emplace(db::Session::Connect(lane->database->url()));
  lane->session = session;
  // The built-in checks run first: the catalog comparison, then the data fixtures (their rows
  // do not change the catalog, so the order only matters for the order of findings).
  // The history tables exist before the catalog is first read: they are stairway's and the
  // tool's bookkeeping (alembic_version is kept by every step), never a difference.
  if (options.trace_first_up) lane->trace_gate.trace = options.trace_first_up(*session);
  lane->runner = std::make_unique<applier::Runner>(*session, options.applier, &lane->trace_gate);
  if (options.code_steps) lane->runner->UseAlembic(set, nullptr);  // the helper comes below
  lane->runner->EnsureHistory();
  if (options.snapshots == Options::Snapshots::kTracked ||
      options.snapshots == Options::Snapshots::kChecked) {
    if (schema::TrackedCatalog::CanStart(*session)) {
      // The watch itself starts before the first revision that round-trips.
      lane->tracked.emplace(options.snapshots == Options::Snapshots::kChecked
                                ? TrackedCatalogObserver::Check::kEveryStep
                                : TrackedCatalogObserver::Check::kAtEnd,
                            options.read_ahead);
      lane->observers.push_back(&*lane->tracked);
    } else {
      lane->observers.push_back(&lane->catalog);
      lane->tracking_refused = true;
    }
  } else if (options.snapshots == Options::Snapshots::kFull) {
    lane->observers.push_back(&lane->catalog);
  }
  // Declared data changes by the version the set uses; an unknown revision is input.
  std::map<std::string, std::string> declared;
  for (const auto& [version, reason] : options.data_changes) {
    declared[set.revisions[IndexOrThrow(set, version, "--data-change")].version] = reason;
  }
  if (options.data_fixtures) {
    lane->observers.push_back(&lane->fixtures.emplace(*options.data_fixtures, std::move(declared)));
  }
  lane->observers.push_back(&lane->verify_scripts);
  if (watch_now && lane->tracked) lane->tracked->Start(*session);
  if (!watch_now && watch_later && lane->tracked) lane->tracked->PrepareAside(*session);
  if (options.code_steps) {
    lane->code = options.code_steps(*session);
    lane->runner->UseAlembic(set, lane->code.get());
  }
  return lane;
}

// Whole-catalog reads a lane made (and whether its first ran ahead); for a tracked lane this
// ends the watch (one more read).
// Returns the watch's misses (empty when it saw everything, or for untracked lanes).
std::vector<std::string> CloseLane(Lane& lane, const Options& options, int& full_reads,
                                   bool& read_ahead) {
  std::vector<std::string> missed;
  if (lane.tracked) {
    const bool started = lane.tracked->started();
    read_ahead = read_ahead || lane.tracked->read_ahead();
    missed = lane.tracked->Finish(*lane.session, !options.databases_dropped_after);
    full_reads += lane.tracked->full_reads() + (started ? 1 : 0);
  } else if (options.snapshots != Options::Snapshots::kOff) {
    full_reads += lane.catalog.snapshots_taken();
  }
  return missed;
}

// The label of the revision whose failed up revision i builds on (through a parent, or an
// Alembic depends_on), or empty. `failed_up` and `blocked_by` are per revision, filled for the
// revisions before i (parents come first).
std::string BuildsOnFailed(const source::MigrationSet& set, int i,
                           const std::vector<char>& failed_up,
                           const std::vector<std::string>& blocked_by) {
  const source::Revision& rev = set.revisions[i];
  std::vector<std::string> needs = rev.parents;
  if (rev.alembic) {
    needs.insert(needs.end(), rev.alembic->depends_on.begin(), rev.alembic->depends_on.end());
  }
  for (const std::string& version : needs) {
    const int p = set.IndexOf(version);
    if (p < 0 || p >= i) continue;
    if (!blocked_by[p].empty()) return blocked_by[p];
    if (failed_up[p]) return set.revisions[p].Label();
  }
  return {};
}

}  // namespace

PreparedSteps PrepareSteps(const source::MigrationSet& set) {
  PreparedSteps steps;
  for (const source::Revision& rev : set.revisions) {
    steps.ups.push_back(applier::PrepareStep({&rev, history::Direction::kUp}).ValueOrThrow());
    if (rev.down) {
      steps.downs.push_back(applier::PrepareStep({&rev, history::Direction::kDown}).ValueOrThrow());
    }
  }
  return steps;
}

std::vector<std::string> Result::FailedRevisions() const {
  std::vector<std::string> labels;
  for (const RevisionResult& r : revisions) {
    if (r.failure) labels.push_back(r.label);
  }
  return labels;
}

Result Run(db::Session& session, const source::MigrationSet& set, const Options& options,
           const std::vector<PhaseObserver*>& extra_observers, ProgressListener* listener) {
  const Selection selection = Select(set, options);
  // Whether the lane's first step is the up of a revision that round-trips (revisions before
  // share_begin go up only here).
  const bool first_round_trips = !set.revisions.empty() && options.share_begin <= 0 &&
                                 RoundTrips(set.revisions[0], selection.reason[0]);
  const int total = static_cast<int>(set.revisions.size());
  const int end = options.share_end < 0 ? total : std::min(total, options.share_end);
  int first_round_trip = end;  // this lane's first revision that round-trips
  for (int i = std::max(0, options.share_begin); i < end; ++i) {
    if (RoundTrips(set.revisions[i], selection.reason[i])) {
      first_round_trip = i;
      break;
    }
  }
  const bool later_round_trips = first_round_trip < end;
  std::unique_ptr<Lane> lane =
      OpenLane(nullptr, &session, set, options, first_round_trips, later_round_trips);
  Result result;
  result.snapshots = options.snapshots;
  if (lane->tracking_refused) {
    result.snapshots = Options::Snapshots::kFull;
    result.snapshots_fallback = "the role may not create event triggers";
  }
  const Clock::time_point start = Clock::now();
  std::optional<PreparedSteps> own_steps;
  const PreparedSteps& steps =
      options.steps ? *options.steps : own_steps.emplace(PrepareSteps(set));
  const std::vector<applier::PreparedStep>& ups = steps.ups;
  const std::vector<applier::PreparedStep>& downs = steps.downs;
  std::size_t next_down = 0;
  // In a linear history every later revision builds on the one before: a failed up ends it.
  const bool linear = set.format != source::Format::kAlembic;
  std::vector<char> applied(total, 0);         // the revision's up is part of the database
  std::vector<char> failed_up(total, 0);       // its up failed
  std::vector<std::string> blocked_by(total);  // the failed up it builds on
  bool any_failed_up = false;                  // else no parent is looked up

  // A fresh database with the ups of the applied revisions through `through` (their fixtures
  // loaded), for going on after a failure that left the database half-way. Nothing compares
  // on the way; the extra observers are not told. Returns why it could not, or empty.
  auto rebuild = [&](int through) -> std::string {
    CloseLane(*lane, options, result.full_catalog_reads, result.catalog_read_ahead);
    lane.reset();  // unlocks, disconnects and drops a database rebuilt before
    lane = OpenLane(options.fresh_database(), nullptr, set, options, /*watch_now=*/false);
    ++result.rebuilds;
    std::vector<FindingDetail> details;
    for (int j = 0; j <= through; ++j) {
      if (!applied[j]) continue;
      PhaseContext context{set.revisions[j], j, Phase::kBefore, *lane->session, false, details};
      try {
        Notify(lane->observers, context);
        lane->runner->RunStep(ups[j]);
        context.phase = Phase::kAfterUp;
        Notify(lane->observers, context);
      } catch (const applier::MigrationFailed& e) {
        return fmt::format("building the database again, the up of {} failed: {}",
                           set.revisions[j].Label(), e.diagnostic().message);
      }
    }
    return {};
  };

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
    const applier::PreparedStep* down_step = rev.down ? &downs[next_down++] : nullptr;
    if (any_failed_up) blocked_by[i] = BuildsOnFailed(set, i, failed_up, blocked_by);
    if (!blocked_by[i].empty()) {
      // Nothing of it runs: its up needs what the failed up would have made.
      if (elsewhere) continue;
      r.skipped_because = blocked_by[i];
      r.irreversible = false;
      result.revisions.push_back(std::move(r));
      if (listener != nullptr) listener->RevisionDone(result.revisions.back(), i, total);
      continue;
    }
    db::Session& db = *lane->session;
    if (i < first_round_trip && lane->tracked) lane->tracked->UpOnlyAhead(first_round_trip - i);
    // Up-only revisions are still seen by observers at S0 and S1 (data fixtures load there).
    auto at = [&](Phase phase) {
      PhaseContext context{rev, i, phase, db, round_trip, r.details};
      Notify(lane->observers, context);
      Notify(extra_observers, context);
    };
    try {
      at(Phase::kBefore);
      r.failed_step = "up";
      {
        // The first up of a revision this run reports is the one the lock trace hears.
        const OpenGate traced(lane->trace_gate, !elsewhere);
        r.up = lane->runner->RunStep(ups[i]);
      }
      applied[i] = 1;
      at(Phase::kAfterUp);
      if (round_trip) {
        r.failed_step = "down";
        r.down = lane->runner->RunStep(*down_step);
        at(Phase::kAfterDown);
        r.failed_step = "re-up";
        r.reup = lane->runner->RunStep(ups[i]);
        at(Phase::kAfterReUp);
      }
      r.failed_step.clear();
    } catch (const applier::MigrationFailed& e) {
      r.failure = e.what();
      r.failure_rolled_back = e.rolled_back();
      r.failure_path = e.diagnostic().path;
      r.failure_line = e.diagnostic().pos.line;
    }
    // A revision that is not round-tripped is not blamed for lacking a down.
    if (r.up_only) r.irreversible = false;

    // After a failure: where the database stands decides how the run goes on, if it does.
    std::string stop_reason;
    if (r.failure) {
      const bool up_failed = r.failed_step == "up";
      failed_up[i] = up_failed ? 1 : 0;
      any_failed_up = any_failed_up || up_failed;
      // A rolled-back up leaves S0 and a rolled-back down S1: the run goes on from there. A
      // re-up that failed leaves S0' (not S1), anything half done leaves neither.
      const bool in_place = r.failure_rolled_back && r.failed_step != "re-up";
      if (options.fail_fast) {
        stop_reason = fmt::format("--fail-fast stopped the run at {}", r.label);
      } else if (up_failed && linear) {
        stop_reason = fmt::format("they build on {}, whose up failed", r.label);
      } else if (!in_place && !options.fresh_database) {
        stop_reason = fmt::format(
            "the run stopped at {}: its failed {} left the database where the run cannot go on "
            "from, and no fresh database was at hand to build it again",
            r.label, r.failed_step);
      } else if (!in_place) {
        // Built through the revision before a failed up (its descendants are skipped), or
        // through this one after a failed down or re-up.
        stop_reason = rebuild(i);
        r.rebuilt = stop_reason.empty();
      }
    }
    if (!elsewhere) {  // else reported by the database that round-trips it
      result.irreversible += r.irreversible ? 1 : 0;
      result.findings += r.FindingCount();
      result.failed = result.failed || r.failure.has_value();
      result.revisions.push_back(std::move(r));
      if (listener != nullptr) listener->RevisionDone(result.revisions.back(), i, total);
    }
    if (!stop_reason.empty()) {
      result.stopped = true;
      result.failed = true;
      result.not_run_reason = std::move(stop_reason);
      for (int j = i + 1; j < total; ++j) result.not_run.push_back(set.revisions[j].Label());
      break;
    }
  }
  // The tracked catalog must equal a full snapshot of the final state; a difference means the
  // watch missed a command, and the comparisons may have missed a leftover.
  std::vector<std::string> missed =
      CloseLane(*lane, options, result.full_catalog_reads, result.catalog_read_ahead);
  if (!missed.empty() && !result.stopped && !result.revisions.empty() &&
      !result.revisions.back().failure && result.revisions.back().skipped_because.empty()) {
    RevisionResult& last = result.revisions.back();
    for (const std::string& line : missed) {
      last.details.push_back(
          {"roundtrip-tracking", last.reup ? "re-up" : "up", "", "",
           fmt::format("{}: the change watch missed a change; rerun with --full-snapshots and "
                       "please report it: {}",
                       last.label, line),
           Severity::kError});
      ++result.findings;
    }
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

std::vector<int> RevisionCosts(const source::MigrationSet& set, const Options& options) {
  const Selection selection = Select(set, options);
  std::vector<int> cost(set.revisions.size());
  for (std::size_t i = 0; i < cost.size(); ++i) {
    cost[i] = RoundTrips(set.revisions[i], selection.reason[i]) ? kRoundTripCost : 1;
  }
  return cost;
}

int SplitPoint(const source::MigrationSet& set, const Options& options) {
  const std::vector<int> cost = RevisionCosts(set, options);
  const int total = static_cast<int>(cost.size());
  const int begin = std::clamp(options.share_begin, 0, total);
  const int end = options.share_end < 0 ? total : std::clamp(options.share_end, begin, total);
  int round_trips = 0;
  int rest = 0;
  for (int i = begin; i < end; ++i) {
    round_trips += cost[i] == kRoundTripCost ? 1 : 0;
    rest += cost[i];
  }
  if (round_trips < kMinSplitRoundTrips) return 0;
  // Cut at k: the first database's load is an up for each revision before the share and the
  // cost of [begin, k); the second's is one up for each revision before k and the cost of the
  // rest.
  int first = begin, best = 0, best_load = begin + rest;
  for (int k = begin + 1; k < end; ++k) {
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

namespace {

// The slices of `count` shards whose loads all stay within `limit`, cut from the last shard
// back (each takes as many revisions as fit, so the first shard, which also lints and checks
// drift, is the lightest); nullopt when the revisions do not fit. A slice [b, e) loads its
// shard with b ups and the cost of its revisions; an empty slice loads it with nothing.
std::optional<std::vector<ShardSlice>> SlicesWithin(const std::vector<int>& costs, int count,
                                                    int first_extra, long long limit) {
  std::vector<ShardSlice> slices(count);
  int end = static_cast<int>(costs.size());
  for (int s = count - 1; s >= 1; --s) {
    int begin = end;
    long long load = end;  // `begin` ups, then the costs of [begin, end)
    while (begin > 0 && load - 1 + costs[begin - 1] <= limit) {
      load += costs[begin - 1] - 1;
      --begin;
    }
    slices[s] = {begin, end};
    end = begin;
  }
  long long first = first_extra;
  for (int i = 0; i < end; ++i) first += costs[i];
  if (first > limit) return std::nullopt;
  slices[0] = {0, end};
  return slices;
}

}  // namespace

ShardSlice SliceForShard(const std::vector<int>& costs, int index, int count, int first_extra) {
  if (count < 1 || index < 1 || index > count) return {};
  // The smallest limit every shard's load fits in: loads grow with the limit, so a binary
  // search finds it. One shard doing everything always fits.
  long long low = 0;
  long long high = first_extra;
  for (int c : costs) high += c;
  while (low < high) {
    const long long mid = low + (high - low) / 2;
    if (SlicesWithin(costs, count, first_extra, mid)) {
      high = mid;
    } else {
      low = mid + 1;
    }
  }
  return (*SlicesWithin(costs, count, first_extra, low))[index - 1];
}

Result RunSplit(db::Session& first, const std::function<db::Session&()>& open_second,
                const source::MigrationSet& set, const Options& options, int cut,
                ProgressListener* listener) {
  if (cut <= 0) return Run(first, set, options, {}, listener);
  const Clock::time_point start = Clock::now();
  std::atomic<bool> first_stopped{false};
  Options head = options;
  head.share_end = cut;
  Options tail = options;
  tail.share_begin = cut;
  tail.cancelled = &first_stopped;
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
    first_stopped = true;
    worker.join();
    throw;
  }
  // A failure the first database went on from leaves the second one's findings as they are: it
  // applied those revisions up only, and skipped the descendants of a failed up as one database
  // would. A failure that ended the first run ends the whole run there.
  first_stopped = result.stopped;
  if (!result.stopped) held.Open();  // else the second database's revisions are not reported
  worker.join();
  if (!result.stopped) {
    if (second_error) std::rethrow_exception(second_error);
    for (RevisionResult& r : second_result.revisions) result.revisions.push_back(std::move(r));
    result.irreversible += second_result.irreversible;
    result.findings += second_result.findings;
    result.failed = result.failed || second_result.failed;
    result.stopped = second_result.stopped;
    result.not_run = std::move(second_result.not_run);
    result.not_run_reason = std::move(second_result.not_run_reason);
    result.rebuilds += second_result.rebuilds;
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

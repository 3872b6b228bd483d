// verify --roundtrip: for each revision, from base: up, down, up again on a throwaway database,
// each step through the same applier a real upgrade uses. Observers hook in after every step
// (catalog snapshots S0/S1/S0'/S1' plug in here) and may add findings.
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/common/diagnostic.h"
#include "runner/db/session.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"

namespace stairway::verifier::roundtrip {

// Where the database stands for a revision r, named as in DESIGN.md.
enum class Phase {
  kBefore,     // S0: before up(r)
  kAfterUp,    // S1: after up(r)
  kAfterDown,  // S0': after down(r); must equal S0
  kAfterReUp,  // S1': after the second up(r); must equal S1
};
std::string_view PhaseName(Phase phase);  // "S0", "S1", "S0'", "S1'"

// A roundtrip finding as the check saw it: which rule, at which step of the revision ("up",
// "down", "re-up"), about which catalog object when there is one (kind "table", identity
// "public.users"), and the line the text report prints. The report takes the step from here.
struct FindingDetail {
  std::string rule;
  std::string step;
  std::string object_kind;
  std::string object;
  std::string message;
  Severity severity = Severity::kError;  // kWarning: column order only; kInfo: a note
};

// The revision step whose result a phase shows: S1 "up", S0' "down", S1' "re-up"; S0 "".
std::string_view StepOfPhase(Phase phase);

struct PhaseContext {
  const source::Revision& revision;
  int index;  // 0-based position in the set
  Phase phase;
  db::Session& session;  // the throwaway database; the migration lock is held on it
  // False when this revision is applied up only (options, marker, no down): kAfterDown and
  // kAfterReUp will not come.
  bool round_trip = true;
  // Where Add(), AddSoft() and AddNote() record this revision's findings
  // (RevisionResult::details). Each message is one line starting with the revision label
  // ("0004_add_roles: down left behind type ...").
  std::vector<FindingDetail>& details;

  // A finding of `rule` at this phase's step, about `object` (kind, identity) when given.
  void Add(std::string rule, std::string line, std::string object_kind = {},
           std::string object = {}) {
    details.push_back({std::move(rule), std::string(StepOfPhase(phase)), std::move(object_kind),
                       std::move(object), std::move(line), Severity::kError});
  }
  // A warning (roundtrip-column-order) at this phase's step.
  void AddSoft(std::string line, std::string object_kind = {}, std::string object = {}) {
    details.push_back({"roundtrip-column-order", std::string(StepOfPhase(phase)),
                       std::move(object_kind), std::move(object), std::move(line),
                       Severity::kWarning});
  }
  // A note of `rule` (info: never fails the run) at this phase's step, about `object` when given.
  void AddNote(std::string rule, std::string line, std::string object_kind = {},
               std::string object = {}) {
    details.push_back({std::move(rule), std::string(StepOfPhase(phase)), std::move(object_kind),
                       std::move(object), std::move(line), Severity::kInfo});
  }
};

class PhaseObserver {
 public:
  virtual ~PhaseObserver() = default;
  virtual void AtPhase(PhaseContext& context) = 0;
};

enum class Irreversible { kFail, kAllow };

// Every revision's up and down split into statements (applier::PrepareStep), once per run: a
// section the scanner rejects is input (StopError, exit 2), found before anything runs.
struct PreparedSteps {
  std::vector<applier::PreparedStep> ups;    // one per revision, in the set's order
  std::vector<applier::PreparedStep> downs;  // one per revision with a down, in that order
};
PreparedSteps PrepareSteps(const source::MigrationSet& set);

struct Options {
  applier::Options applier;
  Irreversible irreversible = Irreversible::kFail;
  // --from REV: revisions before REV are applied up only (not round-tripped).
  std::optional<std::string> from;
  // --skip REV (repeatable): applied up only and reported as skipped.
  std::vector<std::string> skip;
  // --min-downgrade REV: revisions before REV are not down-tested.
  std::optional<std::string> min_downgrade;
  // The databases are dropped right after the run (not --keep): the change watch is left in
  // them instead of removed.
  bool databases_dropped_after = false;
  // Versions to round-trip (the CLI computes them from --changed-since); others are applied up
  // only. Unset: every revision.
  std::optional<std::vector<std::string>> only;
  // --fixtures DIR: SQL data fixtures named after revisions (docs/roundtrip.md). Unset: none.
  std::optional<std::filesystem::path> data_fixtures;
  // --data-change REV=REASON / [verify] data-change: revisions whose data changes are intended,
  // by version as given, with the reason (for revisions whose files cannot take a
  // `-- stairway:data-change` marker, e.g. already applied ones: an edit changes their checksum).
  std::map<std::string, std::string> data_changes;
  // How the strict S0'==S0 / S1'==S1 catalog comparison reads the catalog:
  //   kTracked  event triggers log what each step touches and only that is re-read (one round
  //             trip per step); a full snapshot at the end proves the tracked catalog exact.
  //             Falls back to kFull when the role may not create event triggers.
  //   kChecked  kTracked, plus a full snapshot after every step compared with the tracked one
  //             (differences are findings): for tests.
  //   kFull     a full catalog snapshot after every step.
  //   kOff      no comparison: only prove the steps run.
  enum class Snapshots { kTracked, kChecked, kFull, kOff } snapshots = Snapshots::kTracked;
  // When up-only revisions come before the first that round-trips (--base, --from), the tracked
  // catalog's first whole read runs on a second session beside the last of them, and the first
  // round trip only re-reads what they touched (TrackedCatalogObserver::UpOnlyAhead):
  //   kWhenDue  started when the remaining ups should take about as long as the read
  //   kAtOnce   started before the second up-only revision (tests: what the first made is read
  //             ahead, the others run beside the read or after it)
  //   kOff      the whole read at the first round trip
  enum class ReadAhead { kWhenDue, kAtOnce, kOff } read_ahead = ReadAhead::kWhenDue;

  // PrepareSteps(set) made ahead (verify does it while its database is being made), shared by
  // the databases of a split run. Unset: Run makes them.
  std::shared_ptr<const PreparedSteps> steps;

  // A share of a run split across databases (RunSplit sets these): revisions before
  // `share_begin` are applied up only and left out of the result, since another database
  // round-trips them; the run ends before revision `share_end` (-1: runs to the last one).
  int share_begin = 0;
  int share_end = -1;
  // Checked between revisions: once set, the run ends early (its result is then not used).
  const std::atomic<bool>* cancelled = nullptr;

  // Alembic: makes what runs the revisions' Python on the database `session` is connected to
  // (the helper, connected to that database). Called once per database a run uses, on that
  // database's thread. Unset for the SQL formats.
  std::function<std::unique_ptr<applier::CodeSteps>(db::Session& session)> code_steps;

  // verify --lock-trace: an observer for the runner of each database the run uses, made on that
  // database's thread with the session the runner uses (it must outlive the run). It hears the
  // first up of each revision the run reaches (StepStarted, the statements, StepFinished), and
  // nothing else: not the downs and re-ups, nor the ups of the revisions another database
  // reports (RunSplit) or of a database built again after a failure. So the trace costs no
  // apply of its own. Unset: no trace.
  std::function<applier::Observer*(db::Session& session)> trace_first_up;

  // --fail-fast: the first failing step ends the run. Otherwise a failing step is a finding and
  // the run goes on: after a step that rolled back whole, from where the database stands; after
  // one that left part of itself done (outside a transaction) or a failed re-up, on a database
  // built again from `fresh_database`. The descendants of a revision whose up failed are skipped
  // (in a linear history that is every later revision, so the run ends there).
  bool fail_fast = false;
  // A new, empty throwaway database (dropped when the pointer dies). Called, on the run's thread,
  // when a failure leaves the database where it cannot go on from; each call replaces the
  // database the run used before. Unset: such a failure ends the run as with fail_fast.
  std::function<std::unique_ptr<sandbox::ThrowawayDatabase>()> fresh_database;
};

struct RevisionResult {
  std::string label;
  bool irreversible = false;         // no down section: only up ran
  bool irreversible_marker = false;  // `-- stairway:irreversible`: intentionally irreversible
  // Applied up only because of --from/--skip/--min-downgrade/only; the reason is printed.
  bool up_only = false;
  bool skipped = false;  // named by --skip
  std::string up_only_reason;
  std::optional<std::chrono::milliseconds> up, down, reup;
  // Every finding, warning and note, in the order the checks recorded them
  // (PhaseContext::Add/AddSoft/AddNote): the report's rule, step and object come from here.
  std::vector<FindingDetail> details;
  // The messages of the details of one severity, in that order: the findings (errors), the
  // soft findings (warnings: column order only) and the notes (info: declared data changes).
  std::vector<std::string> Messages(Severity severity) const;
  std::vector<std::string> Findings() const { return Messages(Severity::kError); }
  int FindingCount() const;  // the errors among the details
  // Set when a step failed: the rendered diagnostic.
  std::optional<std::string> failure;
  std::string failed_step;  // "up", "down" or "re-up" when failure is set
  // Where the diagnostic points (file and line of the failing statement), when it does.
  std::string failure_path;
  int failure_line = 0;
  // False when part of the failed step stayed done (outside a transaction, autocommit_block()).
  bool failure_rolled_back = true;
  // The database was built again (ups only) after this revision's failure, to go on.
  bool rebuilt = false;
  // Set when this revision did not run because it builds on a revision whose up failed: that
  // revision's label. Nothing of this revision ran.
  std::string skipped_because;
};

struct Result {
  std::vector<RevisionResult> revisions;
  std::chrono::milliseconds total{0};
  int irreversible = 0;
  int findings = 0;
  bool failed = false;  // a step failed (see the revisions' failure)
  // The run ended at a failure (--fail-fast, a linear history whose up failed, or no way to
  // rebuild the database): `not_run` lists the revisions after it, `not_run_reason` says why.
  bool stopped = false;
  std::vector<std::string> not_run;
  std::string not_run_reason;
  int rebuilds = 0;  // databases built again to go on after a failure
  // How the catalog was compared, and how often it was read whole.
  Options::Snapshots snapshots = Options::Snapshots::kOff;
  int full_catalog_reads = 0;
  // The tracked catalog's first whole read ran beside up-only revisions (Options::read_ahead).
  bool catalog_read_ahead = false;
  // Why full snapshots were taken when tracked reads were asked for ("the role may not create
  // event triggers"); empty otherwise.
  std::string snapshots_fallback;

  // Exit code: 1 a failed step, findings or (not allowed) irreversible revisions, else 0. A
  // check that cannot run (no database) throws StopError instead (exit 3).
  int ExitCode(Irreversible irreversible_policy) const;
  // Labels of the revisions with a failed step, in order.
  std::vector<std::string> FailedRevisions() const;
};

// The index of the revision an option names (--from, --skip, --min-downgrade, --data-change): a
// version ("0003"), the label the verify table prints ("0003_add_orders"), a unique prefix of
// either, or an Alembic revision id or prefix (planner::ResolveRevision). Anything else throws an
// input error (exit 2) naming the option and the value, with the closest labels when some are
// close.
int ResolveOption(const source::MigrationSet& set, std::string_view revision,
                  std::string_view option);

// Reports each revision as it completes (the CLI prints a line per revision).
class ProgressListener {
 public:
  virtual ~ProgressListener() = default;
  virtual void RevisionDone(const RevisionResult& result, int index, int total) = 0;
};

// Runs the roundtrip on `session` (an empty throwaway database). The built-in checks run per
// `options` (catalog snapshots when snapshots == kFull, data fixtures when data_fixtures is
// set), then `observers` in order, after each step. A failing step sets Result::failed and, per
// Options::fail_fast, ends the run or is passed (see there); other StopErrors propagate.
// `observers` are not told of the ups that rebuild a database after a failure.
Result Run(db::Session& session, const source::MigrationSet& set, const Options& options,
           const std::vector<PhaseObserver*>& observers = {}, ProgressListener* listener = nullptr);

// Where RunSplit cuts the set: the first revision the second database round-trips, or 0 when
// the set is too small for a second database to pay off (fewer than kMinSplitRoundTrips
// revisions to round-trip). The cut evens out the work: the first database round-trips the
// revisions before it, the second applies those up only (a step each instead of three steps and
// three catalog reads) and round-trips the rest.
inline constexpr int kMinSplitRoundTrips = 16;
// Only the share [options.share_begin, options.share_end) is cut: a cut inside it, or 0.
int SplitPoint(const source::MigrationSet& set, const Options& options);

// What each revision costs a database that reaches it, in applied ups: a round trip about four
// (three steps and three catalog reads, the down's cheaper), an up-only revision one.
std::vector<int> RevisionCosts(const source::MigrationSet& set, const Options& options);

// verify --shard I/N: the revisions [begin, end) shard I round-trips (0-based; empty when
// begin == end). A shard applies the revisions before its slice up only, so its load is
// `begin` ups plus the cost of its slice; slices are cut so that the heaviest shard's load is
// as small as it can be, later shards taking fewer revisions. `first_extra` is work only the
// first shard does (drift), in ups. The slices of 1..N cover the set in order.
struct ShardSlice {
  int begin = 0;
  int end = 0;
};
ShardSlice SliceForShard(const std::vector<int>& costs, int index, int count, int first_extra = 0);

// Run on two empty throwaway databases at once, each on its own thread: `first` round-trips the
// revisions before `cut` (SplitPoint's answer), `second` applies them up only and round-trips
// the rest. The result is the one Run would give on one database (the same revisions, findings
// and order) when every roundtrip before the cut is clean; if one is not, that revision's
// findings are reported as Run would, and the later ones are checked from the state a plain
// upgrade leaves.
// A failure that ends the run on `first` (Result::stopped) ends both runs; other failures before
// the cut do not change what the second database finds (it applies those revisions up only,
// and a failed up is skipped there with its descendants, as on one database). The listener hears
// the first database's revisions as they finish and the second's after them, in order.
// With a cut of 0 it is Run on `first`. `open_second` makes the second database and returns a
// session on it; it is called on the second database's thread, so the first one starts
// meanwhile.
Result RunSplit(db::Session& first, const std::function<db::Session&()>& open_second,
                const source::MigrationSet& set, const Options& options, int cut,
                ProgressListener* listener = nullptr);

}  // namespace stairway::verifier::roundtrip

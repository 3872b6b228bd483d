// Strict roundtrip on the tracked catalog (see tracked_observer.h).
#include "verifier/roundtrip/tracked_observer.h"

#include <fmt/format.h>

#include <map>
#include <set>
#include <string_view>
#include <utility>

#include "runner/common/error.h"
#include "runner/sql/parse.h"
#include "verifier/roundtrip/catalog_observer.h"
#include "verifier/schema/diff.h"

namespace stairway::verifier::roundtrip {

namespace {

using Key = std::pair<std::string_view, std::string_view>;

// The objects any of `patches` (oldest first) changed, as they stood before the first patch
// (`before`) and as they stand now (`after`). Every other object is the same in both states, so
// comparing these two gives exactly the differences of the full snapshots.
void StatesAround(const schema::TrackedCatalog& catalog,
                  const std::vector<const schema::TrackedPatch*>& patches, schema::Snapshot& before,
                  schema::Snapshot& after) {
  std::map<Key, const schema::Object*> now;
  for (const schema::TrackedPatch* p : patches) {
    for (const auto* list : {&p->removed, &p->added}) {
      for (const schema::Object& o : *list) now.emplace(Key{o.kind, o.identity}, nullptr);
    }
  }
  for (auto& [key, object] : now) {
    object = catalog.Find(std::string(key.first), std::string(key.second));
  }
  std::map<Key, const schema::Object*> then = now;
  for (auto p = patches.rbegin(); p != patches.rend(); ++p) {
    for (const schema::Object& o : (*p)->added) then[Key{o.kind, o.identity}] = nullptr;
    for (const schema::Object& o : (*p)->removed) then[Key{o.kind, o.identity}] = &o;
  }
  for (const auto& [key, object] : then) {
    if (object) before.objects.push_back(*object);
  }
  for (const auto& [key, object] : now) {
    if (object) after.objects.push_back(*object);
  }
}

// Whether the watch's event triggers report every effect of `s` on the snapshot. Anything else
// may change what only the refresh's fingerprint notices: roles, tablespaces and event triggers
// (event triggers do not fire for them), CLUSTER and catalog writes (index flags), and code
// that can do any of those (DO, CALL, queries and DML that call functions). Statements whose
// object kind the parse views do not say (COMMENT, ALTER ... OWNER TO, GRANT) count as unseen:
// the fingerprint costs a scan of pg_index, a wrong guess a false finding.
bool EventTriggersSeeAll(const sql::Statement& s) {
  static const std::set<std::string_view> kWatched = {
      "AlterDomainStmt",  "AlterEnumStmt",      "AlterFunctionStmt", "AlterObjectSchemaStmt",
      "AlterPolicyStmt",  "AlterSeqStmt",       "AlterStatsStmt",    "AlterTableStmt",
      "AlterTypeStmt",    "CompositeTypeStmt",  "CreateCastStmt",    "CreateDomainStmt",
      "CreateEnumStmt",   "CreateFunctionStmt", "CreatePolicyStmt",  "CreateRangeStmt",
      "CreateSchemaStmt", "CreateSeqStmt",      "CreateStatsStmt",   "CreateStmt",
      "CreateTrigStmt",   "DefineStmt",         "DropStmt",          "IndexStmt",
      "RenameStmt",       "RuleStmt",           "TransactionStmt",   "VariableSetStmt",
      "ViewStmt"};
  if (s.error || !kWatched.contains(s.node)) return false;
  // Shared objects and event triggers, which no event trigger reports.
  static const std::set<std::string_view> kUnwatchedKinds = {"EVENT_TRIGGER", "ROLE", "TABLESPACE",
                                                             "DATABASE"};
  if (const auto* drop = s.As<sql::Drop>()) return !kUnwatchedKinds.contains(drop->object_type);
  if (const auto* rename = s.As<sql::Rename>()) {
    return !kUnwatchedKinds.contains(rename->object_type);
  }
  return true;
}

// The whole catalog as it stood before `patch`: what it added taken out, what it removed put
// back.
schema::Snapshot Reverted(const schema::Snapshot& after, const schema::TrackedPatch& patch) {
  std::set<Key> added;
  for (const schema::Object& o : patch.added) added.emplace(o.kind, o.identity);
  schema::Snapshot before;
  before.server_version_num = after.server_version_num;
  before.objects.reserve(after.objects.size() + patch.removed.size());
  for (const schema::Object& o : after.objects) {
    if (!added.contains(Key{o.kind, o.identity})) before.objects.push_back(o);
  }
  for (const schema::Object& o : patch.removed) before.objects.push_back(o);
  before.Sort();
  return before;
}

// How a difference between a full snapshot (A) and the tracked catalog (B) reads.
const schema::Wording kTrackingWording{"in a full snapshot", "in the tracked catalog",
                                       "{object} is missing from the tracked catalog",
                                       "{object} is only in the tracked catalog"};

}  // namespace

TrackedCatalogObserver::TrackedCatalogObserver(Check check, Options::ReadAhead read_ahead)
    : check_(check), read_ahead_(read_ahead) {}

void TrackedCatalogObserver::PrepareAside(db::Session& session) {
  prepared_ =
      std::async(std::launch::async, [this, &session]() -> std::optional<schema::TrackedCatalog> {
        aside_ = session.Companion();
        if (aside_ == nullptr) return std::nullopt;  // connection limit, ...
        return schema::TrackedCatalog::Prepare(*aside_);
      });
}

bool TrackedCatalogObserver::TakePrepared() {
  if (prepared_.valid()) {
    try {
      ready_ = prepared_.get();
    } catch (const StopError&) {
      // A step dropped what the warm-up read, say: Start installs the watch the usual way.
      ready_.reset();
    }
  }
  return ready_.has_value();
}

void TrackedCatalogObserver::UpOnlyAhead(int left) {
  // The read should end about when the last up-only revision does: started later, the first
  // round trip waits for it; earlier, Start re-reads more of what the ups touched meanwhile.
  // Prepare's read (cold) takes longer than this warm one: on the 200-revision bench, 0.6 of it
  // ended the read 0-5 ms before the first round trip (1.0: 35 ms before, and an 8 ms longer
  // refresh there).
  constexpr double kReadsPerPreparedRead = 0.6;
  // Nothing prepared (or the preparation failed: taken, and nothing ready) is nothing to start.
  if (read_ahead_ == Options::ReadAhead::kOff || catalog_ || ahead_tried_ ||
      (!prepared_.valid() && !ready_)) {
    return;
  }
  if (read_ahead_ == Options::ReadAhead::kWhenDue) {
    const auto now = std::chrono::steady_clock::now();
    if (ups_seen_++ == 0) first_up_ = now;
    if (prepared_.valid() &&
        prepared_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) {
      return;  // still preparing
    }
    if (!TakePrepared() || ups_seen_ < 3) return;  // a few ups first, for their pace
    const double per_up =
        std::chrono::duration<double, std::milli>(now - first_up_).count() / (ups_seen_ - 1);
    if (left * per_up > kReadsPerPreparedRead * ready_->prepare_read_ms()) return;
  } else if (ups_seen_++ == 0 || !TakePrepared()) {  // kAtOnce: waits for the preparation
    return;
  }
  ahead_tried_ = true;
  try {
    ready_->Watch(*aside_);
  } catch (const StopError&) {
    return;  // Start arms it as without the read ahead
  }
  ahead_ = std::async(std::launch::async, [this] {
    try {
      ready_->ReadAhead(*aside_);
    } catch (const StopError&) {
      // Arm reads the whole catalog instead.
    }
  });
}

void TrackedCatalogObserver::Start(db::Session& session) {
  if (ahead_.valid()) ahead_.get();
  if (TakePrepared()) {
    try {
      ready_->Arm(*aside_);
      catalog_ = std::move(ready_);
      ready_.reset();
      return;
    } catch (const StopError&) {
      // The usual start below installs the watch over whatever the preparation left.
    }
    ready_.reset();
  }
  if (aside_ != nullptr) {
    session.CloseCompanion();  // with the preparation's lock_timeout
    aside_ = nullptr;
  }
  catalog_ = schema::TrackedCatalog::Start(session);
  if (!catalog_) {
    throw StopError(Error::Database(
        "the change watch could not be installed before the first revision that round-trips: "
        "the role may no longer create event triggers (a migration changed it?); rerun with "
        "--full-snapshots"));
  }
}

std::vector<std::string> TrackedCatalogObserver::Missed(db::Session& session, Read read,
                                                        db::Session* idle) const {
  // Up to a few hundred tables, the tracked catalog's own queries (prepared when it started)
  // read it faster than TakeSnapshot, which opens and primes a companion session and plans its
  // queries: 129 against 162 ms for a one-revision roundtrip (medians of 11). With 1,000 tables,
  // sharing the queries with the companion halves the read (76 against 135 ms).
  constexpr std::size_t kCompanionPaysFrom = 3000;  // objects
  const bool own = read == Read::kTrackedQueries && catalog_->size() < kCompanionPaysFrom;
  return schema::RenderAll(
      schema::Compare(own ? catalog_->ReadAll(session, idle) : schema::TakeSnapshot(session),
                      catalog_->Current()),
      kTrackingWording);
}

void TrackedCatalogObserver::StepRan(const source::Section& section) {
  auto [it, fresh] = watched_.try_emplace(&section, true);
  if (fresh) {
    for (const sql::Statement& s : sql::ParseScript(section.sql).statements) {
      it->second = it->second && EventTriggersSeeAll(s);
    }
  }
  unwatched_ = unwatched_ || !it->second;
}

schema::TrackedPatch TrackedCatalogObserver::Refresh(PhaseContext& context) {
  schema::TrackedPatch patch = catalog_->Refresh(Reader(context.session), unwatched_);
  pending_ = false;
  unwatched_ = false;
  if (check_ == Check::kEveryStep) {
    for (const std::string& line : Missed(Reader(context.session), Read::kSnapshotQueries)) {
      context.Add("roundtrip-tracking",
                  fmt::format("{}: {}: tracked catalog differs: {}", context.revision.Label(),
                              PhaseName(context.phase), line));
    }
  }
  return patch;
}

void TrackedCatalogObserver::CompareAcross(PhaseContext& context, const schema::TrackedPatch& first,
                                           const schema::TrackedPatch& second) {
  schema::Snapshot before, after;
  StatesAround(*catalog_, {&first, &second}, before, after);
  if (schema::Compare(before, after).empty()) return;
  // Findings are worded from the whole catalog, on the few revisions that have any: a table's
  // columns in full for a column order, and the catalog between the two steps (S1, for a down)
  // to tell what the up did from what the down did.
  const schema::Snapshot now = catalog_->Current();
  const schema::Snapshot middle = Reverted(now, second);
  const schema::Snapshot start = Reverted(middle, first);
  if (context.phase == Phase::kAfterDown) {  // start S0, middle S1, now S0'
    ReportDifferences(context, schema::Compare(start, now), context.phase, {&start, &middle});
  } else {  // start S1, middle S0', now S1'; S0 is S1 before the up
    const schema::Snapshot s0 = Reverted(start, up_);
    ReportDifferences(context, schema::Compare(start, now), context.phase, {&s0, &start, &middle});
  }
}

void TrackedCatalogObserver::AtPhase(PhaseContext& context) {
  switch (context.phase) {
    case Phase::kBefore:
      // Up-only revisions are not refreshed one by one: the log keeps their changes until the
      // next revision that is compared needs a clean start.
      if (!context.round_trip) break;
      if (!catalog_) {
        Start(context.session);
      } else if (pending_) {
        Refresh(context);
      }
      break;
    case Phase::kAfterUp:
      if (!catalog_) break;  // up only, before the watch: the start reads what it made
      StepRan(context.revision.up);
      if (context.round_trip) {
        up_ = Refresh(context);
      } else {
        pending_ = true;
      }
      break;
    case Phase::kAfterDown:
      StepRan(*context.revision.down);
      down_ = Refresh(context);
      CompareAcross(context, up_, down_);  // S0 vs S0'
      break;
    case Phase::kAfterReUp:
      StepRan(context.revision.up);
      CompareAcross(context, down_, Refresh(context));  // S1 vs S1'
      break;
  }
}

std::vector<std::string> TrackedCatalogObserver::Finish(db::Session& steps, bool remove) {
  if (ahead_.valid()) ahead_.get();
  if (TakePrepared() && remove) {
    // Prepared for a round trip that never came (a failure stopped the run first).
    ready_->Stop(*aside_);
  }
  ready_.reset();
  if (!catalog_) return {};  // nothing round-tripped, so nothing was compared
  db::Session& session = Reader(steps);
  // Also after a failed non-transactional step, whose earlier statements stay applied.
  catalog_->Refresh(session, /*unwatched=*/true);
  pending_ = false;
  unwatched_ = false;
  // The steps' session is idle now: when the watch reads on a session of its own, the two
  // share the last read (the steps' session plans the queries it takes, which costs less than
  // the half of the read it saves: about 15 instead of 30 ms on the 200-revision bench).
  std::vector<std::string> lines =
      Missed(session, Read::kTrackedQueries, &session != &steps ? &steps : nullptr);
  if (remove) catalog_->Stop(session);
  return lines;
}

}  // namespace stairway::verifier::roundtrip

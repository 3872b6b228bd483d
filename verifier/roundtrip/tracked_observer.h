// The strict roundtrip check on a tracked catalog (schema/tracked.h): after each step only the
// objects the step touched are re-read, and S0'==S0, S1'==S1 are decided on the objects the
// steps changed, rewound through the step patches. Same findings as CatalogObserver, without
// three full snapshots per revision.
#pragma once

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "verifier/roundtrip/roundtrip.h"
#include "verifier/schema/tracked.h"

namespace stairway::verifier::roundtrip {

class TrackedCatalogObserver : public PhaseObserver {
 public:
  // kChecked also takes a full snapshot after every refresh and reports any difference from the
  // tracked catalog as a finding (tests run every fixture this way).
  enum class Check { kAtEnd, kEveryStep };
  // The watch is installed (TrackedCatalog::Start, which reads the whole catalog) just before the
  // first revision that round-trips, not before the first step: revisions applied up only before
  // it (verify --base, --from) run without event triggers, and one full read replaces the
  // refresh that would re-read everything they touched. The caller checks CanStart first.
  explicit TrackedCatalogObserver(Check check = Check::kAtEnd,
                                  Options::ReadAhead read_ahead = Options::ReadAhead::kWhenDue);

  // Installs the watch now, when the next step is the first of a revision that round-trips.
  // After PrepareAside, only arms the watch prepared there, and the catalog is read from then
  // on through that session.
  void Start(db::Session& session);
  // Up-only revisions come first (verify --base, --from): prepares the watch on `session`'s
  // companion (a second session of its database), on a thread, while they run on `session`
  // (schema::TrackedCatalog::Prepare), so that Start costs little more than one warm catalog
  // read. Start falls back to the usual way when the preparation failed.
  void PrepareAside(db::Session& session);
  // Called before each up-only revision while the watch waits prepared: `left` up-only
  // revisions, this one included, come before the first that round-trips. Once the rest of them
  // should take about as long as the whole-catalog read, the watch's event triggers start (the
  // steps' session is between steps) and the read runs on the prepared session beside the
  // remaining ups (TrackedCatalog::Watch, ReadAhead): Start then re-reads only what they
  // touched instead of the whole catalog.
  void UpOnlyAhead(int left);

  void AtPhase(PhaseContext& context) override;
  // Compares the tracked catalog with a full snapshot and removes the watch (unless `remove` is
  // false: the database is about to be dropped). Returns one line per difference (empty when the
  // watch saw everything, or never started: nothing round-tripped).
  std::vector<std::string> Finish(db::Session& session, bool remove = true);

  // Whole-catalog reads so far (the start's included); 0 when the watch never started.
  int full_reads() const { return catalog_ ? catalog_->full_reads() : 0; }
  bool started() const { return catalog_.has_value(); }
  // The watch started from a whole read that ran beside the up-only revisions (UpOnlyAhead).
  bool read_ahead() const { return catalog_ && catalog_->read_ahead(); }

 private:
  schema::TrackedPatch Refresh(PhaseContext& context);
  // One line per difference between a full read of the catalog and the tracked catalog. The
  // read is TakeSnapshot's (kSnapshotQueries: independent of the tracked queries, for the
  // every-step check), or at the end of a run the tracked catalog's own when that is faster.
  enum class Read { kSnapshotQueries, kTrackedQueries };
  // `idle`: another session on the database with nothing to do, to share the tracked read.
  std::vector<std::string> Missed(db::Session& session, Read read,
                                  db::Session* idle = nullptr) const;
  // Compares the state before `first` with the state now, on the objects the two patches
  // changed, and reports the differences for context.phase (S0/S0' or S1/S1').
  void CompareAcross(PhaseContext& context, const schema::TrackedPatch& first,
                     const schema::TrackedPatch& second);

  // Notes a step that ran `section`: whether it may have changed what no event trigger sees.
  void StepRan(const source::Section& section);

  // Where the catalog is read: the session PrepareAside opened, or the steps' own.
  db::Session& Reader(db::Session& steps) { return aside_ ? *aside_ : steps; }

  std::optional<schema::TrackedCatalog> catalog_;  // set once the watch is installed
  // PrepareAside's session (the steps' session's companion, closed with it: their server
  // processes are waited for together before the database is dropped) and its work.
  db::Session* aside_ = nullptr;
  std::future<std::optional<schema::TrackedCatalog>> prepared_;
  // The prepared watch once taken from prepared_ (UpOnlyAhead or Start), until Start arms it.
  std::optional<schema::TrackedCatalog> ready_;
  std::future<void> ahead_;   // ReadAhead on aside_, started by UpOnlyAhead
  bool ahead_tried_ = false;  // UpOnlyAhead started the watch (or failed to): not again
  std::chrono::steady_clock::time_point first_up_;
  int ups_seen_ = 0;
  // Takes the preparation's result into ready_ (waits for it); false when it failed.
  bool TakePrepared();
  Check check_;
  Options::ReadAhead read_ahead_;
  bool pending_ = false;    // steps ran since the last refresh
  bool unwatched_ = false;  // one of them may have changed what no event trigger sees
  std::unordered_map<const source::Section*, bool> watched_;  // section -> the watch sees all
  schema::TrackedPatch up_, down_;
};

}  // namespace stairway::verifier::roundtrip

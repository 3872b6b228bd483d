// The strict roundtrip check: catalog snapshots at S0/S1/S0'/S1' and the rule S0' == S0 after
// each down, S1' == S1 after each re-up, each difference one line naming the revision.
#pragma once

#include <optional>

#include "verifier/roundtrip/roundtrip.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/snapshot.h"

namespace stairway::verifier::roundtrip {

// The whole catalog around a revision's steps, as far as known (null: not known).
struct Catalogs {
  const schema::Snapshot* before_up = nullptr;   // S0
  const schema::Snapshot* after_up = nullptr;    // S1
  const schema::Snapshot* after_down = nullptr;  // S0'
};

// Adds one finding per difference between S0 and S0' (phase kAfterDown) or S1 and S1'
// (kAfterReUp), saying what happened: "up dropped table public.x and down did not recreate it",
// "down left behind ...", "up changed ... and down did not change it back: ...". For a down, S1
// tells the up's doing from the down's; without it the lines say only what differs. For a re-up,
// a difference the down's findings already explain (the down left the object otherwise than S0
// and the re-up left it as the down did) is not repeated; that needs S0 and S0'. Soft
// differences (column order, renames) are warnings (PhaseContext::AddSoft); function bodies that
// differ only in whitespace and comments are notes (AddNote, rule roundtrip-body-layout).
void ReportDifferences(PhaseContext& context, const std::vector<schema::Difference>& diffs,
                       Phase phase, const Catalogs& catalogs = {});

class CatalogObserver : public PhaseObserver {
 public:
  void AtPhase(PhaseContext& context) override;
  int snapshots_taken() const { return snapshots_taken_; }

 private:
  schema::Snapshot Take(db::Session& session);

  // The catalog at the last phase, as a detailed snapshot when one was taken.
  std::optional<schema::Snapshot> s0_, s1_;
  std::optional<schema::Snapshot> s0_after_;  // S0', kept for the re-up's comparison
  int snapshots_taken_ = 0;
};

}  // namespace stairway::verifier::roundtrip

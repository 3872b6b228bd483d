// The strict roundtrip check: catalog snapshots at S0/S1/S0'/S1' and the rule S0' == S0 after
// each down, S1' == S1 after each re-up, each difference one line naming the revision.
#pragma once

#include <optional>

#include "verifier/roundtrip/roundtrip.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/snapshot.h"

namespace stairway::verifier::roundtrip {

// Adds one finding per difference between S0 and S0' (phase kAfterDown) or S1 and S1'
// (kAfterReUp); soft differences are warnings (PhaseContext::AddSoft).
void ReportDifferences(PhaseContext& context, const std::vector<schema::Difference>& diffs,
                       Phase phase);

class CatalogObserver : public PhaseObserver {
 public:
  void AtPhase(PhaseContext& context) override;
  int snapshots_taken() const { return snapshots_taken_; }

 private:
  schema::Snapshot Take(db::Session& session);

  // The catalog at the last phase, as a detailed snapshot when one was taken.
  std::optional<schema::Snapshot> s0_, s1_;
  int snapshots_taken_ = 0;
};

}  // namespace stairway::verifier::roundtrip

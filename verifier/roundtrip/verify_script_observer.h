// sqitch verify scripts in the roundtrip: after a change's up (S1) its verify script runs in a
// transaction that is rolled back; an error is a finding (sqitch-verify-failed) at its line.
#pragma once

#include "verifier/roundtrip/roundtrip.h"

namespace stairway::verifier::roundtrip {

class VerifyScriptObserver : public PhaseObserver {
 public:
  void AtPhase(PhaseContext& context) override;
};

}  // namespace stairway::verifier::roundtrip

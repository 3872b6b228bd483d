// Turns a roundtrip Result into the shared report::Report: one Step per revision step (up,
// down, re-up; JUnit test cases) and one Finding per difference, tagged with the revision.
#pragma once

#include "runner/source/migration.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::verifier::roundtrip {

// Rules used: "roundtrip-down-leftover" (S0' != S0), "roundtrip-reup-differs" (S1' != S1),
// "roundtrip-column-order" (soft, column order only), "roundtrip-irreversible" (no down, not
// allowed), "roundtrip-step-failed" (a step raised a database error: one per failed step, at the
// failing statement's line when it is in the revision's file), "roundtrip-not-run" (info: a
// revision skipped because it builds on a failed up, and one note for the revisions after a
// failure that ended the run), "data-loss" (fixture rows or values lost). Each finding's path
// is the revision's file (line 0 unless said), except the whole-run not-run note's (none).
report::Report ToReport(const Result& result, const source::MigrationSet& set);

}  // namespace stairway::verifier::roundtrip

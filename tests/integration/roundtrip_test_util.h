// Shared by the roundtrip integration tests: run a migration set from the repository on a fresh
// test database and collect its findings.
#pragma once

#include <string>
#include <vector>

#include "tests/integration/runner_test_util.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::testing {

// Round-trips the set at `relative` (from the repository root, e.g. "fixtures/roundtrip/x" or
// "migrations") on a new database of the test cluster.
inline verifier::roundtrip::Result RunRoundtrip(const std::string& relative,
                                                verifier::roundtrip::Options::Snapshots snapshots) {
  const source::MigrationSet set = LoadFixtureSet(relative);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  verifier::roundtrip::Options options;
  options.snapshots = snapshots;
  return verifier::roundtrip::Run(session, set, options);
}

// Every revision's findings, in order.
inline std::vector<std::string> AllFindings(const verifier::roundtrip::Result& result) {
  std::vector<std::string> out;
  for (const auto& r : result.revisions) {
    const std::vector<std::string> findings = r.Findings();
    out.insert(out.end(), findings.begin(), findings.end());
  }
  return out;
}

}  // namespace stairway::testing

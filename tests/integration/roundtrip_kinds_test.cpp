// Strict roundtrip per object kind: each fixtures/roundtrip/<kind>/broken set has a down that
// forgets the object and must produce exactly expected.txt; its correct twin must pass clean.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>

#include "tests/integration/roundtrip_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;

std::vector<std::string> Kinds() {
  std::vector<std::string> kinds;
  for (const auto& entry : fs::directory_iterator(FixturesDir() / "roundtrip")) {
    if (fs::exists(entry.path() / "expected.txt")) kinds.push_back(entry.path().filename());
  }
  std::sort(kinds.begin(), kinds.end());
  return kinds;
}

// The broken sets run as verify runs them (kTracked); the correct twins run kChecked: the tracked
// catalog is also compared with a full snapshot after every step, so a command the change watch
// misses shows up as an extra finding.
class RoundtripKindTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripKindTest, BrokenDownIsNamedAndCorrectTwinPasses) {
  const std::string dir = "roundtrip/" + GetParam();
  std::vector<std::string> expected;
  std::istringstream lines(ReadFile(FixturesDir() / dir / "expected.txt"));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) expected.push_back(line);
  }
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(AllFindings(RunRoundtrip("fixtures/" + dir + "/broken",
                                     roundtrip::Options::Snapshots::kTracked)),
            expected);

  const roundtrip::Result correct =
      RunRoundtrip("fixtures/" + dir + "/correct", roundtrip::Options::Snapshots::kChecked);
  EXPECT_FALSE(correct.failed);
  EXPECT_EQ(AllFindings(correct), std::vector<std::string>{});
  EXPECT_EQ(correct.ExitCode(roundtrip::Irreversible::kFail), 0);
}

INSTANTIATE_TEST_SUITE_P(Kinds, RoundtripKindTest, ::testing::ValuesIn(Kinds()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stairway::testing

// What roundtrip findings say: each fixtures/roundtrip_messages/<case>/migrations set must print
// exactly expected.txt (errors, warnings and notes, with their multi-line diffs), whether the
// catalog is tracked or read whole after every step; and --skip takes the label the table shows.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/integration/roundtrip_test_util.h"
#include "tests/support/test_cluster.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;

std::vector<std::string> Cases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(FixturesDir() / "roundtrip_messages")) {
    if (fs::exists(entry.path() / "expected.txt")) cases.push_back(entry.path().filename());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

// Every finding as the verify table prints it under its revision, with its severity.
std::string Printed(const roundtrip::Result& result) {
  std::string out;
  for (const roundtrip::RevisionResult& r : result.revisions) {
    if (r.failure) out += fmt::format("failed: {}: {}\n", r.label, *r.failure);
    for (const std::string& f : r.Messages(Severity::kError)) out += "error: " + f + "\n";
    for (const std::string& f : r.Messages(Severity::kWarning)) out += "warning: " + f + "\n";
    for (const std::string& f : r.Messages(Severity::kInfo)) out += "note: " + f + "\n";
  }
  return out;
}

class RoundtripMessageTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripMessageTest, FindingsSayWhatHappened) {
  const std::string dir = "fixtures/roundtrip_messages/" + GetParam();
  const std::string expected = ReadFile(SourceDir() / dir / "expected.txt");
  for (const auto snapshots :
       {roundtrip::Options::Snapshots::kTracked, roundtrip::Options::Snapshots::kFull}) {
    const roundtrip::Result result = RunRoundtrip(dir + "/migrations", snapshots);
    EXPECT_EQ(Printed(result), expected)
        << (snapshots == roundtrip::Options::Snapshots::kFull ? "full snapshots" : "tracked");
  }
}

INSTANTIATE_TEST_SUITE_P(Cases, RoundtripMessageTest, ::testing::ValuesIn(Cases()),
                         [](const auto& info) { return info.param; });

// Each detail carries its object and severity: the report and JSON take them from there.
TEST(RoundtripMessages, DetailsNameTheObjectAndTheNoteIsInfo) {
  const roundtrip::Result result =
      RunRoundtrip("fixtures/roundtrip_messages/function_body/migrations",
                   roundtrip::Options::Snapshots::kTracked);
  ASSERT_EQ(result.revisions.size(), 2u);
  const roundtrip::RevisionResult& r = result.revisions[1];
  bool note = false, error = false;
  for (const roundtrip::FindingDetail& d : r.details) {
    if (d.rule == "roundtrip-body-layout") {
      note = true;
      EXPECT_EQ(d.severity, Severity::kInfo);
      EXPECT_EQ(d.object, "public.label(integer)");
      EXPECT_EQ(d.step, "down");
    }
    if (d.rule == "roundtrip-down-leftover") {
      error = true;
      EXPECT_EQ(d.object, "public.total(integer)");
    }
  }
  EXPECT_TRUE(note);
  EXPECT_TRUE(error);
  // The layout-only body fails nothing; the other one does.
  EXPECT_EQ(result.findings, r.FindingCount());
  EXPECT_EQ(r.Messages(Severity::kInfo).size(), 1u);
}

ProcessResult Verify(std::vector<std::string> args) {
  args.insert(args.begin(), {"verify", "--roundtrip"});
  args.push_back("--server-url");
  args.push_back(TestSandbox().AdminUrl());
  return StairwayOffline(args);
}

// --skip takes what the table prints: a label (0156_create_accounts), a version without a name
// (0157, from 0157.up.sql), a version; an unknown one is exit 2 before any database, naming it
// and the closest label.
TEST(RoundtripMessages, SkipTakesTheLabelTheTablePrints) {
  const std::string dir = "fixtures/formats/golang-migrate-unnamed";
  const ProcessResult r = Verify({dir, "--skip", "0156_create_accounts", "--skip", "0157"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  for (const std::string label : {"0156_create_accounts", "0157"}) {
    const std::size_t at = r.out.find("] " + label + " ");
    ASSERT_NE(at, std::string::npos) << label << "\n" << r.out;
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_TRUE(line.ends_with("up only: skipped (--skip)")) << line;
  }
  EXPECT_NE(r.out.find("] 0158 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 reversible, 0 irreversible, 2 skipped"), std::string::npos) << r.out;

  const ProcessResult typo = Verify({dir, "--skip", "0156_create_acounts"});
  EXPECT_EQ(typo.exit_code, 2) << Describe(typo);
  EXPECT_NE(typo.err.find("--skip 0156_create_acounts: unknown revision \"0156_create_acounts\": "
                          "did you mean 0156_create_accounts?"),
            std::string::npos)
      << typo.err;
  EXPECT_EQ(typo.out.find("Roundtrip of"), std::string::npos) << "a database started";
  // Nothing close: the nearest labels all the same.
  const ProcessResult far = Verify({dir, "--skip", "0003_add_orders"});
  EXPECT_EQ(far.exit_code, 2) << Describe(far);
  EXPECT_NE(far.err.find("--skip 0003_add_orders: unknown revision"), std::string::npos) << far.err;
  EXPECT_NE(far.err.find("; the nearest labels: "), std::string::npos) << far.err;
}

// Files whose version has no name part are read and linted like any other (the fixture's plain
// CREATE INDEX and DROP INDEX are lint findings: exit 1, not the exit 2 of an unreadable set).
TEST(RoundtripMessages, GolangMigrateFilesWithoutANameAreRead) {
  const ProcessResult lint = StairwayOffline({"lint", "fixtures/formats/golang-migrate-unnamed"});
  EXPECT_EQ(lint.exit_code, 1) << Describe(lint);
  EXPECT_NE(lint.out.find("in 6 files"), std::string::npos) << Describe(lint);
  EXPECT_NE(lint.out.find("0158.up.sql:1:1: error: CREATE INDEX"), std::string::npos)
      << Describe(lint);
}

}  // namespace
}  // namespace stairway::testing

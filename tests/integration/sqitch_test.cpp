// sqitch projects as they are: the flipr-like fixture verifies clean (roundtrip with its verify
// scripts, lint), a broken verify script is a finding at its line, and the runner commands
// deploy and revert it with exact history.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFlipr = "fixtures/sqitch/flipr";

std::string ServerFlag() {
  return "--server-url=" + TestSandbox().AdminUrl();
}

// Roundtrip (with the verify scripts) and lint; the lint warnings left are true ones (no
// lock_timeout in the scripts, as sqitch's templates have none), so errors only fail it.
TEST(Sqitch, VerifyIsClean) {
  const ProcessResult r = StairwayOffline(
      {"verify", "--roundtrip", "--lint", kFlipr, "--fail-level", "error", ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("insert_user#2"), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("sqitch-verify-failed"), std::string::npos) << Describe(r);
  EXPECT_EQ(r.out.find("transaction-nesting"), std::string::npos) << Describe(r);
  EXPECT_NE(r.out.find("9 of 9 revisions checked, 9 reversible"), std::string::npos) << Describe(r);
  EXPECT_NE(r.out.find("0 errors"), std::string::npos) << Describe(r);
}

TEST(Sqitch, BrokenVerifyScriptIsAFindingAtItsLine) {
  TempDir temp("stairway-sqitch");
  const fs::path dir = temp.path() / "flipr";
  fs::copy(SourceDir() / kFlipr, dir, fs::copy_options::recursive);
  // The deploy forgot a column the verify script expects.
  std::ofstream(dir / "verify/flips.sql", std::ios::trunc)
      << "-- Verify flipr:flips on pg\n\nBEGIN;\n\nSELECT id, nickname, body, likes\n"
         "  FROM flipr.flips\n WHERE FALSE;\n\nROLLBACK;\n";
  const ProcessResult r = StairwayOffline({"verify", "--roundtrip", dir.string(), ServerFlag()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  const std::string expected = "flips: verify script failed at " +
                               (dir / "verify/flips.sql").string() +
                               ":5:1: column \"likes\" does not exist (SQLSTATE 42703)";
  EXPECT_NE(r.out.find(expected), std::string::npos) << Describe(r);
  // The other changes still verify: only one finding.
  EXPECT_EQ(r.out.find("userflips: verify script failed"), std::string::npos) << Describe(r);
}

TEST(Sqitch, UpgradeStatusDowngrade) {
  const source::MigrationSet set = LoadFixtureSet(kFlipr);
  ASSERT_EQ(set.revisions.size(), 9u);
  auto database = NewTestDatabase();
  const std::string url = database->url();
  db::Session session = db::Session::Connect(url);
  const std::vector<std::string> empty_schema = SchemaFingerprint(session);

  ProcessResult r = Stairway({"upgrade", "hashtags", "-d", kFlipr}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 7));
  r = Stairway({"upgrade", "head", "-d", kFlipr}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 9));
  // The reworked function is the one deployed.
  const db::QueryResult body = session.Query(
      "SELECT prosrc FROM pg_proc WHERE oid = 'flipr.insert_user(text, text)'::regprocedure");
  EXPECT_NE(body.rows.at(0).at(0)->find("lower($1)"), std::string::npos);

  r = Stairway({"status", "-d", kFlipr}, url);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("sqitch"), std::string::npos) << Describe(r);
  EXPECT_NE(r.out.find("insert_user#2"), std::string::npos) << Describe(r);
  r = Stairway({"current", "-d", kFlipr}, url);
  EXPECT_EQ(r.out, "flips_created_idx (head)\n") << Describe(r);

  // Back over the rework: the v1.0 function again.
  r = Stairway({"downgrade", "hashtags", "-d", kFlipr}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 7));
  const db::QueryResult old_body = session.Query(
      "SELECT prosrc FROM pg_proc WHERE oid = 'flipr.insert_user(text, text)'::regprocedure");
  EXPECT_EQ(old_body.rows.at(0).at(0)->find("lower($1)"), std::string::npos);
  r = Stairway({"downgrade", "base", "-d", kFlipr}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 0));
  EXPECT_EQ(SchemaFingerprint(session), empty_schema);
}

}  // namespace
}  // namespace stairway::testing

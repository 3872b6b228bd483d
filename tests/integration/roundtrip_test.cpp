// verify --roundtrip: up, down, up per revision on a throwaway database; irreversible revisions,
// failing steps, the observer hook the snapshot checks plug into, and cleanup on SIGTERM.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "runner/sandbox/cluster.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;
using namespace std::chrono_literals;

ProcessResult Verify(std::vector<std::string> args, bool private_cluster = false) {
  args.insert(args.begin(), {"verify", "--roundtrip"});
  if (!private_cluster) {
    // Temporary databases on the suite's cluster: the same code path as a user's --server-url,
    // without starting a cluster per call.
    args.push_back("--server-url");
    args.push_back(TestSandbox().AdminUrl());
  }
  return StairwayOffline(args);
}

class RoundtripFormatTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripFormatTest, EveryRevisionGoesUpDownUp) {
  const std::string dir = "fixtures/formats/" + GetParam();
  const source::MigrationSet set = LoadFixtureSet(dir);
  const ProcessResult r = Verify({dir});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.err, "");
  for (std::size_t i = 0; i < set.revisions.size(); ++i) {
    const std::string label = set.revisions[i].Label();
    const std::size_t at = r.out.find("] " + label + " ");
    ASSERT_NE(at, std::string::npos) << label << "\n" << r.out;
    const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
    EXPECT_TRUE(line.ends_with("  ok")) << line;
  }
  EXPECT_NE(r.out.find("Total: " + std::to_string(set.revisions.size()) + " of " +
                       std::to_string(set.revisions.size()) + " revisions checked"),
            std::string::npos)
      << r.out;
}

INSTANTIATE_TEST_SUITE_P(Formats, RoundtripFormatTest, AllFormats(), PathTestName);

// The summary counts what went up, down and up apart from what only went up or was skipped.
TEST(Roundtrip, SummaryCountsUpOnlyAndSkippedApart) {
  const std::string dir = "fixtures/formats/stairway";
  const source::MigrationSet set = LoadFixtureSet(dir);
  ASSERT_GE(set.revisions.size(), 3u);
  const std::size_t n = set.revisions.size();
  const ProcessResult r = Verify(
      {dir, "--roundtrip", "--from", set.revisions[1].version, "--skip", set.revisions[1].version});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find(fmt::format("Total: {} of {} revisions checked, {} reversible, 0 "
                                   "irreversible, 1 up only, 1 skipped in ",
                                   n, n, n - 2)),
            std::string::npos)
      << r.out;
}

// A backfill (UPDATE ... SET name = upper(name)) changes fixture values: data loss (exit 1)
// unless the revision declares it, with `-- stairway:data-change <reason>` or --data-change
// REV=REASON; then it is a note (exit 0). Without a reason the marker is an input error.
TEST(Roundtrip, DeclaredDataChangeIsANoteNotDataLoss) {
  const fs::path source = SourceDir() / "fixtures/roundtrip_data_change";
  TempDir dir("stairway-data-change");
  fs::copy(source, dir.path(), fs::copy_options::recursive);
  const std::string migrations = (dir.path() / "migrations").string();
  const std::string fixtures = (dir.path() / "fixtures").string();
  const fs::path backfill = dir.path() / "migrations/0002_upper_names.sql";
  const std::string marked = ReadFile(backfill);
  const std::string marker = "-- stairway:data-change names are kept upper-case from now on\n";
  ASSERT_NE(marked.find(marker), std::string::npos);
  std::string unmarked = marked;
  unmarked.erase(unmarked.find(marker), marker.size());

  const std::string loss = "0002_upper_names: data loss: values of public.users.name changed";
  {
    const ProcessResult r = Verify({migrations, "--fixtures", fixtures});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_NE(r.out.find("      note: 0002_upper_names: intended data change: values of "
                         "public.users.name changed (data-change: names are kept upper-case from "
                         "now on)\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find(loss), std::string::npos) << r.out;
  }
  {
    const ProcessResult r =
        Verify({migrations, "--fixtures", fixtures, "--report", "json", "--report", "text"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_NE(r.out.find("\"rule\": \"data-change\",\n      \"severity\": \"info\""),
              std::string::npos)
        << r.out;
  }
  std::ofstream(backfill, std::ios::binary | std::ios::trunc) << unmarked;
  {
    const ProcessResult r = Verify({migrations, "--fixtures", fixtures});
    EXPECT_EQ(r.exit_code, 1) << Describe(r);
    EXPECT_NE(r.out.find("      " + loss + "\n"), std::string::npos) << r.out;
  }
  {
    // Declared from outside the file (an applied revision keeps its checksum).
    const ProcessResult r =
        Verify({migrations, "--fixtures", fixtures, "--data-change", "0002=names are upper-case"});
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_NE(r.out.find("note: 0002_upper_names: intended data change: values of "
                         "public.users.name changed (data-change: names are upper-case)\n"),
              std::string::npos)
        << r.out;
    const ProcessResult bad = Verify({migrations, "--fixtures", fixtures, "--data-change", "0002"});
    EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
    EXPECT_EQ(bad.err,
              "error: --data-change 0002: give the revision and why its data changes on purpose, "
              "e.g. --data-change 0005=\"backfill upper-case names\"\n");
  }
  std::string no_reason = marked;
  no_reason.replace(no_reason.find(marker), marker.size(), "  -- stairway:data-change\n");
  std::ofstream(backfill, std::ios::binary | std::ios::trunc) << no_reason;
  {
    const ProcessResult r = Verify({migrations, "--fixtures", fixtures});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_EQ(r.err, "error: " + backfill.string() +
                         ":2: \"-- stairway:data-change\" without a reason; say why the data "
                         "changes on purpose, e.g. \"-- stairway:data-change backfill upper-case "
                         "names\"\n");
  }
}

// A revision marked -- stairway:irreversible is not counted as reversible.
TEST(Roundtrip, SummaryCountsIntentionallyIrreversibleApart) {
  const ProcessResult r = Verify({"fixtures/roundtrip_marker", "--allow-irreversible"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("Total: 3 of 3 revisions checked, 1 reversible, 1 irreversible, 1 "
                       "intentionally irreversible in "),
            std::string::npos)
      << r.out;
}

TEST(Roundtrip, PrivateClusterByDefaultAndNonTransactionalRevisions) {
  const ProcessResult r = Verify({"fixtures/nontx"}, /*private_cluster=*/true);
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("on a private PostgreSQL cluster"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("0002_index_events"), std::string::npos) << r.out;
}

TEST(Roundtrip, IrreversibleRevisionFailsUnlessAllowed) {
  const ProcessResult r = Verify({"fixtures/formats/flyway-repeatable"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("irreversible (no down section)\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Irreversible revisions fail the check: add a down section, or pass "
                       "--allow-irreversible if they are meant to be one-way.\n"),
            std::string::npos)
      << r.out;
  const ProcessResult allowed =
      Verify({"fixtures/formats/flyway-repeatable", "--allow-irreversible"});
  EXPECT_EQ(allowed.exit_code, 0) << Describe(allowed);
}

TEST(Roundtrip, FailingStepStopsWithTheDiagnosticAndExitOne) {
  const ProcessResult r = Verify({"fixtures/failing"});
  // A step that fails is a finding about the migrations (exit 1), not a check that could not run.
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(r.err.starts_with(
      "fixtures/failing/0003_add_post_slug.sql:4:1: error: 0003_add_post_slug (up) failed at "
      "statement 2 of 2: column \"published_at\" does not exist (SQLSTATE 42703)\n"))
      << r.err;
  EXPECT_NE(
      r.out.find("0003_add_post_slug   up   FAILED  down        -  up        -  FAILED at up\n"),
      std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAILED: 3 of 3 revisions checked"), std::string::npos) << r.out;
}

TEST(Roundtrip, ExitOneForAFailingStepExitThreeWhenTheCheckCannotRun) {
  // The pull-request gate tells "the migrations are wrong" (1) from "the check did not run" (3).
  const ProcessResult failing = Verify({"fixtures/failing", "--report", "json"});
  EXPECT_EQ(failing.exit_code, 1) << Describe(failing);
  EXPECT_NE(failing.out.find("\"roundtrip-step-failed\""), std::string::npos) << failing.out;

  // Port 1 on the loopback: nothing listens there, the connection is refused at once.
  const ProcessResult unreachable =
      StairwayOffline({"verify", "--roundtrip", "fixtures/formats/stairway", "--server-url",
                       "postgresql://nobody:hunter2@127.0.0.1:1/postgres"});
  EXPECT_EQ(unreachable.exit_code, 3) << Describe(unreachable);
  EXPECT_NE(unreachable.err.find("cannot connect to postgresql://nobody:***@127.0.0.1:1/postgres"),
            std::string::npos)
      << unreachable.err;
  EXPECT_EQ(unreachable.err.find("hunter2"), std::string::npos) << unreachable.err;
}

TEST(Roundtrip, ServerUrlModeDropsItsTemporaryDatabase) {
  db::Session admin = db::Session::Connect(TestSandbox().AdminUrl());
  auto temp_databases = [&] {
    return admin.Query("SELECT count(*) FROM pg_database WHERE datname LIKE 'stairway_tmp_%'")
        .rows.at(0)
        .at(0)
        .value_or("");
  };
  // Other tests of this binary may hold databases; none of them run concurrently with this one.
  const std::string before = temp_databases();
  const ProcessResult r = Verify({"fixtures/formats/stairway"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(temp_databases(), before);
}

// Records every phase, and reports a finding at S0' of the second revision: the shape of the
// catalog-snapshot check of the next issue.
class RecordingObserver : public roundtrip::PhaseObserver {
 public:
  void AtPhase(roundtrip::PhaseContext& context) override {
    const db::QueryResult r =
        context.session.Query("SELECT count(*) FROM stairway_history WHERE state = 'applied'");
    seen.push_back(context.revision.version + " " +
                   std::string(roundtrip::PhaseName(context.phase)) +
                   " applied=" + r.rows.at(0).at(0).value_or("?"));
    if (context.index == 1 && context.phase == roundtrip::Phase::kAfterDown) {
      context.Add("roundtrip-mismatch",
                  "down of " + context.revision.Label() + " left behind: nothing");
    }
  }
  std::vector<std::string> seen;
};

TEST(Roundtrip, ObserversSeeEveryPhaseAndTheirFindingsCount) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/nontx");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  RecordingObserver observer;
  const roundtrip::Result result = roundtrip::Run(session, set, {}, {&observer});
  EXPECT_EQ(observer.seen, (std::vector<std::string>{"0001 S0 applied=0", "0001 S1 applied=1",
                                                     "0001 S0' applied=0", "0001 S1' applied=1",
                                                     "0002 S0 applied=1", "0002 S1 applied=2",
                                                     "0002 S0' applied=1", "0002 S1' applied=2"}));
  EXPECT_EQ(result.findings, 1);
  ASSERT_EQ(result.revisions.size(), 2u);
  EXPECT_EQ(result.revisions[1].Findings(),
            std::vector<std::string>{"down of 0002_index_events left behind: nothing"});
  EXPECT_EQ(result.ExitCode(roundtrip::Irreversible::kFail), 1);
  EXPECT_FALSE(result.failed);
}

std::vector<fs::path> ClusterDirsOf(int pid) {
  std::vector<fs::path> out;
  const std::string prefix = "stairway-" + std::to_string(pid) + "-";
  for (const auto& entry : fs::directory_iterator(sandbox::ClusterBaseDirectory())) {
    if (entry.path().filename().string().starts_with(prefix)) out.push_back(entry.path());
  }
  return out;
}

bool ProcessAlive(int pid) {
  return pid > 0 && kill(pid, 0) == 0;
}

TEST(Roundtrip, SigtermLeavesNoClusterDirectoryAndNoServerBehind) {
  ChildProcess verify = ChildProcess::StartStairway({"verify", "--roundtrip", "fixtures/slow/tx"},
                                                    {}, SourceDir().string());
  // Revision 1 done: the cluster is up and 0002 (pg_sleep) is running.
  ASSERT_TRUE(verify.WaitForOutput("[1/3]", 60s)) << verify.OutSoFar() << verify.ErrSoFar();
  std::this_thread::sleep_for(300ms);
  const std::vector<fs::path> dirs = ClusterDirsOf(verify.pid());
  ASSERT_EQ(dirs.size(), 1u) << "expected the cluster directory of pid " << verify.pid();
  int postmaster = 0;
  std::ifstream(dirs[0] / "data" / "postmaster.pid") >> postmaster;
  ASSERT_TRUE(ProcessAlive(postmaster)) << "postmaster " << postmaster;

  verify.Signal(SIGTERM);
  const ProcessResult r = verify.Wait();
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  // The keeper may finish removal a moment after stairway exits.
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline &&
         (fs::exists(dirs[0]) || ProcessAlive(postmaster))) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_FALSE(fs::exists(dirs[0])) << dirs[0];
  EXPECT_FALSE(ProcessAlive(postmaster)) << "postmaster " << postmaster << " still running";
}

}  // namespace
}  // namespace stairway::testing

// --wait: stairway started before its database server keeps trying until the server is there
// (the server's socket file appears a few seconds later), gives up with exit 3 when it never
// comes, fails at once on errors waiting cannot cure; several `upgrade head --wait` runners
// started together (replicas of one app) apply each revision once.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// `url` (a sandbox socket URL) pointed at the socket directory `dir` instead.
std::string WithSocketDir(const std::string& url, const std::filesystem::path& dir) {
  const std::size_t host = url.find("host=");
  const std::size_t end = url.find('&', host);
  return url.substr(0, host) + "host=" + dir.string() + url.substr(end);
}

// The sandbox cluster's socket file.
std::filesystem::path ClusterSocket() {
  const std::optional<sandbox::ClusterInfo> info = TestSandbox().cluster();
  EXPECT_TRUE(info.has_value());
  return info->directory / (".s.PGSQL." + std::to_string(info->port));
}

TEST(ConnectWait, WaitsForAServerThatComesUpLater) {
  auto database = NewTestDatabase();
  const std::filesystem::path socket = ClusterSocket();
  TempDir dir("stairway-wait");
  const std::string url = WithSocketDir(database->url(), dir.path());
  const Clock::time_point start = Clock::now();
  ChildProcess runner =
      ChildProcess::StartStairway({"upgrade", "head", "--wait", "30s", "-d",
                                   "fixtures/formats/stairway", "--database-url", url},
                                  {}, SourceDir().string());
  ASSERT_TRUE(runner.WaitForOutput("waiting for the database at ", 10s)) << runner.ErrSoFar();
  EXPECT_NE(runner.ErrSoFar().find(": no server socket file (yet) (up to 30s)\n"),
            std::string::npos)
      << runner.ErrSoFar();
  // The server "starts": its socket shows up in the directory the URL names.
  std::this_thread::sleep_for(2s);
  std::filesystem::create_symlink(socket, dir.path() / socket.filename());
  const ProcessResult r = runner.Wait();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_GE(Clock::now() - start, 2s);
  db::Session session = db::Session::Connect(database->url());
  EXPECT_EQ(ReadHistory(session), AppliedEntries(LoadFixtureSet("fixtures/formats/stairway"), 4));
}

TEST(ConnectWait, GivesUpWithExit3WhenTheServerNeverComes) {
  auto database = NewTestDatabase();
  TempDir dir("stairway-wait");
  const std::string url = WithSocketDir(database->url(), dir.path());
  const Clock::time_point start = Clock::now();
  const ProcessResult r = Stairway({"status", "--wait=3s", "-d", "fixtures/formats/stairway"}, url);
  const auto took = Clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_GE(took, 3s);
  EXPECT_LT(took, 20s);
  EXPECT_TRUE(r.err.starts_with("waiting for the database at postgresql:///")) << r.err;
  EXPECT_NE(r.err.find("\nerror: gave up waiting for the database after 3s (--wait): cannot "
                       "connect to "),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("No such file or directory"), std::string::npos) << r.err;

  // Without --wait it fails at once, as before.
  const ProcessResult once = Stairway({"status", "-d", "fixtures/formats/stairway"}, url);
  EXPECT_EQ(once.exit_code, 3) << Describe(once);
  EXPECT_EQ(once.err.find("waiting for the database"), std::string::npos) << once.err;

  // STAIRWAY_WAIT does the same as the flag.
  const ProcessResult env =
      Stairway({"current", "-d", "fixtures/formats/stairway"}, url, {{"STAIRWAY_WAIT", "1s"}});
  EXPECT_EQ(env.exit_code, 3) << Describe(env);
  EXPECT_NE(env.err.find("(up to 1s)"), std::string::npos) << env.err;
}

// snapshot and diff read database URLs given as arguments; --wait applies to them too.
TEST(ConnectWait, SnapshotAndDiffWaitForTheirDatabases) {
  auto database = NewTestDatabase();
  const std::filesystem::path socket = ClusterSocket();
  TempDir dir("stairway-wait");
  const std::string url = WithSocketDir(database->url(), dir.path());
  ChildProcess snapshot =
      ChildProcess::StartStairway({"snapshot", "--wait", url}, {}, SourceDir().string());
  ASSERT_TRUE(snapshot.WaitForOutput("waiting for the database at ", 10s)) << snapshot.ErrSoFar();
  std::this_thread::sleep_for(1s);
  std::filesystem::create_symlink(socket, dir.path() / socket.filename());
  const ProcessResult r = snapshot.Wait();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("\"stairway_snapshot\""), std::string::npos) << r.out.substr(0, 200);

  TempDir never("stairway-wait");
  const std::string missing = WithSocketDir(database->url(), never.path());
  const Clock::time_point start = Clock::now();
  const ProcessResult diff = StairwayOffline({"diff", "--wait=2s", database->url(), missing});
  EXPECT_EQ(diff.exit_code, 3) << Describe(diff);
  EXPECT_GE(Clock::now() - start, 2s);
  EXPECT_NE(diff.err.find("error: gave up waiting for the database after 2s (--wait): "),
            std::string::npos)
      << diff.err;
}

TEST(ConnectWait, ErrorsWaitingCannotCureFailAtOnce) {
  auto database = NewTestDatabase();
  const std::string url = database->url();
  const std::string missing =
      url.substr(0, url.find("///") + 3) + "stairway_no_such_db" + url.substr(url.find('?'));
  const Clock::time_point start = Clock::now();
  const ProcessResult r =
      Stairway({"history", "--wait", "30s", "-d", "fixtures/formats/stairway"}, missing);
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_LT(Clock::now() - start, 10s);
  EXPECT_EQ(r.err.find("waiting for the database"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("stairway_no_such_db"), std::string::npos) << r.err;
}

TEST(ConnectWait, BareWaitDoesNotSwallowARevisionArgument) {
  auto database = NewTestDatabase();
  // `--wait 0002` is --wait (60s) and the target 0002: a bare number is never the duration.
  const ProcessResult r =
      Stairway({"upgrade", "--wait", "0002", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  db::Session session = db::Session::Connect(database->url());
  EXPECT_EQ(ReadHistory(session).size(), 2u);
}

TEST(ConnectWait, ThreeReplicasUpgradingAtOnceApplyEachRevisionOnce) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/slow/tx");
  auto database = NewTestDatabase();
  std::vector<ChildProcess> runners;
  for (int i = 0; i < 3; ++i) {
    runners.push_back(ChildProcess::StartStairway(
        {"upgrade", "head", "--wait", "-d", "fixtures/slow/tx", "--database-url", database->url()},
        {}, SourceDir().string()));
  }
  int applied = 0, waited = 0, nothing = 0;
  for (ChildProcess& runner : runners) {
    const ProcessResult r = runner.Wait();
    EXPECT_EQ(r.exit_code, 0) << Describe(r);
    if (r.out.find("0002_slow_backfill ... ok") != std::string::npos) ++applied;
    if (r.out.find("Nothing to do") != std::string::npos) ++nothing;
    if (r.err.find("that holds stairway's migration lock on public.stairway_history") !=
        std::string::npos) {
      ++waited;
    }
  }
  EXPECT_EQ(applied, 1);
  EXPECT_EQ(nothing, 2);
  EXPECT_EQ(waited, 2);
  db::Session session = db::Session::Connect(database->url());
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 3));
}

}  // namespace
}  // namespace stairway::testing

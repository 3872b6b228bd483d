// Runners at the same time and runners that die: the migration lock makes the second wait or
// give up with a message naming the holder; a runner killed with -9 in the middle of a slow
// revision leaves a consistent history and the next run finishes the job.
#include <gtest/gtest.h>
#include <signal.h>

#include <thread>

#include "runner/history/history.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

using namespace std::chrono_literals;

// Polls until a backend of this database runs pg_sleep (the slow revision is in progress).
// A revision's first statement is sent with its BEGIN ("BEGIN;\nSELECT pg_sleep(...)").
bool WaitForSleeper(db::Session& session, std::chrono::seconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const db::QueryResult r = session.Query(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND query ~ '^(BEGIN;\\s*)?SELECT pg_sleep'");
    if (r.rows.at(0).at(0) != std::optional<std::string>("0")) return true;
    std::this_thread::sleep_for(50ms);
  }
  return false;
}

// stderr without the "waiting for pid N ... that holds stairway's migration lock" progress line.
std::string WithoutWaitingLine(const std::string& err) {
  if (!err.starts_with("waiting for pid ")) return err;
  return err.substr(err.find('\n') + 1);
}

std::vector<std::string> WithUrl(std::vector<std::string> args, const std::string& url) {
  args.push_back("--database-url");
  args.push_back(url);
  return args;
}

TEST(MigrationLock, SecondRunnerGivesUpWithTheHolderAndNothingApplied) {
  auto database = NewTestDatabase();
  db::Session holder = db::Session::Connect(database->url());
  const std::int64_t key = history::Table("public").LockKey();
  holder.Query("SELECT pg_advisory_lock($1::bigint)", {std::to_string(key)});

  ProcessResult r =
      Stairway({"upgrade", "--lock-wait", "1", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  const std::string pid = std::to_string(holder.backend_pid());
  const std::string prefix =
      "error: another migration run holds the lock on "
      "public.stairway_history: server pid " +
      pid + " (application \"";
  const std::string error = WithoutWaitingLine(r.err);
  EXPECT_EQ(error.substr(0, prefix.size()), prefix) << r.err;
  const std::string suffix =
      "; gave up after waiting 1000 ms (--lock-wait). Nothing was applied. Let that run finish "
      "and try again, or wait longer with --lock-wait; if it is stuck, end it with SELECT "
      "pg_terminate_backend(" +
      pid + ")\n";
  ASSERT_GE(error.size(), suffix.size());
  EXPECT_EQ(error.substr(error.size() - suffix.size()), suffix) << r.err;
  EXPECT_NE(r.err.find("waiting for pid " + pid + " (started at "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("that holds stairway's migration lock on public.stairway_history\n"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(HistoryTableExists(holder));

  // A runner that may wait long enough goes on once the lock is free.
  ChildProcess waiter = ChildProcess::StartStairway(
      WithUrl({"upgrade", "--lock-wait", "60s", "-d", "fixtures/formats/stairway"},
              database->url()),
      {}, SourceDir().string());
  ASSERT_TRUE(waiter.WaitForOutput("holds stairway's migration lock", 30s)) << waiter.ErrSoFar();
  holder.Query("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key)});
  const ProcessResult done = waiter.Wait();
  EXPECT_EQ(done.exit_code, 0) << Describe(done);
  EXPECT_EQ(ReadHistory(holder), AppliedEntries(LoadFixtureSet("fixtures/formats/stairway"), 4));
}

TEST(MigrationLock, TwoRunnersAtOnceOneAppliesTheOtherWaitsAndFindsNothingToDo) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/slow/tx");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess first = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", "fixtures/slow/tx"}, database->url()), {}, SourceDir().string());
  ASSERT_TRUE(WaitForSleeper(session)) << first.ErrSoFar();
  ProcessResult second =
      Stairway({"upgrade", "--lock-wait", "60s", "-d", "fixtures/slow/tx"}, database->url());
  EXPECT_EQ(second.exit_code, 0) << Describe(second);
  EXPECT_NE(second.err.find("holds stairway's migration lock"), std::string::npos) << second.err;
  EXPECT_NE(second.out.find("Nothing to do"), std::string::npos) << second.out;
  const ProcessResult first_done = first.Wait();
  EXPECT_EQ(first_done.exit_code, 0) << Describe(first_done);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 3));
}

TEST(KilledRunner, TransactionalRevisionIsRolledBackAndTheNextRunFinishes) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/slow/tx");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess runner = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", "fixtures/slow/tx"}, database->url()), {}, SourceDir().string());
  ASSERT_TRUE(WaitForSleeper(session)) << runner.ErrSoFar();
  runner.Signal(SIGKILL);
  EXPECT_EQ(runner.Wait().exit_code, 128 + SIGKILL);

  // 0001 committed; 0002 was in flight: no row, no column, whatever the server is still doing.
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 1));
  ProcessResult next =
      Stairway({"upgrade", "--lock-wait", "60s", "-d", "fixtures/slow/tx"}, database->url());
  EXPECT_EQ(next.exit_code, 0) << Describe(next);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 3));
  EXPECT_EQ(session
                .Query("SELECT 1 FROM pg_attribute WHERE attrelid = 'jobs'::regclass "
                       "AND attname = 'finished'")
                .rows.size(),
            1u);
}

TEST(KilledRunner, NonTransactionalRevisionIsReportedInterruptedUntilRepaired) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/slow/nontx");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess runner = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", "fixtures/slow/nontx"}, database->url()), {}, SourceDir().string());
  ASSERT_TRUE(WaitForSleeper(session)) << runner.ErrSoFar();
  runner.Signal(SIGKILL);
  EXPECT_EQ(runner.Wait().exit_code, 128 + SIGKILL);

  std::vector<HistoryEntry> interrupted = AppliedEntries(set, 2);
  interrupted[1].state = "running";
  EXPECT_EQ(ReadHistory(session), interrupted);
  const db::QueryResult row = session.Query(
      "SELECT statement_index, to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM stairway_history WHERE version = '0002'");
  ASSERT_EQ(row.rows.size(), 1u);
  EXPECT_EQ(row.rows[0][0], std::optional<std::string>("1"));

  ProcessResult refused =
      Stairway({"upgrade", "--lock-wait", "60s", "-d", "fixtures/slow/nontx"}, database->url());
  EXPECT_EQ(refused.exit_code, 3) << Describe(refused);
  EXPECT_EQ(
      WithoutWaitingLine(refused.err),
      "error: public.stairway_history has an unfinished revision: 0002_slow_index's up "
      "section was interrupted at statement 1 (started " +
          row.rows[0][1].value_or("") +
          " UTC): the run that applied it is gone. It runs outside a transaction, so the "
          "statements before that one stay done. Fix the database by hand (finish or undo what "
          "0002_slow_index did), then record the outcome: `stairway stamp 0002_slow_index` if "
          "it is now fully applied, or `stairway repair` to forget the attempt so the next "
          "upgrade runs it again\n");
  ProcessResult status = Stairway({"status", "-d", "fixtures/slow/nontx"}, database->url());
  EXPECT_EQ(status.exit_code, 1) << Describe(status);
  EXPECT_NE(status.out.find("  interrupted 0002_slow_index\n"), std::string::npos) << status.out;

  ProcessResult repair = Stairway({"repair", "-d", "fixtures/slow/nontx"}, database->url());
  EXPECT_EQ(repair.exit_code, 0) << Describe(repair);
  ProcessResult next = Stairway({"upgrade", "-d", "fixtures/slow/nontx"}, database->url());
  EXPECT_EQ(next.exit_code, 0) << Describe(next);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 2));
}

}  // namespace
}  // namespace stairway::testing

// Faults around a run, on a real PostgreSQL: transaction control written in a migration is
// refused before anything runs; a server that goes away mid-revision, a run that holds the lock,
// a SIGTERM in a non-transactional down and a lost race each get a message that says what state
// the database and the history are in.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "runner/history/history.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A fresh directory holding `files` (name -> text), removed when the object dies.
class MigrationDir {
 public:
  MigrationDir(const std::string& tag,
               const std::vector<std::pair<std::string, std::string>>& files)
      : path_(fs::temp_directory_path() /
              ("stairway-faults-" + tag + "-" + std::to_string(getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    for (const auto& [name, text] : files) std::ofstream(path_ / name) << text;
  }
  ~MigrationDir() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<std::string> WithUrl(std::vector<std::string> args, const std::string& url) {
  args.push_back("--database-url");
  args.push_back(url);
  return args;
}

// The server pid of the backend running pg_sleep in this database, once one does (0: none
// within the timeout).
int WaitForSleeper(db::Session& session, std::chrono::seconds timeout = 30s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    const db::QueryResult r = session.Query(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND query ~ 'pg_sleep' AND pid <> pg_backend_pid() LIMIT 1");
    if (!r.rows.empty()) return std::stoi(r.rows[0][0].value_or("0"));
    std::this_thread::sleep_for(50ms);
  }
  return 0;
}

// Ends every other session of this database and waits until they are gone (their locks too).
void EndOtherSessions(db::Session& session) {
  for (int i = 0; i < 200; ++i) {
    const db::QueryResult r = session.Query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
        "WHERE datname = current_database() AND pid <> pg_backend_pid()");
    if (r.rows.at(0).at(0) == std::optional<std::string>("0")) return;
    std::this_thread::sleep_for(50ms);
  }
}

std::vector<std::string> HistoryStates(db::Session& session) {
  std::vector<std::string> out;
  for (const HistoryEntry& e : ReadHistory(session)) out.push_back(e.version + ":" + e.state);
  return out;
}

bool TableExists(db::Session& session, const std::string& name) {
  return session.Query("SELECT to_regclass($1) IS NOT NULL", {name}).rows.at(0).at(0) ==
         std::optional<std::string>("t");
}

// ---- item 5: transaction control in migration text ----

struct TxControlCase {
  std::string name;
  std::string up;         // the up section, marker line included
  std::string statement;  // as the error quotes it
  int line;               // of that statement in the file
  bool transactional;
};

class TransactionControlRefused : public ::testing::TestWithParam<TxControlCase> {};

TEST_P(TransactionControlRefused, ExitTwoAtItsLineAndNothingRuns) {
  const TxControlCase& c = GetParam();
  // 0001 is fine and would run first: the refusal of 0002 must come before it.
  MigrationDir dir(c.name, {{"0001_first.sql",
                             "-- migrate:up\nCREATE TABLE first (id int);\n"
                             "-- migrate:down\nDROP TABLE first;\n"},
                            {"0002_second.sql", c.up + "-- migrate:down\nDROP TABLE notes;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult r = Stairway({"upgrade", "-d", dir.str()}, database->url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  const std::string where =
      c.transactional ? "transactional revision" : "non-transactional section";
  EXPECT_EQ(r.err.rfind("error: " + dir.file("0002_second.sql") + ":" + std::to_string(c.line) +
                            ":1: 0002_second (up): " + c.statement +
                            " is refused: transaction control inside a " + where,
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.err.find("nothing was applied\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(c.transactional ? "mark the revision non-transactional"
                                       : "drop the no-transaction marker"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(HistoryTableExists(session));
  EXPECT_TRUE(SchemaFingerprint(session).empty());
  // --sql refuses the same text (nothing a psql run could half-apply).
  ProcessResult script = StairwayOffline({"upgrade", "--sql", "-d", dir.str()});
  EXPECT_EQ(script.exit_code, 2) << Describe(script);
  EXPECT_EQ(script.out, "");
}

INSTANTIATE_TEST_SUITE_P(
    Statements, TransactionControlRefused,
    ::testing::Values(
        TxControlCase{"nontx_wrapper",
                      "-- migrate:up transaction:false\nBEGIN;\nCREATE TABLE notes (id int);\n"
                      "COMMIT;\n",
                      "BEGIN", 2, false},
        TxControlCase{"nontx_start",
                      "-- migrate:up transaction:false\nCREATE TABLE notes (id int);\n"
                      "START TRANSACTION;\nCREATE INDEX ON notes (id);\nEND;\n",
                      "START TRANSACTION", 3, false},
        TxControlCase{"nontx_commit",
                      "-- migrate:up transaction:false\nCREATE TABLE notes (id int);\nCOMMIT;\n",
                      "COMMIT", 3, false},
        TxControlCase{"nontx_savepoint",
                      "-- migrate:up transaction:false\nCREATE TABLE notes (id int);\n"
                      "SAVEPOINT s1;\n",
                      "SAVEPOINT s1", 3, false},
        TxControlCase{"tx_rollback",
                      "-- migrate:up\nCREATE TABLE notes (id int);\nROLLBACK;\n"
                      "CREATE TABLE other (id int);\n",
                      "ROLLBACK", 3, true},
        // A lone END/COMMIT in a transactional section is a wrapper's end, left out (the
        // section stays one transaction): real_histories_test covers it.
        TxControlCase{"tx_prepare",
                      "-- migrate:up\nCREATE TABLE notes (id int);\nPREPARE TRANSACTION 'x';\n",
                      "PREPARE TRANSACTION 'x'", 3, true}),
    [](const ::testing::TestParamInfo<TxControlCase>& info) { return info.param.name; });

TEST(TransactionControl, SavepointsInsideATransactionalRevisionRunAsWritten) {
  MigrationDir dir("savepoint", {{"0001_notes.sql",
                                  "-- migrate:up\nCREATE TABLE notes (id int);\nSAVEPOINT s1;\n"
                                  "CREATE TABLE scratch (id int);\nROLLBACK TO SAVEPOINT s1;\n"
                                  "RELEASE SAVEPOINT s1;\n"
                                  "-- migrate:down\nDROP TABLE notes;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult r = Stairway({"upgrade", "-d", dir.str()}, database->url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(TableExists(session, "notes"));
  EXPECT_FALSE(TableExists(session, "scratch"));
  EXPECT_EQ(HistoryStates(session), std::vector<std::string>{"0001:applied"});
}

// ---- item 11: messages that say what state things are in ----

TEST(ServerGoesAway, MidTransactionalRevisionSaysItWasRolledBack) {
  MigrationDir dir("gone_tx", {{"0001_slow.sql",
                                "-- migrate:up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(60);\n"
                                "-- migrate:down\nDROP TABLE slow;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess run = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", dir.str()}, database->url()), {}, SourceDir().string());
  const int pid = WaitForSleeper(session);
  ASSERT_NE(pid, 0) << run.ErrSoFar();
  session.Query("SELECT pg_terminate_backend($1)", {std::to_string(pid)});
  const ProcessResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.err.rfind("error: 0001_slow (up): the connection to the server was lost at "
                        "statement 2 of 2 (" +
                            dir.file("0001_slow.sql") +
                            ":3:1: SELECT pg_sleep(60)). 0001_slow ran in one transaction, which "
                            "the server rolls back when the session ends: nothing of it is "
                            "applied and the history is unchanged.",
                        0),
            0u)
      << r.err;
  EXPECT_NE(r.out.find("up   0001_slow ... FAILED"), std::string::npos) << r.out;
  EXPECT_TRUE(HistoryStates(session).empty());
  EXPECT_FALSE(TableExists(session, "slow"));
}

TEST(ServerGoesAway, MidNonTransactionalRevisionSaysWhatStaysDone) {
  MigrationDir dir("gone_nontx",
                   {{"0001_slow.sql",
                     "-- migrate:up transaction:false\nCREATE TABLE a (id int);\n"
                     "SELECT pg_sleep(60);\nCREATE TABLE b (id int);\n"
                     "-- migrate:down transaction:false\nDROP TABLE b;\nDROP TABLE a;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess run = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", dir.str()}, database->url()), {}, SourceDir().string());
  const int pid = WaitForSleeper(session);
  ASSERT_NE(pid, 0) << run.ErrSoFar();
  session.Query("SELECT pg_terminate_backend($1)", {std::to_string(pid)});
  const ProcessResult r = run.Wait();
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("0001_slow (up): the connection to the server was lost at statement 2 of "
                       "3 (" +
                       dir.file("0001_slow.sql") +
                       ":3:1: SELECT pg_sleep(60)). 0001_slow runs outside a transaction, so it "
                       "is half-applied: statement 1 stays done and statement 2 may or may not "
                       "have taken effect. public.stairway_history still marks it running"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("`stairway stamp 0001_slow` if it is now fully applied"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.err.find("client encoding"), std::string::npos) << r.err;
  EXPECT_EQ(HistoryStates(session), std::vector<std::string>{"0001:running"});
  EXPECT_TRUE(TableExists(session, "a"));
  EXPECT_FALSE(TableExists(session, "b"));
}

TEST(StatusDuringARun, SaysBeingAppliedByTheLockHolderThenInterruptedOnceItIsGone) {
  MigrationDir dir("status_live", {{"0001_slow.sql",
                                    "-- migrate:up transaction:false\nCREATE TABLE a (id int);\n"
                                    "SELECT pg_sleep(60);\n"
                                    "-- migrate:down transaction:false\nDROP TABLE a;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess run = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", dir.str()}, database->url()), {}, SourceDir().string());
  const int pid = WaitForSleeper(session);
  ASSERT_NE(pid, 0) << run.ErrSoFar();

  ProcessResult live = Stairway({"status", "-d", dir.str()}, database->url());
  EXPECT_EQ(live.exit_code, 0) << Describe(live);
  EXPECT_NE(live.out.find("  running  0001_slow: being applied by server pid " +
                          std::to_string(pid) + " (application \"stairway\""),
            std::string::npos)
      << live.out;
  EXPECT_NE(live.out.find("now at statement 2\n"), std::string::npos) << live.out;
  EXPECT_NE(live.out.find("0 failed, 0 pending, 1 being applied\n"), std::string::npos) << live.out;
  EXPECT_EQ(live.out.find("interrupted"), std::string::npos) << live.out;

  // The run dies without a word (kill -9) and its backend goes: now the row is interrupted.
  run.Signal(SIGKILL);
  run.Wait();
  EndOtherSessions(session);
  ProcessResult after = Stairway({"status", "-d", dir.str()}, database->url());
  EXPECT_EQ(after.exit_code, 1) << Describe(after);
  EXPECT_NE(after.out.find("  interrupted 0001_slow"), std::string::npos) << after.out;
}

TEST(SigtermInNonTransactionalDowngrade, HelpNamesTheRevisionToStamp) {
  MigrationDir dir(
      "sigterm_down",
      {{"0001_first.sql",
        "-- migrate:up\nCREATE TABLE first (id int);\n"
        "-- migrate:down\nDROP TABLE first;\n"},
       {"0002_second.sql",
        "-- migrate:up\nCREATE TABLE second (id int);\n"
        "-- migrate:down transaction:false\nSELECT pg_sleep(60);\nDROP TABLE second;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir.str()}, database->url());
  ASSERT_EQ(up.exit_code, 0) << Describe(up);

  ChildProcess run = ChildProcess::StartStairway(
      WithUrl({"downgrade", "-1", "-d", dir.str()}, database->url()), {}, SourceDir().string());
  ASSERT_NE(WaitForSleeper(session), 0) << run.ErrSoFar();
  run.Signal(SIGTERM);
  run.Wait();
  EndOtherSessions(session);

  ProcessResult status = Stairway({"status", "-d", dir.str()}, database->url());
  EXPECT_EQ(status.exit_code, 1) << Describe(status);
  EXPECT_NE(status.out.find("0002_second's down section was interrupted at statement 1"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("`stairway stamp 0001` if it is now fully undone"), std::string::npos)
      << status.out;
  EXPECT_EQ(status.out.find("<the revision before"), std::string::npos) << status.out;
  // upgrade refuses with the same help.
  ProcessResult again = Stairway({"upgrade", "-d", dir.str()}, database->url());
  EXPECT_EQ(again.exit_code, 3) << Describe(again);
  EXPECT_NE(again.err.find("`stairway stamp 0001` if it is now fully undone"), std::string::npos)
      << again.err;
  // Following the help resolves it.
  session.Exec("DROP TABLE second");
  ProcessResult stamp = Stairway({"stamp", "0001", "-d", dir.str()}, database->url());
  EXPECT_EQ(stamp.exit_code, 0) << Describe(stamp);
  EXPECT_EQ(HistoryStates(session), std::vector<std::string>{"0001:applied"});
}

TEST(UpgradePlusOne, NothingPendingAfterLosingTheRaceExitsZero) {
  MigrationDir dir("race", {{"0001_slow.sql",
                             "-- migrate:up\nCREATE TABLE slow (id int);\nSELECT pg_sleep(2);\n"
                             "-- migrate:down\nDROP TABLE slow;\n"}});
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ChildProcess winner = ChildProcess::StartStairway(
      WithUrl({"upgrade", "-d", dir.str()}, database->url()), {}, SourceDir().string());
  ASSERT_NE(WaitForSleeper(session), 0) << winner.ErrSoFar();
  ChildProcess loser = ChildProcess::StartStairway(
      WithUrl({"upgrade", "+1", "--lock-wait", "60s", "-d", dir.str()}, database->url()), {},
      SourceDir().string());
  ASSERT_TRUE(loser.WaitForOutput("holds stairway's migration lock", 30s)) << loser.ErrSoFar();
  const ProcessResult won = winner.Wait();
  EXPECT_EQ(won.exit_code, 0) << Describe(won);
  const ProcessResult lost = loser.Wait();
  EXPECT_EQ(lost.exit_code, 0) << Describe(lost);
  EXPECT_NE(lost.out.find("Nothing to do: "), std::string::npos) << lost.out;
  EXPECT_NE(lost.out.find(" is at 0001_slow.\n"), std::string::npos) << lost.out;
  EXPECT_EQ(HistoryStates(session), std::vector<std::string>{"0001:applied"});
}

}  // namespace
}  // namespace stairway::testing

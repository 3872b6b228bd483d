// The runner CLI around the applier: where the connection comes from, masked passwords,
// read-only commands that never create the history table, the history schema and format
// version, stamp, heads, and help that teaches.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "runner/common/checksum.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSet = "fixtures/formats/stairway";

class RunnerCli : public ::testing::Test {
 protected:
  void SetUp() override {
    // The suite must not pick up a developer's database.
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_DIR");
    unsetenv("STAIRWAY_HISTORY_SCHEMA");
    database_ = NewTestDatabase();
    session_ = std::make_unique<db::Session>(db::Session::Connect(database_->url()));
  }
  const std::string& url() const { return database_->url(); }
  db::Session& session() { return *session_; }

  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(RunnerCli, ReadOnlyCommandsOnAFreshDatabaseNeverCreateTheHistoryTable) {
  for (const std::string command : {"current", "history", "status"}) {
    const ProcessResult r = Stairway({command, "-d", kSet}, url());
    EXPECT_EQ(r.exit_code, 0) << command << Describe(r);
    EXPECT_NE(r.out.find("no history table: nothing applied yet\n"), std::string::npos)
        << command << "\n"
        << r.out;
  }
  const ProcessResult down = Stairway({"downgrade", "-1", "-d", kSet}, url());
  EXPECT_EQ(down.exit_code, 2) << Describe(down);
  EXPECT_EQ(down.err, "error: cannot downgrade -1: only 0 revisions are applied\n");
  EXPECT_FALSE(HistoryTableExists(session()));
}

TEST_F(RunnerCli, ConnectionComesFromFlagThenEnvironmentThenDotEnv) {
  const fs::path cwd = fs::temp_directory_path() / ("stairway-dotenv-" + std::to_string(getpid()));
  fs::create_directories(cwd);
  const std::string set = (SourceDir() / kSet).string();
  std::ofstream(cwd / ".env") << "# local settings\nexport OTHER=1\nDATABASE_URL=\"" << url()
                              << "\"  # the dev database\n";
  ProcessResult r = RunStairway({"upgrade", "+1", "-d", set}, {}, cwd.string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session()).size(), 1u);

  // The environment beats .env; the flag beats both.
  const std::string nowhere = "postgresql://app:pw@127.0.0.1:1/app";
  r = RunStairway({"upgrade", "+1", "-d", set}, {{"DATABASE_URL", nowhere}}, cwd.string());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  r = RunStairway({"upgrade", "+1", "-d", set, "--database-url", url()},
                  {{"DATABASE_URL", nowhere}}, cwd.string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session()).size(), 2u);

  fs::remove(cwd / ".env");
  r = RunStairway({"current", "-d", set}, {}, cwd.string());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: no database to connect to (looked at --database-url, $DATABASE_URL, "
            "DATABASE_URL in ./.env): pass --database-url URL, set DATABASE_URL, or put "
            "DATABASE_URL=postgresql://... in ./.env\n");
  fs::remove_all(cwd);
}

TEST_F(RunnerCli, PasswordsAreMaskedInMessages) {
  const ProcessResult r = StairwayOffline(
      {"upgrade", "-d", kSet, "--database-url", "postgresql://alice:s3cr3t-pw@127.0.0.1:1/app"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.err.find("s3cr3t-pw"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("alice:***@127.0.0.1"), std::string::npos) << r.err;
}

TEST_F(RunnerCli, HistorySchemaFromFlagOrEnvironment) {
  ProcessResult r = Stairway({"upgrade", "--history-schema", "ops", "-d", kSet}, url());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(HistoryTableExists(session(), "public"));
  EXPECT_EQ(ReadHistory(session(), "ops"), AppliedEntries(LoadFixtureSet(kSet), 4));
  r = Stairway({"current", "-d", kSet}, url(), {{"STAIRWAY_HISTORY_SCHEMA", "ops"}});
  EXPECT_EQ(r.out, "0004_index_messages_by_user (head)\n") << Describe(r);
  r = Stairway({"current", "-d", kSet}, url());
  EXPECT_EQ(r.out, "no history table: nothing applied yet\n") << Describe(r);
}

TEST_F(RunnerCli, NewerTableFormatAndForeignTablesAreRefused) {
  ProcessResult r = Stairway({"upgrade", "+1", "-d", kSet}, url());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  session().Exec("UPDATE stairway_history SET format_version = 2 WHERE state = 'format'");
  const std::string newer =
      "error: public.stairway_history has table format 2, but this stairway understands format 1 "
      "at most; it was written by a newer stairway: upgrade stairway to use this database\n";
  for (const std::string command : {"upgrade", "status", "current"}) {
    r = Stairway({command, "-d", kSet}, url());
    EXPECT_EQ(r.exit_code, 2) << command << Describe(r);
    EXPECT_EQ(r.err, newer) << command;
  }
  EXPECT_EQ(ReadHistory(session()).size(), 1u);

  session().Exec("CREATE SCHEMA other; CREATE TABLE other.stairway_history (id int)");
  r = Stairway({"upgrade", "--history-schema", "other", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: other.stairway_history exists but is not a stairway history table (column "
            "\"format_version\" does not exist); choose another schema with --history-schema\n");
}

TEST_F(RunnerCli, StampRecordsWithoutRunningAndStampBaseForgets) {
  const source::MigrationSet set = LoadFixtureSet(kSet);
  const std::vector<std::string> empty = SchemaFingerprint(session());
  ProcessResult r = Stairway({"stamp", "0003", "-d", kSet}, url());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out,
            "  0001_create_users: recorded as applied\n"
            "  0002_create_message_role: recorded as applied\n"
            "  0003_create_messages: recorded as applied\n"
            "public.stairway_history now records 0003_create_messages as the newest applied "
            "revision.\n");
  EXPECT_EQ(ReadHistory(session()), AppliedEntries(set, 3));
  EXPECT_EQ(SchemaFingerprint(session()), empty);  // nothing ran
  r = Stairway({"history"}, url());
  EXPECT_NE(r.out.find("[stamped]"), std::string::npos) << r.out;
  r = Stairway({"stamp", "base", "-d", kSet}, url());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session()), AppliedEntries(set, 0));
}

TEST_F(RunnerCli, HistoryListsRowsInApplyOrder) {
  ASSERT_EQ(Stairway({"upgrade", "-d", kSet}, url()).exit_code, 0);
  const ProcessResult r = Stairway({"history"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  const std::size_t a = r.out.find("0001_create_users ");
  const std::size_t b = r.out.find("0004_index_messages_by_user ");
  EXPECT_TRUE(r.out.starts_with("REVISION ")) << r.out;
  ASSERT_NE(a, std::string::npos);
  ASSERT_NE(b, std::string::npos);
  EXPECT_LT(a, b);
}

TEST_F(RunnerCli, OptionErrorsAreInputErrors) {
  ProcessResult r = Stairway({"upgrade", "--lock-wait", "soon", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: bad --lock-wait \"soon\": expected a duration such as 10s, 500ms, 2min or 0 "
            "(no waiting)\n");
  r = Stairway({"upgrade", "--lock-timeout", "5 parsecs", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = Stairway({"upgrade", "--format", "liquibase", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: unknown --format \"liquibase\": use auto, stairway, dbmate, golang-migrate, "
            "flyway, goose, alembic or sqitch\n");
  r = Stairway({"downgrade", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = Stairway({"upgrade", "-2", "-d", kSet}, url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err, "error: upgrade target \"-2\" goes backwards: use `stairway downgrade -2`\n");
  EXPECT_FALSE(HistoryTableExists(session()));
}

TEST_F(RunnerCli, TimeoutsApplyToEveryRevision) {
  // 100ms cannot fit pg_sleep(2): the revision fails with 57014 and rolls back.
  ProcessResult r =
      Stairway({"upgrade", "--statement-timeout", "100ms", "-d", "fixtures/slow/tx"}, url());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_TRUE(
      r.err.starts_with("fixtures/slow/tx/0002_slow_backfill.sql:3:1: error: "
                        "0002_slow_backfill (up) failed at statement 1 of 2: canceling "
                        "statement due to statement timeout (SQLSTATE 57014)\n"))
      << r.err;
  // The help names the timeout that fired, not a fault in the statement.
  EXPECT_TRUE(r.err.ends_with(
      "  help: 0002_slow_backfill ran in one transaction, which was rolled back: nothing of it "
      "is applied and the history is unchanged. The statement timeout fired "
      "(--statement-timeout 100ms): the statement ran longer than that. Retrying later, when the "
      "database is less busy, may succeed (or raise --statement-timeout)\n"))
      << r.err;
  EXPECT_EQ(r.err.find("Fix the statement"), std::string::npos) << r.err;
  EXPECT_EQ(ReadHistory(session()).size(), 1u);
  // The timeout was SET LOCAL: the session-level setting of later work is untouched.
  r = Stairway({"upgrade", "-d", "fixtures/slow/tx"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

TEST_F(RunnerCli, LockTimeoutHelpSaysWhichTimeoutFiredAndThatRetryingMaySucceed) {
  ProcessResult r = Stairway({"upgrade", "+1", "-d", "fixtures/slow/tx"}, url());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  // Another session reads jobs and keeps its lock: 0002's ALTER TABLE waits, then gives up.
  db::Session holder = db::Session::Connect(url());
  holder.Exec("BEGIN; LOCK TABLE jobs IN ACCESS SHARE MODE");
  r = Stairway({"upgrade", "--lock-timeout", "100ms", "-d", "fixtures/slow/tx"}, url());
  holder.Exec("ROLLBACK");
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("canceling statement due to lock timeout (SQLSTATE 55P03)"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.err.ends_with(
      "  help: 0002_slow_backfill ran in one transaction, which was rolled back: nothing of it "
      "is applied and the history is unchanged. The lock timeout fired (--lock-timeout 100ms): "
      "another session held a lock the statement needed. Retrying later, when that session is "
      "done, may succeed (or raise --lock-timeout)\n"))
      << r.err;
  EXPECT_EQ(ReadHistory(session()).size(), 1u);
  // Retrying once the other session is done succeeds, as the help says.
  r = Stairway({"upgrade", "--lock-timeout", "100ms", "-d", "fixtures/slow/tx"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

TEST(RunnerCliOffline, UnknownCommandIsNamedWithTheClosestCommand) {
  ProcessResult r = StairwayOffline({"upgarde"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: unknown command \"upgarde\": did you mean `stairway upgrade`? (`stairway "
            "--help` lists the commands)\n");
  r = StairwayOffline({"--connect-timeout", "3", "statsu", "-d", kSet});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: unknown command \"statsu\": did you mean `stairway status`? (`stairway "
            "--help` lists the commands)\n");
  r = StairwayOffline({"deploy"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err, "error: unknown command \"deploy\": `stairway --help` lists the commands\n");
  // A known command's own errors are unchanged; no command at all is still CLI11's message.
  r = StairwayOffline({"heads", "--no-such-flag", "-d", kSet});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err.find("unknown command"), std::string::npos) << r.err;
  r = StairwayOffline({});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("A subcommand is required"), std::string::npos) << r.err;
}

TEST(RunnerCliOffline, HeadsNeedsNoDatabase) {
  const ProcessResult r = StairwayOffline({"heads", "-d", kSet});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "0004_index_messages_by_user (head)\n");
}

TEST(RunnerCliOffline, EveryRunnerCommandsHelpEndsWithExamples) {
  for (const std::string command : {"upgrade", "downgrade", "current", "history", "heads", "status",
                                    "stamp", "repair", "verify"}) {
    const ProcessResult r = StairwayOffline({command, "--help"});
    EXPECT_EQ(r.exit_code, 0) << command << Describe(r);
    EXPECT_NE(r.out.find("\nExamples:\n  stairway " + command), std::string::npos)
        << command << "\n"
        << r.out;
  }
}

}  // namespace
}  // namespace stairway::testing

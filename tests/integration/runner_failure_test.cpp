// Failure paths of the applier: a failing transactional revision leaves schema and history as
// they were; a failing non-transactional one leaves a failed row and blocks the next run until
// resolved; edited applied migrations are reported and refused; bad input applies nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

TEST(FailingTransactionalRevision, LeavesSchemaAndHistoryExactlyAsBefore) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/failing");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult first = Stairway({"upgrade", "0002", "-d", "fixtures/failing"}, database->url());
  ASSERT_EQ(first.exit_code, 0) << Describe(first);
  const std::vector<std::string> schema_before = SchemaFingerprint(session);
  const std::vector<HistoryEntry> history_before = ReadHistory(session);
  EXPECT_EQ(history_before, AppliedEntries(set, 2));

  ProcessResult r = Stairway({"upgrade", "-d", "fixtures/failing"}, database->url());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.err,
            "fixtures/failing/0003_add_post_slug.sql:4:1: error: 0003_add_post_slug (up) failed at "
            "statement 2 of 2: column \"published_at\" does not exist (SQLSTATE 42703)\n"
            "  CREATE INDEX posts_published_at_idx ON posts (published_at);\n"
            "  ^\n"
            "  statement: CREATE INDEX posts_published_at_idx ON posts (published_at)\n"
            "  help: 0003_add_post_slug ran in one transaction, which was rolled back: nothing of "
            "it is applied and the history is unchanged. Fix the statement and run again\n");
  EXPECT_NE(r.out.find("up   0003_add_post_slug ... FAILED"), std::string::npos) << r.out;
  // The first statement (ADD COLUMN slug) worked before the second failed: it must be gone.
  EXPECT_EQ(SchemaFingerprint(session), schema_before);
  EXPECT_EQ(ReadHistory(session), history_before);
}

TEST(FailingTransactionalRevision, EarlierRevisionsOfTheSameRunStayApplied) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/failing");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult r = Stairway({"upgrade", "-d", "fixtures/failing"}, database->url());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 2));
  ProcessResult status = Stairway({"status", "-d", "fixtures/failing"}, database->url());
  EXPECT_EQ(status.exit_code, 0) << Describe(status);
  EXPECT_NE(status.out.find("  pending  0003_add_post_slug\n"), std::string::npos) << status.out;
}

TEST(FailingNonTransactionalRevision, LeavesFailedRowAndNextUpgradeRefusesUntilResolved) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/nontx_failing");
  const std::string dir = "fixtures/nontx_failing";
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult r = Stairway({"upgrade", "-d", dir}, database->url());
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_EQ(r.err,
            "fixtures/nontx_failing/0002_index_events.sql:5:1: error: 0002_index_events (up) "
            "failed at statement 2 of 2: column \"source\" does not exist (SQLSTATE 42703)\n"
            "  CREATE INDEX CONCURRENTLY events_source_idx ON events (source);\n"
            "  ^\n"
            "  statement: CREATE INDEX CONCURRENTLY events_source_idx ON events (source)\n"
            "  help: 0002_index_events runs outside a transaction: statement 1 stays done and "
            "public.stairway_history records it as failed. Fix the database by hand, then "
            "`stairway stamp 0002_index_events` if it is now fully applied, or `stairway repair` "
            "to forget the attempt and run it again\n");

  std::vector<HistoryEntry> expected = AppliedEntries(set, 2);
  expected[1].state = "failed";
  EXPECT_EQ(ReadHistory(session), expected);
  const db::QueryResult row = session.Query(
      "SELECT statement_index, error, direction, "
      "to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') "
      "FROM stairway_history WHERE version = '0002'");
  ASSERT_EQ(row.rows.size(), 1u);
  EXPECT_EQ(row.rows[0][0], std::optional<std::string>("2"));
  EXPECT_EQ(row.rows[0][1], std::optional<std::string>("column \"source\" does not exist"));
  EXPECT_EQ(row.rows[0][2], std::optional<std::string>("up"));
  const std::string at = row.rows[0][3].value_or("");
  // Statement 1 committed on its own and stays.
  EXPECT_EQ(session.Query("SELECT 1 FROM pg_class WHERE relname = 'events_kind_idx'").rows.size(),
            1u);

  ProcessResult again = Stairway({"upgrade", "-d", dir}, database->url());
  EXPECT_EQ(again.exit_code, 3) << Describe(again);
  EXPECT_EQ(again.err,
            "error: public.stairway_history has an unfinished revision: 0002_index_events's up "
            "section failed at statement 2 (" +
                at +
                " UTC): column \"source\" does not exist. It "
                "runs outside a transaction, so the statements before that one stay done. Fix the "
                "database by hand (finish or undo what 0002_index_events did), then record the "
                "outcome: `stairway stamp 0002_index_events` if it is now fully applied, or "
                "`stairway repair` to forget the attempt so the next upgrade runs it again\n");
  EXPECT_EQ(ReadHistory(session), expected);

  ProcessResult status = Stairway({"status", "-d", dir}, database->url());
  EXPECT_EQ(status.exit_code, 1) << Describe(status);
  EXPECT_NE(status.out.find("  failed   0002_index_events\n"), std::string::npos) << status.out;

  // Resolution 1: repair forgets the attempt, the revision is pending again.
  ProcessResult repair = Stairway({"repair", "-d", dir}, database->url());
  EXPECT_EQ(repair.exit_code, 0) << Describe(repair);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 1));
  ProcessResult fails_again = Stairway({"upgrade", "-d", dir}, database->url());
  EXPECT_EQ(fails_again.exit_code, 3) << Describe(fails_again);

  // Resolution 2: fixed by hand, then stamped as applied.
  session.Exec("ALTER TABLE events ADD COLUMN source text");
  session.Exec("CREATE INDEX events_source_idx ON events (source)");
  ProcessResult stamp = Stairway({"stamp", "0002", "-d", dir}, database->url());
  EXPECT_EQ(stamp.exit_code, 0) << Describe(stamp);
  EXPECT_EQ(stamp.out,
            "  0002_index_events: failed attempt recorded as applied\n"
            "public.stairway_history now records 0002_index_events as the newest applied "
            "revision.\n");
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 2));
  ProcessResult clean = Stairway({"status", "-d", dir}, database->url());
  EXPECT_EQ(clean.exit_code, 0) << Describe(clean);
  ProcessResult nothing = Stairway({"upgrade", "-d", dir}, database->url());
  EXPECT_EQ(nothing.exit_code, 0) << Describe(nothing);
}

TEST(EditedMigration, ReportedByStatusAndRefusedByUpgrade) {
  const fs::path dir = fs::temp_directory_path() / ("stairway-edited-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::copy(SourceDir() / "fixtures/formats/stairway", dir);
  auto database = NewTestDatabase();
  const std::string url = database->url();
  db::Session session = db::Session::Connect(url);
  ProcessResult up = Stairway({"upgrade", "+3", "-d", dir.string()}, url);
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  const source::MigrationSet original = source::LoadMigrationSet(dir).ValueOrThrow();

  const fs::path file = dir / "0002_create_message_role.sql";
  std::string text = ReadFile(file);
  const std::size_t down = text.find("-- migrate:down");
  ASSERT_NE(down, std::string::npos);
  text.insert(down, "COMMENT ON TYPE message_role IS 'who wrote the message';\n\n");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  const source::MigrationSet edited = source::LoadMigrationSet(dir).ValueOrThrow();
  const std::string old_sum = original.revisions[1].checksum.substr(0, 12);
  const std::string new_sum = edited.revisions[1].checksum.substr(0, 12);
  ASSERT_NE(old_sum, new_sum);

  ProcessResult status = Stairway({"status", "-d", dir.string()}, url);
  EXPECT_EQ(status.exit_code, 1) << Describe(status);
  EXPECT_NE(
      status.out.find("  edited   0002_create_message_role: file changed since it was "
                      "applied (checksum " +
                      old_sum + " in the history, " + new_sum + " in " + file.string() + ")\n"),
      std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("3 applied (1 edited), 0 failed, 1 pending\n"), std::string::npos)
      << status.out;

  const std::vector<HistoryEntry> before = ReadHistory(session);
  ProcessResult refused = Stairway({"upgrade", "-d", dir.string()}, url);
  EXPECT_EQ(refused.exit_code, 2) << Describe(refused);
  EXPECT_EQ(refused.err,
            "error: 1 applied revision changed since it was applied: 0002_create_message_role (" +
                file.string() + ": checksum " + old_sum + " in the history, " + new_sum +
                " in the file). Restore the file, or pass --allow-edited to go on anyway "
                "(`stairway repair --accept-edits` records the new checksum)\n");
  EXPECT_EQ(ReadHistory(session), before);

  ProcessResult allowed = Stairway({"upgrade", "--allow-edited", "-d", dir.string()}, url);
  EXPECT_EQ(allowed.exit_code, 0) << Describe(allowed);
  EXPECT_EQ(ReadHistory(session).size(), 4u);

  ProcessResult accept = Stairway({"repair", "--accept-edits", "-d", dir.string()}, url);
  EXPECT_EQ(accept.exit_code, 0) << Describe(accept);
  ProcessResult clean = Stairway({"status", "-d", dir.string()}, url);
  EXPECT_EQ(clean.exit_code, 0) << Describe(clean);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(edited, 4));
  fs::remove_all(dir);
}

// fixtures/bad/<class>/: migrations/, expected_error.txt, optional format.txt.
std::vector<std::string> BadClasses() {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(FixturesDir() / "bad")) {
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(BadInput, EveryClassExitsTwoWithItsMessageAndLeavesTheDatabaseUntouched) {
  const std::vector<std::string> classes = BadClasses();
  ASSERT_GE(classes.size(), 10u);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  const std::vector<std::string> empty = SchemaFingerprint(session);
  for (const std::string& name : classes) {
    SCOPED_TRACE(name);
    const fs::path fixture = FixturesDir() / "bad" / name;
    const std::string expected =
        "error: " + TrimEnd(ReadFile(fixture / "expected_error.txt")) + "\n";
    std::vector<std::string> extra = {"-d", "fixtures/bad/" + name + "/migrations"};
    if (fs::exists(fixture / "format.txt")) {
      extra.push_back("--format");
      extra.push_back(TrimEnd(ReadFile(fixture / "format.txt")));
    }
    for (const std::vector<std::string>& command : {std::vector<std::string>{"upgrade", "head"},
                                                    {"downgrade", "-1"},
                                                    {"status"},
                                                    {"stamp", "1"},
                                                    {"upgrade", "--sql"}}) {
      std::vector<std::string> args = command;
      args.insert(args.end(), extra.begin(), extra.end());
      const ProcessResult r = Stairway(args, database->url());
      EXPECT_EQ(r.exit_code, 2) << command[0] << "\n" << Describe(r);
      EXPECT_EQ(r.err, expected) << command[0];
      EXPECT_EQ(r.out, "") << command[0];
    }
    std::vector<std::string> verify = {"verify", "--roundtrip",
                                       "fixtures/bad/" + name + "/migrations"};
    if (fs::exists(fixture / "format.txt")) {
      verify.push_back("--format");
      verify.push_back(TrimEnd(ReadFile(fixture / "format.txt")));
    }
    const ProcessResult v = StairwayOffline(verify);
    EXPECT_EQ(v.exit_code, 2) << Describe(v);
    EXPECT_EQ(v.err, expected);
    EXPECT_FALSE(HistoryTableExists(session));
    EXPECT_EQ(SchemaFingerprint(session), empty);
  }
}

TEST(BadInput, UnknownTargetRevisionNamesCloseMatchesAndAppliesNothing) {
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult r =
      Stairway({"upgrade", "0030", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: unknown revision \"0030\": fixtures/formats/stairway has revisions "
            "0001_create_users to 0004_index_messages_by_user (run `stairway status` to list "
            "them)\n");
  ProcessResult typo = Stairway(
      {"upgrade", "0003_create_mesages", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(typo.exit_code, 2) << Describe(typo);
  EXPECT_EQ(typo.err,
            "error: unknown revision \"0003_create_mesages\": did you mean 0003_create_messages? "
            "(fixtures/formats/stairway has revisions 0001_create_users to "
            "0004_index_messages_by_user)\n");
  ProcessResult far =
      Stairway({"downgrade", "zzz", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(far.exit_code, 2) << Describe(far);
  EXPECT_EQ(far.err,
            "error: unknown revision \"zzz\": fixtures/formats/stairway has revisions "
            "0001_create_users to 0004_index_messages_by_user (run `stairway status` to list "
            "them)\n");
  ProcessResult plus =
      Stairway({"upgrade", "+9", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(plus.exit_code, 2) << Describe(plus);
  EXPECT_EQ(plus.err, "error: cannot upgrade +9: only 4 revisions are pending\n");
  ProcessResult ambiguous =
      Stairway({"stamp", "000", "-d", "fixtures/formats/stairway"}, database->url());
  EXPECT_EQ(ambiguous.exit_code, 2) << Describe(ambiguous);
  EXPECT_EQ(ambiguous.err,
            "error: ambiguous revision \"000\": it is the start of 4 revisions "
            "(0001_create_users, 0002_create_message_role, 0003_create_messages, "
            "0004_index_messages_by_user); give more of it\n");
  ambiguous = Stairway({"upgrade", "202401", "-d", "fixtures/formats/goose"}, database->url());
  EXPECT_EQ(ambiguous.exit_code, 2) << Describe(ambiguous);
  EXPECT_EQ(ambiguous.err,
            "error: ambiguous revision \"202401\": it is the start of 3 revisions "
            "(20240105093000_create_projects, 20240105093500_touch_updated_at, "
            "20240112160000_create_project_members); give more of it\n");
  EXPECT_FALSE(HistoryTableExists(session));
}

}  // namespace
}  // namespace stairway::testing

namespace stairway::testing {
namespace {

// Writes a one-revision golang-migrate set whose up file is `up` into a fresh temp directory.
fs::path GolangMigrateSet(const std::string& tag, const std::string& up) {
  const fs::path dir =
      fs::temp_directory_path() / ("stairway-" + tag + "-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ofstream(dir / "1_create_notes.up.sql") << up;
  std::ofstream(dir / "1_create_notes.down.sql") << "DROP TABLE notes;\n";
  return dir;
}

TEST(TransactionControl, BeginCommitWrapperIsDroppedForTheRevisionsOwnTransaction) {
  const fs::path dir =
      GolangMigrateSet("wrapped", "BEGIN;\nCREATE TABLE notes (id int);\nCOMMIT;\n");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir.string()}, database->url());
  EXPECT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(ReadHistory(session).size(), 1u);
  ProcessResult script = StairwayOffline({"upgrade", "--sql", "-d", dir.string()});
  EXPECT_NE(script.out.find("BEGIN;\nCREATE TABLE notes (id int);\nINSERT INTO"), std::string::npos)
      << script.out;
  fs::remove_all(dir);
}

// A COMMIT in the middle is left out as golang-migrate's own run makes it harmless (see
// real_histories_test.cpp); a ROLLBACK would undo the revision under stairway's history row.
TEST(TransactionControl, RollbackInsideATransactionalRevisionIsRefusedBeforeAnythingRuns) {
  const fs::path dir =
      GolangMigrateSet("rollback", "BEGIN;\nCREATE TABLE notes (id int);\nROLLBACK;\n");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir.string()}, database->url());
  EXPECT_EQ(up.exit_code, 2) << Describe(up);
  EXPECT_EQ(up.err,
            "error: " + (dir / "1_create_notes.up.sql").string() +
                ":3:1: 1_create_notes (up): ROLLBACK is refused: transaction control inside a "
                "transactional revision; stairway runs each revision in its own transaction "
                "(leaving out the revision's BEGIN and COMMIT), which this statement would undo "
                "or end: remove it, or mark the revision non-transactional (see "
                "docs/formats.md); nothing was applied\n");
  EXPECT_FALSE(HistoryTableExists(session));
  EXPECT_TRUE(SchemaFingerprint(session).empty());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace stairway::testing

// Every format's good set goes up to head one revision at a time and back down to base, with
// the history table exact after each step and the schema empty again at the end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

class FormatTest : public ::testing::TestWithParam<std::string> {};

TEST_P(FormatTest, UpOneByOneThenDownToBaseKeepsHistoryExact) {
  const std::string dir = "fixtures/formats/" + GetParam();
  const source::MigrationSet set = LoadFixtureSet(dir);
  ASSERT_GE(set.revisions.size(), 2u);
  auto database = NewTestDatabase();
  const std::string url = database->url();
  db::Session session = db::Session::Connect(url);
  const std::vector<std::string> empty_schema = SchemaFingerprint(session);

  for (std::size_t i = 1; i <= set.revisions.size(); ++i) {
    const ProcessResult r = Stairway({"upgrade", "+1", "-d", dir}, url);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(ReadHistory(session), AppliedEntries(set, i)) << "after upgrade number " << i;
  }
  const std::vector<std::string> head_schema = SchemaFingerprint(session);
  EXPECT_NE(head_schema, empty_schema);

  ProcessResult current = Stairway({"current", "-d", dir}, url);
  EXPECT_EQ(current.exit_code, 0) << Describe(current);
  EXPECT_EQ(current.out, set.revisions.back().Label() + " (head)\n");

  ProcessResult again = Stairway({"upgrade", "-d", dir}, url);
  EXPECT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_NE(again.out.find("Nothing to do"), std::string::npos) << again.out;
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, set.revisions.size()));

  for (std::size_t i = set.revisions.size(); i-- > 0;) {
    const ProcessResult r = Stairway({"downgrade", "-1", "-d", dir}, url);
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
    EXPECT_EQ(ReadHistory(session), AppliedEntries(set, i)) << "after downgrade to " << i;
  }
  EXPECT_EQ(SchemaFingerprint(session), empty_schema);
  current = Stairway({"current", "-d", dir}, url);
  EXPECT_EQ(current.out, "base (nothing applied)\n") << Describe(current);

  // The whole way in one go each, and named targets.
  ProcessResult up = Stairway({"upgrade", "head", "-d", dir}, url);
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, set.revisions.size()));
  EXPECT_EQ(SchemaFingerprint(session), head_schema);
  ProcessResult back = Stairway({"downgrade", set.revisions[0].Label(), "-d", dir}, url);
  ASSERT_EQ(back.exit_code, 0) << Describe(back);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 1));
  ProcessResult to = Stairway({"upgrade", set.revisions[1].version, "-d", dir}, url);
  ASSERT_EQ(to.exit_code, 0) << Describe(to);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 2));
  ProcessResult base = Stairway({"downgrade", "base", "-d", dir}, url);
  ASSERT_EQ(base.exit_code, 0) << Describe(base);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 0));
  EXPECT_EQ(SchemaFingerprint(session), empty_schema);
}

// `stairway new` on a copy of the format's set: the placeholder it writes stops the upgrade
// with its message (nothing of the new revision recorded as applied); once its SQL is written,
// the new revision applies after all the others.
TEST_P(FormatTest, NewRevisionPlaceholderFailsUntilWrittenThenAppliesLast) {
  const source::MigrationSet fixture = LoadFixtureSet("fixtures/formats/" + GetParam());
  TempDir temp("stairway-new");
  const fs::path dir = temp.path() / "m";
  fs::copy(SourceDir() / "fixtures/formats" / GetParam(), dir);
  const ProcessResult created = RunStairway({"new", "Add Notes", "-d", dir.string()});
  ASSERT_EQ(created.exit_code, 0) << Describe(created);
  const fs::path up_file = fs::path(created.out.substr(0, created.out.find('\n')));
  const source::MigrationSet set = LoadFixtureSet(dir.string());
  ASSERT_EQ(set.revisions.size(), fixture.revisions.size() + 1);
  const source::Revision& added = set.revisions.back();
  EXPECT_EQ(added.name, "add_notes");
  EXPECT_EQ(added.up.path, up_file);

  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  const ProcessResult failed = Stairway({"upgrade", "-d", dir.string()}, database->url());
  EXPECT_EQ(failed.exit_code, 3) << Describe(failed);
  EXPECT_NE(failed.err.find("migration " + added.Label() + " is not written yet: edit " +
                            up_file.filename().string()),
            std::string::npos)
      << failed.err;
  for (const HistoryEntry& entry : ReadHistory(session)) {
    EXPECT_FALSE(entry.version == added.version && entry.state == "applied") << entry;
  }

  std::string text = ReadFile(up_file);
  const std::size_t placeholder = text.find("DO $$ BEGIN RAISE EXCEPTION");
  ASSERT_NE(placeholder, std::string::npos) << text;
  text.replace(placeholder, text.find('\n', placeholder) - placeholder,
               "CREATE TABLE notes (id bigint PRIMARY KEY);");
  std::ofstream(up_file, std::ios::trunc) << text;
  const ProcessResult written = Stairway({"upgrade", "-d", dir.string()}, database->url());
  ASSERT_EQ(written.exit_code, 0) << Describe(written);
  const std::vector<HistoryEntry> history = ReadHistory(session);
  ASSERT_FALSE(history.empty());
  EXPECT_EQ(history.back().version, added.version);
  EXPECT_EQ(history.back().state, "applied");
}

// head and heads name the last revision wherever a revision is accepted (stamp included), and a
// unique prefix of a label names its revision.
TEST_P(FormatTest, HeadHeadsAndPrefixTargets) {
  const std::string dir = "fixtures/formats/" + GetParam();
  const source::MigrationSet set = LoadFixtureSet(dir);
  ASSERT_GE(set.revisions.size(), 2u);
  auto database = NewTestDatabase();
  const std::string url = database->url();
  db::Session session = db::Session::Connect(url);
  const std::vector<std::string> empty_schema = SchemaFingerprint(session);
  const std::size_t n = set.revisions.size();

  ProcessResult r = Stairway({"stamp", "head", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("now records " + set.revisions.back().Label() + " as the newest applied"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, n));
  EXPECT_EQ(SchemaFingerprint(session), empty_schema);  // stamp runs nothing
  r = Stairway({"stamp", "base", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);

  // One character short of the second revision's label still names only it.
  const std::string label = set.revisions[1].Label();
  r = Stairway({"upgrade", label.substr(0, label.size() - 1), "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 2));
  r = Stairway({"upgrade", "heads", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, n));
  r = Stairway({"downgrade", "head", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("Nothing to do"), std::string::npos) << r.out;
  r = Stairway({"downgrade", "base", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Stairway({"stamp", "heads", "-d", dir}, url);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, n));
  const ProcessResult sql =
      StairwayOffline({"downgrade", "head", "--sql", "--from", "head", "-d", dir});
  EXPECT_EQ(sql.exit_code, 0) << Describe(sql);
}

INSTANTIATE_TEST_SUITE_P(Formats, FormatTest, AllFormats(), PathTestName);

TEST(FormatTest, IrreversibleRevisionStopsDowngradeBeforeAnythingRuns) {
  const std::string dir = "fixtures/formats/flyway-repeatable";
  const source::MigrationSet set = LoadFixtureSet(dir);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir}, database->url());
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  const std::vector<HistoryEntry> applied = ReadHistory(session);
  EXPECT_EQ(applied, AppliedEntries(set, set.revisions.size()));

  ProcessResult down = Stairway({"downgrade", "base", "-d", dir}, database->url());
  EXPECT_EQ(down.exit_code, 2) << Describe(down);
  const source::Revision& last = set.revisions.back();
  ASSERT_FALSE(last.down.has_value());
  EXPECT_EQ(down.err, "error: " + dir + "/" + last.up.path.filename().string() +
                          ": cannot downgrade past " + last.Label() +
                          ": it has no down section (irreversible); nothing was "
                          "undone. Downgrade to " +
                          last.Label() +
                          " at most, or undo it by hand "
                          "and run `stairway stamp " +
                          set.revisions[set.revisions.size() - 2].Label() + "`\n");
  EXPECT_EQ(ReadHistory(session), applied);
}

}  // namespace
}  // namespace stairway::testing

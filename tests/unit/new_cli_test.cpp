// `stairway new`: the slug and next-version rules, and the command end to end on directories of
// each format (the stairway binary, real files): names, contents, lint, and that the directory
// reads back with the new revision last.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/new_revision.h"
#include "runner/source/migration.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace stairway::cli {
namespace {

namespace fs = std::filesystem;
using testing::ProcessResult;
using testing::RunStairway;
using testing::TempDir;

std::chrono::system_clock::time_point At(std::time_t t) {
  return std::chrono::system_clock::from_time_t(t);
}

// 2024-01-05 09:30:00 UTC.
constexpr std::time_t kJan5 = 1704447000;

TEST(NewRevision, SlugifyLowercasesAndJoinsWithUnderscores) {
  EXPECT_EQ(Slugify("Add users table"), "add_users_table");
  EXPECT_EQ(Slugify("  add--Index ON users(email)!  "), "add_index_on_users_email");
  EXPECT_EQ(Slugify("already_snake_case"), "already_snake_case");
  EXPECT_EQ(Slugify("drop café 2"), "drop_caf_2");
  EXPECT_EQ(Slugify("V2"), "v2");
  EXPECT_EQ(Slugify("--- !!"), "");
  EXPECT_EQ(Slugify("ünï"), "n");
  EXPECT_EQ(Slugify(""), "");
}

TEST(NewRevision, StyleOfTellsTimestampsFromSequences) {
  EXPECT_EQ(StyleOf("20240105093000"), VersionStyle::kTimestamp);
  EXPECT_EQ(StyleOf("20240230093000"), VersionStyle::kSequence);  // no 30 February
  EXPECT_EQ(StyleOf("00000000000001"), VersionStyle::kSequence);
  EXPECT_EQ(StyleOf("1704447000"), VersionStyle::kUnixTime);
  EXPECT_EQ(StyleOf("0000000001"), VersionStyle::kSequence);
  EXPECT_EQ(StyleOf("0004"), VersionStyle::kSequence);
  EXPECT_EQ(StyleOf("1.2"), VersionStyle::kDotted);
  EXPECT_EQ(StyleOf("2_1"), VersionStyle::kDotted);
}

TEST(NewRevision, TimestampsAreNowOrOneSecondAfterTheNewest) {
  EXPECT_EQ(TimestampVersion(At(kJan5)), "20240105093000");
  EXPECT_EQ(NextVersion("20230101000000", At(kJan5)), "20240105093000");
  // The newest is now or later (a clock behind, a file from the future): one second after.
  EXPECT_EQ(NextVersion("20240105093000", At(kJan5)), "20240105093001");
  EXPECT_EQ(NextVersion("20240105093059", At(kJan5)), "20240105093100");
  EXPECT_EQ(NextVersion("29991231235959", At(kJan5)), "30000101000000");
  EXPECT_EQ(NextVersion("1600000000", At(kJan5)), "1704447000");
  EXPECT_EQ(NextVersion("1800000000", At(kJan5)), "1800000001");
}

TEST(NewRevision, SequencesKeepTheirPadding) {
  EXPECT_EQ(NextVersion("0004", At(kJan5)), "0005");
  EXPECT_EQ(NextVersion("0009", At(kJan5)), "0010");
  EXPECT_EQ(NextVersion("000099", At(kJan5)), "000100");
  EXPECT_EQ(NextVersion("1", At(kJan5)), "2");
  EXPECT_EQ(NextVersion("99", At(kJan5)), "100");
  EXPECT_EQ(NextVersion("20240230093000", At(kJan5)), "20240230093001");
  EXPECT_EQ(NextVersion("1.9", At(kJan5)), "1.10");
  EXPECT_EQ(NextVersion("2_01", At(kJan5)), "2_02");
  for (const char* v : {"0004", "99", "1.9", "2_01", "20240105093059", "29991231235959"}) {
    const std::string next = NextVersion(v, At(kJan5));
    std::string dotted = next;
    for (char& c : dotted) c = c == '_' ? '.' : c;
    std::string from = v;
    for (char& c : from) c = c == '_' ? '.' : c;
    EXPECT_GT(source::CompareVersions(dotted, from), 0) << v << " -> " << next;
  }
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> Names(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The new revision reads back as the newest: `heads` names it, the --sql script (every
// revision in apply order, no database) ends with it, and lint finds nothing.
void ExpectReadsBackLast(const TempDir& dir, const std::string& label) {
  const ProcessResult heads = RunStairway({"heads", "-d", "m"}, {}, dir.path().string());
  EXPECT_EQ(heads.exit_code, 0) << heads.err;
  EXPECT_EQ(heads.out, label + " (head)\n");
  const ProcessResult script =
      RunStairway({"upgrade", "--sql", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(script.exit_code, 0) << script.err;
  std::string last_up;
  for (const std::string& line : Lines(script.out)) {
    if (line.starts_with("-- up ")) last_up = line;
  }
  EXPECT_TRUE(last_up.starts_with("-- up " + label + " (")) << script.out;
  const ProcessResult lint = RunStairway({"--no-color", "lint", "m"}, {}, dir.path().string());
  EXPECT_EQ(lint.exit_code, 0) << lint.out << lint.err;
}

// The placeholder every format writes in the up file.
void ExpectPlaceholder(const std::string& text, const std::string& label, const std::string& file) {
  EXPECT_NE(text.find("DO $$ BEGIN RAISE EXCEPTION 'migration " + label +
                      " is not written yet: edit " + file + "'; END $$;\n"),
            std::string::npos)
      << text;
}

// YYYYMMDDHHMMSS of the test's start and end: a version made in between lies between them.
bool IsTimestampBetween(const std::string& v, const std::string& before, const std::string& after) {
  return StyleOf(v) == VersionStyle::kTimestamp && v >= before && v <= after;
}

TEST(NewCli, DbmateTimestampsGetALaterTimestamp) {
  TempDir dir("stairway-new");
  dir.Write("m/20240105093000_create_users.sql",
            "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n"
            "-- migrate:down\nDROP TABLE users;\n");
  const std::string before = TimestampVersion(std::chrono::system_clock::now());
  const ProcessResult r =
      RunStairway({"new", "Add Email Column", "-d", "m"}, {}, dir.path().string());
  const std::string after = TimestampVersion(std::chrono::system_clock::now());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> names = Names(dir.path() / "m");
  ASSERT_EQ(names.size(), 2u);
  const std::string file = names[1];
  ASSERT_TRUE(file.ends_with("_add_email_column.sql")) << file;
  const std::string version = file.substr(0, 14);
  EXPECT_TRUE(IsTimestampBetween(version, before, after)) << version;
  EXPECT_EQ(r.out, "m/" + file + "\n");
  const std::string text = ReadText(dir.path() / "m" / file);
  EXPECT_TRUE(text.starts_with("-- migrate:up\n")) << text;
  EXPECT_NE(text.find("\n-- migrate:down\n"), std::string::npos) << text;
  ExpectPlaceholder(text, version + "_add_email_column", file);
  ExpectReadsBackLast(dir, version + "_add_email_column");
}

TEST(NewCli, StairwaySequenceKeepsPadding) {
  TempDir dir("stairway-new");
  for (const char* name : {"m/0008_a.sql", "m/0009_b.sql"}) {
    dir.Write(name, "-- migrate:up\nSELECT 1;\n-- migrate:down\nSELECT 1;\n");
  }
  const ProcessResult r = RunStairway({"new", "c", "--dir", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "m/0010_c.sql\n");
  ExpectReadsBackLast(dir, "0010_c");
}

TEST(NewCli, TimestampFromTheFutureIsFollowedBySecond) {
  TempDir dir("stairway-new");
  dir.Write("m/29991231235959_a.sql", "-- migrate:up\nSELECT 1;\n");
  const ProcessResult r = RunStairway({"new", "b", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "m/30000101000000_b.sql\n");
  ExpectReadsBackLast(dir, "30000101000000_b");
}

TEST(NewCli, GolangMigrateWritesThePair) {
  TempDir dir("stairway-new");
  dir.Write("m/000001_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  dir.Write("m/000001_users.down.sql", "DROP TABLE users;\n");
  const ProcessResult r = RunStairway({"new", "add roles", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "m/000002_add_roles.up.sql\nm/000002_add_roles.down.sql\n");
  ExpectPlaceholder(ReadText(dir.path() / "m/000002_add_roles.up.sql"), "000002_add_roles",
                    "000002_add_roles.up.sql");
  const std::string down = ReadText(dir.path() / "m/000002_add_roles.down.sql");
  EXPECT_TRUE(down.starts_with("-- The SQL that undoes the migration.")) << down;
  ExpectReadsBackLast(dir, "000002_add_roles");
}

TEST(NewCli, GolangMigrateTimestamps) {
  TempDir dir("stairway-new");
  dir.Write("m/20240105093000_users.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  const std::string before = TimestampVersion(std::chrono::system_clock::now());
  const ProcessResult r = RunStairway({"new", "roles", "-d", "m"}, {}, dir.path().string());
  const std::string after = TimestampVersion(std::chrono::system_clock::now());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<std::string> names = Names(dir.path() / "m");
  ASSERT_EQ(names.size(), 3u);
  const std::string version = names[1].substr(0, 14);
  EXPECT_TRUE(IsTimestampBetween(version, before, after)) << version;
  EXPECT_EQ(names[1], version + "_roles.down.sql");
  EXPECT_EQ(names[2], version + "_roles.up.sql");
  ExpectReadsBackLast(dir, version + "_roles");
}

TEST(NewCli, FlywayWritesNoUndoUnlessTheDirectoryHasUndoFiles) {
  TempDir dir("stairway-new");
  dir.Write("m/V1__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  dir.Write("m/V2__roles.sql", "CREATE TABLE roles (id bigint PRIMARY KEY);\n");
  const ProcessResult r = RunStairway({"new", "Add Index", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "m/V3__add_index.sql\n");
  EXPECT_EQ(Names(dir.path() / "m"),
            (std::vector<std::string>{"V1__users.sql", "V2__roles.sql", "V3__add_index.sql"}));
  ExpectPlaceholder(ReadText(dir.path() / "m/V3__add_index.sql"), "3_add_index",
                    "V3__add_index.sql");
  ExpectReadsBackLast(dir, "3_add_index");

  // With undo files (and an underscore-separated dotted version), the next one gets its U file.
  TempDir undo("stairway-new");
  undo.Write("m/V1_9__users.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  undo.Write("m/U1_9__users.sql", "DROP TABLE users;\n");
  const ProcessResult u = RunStairway({"new", "roles", "-d", "m"}, {}, undo.path().string());
  ASSERT_EQ(u.exit_code, 0) << u.err;
  EXPECT_EQ(u.out, "m/V1_10__roles.sql\nm/U1_10__roles.sql\n");
  ExpectPlaceholder(ReadText(undo.path() / "m/V1_10__roles.sql"), "1.10_roles", "V1_10__roles.sql");
  ExpectReadsBackLast(undo, "1.10_roles");
}

TEST(NewCli, GooseSequenceAndTimestamp) {
  TempDir dir("stairway-new");
  dir.Write("m/00009_users.sql",
            "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n"
            "-- +goose Down\nDROP TABLE users;\n");
  const ProcessResult r = RunStairway({"new", "roles", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "m/00010_roles.sql\n");
  const std::string text = ReadText(dir.path() / "m/00010_roles.sql");
  EXPECT_TRUE(text.starts_with("-- +goose Up\n")) << text;
  EXPECT_NE(text.find("\n-- +goose Down\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("migrate:"), std::string::npos) << text;
  ExpectPlaceholder(text, "00010_roles", "00010_roles.sql");
  ExpectReadsBackLast(dir, "00010_roles");

  TempDir stamped("stairway-new");
  stamped.Write("m/20240105093000_users.sql",
                "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n");
  const ProcessResult t = RunStairway({"new", "roles", "-d", "m"}, {}, stamped.path().string());
  ASSERT_EQ(t.exit_code, 0) << t.err;
  const std::vector<std::string> names = Names(stamped.path() / "m");
  ASSERT_EQ(names.size(), 2u);
  EXPECT_EQ(StyleOf(names[1].substr(0, 14)), VersionStyle::kTimestamp) << names[1];
  EXPECT_TRUE(ReadText(stamped.path() / "m" / names[1]).starts_with("-- +goose Up\n"));
  ExpectReadsBackLast(stamped, names[1].substr(0, names[1].size() - 4));
}

TEST(NewCli, EmptyOrNewDirectoryDefaults) {
  TempDir dir("stairway-new");
  fs::create_directories(dir.path() / "m");
  dir.Write("m/README.md", "migrations\n");
  const ProcessResult r = RunStairway({"new", "init", "-d", "m"}, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("has no migrations yet: writing the stairway format"), std::string::npos)
      << r.err;
  ASSERT_TRUE(r.out.starts_with("m/") && r.out.ends_with("_init.sql\n")) << r.out;
  EXPECT_EQ(StyleOf(r.out.substr(2, 14)), VersionStyle::kTimestamp) << r.out;
  ExpectReadsBackLast(dir, r.out.substr(2, 14) + "_init");

  // A missing directory: only with --format, which says what to write.
  TempDir fresh("stairway-new");
  const ProcessResult refused = RunStairway({"new", "init", "-d", "m"}, {}, fresh.path().string());
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("error: m: migration directory not found; check -d, or pass "
                             "--format"),
            std::string::npos)
      << refused.err;
  EXPECT_FALSE(fs::exists(fresh.path() / "m"));
  const ProcessResult flyway =
      RunStairway({"new", "init", "-d", "m", "--format", "flyway"}, {}, fresh.path().string());
  ASSERT_EQ(flyway.exit_code, 0) << flyway.err;
  EXPECT_EQ(flyway.out, "m/V1__init.sql\n");
  ExpectReadsBackLast(fresh, "1_init");

  TempDir golang("stairway-new");
  const ProcessResult g = RunStairway({"new", "init", "-d", "m", "--format", "golang-migrate"}, {},
                                      golang.path().string());
  ASSERT_EQ(g.exit_code, 0) << g.err;
  EXPECT_EQ(StyleOf(g.out.substr(2, 14)), VersionStyle::kTimestamp) << g.out;
  EXPECT_TRUE(fs::exists(golang.path() / "m" / (g.out.substr(2, 14) + "_init.down.sql")));

  TempDir goose("stairway-new");
  const ProcessResult o =
      RunStairway({"new", "init", "-d", "db/m", "--format", "goose"}, {}, goose.path().string());
  ASSERT_EQ(o.exit_code, 0) << o.err;
  const std::string goose_file = o.out.substr(0, o.out.size() - 1);
  EXPECT_TRUE(ReadText(goose.path() / goose_file).starts_with("-- +goose Up\n")) << o.out;
}

TEST(NewCli, RefusesBadNamesExistingFilesAndAlembic) {
  TempDir dir("stairway-new");
  dir.Write("m/0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  const ProcessResult empty = RunStairway({"new", " -!- ", "-d", "m"}, {}, dir.path().string());
  EXPECT_EQ(empty.exit_code, 2);
  EXPECT_NE(empty.err.find("migration name \" -!- \" has no letters or digits"), std::string::npos)
      << empty.err;

  // A directory stairway cannot read is not added to.
  TempDir broken("stairway-new");
  broken.Write("m/0001_a.sql", "SELECT 1;\n");
  const ProcessResult bad = RunStairway({"new", "b", "-d", "m"}, {}, broken.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("m/0001_a.sql: no \"-- migrate:up\" marker"), std::string::npos)
      << bad.err;
  EXPECT_EQ(Names(broken.path() / "m"), std::vector<std::string>{"0001_a.sql"});

  const ProcessResult format =
      RunStairway({"new", "b", "-d", "m", "--format", "liquibase"}, {}, dir.path().string());
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("unknown --format \"liquibase\""), std::string::npos) << format.err;

  // An Alembic project, found the way other commands find it (alembic.ini here, no
  // migrations/), or given with -d: pointed to `stairway revision -m`.
  TempDir alembic("stairway-new");
  alembic.Write("alembic.ini", "[alembic]\nscript_location = alembic\n");
  alembic.Write("alembic/env.py", "\n");
  fs::create_directories(alembic.path() / "alembic/versions");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"new", "add users"},
        std::vector<std::string>{"new", "add users", "-d", "."},
        std::vector<std::string>{"new", "add users", "--format", "alembic"}}) {
    const ProcessResult a = RunStairway(args, {}, alembic.path().string());
    EXPECT_EQ(a.exit_code, 2) << args.size();
    EXPECT_NE(a.err.find("is an Alembic project: its revisions are Python files; create one with "
                         "`stairway revision -m \"MESSAGE\"`"),
              std::string::npos)
        << a.err;
  }
  EXPECT_EQ(Names(alembic.path() / "alembic/versions"), std::vector<std::string>{});
}

TEST(NewCli, HelpShowsFormatsAndExamples) {
  const ProcessResult r = RunStairway({"new", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("stairway new \"add users table\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("golang-migrate   20240105093000_add_users.up.sql"), std::string::npos);
}

}  // namespace
}  // namespace stairway::cli

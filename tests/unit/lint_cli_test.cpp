// `stairway lint` end to end: --changed-since in a real git repository, stdin with
// --stdin-filename, and the [lint] naming_pattern setting.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "tests/support/paths.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace stairway::lint {
namespace {

namespace fs = std::filesystem;
using testing::RunProcess;
using testing::RunStairway;
using testing::TempDir;

void Git(const TempDir& dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {
      "git", "-c", "user.email=lint@test", "-c", "user.name=lint", "-c", "commit.gpgsign=false"};
  argv.insert(argv.end(), args.begin(), args.end());
  const testing::ProcessResult r = RunProcess(argv, {}, dir.path().string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
}

TEST(LintCli, ChangedSinceReportsOnlyChangedFilesButReplaysTheOthers) {
  TempDir dir("stairway-lint");
  dir.Write("migrations/1_users.sql",
            "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY, email text);\n"
            "-- migrate:down\nDROP TABLE users;\n");
  dir.Write("migrations/2_sessions.sql",
            "-- migrate:up\nDROP TABLE sessions;\n-- migrate:down\nSELECT 1;\n");
  dir.Write("other.sql", "DROP TABLE legacy;\n");
  Git(dir, {"init", "-q"});
  Git(dir, {"add", "."});
  Git(dir, {"commit", "-q", "-m", "base"});
  // A new revision (untracked) and an edit of a committed loose file.
  dir.Write("migrations/3_drop_email.sql",
            "-- migrate:up\nALTER TABLE users DROP COLUMN email;\n"
            "-- migrate:down\nALTER TABLE users ADD COLUMN email text;\n");
  dir.Write("other.sql", "DROP TABLE legacy;\nDROP TABLE legacy_two;\n");
  const testing::ProcessResult r =
      RunStairway({"--no-color", "lint", "--changed-since", "HEAD", "--disable",
                   "require-lock-timeout", "--disable", "require-statement-timeout", "--disable",
                   "prefer-idempotent-ddl", "migrations", "other.sql"},
                  {}, dir.path().string());
  EXPECT_EQ(r.exit_code, 1) << r.err;
  // users comes from revision 1 (not reported, but replayed): dropping its column is flagged.
  EXPECT_NE(r.out.find("migrations/3_drop_email.sql:2:31: warning: dropping users.email loses its "
                       "data and breaks clients that still use it [drop-column]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("other.sql:1:12: warning: dropping legacy loses its data [drop-table]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("other.sql:2:12:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("2_sessions.sql"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("1_users.sql"), std::string::npos) << r.out;

  // Nothing changed since the working tree was committed: nothing is reported.
  Git(dir, {"add", "."});
  Git(dir, {"commit", "-q", "-m", "more"});
  const testing::ProcessResult clean =
      RunStairway({"--no-color", "lint", "--changed-since", "HEAD", "migrations", "other.sql"}, {},
                  dir.path().string());
  EXPECT_EQ(clean.exit_code, 0) << clean.out << clean.err;
}

TEST(LintCli, ChangedSinceWithAnUnknownRefIsAnInputError) {
  TempDir dir("stairway-lint");
  dir.Write("a.sql", "SELECT 1;\n");
  Git(dir, {"init", "-q"});
  const testing::ProcessResult r =
      RunStairway({"lint", "--changed-since", "no-such-ref", "a.sql"}, {}, dir.path().string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--changed-since no-such-ref: git could not compare with that ref"),
            std::string::npos)
      << r.err;
}

TEST(LintCli, StdinFilenameNamesTheFileInEveryReport) {
  const std::string cmd = "printf 'DROP TABLE x;\\n' | '" + testing::StairwayBinary() +
                          "' lint --report github --disable require-lock-timeout --disable "
                          "require-statement-timeout --disable prefer-idempotent-ddl "
                          "--stdin-filename db/cleanup.sql -";
  const testing::ProcessResult r = RunProcess({"sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("::warning file=db/cleanup.sql,line=1,col=12,"), std::string::npos) << r.out;
}

TEST(LintCli, NamingPatternComesFromTheConfigAndIsValidated) {
  TempDir dir("stairway-lint");
  dir.Write("a.sql", "CREATE TABLE IF NOT EXISTS user_accounts (id bigint);\n");
  dir.Write("good.toml", "[lint]\nenable = [\"naming-convention\"]\nnaming_pattern = \"[a-z]+\"\n");
  dir.Write("bad.toml", "[lint]\nnaming_pattern = \"[a-\"\n");
  const testing::ProcessResult r = RunStairway({"--no-color", "lint", "--config", "good.toml",
                                                "--disable", "require-statement-timeout", "a.sql"},
                                               {}, dir.path().string());
  EXPECT_NE(r.out.find("a.sql:1:28: info: \"user_accounts\" does not match the naming pattern "
                       "[a-z]+ [naming-convention]"),
            std::string::npos)
      << r.out << r.err;
  const testing::ProcessResult bad =
      RunStairway({"lint", "--config", "bad.toml", "a.sql"}, {}, dir.path().string());
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.toml:2: [lint] naming_pattern '[a-' is not a valid regular "
                         "expression"),
            std::string::npos)
      << bad.err;
}

// The stairway.toml lookup verify uses (cli/config.h): run from elsewhere, lint finds the one
// above the migrations (never above the git root); --config must name a file.
TEST(LintCli, FindsTheConfigAboveTheMigrations) {
  TempDir dir("stairway-lint");
  dir.Write("repo/.git/HEAD", "ref: refs/heads/main\n");
  dir.Write("repo/stairway.toml", "[lint]\ndisable = [\"drop-table\"]\n");
  dir.Write("repo/db/migrations/0001_drop.sql",
            "-- migrate:up\nDROP TABLE old_things;\n-- migrate:down\nSELECT 1;\n");
  dir.Write("elsewhere/keep", "");
  const std::vector<std::string> lint = {"--no-color", "lint",
                                         "--disable",  "require-statement-timeout",
                                         "--disable",  "require-lock-timeout"};
  std::vector<std::string> args = lint;
  args.push_back((dir.path() / "repo/db/migrations").string());
  testing::ProcessResult r = RunStairway(args, {}, (dir.path() / "elsewhere").string());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("[drop-table]"), std::string::npos) << r.out;
  // Without it (another file named), the rule fires: the test above can fail.
  dir.Write("elsewhere/empty.toml", "");
  args = lint;
  args.insert(args.end(), {"--config", "empty.toml", (dir.path() / "repo/db/migrations").string()});
  r = RunStairway(args, {}, (dir.path() / "elsewhere").string());
  EXPECT_NE(r.out.find("[drop-table]"), std::string::npos) << r.out << r.err;
  args = lint;
  args.insert(args.end(),
              {"--config", "missing.toml", (dir.path() / "repo/db/migrations").string()});
  r = RunStairway(args, {}, (dir.path() / "elsewhere").string());
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("missing.toml: no such configuration file; fix --config or leave it out"),
            std::string::npos)
      << r.err;
}

// One revision of `format` in m/: its up and down SQL in the format's files and markers.
void WriteRevision(const TempDir& dir, const std::string& format, int i, const std::string& name,
                   const std::string& up, const std::string& down) {
  const std::string n = std::to_string(i);
  if (format == "stairway" || format == "dbmate") {
    const std::string version = format == "stairway" ? "000" + n : "2024010" + n + "120000";
    dir.Write("m/" + version + "_" + name + ".sql",
              "-- migrate:up\n" + up + "-- migrate:down\n" + down);
  } else if (format == "goose") {
    dir.Write("m/2024010" + n + "120000_" + name + ".sql",
              "-- +goose Up\n" + up + "-- +goose Down\n" + down);
  } else if (format == "golang-migrate") {
    dir.Write("m/" + n + "_" + name + ".up.sql", up);
    dir.Write("m/" + n + "_" + name + ".down.sql", down);
  } else {
    dir.Write("m/V" + n + "__" + name + ".sql", up);
    dir.Write("m/U" + n + "__" + name + ".sql", down);
  }
}

// Writes a three-revision set whose drops carry `statement_note` / `file_note` (at column 1).
void WriteDropSet(const TempDir& dir, const std::string& format, const std::string& statement_note,
                  const std::string& file_note) {
  WriteRevision(dir, format, 1, "create_legacy",
                "CREATE TABLE legacy (id bigint);\nCREATE TABLE old_log (id bigint);\n",
                "DROP TABLE old_log;\nDROP TABLE legacy;\n");
  WriteRevision(dir, format, 2, "drop_legacy", statement_note + "DROP TABLE legacy;\n",
                "CREATE TABLE legacy (id bigint);\n");
  WriteRevision(dir, format, 3, "drop_log", file_note + "SELECT 1;\nDROP TABLE old_log;\n",
                "CREATE TABLE old_log (id bigint);\n");
}

// A lint suppression written at column 1 is a comment to every format's reader (not an unknown
// "-- stairway:" marker): the set loads, and the suppression silences its finding.
TEST(LintCli, SuppressionsAtColumnOneLoadAndWorkInEveryFormat) {
  for (const std::string format : {"stairway", "dbmate", "golang-migrate", "flyway", "goose"}) {
    SCOPED_TRACE(format);
    const std::vector<std::string> lint = {"--no-color", "lint",
                                           "--format",   format,
                                           "--disable",  "require-lock-timeout",
                                           "--disable",  "require-statement-timeout",
                                           "--disable",  "prefer-idempotent-ddl",
                                           "m"};
    TempDir plain("stairway-lint");
    WriteDropSet(plain, format, "-- retired in #12\n", "-- retired too\n");
    const testing::ProcessResult flagged = RunStairway(lint, {}, plain.path().string());
    EXPECT_EQ(flagged.exit_code, 1) << flagged.out << flagged.err;
    EXPECT_NE(flagged.out.find("dropping legacy loses its data [drop-table]"), std::string::npos)
        << flagged.out;
    EXPECT_NE(flagged.out.find("dropping old_log loses its data [drop-table]"), std::string::npos)
        << flagged.out;

    TempDir dir("stairway-lint");
    WriteDropSet(dir, format, "-- stairway:ignore drop-table retired in #12\n",
                 "-- stairway:ignore-file drop-table\n");
    const testing::ProcessResult r = RunStairway(lint, {}, dir.path().string());
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.err, "");
    EXPECT_EQ(r.out.find("[drop-table]"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("[unused-suppression]"), std::string::npos) << r.out;
    // The runner reads the same files.
    const testing::ProcessResult sql =
        RunStairway({"upgrade", "--sql", "--format", format, "-d", "m"}, {}, dir.path().string());
    EXPECT_EQ(sql.exit_code, 0) << sql.err;
    EXPECT_NE(sql.out.find("\nDROP TABLE legacy;\n"), std::string::npos) << sql.out;
  }
}

// Other words after "-- stairway:" at column 1 are still refused, naming file and line.
TEST(LintCli, UnknownStairwayMarkerIsStillAnInputError) {
  TempDir dir("stairway-lint");
  WriteRevision(dir, "stairway", 1, "x", "-- stairway:ignored drop-table\nSELECT 1;\n",
                "SELECT 2;\n");
  const testing::ProcessResult r = RunStairway({"lint", "m"}, {}, dir.path().string());
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_EQ(r.err,
            "error: m/0001_x.sql:2: unknown marker \"-- stairway:ignored drop-table\"; the "
            "stairway markers are \"-- stairway:no-transaction\", \"-- "
            "stairway:irreversible\" and \"-- stairway:data-change REASON\" (lint suppressions are "
            "\"-- stairway:ignore RULE REASON\" and "
            "\"-- stairway:ignore-file RULE\")\n");
}

}  // namespace
}  // namespace stairway::lint

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

}  // namespace
}  // namespace stairway::lint

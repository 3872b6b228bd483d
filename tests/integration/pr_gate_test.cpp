// `stairway verify --base REF` in real git repositories: each PR rule (edited, deleted, out of
// order, Alembic descent and a second head) found and named with its file, a clean PR passing
// with only its new revision round-tripped, --allow-edit, and the reports that carry the rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "runner/common/checksum.h"
#include "tests/integration/alembic_test_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

void Git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"git",
                                   "-C",
                                   dir.string(),
                                   "-c",
                                   "user.email=t@example.com",
                                   "-c",
                                   "user.name=t",
                                   "-c",
                                   "init.defaultBranch=main"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = RunProcess(argv);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

std::string Sql(const std::string& table) {
  return "-- migrate:up\nCREATE TABLE " + table +
         " (id int PRIMARY KEY);\n-- migrate:down\nDROP "
         "TABLE " +
         table + ";\n";
}

// A stairway-format history of three revisions committed on main, then a feature branch.
class PrGateSql : public ::testing::Test {
 protected:
  void SetUp() override {
    repo_.Write("migrations/20240101000000_users.sql", Sql("users"));
    repo_.Write("migrations/20240102000000_teams.sql", Sql("teams"));
    repo_.Write("migrations/20240103000000_posts.sql", Sql("posts"));
    repo_.Write("migrations/README.md", "notes, not a migration\n");
    Git(repo_.path(), {"init", "-q", "."});
    Git(repo_.path(), {"add", "."});
    Git(repo_.path(), {"commit", "-qm", "base"});
    Git(repo_.path(), {"checkout", "-qb", "feature"});
  }
  void Commit() {
    Git(repo_.path(), {"add", "-A", "."});
    Git(repo_.path(), {"commit", "-qm", "change"});
  }
  // PR checks and lint only: no database.
  ProcessResult Verify(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"--no-color", "verify", "--lint",
                                     "migrations", "--base", "main"};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunStairway(args, {}, repo_.path().string());
  }
  TempDir repo_{"stairway-pr-gate"};
};

TEST_F(PrGateSql, CleanPrPassesAndRoundTripsOnlyTheNewRevision) {
  repo_.Write("migrations/20240104000000_tags.sql", Sql("tags"));
  Commit();
  repo_.Write("migrations/README.md", "edited notes\n");  // not a migration: no finding
  const ProcessResult r = RunStairway({"--no-color", "verify", "--roundtrip", "migrations",
                                       "--base", "main", "--server-url", TestSandbox().AdminUrl()},
                                      {}, repo_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("PR checks against main ("), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("1 of 4 revisions changed or added\n"), std::string::npos) << r.out;
  const std::size_t tags = r.out.find("] 20240104000000_tags ");
  ASSERT_NE(tags, std::string::npos) << r.out;
  EXPECT_TRUE(r.out.substr(tags, r.out.find('\n', tags) - tags).ends_with("  ok")) << r.out;
  const std::size_t users = r.out.find("] 20240101000000_users ");
  ASSERT_NE(users, std::string::npos) << r.out;
  EXPECT_NE(r.out.substr(users, r.out.find('\n', users) - users).find("up only"), std::string::npos)
      << r.out;
}

TEST_F(PrGateSql, LintReportsOnlyTheChangedRevisions) {
  const std::string alter =
      "-- migrate:up\nALTER TABLE {} ADD COLUMN note text;\n"
      "-- migrate:down\nALTER TABLE {} DROP COLUMN note;\n";
  auto write_alter = [&](const std::string& file, const std::string& table) {
    std::string text = alter;
    for (std::size_t at; (at = text.find("{}")) != std::string::npos;) text.replace(at, 2, table);
    repo_.Write("migrations/" + file, text);
  };
  write_alter("20240104000000_alter_users.sql", "users");  // merged: its findings are old news
  Commit();
  Git(repo_.path(), {"tag", "merged"});
  write_alter("20240105000000_alter_teams.sql", "teams");  // the pull request's
  const ProcessResult r = RunStairway(
      {"--no-color", "verify", "--lint", "migrations", "--base", "merged", "--fail-level", "none"},
      {}, repo_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("20240105000000_alter_teams.sql:2:1: warning"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("20240104000000_alter_users.sql:"), std::string::npos) << r.out;
  // Without --base both are reported.
  const ProcessResult all =
      RunStairway({"--no-color", "verify", "--lint", "migrations", "--fail-level", "none"}, {},
                  repo_.path().string());
  EXPECT_NE(all.out.find("20240104000000_alter_users.sql:2:1: warning"), std::string::npos)
      << all.out;
}

TEST_F(PrGateSql, EditedAfterMergeIsAnErrorNamingTheLine) {
  repo_.Write("migrations/20240102000000_teams.sql",
              "-- migrate:up\nCREATE TABLE teams (id int PRIMARY KEY, name text);\n"
              "-- migrate:down\nDROP TABLE teams;\n");
  Commit();
  ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("migrations/20240102000000_teams.sql:2:1: error: 20240102000000_teams "
                       "changed after it was merged into main: databases that already applied "
                       "it will never see the change [edited-after-merge]"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("--allow-edit 20240102000000"), std::string::npos) << r.out;

  // Allowed: kept as a note, exit 0.
  r = Verify({"--allow-edit", "20240102000000"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("info: 20240102000000_teams changed after it was merged into main"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("(allowed by --allow-edit)"), std::string::npos) << r.out;
}

TEST_F(PrGateSql, WhitespaceAndDownEditsAreNotEditsOfWhatRan) {
  // CRLF line ends, trailing blanks, and a changed down section: applied databases ran the same
  // up (the history's checksum normalization), so nothing to report.
  repo_.Write("migrations/20240102000000_teams.sql",
              "-- migrate:up\r\nCREATE TABLE teams (id int PRIMARY KEY);   \r\n-- migrate:down\r\n"
              "DROP TABLE IF EXISTS teams;\r\n\r\n");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("1 of 3 revisions changed or added\n"), std::string::npos) << r.out;
}

TEST_F(PrGateSql, DeletedAfterMergeIsAnError) {
  fs::remove(repo_.path() / "migrations/20240101000000_users.sql");
  // Untracked and uncommitted changes count as much as commits.
  const ProcessResult r = Verify({"--report", "github"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("::error file=migrations/20240101000000_users.sql"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("20240101000000_users is in main but was deleted"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("deleted-after-merge"), std::string::npos) << r.out;
}

TEST_F(PrGateSql, ARenameToAnotherVersionIsADeletion) {
  fs::rename(repo_.path() / "migrations/20240103000000_posts.sql",
             repo_.path() / "migrations/20240105000000_posts.sql");
  Commit();
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("migrations/20240103000000_posts.sql: error: 20240103000000_posts is in "
                       "main but was renamed to migrations/20240105000000_posts.sql"),
            std::string::npos)
      << r.out;
}

TEST_F(PrGateSql, ANewRevisionBeforeTheBasesNewestIsOutOfOrder) {
  repo_.Write("migrations/20240102120000_late.sql", Sql("late"));
  Commit();
  const ProcessResult r = Verify({"--report", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("\"rule\": \"out-of-order\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"path\": \"migrations/20240102120000_late.sql\""), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("databases already past 20240103000000 will never run it"),
            std::string::npos)
      << r.out;
}

TEST_F(PrGateSql, SarifAndJunitCarryTheRule) {
  repo_.Write("migrations/20240102000000_teams.sql", Sql("teams_renamed"));
  const ProcessResult sarif = Verify({"--report", "sarif"});
  EXPECT_EQ(sarif.exit_code, 1) << Describe(sarif);
  EXPECT_NE(sarif.out.find("\"ruleId\": \"edited-after-merge\""), std::string::npos) << sarif.out;
  const ProcessResult junit = Verify({"--report", "junit"});
  EXPECT_EQ(junit.exit_code, 1) << Describe(junit);
  EXPECT_NE(junit.out.find("20240102000000_teams against main"), std::string::npos) << junit.out;
  EXPECT_NE(junit.out.find("[edited-after-merge]"), std::string::npos) << junit.out;
}

TEST_F(PrGateSql, ABadRefIsAnInputErrorAndLintTakesBaseToo) {
  ProcessResult r = RunStairway({"verify", "--lint", "migrations", "--base", "no-such-branch"}, {},
                                repo_.path().string());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("--base no-such-branch: git could not compare with that ref"),
            std::string::npos)
      << Describe(r);
  r = RunStairway({"verify", "--lint", "migrations", "--allow-edit", "1"}, {},
                  repo_.path().string());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = RunStairway({"lint", "--base", "main", "migrations"}, {}, repo_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

// The PR checks tell unchanged files by their blob id, computed without git: it must be git's.
TEST(PrGateBlobId, MatchesGitHashObject) {
  TempDir dir("stairway-blob-id");
  const std::string text = std::string("CREATE TABLE t (id int);\r\n-- \xc3\xa9\0end", 35);
  std::ofstream(dir.path() / "f.sql", std::ios::binary) << text;
  const ProcessResult r =
      RunProcess({"git", "hash-object", "--no-filters", (dir.path() / "f.sql").string()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(GitBlobId(text) + "\n", r.out);
  EXPECT_EQ(GitBlobId(""), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391");
}

// Alembic: the order is the graph. Base: a -> b -> c on main.

std::string Revision(const std::string& id, const std::string& down, const std::string& table) {
  return "\"\"\"" + table + "\n\nRevision ID: " + id +
         "\n\"\"\"\nfrom alembic import op\nimport sqlalchemy as sa\n\nrevision = \"" + id +
         "\"\ndown_revision = " + down +
         "\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n    op.create_table(\"" +
         table +
         "\", sa.Column(\"id\", sa.Integer, primary_key=True))\n\n\ndef downgrade():\n"
         "    op.drop_table(\"" +
         table + "\")\n";
}

class PrGateAlembic : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    repo_.Write("alembic.ini",
                "[alembic]\nscript_location = %(here)s/alembic\n"
                "sqlalchemy.url = postgresql://localhost/none\n");
    repo_.Write("alembic/env.py", kSyncEnvPy);
    Add("a1000000", "None", "users");
    Add("b2000000", "\"a1000000\"", "teams");
    Add("c3000000", "\"b2000000\"", "posts");
    Git(repo_.path(), {"init", "-q", "."});
    Git(repo_.path(), {"add", "."});
    Git(repo_.path(), {"commit", "-qm", "base"});
    Git(repo_.path(), {"checkout", "-qb", "feature"});
  }
  void Add(const std::string& id, const std::string& down, const std::string& table) {
    repo_.Write("alembic/versions/" + id + "_" + table + ".py", Revision(id, down, table));
  }
  ProcessResult Verify() {
    return RunStairway({"--no-color", "verify", "--lint", "--base", "main"}, AlembicPythonEnv(),
                       repo_.path().string());
  }
  TempDir repo_{"stairway-pr-alembic"};
};

TEST_F(PrGateAlembic, ARevisionOnTheHeadPasses) {
  Add("d4000000", "\"c3000000\"", "tags");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("1 of 4 revisions changed or added\n"), std::string::npos) << r.out;
}

// The roundtrip of a PR: the base's revisions go up only (the change watch is prepared, and
// its first read may run, beside them on a second session while the helper applies them), the
// new one round-trips, and the watch misses nothing.
TEST_F(PrGateAlembic, OnlyTheNewRevisionRoundTrips) {
  Add("d4000000", "\"c3000000\"", "tags");
  const ProcessResult r = RunStairway({"--no-color", "verify", "--roundtrip", "--base", "main"},
                                      AlembicPythonEnv(), repo_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  std::size_t up_only = 0;
  for (std::size_t at = 0; (at = r.out.find("up only: unchanged", at)) != std::string::npos; ++at) {
    ++up_only;
  }
  EXPECT_EQ(up_only, 3u) << r.out;
  const std::size_t line = r.out.find("d4000000_tags");
  ASSERT_NE(line, std::string::npos) << r.out;
  const std::string row = r.out.substr(line, r.out.find('\n', line) - line);
  EXPECT_NE(row.find("down"), std::string::npos) << row;
  EXPECT_EQ(row.find("up only"), std::string::npos) << row;
  EXPECT_NE(row.find(" ok"), std::string::npos) << row;
  EXPECT_EQ(r.out.find("missed a change"), std::string::npos) << r.out;
}

TEST_F(PrGateAlembic, ABranchBelowTheHeadDoesNotDescend) {
  // d hangs below b, an old revision; the merge m makes one head again, so descent is the only
  // problem: databases at c would have to go back to run d.
  Add("d4000000", "\"b2000000\"", "tags");
  Add("e5000000", "(\"c3000000\", \"d4000000\")", "merged");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("alembic/versions/d4000000_tags.py: error: d4000000 is new, but its "
                       "down_revision b2000000 is not a head at main (heads: c3000000)"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[alembic-not-descending]"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("set down_revision to 'c3000000'"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("alembic-multiple-heads"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("e5000000 is new"), std::string::npos) << r.out;
}

TEST_F(PrGateAlembic, TwoNewHeadsAreAnError) {
  Add("d4000000", "\"c3000000\"", "tags");
  Add("e5000000", "\"c3000000\"", "labels");
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("[alembic-multiple-heads]"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("alembic-not-descending"), std::string::npos) << r.out;
}

TEST_F(PrGateAlembic, EditedAndDeletedRevisions) {
  repo_.Write("alembic/versions/c3000000_posts.py",
              Revision("c3000000", "\"b2000000\"", "articles"));
  Git(repo_.path(), {"rm", "-q", "alembic/versions/a1000000_users.py"});
  // b now has no parent in the set: make it the base so the set still loads.
  repo_.Write("alembic/versions/b2000000_teams.py", Revision("b2000000", "None", "teams"));
  const ProcessResult r = Verify();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("alembic/versions/c3000000_posts.py:1:1: error: c3000000_posts changed "
                       "after it was merged into main"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("error: a1000000_users is in main but was deleted"), std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace stairway::testing

// verify --roundtrip keeps going after a failing step: a history with a broken revision of each
// kind (up, down in a transaction, down outside one, re-up after a down that left something)
// and good ones between, on one run; --fail-fast; an Alembic branch whose up fails while the
// other branch goes on. Real PostgreSQL (the suite's cluster), the real binary for the CLI.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>

#include "tests/integration/alembic_test_util.h"
#include "tests/integration/roundtrip_test_util.h"
#include "tests/support/temp_dir.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace rt = verifier::roundtrip;

// Stairway-format revisions: "up" and "down" are the sections' text, "tx" their marker suffix.
struct Rev {
  std::string file, up, down, tx;
};

// Good revisions between broken ones: each good one after a broken one only goes up if the run
// went on from the right database (0003 needs b, which 0002's failed down must leave; 0005
// needs the index 0004's half-done down dropped, so the database must be built again; 0007
// needs exactly one table c after 0006's re-up failed on the one its down left behind).
const std::vector<Rev> kBroken = {
    {"0001_create_a", "CREATE TABLE a (id int PRIMARY KEY, v text);", "DROP TABLE a;", ""},
    {"0002_down_fails_in_tx", "CREATE TABLE b (id int);",
     "DROP TABLE b;\nDROP TABLE no_such_table;", ""},
    {"0003_good", "ALTER TABLE b ADD COLUMN w int;", "ALTER TABLE b DROP COLUMN w;", ""},
    {"0004_down_fails_outside_tx", "CREATE INDEX CONCURRENTLY a_v_idx ON a (v);",
     "DROP INDEX CONCURRENTLY a_v_idx;\nDROP INDEX CONCURRENTLY no_such_idx;",
     " transaction:false"},
    {"0005_good", "ALTER INDEX a_v_idx RENAME TO a_v_index;",
     "ALTER INDEX a_v_index RENAME TO a_v_idx;", ""},
    {"0006_reup_fails", "CREATE TABLE c (id int);", "SELECT 1;", ""},
    {"0007_good", "ALTER TABLE c ADD COLUMN v int;", "ALTER TABLE c DROP COLUMN v;", ""},
    {"0008_up_fails", "ALTER TABLE no_such_table ADD COLUMN x int;", "SELECT 1;", ""},
    {"0009_after", "CREATE TABLE d (id int);", "DROP TABLE d;", ""},
};

class KeepGoing : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const Rev& r : kBroken) {
      dir_.Write(r.file + ".sql", fmt::format("-- migrate:up{2}\n{0}\n\n-- migrate:down{2}\n{1}\n",
                                              r.up, r.down, r.tx));
    }
  }
  source::MigrationSet Load() const { return source::LoadMigrationSet(dir_.path()).ValueOrThrow(); }
  rt::Result Run(rt::Options options) {
    auto database = NewTestDatabase();
    db::Session session = db::Session::Connect(database->url());
    return rt::Run(session, Load(), options);
  }
  ProcessResult Verify(std::vector<std::string> args) {
    args.insert(args.begin(), {"verify", "--roundtrip", dir_.path().string(), "--server-url",
                               TestSandbox().AdminUrl()});
    return StairwayOffline(args);
  }

  TempDir dir_{"stairway-keepgoing"};
};

const rt::RevisionResult& Find(const rt::Result& result, const std::string& label) {
  for (const rt::RevisionResult& r : result.revisions) {
    if (r.label == label) return r;
  }
  throw std::runtime_error("no result for " + label);
}

std::vector<std::string> Labels(const rt::Result& result) {
  std::vector<std::string> labels;
  for (const rt::RevisionResult& r : result.revisions) labels.push_back(r.label);
  return labels;
}

TEST_F(KeepGoing, OneRunNamesEveryBrokenRevisionAndChecksTheGoodOnesAfterThem) {
  rt::Options options;
  // The tracked catalog checked against a full snapshot after every step: a rebuilt database
  // must be watched as exactly as the first one.
  options.snapshots = rt::Options::Snapshots::kChecked;
  options.fresh_database = [] { return NewTestDatabase(); };
  const rt::Result result = Run(options);

  EXPECT_EQ(result.FailedRevisions(),
            (std::vector<std::string>{"0002_down_fails_in_tx", "0004_down_fails_outside_tx",
                                      "0006_reup_fails", "0008_up_fails"}));
  EXPECT_TRUE(result.failed);
  EXPECT_EQ(result.ExitCode(rt::Irreversible::kFail), 1);
  EXPECT_EQ(Find(result, "0002_down_fails_in_tx").failed_step, "down");
  EXPECT_TRUE(Find(result, "0002_down_fails_in_tx").failure_rolled_back);
  EXPECT_FALSE(Find(result, "0002_down_fails_in_tx").rebuilt);
  EXPECT_EQ(Find(result, "0004_down_fails_outside_tx").failed_step, "down");
  EXPECT_FALSE(Find(result, "0004_down_fails_outside_tx").failure_rolled_back);
  EXPECT_TRUE(Find(result, "0004_down_fails_outside_tx").rebuilt);
  EXPECT_EQ(Find(result, "0004_down_fails_outside_tx").failure_line, 6);  // the second DROP
  EXPECT_EQ(Find(result, "0006_reup_fails").failed_step, "re-up");
  EXPECT_TRUE(Find(result, "0006_reup_fails").rebuilt);
  EXPECT_EQ(Find(result, "0008_up_fails").failed_step, "up");
  EXPECT_EQ(result.rebuilds, 2);
  // The good ones went up, down and up again, cleanly.
  for (const std::string label : {"0001_create_a", "0003_good", "0005_good", "0007_good"}) {
    const rt::RevisionResult& r = Find(result, label);
    EXPECT_FALSE(r.failure) << label << ": " << r.failure.value_or("");
    EXPECT_TRUE(r.reup.has_value()) << label;
    EXPECT_EQ(r.Findings(), std::vector<std::string>{}) << label;
  }
  // The down that left table c behind is a finding besides the failed re-up.
  const std::vector<std::string> findings = AllFindings(result);
  ASSERT_EQ(findings.size(), 1u) << ::testing::PrintToString(findings);
  EXPECT_EQ(findings[0], "0006_reup_fails: down left behind table public.c (with 1 column)");
  // A linear history: everything after the failed up builds on it.
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.not_run, std::vector<std::string>{"0009_after"});
  EXPECT_EQ(result.not_run_reason, "they build on 0008_up_fails, whose up failed");
}

TEST_F(KeepGoing, FailFastStopsAtTheFirstFailingStep) {
  rt::Options options;
  options.fail_fast = true;
  options.fresh_database = [] { return NewTestDatabase(); };
  const rt::Result result = Run(options);
  EXPECT_EQ(Labels(result), (std::vector<std::string>{"0001_create_a", "0002_down_fails_in_tx"}));
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.not_run.size(), 7u);
  EXPECT_EQ(result.not_run_reason, "--fail-fast stopped the run at 0002_down_fails_in_tx");
}

TEST_F(KeepGoing, WithoutAFreshDatabaseItStopsWhereItWouldHaveToRebuild) {
  const rt::Result result = Run({});
  // Past the rolled-back down, up to the down that left part of itself done.
  EXPECT_EQ(result.FailedRevisions(),
            (std::vector<std::string>{"0002_down_fails_in_tx", "0004_down_fails_outside_tx"}));
  EXPECT_FALSE(Find(result, "0003_good").failure);
  EXPECT_TRUE(result.stopped);
  EXPECT_EQ(result.not_run.size(), 5u);
}

int Count(const std::string& text, const std::string& what) {
  int n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST_F(KeepGoing, TheCliNamesEveryFailureExitsOneAndDropsTheRebuiltDatabases) {
  db::Session admin = db::Session::Connect(TestSandbox().AdminUrl());
  auto temp_databases = [&] {
    return admin.Query("SELECT count(*) FROM pg_database WHERE datname LIKE 'stairway_tmp_%'")
        .rows.at(0)
        .at(0)
        .value_or("");
  };
  const std::string before = temp_databases();
  const ProcessResult r = Verify({"--jobs", "1", "--report", "text", "--report", "json", "-o",
                                  (dir_.path() / "report.json").string()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("FAILED at down (database built again to go on)"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("FAILED: 8 of 9 revisions checked"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("4 revisions failed: 0002_down_fails_in_tx, 0004_down_fails_outside_tx, "
                       "0006_reup_fails, 0008_up_fails\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("1 revision not run: they build on 0008_up_fails, whose up failed\n"),
            std::string::npos)
      << r.out;
  const std::size_t good = r.out.find("] 0007_good ");
  ASSERT_NE(good, std::string::npos) << r.out;
  EXPECT_TRUE(r.out.substr(good, r.out.find('\n', good) - good).ends_with("  ok")) << r.out;
  // Every diagnostic on stderr.
  EXPECT_EQ(Count(r.err, ": error: "), 4) << r.err;
  EXPECT_EQ(temp_databases(), before);

  const std::string json = ReadFile(dir_.path() / "report.json");
  EXPECT_EQ(Count(json, "\"roundtrip-step-failed\""), 4) << json;
  EXPECT_EQ(Count(json, "\"roundtrip-not-run\""), 1) << json;

  const ProcessResult fast = Verify({"--fail-fast"});
  EXPECT_EQ(fast.exit_code, 1) << Describe(fast);
  EXPECT_NE(fast.out.find("1 revision failed: 0002_down_fails_in_tx\n"), std::string::npos)
      << fast.out;
  EXPECT_NE(fast.out.find("7 revisions not run: --fail-fast stopped the run at "
                          "0002_down_fails_in_tx\n"),
            std::string::npos)
      << fast.out;
}

// An Alembic project: b2's up fails, c3 and the merge m6 build on it and are skipped; the other
// branch (d4, e5) goes on, and d4's down, which commits a statement in an autocommit block
// before it fails, has the database built again for e5.

std::string AlembicRevision(const std::string& id, const std::string& parents,
                            const std::string& upgrade, const std::string& downgrade) {
  return fmt::format(R"PY("""{0}

Revision ID: {0}
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "{0}"
down_revision = {1}
branch_labels = None
depends_on = None


def upgrade():
{2}


def downgrade():
{3}
)PY",
                     id, parents, upgrade, downgrade);
}

class KeepGoingAlembic : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_DIR");
    const fs::path root = dir_.path();
    dir_.Write("alembic.ini",
               "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n"
               "sqlalchemy.url = driver://user:pass@localhost/dbname\n");
    dir_.Write("alembic/env.py", kSyncEnvPy);
    auto rev = [&](const std::string& file, const std::string& id, const std::string& parents,
                   const std::string& up, const std::string& down) {
      dir_.Write("alembic/versions/" + file, AlembicRevision(id, parents, up, down));
    };
    rev("a1000000_users.py", "a1000000", "None",
        "    op.create_table(\"users\", sa.Column(\"id\", sa.Integer, primary_key=True))",
        "    op.drop_table(\"users\")");
    rev("b2000000_broken.py", "b2000000", "\"a1000000\"",
        "    op.add_column(\"users\", sa.Column(\"nickname\", sa.Text))\n"
        "    op.execute(\"UPDATE no_such_table SET x = 1\")",
        "    op.drop_column(\"users\", \"nickname\")");
    rev("c3000000_on_broken.py", "c3000000", "\"b2000000\"",
        "    op.create_index(\"users_nickname_idx\", \"users\", [\"nickname\"])",
        "    op.drop_index(\"users_nickname_idx\")");
    rev("d4000000_posts.py", "d4000000", "\"a1000000\"",
        "    op.create_table(\"posts\", sa.Column(\"id\", sa.Integer, primary_key=True))",
        "    with op.get_context().autocommit_block():\n"
        "        op.execute(\"DROP TABLE posts\")\n"
        "        op.execute(\"DROP TABLE no_such_table\")");
    rev("e5000000_post_title.py", "e5000000", "\"d4000000\"",
        "    op.add_column(\"posts\", sa.Column(\"title\", sa.Text))",
        "    op.drop_column(\"posts\", \"title\")");
    rev("m6000000_merge.py", "m6000000", "(\"c3000000\", \"e5000000\")", "    pass", "    pass");
  }

  ProcessResult Verify(std::vector<std::string> args) {
    args.insert(args.begin(),
                {"verify", "--roundtrip", "--server-url", TestSandbox().AdminUrl(), "--jobs", "1"});
    return RunStairway(args, AlembicPythonEnv(), dir_.path().string());
  }

  TempDir dir_{"stairway-keepgoing-alembic"};
};

std::string LineOf(const std::string& out, const std::string& label) {
  const std::size_t at = out.find("] " + label + " ");
  if (at == std::string::npos) return "(no line for " + label + ")";
  return out.substr(at, out.find('\n', at) - at);
}

TEST_F(KeepGoingAlembic, TheBranchWhoseUpFailedIsSkippedTheOtherGoesOn) {
  const ProcessResult r = Verify({});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(LineOf(r.out, "a1000000_users").ends_with("  ok")) << r.out;
  EXPECT_TRUE(LineOf(r.out, "b2000000_broken").ends_with("FAILED at up")) << r.out;
  EXPECT_TRUE(LineOf(r.out, "c3000000_on_broken")
                  .ends_with("skipped: builds on b2000000_broken, whose up failed"))
      << r.out;
  EXPECT_TRUE(
      LineOf(r.out, "d4000000_posts").ends_with("FAILED at down (database built again to go on)"))
      << r.out;
  // Only goes up if the rebuilt database has posts again.
  EXPECT_TRUE(LineOf(r.out, "e5000000_post_title").ends_with("  ok")) << r.out;
  EXPECT_TRUE(LineOf(r.out, "m6000000_merge")
                  .ends_with("skipped: builds on b2000000_broken, whose up failed"))
      << r.out;
  EXPECT_NE(r.out.find("2 revisions failed: b2000000_broken, d4000000_posts\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("2 revisions skipped: they build on a revision whose up failed\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.err.find("b2000000_broken.py:17:5: error: b2000000_broken (up) failed"),
            std::string::npos)
      << r.err;
}

}  // namespace
}  // namespace stairway::testing

// Real histories as their tools run them: each format's own transaction rules (and the linter
// agreeing with the runner), empty downs that are downs, and migrations in code named on the set.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/source/migration.h"
#include "runner/sql/parse.h"
#include "runner/sql/split.h"
#include "runner/sql/transaction.h"
#include "tests/support/paths.h"
#include "tests/support/temp_dir.h"
#include "verifier/lint/linter.h"

namespace stairway::source {
namespace {

namespace fs = std::filesystem;
using testing::SourceDir;
using testing::TempDir;

MigrationSet LoadOk(const fs::path& dir) {
  Expected<MigrationSet> set = LoadMigrationSet(dir);
  if (!set.ok()) ADD_FAILURE() << set.error().message;
  return set.ok() ? std::move(set).value() : MigrationSet{};
}

std::vector<sql::Statement> Parse(const std::string& text) {
  const sql::SplitResult split = sql::SplitStatements(text);
  return sql::ParseStatements(text, split.statements);
}

// Rule ids of the lint findings on `set`.
std::vector<std::string> LintRules(const MigrationSet& set) {
  Expected<report::Report> r = lint::Lint({lint::GroupFromMigrationSet(set)}, {});
  EXPECT_TRUE(r.ok());
  std::vector<std::string> rules;
  if (r.ok()) {
    for (const report::Finding& f : r.value().findings) rules.push_back(f.rule);
  }
  return rules;
}

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(OwnTransactionRules, FlywayRunsConcurrentlyAndScriptConfigOutsideATransaction) {
  const MigrationSet set = LoadOk(SourceDir() / "fixtures/realhist/flyway-concurrently");
  ASSERT_EQ(set.revisions.size(), 3u);
  EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[1].up.tx_mode, TxMode::kNone);     // CREATE INDEX CONCURRENTLY, no marker
  EXPECT_EQ(set.revisions[1].down->tx_mode, TxMode::kNone);  // DROP INDEX CONCURRENTLY
  EXPECT_NE(set.revisions[1].up.tx_reason.find("cannot run in a transaction"), std::string::npos);
  EXPECT_EQ(set.revisions[2].up.tx_mode, TxMode::kNone);  // executeInTransaction=false
  EXPECT_NE(set.revisions[2].up.tx_reason.find("V3__add_events_source.sql.conf"),
            std::string::npos);
  EXPECT_EQ(set.revisions[2].down->tx_mode, TxMode::kTransaction);  // the U file has no .conf
  const std::vector<std::string> rules = LintRules(set);
  EXPECT_FALSE(Has(rules, "concurrent-in-transaction"));
}

TEST(OwnTransactionRules, FlywayScriptConfigWithABadValueIsAnInputError) {
  TempDir dir("stairway-flyway-conf");
  dir.Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  dir.Write("V1__a.sql.conf", "# comment\nexecuteInTransaction = maybe\n");
  Expected<MigrationSet> set = LoadMigrationSet(dir.path());
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message,
            (dir.path() / "V1__a.sql.conf").string() +
                ":2: executeInTransaction must be true or false, not \"maybe\"; write "
                "executeInTransaction=false (or true)");
}

TEST(OwnTransactionRules, GolangMigrateWrappedFilesAreTransactionalAndNeverALintError) {
  const MigrationSet set = LoadOk(SourceDir() / "fixtures/realhist/golang-migrate-wrapped");
  ASSERT_EQ(set.revisions.size(), 3u);
  EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[1].up.tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[2].up.tx_mode, TxMode::kNone);  // a lone CREATE INDEX CONCURRENTLY
  const std::vector<std::string> rules = LintRules(set);
  for (const char* rule : {"transaction-nesting", "uncommitted-transaction",
                           "concurrent-in-transaction", "mixed-txn-modes"}) {
    EXPECT_FALSE(Has(rules, rule)) << rule;
  }
  // The runner leaves the wrapper out and runs the rest in its one transaction.
  const Revision& second = set.revisions[1];
  Expected<applier::PreparedStep> step = applier::PrepareStep({&second, history::Direction::kUp});
  ASSERT_TRUE(step.ok()) << step.error().message;
  std::vector<std::string> texts;
  for (const sql::StatementSpan& s : step.value().statements) texts.emplace_back(s.text);
  EXPECT_EQ(texts, (std::vector<std::string>{
                       "SET lock_timeout = '5s'", "ALTER TABLE accounts ADD COLUMN email text",
                       "CREATE INDEX accounts_email_idx ON accounts (email)"}));
}

TEST(OwnTransactionRules, PlanTransactionControl) {
  // Pairs wherever they stand; SAVEPOINT stays.
  sql::TransactionControl c = sql::PlanTransactionControl(
      Parse("SET x = 1; BEGIN; SAVEPOINT a; SELECT 1; COMMIT; BEGIN; SELECT 2; END;"), true);
  EXPECT_EQ(c.pairs, (std::vector<std::size_t>{1, 4, 5, 7}));
  EXPECT_TRUE(c.stray.empty());
  EXPECT_FALSE(c.refused);
  // A COMMIT without BEGIN and a BEGIN never committed: left out, but not a wrapper.
  c = sql::PlanTransactionControl(Parse("SELECT 1; COMMIT; SELECT 2; BEGIN; SELECT 3;"), true);
  EXPECT_TRUE(c.pairs.empty());
  EXPECT_EQ(c.stray, (std::vector<std::size_t>{1, 3}));
  EXPECT_FALSE(c.refused);
  // A ROLLBACK would undo the revision.
  c = sql::PlanTransactionControl(Parse("BEGIN; SELECT 1; ROLLBACK;"), true);
  EXPECT_EQ(c.refused, std::optional<std::size_t>(2));
  // Nothing of the kind runs statement by statement.
  c = sql::PlanTransactionControl(Parse("SELECT 1; BEGIN; SELECT 2; COMMIT;"), false);
  EXPECT_EQ(c.refused, std::optional<std::size_t>(1));
}

TEST(OwnTransactionRules, StatementsThatCannotRunInATransaction) {
  for (const char* text :
       {"CREATE INDEX CONCURRENTLY i ON t (a)", "DROP INDEX CONCURRENTLY i",
        "REINDEX INDEX CONCURRENTLY i", "REINDEX SCHEMA s", "VACUUM t", "CREATE DATABASE d",
        "DROP DATABASE d", "CREATE TABLESPACE ts LOCATION '/x'", "ALTER SYSTEM SET work_mem = 1",
        "ALTER TABLE p DETACH PARTITION c CONCURRENTLY"}) {
    EXPECT_TRUE(sql::HasNonTransactionalStatement(text)) << text;
  }
  for (const char* text : {"CREATE INDEX i ON t (a)", "ANALYZE t", "REINDEX TABLE t",
                           "ALTER TYPE e ADD VALUE 'x'", "SELECT 'concurrently'"}) {
    EXPECT_FALSE(sql::HasNonTransactionalStatement(text)) << text;
  }
  EXPECT_TRUE(sql::HasNonTransactionalStatement("ALTER TYPE e ADD VALUE 'x'", 11));
}

// goose and dbmate decide by their markers only: without them a CREATE INDEX CONCURRENTLY runs
// in the tool's transaction (and fails there), and lint says so.
TEST(OwnTransactionRules, GooseAndDbmateFollowTheirMarkersAndLintAgrees) {
  TempDir dir("stairway-goose-tx");
  dir.Write("goose/00001_a.sql",
            "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n");
  dir.Write("goose/00002_b.sql",
            "-- +goose Up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n-- +goose Down\nDROP INDEX "
            "a_id;\n");
  dir.Write("dbmate/0001_a.sql",
            "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
  dir.Write("dbmate/0002_b.sql",
            "-- migrate:up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n-- migrate:down\nDROP "
            "INDEX a_id;\n");
  for (const char* tool : {"goose", "dbmate"}) {
    const MigrationSet set = LoadOk(dir.path() / tool);
    ASSERT_EQ(set.revisions.size(), 2u) << tool;
    EXPECT_EQ(set.revisions[1].up.tx_mode, TxMode::kTransaction) << tool;
    EXPECT_TRUE(Has(LintRules(set), "concurrent-in-transaction")) << tool;
  }
}

TEST(EmptyDowns, EveryFormatKeepsABlankDownAsADownThatDoesNothing) {
  TempDir dir("stairway-empty-downs");
  dir.Write("golang/1_a.up.sql", "CREATE TABLE a (id int);\n");
  dir.Write("golang/1_a.down.sql", "-- nothing to undo\n");
  dir.Write("golang/2_b.up.sql", "CREATE TABLE b (id int);\n");  // no down file
  dir.Write("dbmate/0001_a.sql", "-- migrate:up\nCREATE TABLE a (id int);\n\n-- migrate:down\n\n");
  dir.Write("dbmate/0002_b.sql", "-- migrate:up\nCREATE TABLE b (id int);\n");
  dir.Write("goose/00001_a.sql", "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\n/* */\n");
  dir.Write("goose/00002_b.sql", "-- +goose Up\nCREATE TABLE b (id int);\n");
  dir.Write("flyway/V1__a.sql", "CREATE TABLE a (id int);\n");
  dir.Write("flyway/U1__a.sql", "");
  dir.Write("flyway/V2__b.sql", "CREATE TABLE b (id int);\n");
  for (const char* tool : {"golang", "dbmate", "goose", "flyway"}) {
    const MigrationSet set = LoadOk(dir.path() / tool);
    ASSERT_EQ(set.revisions.size(), 2u) << tool;
    ASSERT_TRUE(set.revisions[0].down.has_value()) << tool;
    EXPECT_FALSE(set.revisions[1].down.has_value()) << tool << ": a missing down stays missing";
    Expected<applier::PreparedStep> step =
        applier::PrepareStep({&set.revisions[0], history::Direction::kDown});
    ASSERT_TRUE(step.ok()) << tool;
    EXPECT_TRUE(step.value().statements.empty()) << tool;
  }
}

TEST(Unrunnable, GooseGoAndFlywayJavaMigrationsAreNamedOnTheSet) {
  const MigrationSet goose = LoadOk(SourceDir() / "fixtures/realhist/goose-go");
  ASSERT_EQ(goose.revisions.size(), 2u);
  ASSERT_EQ(goose.unrunnable.size(), 1u);
  EXPECT_EQ(goose.unrunnable[0].Label(), "00002_create_audit");
  EXPECT_EQ(goose.unrunnable[0].kind, "a Go migration");
  EXPECT_EQ(goose.UnrunnableBefore("00003").size(), 1u);
  EXPECT_TRUE(goose.UnrunnableBefore("00001").empty());
  EXPECT_EQ(goose.unrunnable[0].Describe(),
            "00002_create_audit is a Go migration (" +
                (SourceDir() / "fixtures/realhist/goose-go/00002_create_audit.go").string() +
                "): not run");

  TempDir dir("stairway-flyway-java");
  dir.Write("V1__a.sql", "CREATE TABLE a (id int);\n");
  dir.Write("V1_1__Backfill_a.java", "class V1_1__Backfill_a {}\n");
  dir.Write("V2__b.sql", "CREATE TABLE b (id int);\n");
  dir.Write("Helper.java", "class Helper {}\n");  // not a migration
  dir.Write("main.go", "package main\n");         // not Flyway's
  const MigrationSet flyway = LoadOk(dir.path());
  ASSERT_EQ(flyway.unrunnable.size(), 1u);
  EXPECT_EQ(flyway.unrunnable[0].version, "1.1");
  EXPECT_EQ(flyway.unrunnable[0].kind, "a Java migration");
  EXPECT_EQ(flyway.UnrunnableBefore("2").size(), 1u);
}

}  // namespace
}  // namespace stairway::source

// Real histories as their tools run them, on real databases: Flyway's and golang-migrate's own
// transaction rules, goose's and dbmate's markers, empty downs, setup SQL before the first
// revision (roles gone afterwards on a --server-url server), and migrations in code named.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// Rules of the findings in a --report json verify output, with their revisions.
std::vector<std::string> FindingRules(const std::string& json_text) {
  std::vector<std::string> out;
  const nlohmann::json report = nlohmann::json::parse(json_text, nullptr, false);
  if (report.is_discarded() || !report.contains("findings")) {
    ADD_FAILURE() << "not a JSON report: " << json_text;
    return out;
  }
  for (const nlohmann::json& f : report["findings"]) {
    out.push_back(f.value("rule", "") + " " + f.value("revision", ""));
  }
  return out;
}

bool RoleExists(const std::string& role) {
  db::Session admin = db::Session::Connect(TestSandbox().AdminUrl());
  return admin.Query("SELECT 1 FROM pg_roles WHERE rolname = $1", {role}).rows.size() == 1;
}

// Flyway runs CREATE INDEX CONCURRENTLY (and a migration whose .sql.conf says
// executeInTransaction=false) outside a transaction with no marker; so does stairway.
TEST(RealHistories, FlywayConcurrentlyWithoutMarkerGoesUpDownAndRoundTrips) {
  const std::string dir = "fixtures/realhist/flyway-concurrently";
  const source::MigrationSet set = LoadFixtureSet(dir);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir}, database->url());
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 3));
  ProcessResult down = Stairway({"downgrade", "base", "-d", dir}, database->url());
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  EXPECT_TRUE(SchemaFingerprint(session).empty());
  ProcessResult verify = StairwayOffline({"verify", "--roundtrip", dir});
  EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  ProcessResult history = StairwayOffline({"history", "-v", "-d", dir});
  EXPECT_TRUE(Contains(history.out, "transaction: none (a statement cannot run in a transaction"))
      << history.out;
  EXPECT_TRUE(Contains(history.out, "transaction: none (executeInTransaction=false in"))
      << history.out;
}

// golang-migrate files wrapped in BEGIN ... COMMIT (one after a SET), and a lone CREATE INDEX
// CONCURRENTLY: applied, undone and round-tripped as golang-migrate runs them.
TEST(RealHistories, GolangMigrateWrappedFilesRunAsTheToolRunsThem) {
  const std::string dir = "fixtures/realhist/golang-migrate-wrapped";
  const source::MigrationSet set = LoadFixtureSet(dir);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult up = Stairway({"upgrade", "-d", dir}, database->url());
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(ReadHistory(session), AppliedEntries(set, 3));
  ProcessResult down = Stairway({"downgrade", "base", "-d", dir}, database->url());
  ASSERT_EQ(down.exit_code, 0) << Describe(down);
  // Roundtrip and lint: no transaction finding, and no roundtrip finding.
  ProcessResult verify =
      StairwayOffline({"verify", "--roundtrip", "--lint", "--report", "json", dir});
  for (const std::string& rule : FindingRules(verify.out)) {
    EXPECT_FALSE(rule.starts_with("transaction-nesting") ||
                 rule.starts_with("uncommitted-transaction") ||
                 rule.starts_with("concurrent-in-transaction") || rule.starts_with("roundtrip-"))
        << rule << "\n"
        << verify.out;
  }
}

// The revision stays one transaction: a failure after the wrapper's BEGIN leaves nothing, and a
// COMMIT in the middle (golang-migrate commits there) does not split it.
TEST(RealHistories, WrappedFileIsOneTransactionEvenWithACommitInTheMiddle) {
  TempDir dir("stairway-wrapped");
  dir.Write("1_notes.up.sql",
            "SET lock_timeout = '5s';\nBEGIN;\nCREATE TABLE notes (id int);\n"
            "CREATE INDEX ON notes (missing);\nCOMMIT;\n");
  dir.Write("1_notes.down.sql", "DROP TABLE notes;\n");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  ProcessResult failed = Stairway({"upgrade", "-d", dir.path().string()}, database->url());
  EXPECT_EQ(failed.exit_code, 3) << Describe(failed);
  EXPECT_TRUE(SchemaFingerprint(session).empty());

  dir.Write("1_notes.up.sql",
            "CREATE TABLE notes (id int);\nCOMMIT;\nCREATE INDEX ON notes (id);\n");
  ProcessResult up = Stairway({"upgrade", "-d", dir.path().string()}, database->url());
  EXPECT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_EQ(ReadHistory(session).size(), 1u);
}

// goose without NO TRANSACTION and dbmate without transaction:false run CREATE INDEX
// CONCURRENTLY in their transaction, where PostgreSQL refuses it: so does stairway (25001), and
// lint says so beforehand. With the marker both run it.
TEST(RealHistories, GooseAndDbmateFollowTheirMarkers) {
  TempDir dir("stairway-markers");
  dir.Write("goose/00001_a.sql",
            "-- +goose Up\nCREATE TABLE a (id int);\n-- +goose Down\nDROP TABLE a;\n");
  dir.Write("goose/00002_b.sql",
            "-- +goose Up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
            "-- +goose Down\nDROP INDEX a_id;\n");
  dir.Write("dbmate/0001_a.sql",
            "-- migrate:up\nCREATE TABLE a (id int);\n-- migrate:down\nDROP TABLE a;\n");
  dir.Write("dbmate/0002_b.sql",
            "-- migrate:up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
            "-- migrate:down\nDROP INDEX a_id;\n");
  for (const char* tool : {"goose", "dbmate"}) {
    SCOPED_TRACE(tool);
    const std::string set_dir = (dir.path() / tool).string();
    auto database = NewTestDatabase();
    ProcessResult up = Stairway({"upgrade", "-d", set_dir}, database->url());
    EXPECT_EQ(up.exit_code, 3) << Describe(up);
    EXPECT_TRUE(Contains(up.err, "cannot run inside a transaction block")) << up.err;
    ProcessResult lint = StairwayOffline({"lint", set_dir});
    EXPECT_TRUE(Contains(lint.out, "concurrent-in-transaction")) << Describe(lint);
  }
  dir.Write("goose/00002_b.sql",
            "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
            "-- +goose Down\nDROP INDEX CONCURRENTLY a_id;\n");
  dir.Write("dbmate/0002_b.sql",
            "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY a_id ON a (id);\n"
            "-- migrate:down transaction:false\nDROP INDEX CONCURRENTLY a_id;\n");
  for (const char* tool : {"goose", "dbmate"}) {
    SCOPED_TRACE(tool);
    ProcessResult verify = StairwayOffline({"verify", "--roundtrip", (dir.path() / tool).string()});
    EXPECT_EQ(verify.exit_code, 0) << Describe(verify);
  }
}

// A down that exists but does nothing is round-tripped: clean after an up that changed no
// schema, a leftover after one that did. Only the missing down is irreversible.
TEST(RealHistories, EmptyDownsAreRoundTrippedInEveryFormat) {
  TempDir dir("stairway-empty-downs");
  const std::string a = "CREATE TABLE a (id int);\n";
  const std::string seed = "INSERT INTO a VALUES (1);\n";
  // IF NOT EXISTS: the re-up after the empty down succeeds, so the run goes on to 4.
  const std::string b = "CREATE TABLE IF NOT EXISTS b (id int);\n";
  dir.Write("golang/1_a.up.sql", a);
  dir.Write("golang/1_a.down.sql", "DROP TABLE a;\n");
  dir.Write("golang/2_seed.up.sql", seed);
  dir.Write("golang/2_seed.down.sql", "");
  dir.Write("golang/3_b.up.sql", b);
  dir.Write("golang/3_b.down.sql", "-- nothing\n");
  dir.Write("golang/4_c.up.sql", "CREATE TABLE c (id int);\n");  // no down: irreversible
  dir.Write("dbmate/0001_a.sql", "-- migrate:up\n" + a + "-- migrate:down\nDROP TABLE a;\n");
  dir.Write("dbmate/0002_seed.sql", "-- migrate:up\n" + seed + "\n-- migrate:down\n\n");
  dir.Write("dbmate/0003_b.sql", "-- migrate:up\n" + b + "-- migrate:down\n-- nothing\n");
  dir.Write("dbmate/0004_c.sql", "-- migrate:up\nCREATE TABLE c (id int);\n");
  dir.Write("goose/00001_a.sql", "-- +goose Up\n" + a + "-- +goose Down\nDROP TABLE a;\n");
  dir.Write("goose/00002_seed.sql", "-- +goose Up\n" + seed + "-- +goose Down\n");
  dir.Write("goose/00003_b.sql", "-- +goose Up\n" + b + "-- +goose Down\n/* nothing */\n");
  dir.Write("goose/00004_c.sql", "-- +goose Up\nCREATE TABLE c (id int);\n");
  dir.Write("flyway/V1__a.sql", a);
  dir.Write("flyway/U1__a.sql", "DROP TABLE a;\n");
  dir.Write("flyway/V2__seed.sql", seed);
  dir.Write("flyway/U2__seed.sql", "");
  dir.Write("flyway/V3__b.sql", b);
  dir.Write("flyway/U3__b.sql", "-- nothing\n");
  dir.Write("flyway/V4__c.sql", "CREATE TABLE c (id int);\n");
  for (const char* tool : {"golang", "dbmate", "goose", "flyway"}) {
    SCOPED_TRACE(tool);
    const source::MigrationSet set = LoadFixtureSet((dir.path() / tool).string());
    ASSERT_EQ(set.revisions.size(), 4u);
    ProcessResult verify = StairwayOffline(
        {"verify", "--roundtrip", "--report", "json", (dir.path() / tool).string()});
    EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
    const std::vector<std::string> rules = FindingRules(verify.out);
    EXPECT_EQ(std::set<std::string>(rules.begin(), rules.end()),
              (std::set<std::string>{"roundtrip-down-leftover " + set.revisions[2].Label(),
                                     "roundtrip-irreversible " + set.revisions[3].Label()}))
        << verify.out;
  }
}

TEST(RealHistories, SetupSqlRunsBeforeTheFirstRevision) {
  const std::string dir = "fixtures/realhist/needs-setup/migrations";
  const std::string setup = "fixtures/realhist/needs-setup/setup.sql";
  // Without it the history fails at its first revision, as it would on an empty database.
  ProcessResult bare = StairwayOffline({"verify", "--roundtrip", dir});
  EXPECT_EQ(bare.exit_code, 1) << Describe(bare);
  EXPECT_TRUE(Contains(bare.err, "schema \"app\" does not exist")) << Describe(bare);
  ProcessResult flag = StairwayOffline({"verify", "--roundtrip", "--setup", setup, dir});
  EXPECT_EQ(flag.exit_code, 0) << Describe(flag);
  ProcessResult toml = StairwayOffline(
      {"verify", "--roundtrip", "--config", "fixtures/realhist/needs-setup/stairway.toml", dir});
  EXPECT_EQ(toml.exit_code, 0) << Describe(toml);

  TempDir bad("stairway-bad-setup");
  bad.Write("setup.sql", "CREATE SCHEMA app;\nCREATE EXTENSION no_such_extension;\n");
  const std::string bad_file = (bad.path() / "setup.sql").string();
  ProcessResult failed = StairwayOffline({"verify", "--roundtrip", "--setup", bad_file, dir});
  EXPECT_EQ(failed.exit_code, 2) << Describe(failed);
  EXPECT_TRUE(Contains(failed.err, "error: " + bad_file + ":2:1: setup failed: ")) << failed.err;
}

// On a user's server the roles the setup made are dropped at the end: after a clean run, after
// a failing one, and with two databases (where the second run of CREATE ROLE finds the role).
TEST(RealHistories, SetupRolesAreDroppedOnAServerUrlRun) {
  const std::string role = "stairway_fixture_reader";
  const std::string server = "--server-url=" + TestSandbox().AdminUrl();
  const std::string setup = "fixtures/realhist/needs-setup/setup.sql";
  ASSERT_FALSE(RoleExists(role));
  ProcessResult ok = StairwayOffline({"verify", "--roundtrip", server, "--setup", setup,
                                      "fixtures/realhist/needs-setup/migrations"});
  EXPECT_EQ(ok.exit_code, 0) << Describe(ok);
  EXPECT_FALSE(RoleExists(role));

  TempDir dir("stairway-setup-split");
  for (int i = 1; i <= 18; ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "m/%04d_t%d.sql", i, i);
    dir.Write(name, "-- migrate:up\nCREATE TABLE app.t" + std::to_string(i) +
                        " (id int);\nGRANT SELECT ON app.t" + std::to_string(i) + " TO " + role +
                        ";\n-- migrate:down\nDROP TABLE app.t" + std::to_string(i) + ";\n");
  }
  ProcessResult split = StairwayOffline({"verify", "--roundtrip", "--jobs", "2", server, "--setup",
                                         setup, (dir.path() / "m").string()});
  EXPECT_EQ(split.exit_code, 0) << Describe(split);
  EXPECT_TRUE(Contains(split.out, "Two databases at once")) << split.out;
  EXPECT_FALSE(RoleExists(role));

  dir.Write("m/0019_fails.sql", "-- migrate:up\nSELECT 1/0;\n-- migrate:down\n");
  ProcessResult failing = StairwayOffline({"verify", "--roundtrip", "--jobs", "1", server,
                                           "--setup", setup, (dir.path() / "m").string()});
  EXPECT_EQ(failing.exit_code, 1) << Describe(failing);
  EXPECT_FALSE(RoleExists(role));
}

// goose's Go migrations are named wherever the set is shown, and a failure after one says it
// may come from it.
TEST(RealHistories, GoMigrationIsNamedNotSkippedInSilence) {
  const std::string dir = "fixtures/realhist/goose-go";
  const std::string go_file = dir + "/00002_create_audit.go";
  ProcessResult verify = StairwayOffline({"verify", "--roundtrip", dir});
  EXPECT_EQ(verify.exit_code, 1) << Describe(verify);
  EXPECT_TRUE(Contains(verify.out, go_file + ": info: 00002_create_audit is a Go migration (" +
                                       go_file +
                                       "): not run; failures after it may come from it "
                                       "[not-runnable]"))
      << verify.out;
  EXPECT_TRUE(Contains(verify.err, "note: 00002_create_audit is a Go migration (" + go_file +
                                       "): not run; this failure may come from it"))
      << verify.err;
  ProcessResult json = StairwayOffline({"verify", "--roundtrip", "--report", "json", dir});
  const std::vector<std::string> rules = FindingRules(json.out);
  EXPECT_NE(std::find(rules.begin(), rules.end(), "not-runnable 00002_create_audit"), rules.end())
      << json.out;

  auto database = NewTestDatabase();
  ProcessResult status = Stairway({"status", "-d", dir}, database->url());
  EXPECT_TRUE(Contains(status.out, "  not run  00002_create_audit: a Go migration (" + go_file +
                                       "); stairway cannot run it\n"))
      << Describe(status);
  EXPECT_LT(status.out.find("00001_create_users"), status.out.find("00002_create_audit"));
  EXPECT_LT(status.out.find("00002_create_audit"), status.out.find("00003_add_audit_user"));
  ProcessResult up = Stairway({"upgrade", "-d", dir}, database->url());
  EXPECT_EQ(up.exit_code, 3) << Describe(up);
  EXPECT_TRUE(Contains(up.err, "note: 00002_create_audit is a Go migration (" + go_file +
                                   "): not run; the revisions after it may need what it does"))
      << Describe(up);
  ProcessResult history = StairwayOffline({"history", "-d", dir});
  EXPECT_TRUE(Contains(history.out, "  not run  00002_create_audit: a Go migration (" + go_file +
                                        "); stairway cannot run it\n"))
      << Describe(history);
}

}  // namespace
}  // namespace stairway::testing

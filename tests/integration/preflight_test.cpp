// stairway preflight on a "production" database made through the sandbox: at an older revision,
// with data that breaks two pending revisions (NULLs, duplicates) and a hand-made change. The
// rehearsal reports the failures at file:line, the drift, the locks and the rewrite; the target
// stays byte-identical and unwritten (read by a role that can only read); a pg_dump older than
// the server and a damaged dump are clear input errors; the HTML timeline renders in a real
// headless browser with every statement.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runner/applier/applier.h"
#include "runner/common/checksum.h"
#include "runner/planner/planner.h"
#include "tests/integration/alembic_test_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"
#include "verifier/preflight/lock_trace.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace preflight = verifier::preflight;

const std::string kMigrations = "fixtures/preflight/migrations";

std::string ServerFlag() {
  return "--server-url=" + TestSandbox().AdminUrl();
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The plain-SQL dump of a database (pg_dump of the test cluster's version): equal before and
// after means the target was not changed in any way pg_dump can see.
std::string PlainDump(const std::string& url) {
  const fs::path pg_dump = TestSandbox().cluster()->bindir / "pg_dump";
  const ProcessResult r = RunProcess({pg_dump.string(), "--no-password", "--dbname=" + url});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // pg_dump 15.14 and later wrap the script in \restrict KEY ... \unrestrict KEY with a new
  // random key each time: the only lines that differ between two dumps of the same database.
  std::string out;
  std::istringstream lines(r.out);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("\\restrict ") || line.starts_with("\\unrestrict ")) continue;
    out += line + '\n';
  }
  return out;
}

// Rows written per table, as the statistics count them.
std::string WriteCounts(const std::string& url) {
  db::Session s = db::Session::Connect(url);
  const db::QueryResult r = s.Query(
      "SELECT string_agg(relname || ':' || n_tup_ins || '/' || n_tup_upd || '/' || n_tup_del, ' ' "
      "ORDER BY relname) FROM pg_stat_user_tables");
  return r.rows.at(0).at(0).value_or("");
}

class Preflight : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    production_ = NewTestDatabase().release();
    const std::string url = production_->url();
    const ProcessResult up = Stairway({"upgrade", "0002", "-d", kMigrations}, url);
    ASSERT_EQ(up.exit_code, 0) << Describe(up);
    {
      db::Session s = db::Session::Connect(url);
      // A user without an email (0004's SET NOT NULL), two named alike (0005's unique index).
      s.Exec(
          "INSERT INTO users (email, name) SELECT 'u' || g || '@example.com', 'user ' || g "
          "FROM generate_series(1, 500) g");
      s.Exec(
          "INSERT INTO users (email, name) VALUES (NULL, 'no email'), ('a@x', 'twin'), "
          "('b@x', 'twin')");
      s.Exec(
          "INSERT INTO orders (user_id, amount) SELECT 1 + g % 500, g FROM "
          "generate_series(1, 2000) g");
      // Changed by hand on production: drift before applying.
      s.Exec("ALTER TABLE users ADD COLUMN nickname text");
      // A role that can only read.
      role_ = "preflight_ro_" + production_->name().substr(production_->name().size() - 8);
      const std::string db = db::QuoteIdent(production_->name());
      s.Exec("CREATE ROLE " + role_ + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
      s.Exec("REVOKE ALL ON DATABASE " + db + " FROM PUBLIC");
      s.Exec("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
      s.Exec("GRANT CONNECT ON DATABASE " + db + " TO " + role_);
      s.Exec("GRANT pg_read_all_data TO " + role_);
    }
    reader_url_ = url;
    const std::size_t at = reader_url_.find("user=");
    ASSERT_NE(at, std::string::npos) << url;
    const std::size_t end = reader_url_.find('&', at);
    reader_url_.replace(at, (end == std::string::npos ? reader_url_.size() : end) - at,
                        "user=" + role_);
  }
  static void TearDownTestSuite() {
    {
      db::Session s = db::Session::Connect(production_->url());
      s.Exec("DROP OWNED BY " + role_ + "; DROP ROLE IF EXISTS " + role_);
    }
    delete production_;
  }

  static inline sandbox::ThrowawayDatabase* production_ = nullptr;
  static inline std::string role_;
  static inline std::string reader_url_;
};

TEST_F(Preflight, RehearsesOnACopyAndReportsWhatOnlyRealDataShows) {
  {
    // The role really cannot write.
    db::Session reader = db::Session::Connect(reader_url_);
    EXPECT_THROW(reader.Exec("INSERT INTO users (name) VALUES ('x')"), db::DatabaseError);
  }
  const std::string before_dump = PlainDump(production_->url());
  const std::string before_writes = WriteCounts(production_->url());
  TempDir dir("stairway-preflight");
  const fs::path backups = dir.path() / "backups";
  const fs::path json_path = dir.path() / "preflight.json";
  const fs::path html_path = dir.path() / "preflight.html";
  const fs::path md_path = dir.path() / "preflight.md";
  const auto started = std::chrono::steady_clock::now();
  // The test cluster trusts local connections, so a password in the URL is carried along
  // (to pg_dump in its environment) but never needed: it must appear nowhere.
  const std::string secret = "Hunter2SecretPw";
  const ProcessResult r =
      StairwayOffline({"preflight", "--against", reader_url_ + "&password=" + secret, kMigrations,
                       "--backup-dir", backups.string(), ServerFlag(), "--json", json_path.string(),
                       "--html", html_path.string(), "--markdown", md_path.string()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  if (std::getenv("PREFLIGHT_TEST_SHOW")) {
    std::cerr << Describe(r) << "took "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - started)
                     .count()
              << " ms\n";
  }

  // The failures, at the statement's file:line, with the server's message; the second one is
  // still tried and marked as coming after the first.
  EXPECT_TRUE(Contains(r.out,
                       "fixtures/preflight/migrations/0004_email_required.sql:4:1: error: "
                       "0004_email_required (up) failed at statement 2 of 2: column "
                       "\"email\" of relation \"users\" contains null values"))
      << r.out;
  EXPECT_TRUE(Contains(r.out,
                       "fixtures/preflight/migrations/0005_unique_names.sql:3:1: error: "
                       "0005_unique_names (up) failed at statement 1 of 1: could not "
                       "create unique index \"users_name_key\""))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "Key (name)=(twin) is duplicated")) << r.out;
  // Drift before: the hand-made column; the password never printed.
  EXPECT_TRUE(Contains(r.out, "drift before applying")) << r.out;
  EXPECT_TRUE(Contains(r.out, "column public.users.nickname")) << r.out;
  EXPECT_TRUE(Contains(r.out, "record: public.stairway_history, at 0002_create_orders")) << r.out;
  EXPECT_TRUE(Contains(r.out, "ACCESS EXCLUSIVE on public.orders for ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "blocks every read and write")) << r.out;
  EXPECT_TRUE(Contains(r.out, "not on production")) << r.out;
  for (const std::string& text :
       {r.out, r.err, ReadFile(json_path), ReadFile(html_path), ReadFile(md_path)}) {
    EXPECT_FALSE(Contains(text, secret)) << text;
  }

  // The backup: kept, private, its size and SHA-256 printed.
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(backups)) files.push_back(e.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].filename().string().ends_with(".dump")) << files[0];
  EXPECT_TRUE(files[0].filename().string().starts_with(production_->name() + "_")) << files[0];
  struct stat st {};
  ASSERT_EQ(::stat(files[0].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string sha = Sha256OfFile(files[0]).value_or("?");
  EXPECT_TRUE(Contains(r.out, "SHA-256 " + sha)) << r.out;

  // The JSON: the rewrite and the lock of the type change, the index build, rows.
  const nlohmann::json report = nlohmann::json::parse(ReadFile(json_path));
  EXPECT_EQ(report["stairway_preflight"], 1);
  EXPECT_EQ(report["pending"],
            nlohmann::json({"0003_amount_numeric", "0004_email_required", "0005_unique_names"}));
  EXPECT_EQ(report["applied"], nlohmann::json({"0003_amount_numeric"}));
  bool saw_rewrite = false, saw_index = false, saw_update = false;
  for (const nlohmann::json& s : report["statements"]) {
    const std::string text = s["statement"];
    if (text.starts_with("ALTER TABLE orders ALTER COLUMN amount TYPE")) {
      saw_rewrite = s["rewrites"] == nlohmann::json({"public.orders"});
      bool access_exclusive = false;
      for (const nlohmann::json& l : s["locks"]) {
        access_exclusive =
            access_exclusive || (l["mode"] == "ACCESS EXCLUSIVE" &&
                                 l["relation"] == "public.orders" && l["existed_before"] == true);
      }
      EXPECT_TRUE(access_exclusive) << s.dump(2);
      EXPECT_EQ(s["path"], kMigrations + "/0003_amount_numeric.sql");
      EXPECT_EQ(s["line"], 5);
      // The rewrite rebuilds the table's indexes too.
      EXPECT_EQ(s["indexes_built"], nlohmann::json({"public.orders_pkey (rebuilt)",
                                                    "public.orders_user_id_idx (rebuilt)"}));
    }
    if (text.starts_with("CREATE INDEX orders_user_id_idx")) {
      saw_index = s["indexes_built"] == nlohmann::json({"public.orders_user_id_idx"});
      bool share = false;
      for (const nlohmann::json& l : s["locks"]) {
        share = share || (l["mode"] == "SHARE" && l["relation"] == "public.orders");
      }
      EXPECT_TRUE(share) << s.dump(2);
      EXPECT_EQ(s["line"], 4);
    }
    if (text.starts_with("UPDATE users")) saw_update = s["rows_written"] == 503;
  }
  EXPECT_TRUE(saw_rewrite) << report["statements"].dump(2);
  EXPECT_TRUE(saw_index) << report["statements"].dump(2);
  EXPECT_TRUE(saw_update) << report["statements"].dump(2);
  ASSERT_EQ(report["failures"].size(), 2u);
  EXPECT_EQ(report["failures"][0]["sqlstate"], "23502");
  EXPECT_EQ(report["failures"][0]["line"], 4);
  EXPECT_EQ(report["failures"][1]["sqlstate"], "23505");
  EXPECT_EQ(report["failures"][1]["after_earlier_failure"], true);
  EXPECT_TRUE(Contains(ReadFile(md_path),
                       "| 0004_email_required | `" + kMigrations + "/0004_email_required.sql:4` |"))
      << ReadFile(md_path);

  // The target: byte-identical, and the statistics saw no write.
  EXPECT_TRUE(PlainDump(production_->url()) == before_dump) << "the target's dump changed";
  EXPECT_TRUE(Contains(before_dump, "COPY public.users (id, email, name, nickname) FROM stdin;"));
  EXPECT_EQ(WriteCounts(production_->url()), before_writes);

  // The timeline in a real browser: it renders, and every statement is on it.
  if (RunProcess({"sh", "-c", "command -v chromium"}).exit_code != 0) {
    GTEST_SKIP() << "chromium is not installed (ci/install-deps.sh installs it)";
  }
  // --single-process: starts in about a third of the time on a busy CI machine.
  const std::vector<std::string> browser = {"chromium",
                                            "--headless",
                                            "--no-sandbox",
                                            "--no-zygote",
                                            "--single-process",
                                            "--disable-gpu",
                                            "--user-data-dir=" + (dir.path() / "profile").string()};
  std::vector<std::string> dump_dom = browser;
  dump_dom.push_back("--dump-dom");
  dump_dom.push_back("file://" + html_path.string());
  const ProcessResult dom = RunProcess(dump_dom, {}, "", std::chrono::seconds(60));
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_TRUE(Contains(dom.out, "<svg")) << dom.out;
  int shown = 0;
  for (const nlohmann::json& s : report["statements"]) {
    const std::string label = std::string(s["revision"]) + " #" + std::to_string(int(s["index"]));
    EXPECT_TRUE(Contains(dom.out, label)) << label;
    ++shown;
  }
  EXPECT_EQ(shown, 5);
  EXPECT_TRUE(Contains(dom.out, "data-lock=\"ACCESS EXCLUSIVE\" data-rewrite=\"yes\"")) << dom.out;
  std::vector<std::string> shot = browser;
  const fs::path png = dir.path() / "timeline.png";
  shot.push_back("--screenshot=" + png.string());
  shot.push_back("--window-size=1100,700");
  shot.push_back("file://" + html_path.string());
  const ProcessResult picture = RunProcess(shot, {}, "", std::chrono::seconds(60));
  ASSERT_EQ(picture.exit_code, 0) << picture.err;
  ASSERT_TRUE(fs::exists(png)) << picture.err;
  EXPECT_GT(fs::file_size(png), 5000u);
}

TEST_F(Preflight, PgDumpOlderThanTheServerIsAClearInputError) {
  TempDir dir("stairway-preflight");
  const fs::path fake = dir.path() / "pg_dump";
  std::ofstream(fake) << "#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n";
  fs::permissions(fake, fs::perms::owner_all);
  const ProcessResult r =
      StairwayOffline({"preflight", "--against", reader_url_, kMigrations, "--backup-dir",
                       dir.path().string(), "--pg-dump", fake.string(), ServerFlag()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, fake.string() + " is version 9 (pg_dump (PostgreSQL) 9.6.24), older "
                                              "than the server (PostgreSQL 15)"))
      << r.err;
  EXPECT_TRUE(Contains(r.err, "--pg-dump")) << r.err;
  // Nothing was dumped.
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()), 1);
}

TEST_F(Preflight, DamagedDumpIsAClearInputError) {
  TempDir dir("stairway-preflight");
  const fs::path garbage = dir.path() / "garbage.dump";
  std::ofstream(garbage) << "this is not an archive\n";
  const ProcessResult r =
      StairwayOffline({"preflight", "--from-dump", garbage.string(), kMigrations, ServerFlag()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(Contains(r.err, garbage.string() + ": not a pg_dump archive pg_restore can read"))
      << r.err;

  // A real dump cut short: pg_restore reads its header, then fails.
  const fs::path whole = dir.path() / "whole.dump";
  const fs::path pg_dump = TestSandbox().cluster()->bindir / "pg_dump";
  const ProcessResult dump =
      RunProcess({pg_dump.string(), "-Fc", "--no-password", "--file=" + whole.string(),
                  "--dbname=" + production_->url()});
  ASSERT_EQ(dump.exit_code, 0) << dump.err;
  const std::string bytes = ReadFile(whole);
  const fs::path cut = dir.path() / "cut.dump";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() * 2 / 3);
  const ProcessResult c =
      StairwayOffline({"preflight", "--from-dump", cut.string(), kMigrations, ServerFlag()});
  EXPECT_EQ(c.exit_code, 2) << Describe(c);
  EXPECT_TRUE(Contains(c.err, cut.string())) << c.err;

  // The whole one rehearses (from a file: no backup is made).
  const ProcessResult ok = StairwayOffline(
      {"preflight", "--from-dump", whole.string(), kMigrations, ServerFlag(), "--no-drift"});
  EXPECT_EQ(ok.exit_code, 1) << Describe(ok);
  EXPECT_TRUE(Contains(ok.out, "record: public.stairway_history, at 0002_create_orders")) << ok.out;
}

TEST_F(Preflight, SchemaOnlyKeepsTheRecordAndFindsNoDataFailures) {
  TempDir dir("stairway-preflight");
  const ProcessResult r =
      StairwayOffline({"preflight", "--against", reader_url_, kMigrations, "--schema-only",
                       "--backup-dir", dir.path().string(), ServerFlag()});
  // No data: the NOT NULL and the unique index pass; the hand-made column is still drift.
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "record: public.stairway_history, at 0002_create_orders")) << r.out;
  EXPECT_TRUE(Contains(r.out, "3 of 3 pending revisions applied")) << r.out;
  EXPECT_TRUE(Contains(r.out, "column public.users.nickname")) << r.out;
  // Only the schema-only backup stays (the record's rows were a temporary second dump).
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir.path())) {
    names.push_back(e.path().filename().string());
  }
  ASSERT_EQ(names.size(), 1u);
  EXPECT_TRUE(names[0].ends_with(".schema.dump")) << names[0];
}

// A revision that applies after one that failed leaves the copy at no revision of the history:
// compared with the migrations at the newest one, the failed revision's objects would all be
// drift. Drift after is left out, and the notes say why.
TEST_F(Preflight, NoDriftAfterWhenALaterRevisionAppliedPastAFailure) {
  TempDir dir("stairway-preflight");
  const fs::path migrations = dir.path() / "migrations";
  fs::copy(SourceDir() / kMigrations, migrations, fs::copy_options::recursive);
  std::ofstream(migrations / "0006_create_tags.sql")
      << "-- migrate:up\nCREATE TABLE tags (id bigint PRIMARY KEY, name text);\n\n"
         "-- migrate:down\nDROP TABLE tags;\n";
  const ProcessResult r =
      StairwayOffline({"preflight", "--against", reader_url_, migrations.string(), "--backup-dir",
                       dir.path().string(), ServerFlag()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "2 of 4 pending revisions applied")) << r.out;
  EXPECT_TRUE(Contains(r.out, "drift before applying")) << r.out;
  EXPECT_TRUE(Contains(r.out,
                       "drift after applying is not compared: 0004_email_required failed and "
                       "later revisions applied without it"))
      << r.out;
  EXPECT_FALSE(Contains(r.out, "drift after applying:")) << r.out;
  EXPECT_FALSE(Contains(r.out, "no drift after applying")) << r.out;
}

// A target migrated by dbmate (schema_migrations, one row per version) or golang-migrate (one
// row: version, dirty): read on the copy and stamped into stairway's history there, never on
// the target.
TEST_F(Preflight, DbmateAndGolangMigrateRecordsAreReadFromSchemaMigrations) {
  auto target = NewTestDatabase();
  const ProcessResult up = Stairway({"upgrade", "0002", "-d", kMigrations}, target->url());
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  {
    db::Session s = db::Session::Connect(target->url());
    s.Exec("DROP TABLE stairway_history");
    s.Exec("CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY)");
    s.Exec("INSERT INTO schema_migrations VALUES ('0001'), ('0002')");
  }
  TempDir dir("stairway-preflight");
  const ProcessResult r = StairwayOffline({"preflight", "--against", target->url(), kMigrations,
                                           "--backup-dir", dir.path().string(), ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "record: schema_migrations (dbmate), at 0002_create_orders"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "no drift before applying")) << r.out;
  EXPECT_TRUE(Contains(r.out, "OK: 3 of 3 pending revisions applied")) << r.out;
  db::Session s = db::Session::Connect(target->url());
  EXPECT_EQ(s.Query("SELECT to_regclass('stairway_history') IS NULL").rows.at(0).at(0), "t");

  // golang-migrate: one row, the version as a number, and dirty.
  s.Exec("DROP TABLE schema_migrations");
  s.Exec("CREATE TABLE schema_migrations (version bigint PRIMARY KEY, dirty boolean NOT NULL)");
  s.Exec("INSERT INTO schema_migrations VALUES (2, false)");
  TempDir dir2("stairway-preflight");
  const ProcessResult g =
      StairwayOffline({"preflight", "--against", target->url(), kMigrations, "--backup-dir",
                       dir2.path().string(), ServerFlag(), "--schema-only", "--no-drift"});
  EXPECT_EQ(g.exit_code, 0) << Describe(g);
  EXPECT_TRUE(Contains(g.out, "record: schema_migrations (golang-migrate), at 0002_create_orders"))
      << g.out;
  EXPECT_TRUE(Contains(g.out, "OK: 3 of 3 pending revisions applied")) << g.out;
}

// An Alembic project: the record is alembic_version, the pending revisions run in the project's
// Python on the copy, and a revision that fails on the real data is reported at its .py line.
TEST_F(Preflight, AlembicProjectRehearsesFromAlembicVersion) {
  if (std::optional<std::string> missing = AlembicStackMissing()) GTEST_SKIP() << *missing;
  TempDir dir("stairway-preflight");
  const fs::path project = dir.path() / "project";
  fs::copy(SourceDir() / "fixtures/alembic/plain", project, fs::copy_options::recursive);
  std::ofstream(project / "alembic/versions/4d2e8a1b0c3f_email_required.py")
      << R"PY("""email required

Revision ID: 4d2e8a1b0c3f
Revises: 3b8f1e0c9d2a
Create Date: 2026-12-06 12:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '4d2e8a1b0c3f'
down_revision = '3b8f1e0c9d2a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("UPDATE users SET name = trim(name)")
    nested = op.get_bind().begin_nested()
    try:
        op.execute("SELECT 1/0")
    except Exception:
        nested.rollback()
    op.alter_column("users", "email", existing_type=sa.String(length=255), nullable=False)


def downgrade() -> None:
    op.alter_column("users", "email", existing_type=sa.String(length=255), nullable=True)
)PY";
  auto target = NewTestDatabase();
  const Env env = AlembicPythonEnv();
  const ProcessResult up =
      Stairway({"upgrade", "27c6a30d7c24", "-d", project.string()}, target->url(), env);
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  {
    db::Session s = db::Session::Connect(target->url());
    s.Exec("INSERT INTO users (name, email) VALUES ('a', 'a@x'), ('b', NULL)");
  }
  const fs::path json = dir.path() / "preflight.json";
  const ProcessResult r =
      RunStairway({"preflight", "--against", target->url(), project.string(), "--backup-dir",
                   dir.path().string(), ServerFlag(), "--json", json.string()},
                  env, SourceDir().string());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "record: alembic_version, at 27c6a30d7c24")) << r.out;
  // Each statement the revisions ran is traced at the line of its op call, with its locks
  // (read on the helper's connection inside the revision's transaction) and rows; the one that
  // failed carries the server's message.
  ASSERT_TRUE(fs::exists(json)) << Describe(r);
  const nlohmann::json report = nlohmann::json::parse(ReadFile(json));
  std::vector<std::string> traced;
  for (const nlohmann::json& st : report["statements"]) {
    std::string locks;
    for (const nlohmann::json& lock : st["locks"]) {
      locks += " " + lock["mode"].get<std::string>() + " " + lock["relation"].get<std::string>();
    }
    traced.push_back(
        fs::path(st["path"].get<std::string>()).filename().string() + ":" +
        std::to_string(st["line"].get<int>()) + " " + st["statement"].get<std::string>() + " [" +
        locks + " ] rows " + (st["rows_written"].is_null() ? "-" : st["rows_written"].dump()) +
        (st["failed"].get<bool>() ? " failed" : "") + (st["caught"].get<bool>() ? " caught" : ""));
    if (st["failed"].get<bool>() && !st["caught"].get<bool>()) {
      EXPECT_TRUE(Contains(st["error"], "contains null values")) << st.dump();
    }
  }
  EXPECT_EQ(traced, (std::vector<std::string>{
                        "3b8f1e0c9d2a_drop_legacy_sessions.py:20 DROP TABLE IF EXISTS "
                        "legacy_sessions [ ] rows 0",
                        "4d2e8a1b0c3f_email_required.py:17 UPDATE users SET name = trim(name) "
                        "[ ROW EXCLUSIVE public.users ] rows 2",
                        "4d2e8a1b0c3f_email_required.py:18 SAVEPOINT sa_savepoint_1 [ ] rows 0",
                        "4d2e8a1b0c3f_email_required.py:20 SELECT 1/0 [ ] rows - failed caught",
                        "4d2e8a1b0c3f_email_required.py:22 ROLLBACK TO SAVEPOINT sa_savepoint_1 "
                        "[ ] rows 0",
                        "4d2e8a1b0c3f_email_required.py:23 ALTER TABLE users ALTER COLUMN email "
                        "SET NOT NULL [ ] rows - failed"}))
      << report["statements"].dump(2);
  EXPECT_TRUE(Contains(r.out,
                       "2 pending: 3b8f1e0c9d2a_drop_legacy_sessions, "
                       "4d2e8a1b0c3f_email_required"))
      << r.out;
  EXPECT_TRUE(Contains(
      r.out,
      "4d2e8a1b0c3f_email_required.py:23:5: error: 4d2e8a1b0c3f_email_required (up) failed: "))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "column \"email\" of relation \"users\" contains null values"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "FINDINGS: 1 of 2 pending revisions applied")) << r.out;
  db::Session s = db::Session::Connect(target->url());
  EXPECT_EQ(s.Query("SELECT version_num FROM alembic_version").rows.at(0).at(0), "27c6a30d7c24");
}

// Drift, twice, for an Alembic project: before applying, the restored copy against the
// revisions its alembic_version names (a hand-made change on the target shows); after, against
// what alembic_version names once the pending revisions ran (the head).
TEST_F(Preflight, AlembicDriftBeforeAndAfterFollowAlembicVersion) {
  if (std::optional<std::string> missing = AlembicStackMissing()) GTEST_SKIP() << *missing;
  TempDir dir("stairway-preflight");
  const fs::path project = dir.path() / "project";
  fs::copy(SourceDir() / "fixtures/alembic/plain", project, fs::copy_options::recursive);
  auto target = NewTestDatabase();
  const Env env = AlembicPythonEnv();
  const ProcessResult up =
      Stairway({"upgrade", "1975ea83b712", "-d", project.string()}, target->url(), env);
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  // Each run its own --backup-dir: backups are named to the second.
  const auto preflight = [&](const std::string& backups) {
    return RunStairway({"preflight", "--against", target->url(), project.string(), "--backup-dir",
                        (dir.path() / backups).string(), ServerFlag()},
                       env, SourceDir().string());
  };
  ProcessResult r = preflight("clean");
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(Contains(r.out, "no drift before applying: the restored schema matches ")) << r.out;
  EXPECT_TRUE(Contains(r.out, " at 1975ea83b712_create_users_table\n")) << r.out;
  EXPECT_TRUE(Contains(r.out, "no drift after applying: the result matches ")) << r.out;
  EXPECT_TRUE(Contains(r.out, " at 3b8f1e0c9d2a_drop_legacy_sessions\n")) << r.out;
  EXPECT_FALSE(Contains(r.out, "not compared")) << r.out;

  {
    db::Session s = db::Session::Connect(target->url());
    s.Exec("ALTER TABLE users ADD COLUMN nickname text");
  }
  r = preflight("changed");
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  const std::string column =
      "  column public.users.nickname (text) is in the database but not in the migrations\n";
  const std::size_t before = r.out.find("drift before applying: the restored schema differs from ");
  const std::size_t after = r.out.find("drift after applying: the result differs from ");
  ASSERT_NE(before, std::string::npos) << r.out;
  ASSERT_NE(after, std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" at 1975ea83b712_create_users_table:\n" + column, before),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" at 3b8f1e0c9d2a_drop_legacy_sessions:\n" + column, after),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(Contains(r.out, "alembic_version (")) << r.out;
}

// verify --lock-trace: the same trace on a throwaway database, as findings beside the lint.
TEST(VerifyLockTrace, MeasuredLocksAndRewritesAreFindings) {
  TempDir dir("stairway-preflight");
  const fs::path json = dir.path() / "verify.json";
  const ProcessResult r = StairwayOffline({"verify", "--lint", "--lock-trace", kMigrations,
                                           ServerFlag(), "--report", "json", "-o", json.string()});
  ASSERT_TRUE(fs::exists(json)) << Describe(r);
  const nlohmann::json report = nlohmann::json::parse(ReadFile(json));
  bool rewrite = false, not_null = false;
  for (const nlohmann::json& f : report["findings"]) {
    if (f["check"] != "lock-trace") continue;
    EXPECT_EQ(f["severity"], "info") << f.dump();
    if (f["rule"] == "lock-trace-rewrite" &&
        f["path"] == kMigrations + "/0003_amount_numeric.sql" && f["line"] == 5) {
      rewrite = Contains(f["message"],
                         "ACCESS EXCLUSIVE on public.orders: blocks every read and "
                         "write") &&
                Contains(f["message"], "rewrites public.orders");
    }
    if (f["path"] == kMigrations + "/0004_email_required.sql" && f["line"] == 4) {
      not_null = Contains(f["message"], "ACCESS EXCLUSIVE on public.users");
    }
  }
  EXPECT_TRUE(rewrite) << report["findings"].dump(2);
  EXPECT_TRUE(not_null) << report["findings"].dump(2);
}

// With the roundtrip the trace rides on its first up of each revision (no apply of its own),
// and finds what the separate apply of `verify --lint --lock-trace` finds.
TEST(VerifyLockTrace, InsideTheRoundtripFindsWhatTheSeparateApplyFinds) {
  TempDir dir("stairway-preflight");
  const auto lock_findings = [&](const std::vector<std::string>& checks, const std::string& name,
                                 std::string* step) {
    const fs::path json = dir.path() / name;
    std::vector<std::string> args = {"verify"};
    args.insert(args.end(), checks.begin(), checks.end());
    for (const std::string& a :
         {std::string("--lock-trace"), kMigrations, ServerFlag(), std::string("--report"),
          std::string("json"), std::string("-o"), json.string()}) {
      args.push_back(a);
    }
    const ProcessResult r = StairwayOffline(args);
    EXPECT_TRUE(fs::exists(json)) << Describe(r);
    const nlohmann::json report = nlohmann::json::parse(ReadFile(json));
    std::vector<std::string> found;
    for (const nlohmann::json& f : report["findings"]) {
      if (f["check"] == "lock-trace") found.push_back(f.dump());
    }
    for (const nlohmann::json& s : report["steps"]) {
      if (s["check"] == "lock-trace") *step = s["name"].get<std::string>();
    }
    return found;
  };
  std::string separate_step, inside_step;
  const std::vector<std::string> separate =
      lock_findings({"--lint"}, "separate.json", &separate_step);
  const std::vector<std::string> inside =
      lock_findings({"--lint", "--roundtrip"}, "inside.json", &inside_step);
  EXPECT_EQ(separate_step, "lock trace of every revision (applied once more, without roundtrip)");
  EXPECT_EQ(inside_step, "lock trace of each revision's first up");
  EXPECT_GE(inside.size(), 2u);
  EXPECT_EQ(inside, separate);
}

// verify's trace (Detail::kFindingsOnly) skips the read after statements that cannot make a
// finding (CREATE FUNCTION, COMMENT, CREATE VIEW, CREATE TYPE ...): on the generated history of
// the benchmarks, which has all of them, it finds exactly what reading after every statement
// finds, with fewer reads.
TEST(VerifyLockTrace, FindingsOnlyFindsWhatEveryStatementFinds) {
  TempDir dir("stairway-preflight");
  const fs::path revisions = dir.path() / "revs";
  const ProcessResult gen = RunProcess(
      {"bash", (SourceDir() / "bench/runner/gen_revisions.sh").string(), "40", revisions.string()});
  ASSERT_EQ(gen.exit_code, 0) << Describe(gen);
  const source::MigrationSet set = source::LoadMigrationSet(revisions).ValueOrThrow();
  const std::vector<applier::PreparedStep> steps =
      applier::Prepare(planner::PlanUpgrade(set, {}, "head").ValueOrThrow()).ValueOrThrow();
  std::map<std::string, std::vector<std::string>> found;
  std::map<std::string, int> reads;
  for (const auto& [name, detail] :
       {std::pair{"every", preflight::Tracer::Detail::kEveryStatement},
        std::pair{"findings", preflight::Tracer::Detail::kFindingsOnly}}) {
    auto database = NewTestDatabase();
    db::Session session = db::Session::Connect(database->url());
    preflight::Tracer tracer(preflight::Tracer::RowCounts::kSkip, detail);
    {
      applier::Runner runner(session, applier::Options{}, &tracer);
      runner.EnsureHistory();
      runner.Run(steps);
    }
    for (const report::Finding& f :
         preflight::LockTraceReport(tracer.statements(), {}, "t").findings) {
      found[name].push_back(fmt::format("{}:{} {} {}", f.path, f.line, f.rule, f.message));
    }
    reads[name] = tracer.reads();
  }
  EXPECT_GE(found["every"].size(), 20u);
  EXPECT_EQ(found["findings"], found["every"]);
  EXPECT_LT(reads["findings"], reads["every"] * 9 / 10) << reads["every"];
}

// Alembic revisions run in the project's Python, on the helper's connection: the trace's reads
// run there too, inside the revision's transaction, so each statement is traced at its op call's
// line with its locks, through either driver, inside the roundtrip or (--lint --lock-trace) on
// an apply of its own. A statement of an autocommit_block() is read around on its own (CREATE
// INDEX CONCURRENTLY takes only SHARE UPDATE EXCLUSIVE: no finding).
TEST(VerifyLockTrace, AlembicStatementsTracedOneByOne) {
  if (std::optional<std::string> missing = AlembicStackMissing()) GTEST_SKIP() << *missing;
  const std::vector<std::pair<std::string, std::string>> runs = {
      {"psycopg2", "--roundtrip"}, {"asyncpg", "--roundtrip"}, {"psycopg2", "--lint"}};
  for (const auto& [driver, check] : runs) {
    SCOPED_TRACE(driver + " " + check);
    TempDir dir("stairway-preflight");
    const fs::path project = dir.path() / "project";
    fs::copy(SourceDir() / "fixtures/alembic/plain", project, fs::copy_options::recursive);
    std::ofstream(project / "alembic/versions/4d2e8a1b0c3f_id_bigint.py") << R"PY("""id bigint

Revision ID: 4d2e8a1b0c3f
Revises: 3b8f1e0c9d2a
Create Date: 2026-12-07 02:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = '4d2e8a1b0c3f'
down_revision = '3b8f1e0c9d2a'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("users_name_idx", "users", ["name"])
    op.alter_column("users", "id", type_=sa.BigInteger(), existing_type=sa.Integer())
    with op.get_context().autocommit_block():
        op.execute("CREATE INDEX CONCURRENTLY users_email_idx ON users (email)")


def downgrade() -> None:
    op.drop_index("users_email_idx", table_name="users")
    op.alter_column("users", "id", type_=sa.Integer(), existing_type=sa.BigInteger())
    op.drop_index("users_name_idx", table_name="users")
)PY";
    const fs::path json = dir.path() / "verify.json";
    Env env = AlembicPythonEnv();
    env["STAIRWAY_ALEMBIC_DRIVER"] = driver;
    const ProcessResult r = RunStairway({"verify", check, "--lock-trace", project.string(),
                                         ServerFlag(), "--report", "json", "-o", json.string()},
                                        env, SourceDir().string());
    ASSERT_TRUE(fs::exists(json)) << Describe(r);
    const nlohmann::json report = nlohmann::json::parse(ReadFile(json));
    for (const nlohmann::json& step : report["steps"]) {
      if (step["check"] == "lock-trace") EXPECT_FALSE(step.value("skipped", false)) << step.dump();
    }
    std::vector<std::string> traced;
    for (const nlohmann::json& f : report["findings"]) {
      if (f["check"] != "lock-trace" || f["revision"] != "4d2e8a1b0c3f_id_bigint") continue;
      traced.push_back(fs::path(f["path"].get<std::string>()).filename().string() + ":" +
                       std::to_string(f["line"].get<int>()) + " " + f["rule"].get<std::string>() +
                       " " + f["message"].get<std::string>());
    }
    EXPECT_EQ(traced.size(), 2u) << report["findings"].dump(2);
    EXPECT_TRUE(traced.size() > 0 &&
                traced[0].starts_with("4d2e8a1b0c3f_id_bigint.py:17 lock-trace-lock measured: "
                                      "SHARE on public.users: blocks every write"))
        << report["findings"].dump(2);
    EXPECT_TRUE(traced.size() > 1 &&
                traced[1].starts_with("4d2e8a1b0c3f_id_bigint.py:18 lock-trace-rewrite measured: "
                                      "ACCESS EXCLUSIVE on public.users: blocks every read and "
                                      "write") &&
                Contains(traced[1], "rewrites public.users"))
        << report["findings"].dump(2);
  }
}

// Ctrl-C while pg_restore runs: the throwaway cluster goes (the sandbox's cleanup), the finished
// backup stays. pg_restore is a wrapper that says when it started, then runs the real one late.
TEST_F(Preflight, InterruptDuringRestoreLeavesNoClusterBehind) {
  TempDir dir("stairway-preflight");
  // The cluster's account (stairway drops to one when run as root) must reach $TMPDIR below it.
  fs::permissions(dir.path(), fs::perms::others_read | fs::perms::others_exec,
                  fs::perm_options::add);
  const fs::path tmp = dir.path() / "tmp";
  const fs::path backups = dir.path() / "backups";
  fs::create_directories(tmp);
  const fs::path marker = dir.path() / "restore-started";
  const fs::path wrapper = dir.path() / "pg_restore";
  std::ofstream(wrapper) << "#!/bin/sh\ntouch '" << marker.string() << "'\nsleep 5\nexec '"
                         << (TestSandbox().cluster()->bindir / "pg_restore").string()
                         << "' \"$@\"\n";
  fs::permissions(wrapper, fs::perms::owner_all);
  ChildProcess child = ChildProcess::StartStairway(
      {"preflight", "--against", reader_url_, kMigrations, "--backup-dir", backups.string(),
       "--pg-restore", wrapper.string()},
      {{"TMPDIR", tmp.string()}, {"STAIRWAY_CACHE_DIR", ""}}, SourceDir().string());
  for (int i = 0; i < 300 && !fs::exists(marker); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_TRUE(fs::exists(marker)) << child.ErrSoFar();
  // The cluster is there while the restore runs...
  std::vector<std::string> during;
  for (const auto& e : fs::directory_iterator(tmp)) during.push_back(e.path().filename());
  EXPECT_FALSE(during.empty());
  child.Signal(SIGINT);
  const ProcessResult r = child.Wait();
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  // ...and gone after the interrupt; the backup, complete before it, stays.
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp)) left.push_back(e.path().filename());
  EXPECT_TRUE(left.empty()) << left.front();
  std::vector<std::string> kept;
  for (const auto& e : fs::directory_iterator(backups)) kept.push_back(e.path().filename());
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_TRUE(kept[0].ends_with(".dump")) << kept[0];
}

}  // namespace
}  // namespace stairway::testing

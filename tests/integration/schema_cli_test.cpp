// `stairway snapshot` and `stairway diff` as a user runs them: URLs, saved files and DIR@REV
// (migrations built on throwaway databases of the suite's cluster), exit codes and messages.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/db/session.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"
#include "tests/support/test_cluster.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/snapshot_json.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

ProcessResult Cli(const std::vector<std::string>& args) {
  return RunStairway(args, {}, SourceDir().string());
}

std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class SchemaCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    a_ = NewTestDatabase();
    b_ = NewTestDatabase();
    dir_ = fs::temp_directory_path() /
           ("stairway-schema-cli-" +
            std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Exec(const sandbox::ThrowawayDatabase& database, std::string_view sql) {
    db::Session session = db::Session::Connect(database.url());
    session.Exec(sql);
  }

  std::unique_ptr<sandbox::ThrowawayDatabase> a_, b_;
  fs::path dir_;
};

TEST_F(SchemaCliTest, SnapshotPrintsTheJsonOfTheDatabase) {
  Exec(*a_,
       "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE t (id int PRIMARY KEY, m mood)");
  const ProcessResult r = Cli({"snapshot", "--database-url", a_->url()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.err, "");
  db::Session session = db::Session::Connect(a_->url());
  EXPECT_EQ(r.out, schema::SnapshotToJson(schema::TakeSnapshot(session)));
  EXPECT_NE(r.out.find(R"("labels":["'sad'","'happy'"])"), std::string::npos) << r.out;

  const fs::path file = dir_ / "a.json";
  const ProcessResult to_file = Cli({"snapshot", a_->url(), "-o", file.string()});
  ASSERT_EQ(to_file.exit_code, 0) << Describe(to_file);
  EXPECT_EQ(to_file.out, "");
  EXPECT_EQ(ReadFile(file), r.out);

  // A FastAPI project's DATABASE_URL, as written in its .env, is a database too.
  const std::string url = a_->url();
  const ProcessResult async_form =
      Cli({"snapshot", "postgresql+asyncpg" + url.substr(url.find("://"))});
  ASSERT_EQ(async_form.exit_code, 0) << Describe(async_form);
  EXPECT_EQ(async_form.out, r.out);
}

TEST_F(SchemaCliTest, DiffOfTwoDatabasesNamesEachDifference) {
  const std::string base = "CREATE TABLE t (id int PRIMARY KEY, bio text)";
  Exec(*a_, base);
  Exec(*b_, base + "; CREATE TYPE mood AS ENUM ('sad'); ALTER TABLE t ALTER bio TYPE varchar(20)");
  const ProcessResult r = Cli({"diff", a_->url(), b_->url()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "A: " + db::MaskPassword(a_->url()) + "\nB: " + db::MaskPassword(b_->url()) +
                       "\n"
                       "type public.mood (enum 'sad') is only in B\n"
                       "column public.t.bio: type text in A, character varying(20) in B\n");
  EXPECT_EQ(r.err, "2 differences\n");

  const ProcessResult same = Cli({"diff", a_->url(), a_->url()});
  EXPECT_EQ(same.exit_code, 0) << Describe(same);
  EXPECT_EQ(same.out, "");
  EXPECT_EQ(same.err, "no differences between A and B\n");
}

TEST_F(SchemaCliTest, DiffOfSavedFilesAndSoftDifferences) {
  Exec(*a_, "CREATE TABLE t (a int, b int, c int)");
  Exec(*b_, "CREATE TABLE t (a int, c int, b int)");
  const fs::path fa = dir_ / "a.json", fb = dir_ / "b.json";
  ASSERT_EQ(Cli({"snapshot", a_->url(), "-o", fa.string()}).exit_code, 0);
  ASSERT_EQ(Cli({"snapshot", b_->url(), "-o", fb.string()}).exit_code, 0);
  const ProcessResult r = Cli({"diff", fa.string(), fb.string()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "A: " + fa.string() + "\nB: " + fb.string() +
                       "\n"
                       "columns of table public.t in a different order: in A (a, b, c), in B "
                       "(a, c, b) [soft]\n");
  EXPECT_EQ(r.err,
            "1 difference (1 soft: column order, renamed constraint/index, or a function body's "
            "whitespace and comments)\n");
  const ProcessResult allowed = Cli({"diff", fa.string(), fb.string(), "--allow-soft"});
  EXPECT_EQ(allowed.exit_code, 0) << Describe(allowed);
}

TEST_F(SchemaCliTest, DiffOfMigrationsAtTwoRevisions) {
  const std::string server = "--server-url=" + TestSandbox().AdminUrl();
  const ProcessResult r =
      Cli({"diff", "fixtures/schema/migrations@0001", "fixtures/schema/migrations@0002", server});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out,
            "A: fixtures/schema/migrations@0001\n"
            "B: fixtures/schema/migrations@0002\n"
            "index public.notes_title_idx (btree (title)) is only in B\n");

  // A directory alone means its head; a database built by hand with the same DDL is equal.
  Exec(*a_,
       "CREATE TYPE note_kind AS ENUM ('todo', 'done');"
       "CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
       "  kind note_kind NOT NULL DEFAULT 'todo', title text NOT NULL);"
       "CREATE INDEX notes_title_idx ON notes (title);");
  const ProcessResult head = Cli({"diff", "fixtures/schema/migrations", a_->url(), server});
  EXPECT_EQ(head.exit_code, 0) << Describe(head);

  const ProcessResult snap = Cli({"snapshot", "fixtures/schema/migrations@0001", server});
  ASSERT_EQ(snap.exit_code, 0) << Describe(snap);
  EXPECT_NE(snap.out.find(R"("identity":"public.note_kind")"), std::string::npos);
  EXPECT_EQ(snap.out.find("stairway_history"), std::string::npos) << "history table left out";
}

TEST_F(SchemaCliTest, BadInputIsExitTwoWithOneLine) {
  ProcessResult r = Cli({"diff", "missing.json", a_->url()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err, "error: missing.json: cannot read the file; check the path\n");

  r = Cli({"diff", "no/such/dir@0001", a_->url()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: no/such/dir@0001: not a database URL, a snapshot file or a migration "
            "directory; give postgresql://..., FILE.json, or DIR@REV (DIR@head for the newest "
            "revision)\n");

  const fs::path newer = dir_ / "newer.json";
  std::ofstream(newer) << R"({"stairway_snapshot": 7, "objects": []})";
  r = Cli({"diff", newer.string(), newer.string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err, "error: " + newer.string() +
                       ": snapshot format 7 is not supported by this stairway (it reads format "
                       "1); upgrade stairway or take the snapshot again\n");

  r = Cli({"diff", "fixtures/schema/migrations@0042", a_->url(),
           "--server-url=" + TestSandbox().AdminUrl()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("0042"), std::string::npos) << r.err;

  // An unknown revision on one side fails before the other side starts building: nothing
  // listens at this server, and the error is still the revision's (exit 2), not the
  // connection's (exit 3).
  const std::string nowhere = "--server-url=postgresql:///x?host=" + (dir_ / "nothing").string();
  r = Cli({"diff", "fixtures/schema/migrations@0042", "fixtures/schema/migrations@head", nowhere});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_TRUE(r.err.starts_with("error: unknown revision \"0042\"")) << r.err;
  r = Cli({"snapshot", "fixtures/schema/migrations@0042", nowhere});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

}  // namespace
}  // namespace stairway::testing

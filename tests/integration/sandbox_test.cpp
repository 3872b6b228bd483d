// Integration tests for runner/sandbox and runner/db on real PostgreSQL clusters: start-up,
// throwaway databases, sessions and their errors, locks, and cleanup in every way a run can end.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "runner/db/session.h"
#include "runner/sandbox/cluster.h"
#include "runner/sandbox/sandbox.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

namespace stairway {
namespace {

namespace fs = std::filesystem;
using db::Session;
using sandbox::ClusterInfo;

bool Alive(pid_t pid) {
  if (kill(pid, 0) != 0) return false;
  // A zombie (exited, not yet reaped by its new parent) counts as gone.
  FILE* stat = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (stat == nullptr) return false;
  char buffer[512] = {};
  const std::size_t n = std::fread(buffer, 1, sizeof buffer - 1, stat);
  std::fclose(stat);
  const std::string text(buffer, n);
  const std::size_t paren = text.rfind(')');
  return paren == std::string::npos || paren + 2 >= text.size() || text[paren + 2] != 'Z';
}

// Waits until `done` holds, at most `limit`.
template <typename Done>
bool Eventually(Done done, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

std::string One(Session& session, const std::string& sql,
                const std::vector<db::Value>& params = {}) {
  const db::QueryResult result = session.Query(sql, params);
  return result.rows.at(0).at(0).value_or("<null>");
}

// The SQLSTATE of the DatabaseError `run` throws, or "no error".
std::string SqlstateOf(const std::function<void()>& run) {
  try {
    run();
  } catch (const db::DatabaseError& error) {
    return error.sqlstate();
  }
  return "no error";
}

// Whether server process `pid` is still listed, as `observer` sees it.
bool BackendAlive(Session& observer, int pid) {
  return One(observer, "SELECT count(*) FROM pg_stat_activity WHERE pid = $1::int",
             {std::to_string(pid)}) != "0";
}

bool DatabaseExists(const std::string& name) {
  Session admin = Session::Connect(testing::TestSandbox().AdminUrl());
  return One(admin, "SELECT count(*) FROM pg_database WHERE datname = $1", {name}) == "1";
}

// --- the cluster and its databases ---------------------------------------------------------

TEST(Sandbox, StartsAPrivateClusterQuickly) {
  sandbox::Sandbox& sandbox = testing::TestSandbox();
  const std::optional<ClusterInfo> info = sandbox.cluster();
  ASSERT_TRUE(info.has_value());
  std::printf("cluster start: %.0f ms, %s %.0f ms (%s)\n", info->start_ms,
              info->from_template ? "template copy" : "initdb", info->initdb_ms,
              info->directory.c_str());
  EXPECT_LT(info->start_ms, 5000);  // typically ~0.7 s; generous for a loaded CI machine
  EXPECT_TRUE(fs::exists(info->directory / "data/PG_VERSION"));
  EXPECT_TRUE(fs::exists(info->directory / ".s.PGSQL.5432"));
  EXPECT_EQ(
      info->directory.filename().string().rfind("stairway-" + std::to_string(getpid()) + "-", 0),
      0u);
  EXPECT_TRUE(Alive(info->postmaster_pid));
  if (geteuid() == 0) {
    EXPECT_NE(info->os_user, "root");
  }

  auto database = testing::NewTestDatabase();
  EXPECT_EQ(database->name().rfind("stairway_tmp_", 0), 0u);
  EXPECT_EQ(database->url(), "postgresql:///" + database->name() +
                                 "?host=" + info->directory.string() + "&port=5432&user=stairway");
  Session session = Session::Connect(database->url());
  EXPECT_EQ(One(session, "SELECT current_user"), "stairway");
  EXPECT_EQ(One(session, "SELECT current_database()"), database->name());
  EXPECT_EQ(One(session, "SHOW fsync"), "off");
  EXPECT_EQ(One(session, "SHOW listen_addresses"), "");
  EXPECT_GE(session.server_version_num(), 150000);
  EXPECT_GT(session.backend_pid(), 0);
}

// Sets (or, with nullptr, unsets) an environment variable for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    Set(value);
  }
  ~ScopedEnv() { Set(old_ ? old_->c_str() : nullptr); }

 private:
  void Set(const char* value) {
    if (value != nullptr) {
      setenv(name_, value, 1);
    } else {
      unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> old_;
};

TEST(Sandbox, ClusterGoesUnderTmpdirElseToRamElseToTmp) {
  EXPECT_FALSE(sandbox::RoomyRamDirectory("/proc"));  // not a tmpfs
  EXPECT_FALSE(sandbox::RoomyRamDirectory("/nonexistent"));
  {
    ScopedEnv unset("TMPDIR", nullptr);
    const bool ram = sandbox::RoomyRamDirectory("/dev/shm");
    std::printf("/dev/shm is %sa tmpfs with 1 GiB free\n", ram ? "" : "not ");
    EXPECT_EQ(sandbox::ClusterBaseDirectory(), ram ? fs::path("/dev/shm") : fs::path("/tmp"));
  }
  const testing::TempDir dir("stairway-tmpdir-test", "/tmp");  // short, reachable by all
  const std::string chosen = dir.path().string();
  {
    ScopedEnv set("TMPDIR", (chosen + "/").c_str());
    if (geteuid() == 0) {
      // Root runs the server as another user, who cannot enter a 0700 directory of root's.
      EXPECT_EQ(sandbox::ClusterBaseDirectory(), fs::path("/tmp"));
    }
    fs::permissions(chosen, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
    EXPECT_EQ(sandbox::ClusterBaseDirectory(), fs::path(chosen));
    auto sandbox = sandbox::OpenSandbox({});
    ASSERT_TRUE(sandbox->cluster().has_value());
    EXPECT_EQ(sandbox->cluster()->directory.parent_path(), fs::path(chosen));
  }
  EXPECT_TRUE(fs::is_empty(chosen));
}

std::vector<fs::path> Entries(const fs::path& root) {
  std::vector<fs::path> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) out.push_back(entry.path());
  return out;
}

// The cluster works: a database, a table, a row.
void ExpectWorking(sandbox::Sandbox& sandbox) {
  auto database = sandbox.CreateDatabase();
  Session session = Session::Connect(database->url());
  session.Exec("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
  EXPECT_EQ(One(session, "SELECT count(*) FROM t"), "1");
}

TEST(Sandbox, TemplateCacheServesTheNextStart) {
  // Started with the cache it had (before this test's): it must not fill this test's cache.
  const fs::path bindir = testing::TestSandbox().cluster()->bindir;
  const testing::TempDir dir("stairway-cache-test", "/tmp");
  const std::string root = dir.path().string();
  {
    ScopedEnv cache("STAIRWAY_CACHE_DIR", root.c_str());
    ASSERT_EQ(sandbox::TemplateCacheRoot(), fs::path(root));
    // An entry of an earlier version of the same programs: pruned when the new one is written.
    fs::create_directories(fs::path(root) / "pg-0000000000000000" / "data");
    std::ofstream(fs::path(root) / "pg-0000000000000000" / "bindir") << bindir.string() << '\n';

    // The first start only notes the programs; the second saves the template; the third uses it.
    auto first = sandbox::OpenSandbox({});
    EXPECT_FALSE(first->cluster()->from_template);
    first.reset();
    std::vector<fs::path> entries = Entries(root);
    ASSERT_EQ(entries.size(), 2u) << "the old entry and the note of the first start";

    auto second = sandbox::OpenSandbox({});
    EXPECT_FALSE(second->cluster()->from_template);
    ExpectWorking(*second);
    second.reset();
    entries = Entries(root);
    std::erase_if(entries,
                  [](const fs::path& p) { return p.filename().string().starts_with("seen-"); });
    ASSERT_EQ(entries.size(), 1u) << "the new entry only: the old one is pruned";
    const fs::path entry = entries[0];
    EXPECT_NE(entry.filename(), "pg-0000000000000000");
    EXPECT_TRUE(fs::exists(entry / "data" / "global" / "pg_control"));
    EXPECT_FALSE(fs::exists(entry / "data" / "postmaster.pid")) << "saved before the server ran";

    auto third = sandbox::OpenSandbox({});
    EXPECT_TRUE(third->cluster()->from_template);
    std::printf("cluster start: %.0f ms from the template (copy %.0f ms)\n",
                third->cluster()->start_ms, third->cluster()->initdb_ms);
    ExpectWorking(*third);
    third.reset();

    // A broken entry is not used, and is replaced.
    fs::remove(entry / "data" / "global" / "pg_control");
    auto fourth = sandbox::OpenSandbox({});
    EXPECT_FALSE(fourth->cluster()->from_template);
    ExpectWorking(*fourth);
    EXPECT_TRUE(fs::exists(entry / "data" / "global" / "pg_control"));
  }
  {
    ScopedEnv off("STAIRWAY_CACHE_DIR", "");
    EXPECT_EQ(sandbox::TemplateCacheRoot(), std::nullopt);
    auto sandbox = sandbox::OpenSandbox({});
    EXPECT_FALSE(sandbox->cluster()->from_template);
  }
}

TEST(Sandbox, CreatesClonesAndDropsDatabases) {
  sandbox::Sandbox& sandbox = testing::TestSandbox();
  auto source = sandbox.CreateDatabase();
  {
    Session session = Session::Connect(source->url());
    session.Exec("CREATE TABLE kept (id int); INSERT INTO kept VALUES (7);");
  }
  auto copy = sandbox.CloneDatabase(*source);
  EXPECT_NE(copy->name(), source->name());
  {
    Session session = Session::Connect(copy->url());
    EXPECT_EQ(One(session, "SELECT id FROM kept"), "7");
  }
  const std::string name = source->name();
  {
    // A session still connected does not stop the drop: it is terminated.
    Session straggler = Session::Connect(source->url());
    source.reset();
    EXPECT_FALSE(DatabaseExists(name));
  }
  EXPECT_TRUE(DatabaseExists(copy->name()));
}

// The last database of a run on the private cluster is left to the cluster's removal (no DROP
// DATABASE); on a server the user named it is still dropped.
TEST(Sandbox, LastDatabaseIsLeftToTheClusterButDroppedOnANamedServer) {
  {
    auto left = testing::TestSandbox().CreateDatabase();
    const std::string name = left->name();
    EXPECT_TRUE(left->LeaveToServerRemoval());
    left.reset();
    EXPECT_TRUE(DatabaseExists(name));
    // The test cluster serves the whole binary: the test removes what it left.
    Session admin = Session::Connect(testing::TestSandbox().AdminUrl());
    admin.Exec("DROP DATABASE " + db::QuoteIdent(name));
  }
  auto server = sandbox::OpenSandbox({.server_url = testing::TestSandbox().AdminUrl()});
  auto temp = server->CreateDatabase();
  const std::string name = temp->name();
  EXPECT_FALSE(temp->LeaveToServerRemoval());
  temp.reset();
  EXPECT_FALSE(DatabaseExists(name));
}

TEST(Sandbox, CloneRefusesASourceInUse) {
  auto source = testing::NewTestDatabase();
  Session busy = Session::Connect(source->url());
  try {
    testing::TestSandbox().CloneDatabase(*source);
    FAIL() << "clone succeeded";
  } catch (const StopError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kDatabase);
    EXPECT_EQ(std::string(error.what()),
              "cannot copy database " + source->name() +
                  " into a throwaway database: source database \"" + source->name() +
                  "\" is being accessed by other users (close the sessions connected to it first)");
  }
}

// --- sessions --------------------------------------------------------------------------------

TEST(Session, RunsScriptsAndParameterizedQueries) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  session.Exec("CREATE TABLE t (id int, note text); INSERT INTO t VALUES (1, 'a'), (2, NULL);");
  const db::QueryResult result =
      session.Query("SELECT id, note FROM t WHERE id >= $1 ORDER BY id", {"1"});
  EXPECT_EQ(result.columns, (std::vector<std::string>{"id", "note"}));
  ASSERT_EQ(result.rows.size(), 2u);
  EXPECT_EQ(result.rows[0], (db::Row{"1", "a"}));
  EXPECT_EQ(result.rows[1], (db::Row{"2", std::nullopt}));
  EXPECT_EQ(One(session, "SELECT $1::text IS NULL", {std::nullopt}), "t");
  EXPECT_EQ(session.Query("UPDATE t SET note = 'b'").affected, 2u);
}

TEST(Session, ReportsSqlstateAndServerMessage) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  try {
    session.Query("SELECT * FROM missing");
    FAIL() << "no error";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "42P01");
    EXPECT_EQ(error.server_message(), "relation \"missing\" does not exist");
    EXPECT_EQ(std::string(error.what()), "relation \"missing\" does not exist");
    EXPECT_EQ(error.kind(), ErrorKind::kDatabase);
  }
  try {
    session.Exec(
        "CREATE TABLE u (id int PRIMARY KEY); INSERT INTO u VALUES (1); "
        "INSERT INTO u VALUES (1);");
    FAIL() << "no error";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "23505");
    EXPECT_EQ(error.server_message(), "duplicate key value violates unique constraint \"u_pkey\"");
    EXPECT_EQ(error.detail(), "Key (id)=(1) already exists.");
  }
  try {
    session.Exec("SELEC 1");
    FAIL() << "no error";
  } catch (const db::DatabaseError& error) {
    EXPECT_EQ(error.sqlstate(), "42601");
    EXPECT_EQ(error.server_message(), "syntax error at or near \"SELEC\"");
  }
  // The session is still usable after errors outside a transaction.
  EXPECT_EQ(One(session, "SELECT 1"), "1");
}

TEST(Session, ExplicitTransactions) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  Session other = Session::Connect(database->url());
  session.Begin();
  EXPECT_TRUE(session.in_transaction());
  session.Exec("CREATE TABLE rolled (id int)");
  session.Rollback();
  EXPECT_FALSE(session.in_transaction());
  EXPECT_EQ(One(other, "SELECT to_regclass('rolled') IS NULL"), "t");

  session.Begin();
  session.Exec("CREATE TABLE committed (id int)");
  EXPECT_EQ(One(other, "SELECT to_regclass('committed') IS NULL"), "t");
  session.Commit();
  EXPECT_FALSE(session.in_transaction());
  EXPECT_EQ(One(other, "SELECT to_regclass('committed') IS NULL"), "f");

  // A failed statement aborts the transaction until Rollback.
  session.Begin();
  EXPECT_THROW(session.Exec("SELECT 1/0"), db::DatabaseError);
  EXPECT_EQ(SqlstateOf([&] { session.Exec("SELECT 1"); }), "25P02");
  session.Rollback();
  EXPECT_EQ(One(session, "SELECT 2"), "2");
}

// Begin() sends BEGIN with the next Exec: a statement the server cannot parse fails that whole
// string, BEGIN included. The session must still act as if the transaction were open and failed.
TEST(Session, AStatementTheServerCannotParseStillFailsTheTransaction) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  session.Begin();
  EXPECT_EQ(SqlstateOf([&] { session.Exec("CREATE TABEL nope (id int)"); }), "42601");
  EXPECT_TRUE(session.in_transaction());
  EXPECT_EQ(SqlstateOf([&] { session.Exec("CREATE TABLE after_the_error (id int)"); }), "25P02");
  EXPECT_EQ(SqlstateOf([&] { session.Query("SELECT 1"); }), "25P02");
  session.Rollback();
  EXPECT_FALSE(session.in_transaction());
  EXPECT_TRUE(session.TakeNotices().empty());  // no "there is no transaction in progress"
  EXPECT_EQ(One(session, "SELECT to_regclass('after_the_error') IS NULL"), "t");

  // A query first: BEGIN goes on its own before it.
  session.Begin();
  const std::string xid = One(session, "SELECT pg_current_xact_id()::text");
  EXPECT_EQ(One(session, "SELECT pg_current_xact_id()::text"), xid);
  session.Rollback();
  EXPECT_TRUE(session.TakeNotices().empty());
}

// The server ending the session during the statement that carries BEGIN: reported as the lost
// connection it is (the session does not ask a dead server whether a transaction is open).
TEST(Session, ServerEndingTheSessionDuringTheFirstStatementIsALostConnection) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  session.SkipExitWait();
  session.Begin();
  try {
    session.Exec("SELECT pg_terminate_backend(pg_backend_pid())");
    FAIL() << "no error";
  } catch (const StopError& error) {
    EXPECT_NE(std::string(error.what()).find("was lost"), std::string::npos) << error.what();
  }
  session.Rollback();                                 // never throws
  EXPECT_THROW(session.Exec("SELECT 1"), StopError);  // never reconnected behind our back
}

TEST(Session, ExecAndCommitTellsAFailedStatementFromAFailedCommit) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  Session other = Session::Connect(database->url());
  session.Exec(
      "CREATE TABLE parent (id int PRIMARY KEY); "
      "CREATE TABLE child (parent_id int REFERENCES parent DEFERRABLE INITIALLY DEFERRED)");

  session.Begin();
  session.Exec("CREATE TABLE kept (id int)");
  session.ExecAndCommit("INSERT INTO parent VALUES (1)");
  EXPECT_FALSE(session.in_transaction());
  EXPECT_EQ(One(other, "SELECT count(*) FROM parent"), "1");
  EXPECT_EQ(One(other, "SELECT to_regclass('kept') IS NOT NULL"), "t");

  // The statement fails: the transaction stays open and failed until Rollback.
  session.Begin();
  session.Exec("CREATE TABLE dropped (id int)");
  EXPECT_EQ(SqlstateOf([&] { session.ExecAndCommit("INSERT INTO parent VALUES (1)"); }), "23505");
  EXPECT_TRUE(session.in_transaction());
  session.Rollback();
  EXPECT_EQ(One(other, "SELECT to_regclass('dropped') IS NULL"), "t");

  // COMMIT fails (a deferred foreign key): the transaction has ended, nothing of it kept.
  session.Begin();
  session.Exec("CREATE TABLE also_dropped (id int)");
  EXPECT_EQ(SqlstateOf([&] { session.ExecAndCommit("INSERT INTO child VALUES (42)"); }), "23503");
  EXPECT_FALSE(session.in_transaction());
  EXPECT_EQ(One(other, "SELECT to_regclass('also_dropped') IS NULL"), "t");
  EXPECT_EQ(One(session, "SELECT count(*) FROM child"), "0");
  EXPECT_TRUE(session.TakeNotices().empty());
}

TEST(Session, ClosingReturnsOnceTheServerProcessHasLeft) {
  // So that a DROP DATABASE right after does not find it and sleep 100 ms before looking again.
  // The backend leaves pg_stat_activity before it leaves the list DROP DATABASE checks, and
  // closes its socket after both.
  auto database = testing::NewTestDatabase();
  Session admin = Session::Connect(testing::TestSandbox().AdminUrl());
  for (int i = 0; i < 5; ++i) {
    int pid = 0;
    {
      Session session = Session::Connect(database->url());
      session.Exec("CREATE TEMP TABLE scratch (id int)");  // more for the backend to clean up
      pid = session.backend_pid();
    }
    EXPECT_FALSE(BackendAlive(admin, pid))
        << "backend " << pid << " outlived its session, round " << i;
  }
}

TEST(Session, ClosingWaitsForTheCompanionTooAndSkipExitWaitStillCloses) {
  auto database = testing::NewTestDatabase();
  Session admin = Session::Connect(testing::TestSandbox().AdminUrl());
  const auto alive = [&](int pid) { return BackendAlive(admin, pid); };
  for (int i = 0; i < 3; ++i) {
    int pid = 0, companion_pid = 0;
    {
      Session session = Session::Connect(database->url());
      Session* companion = session.Companion();
      ASSERT_NE(companion, nullptr);
      // More for the companion's backend to clean up than for the session's: it leaves last.
      companion->Exec(
          "DO $$ BEGIN FOR i IN 1..100 LOOP "
          "EXECUTE format('CREATE TEMP TABLE scratch_%s (id int PRIMARY KEY)', i); END LOOP; END "
          "$$");
      pid = session.backend_pid();
      companion_pid = companion->backend_pid();
      ASSERT_TRUE(alive(companion_pid));
    }
    EXPECT_FALSE(alive(pid)) << "round " << i;
    EXPECT_FALSE(alive(companion_pid)) << "the companion outlived its session, round " << i;
  }
  // Without the wait the backends are told to leave all the same, and do.
  int pid = 0, companion_pid = 0;
  {
    Session session = Session::Connect(database->url());
    session.SkipExitWait();
    pid = session.backend_pid();
    companion_pid = session.Companion()->backend_pid();
  }
  EXPECT_TRUE(Eventually([&] { return !alive(pid) && !alive(companion_pid); }));
}

TEST(Session, CommitOnABrokenConnectionIsInDoubt) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  Session killer = Session::Connect(database->url());
  session.Begin();
  session.Exec("CREATE TABLE maybe (id int)");
  One(killer, "SELECT pg_terminate_backend($1::int)", {std::to_string(session.backend_pid())});
  EXPECT_TRUE(Eventually([&] { return !BackendAlive(killer, session.backend_pid()); }));
  EXPECT_THROW(session.Commit(), db::InDoubtError);
  // Never reconnected behind our back: the session stays broken.
  EXPECT_THROW(session.Exec("SELECT 1"), StopError);
}

TEST(Session, AdvisoryLockHeldByOneSessionIsRefusedToAnother) {
  auto database = testing::NewTestDatabase();
  Session first = Session::Connect(database->url());
  Session second = Session::Connect(database->url());
  EXPECT_TRUE(first.TryAdvisoryLock(4242));
  EXPECT_FALSE(second.TryAdvisoryLock(4242));
  EXPECT_TRUE(second.TryAdvisoryLock(-17));  // another key is free
  first.AdvisoryUnlock(4242);
  EXPECT_TRUE(second.TryAdvisoryLock(4242));
}

TEST(Session, CollectsNoticesInsteadOfPrinting) {
  auto database = testing::NewTestDatabase();
  Session session = Session::Connect(database->url());
  session.Exec("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
  const std::vector<std::string> notices = session.TakeNotices();
  ASSERT_EQ(notices.size(), 1u);
  EXPECT_EQ(notices[0], "NOTICE:  hello 42");
  EXPECT_TRUE(session.TakeNotices().empty());
}

TEST(Session, ConnectFailureNamesTheMaskedUrlAndTheReason) {
  const std::string url = "postgresql://app:secret@/appdb?host=/nonexistent-dir&port=5999";
  try {
    Session::Connect(url);
    FAIL() << "connected";
  } catch (const StopError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kDatabase);
    EXPECT_EQ(std::string(error.what()),
              "cannot connect to postgresql://app:***@/appdb?host=/nonexistent-dir&port=5999: "
              "connection to server on socket \"/nonexistent-dir/.s.PGSQL.5999\" failed: No such "
              "file or directory Is the server running locally and accepting connections on that "
              "socket?");
  }
}

// --- cleanup -----------------------------------------------------------------------------------

// A private cluster opened by a forked child that then waits to be signalled: how a stairway run
// looks from outside.
struct ChildCluster {
  pid_t pid = 0;
  fs::path directory;
  pid_t postmaster = 0;
  pid_t keeper = 0;
};

ChildCluster StartClusterInChild() {
  int report[2];
  EXPECT_EQ(pipe(report), 0);
  const pid_t pid = fork();
  if (pid == 0) {
    close(report[0]);
    std::string text;
    try {
      static std::unique_ptr<sandbox::Sandbox> sandbox = sandbox::OpenSandbox({});
      const ClusterInfo info = *sandbox->cluster();
      text = info.directory.string() + "\n" + std::to_string(info.postmaster_pid) + "\n" +
             std::to_string(info.keeper_pid) + "\n";
    } catch (const std::exception& error) {
      text = std::string("error: ") + error.what() + "\n";
    }
    (void)!write(report[1], text.data(), text.size());
    close(report[1]);
    for (;;) pause();
  }
  close(report[1]);
  std::string text;
  char buffer[512];
  ssize_t n;
  while ((n = read(report[0], buffer, sizeof buffer)) > 0) text.append(buffer, n);
  close(report[0]);
  ChildCluster child;
  child.pid = pid;
  const std::size_t first = text.find('\n');
  const std::size_t second = text.find('\n', first + 1);
  EXPECT_FALSE(text.starts_with("error:")) << text;
  if (first == std::string::npos || second == std::string::npos) return child;
  child.directory = text.substr(0, first);
  child.postmaster = std::stoi(text.substr(first + 1, second - first - 1));
  child.keeper = std::stoi(text.substr(second + 1));
  return child;
}

int WaitExitCode(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(SandboxCleanup, DestructionStopsTheServerAndRemovesTheDirectory) {
  auto sandbox = sandbox::OpenSandbox({});
  const ClusterInfo info = *sandbox->cluster();
  auto database = sandbox->CreateDatabase();
  Session session = Session::Connect(database->url());
  ASSERT_TRUE(fs::exists(info.directory));
  ASSERT_TRUE(Alive(info.postmaster_pid));
  sandbox.reset();
  EXPECT_FALSE(fs::exists(info.directory));
  EXPECT_FALSE(Alive(info.postmaster_pid));
  EXPECT_FALSE(Alive(info.keeper_pid));
  EXPECT_THROW(session.Exec("SELECT 1"), StopError);
  database.reset();  // outliving its sandbox is harmless: nothing left to drop
}

TEST(SandboxCleanup, SigtermRemovesTheClusterBeforeExiting) {
  // A throwaway database on a named server too: the SIGTERM handler that drops it (installed
  // now, in the child as well) hands the signal on to the cluster's.
  auto server = sandbox::OpenSandbox({.server_url = testing::TestSandbox().AdminUrl()});
  auto database = server->CreateDatabase();
  const ChildCluster child = StartClusterInChild();
  ASSERT_TRUE(fs::exists(child.directory));
  ASSERT_TRUE(Alive(child.postmaster));
  kill(child.pid, SIGTERM);
  EXPECT_EQ(WaitExitCode(child.pid), 128 + SIGTERM);
  // Already gone when the process has exited: no waiting.
  EXPECT_FALSE(fs::exists(child.directory));
  EXPECT_FALSE(Alive(child.postmaster));
  EXPECT_FALSE(Alive(child.keeper));
}

TEST(SandboxCleanup, KeeperCleansUpAfterSigkill) {
  const ChildCluster child = StartClusterInChild();
  ASSERT_TRUE(Alive(child.postmaster));
  kill(child.pid, SIGKILL);
  EXPECT_EQ(WaitExitCode(child.pid), 128 + SIGKILL);
  EXPECT_TRUE(Eventually([&] { return !fs::exists(child.directory); }));
  EXPECT_FALSE(Alive(child.postmaster));
}

TEST(SandboxCleanup, NextRunReapsAKilledRunAndSparesAKeptCluster) {
  // A kept cluster: left running with its directory; ConnectHelp says how to reach and remove it.
  auto kept = sandbox::OpenSandbox({.keep = true});
  const ClusterInfo kept_info = *kept->cluster();
  auto kept_database = kept->CreateDatabase();
  const std::string kept_url = kept_database->url();
  const std::string help = kept->ConnectHelp();
  std::printf("%s", help.c_str());
  kept_database.reset();
  kept.reset();
  EXPECT_TRUE(fs::exists(kept_info.directory));
  EXPECT_TRUE(Alive(kept_info.postmaster_pid));
  EXPECT_NE(help.find("kept: stairway will not remove it"), std::string::npos) << help;
  EXPECT_NE(help.find("  database:   psql '" + kept_url + "'\n"), std::string::npos) << help;
  EXPECT_NE(help.find("  remove it:  rm -rf " + kept_info.directory.string() + "\n"),
            std::string::npos)
      << help;
  {
    Session session = Session::Connect(kept_url);  // the kept database is still there
    EXPECT_EQ(One(session, "SELECT 1"), "1");
  }

  // A killed run: stairway and its keeper both SIGKILLed, the server left running.
  const ChildCluster child = StartClusterInChild();
  kill(child.keeper, SIGKILL);
  kill(child.pid, SIGKILL);
  WaitExitCode(child.pid);
  ASSERT_TRUE(Eventually([&] { return !Alive(child.keeper); }));
  ASSERT_TRUE(Alive(child.postmaster));
  ASSERT_TRUE(fs::exists(child.directory));

  auto next = sandbox::OpenSandbox({});
  EXPECT_FALSE(fs::exists(child.directory));
  EXPECT_FALSE(Alive(child.postmaster));
  EXPECT_TRUE(fs::exists(kept_info.directory));
  EXPECT_TRUE(Alive(kept_info.postmaster_pid));

  // Remove the kept cluster the way its help says (without the pg_ctl round trip).
  kill(kept_info.postmaster_pid, SIGQUIT);
  EXPECT_TRUE(Eventually([&] { return !Alive(kept_info.postmaster_pid); }));
  fs::remove_all(kept_info.directory);
}

TEST(SandboxErrors, MissingServerProgramsSayWhatToDo) {
  try {
    sandbox::OpenSandbox({.bindir = fs::path("/nonexistent/bin")});
    FAIL() << "opened";
  } catch (const StopError& error) {
    EXPECT_EQ(error.kind(), ErrorKind::kDatabase);
    EXPECT_EQ(std::string(error.what()), "no initdb and postgres programs in /nonexistent/bin");
  }
}

// --- --server-url mode -------------------------------------------------------------------------

TEST(ServerUrl, CreatesAndDropsOnlyItsOwnDatabases) {
  auto bystander = testing::NewTestDatabase();
  {
    Session session = Session::Connect(bystander->url());
    session.Exec("CREATE TABLE precious (id int); INSERT INTO precious VALUES (1);");
  }
  std::string temp_name;
  {
    auto server = sandbox::OpenSandbox({.server_url = testing::TestSandbox().AdminUrl()});
    EXPECT_FALSE(server->cluster().has_value());
    auto temp = server->CreateDatabase();
    temp_name = temp->name();
    EXPECT_EQ(temp_name.rfind("stairway_tmp_", 0), 0u);
    EXPECT_EQ(temp_name.size(), 13u + 16u);
    EXPECT_TRUE(DatabaseExists(temp_name));
    Session session = Session::Connect(temp->url());
    EXPECT_EQ(One(session, "SELECT current_database()"), temp_name);
    session.Exec("CREATE TABLE scratch (id int)");
    auto copy = server->CloneDatabase(*server->CreateDatabase());
    EXPECT_TRUE(DatabaseExists(copy->name()));
  }
  EXPECT_FALSE(DatabaseExists(temp_name));
  EXPECT_TRUE(DatabaseExists(bystander->name()));
  Session session = Session::Connect(bystander->url());
  EXPECT_EQ(One(session, "SELECT id FROM precious"), "1");
  EXPECT_EQ(One(session, "SELECT count(*) FROM pg_database WHERE datname LIKE 'stairway_tmp_%'"),
            One(session, "SELECT count(*) FROM pg_database WHERE datname LIKE 'stairway_tmp_%'"));
}

TEST(ServerUrl, KeepLeavesTheDatabaseAndKeyValueUrlsWork) {
  const ClusterInfo info = *testing::TestSandbox().cluster();
  const std::string url =
      "host=" + info.directory.string() + " port=5432 user=stairway dbname=postgres";
  std::string name;
  {
    auto server = sandbox::OpenSandbox({.server_url = url, .keep = true});
    auto temp = server->CreateDatabase();
    name = temp->name();
    EXPECT_EQ(temp->url(),
              "host=" + info.directory.string() + " port=5432 user=stairway dbname='" + name + "'");
    EXPECT_NE(server->ConnectHelp().find("DROP DATABASE \"" + name + "\" WITH (FORCE);"),
              std::string::npos);
  }
  EXPECT_TRUE(DatabaseExists(name));
  Session admin = Session::Connect(testing::TestSandbox().AdminUrl());
  admin.Exec("DROP DATABASE " + db::QuoteIdent(name));
}

TEST(ServerUrl, UnreachableServerFailsWithTheMaskedUrl) {
  try {
    sandbox::OpenSandbox(
        {.server_url = "postgresql://app:secret@/appdb?host=/nonexistent-dir&port=5999"});
    FAIL() << "opened";
  } catch (const StopError& error) {
    EXPECT_EQ(
        std::string(error.what())
            .rfind(
                "cannot connect to postgresql://app:***@/appdb?host=/nonexistent-dir&port=5999: ",
                0),
        0u)
        << error.what();
  }
}

// --- tests/support/process.h ---------------------------------------------------------------------

TEST(TestSupport, RunProcessCapturesOutputEnvironmentAndDirectory) {
  const testing::ProcessResult result =
      testing::RunProcess({"sh", "-c", "echo \"$GREETING\"; pwd; echo oops >&2; exit 3"},
                          {{"GREETING", "hello there"}}, "/usr");
  EXPECT_EQ(result.exit_code, 3);
  EXPECT_EQ(result.out, "hello there\n/usr\n");
  EXPECT_EQ(result.err, "oops\n");
  EXPECT_EQ(testing::RunProcess({"/nonexistent/program"}).exit_code, 127);
}

TEST(TestSupport, ChildProcessCanBeSignalled) {
  testing::ChildProcess child =
      testing::ChildProcess::Start({"sh", "-c", "echo started; exec sleep 30"});
  EXPECT_TRUE(child.WaitForOutput("started"));
  EXPECT_FALSE(child.WaitFor(std::chrono::milliseconds(50)).has_value());
  child.Signal(SIGTERM);
  const testing::ProcessResult result = child.Wait();
  EXPECT_EQ(result.exit_code, 128 + SIGTERM);
  EXPECT_EQ(result.out, "started\n");
}

}  // namespace
}  // namespace stairway

// Issue 15 (items 1-4, 8, 12) against real processes and a real PostgreSQL: no shell for git,
// what the throwaway server inherits and runs as, planted links and directories in the temp
// dir, a file name that would inject SQL into --sql, and throwaway databases on a user's server
// after SIGTERM and SIGKILL.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include <fmt/format.h>

#include "runner/db/session.h"
#include "runner/sandbox/cluster.h"
#include "runner/sandbox/database_host.h"
#include "runner/sandbox/keeper.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kPlain =
    "-- migrate:up\nCREATE TABLE plain (id int);\n-- migrate:down\nDROP TABLE plain;\n";

// A pid no process has (for markers and directory names of "dead" runs).
pid_t DeadPid() {
  for (pid_t pid = 4190000; pid > 300000; --pid) {
    if (!sandbox::ProcessAlive(pid)) return pid;
  }
  return 0;
}

void Git(const fs::path& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {
      "git", "-C", dir.string(), "-c", "user.email=t@example.com", "-c", "user.name=t"};
  argv.insert(argv.end(), args.begin(), args.end());
  const ProcessResult r = RunProcess(argv);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
}

TEST(Security, ChangedSinceRevisionIsOnlyEverARevision) {
  TempDir repo("stairway-sec-git");
  repo.Write("migrations/0001_a.sql", kPlain);
  Git(repo.path(), {"init", "-q", "."});
  Git(repo.path(), {"add", "."});
  Git(repo.path(), {"commit", "-qm", "one"});
  const fs::path marker = repo.path() / "X";
  for (const std::string& rev :
       {std::string("HEAD'; touch X; echo '"), std::string("--output=X")}) {
    ProcessResult r =
        RunStairway({"lint", "--changed-since", rev, "migrations"}, {}, repo.path().string());
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_NE(r.err.find("--changed-since " + rev + ": git could not compare with that ref"),
              std::string::npos)
        << Describe(r);
    r = RunStairway({"verify", "--roundtrip", "--changed-since", rev, "migrations", "--server-url",
                     TestSandbox().AdminUrl()},
                    {}, repo.path().string());
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_FALSE(fs::exists(marker)) << "the revision text ran as a command: " << rev;
  }
  // A real revision still works, through the same helper.
  const ProcessResult ok =
      RunStairway({"lint", "--changed-since", "HEAD", "migrations"}, {}, repo.path().string());
  EXPECT_EQ(ok.exit_code, 0) << Describe(ok);
}

TEST(Security, ServerAndItsProgramsSeeNoSecretsFromStairwaysEnvironment) {
  TempDir project("stairway-sec-env");
  // The server (another account when stairway runs as root) writes here.
  ASSERT_EQ(chmod(project.path().c_str(), 0777), 0);
  const fs::path env_file = project.path() / "env.txt";
  project.Write("migrations/0001_env.sql",
                "-- migrate:up\nCOPY (SELECT 1) TO PROGRAM 'env > " + env_file.string() +
                    "';\nCREATE TABLE seen (id int);\n-- migrate:down\nDROP TABLE seen;\n");
  const ProcessResult r =
      RunStairway({"verify", "--roundtrip", (project.path() / "migrations").string()},
                  {{"DATABASE_URL", "postgresql://app:db-url-secret@127.0.0.1:1/app"},
                   {"PGPASSWORD", "pgpassword-secret"},
                   {"MY_API_TOKEN", "api-token-secret"},
                   {"AWS_SECRET_ACCESS_KEY", "aws-secret"}});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  const std::string env = ReadFile(env_file);
  EXPECT_NE(env.find("PATH="), std::string::npos) << env;
  for (const std::string& secret :
       {"db-url-secret", "pgpassword-secret", "api-token-secret", "aws-secret", "DATABASE_URL",
        "PGPASSWORD", "MY_API_TOKEN", "AWS_SECRET_ACCESS_KEY"}) {
    EXPECT_EQ(env.find(secret), std::string::npos) << secret << " reached the server:\n" << env;
  }
}

TEST(Security, AsRootTheServerRunsAsTheSandboxAccount) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: only root hands the server to another account";
  const passwd* account = getpwnam(sandbox::kSandboxAccount);
  ASSERT_NE(account, nullptr) << "the sandbox should have created " << sandbox::kSandboxAccount;
  EXPECT_NE(account->pw_uid, 0u);
  EXPECT_STREQ(account->pw_shell, "/usr/sbin/nologin");
  EXPECT_FALSE(fs::exists(account->pw_dir)) << account->pw_dir;
  const std::optional<sandbox::ClusterInfo> info = TestSandbox().cluster();
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->os_user, sandbox::kSandboxAccount);
  struct stat process {};
  ASSERT_EQ(stat(("/proc/" + std::to_string(info->postmaster_pid)).c_str(), &process), 0);
  EXPECT_EQ(process.st_uid, account->pw_uid);
  // What a migration's COPY ... PROGRAM runs as.
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  session.Exec("CREATE TEMP TABLE who (name text)");
  session.Exec("COPY who FROM PROGRAM 'id -un'");
  const db::QueryResult who = session.Query("SELECT name FROM who");
  ASSERT_EQ(who.rows.size(), 1u);
  EXPECT_EQ(who.rows[0][0].value_or(""), sandbox::kSandboxAccount);
}

TEST(Security, PlantedDirectoriesAndLinksInTheTempDirAreNeverFollowedOrRemoved) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root: the plant is made by another account (nobody)";
  const passwd* nobody = getpwnam("nobody");
  ASSERT_NE(nobody, nullptr);
  const pid_t dead = DeadPid();
  ASSERT_NE(dead, 0);
  TempDir victims("stairway-sec-victim");
  const fs::path victim = victims.path() / "victim.txt";
  std::ofstream(victim) << "precious\n";
  victims.Write("dir/keep.txt", "precious\n");
  TempDir base("stairway-sec-base");
  ASSERT_EQ(chmod(base.path().c_str(), 0755), 0);
  // 1. nobody's directory named like a stale stairway dir, with links to root's victim.
  const fs::path planted = base.path() / ("stairway-" + std::to_string(dead) + "-abcdef");
  ASSERT_EQ(mkdir(planted.c_str(), 0700), 0);
  fs::create_symlink(victim, planted / "stairway-owner");
  fs::create_symlink(victims.path() / "dir", planted / "data");
  ASSERT_EQ(lchown((planted / "stairway-owner").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  ASSERT_EQ(lchown((planted / "data").c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  ASSERT_EQ(chown(planted.c_str(), nobody->pw_uid, nobody->pw_gid), 0);
  // 2. A link named like a stale dir, to a directory of root's.
  const fs::path link = base.path() / ("stairway-" + std::to_string(dead) + "-ghijkl");
  fs::create_symlink(victims.path() / "dir", link);
  // 3. Root's own directory, but with a link where the owner file goes (not our layout).
  const fs::path odd = base.path() / ("stairway-" + std::to_string(dead) + "-mnopqr");
  ASSERT_EQ(mkdir(odd.c_str(), 0700), 0);
  fs::create_symlink(victim, odd / "stairway-owner");
  // 4. A genuine stale dir of ours: removed (the reaper works; it is just careful).
  const fs::path stale = base.path() / ("stairway-" + std::to_string(dead) + "-stuvwx");
  ASSERT_EQ(mkdir(stale.c_str(), 0700), 0);
  std::ofstream(stale / "stairway-owner") << "owner " << dead << " 0\n";

  EXPECT_EQ(sandbox::ReapStaleClusters(base.path()), 1);
  // And a whole sandbox start in that base directory, as stairway does it.
  TempDir project("stairway-sec-start");
  project.Write("migrations/0001_plain.sql", kPlain);
  const ProcessResult r =
      RunStairway({"verify", "--roundtrip", (project.path() / "migrations").string()},
                  {{"TMPDIR", base.path().string()}});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);

  EXPECT_EQ(ReadFile(victim), "precious\n");
  EXPECT_EQ(ReadFile(victims.path() / "dir/keep.txt"), "precious\n");
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(planted)));
  EXPECT_TRUE(fs::is_symlink(planted / "stairway-owner"));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_TRUE(fs::is_directory(fs::symlink_status(odd)));
  EXPECT_FALSE(fs::exists(fs::symlink_status(stale)));
  fs::remove_all(planted);
  fs::remove_all(odd);
}

TEST(Security, NewlineInAFileNameCannotInjectIntoTheSqlScript) {
  TempDir project("stairway-sec-name");
  project.Write("migrations/0001_a.sql", kPlain);
  project.Write("migrations/0002_b\nDROP TABLE users;\n--.sql", kPlain);
  const ProcessResult r =
      StairwayOffline({"upgrade", "head", "--sql", "-d", (project.path() / "migrations").string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.out.find("DROP TABLE users"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("0002_b\\x0aDROP TABLE users;\\x0a--.sql"), std::string::npos) << r.err;
}

// The stairway_tmp_ databases on the test server whose marker names `pid`.
std::vector<std::string> DatabasesOf(db::Session& admin, pid_t pid) {
  const db::QueryResult result = admin.Query(
      "SELECT datname FROM pg_database WHERE datname LIKE 'stairway\\_tmp\\_%' AND "
      "shobj_description(oid, 'pg_database') LIKE $1",
      {"stairway throwaway: pid " + std::to_string(pid) + " %"});
  std::vector<std::string> names;
  for (const db::Row& row : result.rows) names.push_back(row[0].value_or(""));
  return names;
}

TEST(Security, SigtermDuringVerifyOnAUsersServerDropsItsDatabases) {
  TempDir project("stairway-sec-sigterm");
  project.Write("migrations/0001_slow.sql",
                "-- migrate:up\nSELECT pg_sleep(60);\n-- migrate:down\nSELECT 1;\n");
  db::Session admin = db::Session::Connect(TestSandbox().AdminUrl());
  ChildProcess child = ChildProcess::StartStairway({"verify", "--roundtrip",
                                                    (project.path() / "migrations").string(),
                                                    "--server-url", TestSandbox().AdminUrl()});
  std::vector<std::string> created;
  for (int i = 0; i < 300 && created.empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    created = DatabasesOf(admin, child.pid());
  }
  ASSERT_FALSE(created.empty()) << "no marked database appeared\n" << child.ErrSoFar();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // into pg_sleep
  child.Signal(SIGTERM);
  const ProcessResult r = child.Wait();
  EXPECT_EQ(r.exit_code, 128 + SIGTERM) << Describe(r);
  EXPECT_EQ(DatabasesOf(admin, child.pid()), std::vector<std::string>{}) << Describe(r);
}

TEST(Security, ALaterRunDropsDatabasesOfDeadRunsKnownByTheirMarkerOnly) {
  const pid_t dead = DeadPid();
  ASSERT_NE(dead, 0);
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  db::Session admin = db::Session::Connect(TestSandbox().AdminUrl());
  const std::string dead_db = "stairway_tmp_dead" + std::to_string(dead);
  const std::string live_db = "stairway_tmp_live" + std::to_string(getpid());
  const std::string bare_db = "stairway_tmp_bare" + std::to_string(getpid());
  const std::string old_db = "stairway_tmp_old" + std::to_string(getpid());
  for (const std::string& name : {dead_db, live_db, bare_db, old_db}) {
    admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name));
    admin.Exec("CREATE DATABASE " + db::QuoteIdent(name));
  }
  const long long now = static_cast<long long>(std::time(nullptr));
  auto mark = [&](const std::string& name, const std::string& comment) {
    admin.Exec("COMMENT ON DATABASE " + db::QuoteIdent(name) + " IS " + db::QuoteLiteral(comment));
  };
  mark(dead_db,
       fmt::format("stairway throwaway: pid {} start 0 host {} started {}", dead, host, now));
  mark(live_db, sandbox::MarkerComment());  // this test process: alive
  mark(old_db, fmt::format("stairway throwaway: pid 1 start 0 host elsewhere started {}",
                           now - 3 * 24 * 3600));
  TempDir project("stairway-sec-reap");
  project.Write("migrations/0001_plain.sql", kPlain);
  const ProcessResult r =
      RunStairway({"verify", "--roundtrip", (project.path() / "migrations").string(),
                   "--server-url", TestSandbox().AdminUrl()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  auto exists = [&](const std::string& name) {
    return !admin.Query("SELECT 1 FROM pg_database WHERE datname = $1", {name}).rows.empty();
  };
  EXPECT_FALSE(exists(dead_db));
  EXPECT_FALSE(exists(old_db));
  EXPECT_TRUE(exists(live_db));
  EXPECT_TRUE(exists(bare_db)) << "a name alone is no proof a database is stairway's";
  for (const std::string& name : {dead_db, live_db, bare_db, old_db}) {
    admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name));
  }
}

TEST(Security, KeepAfterAFailedInitdbSaysWhereTheFilesAre) {
  // A bindir whose initdb fails at once.
  TempDir bin("stairway-sec-bin");
  bin.Write("initdb", "#!/bin/sh\necho 'initdb: broken on purpose' >&2\nexit 1\n");
  bin.Write("postgres", "#!/bin/sh\nexit 1\n");
  fs::permissions(bin.path() / "initdb",
                  fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
  fs::permissions(bin.path() / "postgres",
                  fs::perms::owner_all | fs::perms::others_exec | fs::perms::others_read);
  ASSERT_EQ(chmod(bin.path().c_str(), 0755), 0);
  TempDir cache("stairway-sec-cache");
  setenv("STAIRWAY_CACHE_DIR", "", 1);  // no template: initdb must run
  try {
    auto box = sandbox::OpenSandbox({.keep = true, .bindir = bin.path()});
    FAIL() << "initdb was meant to fail";
  } catch (const StopError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("initdb failed"), std::string::npos) << message;
    const std::size_t at = message.find("--keep: the files are kept in ");
    ASSERT_NE(at, std::string::npos) << message;
    const std::string rest = message.substr(at + 30);
    const fs::path dir = rest.substr(0, rest.find(';'));
    // The keeper leaves it in place for --keep; it is where the message says.
    EXPECT_TRUE(fs::exists(dir / "postgres.log")) << dir;
    fs::remove_all(dir);
  }
  unsetenv("STAIRWAY_CACHE_DIR");
}

}  // namespace
}  // namespace stairway::testing

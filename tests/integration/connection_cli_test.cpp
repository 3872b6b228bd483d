// Connection URLs as Alembic/FastAPI projects write them, run through the real binary: SQLAlchemy
// forms connect, passwords never reach the output, a server that never answers times out, and a
// project's .env is read.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "cli/command.h"
#include "cli/runner_support.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSet = "fixtures/formats/stairway";

class ConnectionCli : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_CONNECT_TIMEOUT");
    unsetenv("PGCONNECT_TIMEOUT");
    database_ = NewTestDatabase();
  }
  // The test database's socket URL (postgresql:///db?host=/dir&port=N&user=U) in the form an
  // asyncpg project writes it, with driver options libpq would refuse.
  std::string AsyncpgUrl() const {
    const std::string& url = database_->url();
    EXPECT_TRUE(url.starts_with("postgresql://")) << url;
    return "postgresql+asyncpg://" + url.substr(13) +
           "&prepared_statement_cache_size=0&async_fallback=true";
  }
  std::size_t HistoryRows() {
    db::Session session = db::Session::Connect(database_->url());
    return ReadHistory(session).size();
  }

  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
};

// A TCP listener on 127.0.0.1 that accepts connections (the kernel completes them) and never
// says a word: a server stuck, or a port forwarded to nothing.
class SilentListener {
 public:
  SilentListener() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        listen(fd_, 16) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    socklen_t length = sizeof address;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST_F(ConnectionCli, SqlalchemyUrlWithEncodedPasswordIsMaskedAndNeverPrinted) {
  const ProcessResult r = StairwayOffline(
      {"status", "-d", kSet, "--database-url", "postgresql+asyncpg://u:s3cr%40t@127.0.0.1:1/db"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("cannot connect to postgresql://u:***@127.0.0.1:1/db"), std::string::npos)
      << r.err;
  EXPECT_EQ(r.out.find("s3cr"), std::string::npos) << r.out;
  EXPECT_EQ(r.err.find("s3cr"), std::string::npos) << r.err;
}

TEST_F(ConnectionCli, AsyncpgUrlToARealServerConnects) {
  ProcessResult r = StairwayOffline({"upgrade", "+1", "-d", kSet, "--database-url", AsyncpgUrl()});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(HistoryRows(), 1u);
  // From DATABASE_URL, with asyncpg's ssl= spelling (a socket connection does not use TLS).
  r = StairwayOffline({"current", "-d", kSet}, {{"DATABASE_URL", AsyncpgUrl() + "&ssl=disable"}});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "0001_create_users\n") << Describe(r);
}

TEST_F(ConnectionCli, OtherDatabasesAndThePlaceholderAreInputErrors) {
  struct Case {
    std::string url;
    std::string says;
  };
  for (const Case& c : {
           Case{"mysql://root:hunter22@db/app", "is not a PostgreSQL URL (scheme \"mysql\")"},
           Case{"sqlite:///app.db", "is not a PostgreSQL URL (scheme \"sqlite\")"},
           Case{"driver://user:pass@localhost/dbname", "placeholder of Alembic's alembic.ini"},
       }) {
    const ProcessResult r = StairwayOffline({"status", "-d", kSet}, {{"DATABASE_URL", c.url}});
    EXPECT_EQ(r.exit_code, 2) << Describe(r);
    EXPECT_TRUE(r.err.starts_with("error: DATABASE_URL in the environment: ")) << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("expected postgresql://"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("hunter22"), std::string::npos) << r.err;
  }
}

TEST_F(ConnectionCli, LibpqEchoesNoPassword) {
  // A password typed where the port goes: libpq's "invalid integer value ... for connection
  // option "port"" would print it; so would the URL, masked or not.
  ProcessResult r = StairwayOffline(
      {"status", "-d", kSet, "--database-url", "postgresql://u:hunter2x@127.0.0.1:hunter2x/db"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("port"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("hunter2x"), std::string::npos) << r.err;
  // An unquoted password with a space in a key=value string: refused before libpq sees it
  // (libpq would echo the second word).
  r = StairwayOffline(
      {"status", "-d", kSet, "--database-url", "host=127.0.0.1 port=1 password=open sesame99"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("a value with spaces must be in single quotes"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("sesame99"), std::string::npos) << r.err;
}

TEST_F(ConnectionCli, AServerThatNeverAnswersTimesOut) {
  SilentListener listener;
  const std::string url = "postgresql://u:pw@127.0.0.1:" + std::to_string(listener.port()) + "/db";
  const std::string says = "no answer from 127.0.0.1:" + std::to_string(listener.port()) +
                           " within 2 s; check that the host and port";
  // libpq waits at least 2 s, so a limit of 1 s is 2 s.
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = StairwayOffline({"status", "-d", kSet, "--database-url", url},
                                    {{"STAIRWAY_CONNECT_TIMEOUT", "1"}});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_LT(took, std::chrono::seconds(6));

  // The global flag, after the subcommand, beats the environment.
  start = std::chrono::steady_clock::now();
  r = StairwayOffline({"current", "-d", kSet, "--connect-timeout", "2", "--database-url", url},
                      {{"STAIRWAY_CONNECT_TIMEOUT", "600"}});
  took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find(says), std::string::npos) << r.err;
  EXPECT_LT(took, std::chrono::seconds(6));

  r = StairwayOffline({"--connect-timeout", "soon", "status", "-d", kSet, "--database-url", url});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("bad --connect-timeout \"soon\""), std::string::npos) << r.err;
}

TEST_F(ConnectionCli, OverflowingDurationsAreInputErrors) {
  for (const std::string flag : {"--lock-wait", "--lock-timeout", "--statement-timeout"}) {
    const ProcessResult r = StairwayOffline({"upgrade", "-d", kSet, flag, "99999999999999h",
                                             "--database-url", "postgresql://127.0.0.1:1/db"});
    EXPECT_EQ(r.exit_code, 2) << flag << Describe(r);
    EXPECT_NE(r.err.find("bad " + flag + " \"99999999999999h\": too long"), std::string::npos)
        << r.err;
  }
}

// The project directory's .env (where alembic.ini is) is read when neither the environment nor
// ./.env has a URL; commands pass the directory through cli::UrlLookup.
TEST_F(ConnectionCli, DotEnvInTheProjectDirectoryIsUsed) {
  const fs::path root = fs::temp_directory_path() / ("stairway-urls-" + std::to_string(getpid()));
  const fs::path cwd = root / "elsewhere";
  const fs::path project = root / "backend";
  fs::create_directories(cwd);
  fs::create_directories(project);
  std::ofstream(project / ".env") << "\xEF\xBB\xBF# backend settings\r\nexport DATABASE_URL='"
                                  << AsyncpgUrl() << "'  # local\r\n";
  const fs::path before = fs::current_path();
  fs::current_path(cwd);
  cli::GlobalOptions global;
  cli::UrlLookup lookup;
  lookup.project_dir = project;
  lookup.ini_url = "driver://user:pass@localhost/dbname";  // the template: not set
  std::string url;
  try {
    url = cli::ResolveDatabaseUrl(global, lookup);
  } catch (const StopError& error) {
    ADD_FAILURE() << error.what();
  }
  // ./.env beats the project's.
  std::ofstream(cwd / ".env") << "DATABASE_URL=mysql://x@y/z\n";
  try {
    cli::ResolveDatabaseUrl(global, lookup);
    ADD_FAILURE() << "./.env was not read first";
  } catch (const StopError& error) {
    EXPECT_TRUE(std::string(error.what()).starts_with("DATABASE_URL in ./.env: ")) << error.what();
  }
  fs::remove(cwd / ".env");
  // ${VAR} is not expanded: said so.
  std::ofstream(project / ".env") << "DATABASE_URL=postgresql://${DB_USER}@db/app\n";
  try {
    cli::ResolveDatabaseUrl(global, lookup);
    ADD_FAILURE() << "${...} was accepted";
  } catch (const StopError& error) {
    EXPECT_NE(std::string(error.what()).find("does not expand ${...} variables"), std::string::npos)
        << error.what();
  }
  // Nothing anywhere: every place is named.
  fs::remove(project / ".env");
  try {
    cli::ResolveDatabaseUrl(global, lookup);
    ADD_FAILURE() << "no URL was found, yet no error";
  } catch (const StopError& error) {
    EXPECT_NE(std::string(error.what())
                  .find("(looked at --database-url, $DATABASE_URL, DATABASE_URL in ./.env, "
                        "DATABASE_URL in " +
                        project.string() + "/.env, sqlalchemy.url in alembic.ini)"),
              std::string::npos)
        << error.what();
  }
  // The ini's URL, last.
  lookup.ini_url = AsyncpgUrl();
  EXPECT_EQ(cli::ResolveDatabaseUrl(global, lookup), url);
  fs::current_path(before);
  fs::remove_all(root);

  ASSERT_TRUE(url.starts_with("postgresql:///")) << url;
  EXPECT_EQ(url.find("prepared_statement_cache_size"), std::string::npos) << url;
  db::Session session = db::Session::Connect(url);
  db::Session reference = db::Session::Connect(database_->url());
  EXPECT_EQ(session.Query("SELECT current_database()").rows.at(0).at(0),
            reference.Query("SELECT current_database()").rows.at(0).at(0));
  const ProcessResult r = StairwayOffline({"upgrade", "+1", "-d", kSet, "--database-url", url});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(HistoryRows(), 1u);
}

TEST_F(ConnectionCli, ADotEnvThatIsNotARegularFileIsNotRead) {
  const fs::path cwd = fs::temp_directory_path() / ("stairway-fifo-" + std::to_string(getpid()));
  fs::create_directories(cwd);
  ASSERT_EQ(mkfifo((cwd / ".env").c_str(), 0600), 0);
  const ProcessResult r = RunStairway({"status", "-d", (SourceDir() / kSet).string()}, {},
                                      cwd.string(), std::chrono::seconds(20));
  fs::remove_all(cwd);
  EXPECT_EQ(r.exit_code, 2) << Describe(r);  // not 137: it did not block on the FIFO
  EXPECT_NE(r.err.find("no database to connect to"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace stairway::testing

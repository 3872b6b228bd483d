// Output that cannot be written, run on the real binary: stdout on /dev/full, a pipe closed by
// its reader (before the run and in the middle of it), fd 1 closed at start; and --report / -o
// pairs in command-line order.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

// How the child's stdout is set up.
struct Stdout {
  enum class Kind { kFd, kClosed } kind = Kind::kFd;
  int fd = -1;
};

// Starts the stairway binary in the source directory with stdout as given and stderr into a
// temp file; returns the pid. `err_fd` receives the stderr file (read it after waiting).
pid_t Spawn(const std::vector<std::string>& args, Stdout out, int err_fd) {
  std::vector<std::string> argv_strings = {StairwayBinary()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string dir = SourceDir().string();
  const pid_t pid = fork();
  if (pid == 0) {
    if (chdir(dir.c_str()) != 0) _exit(127);
    dup2(err_fd, 2);
    const int null_in = open("/dev/null", O_RDONLY);
    dup2(null_in, 0);
    for (int fd = 3; fd < 256; ++fd) {
      if (fd != out.fd) close(fd);
    }
    // Last, so that nothing above reuses a closed fd 1.
    if (out.kind == Stdout::Kind::kClosed) {
      close(1);
    } else {
      dup2(out.fd, 1);
      if (out.fd > 2) close(out.fd);
    }
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

int WaitExit(pid_t pid) {
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string ReadFd(int fd) {
  std::string out;
  lseek(fd, 0, SEEK_SET);
  char buffer[4096];
  ssize_t got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0)
    out.append(buffer, static_cast<std::size_t>(got));
  return out;
}

struct Result {
  int exit_code = -1;
  std::string err;
};

// Runs stairway with stdout as given and waits.
Result RunWithStdout(const std::vector<std::string>& args, Stdout out) {
  FILE* err_file = std::tmpfile();
  const pid_t pid = Spawn(args, out, fileno(err_file));
  Result r;
  r.exit_code = WaitExit(pid);
  r.err = ReadFd(fileno(err_file));
  std::fclose(err_file);
  return r;
}

Result RunToDevFull(const std::vector<std::string>& args) {
  const int full = open("/dev/full", O_WRONLY);
  EXPECT_GE(full, 0);
  Result r = RunWithStdout(args, {Stdout::Kind::kFd, full});
  close(full);
  return r;
}

// A directory of `count` stairway-format revisions, each creating a table (and, with `sleep`,
// taking that long), removed when the object dies.
class GeneratedSet {
 public:
  GeneratedSet(const std::string& tag, int count, const std::string& padding = "",
               const std::string& sleep = "")
      : path_(fs::temp_directory_path() /
              ("stairway-output-" + tag + "-" + std::to_string(getpid()))) {
    fs::remove_all(path_);
    fs::create_directories(path_);
    for (int i = 1; i <= count; ++i) {
      char name[64];
      std::snprintf(name, sizeof name, "%04d_t%d.sql", i, i);
      std::ofstream f(path_ / name);
      f << "-- migrate:up\n" << padding << "CREATE TABLE t" << i << " (id int);\n";
      if (!sleep.empty()) f << "SELECT pg_sleep(" << sleep << ");\n";
      f << "-- migrate:down\nDROP TABLE t" << i << ";\n";
    }
  }
  ~GeneratedSet() { fs::remove_all(path_); }
  std::string str() const { return path_.string(); }

 private:
  fs::path path_;
};

std::vector<std::string> States(db::Session& session) {
  std::vector<std::string> out;
  for (const HistoryEntry& e : ReadHistory(session)) out.push_back(e.version + ":" + e.state);
  return out;
}

TEST(OutputToDevFull, SqlScriptExitsTwoWithAMessage) {
  // Small: the script fits in stdio's buffer, so only the final flush fails.
  Result small = RunToDevFull({"upgrade", "--sql", "-d", "fixtures/formats/stairway"});
  EXPECT_EQ(small.exit_code, 2) << small.err;
  EXPECT_EQ(small.err,
            "error: cannot write to standard output: No space left on device; the output is "
            "incomplete\n");
  // Large: the write itself fails while the script is printed.
  GeneratedSet big("big", 200, std::string(2000, '-') + "\n");
  Result large = RunToDevFull({"upgrade", "--sql", "-d", big.str()});
  EXPECT_EQ(large.exit_code, 2) << large.err;
  EXPECT_EQ(large.err,
            "error: cannot write to standard output: No space left on device; the output is "
            "incomplete\n");
}

TEST(OutputToDevFull, ReportFileAndStdoutReportExitTwo) {
  Result file = RunWithStdout(
      {"lint", "migrations", "--fail-level", "none", "--report", "json", "-o", "/dev/full"},
      {Stdout::Kind::kFd, open("/dev/null", O_WRONLY)});
  EXPECT_EQ(file.exit_code, 2) << file.err;
  EXPECT_EQ(file.err, "error: /dev/full: cannot write the report: No space left on device\n");
  Result out = RunToDevFull({"lint", "migrations", "--fail-level", "none", "--report", "json"});
  EXPECT_EQ(out.exit_code, 2) << out.err;
  EXPECT_NE(out.err.find("cannot write to standard output: No space left on device"),
            std::string::npos)
      << out.err;
}

TEST(OutputToClosedPipe, LiveUpgradeFinishesTheRevisionAndStopsBeforeTheNext) {
  GeneratedSet set("closed", 3);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  close(fds[0]);  // nobody will ever read
  Result r = RunWithStdout({"upgrade", "-d", set.str(), "--database-url", database->url()},
                           {Stdout::Kind::kFd, fds[1]});
  close(fds[1]);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err,
            "error: cannot write to standard output: Broken pipe. Stopped after 1 of 3 "
            "revisions: 0001_t1 was the last one applied (complete, and recorded in "
            "public.stairway_history); 0002_t2 and the rest did not run. Run the same command "
            "again to go on\n");
  EXPECT_EQ(States(session), std::vector<std::string>{"0001:applied"});
  // The next run (output readable again) goes on from there.
  ProcessResult again = Stairway({"upgrade", "-d", set.str()}, database->url());
  EXPECT_EQ(again.exit_code, 0) << Describe(again);
  EXPECT_EQ(States(session),
            (std::vector<std::string>{"0001:applied", "0002:applied", "0003:applied"}));
}

TEST(OutputToClosedPipe, ReaderLeavingMidRunLeavesNoHalfDoneRevision) {
  // `stairway upgrade | head -1`: the reader takes the first line and goes.
  GeneratedSet set("head", 4, "", "0.3");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  FILE* err_file = std::tmpfile();
  const pid_t pid = Spawn({"upgrade", "-d", set.str(), "--database-url", database->url()},
                          {Stdout::Kind::kFd, fds[1]}, fileno(err_file));
  close(fds[1]);
  std::string line;
  char c;
  while (read(fds[0], &c, 1) == 1 && c != '\n') line += c;
  close(fds[0]);
  const int exit_code = WaitExit(pid);
  const std::string err = ReadFd(fileno(err_file));
  std::fclose(err_file);
  EXPECT_EQ(line.rfind("Upgrading ", 0), 0u) << line;
  EXPECT_EQ(exit_code, 3) << err;
  EXPECT_NE(err.find("error: cannot write to standard output: Broken pipe. Stopped after "),
            std::string::npos)
      << err;
  // Every revision that ran is complete and recorded; none is left running.
  const std::vector<std::string> states = States(session);
  EXPECT_LT(states.size(), 4u);
  for (const std::string& s : states) EXPECT_TRUE(s.ends_with(":applied")) << s;
  const std::string said = "Stopped after " + std::to_string(states.size()) + " of 4 revisions";
  EXPECT_NE(err.find(said), std::string::npos) << err;
}

TEST(ClosedStdout, NothingIsWrittenIntoTheDatabaseSocket) {
  GeneratedSet set("fd1", 3);
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  Result r = RunWithStdout({"upgrade", "-d", set.str(), "--database-url", database->url()},
                           {Stdout::Kind::kClosed, -1});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(States(session),
            (std::vector<std::string>{"0001:applied", "0002:applied", "0003:applied"}));
  Result status = RunWithStdout({"status", "-d", set.str(), "--database-url", database->url()},
                                {Stdout::Kind::kClosed, -1});
  EXPECT_EQ(status.exit_code, 0) << status.err;
}

// ---- --report / -o pairing ----

class ReportPairing : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("stairway-reports-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string File(const std::string& name) const { return (dir_ / name).string(); }
  fs::path dir_;
};

TEST_F(ReportPairing, EachOutputGoesWithTheReportBeforeIt) {
  ProcessResult r =
      StairwayOffline({"lint", "migrations", "--fail-level", "none", "--report", "text", "--report",
                       "json", "-o", File("a.json"), "--report", "junit", "-o", File("b.xml")});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(ReadFile(File("a.json")).starts_with("{")) << ReadFile(File("a.json"));
  EXPECT_TRUE(ReadFile(File("b.xml")).starts_with("<?xml")) << ReadFile(File("b.xml"));
  // The text report, which has no -o, is the one on stdout.
  EXPECT_FALSE(r.out.starts_with("{")) << r.out;
  EXPECT_EQ(r.out.find("<?xml"), std::string::npos) << r.out;
}

TEST_F(ReportPairing, OutputBeforeAnyReportIsRefused) {
  ProcessResult r =
      StairwayOffline({"lint", "migrations", "-o", File("a.json"), "--report", "json"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err, "error: -o " + File("a.json") +
                       " comes before any --report: write it after the --report it is for "
                       "(--report json -o " +
                       File("a.json") + ")\n");
  EXPECT_FALSE(fs::exists(File("a.json")));
}

TEST_F(ReportPairing, TwoOutputsForOneReportAreRefusedAndALoneOutputTakesTheTextReport) {
  ProcessResult two = StairwayOffline(
      {"lint", "migrations", "--report", "json", "-o", File("a.json"), "-o", File("b.json")});
  EXPECT_EQ(two.exit_code, 2) << Describe(two);
  EXPECT_NE(two.err.find("two -o files"), std::string::npos) << two.err;
  ProcessResult lone =
      StairwayOffline({"lint", "migrations", "--fail-level", "none", "-o", File("out.txt")});
  EXPECT_EQ(lone.exit_code, 0) << Describe(lone);
  EXPECT_EQ(lone.out, "");
  EXPECT_FALSE(ReadFile(File("out.txt")).empty());
}

}  // namespace
}  // namespace stairway::testing

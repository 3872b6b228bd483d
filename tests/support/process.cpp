// fork/execvp with output captured in memfd files (see process.h).
#include "tests/support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>
#include <utility>

#include "tests/support/paths.h"

extern char** environ;

namespace stairway::testing {
namespace {

std::string ReadAll(int fd) {
  std::string text;
  if (fd < 0) return text;
  char buffer[65536];
  off_t offset = 0;
  for (;;) {
    const ssize_t n = pread(fd, buffer, sizeof buffer, offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
    offset += n;
  }
  return text;
}

int ExitCodeOf(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  if (WIFSIGNALED(wait_status)) return 128 + WTERMSIG(wait_status);
  return -1;
}

// Builds everything the child needs before fork, so the child only calls async-signal-safe
// functions (the test process may have threads).
struct Spawn {
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;
};

}  // namespace

ChildProcess ChildProcess::Start(const std::vector<std::string>& argv, const Env& extra_env,
                                 const std::string& cwd) {
  if (argv.empty()) throw std::invalid_argument("ChildProcess::Start: empty argv");
  Spawn spawn;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const std::string key = entry.substr(0, entry.find('='));
    if (!extra_env.contains(key)) spawn.env_storage.push_back(entry);
  }
  for (const auto& [key, value] : extra_env) spawn.env_storage.push_back(key + "=" + value);
  for (auto& entry : spawn.env_storage) spawn.envp.push_back(entry.data());
  spawn.envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  for (auto& arg : args) spawn.argv.push_back(arg.data());
  spawn.argv.push_back(nullptr);

  const int out_fd = memfd_create("stairway-test-out", MFD_CLOEXEC);
  const int err_fd = memfd_create("stairway-test-err", MFD_CLOEXEC);
  if (out_fd < 0 || err_fd < 0) throw std::runtime_error("memfd_create failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error(std::string("fork failed: ") + std::strerror(errno));
  if (pid == 0) {
    const int null_fd = open("/dev/null", O_RDONLY);
    if (null_fd >= 0) dup2(null_fd, STDIN_FILENO);
    dup2(out_fd, STDOUT_FILENO);
    dup2(err_fd, STDERR_FILENO);
    // Signals blocked or ignored by the test runner must not leak into the program under test.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      const char* reason = strerror(errno);
      (void)!write(STDERR_FILENO, "chdir failed: ", 14);
      (void)!write(STDERR_FILENO, reason, strlen(reason));
      _exit(127);
    }
    environ = spawn.envp.data();
    execvp(spawn.argv[0], spawn.argv.data());
    const char* reason = strerror(errno);
    (void)!write(STDERR_FILENO, "exec failed: ", 13);
    (void)!write(STDERR_FILENO, reason, strlen(reason));
    _exit(127);
  }
  return ChildProcess(pid, out_fd, err_fd);
}

ChildProcess ChildProcess::StartStairway(const std::vector<std::string>& args, const Env& extra_env,
                                         const std::string& cwd) {
  std::vector<std::string> argv{StairwayBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return Start(argv, extra_env, cwd);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      out_fd_(std::exchange(other.out_fd_, -1)),
      err_fd_(std::exchange(other.err_fd_, -1)),
      result_(std::move(other.result_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    Close();
    pid_ = std::exchange(other.pid_, -1);
    out_fd_ = std::exchange(other.out_fd_, -1);
    err_fd_ = std::exchange(other.err_fd_, -1);
    result_ = std::move(other.result_);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  Close();
}

void ChildProcess::Close() {
  if (pid_ > 0 && !result_) {
    kill(pid_, SIGKILL);
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
  pid_ = out_fd_ = err_fd_ = -1;
}

void ChildProcess::Signal(int signo) {
  if (pid_ > 0 && !result_) kill(pid_, signo);
}

ProcessResult ChildProcess::Collect(int wait_status) {
  ProcessResult result;
  result.exit_code = ExitCodeOf(wait_status);
  result.out = ReadAll(out_fd_);
  result.err = ReadAll(err_fd_);
  result_ = result;
  return result;
}

ProcessResult ChildProcess::Wait() {
  if (result_) return *result_;
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) throw std::runtime_error("waitpid failed");
  }
  return Collect(status);
}

std::optional<ProcessResult> ChildProcess::WaitFor(std::chrono::milliseconds timeout) {
  if (result_) return result_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int status = 0;
    const pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) return Collect(status);
    if (done < 0 && errno != EINTR) throw std::runtime_error("waitpid failed");
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

std::string ChildProcess::OutSoFar() const {
  return ReadAll(out_fd_);
}
std::string ChildProcess::ErrSoFar() const {
  return ReadAll(err_fd_);
}

bool ChildProcess::WaitForOutput(const std::string& text, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (OutSoFar().find(text) != std::string::npos) return true;
    if (ErrSoFar().find(text) != std::string::npos) return true;
    if (result_ || std::chrono::steady_clock::now() >= deadline) return false;
    if (WaitFor(std::chrono::milliseconds(10))) {
      return OutSoFar().find(text) != std::string::npos ||
             ErrSoFar().find(text) != std::string::npos;
    }
  }
}

ProcessResult RunProcess(const std::vector<std::string>& argv, const Env& extra_env,
                         const std::string& cwd, std::chrono::seconds timeout) {
  ChildProcess child = ChildProcess::Start(argv, extra_env, cwd);
  if (auto result = child.WaitFor(timeout)) return *result;
  child.Signal(SIGKILL);
  ProcessResult result = child.Wait();
  result.err +=
      "\n[killed by the test: still running after " + std::to_string(timeout.count()) + " s]";
  return result;
}

ProcessResult RunStairway(const std::vector<std::string>& args, const Env& extra_env,
                          const std::string& cwd, std::chrono::seconds timeout) {
  std::vector<std::string> argv{StairwayBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, extra_env, cwd, timeout);
}

}  // namespace stairway::testing

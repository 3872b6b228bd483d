// fork + execvpe with pipes; see process.h.
#include "runner/common/process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

extern char** environ;

namespace stairway::process {

namespace {

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return out;
}

bool AlwaysKept(std::string_view name) {
  return name == "PATH" || name == "LANG" || name == "LANGUAGE" || StartsWith(name, "LC_") ||
         name == "TZ" || name == "TMPDIR" || name == "TERM";
}

void CloseFd(int& fd) {
  if (fd >= 0) {
    close(fd);
    fd = -1;
  }
}

// Closes every descriptor from `first` up in a freshly forked child (async-signal-safe), so
// no database socket or other file of stairway's reaches the program.
void CloseFrom(int first) {
#ifdef SYS_close_range
  if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0U) == 0) return;
#endif
  const long max = sysconf(_SC_OPEN_MAX);
  for (long fd = first; fd < (max > 0 ? max : 1024); ++fd) close(static_cast<int>(fd));
}

}  // namespace

bool LooksSecret(std::string_view name) {
  const std::string upper = Upper(name);
  if (upper == "PGTZ" || upper == "PGDATESTYLE" || upper == "PGCLIENTENCODING") return false;
  if (StartsWith(upper, "PG")) return true;
  if (upper == "DATABASE_URL" || upper.find("DATABASE_URL") != std::string::npos) return true;
  for (std::string_view part : {"PASSWORD", "PASSWD", "TOKEN", "SECRET", "CREDENTIAL"}) {
    if (upper.find(part) != std::string::npos) return true;
  }
  if (upper.ends_with("_KEY") || upper.ends_with("_KEYS")) return true;
  for (std::string_view prefix : {"AWS_", "GOOGLE_", "GCLOUD_", "AZURE_", "STAIRWAY_"}) {
    if (StartsWith(upper, prefix)) return true;
  }
  return false;
}

std::vector<std::string> MinimalEnvironment(const std::vector<std::string>& keep,
                                            const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const std::size_t eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view name = text.substr(0, eq);
    const bool wanted = AlwaysKept(name) || std::find(keep.begin(), keep.end(), name) != keep.end();
    if (wanted && !LooksSecret(name)) env.emplace_back(text);
  }
  for (const std::string& item : extra) {
    const std::string_view name = std::string_view(item).substr(0, item.find('='));
    std::erase_if(env, [&](const std::string& e) {
      return e.size() > name.size() && e.compare(0, name.size(), name) == 0 &&
             e[name.size()] == '=';
    });
    env.push_back(item);
  }
  return env;
}

Child::Child(Child&& other) noexcept
    : pid_(other.pid_), in_(other.in_), out_(other.out_), err_(other.err_) {
  other.pid_ = other.in_ = other.out_ = other.err_ = -1;
}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0) Kill();
    CloseAll();
    pid_ = other.pid_;
    in_ = other.in_;
    out_ = other.out_;
    err_ = other.err_;
    other.pid_ = other.in_ = other.out_ = other.err_ = -1;
  }
  return *this;
}

Child::~Child() {
  CloseAll();
  if (pid_ > 0) Kill();
}

void Child::CloseStdin() {
  CloseFd(in_);
}

void Child::CloseAll() {
  CloseFd(in_);
  CloseFd(out_);
  CloseFd(err_);
}

int Child::Wait() {
  if (pid_ <= 0) return -1;
  CloseFd(in_);
  int status = 0;
  while (waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      pid_ = -1;
      return -1;
    }
  }
  pid_ = -1;
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

void Child::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Wait();
}

Expected<Child> Spawn(const SpawnOptions& options) {
  if (options.argv.empty()) return Error::Internal("process::Spawn without a program");
  // Everything the child touches is prepared before fork: after it, only system calls.
  std::vector<std::string> args = options.argv;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<std::string> env_strings = options.env;
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  const std::string cwd = options.cwd ? options.cwd->string() : std::string();

  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1}, status_pipe[2] = {-1, -1};
  auto close_pair = [](int p[2]) {
    CloseFd(p[0]);
    CloseFd(p[1]);
  };
  auto fail = [&](const std::string& what) -> Error {
    const std::string message = what + ": " + std::strerror(errno);
    close_pair(in);
    close_pair(out);
    close_pair(err);
    close_pair(status_pipe);
    return Error::Internal(message);
  };
  if ((options.in == Stream::kPipe && pipe2(in, O_CLOEXEC) != 0) ||
      (options.out == Stream::kPipe && pipe2(out, O_CLOEXEC) != 0) ||
      (options.err == Stream::kPipe && pipe2(err, O_CLOEXEC) != 0) ||
      pipe2(status_pipe, O_CLOEXEC) != 0) {
    return fail("cannot create a pipe");
  }
  const pid_t pid = fork();
  if (pid < 0) return fail("cannot fork");
  if (pid == 0) {
    // The child: wire the standard streams, then exec. An exec failure reports errno through
    // status_pipe (closed by a successful exec, so the parent reads nothing then).
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    auto wire = [&](Stream how, int pipe_end, int target) {
      if (how == Stream::kPipe) {
        dup2(pipe_end, target);
      } else if (how == Stream::kNull && null_fd >= 0) {
        dup2(null_fd, target);
      }
    };
    wire(options.in, in[0], STDIN_FILENO);
    wire(options.out, out[1], STDOUT_FILENO);
    wire(options.err, err[1], STDERR_FILENO);
    // The exec-failure report goes on fd 3; everything above it is closed.
    if (status_pipe[1] != 3) dup2(status_pipe[1], 3);
    CloseFrom(4);
    fcntl(3, F_SETFD, FD_CLOEXEC);
    signal(SIGPIPE, SIG_DFL);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      const int code = errno;
      (void)!write(3, &code, sizeof code);
      _exit(127);
    }
    execvpe(argv[0], argv.data(), envp.data());
    const int code = errno;
    (void)!write(3, &code, sizeof code);
    _exit(127);
  }
  CloseFd(in[0]);
  CloseFd(out[1]);
  CloseFd(err[1]);
  CloseFd(status_pipe[1]);
  int code = 0;
  ssize_t n;
  while ((n = read(status_pipe[0], &code, sizeof code)) < 0 && errno == EINTR) {
  }
  CloseFd(status_pipe[0]);
  Child child;
  child.pid_ = pid;
  child.in_ = in[1];
  child.out_ = out[0];
  child.err_ = err[0];
  if (n == static_cast<ssize_t>(sizeof code)) {
    child.Wait();
    return Error::Input(options.argv[0] + ": cannot run it (" + std::strerror(code) + ")");
  }
  return child;
}

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

Expected<Captured> Run(SpawnOptions options, std::string_view input) {
  ASSIGN_OR_RETURN(Child child, Spawn(options));
  Captured captured;
  int in = child.TakeStdin();
  int out = child.TakeStdout();
  int err = child.TakeStderr();
  if (in >= 0 && input.empty()) CloseFd(in);
  if (in >= 0) fcntl(in, F_SETFL, fcntl(in, F_GETFL) | O_NONBLOCK);
  // Feed stdin and drain both outputs together: a child blocked writing a full pipe while we
  // block writing its stdin would never end.
  char buffer[65536];
  while (in >= 0 || out >= 0 || err >= 0) {
    pollfd fds[3];
    nfds_t count = 0;
    if (in >= 0) fds[count++] = {in, POLLOUT, 0};
    if (out >= 0) fds[count++] = {out, POLLIN, 0};
    if (err >= 0) fds[count++] = {err, POLLIN, 0};
    if (poll(fds, count, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < count; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in) {
        const ssize_t n = write(in, input.data(), input.size());
        if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || input.empty()) CloseFd(in);
        continue;
      }
      int& fd = fds[i].fd == out ? out : err;
      const ssize_t n = read(fd, buffer, sizeof buffer);
      if (n > 0) {
        (fd == out ? captured.out : captured.err).append(buffer, static_cast<std::size_t>(n));
      } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        CloseFd(fd);
      }
    }
  }
  CloseFd(in);
  CloseFd(out);
  CloseFd(err);
  captured.exit_code = child.Wait();
  return captured;
}

}  // namespace stairway::process

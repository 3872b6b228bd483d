// The keeper process and the SIGINT/SIGTERM handlers that hand cleanup to it (see keeper.h).
#include "runner/sandbox/keeper.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <utility>

#include "runner/common/error.h"
#include "runner/sandbox/signals.h"

namespace stairway::sandbox {
namespace {

// --- stairway side: the table the signal handler reads ------------------------------------

// One live keeper. Only atomics: the handler may run at any point, in any thread.
struct Slot {
  std::atomic<pid_t> owner{0};  // the process that started the keeper (forked copies ignore it)
  std::atomic<pid_t> keeper{0};
  std::atomic<int> ctrl_fd{-1};  // stairway's end of the pipe; closing it starts the cleanup
};
constexpr int kSlots = 64;
Slot g_slots[kSlots];

// The handlers of SIGINT and SIGTERM before OnTerminate (a --server-url sandbox's, which drops
// its databases), handed the signal once the keepers are done.
PreviousHandlers g_previous;

// SIGINT/SIGTERM in stairway: close every pipe first (all keepers clean up in parallel), wait
// for them, then hand the signal to the handler before this one, or leave with the shell's code
// for death by that signal.
void OnTerminate(int signo) {
  const pid_t self = getpid();
  for (Slot& slot : g_slots) {
    if (slot.owner.load() != self) continue;
    const int fd = slot.ctrl_fd.exchange(-1);
    if (fd >= 0) close(fd);
  }
  for (Slot& slot : g_slots) {
    if (slot.owner.load() != self) continue;
    const pid_t keeper = slot.keeper.load();
    if (keeper > 0) {
      while (waitpid(keeper, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
  HandOn(g_previous, signo);
  _exit(128 + signo);
}

void InstallHandlers() {
  static std::once_flag once;
  std::call_once(once, [] { InstallTerminationHandler(OnTerminate, g_previous); });
}

int ClaimSlot() {
  const pid_t self = getpid();
  for (int i = 0; i < kSlots; ++i) {
    pid_t expected = 0;
    if (g_slots[i].owner.compare_exchange_strong(expected, self)) return i;
  }
  throw StopError(Error::Internal("too many throwaway clusters open at once in one process"));
}

// --- keeper side: async-signal-safe code only ------------------------------------------------

volatile sig_atomic_t g_keeper_stop = 0;
void OnKeeperStop(int) {
  g_keeper_stop = 1;
}
void OnChild(int) {}

// argv arrays and paths as plain C strings, built before fork.
struct Prepared {
  std::vector<std::string> storage;
  std::vector<char*> initdb, save, postgres, rm, rm_staging, envp;
  const char* directory = nullptr;
  const char* save_staging = nullptr;
  const char* save_target = nullptr;
};

constexpr int kCtrlFd = 3, kStatusFd = 4, kLogFd = 5, kNullFd = 6;

void SendEvent(KeeperEvent event, int value) {
  const KeeperMessage message{event, value};
  (void)!write(kStatusFd, &message, sizeof message);
}

enum class Wake { kEnd, kChild, kTimeout };

// Sleeps until stairway's pipe closes, a stop signal arrives, or a child changes state.
Wake WaitForWake(const sigset_t& unblocked, int timeout_ms) {
  pollfd fd{kCtrlFd, POLLIN, 0};
  timespec timeout{timeout_ms / 1000, (timeout_ms % 1000) * 1000000L};
  const int ready = ppoll(&fd, 1, timeout_ms < 0 ? nullptr : &timeout, &unblocked);
  if (g_keeper_stop) return Wake::kEnd;
  if (ready < 0) return errno == EINTR ? Wake::kChild : Wake::kEnd;
  if (ready == 0) return Wake::kTimeout;
  char buffer[64];
  const ssize_t n = read(kCtrlFd, buffer, sizeof buffer);
  return n > 0 ? Wake::kChild : Wake::kEnd;  // bytes are ignored; only the end matters
}

pid_t Spawn(const KeeperPlan& plan, const Prepared& prepared, char* const* argv,
            bool drop_privileges) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  sigset_t none;
  sigemptyset(&none);
  signal(SIGPIPE, SIG_DFL);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  dup2(kLogFd, STDOUT_FILENO);
  dup2(kLogFd, STDERR_FILENO);
  if (drop_privileges) {
    if (setgroups(plan.groups.size(), plan.groups.data()) != 0 || setgid(plan.gid) != 0 ||
        setuid(plan.uid) != 0) {
      static const char kMessage[] = "stairway keeper: cannot drop privileges\n";
      (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
      _exit(126);
    }
  }
  if (chdir(prepared.directory) != 0) _exit(126);
  execve(argv[0], argv, prepared.envp.data());
  static const char kMessage[] = "stairway keeper: cannot execute a PostgreSQL program\n";
  (void)!write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  _exit(127);
}

[[noreturn]] void CleanUp(const KeeperPlan& plan, const Prepared& prepared,
                          const sigset_t& unblocked, pid_t child) {
  if (plan.keep) _exit(0);
  if (child > 0) {
    // SIGQUIT is PostgreSQL's immediate shutdown: nothing in this cluster is worth a checkpoint.
    kill(child, SIGQUIT);
    bool gone = false;
    for (int waited = 0; waited < 5000 && !gone; waited += 20) {
      gone = waitpid(child, nullptr, WNOHANG) == child;
      if (!gone) {
        timespec pause{0, 20 * 1000000L};
        ppoll(nullptr, 0, &pause, &unblocked);
      }
    }
    if (!gone) {
      kill(child, SIGKILL);
      waitpid(child, nullptr, 0);
    }
  }
  execve(prepared.rm[0], prepared.rm.data(), prepared.envp.data());
  _exit(1);
}

// Waits for `child` to exit and stores its wait status in `status` (if not null). If stairway
// goes away first, kills it and cleans up (no return); after `limit_ms` (-1: no limit), kills it
// and returns false.
bool WaitForChild(const KeeperPlan& plan, const Prepared& prepared, const sigset_t& unblocked,
                  pid_t child, int* status, int limit_ms) {
  for (int waited_ms = 0;;) {
    if (waitpid(child, status, WNOHANG) == child) return true;
    const bool timed_out = limit_ms >= 0 && waited_ms >= limit_ms;
    const Wake wake = timed_out ? Wake::kEnd : WaitForWake(unblocked, limit_ms < 0 ? -1 : 100);
    if (wake == Wake::kTimeout) waited_ms += 100;
    if (wake != Wake::kEnd) continue;
    kill(child, SIGKILL);
    waitpid(child, nullptr, 0);
    if (!timed_out) CleanUp(plan, prepared, unblocked, 0);
    return false;
  }
}

[[noreturn]] void KeeperMain(const KeeperPlan& plan, const Prepared& prepared) {
  setsid();  // out of the terminal's process group: a Ctrl-C reaches stairway only
  sigset_t blocked, unblocked;
  sigemptyset(&blocked);
  for (int signo : {SIGCHLD, SIGINT, SIGTERM, SIGHUP}) sigaddset(&blocked, signo);
  sigprocmask(SIG_BLOCK, &blocked, &unblocked);
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) sigdelset(&unblocked, signo);
  sigdelset(&unblocked, SIGCHLD);
  struct sigaction action {};
  sigemptyset(&action.sa_mask);
  action.sa_handler = OnKeeperStop;
  for (int signo : {SIGINT, SIGTERM, SIGHUP}) sigaction(signo, &action, nullptr);
  action.sa_handler = OnChild;
  sigaction(SIGCHLD, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  dup2(kNullFd, STDIN_FILENO);
  dup2(kLogFd, STDOUT_FILENO);
  dup2(kLogFd, STDERR_FILENO);

  int status = 0;
  const bool copied = prepared.initdb.front() == nullptr;  // data/ came from a template
  const pid_t initdb =
      copied ? 0 : Spawn(plan, prepared, prepared.initdb.data(), plan.drop_privileges);
  if (copied) {
    SendEvent(KeeperEvent::kInitdbExited, 0);
  } else if (initdb < 0) {
    SendEvent(KeeperEvent::kInitdbExited, 127 << 8);
  } else {
    WaitForChild(plan, prepared, unblocked, initdb, &status, /*limit_ms=*/-1);
    SendEvent(KeeperEvent::kInitdbExited, status);
  }
  if (!copied && (initdb < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
    while (WaitForWake(unblocked, -1) != Wake::kEnd) {
    }
    CleanUp(plan, prepared, unblocked, 0);
  }
  if (!copied && prepared.save.front() != nullptr) {
    // The template is a nicety: a save slower than 5 s (a very slow disk) is given up.
    const pid_t save = Spawn(plan, prepared, prepared.save.data(), /*drop_privileges=*/false);
    int save_status = -1;
    const bool saved = save > 0 &&
                       WaitForChild(plan, prepared, unblocked, save, &save_status, 5000) &&
                       WIFEXITED(save_status) && WEXITSTATUS(save_status) == 0 &&
                       rename(prepared.save_staging, prepared.save_target) == 0;
    if (!saved) {
      const pid_t rm = Spawn(plan, prepared, prepared.rm_staging.data(), false);
      if (rm > 0) WaitForChild(plan, prepared, unblocked, rm, nullptr, 5000);
    }
  }

  const pid_t postmaster = Spawn(plan, prepared, prepared.postgres.data(), plan.drop_privileges);
  SendEvent(KeeperEvent::kPostmasterStarted, postmaster);
  bool running = postmaster > 0;
  for (;;) {
    if (running && waitpid(postmaster, &status, WNOHANG) == postmaster) {
      running = false;
      SendEvent(KeeperEvent::kPostmasterExited, status);
    }
    if (WaitForWake(unblocked, -1) == Wake::kEnd) break;
  }
  CleanUp(plan, prepared, unblocked, running ? postmaster : 0);
}

void CloseFrom(int first) {
  if (syscall(SYS_close_range, first, ~0U, 0) == 0) return;
  for (int fd = first; fd < 4096; ++fd) close(fd);
}

// In the fresh keeper: the four descriptors it needs at fixed numbers, every other one closed
// (other clusters' pipes among them, or their keepers would never see the end).
void ArrangeDescriptors(int ctrl, int status, int log, int null_fd) {
  const int sources[] = {ctrl, status, log, null_fd};
  int high[4];
  for (int i = 0; i < 4; ++i) high[i] = fcntl(sources[i], F_DUPFD_CLOEXEC, 100);
  for (int i = 0; i < 4; ++i) {
    dup2(high[i], kCtrlFd + i);
    fcntl(kCtrlFd + i, F_SETFD, FD_CLOEXEC);
  }
  CloseFrom(kNullFd + 1);
}

Prepared Prepare(const KeeperPlan& plan) {
  Prepared prepared;
  std::size_t total = plan.initdb_argv.size() + plan.save_argv.size() + plan.postgres_argv.size() +
                      plan.env.size() + 12;
  prepared.storage.reserve(total);  // no reallocation: the char* below stay valid
  auto add = [&](std::vector<char*>& argv, const std::vector<std::string>& args) {
    for (const std::string& arg : args) {
      prepared.storage.push_back(arg);
      argv.push_back(prepared.storage.back().data());
    }
    argv.push_back(nullptr);
  };
  add(prepared.initdb, plan.initdb_argv);
  add(prepared.save, plan.save_argv);
  add(prepared.postgres, plan.postgres_argv);
  const char* rm = access("/bin/rm", X_OK) == 0 ? "/bin/rm" : "/usr/bin/rm";
  add(prepared.rm, {rm, "-rf", "--", plan.directory});
  prepared.directory = prepared.rm[3];
  add(prepared.rm_staging, {rm, "-rf", "--", plan.save_staging});
  prepared.save_staging = prepared.rm_staging[3];
  add(prepared.envp, plan.env);
  prepared.storage.push_back(plan.save_target);
  prepared.save_target = prepared.storage.back().c_str();
  return prepared;
}

std::string ReadProcStat(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(in, text);
  return text;
}

}  // namespace

unsigned long long ProcessStartTime(pid_t pid) {
  const std::string stat = ReadProcStat(pid);
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return 0;
  std::istringstream fields(stat.substr(paren + 1));
  std::string field;
  // After "pid (comm)": state is field 3, starttime field 22.
  for (int index = 3; index <= 22 && (fields >> field); ++index) {
    if (index == 22) return std::strtoull(field.c_str(), nullptr, 10);
  }
  return 0;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  const std::string stat = ReadProcStat(pid);
  const std::size_t paren = stat.rfind(')');
  if (paren == std::string::npos) return false;  // gone between the two checks
  return !(paren + 2 < stat.size() && (stat[paren + 2] == 'Z' || stat[paren + 2] == 'X'));
}

KeeperHandle KeeperHandle::Start(const KeeperPlan& plan) {
  const Prepared prepared = Prepare(plan);
  int ctrl[2], status[2];
  if (pipe2(ctrl, O_CLOEXEC) != 0) throw StopError(Error::Internal("pipe failed"));
  if (pipe2(status, O_CLOEXEC) != 0) {
    close(ctrl[0]);
    close(ctrl[1]);
    throw StopError(Error::Internal("pipe failed"));
  }
  const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
  InstallHandlers();
  KeeperHandle handle;
  handle.slot_ = ClaimSlot();
  handle.status_fd_ = status[0];

  // No SIGINT/SIGTERM between fork and filling the slot: the handler must see the keeper.
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, &old);
  const pid_t pid = fork();
  if (pid == 0) {
    ArrangeDescriptors(ctrl[0], status[1], plan.log_fd, null_fd);
    KeeperMain(plan, prepared);
  }
  const int fork_errno = errno;
  close(ctrl[0]);
  close(status[1]);
  close(null_fd);
  if (pid > 0) {
    handle.pid_ = pid;
    g_slots[handle.slot_].keeper.store(pid);
    g_slots[handle.slot_].ctrl_fd.store(ctrl[1]);
  } else {
    close(ctrl[1]);
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  if (pid < 0) {
    throw StopError(Error::Internal(std::string("cannot start the sandbox keeper: fork failed: ") +
                                    std::strerror(fork_errno)));
  }
  return handle;
}

KeeperHandle::KeeperHandle(KeeperHandle&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      status_fd_(std::exchange(other.status_fd_, -1)),
      slot_(std::exchange(other.slot_, -1)) {}

KeeperHandle::~KeeperHandle() {
  Finish();
}

bool KeeperHandle::Read(KeeperMessage& message, int timeout_ms) {
  pollfd fd{status_fd_, POLLIN, 0};
  int ready;
  do {
    ready = poll(&fd, 1, timeout_ms);
  } while (ready < 0 && errno == EINTR);
  if (ready == 0) return false;
  char* out = reinterpret_cast<char*>(&message);
  std::size_t got = 0;
  while (got < sizeof message) {
    const ssize_t n = read(status_fd_, out + got, sizeof message - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw StopError(Error::Database("the throwaway cluster's keeper process ended unexpectedly"));
    }
    got += static_cast<std::size_t>(n);
  }
  return true;
}

void KeeperHandle::Finish() {
  if (slot_ >= 0) {
    const int fd = g_slots[slot_].ctrl_fd.exchange(-1);
    if (fd >= 0) close(fd);
  }
  if (pid_ > 0 && slot_ >= 0 && g_slots[slot_].owner.load() == getpid()) {
    while (waitpid(pid_, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  if (slot_ >= 0) {
    g_slots[slot_].keeper.store(0);
    g_slots[slot_].owner.store(0);
    slot_ = -1;
  }
  if (status_fd_ >= 0) close(status_fd_);
  status_fd_ = -1;
  pid_ = -1;
}

}  // namespace stairway::sandbox

// The keeper: a small process forked when a private cluster starts. It runs initdb (unless the
// data directory was copied from a template) and the postmaster as its children and, when
// stairway's end of a pipe closes (normal exit, error, signal, or even SIGKILL), stops the
// postmaster and removes the cluster directory.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace stairway::sandbox {

// Everything the keeper needs, prepared before fork: after fork it only calls
// async-signal-safe functions (stairway may have other threads).
struct KeeperPlan {
  std::string directory;                 // removed at the end unless `keep`
  std::vector<std::string> initdb_argv;  // absolute program paths; empty: data/ is in place
  // Run after initdb succeeded and before the postmaster starts, as the keeper's own user (not
  // dropped): copies the fresh data directory into `save_staging` (made beforehand, private),
  // which is then renamed to `save_target` (or removed when the copy fails): a template. The
  // outcome is ignored. May be empty.
  std::vector<std::string> save_argv;
  std::string save_staging;
  std::string save_target;
  // The whole environment of every program the keeper starts (process::MinimalEnvironment):
  // a migration's COPY ... TO PROGRAM runs with the server's environment.
  std::vector<std::string> env;
  std::vector<std::string> postgres_argv;
  bool drop_privileges = false;  // run initdb/postgres as uid/gid below
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  int log_fd = -1;    // initdb and postgres output goes here
  bool keep = false;  // on the end: leave the server running, remove nothing
};

// What the keeper reports on its status pipe.
enum class KeeperEvent : int { kInitdbExited = 1, kPostmasterStarted = 2, kPostmasterExited = 3 };
struct KeeperMessage {
  KeeperEvent event;
  int value;  // wait status for *Exited, the pid for kPostmasterStarted
};

// Owns the keeper from the stairway side. Destroying it (or a SIGINT/SIGTERM, through the
// handlers installed by Start) closes the pipe and waits until the keeper has cleaned up.
class KeeperHandle {
 public:
  static KeeperHandle Start(const KeeperPlan& plan);
  KeeperHandle(KeeperHandle&& other) noexcept;
  KeeperHandle& operator=(KeeperHandle&&) = delete;
  ~KeeperHandle();

  // Next message from the keeper; waits at most timeout_ms (-1: forever). false on timeout.
  // Throws StopError if the keeper died without saying anything.
  bool Read(KeeperMessage& message, int timeout_ms);
  // Closes the pipe and waits for the keeper to finish (stopping and removing the cluster).
  void Finish();
  pid_t pid() const { return pid_; }

 private:
  KeeperHandle() = default;
  pid_t pid_ = -1;
  int status_fd_ = -1;
  int slot_ = -1;  // index into the signal handler's table
};

// The start time of a process in clock ticks since boot (/proc/<pid>/stat field 22), 0 if the
// process does not exist; together with the pid it names a process even across pid reuse.
unsigned long long ProcessStartTime(pid_t pid);
// True if the process exists and is not a zombie.
bool ProcessAlive(pid_t pid);

}  // namespace stairway::sandbox

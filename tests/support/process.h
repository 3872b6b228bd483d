// Running programs from tests (the stairway binary, psql, ...): fork/execvp with no shell, output
// captured, optionally in the background so a test can signal it (kill -9, SIGTERM).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace stairway::testing {

struct ProcessResult {
  // The exit status, or 128 + signal number when the process was killed by a signal (as a shell
  // reports it). -1 when the program could not be started (the reason is in `err`).
  int exit_code = -1;
  std::string out, err;
};

using Env = std::map<std::string, std::string>;

// Runs argv[0] (looked up on PATH unless it contains a slash) with `extra_env` added to this
// process's environment, in `cwd` if not empty, and waits for it. A process still running after
// `timeout` is killed (SIGKILL) and reported with exit code 128 + 9 and a note in `err`.
ProcessResult RunProcess(const std::vector<std::string>& argv, const Env& extra_env = {},
                         const std::string& cwd = "",
                         std::chrono::seconds timeout = std::chrono::seconds(300));

// RunProcess of the stairway binary built with the tests (StairwayBinary()).
ProcessResult RunStairway(const std::vector<std::string>& args, const Env& extra_env = {},
                          const std::string& cwd = "",
                          std::chrono::seconds timeout = std::chrono::seconds(300));

// A program running in the background. Output goes to anonymous files, so it never blocks on a
// full pipe and can be read while it runs. The destructor SIGKILLs and reaps it if still running.
class ChildProcess {
 public:
  static ChildProcess Start(const std::vector<std::string>& argv, const Env& extra_env = {},
                            const std::string& cwd = "");
  // The stairway binary in the background.
  static ChildProcess StartStairway(const std::vector<std::string>& args, const Env& extra_env = {},
                                    const std::string& cwd = "");
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess();

  int pid() const { return pid_; }
  void Signal(int signo);
  // Waits for the process to end and returns its status and whole output.
  ProcessResult Wait();
  // Waits at most `timeout`; nullopt if it is still running.
  std::optional<ProcessResult> WaitFor(std::chrono::milliseconds timeout);
  // Output written so far (the process may still be running).
  std::string OutSoFar() const;
  std::string ErrSoFar() const;
  // Polls until stdout+stderr so far contain `text`; false on timeout or if the process ended
  // without printing it.
  bool WaitForOutput(const std::string& text,
                     std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  ChildProcess(int pid, int out_fd, int err_fd) : pid_(pid), out_fd_(out_fd), err_fd_(err_fd) {}
  ProcessResult Collect(int wait_status);
  void Close();

  int pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::optional<ProcessResult> result_;
};

}  // namespace stairway::testing

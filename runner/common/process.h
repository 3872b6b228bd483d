// Starting other programs: always an argument vector (never a shell), always an environment
// the caller chose (MinimalEnvironment: no DATABASE_URL, passwords, tokens or cloud keys).
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::process {

// What a child may inherit from stairway's environment: PATH, LANG, LC_*, TZ, TMPDIR, TERM,
// plus the variables named in `keep` that are set; then `extra` ("KEY=VALUE") on top. Names
// that look like secrets (PG* except PGTZ/PGDATESTYLE/PGCLIENTENCODING, DATABASE_URL,
// *PASSWORD*, *TOKEN*, *SECRET*, *_KEY, AWS_*, GOOGLE_*, AZURE_*) are never kept, even when
// named in `keep`; `extra` is the caller's own choice and always goes in.
std::vector<std::string> MinimalEnvironment(const std::vector<std::string>& keep = {},
                                            const std::vector<std::string>& extra = {});
// Whether a variable name is one MinimalEnvironment never passes on.
bool LooksSecret(std::string_view name);

enum class Stream { kNull, kPipe, kInherit };

struct SpawnOptions {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH when it has no '/'
  std::vector<std::string> env;   // the child's whole environment ("KEY=VALUE")
  std::optional<std::filesystem::path> cwd;
  Stream in = Stream::kNull;
  Stream out = Stream::kPipe;
  Stream err = Stream::kPipe;
};

// A running child. Pipe ends the parent keeps are close-on-exec; -1 where not piped.
// Destroying a Child that was not waited for kills it (SIGKILL) and reaps it.
class Child {
 public:
  Child() = default;
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  ~Child();

  pid_t pid() const { return pid_; }
  int stdin_fd() const { return in_; }
  int stdout_fd() const { return out_; }
  int stderr_fd() const { return err_; }
  void CloseStdin();
  // Hands a pipe end over to the caller, who closes it; -1 when not piped.
  int TakeStdin() { return std::exchange(in_, -1); }
  int TakeStdout() { return std::exchange(out_, -1); }
  int TakeStderr() { return std::exchange(err_, -1); }

  // Waits for the child to end. Returns its exit code, or 128 + signal when a signal ended it.
  int Wait();
  // Sends SIGKILL (when still running) and waits.
  void Kill();

 private:
  friend Expected<Child> Spawn(const SpawnOptions& options);
  void CloseAll();
  pid_t pid_ = -1;
  int in_ = -1;
  int out_ = -1;
  int err_ = -1;
};

// Starts the program. Error(kInput) when it cannot be started (not found, not executable),
// naming argv[0]; the message never contains the other arguments.
Expected<Child> Spawn(const SpawnOptions& options);

struct Captured {
  int exit_code = 0;  // 128 + signal when a signal ended it
  std::string out;
  std::string err;
};

// Runs the program to its end with `input` on its stdin (when options.in is kPipe) and its
// piped outputs collected (both read together, so neither pipe can fill up and block).
Expected<Captured> Run(SpawnOptions options, std::string_view input = {});

// Writes all of `data` to `fd` (retrying on EINTR and short writes). False on error (EPIPE...).
bool WriteAll(int fd, std::string_view data);

}  // namespace stairway::process

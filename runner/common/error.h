// Failures that stop a command, and the exit code each kind maps to (see docs/exit-codes.md).
#pragma once

#include <stdexcept>
#include <string>

namespace stairway {

// Exit codes shared by every command. The CLI converts an Error into one of these, once.
enum class ExitCode : int {
  kOk = 0,
  kFindings = 1,  // findings at or above --fail-level, irreversible revisions, drift
  kInput = 2,     // usage, configuration or migration input error; nothing was applied
  kDatabase = 3,  // connection failure or failed migration (rolled back)
  kInternal = 4,  // a bug in stairway
};

enum class ErrorKind { kInput, kDatabase, kInternal };

inline ExitCode ExitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInput:
      return ExitCode::kInput;
    case ErrorKind::kDatabase:
      return ExitCode::kDatabase;
    case ErrorKind::kInternal:
      return ExitCode::kInternal;
  }
  return ExitCode::kInternal;
}

// An expected failure carried as a value: what went wrong, in words a user can act on.
struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string message;

  static Error Input(std::string m) { return {ErrorKind::kInput, std::move(m)}; }
  static Error Database(std::string m) { return {ErrorKind::kDatabase, std::move(m)}; }
  static Error Internal(std::string m) { return {ErrorKind::kInternal, std::move(m)}; }
};

// Thrown where a failure must stop the command; the CLI catches it and exits with its code.
class StopError : public std::runtime_error {
 public:
  explicit StopError(Error error) : std::runtime_error(error.message), error_(std::move(error)) {}
  const Error& error() const { return error_; }
  ErrorKind kind() const { return error_.kind; }

 private:
  Error error_;
};

}  // namespace stairway

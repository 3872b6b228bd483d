// Standard output that may not be writable (a closed pipe, a full disk, /dev/full): writes here
// never throw and never kill the process; the first failure is kept for the caller to act on.
#pragma once

#include <string>
#include <string_view>

namespace stairway::cli {

// First thing in main: reopens any of fds 0-2 that is closed on /dev/null (so a database socket
// opened later can never be fd 1 and receive what is printed) and ignores SIGPIPE (a closed
// pipe becomes EPIPE on the write, which the run reports, instead of killing it mid-revision).
void PrepareStandardStreams();

// Writes `text` to stdout. False when it (or an earlier write) could not be written.
bool Out(std::string_view text);
// Flushes stdout. False when stdout has failed (now or before).
bool FlushOut();
// Whether any write to stdout failed, through Out or anything else that wrote to stdout.
bool OutFailed();
// Records why a write to stdout failed when the writer was not Out (fmt::print throws the
// errno as a std::system_error). Only the first failure is kept.
void RecordOutFailure(int error);
// "No space left on device": why stdout failed (empty when it has not).
std::string OutFailure();

// Writes `text` to the file `path` (created or truncated), checking every step, the close
// included. Throws StopError(kInput) naming the file and the reason.
void WriteFileChecked(const std::string& path, std::string_view text, std::string_view what);

}  // namespace stairway::cli

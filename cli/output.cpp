// Checked writes to stdout and to report files (see output.h).
#include "cli/output.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "runner/common/error.h"

namespace stairway::cli {

namespace {

int out_errno = 0;  // errno of the first failed write to stdout; 0 while none failed

void Remember(int error) {
  if (out_errno == 0) out_errno = error != 0 ? error : EIO;
}

}  // namespace

void PrepareStandardStreams() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1 || errno != EBADF) continue;
    // Lower fds are open by now, so open() returns `fd` itself; dup2 covers any surprise.
    const int null_fd = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
    if (null_fd < 0) std::_Exit(4);  // nowhere safe to write anything: stop before connecting
    if (null_fd != fd) {
      dup2(null_fd, fd);
      close(null_fd);
    }
  }
  std::signal(SIGPIPE, SIG_IGN);
}

bool Out(std::string_view text) {
  if (out_errno != 0) return false;
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), stdout) != text.size()) Remember(errno);
  return out_errno == 0;
}

bool FlushOut() {
  errno = 0;
  if (std::fflush(stdout) != 0) Remember(errno);
  return !OutFailed();
}

void RecordOutFailure(int error) {
  Remember(error);
}

bool OutFailed() {
  if (out_errno == 0 && std::ferror(stdout) != 0) Remember(0);
  return out_errno != 0;
}

std::string OutFailure() {
  if (!OutFailed()) return "";
  return std::strerror(out_errno);
}

void WriteFileChecked(const std::string& path, std::string_view text, std::string_view what) {
  auto fail = [&](int error) {
    throw StopError(Error::Input(fmt::format("{}: cannot write the {}: {}", path, what,
                                             std::strerror(error != 0 ? error : EIO))));
  };
  std::FILE* file = std::fopen(path.c_str(), "wb");
  if (file == nullptr) fail(errno);
  // Only return values say whether a step failed (a successful call may leave errno set).
  int error = 0;
  errno = 0;
  if (std::fwrite(text.data(), 1, text.size(), file) != text.size())
    error = errno != 0 ? errno : EIO;
  errno = 0;
  if (std::fflush(file) != 0 && error == 0) error = errno != 0 ? errno : EIO;
  if (std::ferror(file) != 0 && error == 0) error = EIO;
  errno = 0;
  if (std::fclose(file) != 0 && error == 0) error = errno != 0 ? errno : EIO;
  if (error != 0) fail(error);
}

}  // namespace stairway::cli

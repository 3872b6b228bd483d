// Reading a whole file, copying a directory tree (see file.h).
#include "runner/common/file.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace stairway {

std::optional<std::string> ReadWholeFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  struct stat st {};
  // Regular files are read into a buffer of their size; pipes and the like grow as they come.
  std::size_t chunk = 1 << 16;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    chunk = static_cast<std::size_t>(st.st_size) + 1;  // + 1: the read that sees the end
  }
  std::size_t used = 0;
  while (true) {
    if (text.size() - used < chunk) text.resize(used + chunk);
    const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      ::close(fd);
      return std::nullopt;
    }
    if (n == 0) break;
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  text.resize(used);
  return text;
}

namespace {

bool CopyFileContents(const std::filesystem::path& from, const std::filesystem::path& to,
                      const struct stat& info, bool as_root) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, info.st_mode & 07777);
  if (out < 0) {
    ::close(in);
    return false;
  }
  bool ok = true;
  for (off_t left = info.st_size; ok && left > 0;) {
    const ssize_t n = ::sendfile(out, in, nullptr, static_cast<std::size_t>(left));
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    left -= n;
  }
  // The file was created with the mode masked by the umask; fchmod sets it whole.
  ok = ok && ::fchmod(out, info.st_mode & 07777) == 0 &&
       (!as_root || ::fchown(out, info.st_uid, info.st_gid) == 0);
  ::close(in);
  return ::close(out) == 0 && ok;
}

bool CopyTreeAs(const std::filesystem::path& from, const std::filesystem::path& to, bool as_root) {
  struct stat info {};
  if (::lstat(from.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return false;
  if (::mkdir(to.c_str(), 0700) != 0) return false;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(from, ec)) {
    struct stat item {};
    const std::filesystem::path target = to / entry.path().filename();
    if (::lstat(entry.path().c_str(), &item) != 0) return false;
    if (S_ISDIR(item.st_mode)) {
      if (!CopyTreeAs(entry.path(), target, as_root)) return false;
    } else if (S_ISREG(item.st_mode)) {
      if (!CopyFileContents(entry.path(), target, item, as_root)) return false;
    } else if (S_ISLNK(item.st_mode)) {
      std::vector<char> link(static_cast<std::size_t>(item.st_size) + 1);
      const ssize_t n = ::readlink(entry.path().c_str(), link.data(), link.size());
      if (n < 0 || static_cast<std::size_t>(n) >= link.size()) return false;
      link[static_cast<std::size_t>(n)] = '\0';
      if (::symlink(link.data(), target.c_str()) != 0 ||
          (as_root && ::lchown(target.c_str(), item.st_uid, item.st_gid) != 0)) {
        return false;
      }
    } else {
      return false;  // sockets, devices, FIFOs
    }
  }
  // The directory's own mode last: a read-only directory still takes its entries first.
  return !ec && ::chmod(to.c_str(), info.st_mode & 07777) == 0 &&
         (!as_root || ::chown(to.c_str(), info.st_uid, info.st_gid) == 0);
}

}  // namespace

bool CopyTree(const std::filesystem::path& from, const std::filesystem::path& to) {
  return CopyTreeAs(from, to, ::geteuid() == 0);
}

}  // namespace stairway

// Reading a whole file, copying a directory tree (see file.h).
#include "runner/common/file.h"

#include <fmt/format.h>

#include "runner/common/text.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <vector>

namespace stairway {

namespace {

std::optional<std::string> ReadOpened(int fd);

}  // namespace

std::optional<std::string> ReadWholeFile(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  return ReadOpened(fd);
}

std::optional<std::string> ReadRegularFileNoFollow(const std::filesystem::path& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  return ReadOpened(fd);
}

namespace {

std::optional<std::string> ReadOpened(int fd) {
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

// Empties the directory open as `dir_fd` (which it closes), never following a link.
bool EmptyDirectoryAt(int dir_fd) {
  DIR* dir = ::fdopendir(dir_fd);
  if (dir == nullptr) {
    ::close(dir_fd);
    return false;
  }
  bool ok = true;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat info {};
    if (::fstatat(dir_fd, entry->d_name, &info, AT_SYMLINK_NOFOLLOW) != 0) {
      ok = ok && errno == ENOENT;
      continue;
    }
    if (S_ISDIR(info.st_mode)) {
      const int child =
          ::openat(dir_fd, entry->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      // A directory replaced by a link since fstatat: O_NOFOLLOW refuses it, unlinkat below
      // removes the link itself.
      if (child >= 0) ok = EmptyDirectoryAt(child) && ok;
      if (::unlinkat(dir_fd, entry->d_name, AT_REMOVEDIR) != 0 &&
          ::unlinkat(dir_fd, entry->d_name, 0) != 0 && errno != ENOENT) {
        ok = false;
      }
    } else if (::unlinkat(dir_fd, entry->d_name, 0) != 0 && errno != ENOENT) {
      ok = false;
    }
  }
  ::closedir(dir);  // closes dir_fd
  return ok;
}

}  // namespace

bool RemoveTree(const std::filesystem::path& path) {
  struct stat info {};
  if (::lstat(path.c_str(), &info) != 0) return errno == ENOENT;
  if (!S_ISDIR(info.st_mode)) return ::unlink(path.c_str()) == 0 || errno == ENOENT;
  const int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return ::unlink(path.c_str()) == 0;  // became a link meanwhile
  const bool emptied = EmptyDirectoryAt(fd);
  return ::rmdir(path.c_str()) == 0 && emptied;
}

namespace {

bool CopyFileContents(const std::filesystem::path& from, const std::filesystem::path& to,
                      const struct stat& info, bool as_root) {
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0) return false;
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                         info.st_mode & 07777);
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

namespace {

constexpr std::uint64_t kDefaultMaxInputFileSize = std::uint64_t{64} << 20;

const char* FileKind(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISLNK(mode)) return "a symbolic link";
  return "not a regular file";
}

std::string SizeText(std::uint64_t bytes) {
  if (bytes >= (std::uint64_t{1} << 20)) {
    return fmt::format("{} bytes ({:.1f} MB)", bytes, static_cast<double>(bytes) / (1 << 20));
  }
  return fmt::format("{} bytes", bytes);
}

Error InputFileError(const std::filesystem::path& path, std::string_view what,
                     std::string_view todo) {
  return Error::Input(fmt::format("{}: {}; {}", EscapeControlChars(path.string()), what, todo));
}

}  // namespace

Expected<std::uint64_t> MaxInputFileSize() {
  const char* text = std::getenv("STAIRWAY_MAX_FILE_SIZE");
  if (text == nullptr || *text == '\0') return kDefaultMaxInputFileSize;
  const std::string_view value(text);
  std::size_t digits = 0;
  while (digits < value.size() && value[digits] >= '0' && value[digits] <= '9') ++digits;
  std::uint64_t multiplier = 1;
  const std::string_view suffix = value.substr(digits);
  if (suffix == "K" || suffix == "k") multiplier = std::uint64_t{1} << 10;
  if (suffix == "M" || suffix == "m") multiplier = std::uint64_t{1} << 20;
  if (suffix == "G" || suffix == "g") multiplier = std::uint64_t{1} << 30;
  const bool suffix_ok = suffix.empty() || multiplier != 1;
  std::uint64_t number = 0;
  bool overflow = digits == 0 || digits > 15;
  for (std::size_t i = 0; i < digits && !overflow; ++i) number = number * 10 + (value[i] - '0');
  if (!suffix_ok || overflow || number == 0 || number > (~std::uint64_t{0} >> 2) / multiplier) {
    return Error::Input(fmt::format(
        "STAIRWAY_MAX_FILE_SIZE={}: not a size; give a number of bytes, optionally with K, M or "
        "G (e.g. 256M)",
        EscapeControlChars(value)));
  }
  return number * multiplier;
}

Expected<std::string> ReadInputFile(const std::filesystem::path& path,
                                    const std::filesystem::path& root) {
  ASSIGN_OR_RETURN(const std::uint64_t limit, MaxInputFileSize());
  struct stat link {};
  if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode) && !root.empty()) {
    std::error_code ec;
    const std::filesystem::path target = std::filesystem::canonical(path, ec);
    const std::filesystem::path base = std::filesystem::canonical(root, ec);
    const auto rel = target.lexically_relative(base);
    // A dangling link (no target) is reported by the open below as a link to a missing file.
    if (!target.empty() && (base.empty() || rel.empty() || *rel.begin() == "..")) {
      return InputFileError(
          path,
          fmt::format("symbolic link leading out of the migrations directory (to {})",
                      EscapeControlChars(target.string())),
          "copy the file into the directory instead of linking to it");
    }
  }
  // O_NONBLOCK: opening a FIFO with no writer would otherwise wait for one.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
  struct stat info {};
  if (fd < 0) {
    const int err = errno;
    // A socket cannot be opened at all (ENXIO): say what it is, as for the other kinds.
    if (::stat(path.c_str(), &info) == 0 && !S_ISREG(info.st_mode)) {
      return InputFileError(path, fmt::format("{}, not a regular file", FileKind(info.st_mode)),
                            "a migration must be a regular file; remove it or move it out of "
                            "the directory");
    }
    std::error_code ec;
    const bool dangling = err == ENOENT && std::filesystem::is_symlink(path, ec);
    return InputFileError(
        path,
        fmt::format("cannot read file ({})",
                    dangling ? "symbolic link to a missing file" : std::strerror(err)),
        "check that it is a readable file");
  }
  if (::fstat(fd, &info) == 0 && S_ISDIR(info.st_mode)) {
    ::close(fd);
    return InputFileError(path, fmt::format("cannot read file ({})", std::strerror(EISDIR)),
                          "check that it is a readable file");
  }
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    return InputFileError(path, fmt::format("{}, not a regular file", FileKind(info.st_mode)),
                          "a migration must be a regular file; remove it or move it out of "
                          "the directory");
  }
  if (static_cast<std::uint64_t>(info.st_size) > limit) {
    ::close(fd);
    return InputFileError(
        path,
        fmt::format("file is too large: {}, the limit is {}",
                    SizeText(static_cast<std::uint64_t>(info.st_size)), SizeText(limit)),
        "split it, or raise the limit with STAIRWAY_MAX_FILE_SIZE (bytes, or "
        "with a K, M or G suffix)");
  }
  // Back to blocking reads: a regular file never blocks anyway.
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
  std::optional<std::string> text = ReadOpened(fd);
  if (!text) {
    return InputFileError(path, fmt::format("cannot read file ({})", std::strerror(errno)),
                          "check that it is a readable file");
  }
  // A file that grew after fstat (still being written) is held to the same limit.
  if (text->size() > limit) {
    return InputFileError(path, fmt::format("file is too large: more than {}", SizeText(limit)),
                          "split it, or raise the limit with STAIRWAY_MAX_FILE_SIZE");
  }
  return std::move(*text);
}

}  // namespace stairway

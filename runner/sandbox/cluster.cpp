// The private cluster: find the PostgreSQL programs, create the temp dir, hand initdb and the
// postmaster to the keeper, wait until the server accepts connections. Also reaps directories
// of killed runs.
#include "runner/sandbox/cluster.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "runner/common/checksum.h"
#include "runner/common/error.h"
#include "runner/common/file.h"
#include "runner/common/process.h"
#include "runner/db/session.h"
#include "runner/sandbox/database_host.h"
#include "runner/sandbox/keeper.h"

namespace stairway::sandbox {
namespace fs = std::filesystem;
namespace {

constexpr int kPort = 5432;  // only names the socket: every cluster has its own socket dir
constexpr const char* kRole = "stairway";
constexpr const char* kOwnerFile = "stairway-owner";
constexpr const char* kKeepFile = "stairway-keep";
constexpr std::size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1
constexpr const char* kDiskBase = "/tmp";
constexpr const char* kRamBase = "/dev/shm";
// A fresh cluster is about 30 MB; the rest is room for what migrations and fixtures write. Below
// this (a container's default 64 MB /dev/shm) the cluster goes to disk.
constexpr std::uint64_t kMinRamFree = std::uint64_t{1} << 30;

using Clock = std::chrono::steady_clock;

StopError SandboxError(const std::string& message) {
  return StopError(Error::Database(message));
}

// Who runs initdb and postgres. PostgreSQL refuses to run as root, and a migration under verify
// runs programs as the server's account (COPY ... TO PROGRAM): as root, the server runs as an
// account of its own that owns nothing but the sandbox's directories, never the host's
// `postgres` (it owns the real clusters) or `nobody` (shared by other daemons).
struct ServerUser {
  bool drop = false;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;
  std::string name;
};

// The programs that add a system account, by absolute path: root's PATH may lack /usr/sbin.
std::optional<std::vector<std::string>> AddAccountCommand() {
  for (const char* useradd : {"/usr/sbin/useradd", "/sbin/useradd"}) {
    if (access(useradd, X_OK) == 0) {
      return std::vector<std::string>{useradd,        "--system",
                                      "--user-group", "--no-create-home",
                                      "--home-dir",   "/nonexistent",
                                      "--shell",      "/usr/sbin/nologin",
                                      "--comment",    "stairway throwaway PostgreSQL servers",
                                      kSandboxAccount};
    }
  }
  for (const char* adduser : {"/usr/sbin/adduser", "/sbin/adduser"}) {
    if (access(adduser, X_OK) == 0) {
      return std::vector<std::string>{
          adduser,        "--system", "--group",           "--no-create-home", "--home",
          "/nonexistent", "--shell",  "/usr/sbin/nologin", kSandboxAccount};
    }
  }
  return std::nullopt;
}

const passwd* FindOrCreateSandboxAccount() {
  if (const passwd* account = getpwnam(kSandboxAccount)) return account;
  const std::string todo = fmt::format(
      "create it yourself (useradd --system --user-group --no-create-home --home-dir /nonexistent "
      "--shell /usr/sbin/nologin {}) or run stairway as an ordinary user",
      kSandboxAccount);
  const std::optional<std::vector<std::string>> command = AddAccountCommand();
  if (!command) {
    throw SandboxError(fmt::format(
        "running as root, the throwaway PostgreSQL server runs as the system account {}, which "
        "does not exist, and there is no useradd or adduser to create it: {}",
        kSandboxAccount, todo));
  }
  process::SpawnOptions options;
  options.argv = *command;
  options.env = process::MinimalEnvironment();
  const Expected<process::Captured> ran = process::Run(options);
  // Another run may have created it at the same moment: look again whatever the outcome.
  if (const passwd* account = getpwnam(kSandboxAccount)) return account;
  std::string why = !ran ? ran.error().message : ran->err;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  throw SandboxError(
      fmt::format("running as root, cannot create the system account {} for the "
                  "throwaway PostgreSQL server ({}): {}",
                  kSandboxAccount, why.empty() ? "no reason given" : why, todo));
}

ServerUser ChooseServerUser() {
  ServerUser user;
  if (geteuid() != 0) {
    const passwd* self = getpwuid(geteuid());
    user.name = self != nullptr ? self->pw_name : std::to_string(geteuid());
    user.uid = geteuid();
    user.gid = getegid();
    return user;
  }
  const passwd* account = FindOrCreateSandboxAccount();
  if (account->pw_uid == 0 || account->pw_gid == 0) {
    throw SandboxError(fmt::format(
        "the account {} has uid or gid 0; the throwaway server must not run as root: give it "
        "its own unprivileged uid and group",
        kSandboxAccount));
  }
  user.drop = true;
  user.uid = account->pw_uid;
  user.gid = account->pw_gid;
  user.name = account->pw_name;
  // Its own group only: supplementary groups could give it files it has no business with.
  user.groups = {user.gid};
  return user;
}

// Can `user` reach (search) every directory on the way to `path`?
bool Reachable(const fs::path& path, const ServerUser& user) {
  fs::path walked;
  for (const fs::path& part : path) {
    walked /= part;
    struct stat info {};
    if (stat(walked.c_str(), &info) != 0) return false;
    const bool in_group =
        info.st_gid == user.gid ||
        std::find(user.groups.begin(), user.groups.end(), info.st_gid) != user.groups.end();
    const mode_t bit = info.st_uid == user.uid ? S_IXUSR : in_group ? S_IXGRP : S_IXOTH;
    if ((info.st_mode & bit) == 0) return false;
  }
  return true;
}

// Runs a program (argv, minimal environment) and returns its stdout, or nullopt if it cannot
// run or fails.
std::optional<std::string> RunCapture(const std::vector<std::string>& argv) {
  process::SpawnOptions options;
  options.argv = argv;
  options.env = process::MinimalEnvironment();
  options.err = process::Stream::kNull;
  Expected<process::Captured> ran = process::Run(options);
  if (!ran || ran->exit_code != 0) return std::nullopt;
  return std::move(ran->out);
}

bool HasServerPrograms(const fs::path& bindir) {
  return access((bindir / "initdb").c_str(), X_OK) == 0 &&
         access((bindir / "postgres").c_str(), X_OK) == 0;
}

fs::path FindBindir(const Options& options) {
  if (options.bindir) {
    if (HasServerPrograms(*options.bindir)) return *options.bindir;
    throw SandboxError(
        fmt::format("no initdb and postgres programs in {}", options.bindir->string()));
  }
  if (auto output = RunCapture({"pg_config", "--bindir"})) {
    std::string dir = *output;
    while (!dir.empty() && (dir.back() == '\n' || dir.back() == '\r')) dir.pop_back();
    if (!dir.empty() && HasServerPrograms(dir)) return dir;
  }
  // Debian keeps each major version's programs in /usr/lib/postgresql/<major>/bin.
  int best_major = -1;
  fs::path best;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.size() > 4 || !std::all_of(name.begin(), name.end(), ::isdigit)) {
      continue;
    }
    const int major = std::stoi(name);
    if (major > best_major && HasServerPrograms(entry.path() / "bin")) {
      best_major = major;
      best = entry.path() / "bin";
    }
  }
  if (best_major >= 0) return best;
  throw SandboxError(
      "cannot start a throwaway PostgreSQL: no initdb found (looked at `pg_config --bindir` and "
      "/usr/lib/postgresql/*/bin); install the server (Debian/Ubuntu: apt-get install "
      "postgresql-15) or use --server-url URL to work on an existing server");
}

std::string PercentEncode(std::string_view text, bool keep_slash) {
  std::string encoded;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      encoded += static_cast<char>(c);
    } else {
      encoded += fmt::format("%{:02X}", c);
    }
  }
  return encoded;
}

std::string SocketUrl(const fs::path& socket_dir, const std::string& database) {
  return fmt::format("postgresql:///{}?host={}&port={}&user={}", PercentEncode(database, false),
                     PercentEncode(socket_dir.string(), true), kPort, kRole);
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

// The last `count` non-empty lines of the server log, joined into one line.
std::string LogTail(const fs::path& log, std::size_t count) {
  std::vector<std::string> lines;
  for (std::string& line : Lines(ReadRegularFileNoFollow(log).value_or(""))) {
    if (!line.empty()) lines.push_back(std::move(line));
  }
  if (lines.size() > count) lines.erase(lines.begin(), lines.end() - count);
  std::string tail;
  for (const std::string& line : lines) tail += (tail.empty() ? "" : " | ") + line;
  return tail.empty() ? "(no output)" : tail;
}

std::string DescribeStatus(int status) {
  if (WIFEXITED(status)) return fmt::format("exit code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("killed by signal {}", WTERMSIG(status));
  return "unknown status";
}

// Writes "<role> <pid> <start time>" to the owner file, open as `fd` (created by us with
// O_EXCL|O_NOFOLLOW and kept open: the directory later belongs to the server's account, which
// could replace the name by a link).
void WriteOwnerLine(int fd, const char* role, pid_t pid) {
  if (fd < 0) return;
  process::WriteAll(fd, fmt::format("{} {} {}\n", role, pid, ProcessStartTime(pid)));
}

// Creates `name` in the directory `dir` as a new file (never an existing one, never through a
// link); -1 on failure.
int CreateNewFile(const fs::path& dir, const char* name, mode_t mode = 0600) {
  return open((dir / name).c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
}

// True while the run that made `dir` (or its keeper) may still be using it.
bool InUse(const fs::path& dir, pid_t name_pid) {
  std::vector<std::pair<pid_t, unsigned long long>> processes;
  for (const std::string& line : Lines(ReadRegularFileNoFollow(dir / kOwnerFile).value_or(""))) {
    std::istringstream fields(line);
    std::string role;
    long pid = 0;
    unsigned long long start = 0;
    if (fields >> role >> pid >> start) processes.emplace_back(static_cast<pid_t>(pid), start);
  }
  // Killed before the owner file was written: the pid in the name is all there is.
  if (processes.empty()) processes.emplace_back(name_pid, 0);
  for (const auto& [pid, start] : processes) {
    if (!ProcessAlive(pid)) continue;
    if (start != 0 && ProcessStartTime(pid) != start) continue;  // the pid was reused
    return true;
  }
  return false;
}

// Stops the postmaster of a claimed stale directory, if it still runs there.
void StopStalePostmaster(const fs::path& data) {
  const std::vector<std::string> lines =
      Lines(ReadRegularFileNoFollow(data / "postmaster.pid").value_or(""));
  if (lines.empty()) return;
  const pid_t pid = static_cast<pid_t>(std::atol(lines[0].c_str()));
  if (!ProcessAlive(pid)) return;
  // Only a postmaster whose working directory is this data dir (it chdirs there): never an
  // unrelated process that happens to have the pid now.
  std::error_code ec;
  const fs::path cwd = fs::read_symlink(fmt::format("/proc/{}/cwd", pid), ec);
  if (ec || cwd != data) return;
  kill(pid, SIGQUIT);
  const auto deadline = Clock::now() + std::chrono::seconds(5);
  while (ProcessAlive(pid) && Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (ProcessAlive(pid)) kill(pid, SIGKILL);
  // Backends notice the postmaster's death by themselves; the cluster dir goes next anyway.
}

// "stairway-<pid>-<6 chars>" -> pid; 0 if the name does not match.
pid_t PidFromName(const std::string& name) {
  if (!name.starts_with("stairway-")) return 0;
  const std::size_t dash = name.find('-', 9);
  if (dash == std::string::npos || dash == 9 || name.size() - dash - 1 != 6) return 0;
  const std::string digits = name.substr(9, dash - 9);
  if (!std::all_of(digits.begin(), digits.end(), ::isdigit) || digits.size() > 9) return 0;
  return static_cast<pid_t>(std::stol(digits));
}

// The template cache: a fresh initdb's data directory, copied instead of running initdb again
// (0.05 against 0.5 s). An entry is <root>/pg-<key>/data, where the key hashes everything initdb's
// output depends on: the programs (path, size, modification time), initdb's arguments and the
// user the server runs as. The first start with a key leaves <root>/seen-<key>; the second saves
// the entry. The keeper writes it between initdb and the postmaster's start, under a temporary
// name renamed into place, so a reader sees a whole entry or none.
struct TemplateEntry {
  fs::path root;
  fs::path dir;   // <root>/pg-<key>
  fs::path seen;  // <root>/seen-<key>: left by the first start
};

std::string FileStamp(const fs::path& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return "missing";
  return fmt::format("{} {} {}", info.st_size, info.st_mtim.tv_sec, info.st_mtim.tv_nsec);
}

// Whether `root` is a directory of ours that no one else can write to (made 0700 when missing).
// A cache dir another user could write to (a shared STAIRWAY_CACHE_DIR) is not used: its
// templates become the data directories of our servers.
bool PrivateCacheRoot(const fs::path& root) {
  std::error_code ec;
  struct stat info {};
  if (lstat(root.c_str(), &info) != 0) {
    if (errno != ENOENT) return false;
    fs::create_directories(root.parent_path(), ec);
    if (mkdir(root.c_str(), 0700) != 0 && errno != EEXIST) return false;
    if (lstat(root.c_str(), &info) != 0) return false;
  }
  return S_ISDIR(info.st_mode) && info.st_uid == geteuid() && (info.st_mode & 022) == 0;
}

std::optional<TemplateEntry> FindTemplateEntry(const fs::path& bindir,
                                               const std::vector<std::string>& initdb_args,
                                               uid_t server_uid) {
  const std::optional<fs::path> root = TemplateCacheRoot();
  if (!root || access("/bin/cp", X_OK) != 0 || !PrivateCacheRoot(*root)) return std::nullopt;
  std::string identity =
      fmt::format("stairway template 1\n{}\n{}\n{}\nuid {}\n", bindir.string(),
                  FileStamp(bindir / "initdb"), FileStamp(bindir / "postgres"), server_uid);
  for (const std::string& arg : initdb_args) identity += arg + '\n';
  const std::string key = Sha256Hex(identity).substr(0, 16);
  return TemplateEntry{*root, *root / ("pg-" + key), *root / ("seen-" + key)};
}

bool UsableTemplate(const TemplateEntry& entry) {
  std::error_code ec;
  return fs::exists(entry.dir / "data" / "PG_VERSION", ec) &&
         fs::exists(entry.dir / "data" / "global" / "pg_control", ec);
}

// Whether the first line of `file` is `bindir` (an entry's bindir file, a seen- note).
bool NamesBindir(const fs::path& file, const fs::path& bindir) {
  const std::vector<std::string> lines = Lines(ReadRegularFileNoFollow(file).value_or(""));
  return !lines.empty() && lines.front() == bindir.string();
}

// Removes the entries (and notes) of earlier versions of the same server programs (their key
// differs, their bindir is this one): a minor upgrade leaves one 30 MB entry behind, not one per
// version. Also half-written entries (pg-<key>.XXXXXX) of runs killed while saving, an hour on.
void PruneTemplates(const TemplateEntry& entry, const fs::path& bindir) {
  std::error_code ec;
  const auto hour_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  for (const auto& other : fs::directory_iterator(entry.root, ec)) {
    const std::string name = other.path().filename().string();
    std::error_code other_ec;
    if (name.starts_with("seen-")) {
      if (other.path() != entry.seen && NamesBindir(other.path(), bindir)) {
        fs::remove(other.path(), other_ec);
      }
    } else if (name.starts_with("pg-") && other.path() != entry.dir) {
      const bool half_written = name.find('.') != std::string::npos;
      const bool stale = half_written
                             ? fs::last_write_time(other.path(), other_ec) < hour_ago && !other_ec
                             : NamesBindir(other.path() / "bindir", bindir);
      if (stale) RemoveTree(other.path());
    }
  }
}

// Prepares `plan` to use the template cache: copies a saved template into `data` and clears
// initdb (true), or leaves initdb to run, with a save of its result on a second start (false).
bool UseTemplateCache(KeeperPlan& plan, const fs::path& data, const fs::path& bindir,
                      const std::vector<std::string>& initdb_args, uid_t server_uid) {
  const std::optional<TemplateEntry> entry = FindTemplateEntry(bindir, initdb_args, server_uid);
  if (!entry) return false;
  const bool usable = UsableTemplate(*entry);
  // CopyTree keeps the modes (0700) and, as root, the server user as owner.
  if (usable && CopyTree(entry->dir / "data", data)) {
    plan.initdb_argv.clear();
    return true;
  }
  std::error_code ec;
  RemoveTree(data);          // a copy that failed halfway
  if (usable) return false;  // and stays for the next run
  RemoveTree(entry->dir);    // a broken entry is replaced
  // Saved on the second start with these programs, not the first: a one-off run (a CI job on a
  // fresh machine) would pay for the copy and never use it.
  if (fs::exists(entry->seen, ec)) {
    PruneTemplates(*entry, bindir);
    // A private staging directory next to the entry, with the bindir note; the keeper copies
    // the fresh data directory into it and renames it into place (no shell: cp by argv).
    std::string staging = entry->dir.string() + ".XXXXXX";
    if (mkdtemp(staging.data()) == nullptr) return false;
    const int note = CreateNewFile(staging, "bindir");
    const bool noted = note >= 0 && process::WriteAll(note, bindir.string() + "\n");
    if (note >= 0) close(note);
    if (!noted) {
      RemoveTree(staging);
      return false;
    }
    plan.save_argv = {"/bin/cp", "-a", "--", data.string(), staging + "/data"};
    plan.save_staging = staging;
    plan.save_target = entry->dir.string();
  } else if (const int seen = CreateNewFile(entry->root, entry->seen.filename().c_str());
             seen >= 0) {
    process::WriteAll(seen, bindir.string() + "\n");
    close(seen);
  }
  return false;
}

class ClusterSandbox : public Sandbox {
 public:
  ClusterSandbox(ClusterInfo info, KeeperHandle keeper, bool keep, bool drop_privileges)
      : info_(std::move(info)),
        keeper_(std::move(keeper)),
        keep_(keep),
        drop_privileges_(drop_privileges) {
    const fs::path socket_dir = info_.directory;
    host_ = std::make_shared<DatabaseHost>(DatabaseHost::Config{
        .admin_url = SocketUrl(socket_dir, "postgres"),
        .url_for = [socket_dir](const std::string& name) { return SocketUrl(socket_dir, name); },
        .keep = keep,
        .file_copy = DatabaseHost::Config::FileCopy::kAlways,
        .warnings = DropWarnings::kSilent,
        .removed_with_server = !keep});
  }
  ~ClusterSandbox() override {
    host_->Close();
    keeper_.Finish();
  }

  void WaitUntilReady(Clock::time_point started);
  // Throws the start failure `message`, saying where the files are when --keep keeps them.
  [[noreturn]] void Fail(const std::string& message) const {
    if (!keep_) throw SandboxError(message);
    throw SandboxError(
        fmt::format("{} (--keep: the files are kept in {}; remove them with rm -rf "
                    "{})",
                    message, info_.directory.string(), info_.directory.string()));
  }

  std::unique_ptr<ThrowawayDatabase> CreateDatabase() override {
    return host_->Create(std::nullopt);
  }
  std::unique_ptr<ThrowawayDatabase> CloneDatabase(const ThrowawayDatabase& source) override {
    return host_->Create(source.name());
  }
  std::string AdminUrl() const override { return SocketUrl(info_.directory, "postgres"); }
  std::string ConnectHelp() const override;
  std::optional<ClusterInfo> cluster() const override { return info_; }

 private:
  fs::path log() const { return info_.directory / "postgres.log"; }
  bool Ready() const {
    const std::vector<std::string> lines =
        Lines(ReadRegularFileNoFollow(info_.directory / "data/postmaster.pid").value_or(""));
    return lines.size() >= 8 && lines[7].starts_with("ready");
  }

  ClusterInfo info_;
  KeeperHandle keeper_;
  bool keep_;
  bool drop_privileges_;
  std::shared_ptr<DatabaseHost> host_;
};

void ClusterSandbox::WaitUntilReady(Clock::time_point started) {
  KeeperMessage message{};
  const auto initdb_started = Clock::now();
  if (!keeper_.Read(message, 120'000) || message.event != KeeperEvent::kInitdbExited) {
    Fail("initdb did not finish within 120 s: " + LogTail(log(), 3));
  }
  info_.initdb_ms +=  // after the copy of a template, if there was one
      std::chrono::duration<double, std::milli>(Clock::now() - initdb_started).count();
  if (!WIFEXITED(message.value) || WEXITSTATUS(message.value) != 0) {
    Fail(fmt::format("initdb failed ({}): {}", DescribeStatus(message.value), LogTail(log(), 3)));
  }
  if (!keeper_.Read(message, 10'000) || message.event != KeeperEvent::kPostmasterStarted ||
      message.value <= 0) {
    Fail("cannot start the PostgreSQL server: " + LogTail(log(), 3));
  }
  info_.postmaster_pid = message.value;
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!Ready()) {
    if (keeper_.Read(message, 5) && message.event == KeeperEvent::kPostmasterExited) {
      Fail(fmt::format("the throwaway PostgreSQL server stopped while starting ({}): {}",
                       DescribeStatus(message.value), LogTail(log(), 3)));
    }
    if (Clock::now() > deadline) {
      Fail("the throwaway PostgreSQL server did not start within 60 s: " + LogTail(log(), 3));
    }
  }
  info_.start_ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
}

std::string ClusterSandbox::ConnectHelp() const {
  const fs::path& dir = info_.directory;
  std::string help = fmt::format(
      "throwaway PostgreSQL cluster in {} (socket {}/.s.PGSQL.{}, no TCP, role {}, server runs as "
      "OS user {}){}\n",
      dir.string(), dir.string(), kPort, kRole, info_.os_user,
      keep_ ? "; kept: stairway will not remove it" : "; removed when stairway exits");
  help += fmt::format("  connect:    psql '{}'\n", SocketUrl(dir, "postgres"));
  for (const std::string& name : host_->LiveDatabases()) {
    help += fmt::format("  database:   psql '{}'\n", SocketUrl(dir, name));
  }
  const std::string run_as =
      drop_privileges_ ? fmt::format("runuser -u {} -- ", info_.os_user) : "";
  help += fmt::format("  stop it:    {}{} -D {} stop -m immediate\n", run_as,
                      (info_.bindir / "pg_ctl").string(), (dir / "data").string());
  help += fmt::format("  remove it:  rm -rf {}\n", dir.string());
  return help;
}

}  // namespace

std::optional<fs::path> TemplateCacheRoot() {
  if (const char* dir = std::getenv("STAIRWAY_CACHE_DIR"); dir != nullptr) {
    if (*dir == '\0') return std::nullopt;  // set and empty: no cache
    return fs::path(dir);
  }
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
    return fs::path(xdg) / "stairway";
  }
  if (const char* home = std::getenv("HOME"); home != nullptr && *home == '/') {
    return fs::path(home) / ".cache" / "stairway";
  }
  return std::nullopt;
}

bool RoomyRamDirectory(const fs::path& dir) {
  struct statfs kind {};
  struct statvfs room {};
  if (statfs(dir.c_str(), &kind) != 0 || kind.f_type != TMPFS_MAGIC) return false;
  if (statvfs(dir.c_str(), &room) != 0) return false;
  if (std::uint64_t{room.f_bavail} * room.f_frsize < kMinRamFree) return false;
  return access(dir.c_str(), W_OK | X_OK) == 0;
}

fs::path ClusterBaseDirectory() {
  const char* tmpdir = std::getenv("TMPDIR");
  fs::path base;
  if (tmpdir != nullptr && *tmpdir == '/') {
    base = fs::path(tmpdir).lexically_normal();
    if (base.has_filename() == false && base != "/") base = base.parent_path();
  } else if (RoomyRamDirectory(kRamBase)) {
    base = kRamBase;
  } else {
    return kDiskBase;
  }
  // "<base>/stairway-<pid>-XXXXXX/.s.PGSQL.5432" must fit in a unix socket address.
  if (base.string().size() + 40 > kMaxSocketPath) return kDiskBase;
  if (geteuid() == 0 && base != kDiskBase && !Reachable(base, ChooseServerUser())) {
    return kDiskBase;
  }
  return base;
}

namespace {

// Whether `dir` (a directory entry under the base, not followed) looks like one of ours: a
// directory, not a link, owned by us (or, as root, by the sandbox account the server ran as),
// mode 0700 as mkdtemp made it, holding only what a cluster directory holds. Anything else
// (another user's directory named like ours, a planted link) is not ours to touch.
bool LooksLikeOurCluster(const fs::path& dir) {
  struct stat info {};
  if (lstat(dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) return false;
  bool owner_ok = info.st_uid == geteuid();
  if (!owner_ok && geteuid() == 0) {
    const passwd* account = getpwnam(kSandboxAccount);
    owner_ok = account != nullptr && account->pw_uid != 0 && info.st_uid == account->pw_uid;
  }
  if (!owner_ok || (info.st_mode & 07777) != 0700) return false;
  const int fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return false;
  DIR* listing = fdopendir(fd);
  if (listing == nullptr) {
    close(fd);
    return false;
  }
  bool layout_ok = true;
  while (const dirent* entry = readdir(listing)) {
    const std::string name = entry->d_name;
    if (name == "." || name == "..") continue;
    struct stat item {};
    if (fstatat(fd, entry->d_name, &item, AT_SYMLINK_NOFOLLOW) != 0) continue;
    const bool regular = S_ISREG(item.st_mode);
    const bool expected =
        ((name == kOwnerFile || name == kKeepFile || name == "postgres.log") && regular) ||
        (name == "data" && S_ISDIR(item.st_mode)) ||
        (name == fmt::format(".s.PGSQL.{}", kPort) && S_ISSOCK(item.st_mode)) ||
        (name == fmt::format(".s.PGSQL.{}.lock", kPort) && regular);
    if (!expected) {
      layout_ok = false;
      break;
    }
  }
  closedir(listing);
  return layout_ok;
}

}  // namespace

int ReapStaleClusters(const fs::path& base) {
  int removed = 0;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(base, ec)) {
    const std::string name = entry.path().filename().string();
    const pid_t name_pid = PidFromName(name);
    if (name_pid == 0 || !LooksLikeOurCluster(entry.path())) continue;
    struct stat keep {};
    if (lstat((entry.path() / kKeepFile).c_str(), &keep) == 0) continue;
    if (InUse(entry.path(), name_pid)) continue;
    // Claim it by renaming onto a fresh empty directory of ours: of two runs reaping at once,
    // exactly one rename succeeds.
    std::string claim = (base / fmt::format("stairway-{}-XXXXXX", getpid())).string();
    if (mkdtemp(claim.data()) == nullptr) continue;
    if (rename(entry.path().c_str(), claim.c_str()) != 0) {
      rmdir(claim.c_str());
      continue;
    }
    // The old owner file is replaced, never written through: it may be a link by now.
    unlink((fs::path(claim) / kOwnerFile).c_str());
    const int owner = CreateNewFile(claim, kOwnerFile);
    WriteOwnerLine(owner, "owner", getpid());
    if (owner >= 0) close(owner);
    StopStalePostmaster(fs::path(claim) / "data");
    RemoveTree(claim);
    ++removed;
  }
  return removed;
}

std::unique_ptr<Sandbox> StartPrivateCluster(const Options& options) {
  const auto started = Clock::now();
  const fs::path base = ClusterBaseDirectory();
  try {
    // Earlier runs may have chosen the other place (another $TMPDIR, or less room in /dev/shm).
    ReapStaleClusters(base);
    for (const fs::path& other : {fs::path(kDiskBase), fs::path(kRamBase)}) {
      if (other != base) ReapStaleClusters(other);
    }
  } catch (const std::exception&) {
    // Reaping is housekeeping for earlier runs: it never stops this one.
  }
  const fs::path bindir = FindBindir(options);
  const ServerUser user = ChooseServerUser();

  std::string dir_text = (base / fmt::format("stairway-{}-XXXXXX", getpid())).string();
  if (mkdtemp(dir_text.data()) == nullptr) {
    throw SandboxError(
        fmt::format("cannot create a directory in {}: {}", base.string(), std::strerror(errno)));
  }
  const fs::path dir = dir_text;
  // Until the keeper runs, removing the directory on failure is ours to do.
  struct Guard {
    fs::path dir;
    int owner_fd = -1;
    bool armed = true;
    ~Guard() {
      if (owner_fd >= 0) close(owner_fd);
      if (armed) RemoveTree(dir);
    }
  } guard{dir};
  // Every file is new (O_EXCL) and never opened through a link (O_NOFOLLOW).
  guard.owner_fd = CreateNewFile(dir, kOwnerFile);
  WriteOwnerLine(guard.owner_fd, "owner", getpid());
  if (options.keep) {
    const int keep_fd = CreateNewFile(dir, kKeepFile);
    if (keep_fd >= 0) {
      process::WriteAll(keep_fd, "kept by stairway --keep\n");
      close(keep_fd);
    }
  }
  const int log_fd = open((dir / "postgres.log").c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_APPEND | O_CLOEXEC, 0600);
  if (guard.owner_fd < 0 || log_fd < 0) {
    if (log_fd >= 0) close(log_fd);
    throw SandboxError(fmt::format("cannot write in {}: {}", dir.string(), std::strerror(errno)));
  }
  if (user.drop &&
      (chown(dir.c_str(), user.uid, user.gid) != 0 || fchown(log_fd, user.uid, user.gid) != 0)) {
    close(log_fd);
    throw SandboxError(fmt::format("cannot hand {} to user {}: {}", dir.string(), user.name,
                                   std::strerror(errno)));
  }

  KeeperPlan plan;
  plan.directory = dir.string();
  // 1 MB WAL segments instead of 16: the fresh cluster's one segment is most of what a template
  // copy writes, and a throwaway cluster never archives or replicates its WAL.
  const std::vector<std::string> initdb_args = {
      "--no-sync", "-A", "trust", "-U", kRole, "-E", "UTF8", "--locale=C", "--wal-segsize=1"};
  plan.initdb_argv = {(bindir / "initdb").string(), "-D", (dir / "data").string()};
  plan.initdb_argv.insert(plan.initdb_argv.end(), initdb_args.begin(), initdb_args.end());
  const auto copy_started = Clock::now();
  const bool from_template = UseTemplateCache(plan, dir / "data", bindir, initdb_args, user.uid);
  plan.postgres_argv = {
      (bindir / "postgres").string(), "-D", (dir / "data").string(),  "-k", dir.string(),    "-p",
      std::to_string(kPort),          "-c", "listen_addresses=",      "-c", "fsync=off",     "-c",
      "full_page_writes=off",         "-c", "synchronous_commit=off", "-c", "autovacuum=off"};
  plan.drop_privileges = user.drop;
  plan.uid = user.uid;
  plan.gid = user.gid;
  plan.groups = user.groups;
  plan.log_fd = log_fd;
  plan.keep = options.keep;
  // initdb, the postmaster and what migrations start from it (COPY ... TO PROGRAM) see no
  // DATABASE_URL, password, token or cloud key of stairway's environment.
  plan.env = process::MinimalEnvironment();
  std::optional<KeeperHandle> keeper;
  try {
    keeper.emplace(KeeperHandle::Start(plan));
  } catch (...) {
    close(log_fd);
    throw;
  }
  close(log_fd);
  guard.armed = false;  // the keeper removes it from now on, whatever happens to us
  WriteOwnerLine(guard.owner_fd, "keeper", keeper->pid());

  ClusterInfo info;
  info.directory = dir;
  info.bindir = bindir;
  info.port = kPort;
  info.keeper_pid = keeper->pid();
  info.os_user = user.name;
  info.from_template = from_template;
  if (from_template) {
    info.initdb_ms = std::chrono::duration<double, std::milli>(Clock::now() - copy_started).count();
  }
  auto sandbox = std::make_unique<ClusterSandbox>(std::move(info), std::move(*keeper), options.keep,
                                                  user.drop);
  sandbox->WaitUntilReady(started);
  return sandbox;
}

}  // namespace stairway::sandbox

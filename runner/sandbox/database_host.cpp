// CREATE/DROP DATABASE for throwaway databases, shared by the private cluster and --server-url.
#include "runner/sandbox/database_host.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <random>
#include <sstream>
#include <thread>

#include "runner/sandbox/keeper.h"
#include "runner/sandbox/signals.h"

#include <fmt/format.h>

namespace stairway::sandbox {
namespace {

class HostedDatabase : public ThrowawayDatabase {
 public:
  HostedDatabase(std::shared_ptr<DatabaseHost> host, std::string name, std::string url)
      : host_(std::move(host)), name_(std::move(name)), url_(std::move(url)) {}
  ~HostedDatabase() override {
    if (!left_) host_->Drop(name_);
  }
  const std::string& url() const override { return url_; }
  const std::string& name() const override { return name_; }
  bool LeaveToServerRemoval() override {
    left_ = host_->config().removed_with_server;
    return left_;
  }

 private:
  bool left_ = false;
  std::shared_ptr<DatabaseHost> host_;
  std::string name_;
  std::string url_;
};

// 48 hours: a marker from another host (whose pids mean nothing here) this old is a dead run's.
constexpr long long kMaxMarkerAge = 48 * 3600;

void DropDatabase(db::Session& admin, const std::string& name) {
  if (admin.server_version_num() >= 130000) {
    admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name) + " WITH (FORCE)");
    return;
  }
  admin.Query(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
      "WHERE datname = $1 AND pid <> pg_backend_pid()",
      {name});
  admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name));
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// --- SIGINT/SIGTERM on a shared server --------------------------------------------------------
// A signal handler cannot speak libpq. It wakes a cleanup thread through a pipe and waits (at
// most 20 s) for it to drop the live databases through a fresh connection, then hands the
// signal to the handler installed before it (a private cluster's, which stops that cluster and
// exits), or exits with the shell's code for death by that signal. Everything else in stairway
// stays frozen meanwhile. A forked copy of the process only hands the signal on.

struct Registered {
  std::string admin_url;
  std::string name;
};

struct SignalCleanup {
  std::mutex mutex;
  std::vector<Registered> live;
  int wake[2] = {-1, -1};
  int done[2] = {-1, -1};
  pid_t owner = 0;
  PreviousHandlers previous;  // SIGINT's and SIGTERM's before this one
};

SignalCleanup& Cleanup() {
  static SignalCleanup* cleanup = new SignalCleanup;  // never destroyed: the thread uses it
  return *cleanup;
}

void OnSharedServerSignal(int signo) {
  SignalCleanup& cleanup = Cleanup();
  if (getpid() == cleanup.owner) {
    const unsigned char byte = static_cast<unsigned char>(signo);
    (void)!write(cleanup.wake[1], &byte, 1);
    pollfd fd{cleanup.done[0], POLLIN, 0};
    for (int waited = 0; waited < 20'000; waited += 100) {
      if (poll(&fd, 1, 100) > 0) break;
    }
  }
  HandOn(cleanup.previous, signo);
  _exit(128 + signo);
}

void CleanupThread() {
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  SignalCleanup& cleanup = Cleanup();
  unsigned char byte = 0;
  while (read(cleanup.wake[0], &byte, 1) < 0 && errno == EINTR) {
  }
  std::vector<Registered> live;
  {
    std::lock_guard<std::mutex> lock(cleanup.mutex);
    live = cleanup.live;
  }
  for (const Registered& database : live) {
    try {
      db::Session admin = db::Session::Connect(database.admin_url);
      DropDatabase(admin, database.name);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "warning: could not drop throwaway database %s on %s: %s\n",
                   database.name.c_str(), db::MaskPassword(database.admin_url).c_str(),
                   error.what());
    }
  }
  (void)!write(cleanup.done[1], &byte, 1);
}

void InstallSharedServerCleanup() {
  static std::once_flag once;
  std::call_once(once, [] {
    SignalCleanup& cleanup = Cleanup();
    if (pipe2(cleanup.wake, O_CLOEXEC) != 0 || pipe2(cleanup.done, O_CLOEXEC) != 0) return;
    cleanup.owner = getpid();
    std::thread(CleanupThread).detach();
    InstallTerminationHandler(OnSharedServerSignal, cleanup.previous);
  });
}

void Register(const std::string& admin_url, const std::string& name) {
  SignalCleanup& cleanup = Cleanup();
  std::lock_guard<std::mutex> lock(cleanup.mutex);
  cleanup.live.push_back({admin_url, name});
}

void Unregister(const std::string& name) {
  SignalCleanup& cleanup = Cleanup();
  std::lock_guard<std::mutex> lock(cleanup.mutex);
  std::erase_if(cleanup.live, [&](const Registered& r) { return r.name == name; });
}

}  // namespace

std::string MarkerComment() {
  return fmt::format("stairway throwaway: pid {} start {} host {} started {}", getpid(),
                     ProcessStartTime(getpid()), HostName(),
                     static_cast<long long>(std::time(nullptr)));
}

bool MarkerOfDeadRun(std::string_view comment, long long now_s, long long max_age_s) {
  constexpr std::string_view kPrefix = "stairway throwaway: ";
  if (!comment.starts_with(kPrefix)) return false;
  std::istringstream fields{std::string(comment.substr(kPrefix.size()))};
  std::string pid_word, start_word, host_word, started_word, host;
  long long pid = 0, started = 0;
  unsigned long long start = 0;
  if (!(fields >> pid_word >> pid >> start_word >> start >> host_word >> host >> started_word >>
        started) ||
      pid_word != "pid" || start_word != "start" || host_word != "host" ||
      started_word != "started" || pid <= 0) {
    return false;
  }
  if (now_s - started > max_age_s) return true;
  if (host != HostName()) return false;
  const pid_t process = static_cast<pid_t>(pid);
  return !ProcessAlive(process) || (start != 0 && ProcessStartTime(process) != start);
}

std::vector<std::string> DropDatabasesOfDeadRuns(db::Session& admin, bool warn) {
  std::vector<std::string> dropped;
  const db::QueryResult result = admin.Query(
      "SELECT datname, shobj_description(oid, 'pg_database') FROM pg_database "
      "WHERE datname LIKE 'stairway\\_tmp\\_%' AND pg_has_role(datdba, 'USAGE')");
  const long long now = static_cast<long long>(std::time(nullptr));
  for (const db::Row& row : result.rows) {
    if (!row[0] || !row[1] || !MarkerOfDeadRun(*row[1], now, kMaxMarkerAge)) continue;
    try {
      DropDatabase(admin, *row[0]);
      dropped.push_back(*row[0]);
    } catch (const std::exception& error) {
      if (warn) {
        std::fprintf(stderr, "warning: could not drop %s, left by an interrupted run: %s\n",
                     row[0]->c_str(), error.what());
      }
    }
  }
  return dropped;
}

namespace {

// Whether CREATE DATABASE should copy the template's files (STRATEGY file_copy, PostgreSQL 15
// on) rather than write it through the WAL, the default. file_copy checkpoints before and after
// the copy: nearly free with fsync off (0.01-0.02 s against 0.06-0.1 s for the WAL copy of
// template0), a burden for every session of a server that syncs.
bool UseFileCopy(db::Session& admin, DatabaseHost::Config::FileCopy policy) {
  using FileCopy = DatabaseHost::Config::FileCopy;
  if (policy == FileCopy::kNever || admin.server_version_num() < 150000) return false;
  if (policy == FileCopy::kAlways) return true;
  const db::QueryResult fsync = admin.Query("SELECT current_setting('fsync')");
  return !fsync.rows.empty() && fsync.rows[0][0].value_or("on") == "off";
}

}  // namespace

std::string RandomDatabaseName() {
  std::random_device device;
  const std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
  return fmt::format("stairway_tmp_{:016x}", value);
}

DatabaseHost::DatabaseHost(Config config, std::optional<db::Session> admin)
    : config_(std::move(config)), creator_pid_(getpid()), admin_(std::move(admin)) {
  // Nothing drops the admin session's database after it closes: no wait for its server process.
  if (admin_) admin_->SkipExitWait();
}

void DatabaseHost::WithAdmin(const std::function<void(db::Session&)>& work) {
  if (!admin_) {
    admin_ = db::Session::Connect(config_.admin_url);
    admin_->SkipExitWait();
  }
  try {
    work(*admin_);
  } catch (const db::DatabaseError&) {
    throw;
  } catch (const StopError&) {
    // The admin connection was lost (e.g. an idle timeout on a shared server): once more.
    admin_.reset();
    admin_ = db::Session::Connect(config_.admin_url);
    admin_->SkipExitWait();
    work(*admin_);
  }
}

std::unique_ptr<ThrowawayDatabase> DatabaseHost::Create(
    const std::optional<std::string>& template_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) throw StopError(Error::Internal("throwaway database requested after shutdown"));
  const std::string name = RandomDatabaseName();
  const bool cleanup_on_signal = config_.shared_server && !config_.keep;
  if (cleanup_on_signal) {
    // Before CREATE: a signal during it still drops the database (IF EXISTS).
    InstallSharedServerCleanup();
    Register(config_.admin_url, name);
  }
  std::string sql = "CREATE DATABASE " + db::QuoteIdent(name);
  if (template_name) sql += " TEMPLATE " + db::QuoteIdent(*template_name);
  try {
    WithAdmin([&](db::Session& admin) {
      if (!file_copy_) file_copy_ = UseFileCopy(admin, config_.file_copy);
      admin.Exec(*file_copy_ ? sql + " STRATEGY file_copy" : sql);
      // The marker lets a later run recognise it if this one dies without dropping it.
      if (config_.shared_server) {
        admin.Exec("COMMENT ON DATABASE " + db::QuoteIdent(name) + " IS " +
                   db::QuoteLiteral(MarkerComment()));
      }
    });
  } catch (const db::DatabaseError& error) {
    if (cleanup_on_signal) Unregister(name);
    std::string message =
        template_name ? fmt::format("cannot copy database {} into a throwaway database: {}",
                                    *template_name, error.server_message())
                      : fmt::format("cannot create a throwaway database on {}: {}",
                                    db::MaskPassword(config_.admin_url), error.server_message());
    if (error.sqlstate() == "55006") message += " (close the sessions connected to it first)";
    if (error.sqlstate() == "42501") {
      message += " (the role needs the CREATEDB privilege)";
    }
    throw StopError(Error::Database(message));
  }
  live_.push_back(name);
  return std::make_unique<HostedDatabase>(shared_from_this(), name, config_.url_for(name));
}

void DatabaseHost::Drop(const std::string& name) noexcept {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    // A forked child (a test helper, say) must not drop its parent's databases.
    if (closed_ || config_.keep || getpid() != creator_pid_) return;
    live_.erase(std::remove(live_.begin(), live_.end(), name), live_.end());
    WithAdmin([&](db::Session& admin) { DropDatabase(admin, name); });
    if (config_.shared_server) Unregister(name);
  } catch (const std::exception& error) {
    if (config_.warnings == DropWarnings::kPrint) {
      std::fprintf(stderr, "warning: could not drop throwaway database %s on %s: %s\n",
                   name.c_str(), db::MaskPassword(config_.admin_url).c_str(), error.what());
    }
  }
}

void DatabaseHost::Close() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  admin_.reset();
}

std::vector<std::string> DatabaseHost::LiveDatabases() {
  std::lock_guard<std::mutex> lock(mutex_);
  return live_;
}

}  // namespace stairway::sandbox

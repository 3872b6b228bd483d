// The server side shared by both sandboxes: an admin session that creates and drops the
// stairway_tmp_<random> databases, and the ThrowawayDatabase objects it hands out.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runner/db/session.h"
#include "runner/sandbox/sandbox.h"

namespace stairway::sandbox {

enum class DropWarnings { kSilent, kPrint };

class DatabaseHost : public std::enable_shared_from_this<DatabaseHost> {
 public:
  struct Config {
    std::string admin_url;                                   // where CREATE/DROP DATABASE run
    std::function<std::string(const std::string&)> url_for;  // database name -> its URL
    bool keep = false;                                       // never drop
    // CREATE DATABASE ... STRATEGY file_copy: always (the private cluster runs with fsync
    // off), or only when the server says fsync is off (a user's server: file_copy there forces
    // two checkpoints, which a server that syncs pays for, and so do its other sessions).
    enum class FileCopy { kNever, kAlways, kWhenFsyncOff };
    FileCopy file_copy = FileCopy::kNever;
    DropWarnings warnings = DropWarnings::kSilent;
    // A server the user handed over: each database gets a marker comment naming this run
    // (MarkerComment), and SIGINT/SIGTERM drops the live ones before stairway exits.
    bool shared_server = false;
    // The server and its files are removed when the run ends (the private cluster, not --keep):
    // ThrowawayDatabase::LeaveToServerRemoval may skip a database's drop.
    bool removed_with_server = false;
  };
  // `admin`: a session to admin_url already open (the connection check's), used as the admin
  // session instead of opening another.
  explicit DatabaseHost(Config config, std::optional<db::Session> admin = std::nullopt);

  // Creates stairway_tmp_<random>, empty or as a copy of `template_name`.
  std::unique_ptr<ThrowawayDatabase> Create(const std::optional<std::string>& template_name);
  // Drops `name` (terminating its sessions). Never throws; warns if configured to.
  void Drop(const std::string& name) noexcept;
  // The server is going away: later drops are skipped, the admin session is closed.
  void Close() noexcept;
  // Databases created and not dropped (all of them under --keep).
  std::vector<std::string> LiveDatabases();
  const Config& config() const { return config_; }

 private:
  // Runs `work` on the admin session, reconnecting once if the connection was lost.
  void WithAdmin(const std::function<void(db::Session&)>& work);

  Config config_;
  const int creator_pid_;
  std::mutex mutex_;
  bool closed_ = false;
  std::optional<db::Session> admin_;
  std::optional<bool> file_copy_;  // the strategy, decided on the first Create
  std::vector<std::string> live_;
};

// A random database name: stairway_tmp_ and 16 hex digits.
std::string RandomDatabaseName();

// The comment stairway puts on each throwaway database on a shared server, naming the run that
// made it: "stairway throwaway: pid <pid> start <ticks> host <host> started <unix seconds>".
std::string MarkerComment();

// Whether a database with this comment belongs to a run that is over: its process is gone on
// this host (or the pid now names another process), or it is older than `max_age_s` (a run on
// another host cannot be checked). False for a comment that is not a marker.
bool MarkerOfDeadRun(std::string_view comment, long long now_s, long long max_age_s);

// Drops the stairway_tmp_* databases on the server of `admin` whose marker says their run is
// over (never by name alone). Returns the names dropped; failures are skipped (printed when
// `warn`).
std::vector<std::string> DropDatabasesOfDeadRuns(db::Session& admin, bool warn);

}  // namespace stairway::sandbox

// Throwaway databases: a private PostgreSQL cluster that stairway starts and removes itself,
// or uniquely named databases on a server the user hands over with --server-url.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/db/session.h"

namespace stairway::sandbox {

struct Options {
  std::optional<std::string> server_url;  // --server-url: temp databases on this server
  bool keep = false;                      // --keep: leave the cluster/database for inspection
  // Opens the first session on --server-url (the CLI passes its --wait retry, so a server that
  // is still starting is waited for). Unset: db::Session::Connect.
  std::function<db::Session(const std::string& url)> connect_server;
  std::optional<std::filesystem::path> bindir;  // PostgreSQL bin dir; default pg_config --bindir
};

// A database that lives until this object dies (dropped then, unless kept).
class ThrowawayDatabase {
 public:
  virtual ~ThrowawayDatabase() = default;
  // A libpq URL for db::Session::Connect. In --server-url mode it carries the password given
  // there: print it through db::MaskPassword.
  virtual const std::string& url() const = 0;
  virtual const std::string& name() const = 0;  // database name
  // For the last database of a run: on the private cluster, which removes the whole server (and
  // its files) when the run ends, it is then not dropped when this object dies, since a DROP
  // DATABASE there is only time spent. On a server the user named it still is. Returns whether
  // it is left (no drop follows: its sessions need not wait for their server processes' exit).
  virtual bool LeaveToServerRemoval() = 0;
};

// Where a private cluster lives (for --keep messages, diagnostics and tests).
struct ClusterInfo {
  std::filesystem::path directory;  // the temp dir: data/, the socket, postgres.log
  std::filesystem::path bindir;     // the PostgreSQL binaries used
  int port = 0;                     // names the socket (.s.PGSQL.<port>); no TCP listener
  int postmaster_pid = 0;
  int keeper_pid = 0;          // the process that removes the cluster when stairway ends
  std::string os_user;         // who runs the server (root hands it to stairway-sandbox)
  double start_ms = 0;         // OpenSandbox wall time, initdb included
  double initdb_ms = 0;        // of which initdb (or the copy of a template)
  bool from_template = false;  // data/ was copied from the template cache, not made by initdb
};

// Source of throwaway databases: the private cluster or a --server-url server.
class Sandbox {
 public:
  virtual ~Sandbox() = default;
  // Creates a new, empty database named stairway_tmp_<random>. Throws StopError(kDatabase).
  virtual std::unique_ptr<ThrowawayDatabase> CreateDatabase() = 0;
  // Creates a database as a copy of `source` (CREATE DATABASE ... TEMPLATE). No session may be
  // connected to `source` at the time.
  virtual std::unique_ptr<ThrowawayDatabase> CloneDatabase(const ThrowawayDatabase& source) = 0;
  // A URL to a maintenance database on the same server (for the test suite and --keep help).
  virtual std::string AdminUrl() const = 0;
  // What --keep prints: how to connect (socket path, psql line), password-free.
  virtual std::string ConnectHelp() const = 0;
  // The private cluster's whereabouts; nullopt in --server-url mode.
  virtual std::optional<ClusterInfo> cluster() const { return std::nullopt; }
};

// Starts the private cluster (or checks the server). Installs SIGINT/SIGTERM handlers that
// remove the cluster, and removes directories left by earlier runs that were killed.
// Throws StopError(kDatabase) with a message that says what to install or check.
std::unique_ptr<Sandbox> OpenSandbox(const Options& options);

}  // namespace stairway::sandbox

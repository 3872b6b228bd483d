// OpenSandbox and the --server-url sandbox: temp databases on a server the user hands over.
#include "runner/sandbox/sandbox.h"

#include <fmt/format.h>

#include "runner/db/session.h"
#include "runner/sandbox/cluster.h"
#include "runner/sandbox/database_host.h"

namespace stairway::sandbox {
namespace {

class ServerSandbox : public Sandbox {
 public:
  ServerSandbox(std::string server_url, bool keep, db::Session admin)
      : server_url_(std::move(server_url)) {
    const std::string base = server_url_;
    host_ = std::make_shared<DatabaseHost>(
        DatabaseHost::Config{
            .admin_url = server_url_,
            .url_for = [base](const std::string& name) { return db::WithDatabase(base, name); },
            .keep = keep,
            .file_copy = DatabaseHost::Config::FileCopy::kWhenFsyncOff,
            .warnings = DropWarnings::kPrint,
            .shared_server = true},
        std::move(admin));
  }
  ~ServerSandbox() override { host_->Close(); }

  std::unique_ptr<ThrowawayDatabase> CreateDatabase() override {
    return host_->Create(std::nullopt);
  }
  std::unique_ptr<ThrowawayDatabase> CloneDatabase(const ThrowawayDatabase& source) override {
    return host_->Create(source.name());
  }
  std::string AdminUrl() const override { return server_url_; }
  std::string ConnectHelp() const override {
    std::string help = fmt::format("throwaway databases on {}{}\n", db::MaskPassword(server_url_),
                                   host_->config().keep ? " (kept: drop them yourself)" : "");
    for (const std::string& name : host_->LiveDatabases()) {
      help += fmt::format("  database:   psql '{}'\n",
                          db::MaskPassword(db::WithDatabase(server_url_, name)));
      help += fmt::format("  drop it:    DROP DATABASE {} WITH (FORCE);\n", db::QuoteIdent(name));
    }
    return help;
  }

 private:
  std::string server_url_;
  std::shared_ptr<DatabaseHost> host_;
};

}  // namespace

std::unique_ptr<Sandbox> OpenSandbox(const Options& options) {
  if (!options.server_url) return StartPrivateCluster(options);
  // Connect once now so a wrong URL fails before any work, with the server's reason; the
  // session then serves CREATE and DROP DATABASE.
  db::Session admin = options.connect_server ? options.connect_server(*options.server_url)
                                             : db::Session::Connect(*options.server_url);
  // Databases of earlier runs that were killed (SIGKILL, a lost machine), known by their marker.
  try {
    DropDatabasesOfDeadRuns(admin, /*warn=*/true);
  } catch (const std::exception&) {
    // Housekeeping for earlier runs never stops this one (a role that cannot read the catalog).
  }
  return std::make_unique<ServerSandbox>(*options.server_url, options.keep, std::move(admin));
}

}  // namespace stairway::sandbox

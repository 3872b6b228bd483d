// CREATE/DROP DATABASE for throwaway databases, shared by the private cluster and --server-url.
#include "runner/sandbox/database_host.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include <fmt/format.h>

namespace stairway::sandbox {
namespace {

class HostedDatabase : public ThrowawayDatabase {
 public:
  HostedDatabase(std::shared_ptr<DatabaseHost> host, std::string name, std::string url)
      : host_(std::move(host)), name_(std::move(name)), url_(std::move(url)) {}
  ~HostedDatabase() override { host_->Drop(name_); }
  const std::string& url() const override { return url_; }
  const std::string& name() const override { return name_; }

 private:
  std::shared_ptr<DatabaseHost> host_;
  std::string name_;
  std::string url_;
};

}  // namespace

std::string RandomDatabaseName() {
  std::random_device device;
  const std::uint64_t value = (std::uint64_t{device()} << 32) ^ device();
  return fmt::format("stairway_tmp_{:016x}", value);
}

DatabaseHost::DatabaseHost(Config config, std::optional<db::Session> admin)
    : config_(std::move(config)), creator_pid_(getpid()), admin_(std::move(admin)) {}

void DatabaseHost::WithAdmin(const std::function<void(db::Session&)>& work) {
  if (!admin_) admin_ = db::Session::Connect(config_.admin_url);
  try {
    work(*admin_);
  } catch (const db::DatabaseError&) {
    throw;
  } catch (const StopError&) {
    // The admin connection was lost (e.g. an idle timeout on a shared server): once more.
    admin_.reset();
    admin_ = db::Session::Connect(config_.admin_url);
    work(*admin_);
  }
}

std::unique_ptr<ThrowawayDatabase> DatabaseHost::Create(
    const std::optional<std::string>& template_name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (closed_) throw StopError(Error::Internal("throwaway database requested after shutdown"));
  const std::string name = RandomDatabaseName();
  std::string sql = "CREATE DATABASE " + db::QuoteIdent(name);
  if (template_name) sql += " TEMPLATE " + db::QuoteIdent(*template_name);
  try {
    WithAdmin([&](db::Session& admin) {
      // STRATEGY exists from PostgreSQL 15 on.
      const bool file_copy = config_.file_copy && admin.server_version_num() >= 150000;
      admin.Exec(file_copy ? sql + " STRATEGY file_copy" : sql);
    });
  } catch (const db::DatabaseError& error) {
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
    WithAdmin([&](db::Session& admin) {
      if (admin.server_version_num() >= 130000) {
        admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name) + " WITH (FORCE)");
        return;
      }
      admin.Query(
          "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
          "WHERE datname = $1 AND pid <> pg_backend_pid()",
          {name});
      admin.Exec("DROP DATABASE IF EXISTS " + db::QuoteIdent(name));
    });
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

// Runs verify's setup SQL on throwaway databases and drops the roles it made on a user's server.
#include "cli/verify_setup.h"

#include <fmt/format.h>

#include <cstdio>

#include "runner/common/diagnostic.h"
#include "runner/common/error.h"
#include "runner/common/file.h"
#include "runner/db/conninfo.h"
#include "runner/sql/parse.h"
#include "runner/sql/split.h"

namespace stairway::cli {

namespace {

std::string Located(const std::filesystem::path& file, std::string_view sql, std::size_t offset,
                    std::string message) {
  const Diagnostic d = DiagnosticAt(Severity::kError, file.string(), sql, offset, "");
  return fmt::format("{}:{}:{}: {}", d.path, d.pos.line, d.pos.column, message);
}

}  // namespace

VerifySetup::VerifySetup(std::filesystem::path file) : file_(std::move(file)) {
  std::optional<std::string> text = ReadWholeFile(file_);
  if (!text) {
    throw StopError(Error::Input(fmt::format(
        "{}: cannot read the setup file; fix --setup or [verify] setup in stairway.toml",
        file_.string())));
  }
  sql_ = std::move(*text);
  const sql::SplitResult split = sql::SplitStatements(sql_);
  if (split.error) {
    throw StopError(Error::Input(
        Located(file_, sql_, split.error->offset, split.error->message + "; fix the setup file")));
  }
}

VerifySetup::~VerifySetup() {
  std::set<std::string> roles = created_roles();
  if (!track_ || roles.empty()) return;
  if (keep_) {
    std::fflush(stdout);
    fmt::print(stderr, "Kept the role{} {} made by {} (--keep)\n", roles.size() == 1 ? "" : "s",
               fmt::join(roles, ", "), file_.string());
    return;
  }
  try {
    db::Session admin = db::Session::Connect(admin_url_);
    for (const std::string& role : roles) {
      try {
        admin.Exec("DROP ROLE IF EXISTS " + db::QuoteIdent(role));
      } catch (const StopError& e) {
        std::fflush(stdout);
        fmt::print(stderr,
                   "warning: could not drop role {} made by {} ({}); drop it by hand: DROP ROLE "
                   "{};\n",
                   role, file_.string(), e.what(), db::QuoteIdent(role));
      }
    }
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "warning: could not drop the roles {} made by {} ({}); drop them by hand\n",
               fmt::join(roles, ", "), file_.string(), e.what());
  }
}

std::set<std::string> VerifySetup::Roles(db::Session& session) const {
  std::set<std::string> out;
  for (const db::Row& row : session.Query("SELECT rolname FROM pg_roles").rows) {
    if (row.at(0)) out.insert(*row.at(0));
  }
  return out;
}

void VerifySetup::TrackRoles(db::Session& session, std::string admin_url, bool keep) {
  before_ = Roles(session);
  admin_url_ = std::move(admin_url);
  keep_ = keep;
  track_ = true;
}

std::set<std::string> VerifySetup::created_roles() const {
  std::lock_guard lock(mutex_);
  return created_;
}

void VerifySetup::Run(db::Session& session) {
  bool again = false;
  {
    std::lock_guard lock(mutex_);
    again = runs_++ > 0;
  }
  const sql::SplitResult split = sql::SplitStatements(sql_);
  // Roles are cluster-wide: whatever happens, the ones made so far are recorded for the end.
  auto record = [&] {
    if (!track_) return;
    std::set<std::string> now = Roles(session);
    std::lock_guard lock(mutex_);
    for (const std::string& role : now) {
      if (before_.count(role) == 0) created_.insert(role);
    }
  };
  for (const sql::StatementSpan& statement : split.statements) {
    try {
      session.Exec(statement.text);
    } catch (const db::DatabaseError& e) {
      // 42710 duplicate_object: the first database's run made this role already.
      if (again && e.sqlstate() == "42710" &&
          sql::ParseStatement(sql_, statement).node == "CreateRoleStmt") {
        continue;
      }
      try {
        record();
      } catch (const StopError&) {
        // The connection is gone: the roles made so far cannot be listed any more.
      }
      throw StopError(Error::Input(
          Located(file_, sql_, statement.offset,
                  fmt::format("setup failed: {}; fix the setup file (it runs on each throwaway "
                              "database before the first revision)",
                              e.server_message()))));
    }
  }
  record();
}

}  // namespace stairway::cli

// verify's setup SQL ([verify] setup in stairway.toml, --setup FILE): the schemas, extensions and
// roles a history expects to exist, run on each throwaway database before its first revision.
// Roles it creates on a user's server (--server-url) are dropped again at the end.
#pragma once

#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "runner/db/session.h"

namespace stairway::cli {

class VerifySetup {
 public:
  // Reads and splits `file` (as given: messages name it so). Unreadable file or SQL the scanner
  // cannot split: StopError(kInput) naming file:line.
  explicit VerifySetup(std::filesystem::path file);
  VerifySetup(const VerifySetup&) = delete;
  VerifySetup& operator=(const VerifySetup&) = delete;
  // Drops the roles the setup created, when it tracks them (TrackRoles) and is not kept.
  ~VerifySetup();

  // On a user's server: remember the roles that exist now, so the ones the setup adds can be
  // dropped at the end through `admin_url` (after the throwaway databases are gone). With `keep`
  // (--keep) they stay, as the kept database needs them.
  void TrackRoles(db::Session& session, std::string admin_url, bool keep);

  // Runs the setup on `session`, statement by statement, each committed on its own. A failing
  // statement is StopError(kInput): "<file>:<line>:<col>: setup failed: <server message>".
  // On the second database of a run (same server), a CREATE ROLE that fails only because the
  // first run of this setup already made the role is passed over. Thread-safe.
  void Run(db::Session& session);

  // Roles this setup created so far (names), for messages.
  std::set<std::string> created_roles() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  std::set<std::string> Roles(db::Session& session) const;

  std::filesystem::path file_;
  std::string sql_;
  bool track_ = false;
  bool keep_ = false;
  std::string admin_url_;
  std::set<std::string> before_;  // roles that existed before the first run
  mutable std::mutex mutex_;
  std::set<std::string> created_;
  int runs_ = 0;
};

}  // namespace stairway::cli

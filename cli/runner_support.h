// Pieces every runner subcommand shares: the migration-directory and database options, how the
// connection URL is found (flag > DATABASE_URL > ./.env), duration flags, console progress.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "cli/command.h"
#include "runner/applier/applier.h"
#include "runner/db/session.h"
#include "runner/source/migration.h"

namespace stairway::cli {

struct SourceOptions {
  std::string dir = "migrations";
  std::string format = "auto";
  std::string python;  // --python: the Alembic project's interpreter
};
// Whether the migrations directory may also be given as the command's positional argument
// (`stairway verify migrations/`), or only as -d/--dir (commands whose positional is a target).
enum class DirArgument { kFlagOnly, kPositional };
// -d/--dir (STAIRWAY_DIR) and --format.
void AddSourceOptions(CLI::App& sub, SourceOptions& options,
                      DirArgument dir_argument = DirArgument::kFlagOnly);
// Reads the set; throws StopError(kInput) with the reader's one-line message. With the default
// directory ("migrations") missing and an Alembic project in the current directory
// (AlembicProjectHere), that project is read.
source::MigrationSet LoadSet(const SourceOptions& options);
// ./alembic.ini, or ./pyproject.toml with a [tool.alembic] table.
bool AlembicProjectHere();

struct DatabaseOptions {
  std::string history_schema = std::string(history::kDefaultSchema);
};
// --database-url (into global) and --history-schema (STAIRWAY_HISTORY_SCHEMA).
void AddDatabaseOptions(CLI::App& sub, GlobalOptions& global, DatabaseOptions& options);

// --database-url, else $DATABASE_URL, else DATABASE_URL in ./.env; else StopError(kInput).
std::string ResolveDatabaseUrl(const GlobalOptions& global);
// A session on a database the user named. Closing it does not wait for its server process to
// exit (Session::SkipExitWait): nothing drops that database after.
db::Session ConnectToUserDatabase(const std::string& url);
// Value of `key` in a dotenv file (KEY=VALUE, optional `export `, quotes, # comments).
std::optional<std::string> ReadDotEnv(const std::string& path, std::string_view key);

// "10s", "500ms", "2min", "1h"; a bare number means seconds. StopError(kInput) naming `flag`.
std::chrono::milliseconds ParseWait(std::string_view text, std::string_view flag);
// A PostgreSQL duration setting ("5s", "250ms", "0"), checked before anything connects.
std::string CheckTimeoutSetting(std::string_view text, std::string_view flag);

// Options that shape how revisions run (upgrade, downgrade).
struct ApplyFlags {
  std::string lock_wait = "10s";
  std::string lock_timeout;
  std::string statement_timeout;
  bool allow_edited = false;
};
void AddApplyFlags(CLI::App& sub, ApplyFlags& flags);
applier::Options MakeApplierOptions(const ApplyFlags& flags, const DatabaseOptions& db);

// Prints "  up   0003_add_index ... ok (12 ms)" lines and lock waits.
class ConsoleObserver : public applier::Observer {
 public:
  explicit ConsoleObserver(std::string table) : table_(std::move(table)) {}
  void WaitingForLock(const std::optional<applier::LockHolder>& holder) override;
  void StepStarted(const applier::PreparedStep& step) override;
  void StepFinished(const applier::PreparedStep& step, std::chrono::milliseconds took) override;
  // Ends a line left open by a step that failed.
  void StepFailed();

 private:
  std::string table_;
  bool open_line_ = false;
};

std::string FormatMs(std::chrono::milliseconds ms);

// The history as read-only commands see it: no lock, never created. nullopt when the table
// does not exist. Throws StopError when its format is unknown.
std::optional<std::vector<history::Row>> ReadHistoryReadOnly(db::Session& session,
                                                             const history::Table& table);
inline constexpr std::string_view kNoHistoryTable = "no history table: nothing applied yet";

}  // namespace stairway::cli

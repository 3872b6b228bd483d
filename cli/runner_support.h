// Pieces every runner subcommand shares: the migration-directory and database options, how the
// connection URL is found (flag > DATABASE_URL > .env > alembic.ini), duration flags, console
// progress.
#pragma once

#include <chrono>
#include <filesystem>
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
  std::string config;  // --config of the commands that have it (cli/config.h); empty: looked up
};
// Whether the migrations directory may also be given as the command's positional argument
// (`stairway verify migrations/`), or only as -d/--dir (commands whose positional is a target).
enum class DirArgument { kFlagOnly, kPositional };
// -d/--dir (STAIRWAY_DIR) and --format.
void AddSourceOptions(CLI::App& sub, SourceOptions& options,
                      DirArgument dir_argument = DirArgument::kFlagOnly);
// Reads the set; throws StopError(kInput) with the reader's one-line message. With the default
// directory ("migrations") missing, an Alembic project in the current directory
// (AlembicProjectHere) is read, else the one `[alembic] project` in ./stairway.toml names.
source::MigrationSet LoadSet(const SourceOptions& options);
// ./alembic.ini, or ./pyproject.toml with a [tool.alembic] table.
bool AlembicProjectHere();

struct DatabaseOptions {
  std::string history_schema = std::string(history::kDefaultSchema);
};
// --database-url (into global) and --history-schema (STAIRWAY_HISTORY_SCHEMA).
void AddDatabaseOptions(CLI::App& sub, GlobalOptions& global, DatabaseOptions& options);

// What a command knows about the project beyond the flags, for ResolveDatabaseUrl.
struct UrlLookup {
  // The directory holding alembic.ini when the project is an Alembic one: its .env is read too.
  std::optional<std::filesystem::path> project_dir;
  // sqlalchemy.url as Alembic reads it from alembic.ini (nullopt or the template's placeholder
  // driver://user:pass@localhost/dbname: not set), and where it came from, for messages.
  std::optional<std::string> ini_url;
  std::string ini_path = "alembic.ini";
};
// The first of: --database-url, $DATABASE_URL, DATABASE_URL in ./.env, DATABASE_URL in
// <project_dir>/.env, the ini's sqlalchemy.url; as a libpq URL (db::ToLibpqUrl: SQLAlchemy forms
// are converted). StopError(kInput) naming where the URL came from when it is not a PostgreSQL
// one, or listing every place looked at when none has one.
std::string ResolveDatabaseUrl(const GlobalOptions& global, const UrlLookup& lookup = {});
// A session on a database the user named, retried while its server starts when --wait is given
// (ConnectWaiting). Closing it does not wait for its server process to
// exit (Session::SkipExitWait): nothing drops that database after.
db::Session ConnectToUserDatabase(const std::string& url);
// Value of `key` in a dotenv file (KEY=VALUE, optional `export `, single or double quotes,
// # comments, CRLF line ends, a UTF-8 byte order mark). ${VAR} is not expanded. nullopt when the
// key is not there or `path` is not a regular file.
std::optional<std::string> ReadDotEnv(const std::string& path, std::string_view key);

// --connect-timeout / STAIRWAY_CONNECT_TIMEOUT ("10", "10s", "1min", "0" for no limit) in whole
// seconds (rounded up). StopError(kInput) naming `flag`.
int ParseConnectTimeout(std::string_view text, std::string_view flag);

// "10s", "500ms", "2min", "1h"; a bare number means seconds, at most a year. StopError(kInput)
// naming `flag`.
std::chrono::milliseconds ParseWait(std::string_view text, std::string_view flag);
// A PostgreSQL duration setting ("5s", "250ms", "0"), checked before anything connects: at most
// PostgreSQL's limit (2147483647 ms, about 24 days).
std::string CheckTimeoutSetting(std::string_view text, std::string_view flag);

// Options that shape how revisions run (upgrade, downgrade).
struct ApplyFlags {
  std::string lock_wait = "5min";
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

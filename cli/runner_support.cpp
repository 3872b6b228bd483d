// Shared options and helpers of the runner subcommands.
#include "cli/runner_support.h"

#include "cli/alembic_support.h"
#include "cli/connect_wait.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <CLI/CLI.hpp>

#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "cli/output.h"

namespace stairway::cli {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// Splits "12.5min" into 12.5 and "min". False when there is no leading number.
bool SplitNumber(std::string_view text, double& number, std::string_view& unit) {
  std::size_t i = 0;
  while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) ++i;
  if (i == 0) return false;
  const std::string digits(text.substr(0, i));
  char* end = nullptr;
  number = std::strtod(digits.c_str(), &end);
  if (end != digits.c_str() + digits.size()) return false;
  unit = Trim(text.substr(i));
  return true;
}

}  // namespace

void AddSourceOptions(CLI::App& sub, SourceOptions& options, DirArgument dir_argument) {
  const char* names = dir_argument == DirArgument::kPositional ? "dir,-d,--dir" : "-d,--dir";
  sub.add_option(names, options.dir, "Migrations directory (env STAIRWAY_DIR)")
      ->envname("STAIRWAY_DIR")
      ->capture_default_str();
  sub.add_option("--format", options.format,
                 "Migration format: auto, stairway (dbmate), golang-migrate, flyway, goose, "
                 "alembic, sqitch")
      ->capture_default_str();
  sub.add_option("--python", options.python,
                 "Alembic: the project's Python (default: STAIRWAY_PYTHON, $VIRTUAL_ENV, "
                 ".venv/bin/python or venv/bin/python at or above the project, python3)");
}

bool AlembicProjectHere() {
  std::error_code ec;
  if (std::filesystem::is_regular_file("alembic.ini", ec)) return true;
  std::ifstream pyproject("pyproject.toml");
  std::string line;
  while (std::getline(pyproject, line)) {
    if (Trim(line).starts_with("[tool.alembic]")) return true;
  }
  return false;
}

source::MigrationSet LoadSet(const SourceOptions& options) {
  std::string dir = options.dir;
  std::error_code ec;
  if (dir == "migrations" && !std::filesystem::exists(dir, ec)) {
    if (AlembicProjectHere()) {
      dir = ".";
    } else if (std::optional<std::filesystem::path> project =
                   ConfiguredAlembicProject(options.config)) {
      dir = project->string();
    }
  }
  const std::optional<source::Format> format = source::ParseFormat(options.format);
  if (!format) {
    throw StopError(Error::Input(fmt::format(
        "unknown --format \"{}\": use auto, stairway, dbmate, golang-migrate, flyway, goose, "
        "alembic or sqitch",
        options.format)));
  }
  // Alembic revision headers that are not plain literals are read by the project's Python.
  return source::LoadMigrationSet(dir, *format, HeaderReaderFor(dir, options)).ValueOrThrow();
}

void AddDatabaseOptions(CLI::App& sub, GlobalOptions& global, DatabaseOptions& options) {
  sub.add_option_function<std::string>(
      "--database-url", [&global](const std::string& url) { global.database_url = url; },
      "PostgreSQL URL, postgresql+asyncpg:// and other SQLAlchemy forms too (else "
      "$DATABASE_URL, else DATABASE_URL in ./.env)");
  sub.add_option("--history-schema", options.history_schema,
                 "Schema of the stairway_history table (env STAIRWAY_HISTORY_SCHEMA)")
      ->envname("STAIRWAY_HISTORY_SCHEMA")
      ->capture_default_str();
}

namespace {

// A double-quoted .env value up to its closing quote, with \" \\ \n unescaped (as python-dotenv
// reads it); the whole rest when the quote is never closed.
std::string DoubleQuoted(std::string_view text) {
  std::string value;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') break;
    if (text[i] == '\\' && i + 1 < text.size()) {
      const char next = text[++i];
      value += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      continue;
    }
    value += text[i];
  }
  return value;
}

}  // namespace

std::optional<std::string> ReadDotEnv(const std::string& path, std::string_view key) {
  // A FIFO or device named .env would block or never end: only regular files are read.
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return std::nullopt;
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<std::string> found;
  std::string line;
  bool first = true;
  while (std::getline(in, line)) {
    std::string_view l = line;
    if (std::exchange(first, false) && l.starts_with("\xEF\xBB\xBF")) l.remove_prefix(3);
    l = Trim(l);
    if (l.empty() || l.front() == '#') continue;
    if (l.starts_with("export ") || l.starts_with("export\t")) l = Trim(l.substr(7));
    const std::size_t eq = l.find('=');
    if (eq == std::string_view::npos || Trim(l.substr(0, eq)) != key) continue;
    std::string_view value = Trim(l.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      found = DoubleQuoted(value.substr(1));
      continue;
    }
    if (!value.empty() && value.front() == '\'') {
      const std::size_t close = value.find('\'', 1);
      value = close == std::string_view::npos ? value.substr(1) : value.substr(1, close - 1);
    } else if (value.starts_with('#')) {
      value = {};
    } else if (const std::size_t hash = value.find_first_of("#");
               hash != std::string_view::npos &&
               (value[hash - 1] == ' ' || value[hash - 1] == '\t')) {
      value = Trim(value.substr(0, hash));
    }
    found = std::string(value);  // the last assignment wins, as in a shell
  }
  return found;
}

namespace {

bool IsAlembicPlaceholder(std::string_view url) {
  std::string scheme(url.substr(0, url.find("://")));
  for (char& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return url.find("://") != std::string_view::npos && scheme == "driver";
}

// `url` as a libpq URL, or StopError(kInput) that says where it came from.
std::string Checked(const std::string& url, const std::string& origin, bool from_file) {
  if (from_file && url.find("${") != std::string::npos) {
    throw StopError(Error::Input(fmt::format(
        "{} is \"{}\": stairway does not expand ${{...}} variables in files; write the URL out "
        "there, or set DATABASE_URL in the environment",
        origin, db::MaskPassword(url))));
  }
  Expected<std::string> converted = db::ToLibpqUrl(url);
  if (!converted) throw StopError(Error::Input(origin + ": " + converted.error().message));
  return std::move(converted).value();
}

}  // namespace

std::string ResolveDatabaseUrl(const GlobalOptions& global, const UrlLookup& lookup) {
  if (global.database_url && !global.database_url->empty()) {
    return Checked(*global.database_url, "--database-url", false);
  }
  if (const char* env = std::getenv("DATABASE_URL"); env != nullptr && *env != '\0') {
    return Checked(env, "DATABASE_URL in the environment", false);
  }
  std::vector<std::string> looked = {"--database-url", "$DATABASE_URL", "DATABASE_URL in ./.env"};
  if (std::optional<std::string> url = ReadDotEnv(".env", "DATABASE_URL"); url && !url->empty()) {
    return Checked(*url, "DATABASE_URL in ./.env", true);
  }
  if (lookup.project_dir) {
    std::error_code ec;
    const std::filesystem::path env_file = *lookup.project_dir / ".env";
    if (!std::filesystem::equivalent(*lookup.project_dir, ".", ec)) {
      const std::string shown = env_file.lexically_normal().string();
      looked.push_back("DATABASE_URL in " + shown);
      if (std::optional<std::string> url = ReadDotEnv(env_file.string(), "DATABASE_URL");
          url && !url->empty()) {
        return Checked(*url, "DATABASE_URL in " + shown, true);
      }
    }
  }
  if (lookup.project_dir || lookup.ini_url) {
    looked.push_back("sqlalchemy.url in " + lookup.ini_path);
    if (lookup.ini_url && !lookup.ini_url->empty() && !IsAlembicPlaceholder(*lookup.ini_url)) {
      return Checked(*lookup.ini_url, "sqlalchemy.url in " + lookup.ini_path, true);
    }
  }
  throw StopError(Error::Input(fmt::format(
      "no database to connect to (looked at {}): pass --database-url URL, set DATABASE_URL, or "
      "put DATABASE_URL=postgresql://... in ./.env",
      fmt::join(looked, ", "))));
}

db::Session ConnectToUserDatabase(const std::string& url) {
  db::Session session = ConnectWaiting(url);  // --wait
  session.SkipExitWait();
  return session;
}

namespace {

// Which units a duration may use: stairway's flags take "m" for minutes; PostgreSQL settings
// take "d" for days but not "m".
enum class Units { kStairway, kPostgres };

// "10s", "500ms", "2min", "1h", a bare number in seconds: milliseconds, or nullopt when it is not
// a duration. May be huge: callers check the range before converting.
std::optional<double> DurationMs(std::string_view text, Units units) {
  const bool postgres = units == Units::kPostgres;
  double number = 0;
  std::string_view unit;
  if (!SplitNumber(Trim(text), number, unit) || !std::isfinite(number)) return std::nullopt;
  if (unit.empty() || unit == "s") return number * 1000;
  if (unit == "ms") return number;
  if (unit == "min" || (unit == "m" && !postgres)) return number * 60'000;
  if (unit == "h") return number * 3'600'000;
  if (postgres && unit == "d") return number * 86'400'000;
  return std::nullopt;
}

constexpr double kYearMs = 365.0 * 86'400'000;

}  // namespace

std::chrono::milliseconds ParseWait(std::string_view text, std::string_view flag) {
  const std::optional<double> ms = DurationMs(text, Units::kStairway);
  if (ms && *ms > kYearMs) {
    throw StopError(Error::Input(fmt::format(
        "bad {} \"{}\": too long; at most a year (8760h), or 0 for no waiting", flag, text)));
  }
  if (ms) return std::chrono::milliseconds(static_cast<long long>(*ms));
  throw StopError(Error::Input(
      fmt::format("bad {} \"{}\": expected a duration such as 10s, 500ms, 2min or 0 (no waiting)",
                  flag, text)));
}

int ParseConnectTimeout(std::string_view text, std::string_view flag) {
  const std::optional<double> ms = DurationMs(text, Units::kStairway);
  if (ms && *ms > kYearMs) {
    throw StopError(Error::Input(fmt::format(
        "bad {} \"{}\": too long; at most a year (8760h), or 0 for no limit", flag, text)));
  }
  if (ms) return static_cast<int>(std::ceil(*ms / 1000));
  throw StopError(Error::Input(fmt::format(
      "bad {} \"{}\": expected whole seconds such as 10 or 30s, or 0 for no limit", flag, text)));
}

std::string CheckTimeoutSetting(std::string_view text, std::string_view flag) {
  const std::optional<double> ms = DurationMs(text, Units::kPostgres);
  if (ms && *ms > static_cast<double>(INT_MAX)) {
    throw StopError(Error::Input(fmt::format(
        "bad {} \"{}\": too long; PostgreSQL takes at most 2147483647ms (about 24 days), or 0 "
        "to disable it",
        flag, text)));
  }
  if (ms) return std::string(Trim(text));
  throw StopError(Error::Input(fmt::format(
      "bad {} \"{}\": expected a PostgreSQL duration such as 5s, 250ms or 1min (0 disables it)",
      flag, text)));
}

void AddApplyFlags(CLI::App& sub, ApplyFlags& flags) {
  sub.add_option("--lock-wait", flags.lock_wait,
                 "How long to wait for another run's migration lock (e.g. 30s, 0)")
      ->capture_default_str();
  sub.add_option("--lock-timeout", flags.lock_timeout,
                 "SET lock_timeout for every revision (e.g. 5s): fail instead of queueing behind "
                 "long transactions");
  sub.add_option("--statement-timeout", flags.statement_timeout,
                 "SET statement_timeout for every revision (e.g. 10min)");
  sub.add_flag("--allow-edited", flags.allow_edited,
               "Go on although applied migrations were edited since (see `stairway status`)");
}

applier::Options MakeApplierOptions(const ApplyFlags& flags, const DatabaseOptions& db) {
  applier::Options options;
  options.history_schema = db.history_schema;
  options.lock_wait = ParseWait(flags.lock_wait, "--lock-wait");
  if (!flags.lock_timeout.empty()) {
    options.lock_timeout = CheckTimeoutSetting(flags.lock_timeout, "--lock-timeout");
  }
  if (!flags.statement_timeout.empty()) {
    options.statement_timeout = CheckTimeoutSetting(flags.statement_timeout, "--statement-timeout");
  }
  if (db.history_schema.empty()) {
    throw StopError(Error::Input("--history-schema must not be empty"));
  }
  return options;
}

std::string FormatMs(std::chrono::milliseconds ms) {
  if (ms.count() < 10'000) return fmt::format("{} ms", ms.count());
  return fmt::format("{:.1f} s", static_cast<double>(ms.count()) / 1000.0);
}

std::optional<std::vector<history::Row>> ReadHistoryReadOnly(db::Session& session,
                                                             const history::Table& table) {
  history::Reader reader(session, table);
  if (!reader.Exists()) return std::nullopt;
  reader.FormatVersion().ValueOrThrow();
  return reader.Rows();
}

void ConsoleObserver::WaitingForLock(const std::optional<applier::LockHolder>& holder) {
  std::fflush(stdout);
  if (holder) {
    fmt::print(stderr,
               "waiting for pid {} (started at {} UTC, application \"{}\") that holds stairway's "
               "migration lock on {}\n",
               holder->pid, holder->since, holder->application, table_);
  } else {
    fmt::print(stderr, "waiting for stairway's migration lock on {}\n", table_);
  }
}

void ConsoleObserver::StepStarted(const applier::PreparedStep& step) {
  const bool up = step.step.direction == history::Direction::kUp;
  const bool tx = step.step.tx_mode() == source::TxMode::kTransaction;
  // Out/FlushOut: a closed stdout never stops a revision half-way (RunMigrate stops after it).
  Out(fmt::format("  {:<5}{}{} ... ", up ? "up" : "down", step.step.revision->Label(),
                  tx ? "" : " (non-transactional)"));
  FlushOut();
  open_line_ = true;
}

void ConsoleObserver::StepFinished(const applier::PreparedStep&, std::chrono::milliseconds took) {
  Out(fmt::format("ok ({})\n", FormatMs(took)));
  FlushOut();
  open_line_ = false;
}

void ConsoleObserver::StepFailed() {
  if (!open_line_) return;
  Out("FAILED\n");
  FlushOut();
  open_line_ = false;
}

}  // namespace stairway::cli

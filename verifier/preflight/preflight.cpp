// The preflight rehearsal; see preflight.h.
#include "verifier/preflight/preflight.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <future>
#include <system_error>

#include "runner/common/checksum.h"
#include "runner/common/error.h"
#include "runner/common/process.h"
#include "runner/db/conninfo.h"
#include "runner/history/alembic_version.h"
#include "runner/planner/planner.h"
#include "verifier/preflight/tools.h"

namespace stairway::verifier::preflight {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// The tables a target's record may live in, restored with the data even under --schema-only.
// (pg_restore's --table takes sequences too: the history's id sequence goes with its rows.)
const std::vector<std::string> kRecordTables = {"stairway_history", "stairway_history_id_seq",
                                                "schema_migrations", "alembic_version"};

// "app_20261206_213005" (UTC): the backup's name without extension.
std::string BackupStem(const std::string& dbname) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d_%H%M%S", &tm);
  std::string name;
  for (char c : dbname.empty() ? std::string("database") : dbname) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '-';
    name += plain ? c : '_';
  }
  return name + "_" + stamp;
}

// Creates `path` empty, private (0600) and new (never an existing file or link): pg_dump then
// writes into it and the mode stays.
void CreatePrivateFile(const fs::path& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw StopError(
        Error::Input(fmt::format("{}: cannot create the backup file: {}; pass a "
                                 "writable --backup-dir",
                                 path.string(), std::strerror(errno))));
  }
  ::close(fd);
}

// What the target (read inside a READ ONLY transaction) says about itself.
struct TargetFacts {
  int server_major = 0;
  std::vector<std::string> record_tables;  // of kRecordTables, those that exist (schema.table)
};

TargetFacts ReadTarget(db::Session& live, const applier::Options& options) {
  TargetFacts facts;
  facts.server_major = live.server_version_num() / 10000;
  live.Exec("SET default_transaction_read_only = on");
  live.Exec("BEGIN TRANSACTION READ ONLY");
  try {
    const db::QueryResult r = live.Query(
        "SELECT n.nspname || '.' || c.relname FROM pg_catalog.pg_class c "
        "JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind IN ('r', 'p') AND (c.relname = ANY ($1::text[])) "
        "AND (c.relname <> 'stairway_history' OR n.nspname = $2) "
        "AND n.nspname NOT IN ('pg_catalog', 'information_schema')",
        {"{stairway_history,schema_migrations,alembic_version}", options.history_schema});
    for (const db::Row& row : r.rows) facts.record_tables.push_back(row[0].value_or(""));
  } catch (...) {
    live.Rollback();
    throw;
  }
  live.Rollback();
  return facts;
}

// The record in the restored copy, as the planner needs it: stairway's history, or
// dbmate/golang-migrate's schema_migrations stamped into stairway's history first.
struct Record {
  std::string name = "none";
  planner::Reconciled state;
  std::vector<history::Row> rows;
};

std::optional<std::string> Cell(db::Session& session, const std::string& sql) {
  const db::QueryResult r = session.Query(sql);
  if (r.rows.empty() || r.rows[0].empty()) return std::nullopt;
  return r.rows[0][0];
}

Record ReadRecord(db::Session& copy, applier::Runner& runner, const source::MigrationSet& set,
                  Result& result) {
  Record record;
  record.rows = runner.ReadHistory();
  if (Cell(copy, "SELECT to_regclass(" + db::QuoteLiteral(runner.table().QualifiedSql()) +
                     ") IS NOT NULL") == "t") {
    record.name = runner.table().DisplayName();
    record.state = planner::Reconcile(set, record.rows);
    return record;
  }
  if (Cell(copy, "SELECT to_regclass('schema_migrations') IS NOT NULL") != "t") {
    result.notes.push_back(
        "the target has no migration record (no " + runner.table().DisplayName() +
        ", no schema_migrations): every revision is pending, as for an empty database");
    record.state = planner::Reconcile(set, {});
    return record;
  }
  // golang-migrate keeps one row (version bigint, dirty); dbmate one row per applied version.
  const bool golang =
      Cell(copy,
           "SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = "
           "'schema_migrations'::regclass AND attname = 'dirty' AND attnum > 0") == "1";
  record.name = golang ? "schema_migrations (golang-migrate)" : "schema_migrations (dbmate)";
  const db::QueryResult r =
      copy.Query(golang ? "SELECT version::text, dirty::text FROM "
                          "schema_migrations"
                        : "SELECT version::text, NULL FROM schema_migrations");
  const source::Revision* newest = nullptr;
  for (const db::Row& row : r.rows) {
    const std::string version = row[0].value_or("");
    if (row[1] == std::optional<std::string>("true")) {
      result.notes.push_back(fmt::format(
          "schema_migrations marks version {} dirty: it failed half-way on the target; the "
          "rehearsal takes it as applied",
          version));
    }
    for (const source::Revision& rev : set.revisions) {
      if (source::CompareVersions(rev.version, version) != 0) continue;
      if (newest == nullptr || source::CompareVersions(rev.version, newest->version) > 0) {
        newest = &rev;
      }
    }
  }
  // Stamped into stairway's history on the copy (never on the target), so the runner plans
  // and records as it would for its own history.
  runner.EnsureHistory();
  runner.Stamp(set, planner::Reconcile(set, {}), newest);
  record.rows = runner.ReadHistory();
  record.state = planner::Reconcile(set, record.rows);
  return record;
}

}  // namespace

bool Result::HasFindings() const {
  return !failures.empty() || (drift_before && drift_before->HasDrift()) ||
         (drift_after && drift_after->HasDrift());
}

Outcome Run(const Request& request, Listener& listener) {
  const source::MigrationSet& set = *request.set;
  if (request.against.has_value() == request.from_dump.has_value()) {
    throw StopError(Error::Input(
        "preflight needs exactly one of --against URL (the target, read only) or --from-dump "
        "FILE (a pg_dump archive made earlier); see stairway preflight --help"));
  }
  const bool alembic = source::IsAlembic(set);
  if (alembic && !request.code_steps) {
    throw StopError(Error::Internal("preflight of an Alembic project needs its Python helper"));
  }
  if (request.jobs < 1) throw StopError(Error::Input("--jobs must be 1 or more"));
  Outcome outcome;
  Result& result = outcome.result;
  result.schema_only = request.schema_only;

  // 1. The backup: made from the target, or the file given.
  fs::path archive;
  std::optional<fs::path> record_archive;  // --schema-only --against: the record's rows
  std::optional<fs::path> pg_dump_path = request.pg_dump;
  std::future<std::unique_ptr<sandbox::Sandbox>> box_future;
  if (request.against) {
    const std::string& url = *request.against;
    TargetFacts facts;
    {
      db::Session live = db::Session::Connect(url);
      live.SkipExitWait();
      result.target = live.masked_url();
      facts = ReadTarget(live, request.applier);
    }
    result.server_major = facts.server_major;
    const fs::path pg_dump = FindProgram("pg_dump", request.pg_dump, facts.server_major);
    const ProgramVersion version = VersionOf(pg_dump).ValueOrThrow();
    if (std::optional<std::string> problem =
            DumpVersionProblem(pg_dump, version, facts.server_major)) {
      throw StopError(Error::Input(*problem));
    }
    pg_dump_path = pg_dump;
    // The throwaway cluster starts while pg_dump works.
    box_future = std::async(std::launch::async,
                            [&request] { return sandbox::OpenSandbox(request.sandbox); });
    const ProgramConnection connection = ConnectionFor(url).ValueOrThrow();
    std::error_code ec;
    fs::create_directories(request.backup_dir, ec);
    const std::string stem = BackupStem(connection.dbname);
    archive = request.backup_dir / (stem + (request.schema_only ? ".schema.dump" : ".dump"));
    // Written under a .partial name and renamed when pg_dump is done: a file with the final name
    // is always a whole backup, even after a Ctrl-C.
    const fs::path partial = archive.string() + ".partial";
    if (fs::exists(fs::symlink_status(archive, ec))) {
      throw StopError(
          Error::Input(fmt::format("{}: exists already; wait a second or pass another "
                                   "--backup-dir",
                                   archive.string())));
    }
    CreatePrivateFile(partial);
    listener.Progress(fmt::format("dumping {} with {} ({}) into {}", result.target,
                                  pg_dump.string(), version.line, archive.string()));
    const Clock::time_point started = Clock::now();
    std::vector<std::string> argv = {pg_dump.string(), "--format=custom", "--no-password",
                                     "--file=" + partial.string()};
    if (request.schema_only) argv.push_back("--schema-only");
    argv.push_back("--dbname=" + connection.conninfo);
    if (Status s = RunProgram(argv, connection.env, "pg_dump", url); !s.ok()) {
      fs::remove(partial, ec);
      throw StopError(s.error());
    }
    fs::rename(partial, archive, ec);
    if (ec) {
      throw StopError(Error::Input(fmt::format("{}: cannot rename the finished backup: {}",
                                               partial.string(), ec.message())));
    }
    if (request.schema_only && !facts.record_tables.empty()) {
      // The record's rows are what the rehearsal plans from: a second, small dump of them.
      record_archive = request.backup_dir / ("." + stem + ".record.dump");
      CreatePrivateFile(*record_archive);
      std::vector<std::string> record_argv = {pg_dump.string(), "--format=custom", "--no-password",
                                              "--data-only", "--file=" + record_archive->string()};
      for (const std::string& table : facts.record_tables) {
        record_argv.push_back("--table=" + table);
      }
      record_argv.push_back("--dbname=" + connection.conninfo);
      if (Status s = RunProgram(record_argv, connection.env, "pg_dump (the record's rows)", url);
          !s.ok()) {
        fs::remove(*record_archive, ec);
        fs::remove(archive, ec);
        throw StopError(s.error());
      }
    }
    result.backup.made = true;
    result.backup.pg_dump = version.line;
    result.backup.dump_ms = MsSince(started);
  } else {
    archive = *request.from_dump;
    result.target = archive.string();
    std::error_code ec;
    if (!fs::is_regular_file(archive, ec)) {
      throw StopError(Error::Input(fmt::format(
          "{}: no such file (or not a regular file); --from-dump takes a pg_dump archive "
          "(pg_dump -Fc)",
          archive.string())));
    }
  }
  result.backup.path = archive;
  {
    std::error_code ec;
    result.backup.bytes = fs::file_size(archive, ec);
    result.backup.sha256 = Sha256OfFile(archive).value_or("");
  }
  struct RemoveRecordArchive {
    std::optional<fs::path>& path;
    ~RemoveRecordArchive() {
      std::error_code ec;
      if (path) fs::remove(*path, ec);
    }
  } remove_record_archive{record_archive};

  const fs::path pg_restore =
      FindProgram("pg_restore", request.pg_restore, result.server_major, pg_dump_path);
  // A file pg_restore cannot read is the user's input: said before any database is made.
  if (!request.against) {
    Status listed = RunProgram({pg_restore.string(), "--list", archive.string()},
                               process::MinimalEnvironment(), "pg_restore --list", "");
    if (!listed.ok()) {
      throw StopError(Error::Input(fmt::format(
          "{}: not a pg_dump archive pg_restore can read ({}); make one with pg_dump -Fc (a "
          "plain SQL dump, pg_dump > file.sql, cannot be restored by pg_restore)",
          archive.string(), listed.error().message)));
    }
  }

  // 2. The restore into a throwaway database.
  outcome.box = box_future.valid() ? box_future.get() : sandbox::OpenSandbox(request.sandbox);
  outcome.database = outcome.box->CreateDatabase();
  const std::string copy_url = outcome.database->url();
  {
    const ProgramConnection connection = ConnectionFor(copy_url).ValueOrThrow();
    listener.Progress(
        fmt::format("restoring {} into the throwaway database {} (pg_restore "
                    "--jobs {})",
                    archive.filename().string(), outcome.database->name(), request.jobs));
    const Clock::time_point started = Clock::now();
    // Owners and grants name roles the throwaway server does not have.
    std::vector<std::string> argv = {pg_restore.string(),
                                     "--no-owner",
                                     "--no-acl",
                                     "--no-password",
                                     "--exit-on-error",
                                     fmt::format("--jobs={}", request.jobs),
                                     "--dbname=" + connection.conninfo};
    if (request.schema_only) argv.push_back("--schema-only");
    argv.push_back(archive.string());
    if (Status s = RunProgram(argv, connection.env, "pg_restore", copy_url); !s.ok()) {
      if (!request.against) {
        throw StopError(
            Error::Input(fmt::format("{}: cannot be restored (damaged or incomplete?): {}",
                                     archive.string(), s.error().message)));
      }
      throw StopError(s.error());
    }
    // --schema-only still needs the record's rows.
    if (request.schema_only) {
      std::vector<std::string> data = {pg_restore.string(),
                                       "--data-only",
                                       "--no-owner",
                                       "--no-acl",
                                       "--no-password",
                                       "--exit-on-error",
                                       "--dbname=" + connection.conninfo};
      for (const std::string& table : kRecordTables) data.push_back("--table=" + table);
      data.push_back(record_archive ? record_archive->string() : archive.string());
      if (request.against == std::nullopt || record_archive) {
        if (Status s = RunProgram(data, connection.env, "pg_restore (the record's rows)", copy_url);
            !s.ok()) {
          throw StopError(s.error());
        }
      }
    }
    result.restore_ms = MsSince(started);
  }

  // 3. The record, drift before, the pending revisions with the trace, drift after.
  db::Session copy = db::Session::Connect(copy_url);
  result.sandbox_major = copy.server_version_num() / 10000;
  if (result.server_major != 0 && result.server_major != result.sandbox_major) {
    result.notes.push_back(fmt::format(
        "the target runs PostgreSQL {}, the throwaway server {}: locks and rewrites can differ "
        "between major versions (--server-url names a server of the target's version)",
        result.server_major, result.sandbox_major));
  }
  Tracer tracer;
  applier::Runner runner(copy, request.applier, &tracer);
  Record record;
  std::unique_ptr<applier::CodeSteps> code;
  if (alembic) {
    // The record is alembic_version; the revisions run in the project's Python, connected to
    // the copy, with alembic_version kept there as Alembic keeps it.
    code = request.code_steps(copy);
    runner.UseAlembic(set, code.get());
    runner.ReadHistory();
    const history::AlembicVersionTable version_table(*set.alembic);
    record.name = version_table.DisplayName();
    record.state.applied = runner.AlembicApplied();
    const std::optional<std::vector<std::string>> rows = version_table.ReadRows(copy);
    if (!rows) {
      result.notes.push_back(
          fmt::format("the target has no {}: every revision is pending, as for an empty database",
                      version_table.DisplayName()));
    }
    result.record = record.name;
    result.recorded_revision =
        rows && !rows->empty() ? fmt::format("{}", fmt::join(*rows, ", ")) : "base";
  } else {
    record = ReadRecord(copy, runner, set, result);
    result.record = record.name;
    result.recorded_revision = record.state.current ? record.state.current->Label() : "base";
  }
  for (const history::Row* row : record.state.unknown) {
    result.notes.push_back(fmt::format("the record names revision {}, which {} does not have",
                                       row->Label(), set.dir.string()));
  }

  drift::AgainstOptions drift_options;
  drift_options.snapshot = request.snapshot;
  drift_options.snapshot.excluded_names.push_back("schema\\_migrations");
  drift_options.table = runner.table();
  // Alembic: the comparisons read the copy's alembic_version, and build the migrations at it
  // with a helper of their own.
  drift_options.code_steps = request.code_steps;
  if (request.drift) {
    listener.Progress(fmt::format("comparing the restored schema with {} at {}", set.dir.string(),
                                  result.recorded_revision));
    result.drift_before = drift::CheckAgainst(copy, *outcome.box, set, drift_options);
  }

  const planner::Plan plan =
      planner::PlanUpgrade(set, record.state.applied, alembic ? "heads" : "head").ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  for (const applier::PreparedStep& step : steps) {
    result.pending.push_back(step.step.revision->Label());
  }
  if (!steps.empty()) {
    listener.Progress(fmt::format("applying {} pending revision{} on the restored copy",
                                  steps.size(), steps.size() == 1 ? "" : "s"));
    runner.EnsureHistory();
  }
  const Clock::time_point apply_start = Clock::now();
  // A revision that fails is reported and the next ones still run (without it): a later
  // revision's own data problem shows in the same run. Their failures are marked as possibly
  // following from the earlier one.
  // A revision applied after one that failed: the copy is then at no revision of the history.
  std::optional<std::string> applied_past;
  for (const applier::PreparedStep& step : steps) {
    try {
      runner.RunStep(step);
      result.applied.push_back(step.step.revision->Label());
      if (!result.failures.empty() && !applied_past)
        applied_past = result.failures.front().revision;
    } catch (const applier::MigrationFailed& e) {
      tracer.StatementFailed(e.diagnostic().message);
      Failure f;
      f.revision = step.step.revision->Label();
      f.path = e.diagnostic().path;
      f.line = e.diagnostic().pos.line;
      f.column = e.diagnostic().pos.column;
      f.message = e.diagnostic().message;
      f.sqlstate = e.sqlstate();
      // The runner's help speaks of a deploy that just failed; here it is a warning ahead.
      f.rendered = e.what();
      if (const std::size_t help = f.rendered.rfind("\n  help: "); help != std::string::npos) {
        f.rendered.resize(help);
      }
      f.rendered += fmt::format(
          "\n  help: on the target, {} would fail the same way{}. Fix the data (or the migration) "
          "before the deploy",
          f.revision,
          e.rolled_back() ? " and roll back"
                          : ", half-applied (it runs outside a transaction), and block later runs");
      f.rolled_back = e.rolled_back();
      f.after_earlier_failure = !result.failures.empty();
      if (!tracer.statements().empty() && tracer.statements().back().failed &&
          tracer.statements().back().revision == f.revision) {
        f.statement = tracer.statements().back().text;
      }
      result.failures.push_back(std::move(f));
      listener.Progress(fmt::format("{} failed on the restored data", step.step.revision->Label()));
    }
  }
  result.apply_ms = MsSince(apply_start);
  result.statements = tracer.statements();

  if (request.drift && applied_past) {
    // The migrations at the newest applied revision include the failed one: every object it
    // would have made would show as drift.
    result.notes.push_back(fmt::format(
        "drift after applying is not compared: {} failed and later revisions applied without "
        "it, so the copy matches no revision of {}",
        *applied_past, set.dir.string()));
  } else if (request.drift) {
    listener.Progress(fmt::format(
        "comparing the result with {} at {}", set.dir.string(),
        result.failures.empty() ? (alembic ? "heads" : "head") : "the last revision applied"));
    result.drift_after = drift::CheckAgainst(copy, *outcome.box, set, drift_options);
  }
  outcome.exit_code = result.HasFindings() ? static_cast<int>(ExitCode::kFindings) : 0;
  return outcome;
}

}  // namespace stairway::verifier::preflight

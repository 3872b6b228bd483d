// `stairway preflight`: the pre-production rehearsal (verifier/preflight): back up the target
// read-only, restore into a throwaway database, apply what is pending there with a lock trace,
// and compare with the migrations before and after. Flags in, reports out.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>

#include "cli/alembic_model.h"
#include "cli/alembic_support.h"
#include "cli/connect_wait.h"
#include "cli/output.h"
#include "cli/runner_support.h"
#include "verifier/preflight/preflight.h"
#include "verifier/preflight/render.h"

namespace stairway::cli {

namespace {

namespace preflight = verifier::preflight;

struct PreflightArgs {
  SourceOptions source;
  DatabaseOptions db;
  std::string against;
  std::string from_dump;
  std::string backup_dir = ".";
  bool schema_only = false;
  int jobs = 2;
  std::string pg_dump;
  std::string pg_restore;
  std::string server_url;
  bool keep = false;
  bool no_drift = false;
  std::string json;
  std::string markdown;
  std::string html;
  std::string lock_timeout;
  std::string statement_timeout;
};

class ProgressLines : public preflight::Listener {
 public:
  explicit ProgressLines(bool quiet) : quiet_(quiet) {}
  void Progress(const std::string& line) override {
    if (quiet_) return;
    std::fflush(stdout);
    fmt::print(stderr, "{}\n", line);
  }

 private:
  bool quiet_;
};

int RunPreflight(const GlobalOptions& global, const PreflightArgs& args) {
  const source::MigrationSet set = LoadSet(args.source);
  preflight::Request request;
  request.set = &set;
  if (!args.against.empty()) request.against = db::ToLibpqUrl(args.against).ValueOrThrow();
  if (!args.from_dump.empty()) request.from_dump = args.from_dump;
  request.backup_dir = args.backup_dir;
  request.schema_only = args.schema_only;
  request.jobs = args.jobs;
  if (!args.pg_dump.empty()) request.pg_dump = args.pg_dump;
  if (!args.pg_restore.empty()) request.pg_restore = args.pg_restore;
  if (!args.server_url.empty()) request.sandbox.server_url = args.server_url;
  request.sandbox.connect_server = ConnectWaiting;
  request.sandbox.keep = args.keep;
  request.applier.history_schema = args.db.history_schema;
  if (!args.lock_timeout.empty()) {
    request.applier.lock_timeout = CheckTimeoutSetting(args.lock_timeout, "--lock-timeout");
  }
  if (!args.statement_timeout.empty()) {
    request.applier.statement_timeout =
        CheckTimeoutSetting(args.statement_timeout, "--statement-timeout");
  }
  // Owners differ by construction: the copy is restored without them.
  request.snapshot.owners = schema::Owners::kIgnore;
  request.drift = !args.no_drift;
  if (IsAlembic(set)) {
    request.code_steps = AlembicCodeSteps(set, args.source);
    request.snapshot = WithoutAlembicVersion(set, request.snapshot);
  }

  ProgressLines progress(global.quiet);
  preflight::Outcome outcome = preflight::Run(request, progress);
  const preflight::Result& result = outcome.result;
  if (!args.json.empty()) WriteFileChecked(args.json, preflight::RenderJson(result), "JSON report");
  if (!args.markdown.empty()) {
    WriteFileChecked(args.markdown, preflight::RenderMarkdown(result), "Markdown report");
  }
  if (!args.html.empty()) WriteFileChecked(args.html, preflight::RenderHtml(result), "HTML report");
  Out(preflight::RenderText(result));
  if (args.keep && outcome.box) {
    FlushOut();
    fmt::print(stderr, "Kept the throwaway database {}:\n{}\n", outcome.database->name(),
               outcome.box->ConnectHelp());
  }
  return outcome.exit_code;
}

}  // namespace

RunFn SetupPreflight(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<PreflightArgs>();
  AddSourceOptions(sub, args->source, DirArgument::kPositional);
  sub.add_option("--against", args->against,
                 "The target database (production): dumped with pg_dump and read inside READ "
                 "ONLY transactions only; a role that can only read is enough");
  sub.add_option("--from-dump", args->from_dump,
                 "Rehearse on a pg_dump archive made earlier (pg_dump -Fc) instead of --against");
  sub.add_option("--backup-dir", args->backup_dir,
                 "Where the backup of --against is kept, as <db>_<UTC time>.dump (mode 0600)")
      ->capture_default_str();
  sub.add_flag("--schema-only", args->schema_only,
               "Dump and restore the schema only (plus the migration record's rows): a quick "
               "rehearsal of locks and drift, without the data's failures and timings");
  sub.add_option("--jobs,-j", args->jobs, "pg_restore --jobs (the dump is custom format, one job)")
      ->capture_default_str();
  sub.add_option("--pg-dump", args->pg_dump,
                 "The pg_dump to use (default: the server's version's, else pg_dump on PATH)")
      ->envname("STAIRWAY_PG_DUMP");
  sub.add_option("--pg-restore", args->pg_restore,
                 "The pg_restore to use (default: next to pg_dump, else on PATH)")
      ->envname("STAIRWAY_PG_RESTORE");
  sub.add_option("--server-url", args->server_url,
                 "Restore into a temporary database on this server (a bigger one, or one of the "
                 "target's version) instead of a private cluster");
  sub.add_flag("--keep", args->keep,
               "Keep the throwaway database with the rehearsal's result and print how to connect");
  sub.add_flag("--no-drift", args->no_drift, "Skip the two drift comparisons");
  sub.add_option("--lock-timeout", args->lock_timeout,
                 "lock_timeout for each revision, as the deploy will set it (e.g. 5s)");
  sub.add_option("--statement-timeout", args->statement_timeout,
                 "statement_timeout for each revision (e.g. 10min)");
  sub.add_option("--json", args->json, "Also write the JSON report to this file");
  sub.add_option("--markdown", args->markdown, "Also write the Markdown report to this file");
  sub.add_option("--html", args->html,
                 "Also write an HTML page with the SVG timeline of the statements (coloured by "
                 "lock mode, rewrites marked) to this file");
  sub.add_option("--history-schema", args->db.history_schema,
                 "Schema of the target's stairway_history table")
      ->envname("STAIRWAY_HISTORY_SCHEMA")
      ->capture_default_str();
  sub.footer(
      "Backs up the target with pg_dump (custom format; never writes to it), keeps the backup\n"
      "(size and SHA-256 printed), restores it into a throwaway database with pg_restore, and\n"
      "applies there what the target's record (stairway_history, or schema_migrations of\n"
      "dbmate/golang-migrate) says is pending: each statement with its duration, the locks it\n"
      "took and what they block on a live system, table rewrites, index builds and rows. A\n"
      "revision that fails on the real data is reported at file:line with the server's message\n"
      "and the later revisions still run. The restored schema is compared with the migrations\n"
      "at the recorded revision (hand-made changes) and, after applying, with head.\n"
      "Durations are measured on the copy on this machine, not on production.\n"
      "\n"
      "Examples:\n"
      "  stairway preflight --against postgresql://readonly@prod/app migrations\n"
      "  stairway preflight --against \"$PROD_URL\" --backup-dir /backups --html preflight.html\n"
      "  stairway preflight --from-dump app_20260101_120000.dump migrations\n"
      "  stairway preflight --against \"$PROD_URL\" --schema-only --server-url "
      "postgresql://ci@pg16/\n"
      "\n"
      "Exit codes: 0 clean, 1 a revision failed or drift, 2 bad input (damaged dump, pg_dump\n"
      "older than the server), 3 database error (target unreachable, dump or restore failed).");
  return [&global, args] { return RunPreflight(global, *args); };
}

}  // namespace stairway::cli

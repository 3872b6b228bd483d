// `stairway stamp REV|base`: rewrite the history to "applied through REV" without running SQL.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

struct StampArgs {
  SourceOptions source;
  DatabaseOptions db;
  std::string lock_wait = "5min";
  std::vector<std::string> targets;
};

int RunStamp(const GlobalOptions& global, const StampArgs& args) {
  const source::MigrationSet set = LoadSet(args.source);
  applier::Options options;
  options.history_schema = args.db.history_schema;
  options.lock_wait = ParseWait(args.lock_wait, "--lock-wait");
  if (IsAlembic(set)) return AlembicStamp(global, set, options, args.targets);
  if (args.targets.size() != 1) {
    throw StopError(Error::Input(
        "stamp takes one revision for this format (several only for Alembic branches)"));
  }
  const std::string& name = args.targets.front();
  const source::Revision* target = nullptr;
  if (name != "base") target = planner::ResolveRevision(set, name).ValueOrThrow();
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global));
  ConsoleObserver observer(history::Table(options.history_schema).DisplayName());
  applier::Runner runner(session, options, &observer);
  runner.EnsureHistory();
  const std::vector<history::Row> rows = runner.ReadHistory();
  const planner::Reconciled state = planner::Reconcile(set, rows);
  const std::vector<std::string> changes = runner.Stamp(set, state, target);
  for (const std::string& change : changes) fmt::print("  {}\n", change);
  fmt::print("{} now records {} as the newest applied revision{}.\n", runner.table().DisplayName(),
             target ? target->Label() : "base", changes.empty() ? " (it already did)" : "");
  return 0;
}

}  // namespace

RunFn SetupStamp(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<StampArgs>();
  sub.add_option("revision", args->targets,
                 "Revision to record as the newest applied (a unique prefix will do), head, or "
                 "base (Alembic: several revisions too, one per branch)")
      ->required();
  AddSourceOptions(sub, args->source);
  AddDatabaseOptions(sub, global, args->db);
  sub.add_option("--lock-wait", args->lock_wait, "How long to wait for the migration lock")
      ->capture_default_str();
  sub.footer(
      "Runs no migration SQL: makes the history say that REV and every revision before it are\n"
      "applied and nothing after it is (failed attempts at or before REV count as applied, rows\n"
      "after REV or not in the set are removed). Use it after finishing or undoing a failed\n"
      "non-transactional revision by hand, or to adopt a database built another way.\n"
      "\n"
      "Examples:\n"
      "  stairway stamp 0005                    0001..0005 applied, later ones pending\n"
      "  stairway stamp 0006_add_sessions       a revision can be named by its label too\n"
      "  stairway stamp head                    every revision applied (adopt a built database)\n"
      "  stairway stamp base                    the history says nothing is applied\n"
      "\n"
      "Alembic projects: alembic_version is rewritten exactly as `alembic stamp` would (one row\n"
      "per applied head, depends_on counted) and the history follows it:\n"
      "  stairway stamp head                    adopt a database built another way\n"
      "  stairway stamp ab12 cd34               two branches, one row each");
  return [&global, args] { return RunStamp(global, *args); };
}

}  // namespace stairway::cli

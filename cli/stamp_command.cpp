// `stairway stamp REV|base`: rewrite the history to "applied through REV" without running SQL.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/runner_support.h"
#include "cli/setup.h"

namespace stairway::cli {

namespace {

struct StampArgs {
  std::string lock_wait = "5min";
  std::vector<std::string> targets;
  // From the check, before connecting.
  applier::Options options;
  const source::Revision* target = nullptr;  // nullptr: base
};

// The setup stage's check: bad flags and unknown revisions are input errors before connecting.
void CheckStamp(StampArgs& args, const DatabaseOptions& db, const source::MigrationSet& set) {
  args.options.history_schema = db.history_schema;
  args.options.lock_wait = ParseWait(args.lock_wait, "--lock-wait");
  if (IsAlembic(set)) return;
  if (args.targets.size() != 1) {
    throw StopError(Error::Input(
        "stamp takes one revision for this format (several only for Alembic branches)"));
  }
  const std::string& name = args.targets.front();
  if (name != "base") args.target = planner::ResolveRevision(set, name).ValueOrThrow();
}

// The set and session come from the setup stage (kWritesHistory).
int RunStamp(const GlobalOptions& global, const StampArgs& args, Project& project) {
  const source::MigrationSet& set = *project.set;
  const applier::Options& options = args.options;
  if (IsAlembic(set)) return AlembicStamp(global, set, options, args.targets);
  const source::Revision* target = args.target;
  db::Session& session = *project.session;
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

RunFn SetupStamp(CLI::App& sub, GlobalOptions& global, Project& project) {
  auto args = std::make_shared<StampArgs>();
  sub.add_option("revision", args->targets,
                 "Revision to record as the newest applied (a unique prefix will do), head, or "
                 "base (Alembic: several revisions too, one per branch)")
      ->required();
  AddSourceOptions(sub, project.source);
  AddDatabaseOptions(sub, global, project.db);
  sub.add_option("--lock-wait", args->lock_wait, "How long to wait for the migration lock")
      ->capture_default_str();
  project.check = [args, &project](const source::MigrationSet& set) {
    CheckStamp(*args, project.db, set);
  };
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
  return [&global, args, &project] { return RunStamp(global, *args, project); };
}

}  // namespace stairway::cli

// `stairway stamp REV|base`: rewrite the history to "applied through REV" without running SQL.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

struct StampArgs {
  SourceOptions source;
  DatabaseOptions db;
  std::string lock_wait = "10s";
  std::string target;
};

int RunStamp(const GlobalOptions& global, const StampArgs& args) {
  const source::MigrationSet set = LoadSet(args.source);
  const source::Revision* target = nullptr;
  if (args.target != "base") target = planner::ResolveRevision(set, args.target).ValueOrThrow();
  applier::Options options;
  options.history_schema = args.db.history_schema;
  options.lock_wait = ParseWait(args.lock_wait, "--lock-wait");
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
  sub.add_option("revision", args->target, "Revision to record as the newest applied, or base")
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
      "  stairway stamp base                    the history says nothing is applied");
  return [&global, args] { return RunStamp(global, *args); };
}

}  // namespace stairway::cli

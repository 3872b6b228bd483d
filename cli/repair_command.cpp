// `stairway repair`: resolve failed/interrupted non-transactional attempts (and, if asked,
// accept edited checksums) after the database was fixed by hand.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/runner_support.h"
#include "cli/setup.h"

namespace stairway::cli {

namespace {

struct RepairArgs {
  std::string lock_wait = "5min";
  bool accept_edits = false;
  applier::Options options;  // from the check, before connecting
};

// The set and session come from the setup stage (kRepair).
int RunRepair(const RepairArgs& args, Project& project) {
  const source::MigrationSet& set = *project.set;
  const applier::Options& options = args.options;
  db::Session& session = *project.session;
  ConsoleObserver observer(history::Table(options.history_schema).DisplayName());
  applier::Runner runner(session, options, &observer);
  const history::Table& table = runner.table();
  if (!history::Reader(session, table).Exists()) {
    fmt::print("{}: nothing to repair\n", kNoHistoryTable);
    return 0;
  }
  const std::vector<history::Row> rows = runner.ReadHistory();
  const planner::Reconciled state = planner::Reconcile(set, rows);
  const std::vector<std::string> changes = runner.Repair(
      state, args.accept_edits ? applier::EditedPolicy::kAllow : applier::EditedPolicy::kRefuse);
  if (changes.empty()) {
    fmt::print("Nothing to repair in {}.\n", table.DisplayName());
    return 0;
  }
  for (const std::string& change : changes) fmt::print("  {}\n", change);
  fmt::print("Repaired {}.\n", table.DisplayName());
  return 0;
}

}  // namespace

RunFn SetupRepair(CLI::App& sub, GlobalOptions& global, Project& project) {
  auto args = std::make_shared<RepairArgs>();
  AddSourceOptions(sub, project.source);
  AddDatabaseOptions(sub, global, project.db);
  // A bad --lock-wait is an input error before connecting.
  project.check = [args, &project](const source::MigrationSet&) {
    args->options.history_schema = project.db.history_schema;
    args->options.lock_wait = ParseWait(args->lock_wait, "--lock-wait");
  };
  sub.add_option("--lock-wait", args->lock_wait, "How long to wait for the migration lock")
      ->capture_default_str();
  sub.add_flag("--accept-edits", args->accept_edits,
               "Also record the current checksum of applied revisions whose files were edited");
  sub.footer(
      "After a non-transactional revision failed or was interrupted and you fixed the database\n"
      "by hand: a failed up attempt is forgotten (the revision is pending and the next upgrade\n"
      "runs it again); a failed down attempt is forgotten (the revision counts as applied). To\n"
      "count a failed revision as done instead, use `stairway stamp REV`.\n"
      "\n"
      "Examples:\n"
      "  stairway repair                        then: stairway upgrade\n"
      "  stairway repair --accept-edits         the edited files are now the truth");
  return [args, &project] { return RunRepair(*args, project); };
}

}  // namespace stairway::cli

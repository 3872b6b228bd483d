// `stairway current`: the newest applied revision of the database.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/json_output.h"
#include "cli/runner_support.h"
#include "cli/setup.h"

namespace stairway::cli {

namespace {

struct CurrentArgs {
  bool verbose = false;
  std::string report = "text";
};

// The set, session and rows come from the setup stage (kReadsHistory).
int RunCurrent(const GlobalOptions& global, const CurrentArgs& args, Project& project) {
  const source::MigrationSet& set = *project.set;
  const bool json = args.report == "json";
  if (IsAlembic(set)) return AlembicCurrent(global, set, args.verbose, json);
  db::Session& session = *project.session;
  const history::Table table = project.table();
  const std::optional<std::vector<history::Row>>& rows = project.rows;
  if (json) {
    const std::vector<history::Row> empty;
    const planner::Reconciled state = planner::Reconcile(set, rows ? *rows : empty);
    nlohmann::json current = nlohmann::json::array();
    if (state.current != nullptr) current.push_back(RevisionJson(*state.current, args.verbose));
    PrintJson({{"schema", "stairway.current/1"},
               {"format", source::FormatName(set.format)},
               {"directory", set.dir.string()},
               {"database", session.masked_url()},
               {"history_table", table.DisplayName()},
               {"history_table_exists", rows.has_value()},
               {"current", current},
               {"at_head", set.revisions.empty() || state.current == &set.revisions.back()},
               {"has_problems", state.HasProblems()}});
    return 0;
  }
  if (!rows) {
    fmt::print("{}\n", kNoHistoryTable);
    return 0;
  }
  const planner::Reconciled state = planner::Reconcile(set, *rows);
  if (state.current == nullptr) {
    fmt::print("base (nothing applied)\n");
  } else {
    const bool head = state.current == &set.revisions.back();
    fmt::print("{}{}\n", state.current->Label(), head ? " (head)" : "");
  }
  if (state.HasProblems()) {
    std::fflush(stdout);
    fmt::print(stderr,
               "note: the history has edited, failed or unknown revisions: run "
               "`stairway status`\n");
  }
  return 0;
}

}  // namespace

RunFn SetupCurrent(CLI::App& sub, GlobalOptions& global, Project& project) {
  auto args = std::make_shared<CurrentArgs>();
  AddSourceOptions(sub, project.source);
  AddDatabaseOptions(sub, global, project.db);
  sub.add_flag("-v,--verbose", args->verbose, "Alembic: also each revision's file and message");
  AddJsonReportFlag(sub, args->report);
  sub.footer(
      "Prints the newest applied revision, `(head)` when nothing is pending. Reads only: never\n"
      "takes the migration lock or creates the history table. For an Alembic project it prints\n"
      "alembic_version's rows as `alembic current` does (`<rev> (head)`), whoever wrote them.\n"
      "\n"
      "Examples:\n"
      "  stairway current\n"
      "  stairway current --database-url postgresql://app@db.internal/app -d db/migrations");
  return [&global, args, &project] { return RunCurrent(global, *args, project); };
}

}  // namespace stairway::cli

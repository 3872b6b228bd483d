// `stairway status`: each revision of the set as the database sees it: applied, pending,
// edited (checksum differs), failed or interrupted; plus history rows the set lacks.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

struct StatusArgs {
  SourceOptions source;
  DatabaseOptions db;
};

int RunStatus(const GlobalOptions& global, const StatusArgs& args) {
  const source::MigrationSet set = LoadSet(args.source);
  if (IsAlembic(set)) return AlembicStatus(global, set, args.db);
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global));
  const history::Table table(args.db.history_schema);
  const auto rows = ReadHistoryReadOnly(session, table);
  fmt::print("{} ({}); {} revisions in {} ({} format)\n", session.masked_url(), table.DisplayName(),
             set.revisions.size(), set.dir.string(), source::FormatName(set.format));
  if (!rows) fmt::print("{}\n", kNoHistoryTable);
  const std::vector<history::Row> empty;
  const planner::Reconciled state = planner::Reconcile(set, rows ? *rows : empty);
  // A 'running' row is a live run's work while that run holds the migration lock (every writer
  // holds it, and a run that finds a row left running refuses and lets go): asked only then.
  std::optional<applier::LockHolder> holder;
  bool any_running = false;
  for (const planner::RevisionStatus& s : state.revisions) {
    any_running = any_running || s.state == planner::RevisionState::kRunning;
  }
  if (any_running) holder = applier::FindLockHolder(session, table);
  int being_applied = 0;
  int counts[5] = {};
  for (const planner::RevisionStatus& s : state.revisions) {
    ++counts[static_cast<int>(s.state)];
    const std::string label = s.revision->Label();
    switch (s.state) {
      case planner::RevisionState::kPending:
      case planner::RevisionState::kApplied:
        fmt::print("  {:<8} {}\n", planner::RevisionStateName(s.state), label);
        break;
      case planner::RevisionState::kEdited:
        fmt::print(
            "  {:<8} {}: file changed since it was applied (checksum {} in the history, "
            "{} in {})\n",
            "edited", label, s.row->checksum.substr(0, 12), s.revision->checksum.substr(0, 12),
            s.revision->up.path.string());
        break;
      case planner::RevisionState::kRunning:
        if (holder) {
          ++being_applied;
          fmt::print(
              "  {:<8} {}: being {} by server pid {} (application \"{}\", user {}, from {}, "
              "connected {} UTC), now at statement {}\n",
              "running", label, s.row->direction == history::Direction::kUp ? "applied" : "undone",
              holder->pid, holder->application, holder->user, holder->client, holder->since,
              s.row->statement_index ? std::to_string(*s.row->statement_index) : "0");
          break;
        }
        [[fallthrough]];
      case planner::RevisionState::kFailed:
        fmt::print("  {:<8} {}\n    {}\n",
                   s.state == planner::RevisionState::kFailed ? "failed" : "interrupted", label,
                   applier::ResolveMessage(*s.row, table, s.revision));
        break;
    }
  }
  for (const history::Row* row : state.unknown) {
    fmt::print("  {:<8} {}: in the history ({}) but not in {}\n", "unknown", row->Label(),
               history::StateName(row->state), set.dir.string());
  }
  using planner::RevisionState;
  fmt::print("{} applied ({} edited), {} failed, {} pending{}{}\n",
             counts[static_cast<int>(RevisionState::kApplied)] +
                 counts[static_cast<int>(RevisionState::kEdited)],
             counts[static_cast<int>(RevisionState::kEdited)],
             counts[static_cast<int>(RevisionState::kFailed)] +
                 counts[static_cast<int>(RevisionState::kRunning)] - being_applied,
             counts[static_cast<int>(RevisionState::kPending)],
             being_applied == 0 ? "" : fmt::format(", {} being applied", being_applied),
             state.unknown.empty() ? "" : fmt::format(", {} unknown", state.unknown.size()));
  // A revision another run is applying right now is not a problem of the database.
  const bool problems = counts[static_cast<int>(RevisionState::kEdited)] > 0 ||
                        counts[static_cast<int>(RevisionState::kFailed)] > 0 ||
                        counts[static_cast<int>(RevisionState::kRunning)] > being_applied ||
                        !state.unknown.empty();
  return problems ? static_cast<int>(ExitCode::kFindings) : 0;
}

}  // namespace

RunFn SetupStatus(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<StatusArgs>();
  AddSourceOptions(sub, args->source);
  AddDatabaseOptions(sub, global, args->db);
  sub.footer(
      "Compares the migration files with the history table: applied, pending, edited (the file's\n"
      "checksum differs from the applied one), failed or interrupted (a non-transactional "
      "revision\n"
      "that did not finish) and unknown (in the history, not in the files). Reads only.\n"
      "\n"
      "Examples:\n"
      "  stairway status\n"
      "  stairway status -d db/migrations --database-url postgresql://app@localhost/app\n"
      "\n"
      "Exit codes: 0 clean (pending revisions are fine), 1 edited, failed or unknown revisions,\n"
      "2 bad input, 3 database error.");
  return [&global, args] { return RunStatus(global, *args); };
}

}  // namespace stairway::cli

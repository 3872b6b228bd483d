// `stairway status`: each revision of the set as the database sees it: applied, pending,
// edited (checksum differs), failed or interrupted; plus history rows the set lacks.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <map>
#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/json_output.h"
#include "cli/runner_support.h"
#include "cli/setup.h"

namespace stairway::cli {

namespace {

struct StatusArgs {
  std::string report = "text";
};

// --report json: the same states and exit code as the text, as docs/json.md describes.
int StatusJson(db::Session& session, const history::Table& table, const source::MigrationSet& set,
               const std::optional<std::vector<history::Row>>& rows) {
  const std::vector<history::Row> empty;
  const planner::Reconciled state = planner::Reconcile(set, rows ? *rows : empty);
  std::optional<applier::LockHolder> holder;
  for (const planner::RevisionStatus& s : state.revisions) {
    if (s.state == planner::RevisionState::kRunning && !holder) {
      holder = applier::FindLockHolder(session, table);
    }
  }
  std::map<std::string, int> counts = {{"applied", 0}, {"edited", 0},  {"failed", 0},
                                       {"pending", 0}, {"running", 0}, {"interrupted", 0}};
  nlohmann::json revisions = nlohmann::json::array();
  for (const planner::RevisionStatus& s : state.revisions) {
    nlohmann::json rev = RevisionJson(*s.revision, true);
    std::string name(planner::RevisionStateName(s.state));
    if (s.state == planner::RevisionState::kRunning && !holder) name = "interrupted";
    rev["state"] = name;
    ++counts[name];
    rev["history"] = s.row ? HistoryRowJson(*s.row) : nlohmann::json();
    rev["message"] = nullptr;
    if (s.state == planner::RevisionState::kFailed || name == "interrupted") {
      rev["message"] = applier::ResolveMessage(*s.row, table, s.revision);
    }
    revisions.push_back(rev);
  }
  nlohmann::json unknown = nlohmann::json::array();
  for (const history::Row* row : state.unknown) unknown.push_back(HistoryRowJson(*row));
  counts["unknown"] = static_cast<int>(state.unknown.size());
  const bool problems = counts["edited"] > 0 || counts["failed"] > 0 || counts["interrupted"] > 0 ||
                        !state.unknown.empty();
  PrintJson({{"schema", "stairway.status/1"},
             {"format", source::FormatName(set.format)},
             {"directory", set.dir.string()},
             {"database", session.masked_url()},
             {"history_table", table.DisplayName()},
             {"history_table_exists", rows.has_value()},
             {"revisions", revisions},
             {"unknown", unknown},
             {"counts", counts},
             {"has_problems", problems}});
  return problems ? static_cast<int>(ExitCode::kFindings) : 0;
}

// The set, session and rows come from the setup stage (kReadsHistory).
int RunStatus(const GlobalOptions& global, const StatusArgs& args, Project& project) {
  const source::MigrationSet& set = *project.set;
  const bool json = args.report == "json";
  if (IsAlembic(set)) return AlembicStatus(global, set, project.db, json);
  db::Session& session = *project.session;
  const history::Table table = project.table();
  const std::optional<std::vector<history::Row>>& rows = project.rows;
  if (json) return StatusJson(session, table, set, rows);
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
  // Migrations in code (goose .go, Flyway Java) stand where their version puts them.
  std::size_t next_unrunnable = 0;
  const auto print_unrunnable = [&](const source::Revision* before) {
    for (; next_unrunnable < set.unrunnable.size(); ++next_unrunnable) {
      const source::UnrunnableMigration& m = set.unrunnable[next_unrunnable];
      if (before != nullptr && source::CompareVersions(m.version, before->version) >= 0) break;
      fmt::print("  {:<8} {}: {} ({}); stairway cannot run it\n", "not run", m.Label(), m.kind,
                 m.path.string());
    }
  };
  for (const planner::RevisionStatus& s : state.revisions) {
    ++counts[static_cast<int>(s.state)];
    print_unrunnable(s.revision);
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
  print_unrunnable(nullptr);
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
  if (!set.unrunnable.empty()) {
    fmt::print(
        "{} migration{} in code not run by stairway (revisions after {} may depend on "
        "{})\n",
        set.unrunnable.size(), set.unrunnable.size() == 1 ? "" : "s",
        set.unrunnable.size() == 1 ? "it" : "them", set.unrunnable.size() == 1 ? "it" : "them");
  }
  // A revision another run is applying right now is not a problem of the database.
  const bool problems = counts[static_cast<int>(RevisionState::kEdited)] > 0 ||
                        counts[static_cast<int>(RevisionState::kFailed)] > 0 ||
                        counts[static_cast<int>(RevisionState::kRunning)] > being_applied ||
                        !state.unknown.empty();
  return problems ? static_cast<int>(ExitCode::kFindings) : 0;
}

}  // namespace

RunFn SetupStatus(CLI::App& sub, GlobalOptions& global, Project& project) {
  auto args = std::make_shared<StatusArgs>();
  AddSourceOptions(sub, project.source);
  AddDatabaseOptions(sub, global, project.db);
  AddJsonReportFlag(sub, args->report);
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
  return [&global, args, &project] { return RunStatus(global, *args, project); };
}

}  // namespace stairway::cli

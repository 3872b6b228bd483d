// `stairway heads`: the newest revision(s) of the migration set (no database needed).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/json_output.h"
#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

struct HeadsArgs {
  SourceOptions source;
  DatabaseOptions db;
  bool verbose = false;
  std::string report = "text";
};

// --report json: each head with its applied state when a database is configured, "unknown"
// when none is (the text never connects).
int HeadsJson(const GlobalOptions& global, const HeadsArgs& args, const source::MigrationSet& set) {
  std::optional<db::Session> session = ConnectIfConfigured(global);
  const history::Table table(args.db.history_schema);
  std::optional<std::vector<history::Row>> rows;
  if (session) rows = ReadHistoryReadOnly(*session, table);
  const std::vector<history::Row> empty;
  const planner::Reconciled state = planner::Reconcile(set, rows ? *rows : empty);
  nlohmann::json heads = nlohmann::json::array();
  for (const source::Revision* rev : planner::Heads(set)) {
    nlohmann::json head = RevisionJson(*rev, args.verbose);
    head["state"] = "unknown";
    for (const planner::RevisionStatus& s : state.revisions) {
      if (session && s.revision == rev) head["state"] = planner::RevisionStateName(s.state);
    }
    heads.push_back(head);
  }
  PrintJson({{"schema", "stairway.heads/1"},
             {"format", source::FormatName(set.format)},
             {"directory", set.dir.string()},
             {"database", session ? nlohmann::json(session->masked_url()) : nlohmann::json()},
             {"heads", heads}});
  return 0;
}

}  // namespace

RunFn SetupHeads(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<HeadsArgs>();
  AddSourceOptions(sub, args->source);
  AddDatabaseOptions(sub, global, args->db);
  sub.add_flag("-v,--verbose", args->verbose, "Alembic: also each head's file and message");
  AddJsonReportFlag(sub, args->report);
  sub.footer(
      "Prints the revisions nothing builds on (one for a linear set). Reads files only; with\n"
      "--report json and a database configured, each head's applied state too.\n"
      "\n"
      "Examples:\n"
      "  stairway heads\n"
      "  stairway heads -d db/migrations --format goose");
  return [&global, args] {
    const source::MigrationSet set = LoadSet(args->source);
    const bool json = args->report == "json";
    if (IsAlembic(set)) return AlembicHeads(global, set, args->verbose, json);
    if (json) return HeadsJson(global, *args, set);
    if (set.revisions.empty()) {
      fmt::print("base (the set has no revisions)\n");
      return 0;
    }
    for (const source::Revision* rev : planner::Heads(set)) fmt::print("{} (head)\n", rev->Label());
    return 0;
  };
}

}  // namespace stairway::cli

// `stairway history`: the rows of the history table, in apply order.
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

struct HistoryArgs {
  bool verbose = false;
  std::string report = "text";
};

// -v: where the revision comes from and how it runs, under its line.
void PrintRevisionDetails(const source::Revision& rev) {
  fmt::print(
      "    path: {}; parents: {}; checksum: {}; transaction: {}\n", rev.up.path.string(),
      rev.parents.empty() ? std::string("<base>") : fmt::format("{}", fmt::join(rev.parents, ", ")),
      rev.checksum,
      rev.up.tx_mode == source::TxMode::kTransaction ? "transaction"
      : rev.up.tx_reason.empty()                     ? "none"
                                                     : "none (" + rev.up.tx_reason + ")");
}

// A migration in code (goose .go, Flyway Java) where its version puts it.
void PrintUnrunnable(const source::UnrunnableMigration& m) {
  fmt::print("  {:<8} {}: {} ({}); stairway cannot run it\n", "not run", m.Label(), m.kind,
             m.path.string());
}

// Without a database: the set's revisions, applied state unknown.
int HistoryWithoutDatabase(const source::MigrationSet& set, bool verbose) {
  std::fflush(stdout);
  fmt::print(stderr, "note: no database given: applied state unknown\n");
  std::size_t next = 0;
  for (const source::Revision& rev : set.revisions) {
    for (; next < set.unrunnable.size() &&
           source::CompareVersions(set.unrunnable[next].version, rev.version) < 0;
         ++next) {
      PrintUnrunnable(set.unrunnable[next]);
    }
    fmt::print("  {:<8} {}\n", "unknown", rev.Label());
    if (verbose) PrintRevisionDetails(rev);
  }
  for (; next < set.unrunnable.size(); ++next) {
    PrintUnrunnable(set.unrunnable[next]);
  }
  return 0;
}

// --report json: the history rows (null without a database or table) and, with the files,
// each revision's state (unknown without a database).
int HistoryJson(const GlobalOptions& global, const HistoryArgs& args, const Project& project) {
  const std::optional<source::MigrationSet>& set = project.set;
  const std::optional<db::Session>& session = project.session;
  if (!session && !set) ResolveDatabaseUrl(global);  // nothing to show: its error says why
  const history::Table table = project.table();
  const std::optional<std::vector<history::Row>>& rows = project.rows;
  nlohmann::json rows_json;
  if (rows) {
    rows_json = nlohmann::json::array();
    for (const history::Row& row : *rows) {
      nlohmann::json r = HistoryRowJson(row);
      r["file"] = nullptr;
      if (set) {
        const source::Revision* rev = set->Find(row.version);
        r["file"] = rev == nullptr ? "missing" : rev->checksum != row.checksum ? "edited" : "same";
      }
      rows_json.push_back(r);
    }
  }
  nlohmann::json revisions;
  if (set) {
    revisions = nlohmann::json::array();
    const std::vector<history::Row> empty;
    const planner::Reconciled state = planner::Reconcile(*set, rows ? *rows : empty);
    for (const planner::RevisionStatus& s : state.revisions) {
      nlohmann::json rev = RevisionJson(*s.revision, args.verbose);
      rev["state"] = session ? planner::RevisionStateName(s.state) : "unknown";
      revisions.push_back(rev);
    }
  }
  const auto or_null = [](bool known, nlohmann::json value) {
    return known ? value : nlohmann::json();
  };
  PrintJson({{"schema", "stairway.history/1"},
             {"format", or_null(set.has_value(), set ? source::FormatName(set->format) : "")},
             {"directory", or_null(set.has_value(), set ? set->dir.string() : "")},
             {"database", or_null(session.has_value(), session ? session->masked_url() : "")},
             {"history_table", table.DisplayName()},
             {"history_table_exists", or_null(session.has_value(), rows.has_value())},
             {"rows", rows_json},
             {"revisions", revisions}});
  return 0;
}

// The setup stage (kHistoryCommand) loads the files only with -d (or STAIRWAY_DIR, or an
// Alembic project here), then rows are checked against them, and connects only when a database
// is configured.
int RunHistory(const GlobalOptions& global, const HistoryArgs& args, Project& project) {
  const std::optional<source::MigrationSet>& set = project.set;
  // An Alembic project's history is its revision graph (no database needed), as
  // `alembic history` shows it, with what alembic_version says is applied.
  const bool json = args.report == "json";
  if (set && IsAlembic(*set)) return AlembicHistory(global, *set, args.verbose, json);
  if (json) return HistoryJson(global, args, project);
  if (!project.session && set) return HistoryWithoutDatabase(*set, args.verbose);
  if (!project.session) ResolveDatabaseUrl(global);  // throws: no database, no files
  const history::Table table = project.table();
  const std::optional<std::vector<history::Row>>& rows = project.rows;
  if (!rows) {
    fmt::print("{}\n", kNoHistoryTable);
    return 0;
  }
  if (rows->empty()) {
    fmt::print("{} is empty: nothing applied\n", table.DisplayName());
    return 0;
  }
  std::size_t label_width = 8;
  for (const history::Row& row : *rows) label_width = std::max(label_width, row.Label().size());
  fmt::print("{:<{}}  {:<8}  {:<19}  {:>9}  {}\n", "REVISION", label_width, "STATE",
             "APPLIED AT (UTC)", "DURATION", "APPLIED BY");
  for (const history::Row& row : *rows) {
    std::string state(history::StateName(row.state));
    if (row.direction == history::Direction::kDown && row.state != history::State::kApplied) {
      state += " (down)";
    }
    const std::string duration =
        row.duration_ms ? fmt::format("{} ms", *row.duration_ms) : std::string("-");
    std::string by = row.applied_by;
    if (!row.note.empty()) by += " [" + row.note + "]";
    if (set) {
      const source::Revision* rev = set->Find(row.version);
      if (rev == nullptr) {
        by += " [not in " + set->dir.string() + "]";
      } else if (rev->checksum != row.checksum && row.state == history::State::kApplied) {
        by += " [file edited since]";
      }
    }
    fmt::print("{:<{}}  {:<8}  {:<19}  {:>9}  {}\n", row.Label(), label_width, state,
               row.applied_at, duration, by);
    if (args.verbose) {
      const source::Revision* rev = set ? set->Find(row.version) : nullptr;
      if (rev != nullptr) {
        PrintRevisionDetails(*rev);
      } else {
        fmt::print("    checksum: {} (files not given or revision not in them)\n", row.checksum);
      }
    }
    if (row.state != history::State::kApplied) {
      fmt::print("  {} at statement {}{}\n",
                 row.state == history::State::kFailed ? "failed" : "interrupted",
                 row.statement_index ? std::to_string(*row.statement_index) : "?",
                 row.error.empty() ? "" : ": " + row.error);
    }
  }
  if (set) {
    for (const source::UnrunnableMigration& m : set->unrunnable) {
      fmt::print("note: {}: stairway cannot run it, so it has no row here\n", m.Describe());
    }
  }
  return 0;
}

}  // namespace

RunFn SetupHistory(CLI::App& sub, GlobalOptions& global, Project& project) {
  auto args = std::make_shared<HistoryArgs>();
  AddSourceOptions(sub, project.source);
  AddDatabaseOptions(sub, global, project.db);
  sub.add_flag("-v,--verbose", args->verbose,
               "Each revision's path, parents, checksum and transaction mode (Alembic: also create "
               "date and message)");
  AddJsonReportFlag(sub, args->report);
  sub.footer(
      "Lists what the history table records, oldest first: revision, state, when, how long, by\n"
      "whom. Reads only.\n"
      "\n"
      "Examples:\n"
      "  stairway history\n"
      "  stairway history -d db/migrations      also flag rows whose file changed or is gone\n"
      "  stairway history --history-schema ops\n"
      "\n"
      "In an Alembic project (alembic.ini here, or -d naming it) it lists the revision graph\n"
      "newest first, as `alembic history` does, marking each revision applied or pending when a\n"
      "database is given; it works without one. `-v` adds parents, path and create date.\n"
      "Without a database but with -d, it lists the revisions with state unknown.");
  return [&global, args, &project] { return RunHistory(global, *args, project); };
}

}  // namespace stairway::cli

// `stairway history`: the rows of the history table, in apply order.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

struct HistoryArgs {
  SourceOptions source;
  DatabaseOptions db;
  bool dir_given = false;
  bool verbose = false;
};

int RunHistory(const GlobalOptions& global, const HistoryArgs& args) {
  const DatabaseOptions& db = args.db;
  // The files are optional here: with -d (or STAIRWAY_DIR) rows are checked against them.
  std::optional<source::MigrationSet> set;
  if (args.dir_given || AlembicProjectHere()) set = LoadSet(args.source);
  // An Alembic project's history is its revision graph (no database needed), as
  // `alembic history` shows it, with what alembic_version says is applied.
  if (set && IsAlembic(*set)) return AlembicHistory(global, *set, args.verbose);
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global));
  const history::Table table(db.history_schema);
  const auto rows = ReadHistoryReadOnly(session, table);
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
    if (row.state != history::State::kApplied) {
      fmt::print("  {} at statement {}{}\n",
                 row.state == history::State::kFailed ? "failed" : "interrupted",
                 row.statement_index ? std::to_string(*row.statement_index) : "?",
                 row.error.empty() ? "" : ": " + row.error);
    }
  }
  return 0;
}

}  // namespace

RunFn SetupHistory(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<HistoryArgs>();
  AddSourceOptions(sub, args->source);
  AddDatabaseOptions(sub, global, args->db);
  CLI::Option* dir = sub.get_option("--dir");
  sub.add_flag("-v,--verbose", args->verbose,
               "Alembic: each revision's parents, file, create date and message");
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
      "database is given; it works without one. `-v` adds parents, path and create date.");
  return [&global, args, dir] {
    args->dir_given = dir->count() > 0 || std::getenv("STAIRWAY_DIR") != nullptr;
    return RunHistory(global, *args);
  };
}

}  // namespace stairway::cli

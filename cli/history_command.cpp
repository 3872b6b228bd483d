// `stairway history`: the rows of the history table, in apply order.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <memory>

#include "cli/runner_support.h"

namespace stairway::cli {

namespace {

int RunHistory(const GlobalOptions& global, const DatabaseOptions& db) {
  db::Session session = db::Session::Connect(ResolveDatabaseUrl(global));
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
  auto db = std::make_shared<DatabaseOptions>();
  AddDatabaseOptions(sub, global, *db);
  sub.footer(
      "Lists what the history table records, oldest first: revision, state, when, how long, by\n"
      "whom. Reads only.\n"
      "\n"
      "Examples:\n"
      "  stairway history\n"
      "  stairway history --history-schema ops");
  return [&global, db] { return RunHistory(global, *db); };
}

}  // namespace stairway::cli

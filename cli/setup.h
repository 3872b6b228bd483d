// The setup stage of the command table: loads the migration set, connects to the user's
// database and reads the history table for the subcommands that declare they need it (Needs in
// cli/command.h), in that order, so that preamble and its messages live in one place.
#pragma once

#include <functional>
#include <optional>
#include <vector>

#include "cli/command.h"
#include "cli/runner_support.h"
#include "runner/db/session.h"
#include "runner/history/history.h"
#include "runner/source/migration.h"

namespace stairway::cli {

struct Project {
  // Bound to the command's flags by its setup function (AddSourceOptions, AddDatabaseOptions).
  SourceOptions source;
  DatabaseOptions db;
  // Optional: input checks on the loaded set before anything connects (a typo in a revision
  // name costs no connection). Runs for Alembic sets too, before the stage stops for them.
  std::function<void(const source::MigrationSet&)> check;

  // Filled by the stage, as far as Needs asks. `rows` is nullopt when there is no history table
  // (or no session).
  std::optional<source::MigrationSet> set;
  std::optional<db::Session> session;
  std::optional<std::vector<history::Row>> rows;

  history::Table table() const { return history::Table(db.history_schema); }
};

// Prepares `needs` into `project` (`sub` tells whether -d/--dir was given). Throws StopError as
// LoadSet, ResolveDatabaseUrl, ConnectToUserDatabase and ReadHistoryReadOnly do.
void PrepareProject(const Needs& needs, const GlobalOptions& global, const CLI::App& sub,
                    Project& project);

}  // namespace stairway::cli

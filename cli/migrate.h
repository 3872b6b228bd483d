// What upgrade and downgrade share: options, the offline --sql script and the live run.
#pragma once

#include <string>

#include "cli/command.h"
#include "cli/runner_support.h"
#include "runner/planner/planner.h"

namespace stairway::cli {

struct MigrateArgs {
  SourceOptions source;
  DatabaseOptions db;
  ApplyFlags apply;
  std::string target;
  bool sql = false;
  std::string from;  // --sql only: revision the database is at; default base (up) / head (down)
};

void AddMigrateOptions(CLI::App& sub, GlobalOptions& global, MigrateArgs& args,
                       planner::Direction direction);
int RunMigrate(const GlobalOptions& global, const MigrateArgs& args, planner::Direction direction);

}  // namespace stairway::cli

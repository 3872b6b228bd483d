// `stairway downgrade -N|base|REV`: undo applied revisions with their down sections.
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/migrate.h"

namespace stairway::cli {

RunFn SetupDowngrade(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<MigrateArgs>();
  AddMigrateOptions(sub, global, *args, planner::Direction::kDown);
  sub.footer(
      "The target is required, so a bare `downgrade` never undoes anything by surprise. A\n"
      "revision without a down section stops the downgrade before anything runs.\n"
      "\n"
      "Examples:\n"
      "  stairway downgrade -1                  undo the newest applied revision\n"
      "  stairway downgrade -3                  undo the newest three\n"
      "  stairway downgrade 0002                go back to 0002 (0002 stays applied)\n"
      "  stairway downgrade base                undo everything\n"
      "  stairway downgrade -1 --sql            print the SQL of undoing the head revision\n"
      "  stairway downgrade base --sql --from 0004\n"
      "\n"
      "Exit codes: 0 ok, 2 bad input (nothing undone), 3 database error or failed migration.");
  return [&global, args] { return RunMigrate(global, *args, planner::Direction::kDown); };
}

}  // namespace stairway::cli

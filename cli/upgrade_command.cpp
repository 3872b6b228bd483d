// `stairway upgrade [head|REV|+N]`: apply pending revisions.
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/migrate.h"

namespace stairway::cli {

RunFn SetupUpgrade(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<MigrateArgs>();
  AddMigrateOptions(sub, global, *args, planner::Direction::kUp);
  sub.footer(
      "Each revision runs in its own transaction (a failing statement rolls the whole revision\n"
      "back and is reported as file:line:col); a revision marked transaction:false runs statement\n"
      "by statement. A lock keeps two runs from applying at once.\n"
      "\n"
      "Examples:\n"
      "  stairway upgrade                       apply everything pending (same as `upgrade head`)\n"
      "  stairway upgrade +1                    apply the next pending revision only\n"
      "  stairway upgrade 0004 -d db/migrations apply up to and including 0004\n"
      "  stairway upgrade head --sql > up.sql   print the SQL instead of running it (no database)\n"
      "  stairway upgrade --sql --from 0003     the SQL for a database that is at 0003\n"
      "  stairway upgrade --lock-timeout 5s --statement-timeout 10min\n"
      "  stairway upgrade head --wait 2m        entrypoint: wait for the server to start "
      "(docs/deploy.md)\n"
      "  DATABASE_URL=postgresql://app@localhost/app stairway upgrade\n"
      "\n"
      "Exit codes: 0 ok, 2 bad input (nothing applied), 3 database error or failed migration.");
  return [&global, args] { return RunMigrate(global, *args, planner::Direction::kUp); };
}

}  // namespace stairway::cli

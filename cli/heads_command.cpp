// `stairway heads`: the newest revision(s) of the migration set (no database needed).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/runner_support.h"

namespace stairway::cli {

RunFn SetupHeads(CLI::App& sub, GlobalOptions&) {
  auto source = std::make_shared<SourceOptions>();
  auto verbose = std::make_shared<bool>(false);
  AddSourceOptions(sub, *source);
  sub.add_flag("-v,--verbose", *verbose, "Alembic: also each head's file and message");
  sub.footer(
      "Prints the revisions nothing builds on (one for a linear set). Reads files only.\n"
      "\n"
      "Examples:\n"
      "  stairway heads\n"
      "  stairway heads -d db/migrations --format goose");
  return [source, verbose] {
    const source::MigrationSet set = LoadSet(*source);
    if (IsAlembic(set)) return AlembicHeads(set, *verbose);
    if (set.revisions.empty()) {
      fmt::print("base (the set has no revisions)\n");
      return 0;
    }
    for (const source::Revision* rev : planner::Heads(set)) fmt::print("{} (head)\n", rev->Label());
    return 0;
  };
}

}  // namespace stairway::cli

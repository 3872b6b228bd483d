// The read and stamp commands for Alembic projects (see alembic_commands.cpp).
#pragma once

#include <string>
#include <vector>

#include "cli/runner_support.h"

namespace stairway::cli {

int AlembicCurrent(const GlobalOptions& global, const source::MigrationSet& set, bool verbose);
int AlembicHeads(const source::MigrationSet& set, bool verbose);
int AlembicHistory(const GlobalOptions& global, const source::MigrationSet& set, bool verbose);
int AlembicStatus(const GlobalOptions& global, const source::MigrationSet& set,
                  const DatabaseOptions& db);
int AlembicStamp(const GlobalOptions& global, const source::MigrationSet& set,
                 const applier::Options& options, const std::vector<std::string>& targets);

}  // namespace stairway::cli

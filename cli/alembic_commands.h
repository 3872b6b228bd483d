// The read and stamp commands for Alembic projects (see alembic_commands.cpp).
#pragma once

#include <string>
#include <vector>

#include "cli/runner_support.h"

namespace stairway::cli {

// `json`: the --report json document of docs/json.md instead of the text.
int AlembicCurrent(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                   bool json = false);
int AlembicHeads(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                 bool json = false);
int AlembicHistory(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                   bool json = false);
int AlembicStatus(const GlobalOptions& global, const source::MigrationSet& set,
                  const DatabaseOptions& db, bool json = false);
int AlembicStamp(const GlobalOptions& global, const source::MigrationSet& set,
                 const applier::Options& options, const std::vector<std::string>& targets);

}  // namespace stairway::cli

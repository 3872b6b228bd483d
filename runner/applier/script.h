// The offline `--sql` script: exactly the statements a live run would send, with transaction
// boundaries and history writes, rendered without connecting to a database.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/applier/applier.h"

namespace stairway::applier {

struct ScriptOptions {
  std::string history_schema = std::string(history::kDefaultSchema);
  std::optional<std::string> lock_timeout;
  std::optional<std::string> statement_timeout;
  // First comment line, e.g. "stairway upgrade --sql: base -> 0004_add_index".
  std::string title;
};

// Renders the prepared steps as one psql-ready script. An upgrade script starts with the
// (idempotent) history table creation.
std::string RenderScript(const planner::Plan& plan, const std::vector<PreparedStep>& steps,
                         const ScriptOptions& options);

}  // namespace stairway::applier

// Lint settings: target version, enabled/disabled rules and severities, from stairway.toml
// [lint] and command-line flags (flags win).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/common/expected.h"
#include "verifier/lint/rule.h"

namespace stairway::lint {

struct LintOptions {
  int pg_version = 15;
  // Rule ids to switch on (style rules are off by default); "style" or "all" switch on groups.
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  std::map<std::string, Severity> severity;
  // Loose .sql files (not part of a migration set): assume the runner wraps them in one
  // transaction. Migration sets know it per revision from their format.
  bool assume_in_transaction = false;

  bool IsEnabled(const Rule& rule) const;
  Severity SeverityOf(const Rule& rule) const;
};

// Every rule id named in the options must exist; otherwise an input error naming it.
Status ValidateOptions(const LintOptions& options);

// Reads the [lint] table of a stairway.toml into `options` (keys present override). A missing
// file is fine; a malformed one is an input error "path:line: ...".
Status ReadLintConfig(const std::filesystem::path& toml_path, LintOptions& options);

std::optional<Severity> ParseSeverity(std::string_view name);  // "error", "warning", "info"

}  // namespace stairway::lint

// Lint settings: target version, enabled/disabled rules and severities, from stairway.toml
// [lint] (read by cli/config.h) and command-line flags (flags win).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/common/expected.h"
#include "verifier/lint/rule.h"

namespace stairway::lint {

// The default naming_pattern: lower snake_case.
inline constexpr std::string_view kSnakeCasePattern = "[a-z_][a-z0-9_]*";

struct LintOptions {
  int pg_version = 15;
  // Rule ids to switch on (style rules are off by default); "style" or "all" switch on groups.
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  std::map<std::string, Severity> severity;
  // Loose .sql files (not part of a migration set): assume the runner wraps them in one
  // transaction. Migration sets know it per revision from their format.
  bool assume_in_transaction = false;
  // Regular expression (ECMAScript, whole name) that names of new tables, columns and indexes
  // must match (the naming-convention rule).
  std::string naming_pattern = std::string(kSnakeCasePattern);

  bool IsEnabled(const Rule& rule) const;
  Severity SeverityOf(const Rule& rule) const;
};

// A compiled naming_pattern, cheap to copy.
class NamePattern {
 public:
  // An input error naming the pattern when it is not a valid regular expression.
  static Expected<NamePattern> Compile(const std::string& pattern);
  bool Matches(const std::string& name) const;
  const std::string& text() const { return text_; }

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;
  std::string text_;
};

// Every rule id named in the options must exist, and the naming pattern must compile;
// otherwise an input error naming it.
Status ValidateOptions(const LintOptions& options);

std::optional<Severity> ParseSeverity(std::string_view name);  // "error", "warning", "info"

}  // namespace stairway::lint

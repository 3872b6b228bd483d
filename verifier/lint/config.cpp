// Lint settings: which rules run at which severity, and their validation.
#include "verifier/lint/config.h"

#include <fmt/format.h>

#include <algorithm>
#include <regex>

#include "verifier/lint/registry.h"

namespace stairway::lint {

std::optional<Severity> ParseSeverity(std::string_view name) {
  if (name == "error") return Severity::kError;
  if (name == "warning" || name == "warn") return Severity::kWarning;
  if (name == "info" || name == "note") return Severity::kInfo;
  return std::nullopt;
}

namespace {
bool Has(const std::vector<std::string>& list, std::string_view id) {
  return std::find(list.begin(), list.end(), id) != list.end();
}
}  // namespace

bool LintOptions::IsEnabled(const Rule& rule) const {
  if (Has(disable, rule.id) || Has(disable, "all")) return false;
  if (Has(enable, rule.id) || Has(enable, "all")) return true;
  if (rule.profile == Profile::kStyle) return Has(enable, "style");
  return !(Has(disable, "style") && rule.profile == Profile::kStyle);
}

Severity LintOptions::SeverityOf(const Rule& rule) const {
  auto it = severity.find(std::string(rule.id));
  return it == severity.end() ? rule.severity : it->second;
}

struct NamePattern::Impl {
  std::regex re;
};

Expected<NamePattern> NamePattern::Compile(const std::string& pattern) {
  NamePattern out;
  out.text_ = pattern;
  try {
    out.impl_ = std::make_shared<const Impl>(Impl{std::regex(pattern, std::regex::ECMAScript)});
  } catch (const std::regex_error& e) {
    return Error::Input(fmt::format(
        "[lint] naming_pattern '{}' is not a valid regular expression ({}); write one such as "
        "\"{}\"",
        pattern, e.what(), kSnakeCasePattern));
  }
  return out;
}

bool NamePattern::Matches(const std::string& name) const {
  return impl_ == nullptr || std::regex_match(name, impl_->re);
}

Status ValidateOptions(const LintOptions& options) {
  auto check = [](const std::string& id, std::string_view where) -> Status {
    if (id == "all" || id == "style" || FindRule(id) != nullptr) return Status::Ok();
    return Error::Input(fmt::format(
        "unknown lint rule '{}' in {}; run `stairway rules` to list the rule ids", id, where));
  };
  for (const std::string& id : options.enable) TRY_STATUS(check(id, "enable"));
  for (const std::string& id : options.disable) TRY_STATUS(check(id, "disable"));
  for (const auto& [id, sev] : options.severity) TRY_STATUS(check(id, "severity"));
  TRY_STATUS(NamePattern::Compile(options.naming_pattern));
  if (options.pg_version < 9 || options.pg_version > 99) {
    return Error::Input(fmt::format(
        "unsupported PostgreSQL version {}; use a major version such as 15", options.pg_version));
  }
  return Status::Ok();
}

}  // namespace stairway::lint

// stairway.toml [lint] through toml++ (header-only mode), and rule-id validation.
#include "verifier/lint/config.h"

#include <fmt/format.h>

#include <toml++/toml.h>
#include <algorithm>
#include <fstream>
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

Status ReadLintConfig(const std::filesystem::path& toml_path, LintOptions& options) {
  std::error_code ec;
  if (!std::filesystem::exists(toml_path, ec)) return Status::Ok();
  toml::table root;
  try {
    root = toml::parse_file(toml_path.string());
  } catch (const toml::parse_error& e) {
    return Error::Input(fmt::format("{}:{}: {}; fix the TOML syntax", toml_path.string(),
                                    e.source().begin.line, e.description()));
  }
  const toml::table* lint = root["lint"].as_table();
  if (lint == nullptr) return Status::Ok();
  auto where = [&](const toml::node& n) {
    return fmt::format("{}:{}", toml_path.string(), n.source().begin.line);
  };
  for (const auto& [key, node] : *lint) {
    const std::string_view k = key.str();
    if (k == "pg_version") {
      auto v = node.value<int64_t>();
      if (!v) return Error::Input(where(node) + ": [lint] pg_version must be a number such as 15");
      options.pg_version = static_cast<int>(*v);
    } else if (k == "enable" || k == "disable") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr)
        return Error::Input(
            fmt::format("{}: [lint] {} must be a list of rule ids", where(node), k));
      auto& out = k == "enable" ? options.enable : options.disable;
      for (const toml::node& item : *arr) {
        auto s = item.value<std::string>();
        if (!s)
          return Error::Input(
              fmt::format("{}: [lint] {} must list rule ids as strings", where(item), k));
        if (s != "all" && s != "style" && FindRule(*s) == nullptr) {
          return Error::Input(fmt::format(
              "{}: unknown lint rule '{}'; run `stairway rules` to list them", where(item), *s));
        }
        out.push_back(*s);
      }
    } else if (k == "assume_in_transaction") {
      auto v = node.value<bool>();
      if (!v)
        return Error::Input(where(node) + ": [lint] assume_in_transaction must be true or false");
      options.assume_in_transaction = *v;
    } else if (k == "naming_pattern") {
      auto v = node.value<std::string>();
      if (!v) {
        return Error::Input(where(node) +
                            ": [lint] naming_pattern must be a regular expression in a string");
      }
      Expected<NamePattern> compiled = NamePattern::Compile(*v);
      if (!compiled.ok()) return Error::Input(where(node) + ": " + compiled.error().message);
      options.naming_pattern = *v;
    } else if (k == "severity") {
      const toml::table* t = node.as_table();
      if (t == nullptr)
        return Error::Input(where(node) + ": [lint.severity] must be a table of rule = \"level\"");
      for (const auto& [rule, level] : *t) {
        auto s = level.value<std::string>();
        auto sev = s ? ParseSeverity(*s) : std::nullopt;
        if (FindRule(rule.str()) == nullptr) {
          return Error::Input(
              fmt::format("{}: unknown lint rule '{}'; run `stairway rules` to list them",
                          where(level), rule.str()));
        }
        if (!sev)
          return Error::Input(
              fmt::format("{}: severity of '{}' must be \"error\", \"warning\" or \"info\"",
                          where(level), rule.str()));
        options.severity[std::string(rule.str())] = *sev;
      }
    } else {
      return Error::Input(
          fmt::format("{}: unknown [lint] key '{}'; known keys: pg_version, enable, disable, "
                      "severity, assume_in_transaction, naming_pattern",
                      where(node), k));
    }
  }
  return Status::Ok();
}

}  // namespace stairway::lint

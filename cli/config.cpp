// The one reader of stairway.toml (cli/config.h), through toml++: the lookup, the parse, and
// each section's keys checked with the line they are on.
#include "cli/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <cstdint>
#include <fstream>
#include <map>
#include <mutex>
#include <string_view>
#include <vector>

#include "runner/common/error.h"
#include "verifier/lint/registry.h"

namespace stairway::cli {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFileName = "stairway.toml";

// Where the lookup starts above the migrations: an Alembic project keeps its stairway.toml
// beside alembic.ini, a SQL migration directory beside itself.
fs::path SearchStart(const fs::path& migrations) {
  std::error_code ec;
  const fs::path dir = fs::weakly_canonical(fs::absolute(migrations, ec), ec);
  if (fs::is_regular_file(dir / "alembic.ini", ec)) return dir;
  std::ifstream pyproject(dir / "pyproject.toml");
  std::string line;
  while (std::getline(pyproject, line)) {
    if (line.starts_with("[tool.alembic]")) return dir;
  }
  return dir.parent_path();
}

std::string Where(const fs::path& file, const toml::node& node) {
  return fmt::format("{}:{}", file.string(), node.source().begin.line);
}

[[noreturn]] void Fail(const fs::path& file, const toml::node& node, std::string_view what) {
  throw StopError(Error::Input(fmt::format("{}: {}", Where(file, node), what)));
}

void ReadLint(const fs::path& file, const toml::table& table, lint::LintOptions& options) {
  for (const auto& [key, node] : table) {
    const std::string_view k = key.str();
    if (k == "pg_version") {
      const std::optional<int64_t> v = node.value<int64_t>();
      if (!v) Fail(file, node, "[lint] pg_version must be a number such as 15");
      options.pg_version = static_cast<int>(*v);
    } else if (k == "enable" || k == "disable") {
      const toml::array* arr = node.as_array();
      if (arr == nullptr) Fail(file, node, fmt::format("[lint] {} must be a list of rule ids", k));
      std::vector<std::string>& out = k == "enable" ? options.enable : options.disable;
      for (const toml::node& item : *arr) {
        const std::optional<std::string> s = item.value<std::string>();
        if (!s) Fail(file, item, fmt::format("[lint] {} must list rule ids as strings", k));
        if (*s != "all" && *s != "style" && lint::FindRule(*s) == nullptr) {
          Fail(file, item,
               fmt::format("unknown lint rule '{}'; run `stairway rules` to list them", *s));
        }
        out.push_back(*s);
      }
    } else if (k == "assume_in_transaction") {
      const std::optional<bool> v = node.value<bool>();
      if (!v) Fail(file, node, "[lint] assume_in_transaction must be true or false");
      options.assume_in_transaction = *v;
    } else if (k == "naming_pattern") {
      const std::optional<std::string> v = node.value<std::string>();
      if (!v) Fail(file, node, "[lint] naming_pattern must be a regular expression in a string");
      Expected<lint::NamePattern> compiled = lint::NamePattern::Compile(*v);
      if (!compiled.ok()) Fail(file, node, compiled.error().message);
      options.naming_pattern = *v;
    } else if (k == "severity") {
      const toml::table* t = node.as_table();
      if (t == nullptr) Fail(file, node, "[lint.severity] must be a table of rule = \"level\"");
      for (const auto& [rule, level] : *t) {
        const std::optional<std::string> s = level.value<std::string>();
        const std::optional<Severity> sev = s ? lint::ParseSeverity(*s) : std::nullopt;
        if (lint::FindRule(rule.str()) == nullptr) {
          Fail(
              file, level,
              fmt::format("unknown lint rule '{}'; run `stairway rules` to list them", rule.str()));
        }
        if (!sev) {
          Fail(file, level,
               fmt::format("severity of '{}' must be \"error\", \"warning\" or \"info\"",
                           rule.str()));
        }
        options.severity[std::string(rule.str())] = *sev;
      }
    } else {
      Fail(file, node,
           fmt::format("unknown [lint] key '{}'; known keys: pg_version, enable, disable, "
                       "severity, assume_in_transaction, naming_pattern",
                       k));
    }
  }
}

void ReadVerify(const fs::path& file, const toml::table& table, VerifyTable& verify) {
  const fs::path base = file.parent_path();
  for (const auto& [key, node] : table) {
    const std::optional<std::string> text = node.value<std::string>();
    if (key == "data_change") {
      // [verify.data_change] "0005" = "backfill upper-case names"
      const toml::table* changes = node.as_table();
      if (changes == nullptr) {
        Fail(file, node,
             "[verify] data_change must be a table of revision = \"reason\", e.g. data_change = "
             "{ \"0005\" = \"backfill upper-case names\" }");
      }
      for (const auto& [version, reason_node] : *changes) {
        const std::optional<std::string> reason = reason_node.value<std::string>();
        if (!reason || reason->find_first_not_of(" \t") == std::string::npos) {
          Fail(file, reason_node,
               fmt::format("[verify] data_change \"{}\" needs a reason: \"{}\" = \"why the data "
                           "changes on purpose\"",
                           version.str(), version.str()));
        }
        verify.data_change[std::string(version.str())] = *reason;
      }
    } else if (key == "model" || key == "fixtures" || key == "setup") {
      if (!text) {
        Fail(file, node,
             fmt::format("[verify] {} must be a string (a path relative to this file)", key.str()));
      }
      (key == "model"   ? verify.model
       : key == "setup" ? verify.setup
                        : verify.fixtures) = base / *text;
    } else {
      Fail(file, node,
           fmt::format("unknown key '{}' in [verify]; known keys: model, fixtures, setup, "
                       "data_change",
                       key.str()));
    }
  }
}

void ReadAlembic(const fs::path& file, const toml::table& table, AlembicTable& alembic) {
  for (const auto& [key, node] : table) {
    const std::optional<std::string> text = node.value<std::string>();
    if (key == "project" || key == "python") {
      if (!text) {
        Fail(file, node,
             fmt::format("[alembic] {} must be a string ({})", key.str(),
                         key == "project" ? "the project's directory, relative to this file"
                                          : "a path relative to this file, or a name on PATH"));
      }
    }
    if (key == "project") {
      alembic.project = file.parent_path() / *text;
    } else if (key == "python") {
      fs::path path = *text;
      // A relative path counts from the stairway.toml that names it; a bare name is looked up
      // on PATH.
      if (path.has_parent_path() && path.is_relative()) path = file.parent_path() / path;
      alembic.python = path.string();
    } else {
      Fail(file, node,
           fmt::format("unknown key '{}' in [alembic]; known keys: project, python", key.str()));
    }
  }
}

Config Parse(const fs::path& file) {
  Config config;
  config.file = file;
  toml::table root;
  try {
    root = toml::parse_file(file.string());
  } catch (const toml::parse_error& e) {
    throw StopError(Error::Input(fmt::format("{}:{}: {}; fix the TOML syntax", file.string(),
                                             e.source().begin.line, e.description())));
  }
  for (const auto& [key, node] : root) {
    const toml::table* table = node.as_table();
    if (table != nullptr && key == "lint") {
      ReadLint(file, *table, config.lint);
    } else if (table != nullptr && key == "verify") {
      ReadVerify(file, *table, config.verify);
    } else if (table != nullptr && key == "alembic") {
      ReadAlembic(file, *table, config.alembic);
    } else {
      Fail(file, node,
           fmt::format("unknown {} '{}' in {}; it has the tables [lint], [verify] and [alembic] "
                       "(docs/configuration.md)",
                       table != nullptr ? "table" : "key", key.str(), kFileName));
    }
  }
  return config;
}

}  // namespace

std::optional<fs::path> FindConfig(const std::string& flag,
                                   const std::optional<fs::path>& migrations) {
  std::error_code ec;
  if (!flag.empty()) {
    if (!fs::is_regular_file(flag, ec)) {
      throw StopError(Error::Input(
          fmt::format("{}: no such configuration file; fix --config or leave it out", flag)));
    }
    return fs::path(flag);
  }
  if (fs::is_regular_file(kFileName, ec)) return fs::path(kFileName);
  if (!migrations) return std::nullopt;
  for (fs::path at = SearchStart(*migrations); !at.empty(); at = at.parent_path()) {
    if (fs::is_regular_file(at / kFileName, ec)) return at / kFileName;
    if (fs::exists(at / ".git", ec) || at == at.parent_path()) break;
  }
  return std::nullopt;
}

Config ReadConfig(const std::optional<fs::path>& file) {
  if (!file) return Config{};
  // Commands ask more than once (verify's two Alembic helpers start on two threads).
  static std::mutex mutex;
  static std::map<std::string, Config> parsed;
  std::lock_guard lock(mutex);
  auto it = parsed.find(file->string());
  if (it == parsed.end()) it = parsed.emplace(file->string(), Parse(*file)).first;
  return it->second;
}

Config LoadConfig(const std::string& flag, const std::optional<fs::path>& migrations) {
  return ReadConfig(FindConfig(flag, migrations));
}

}  // namespace stairway::cli

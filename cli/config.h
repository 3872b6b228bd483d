// stairway.toml: found by one rule, read and parsed once per run, handed out as typed sections
// ([lint] to lint, [verify] to verify, [alembic] to the Alembic commands). docs/configuration.md.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "verifier/lint/config.h"

namespace stairway::cli {

// [verify]; paths are resolved against the file's folder.
struct VerifyTable {
  std::optional<std::filesystem::path> model;
  std::optional<std::filesystem::path> fixtures;
  std::optional<std::filesystem::path> setup;      // SQL run on each throwaway database first
  std::map<std::string, std::string> data_change;  // revision -> why its data changes on purpose
};

// [alembic].
struct AlembicTable {
  // `project`: the Alembic project's directory, relative to the file's folder.
  std::optional<std::filesystem::path> project;
  // `python`: a path with a folder in it counts from the file's folder; a bare name is left to
  // be looked up on PATH.
  std::optional<std::string> python;
};

struct Config {
  std::optional<std::filesystem::path> file;  // the stairway.toml read; nullopt: none found
  lint::LintOptions lint;                     // the defaults with [lint] applied
  VerifyTable verify;
  AlembicTable alembic;
};

// The stairway.toml that applies: `flag` (--config) when given (an input error when it is not
// a file); else ./stairway.toml; else, starting at `migrations` when it holds an Alembic project
// (alembic.ini or pyproject.toml) and at its parent otherwise, the first folder upwards that has
// one, stopping at the git root (the first folder holding .git). nullopt when there is none.
std::optional<std::filesystem::path> FindConfig(
    const std::string& flag, const std::optional<std::filesystem::path>& migrations);

// Parses `file` (nullopt: the defaults). Every table and key is checked; a bad one is a
// StopError(kInput) "path:line: what is wrong; what to do". Each file is parsed once per process.
Config ReadConfig(const std::optional<std::filesystem::path>& file);

// ReadConfig(FindConfig(flag, migrations)).
Config LoadConfig(const std::string& flag, const std::optional<std::filesystem::path>& migrations);

}  // namespace stairway::cli

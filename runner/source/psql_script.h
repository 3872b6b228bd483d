// Internal to runner/source: reads a SQL script the way psql runs it (sqitch hands its scripts
// to psql): \i / \ir inline files, \set variables are substituted, \if picks branches, output
// commands are dropped; any other meta-command is refused with its file and line.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "runner/common/expected.h"
#include "runner/source/migration.h"

namespace stairway::source::detail {

using PsqlVariables = std::map<std::string, std::string>;

struct PsqlContext {
  std::filesystem::path working_dir;  // where psql runs: \i paths are relative to it
  std::filesystem::path project_dir;  // included files must lie under it
  PsqlVariables variables;            // as given with psql --set
};

// The script as one Section: meta-commands gone (their lines kept blank so lines still match),
// variables substituted, included text inlined (Section::origins maps its lines back).
Expected<Section> ReadPsqlScript(const std::filesystem::path& path, const PsqlContext& context);

}  // namespace stairway::source::detail

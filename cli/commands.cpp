// The subcommand table. Adding a subcommand = one row here + one <name>_command.cpp.
#include "cli/command.h"

namespace stairway::cli {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {};
  return kCommands;
}

}  // namespace stairway::cli

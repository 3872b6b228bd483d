// The subcommand table: each subcommand is one row (name, one-line help, setup function).
// Setup declares the subcommand's options on its CLI::App and returns the function to run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace stairway::cli {

// Options every subcommand understands.
struct GlobalOptions {
  std::optional<std::string> database_url;  // --database-url
  bool no_color = false;                    // --no-color
  bool quiet = false;                       // -q
};

using RunFn = std::function<int()>;  // returns the exit code
using SetupFn = std::function<RunFn(CLI::App& sub, GlobalOptions& global)>;

struct CommandSpec {
  const char* name;
  const char* help;
  SetupFn setup;
};

// Every subcommand, in --help order. Defined in commands.cpp.
const std::vector<CommandSpec>& Commands();

// Runs the CLI; returns the process exit code. Catches StopError and maps it to its exit code.
int Main(int argc, char** argv);

}  // namespace stairway::cli

// The subcommand table: each subcommand is one row (name, one-line help, setup function, and
// what the setup stage prepares for it). Setup declares the subcommand's options on its CLI::App
// and returns the function to run.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
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

// The setup stage of the table (cli/setup.h): what a subcommand needs ready before its run
// function, so loading the project, connecting and reading the history are written once.
enum class Need { kNo, kIfGiven, kYes };
struct Needs {
  // The migration set. kIfGiven: when -d/--dir (STAIRWAY_DIR) is given or an Alembic project is
  // in the current directory.
  Need set = Need::kNo;
  // A session on the user's database. kIfGiven: only when a database URL is configured.
  Need session = Need::kNo;
  // The history table's rows, read-only (no lock, never created), when there is a session.
  bool history = false;
  // The command reads an Alembic project's alembic_version its own way: for an Alembic set the
  // stage stops after the set (and the check), connecting to nothing.
  bool own_alembic = true;

  bool any() const { return set != Need::kNo || session != Need::kNo || history; }
};
// Set, session and history rows (cli/setup.h), filled by the stage as far as the command needs.
struct Project;

// A subcommand's setup: declares its options on its CLI::App and returns the function to run.
// A command with Needs takes the Project the stage fills: it binds its source and database
// options to project.source and project.db, and reads project.set/session/rows when it runs.
class SetupFn {
 public:
  using Plain = std::function<RunFn(CLI::App& sub, GlobalOptions& global)>;
  using WithProject = std::function<RunFn(CLI::App& sub, GlobalOptions& global, Project& project)>;
  SetupFn(RunFn (*plain)(CLI::App&, GlobalOptions&)) : plain_(plain) {}
  SetupFn(RunFn (*with_project)(CLI::App&, GlobalOptions&, Project&))
      : with_project_(with_project) {}
  SetupFn(Plain plain) : plain_(std::move(plain)) {}

  // Declares the options; the run function returned prepares `needs` first (cli/setup.cpp).
  RunFn operator()(CLI::App& sub, GlobalOptions& global, const Needs& needs) const;

 private:
  Plain plain_;
  WithProject with_project_;
};

struct CommandSpec {
  const char* name;
  const char* help;
  SetupFn setup;
  Needs needs = {};
};

// Every subcommand, in --help order. Defined in commands.cpp.
const std::vector<CommandSpec>& Commands();

// Runs the CLI; returns the process exit code. Catches StopError and maps it to its exit code.
int Main(int argc, char** argv);

}  // namespace stairway::cli

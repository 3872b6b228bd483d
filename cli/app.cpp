// Argument parsing and the one place that turns failures into exit codes.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "cli/command.h"
#include "cli/connect_wait.h"
#include "cli/output.h"
#include "cli/runner_support.h"
#include "runner/applier/applier.h"
#include "runner/common/error.h"
#include "runner/db/session.h"
#include "runner/planner/alembic_plan.h"

namespace stairway::cli {

namespace {

// When the first word that is not an option names no command ("stairway upgarde"): the message
// naming it and the closest command, so CLI11's "A subcommand is required" is not all one sees.
std::optional<std::string> UnknownCommandMessage(int argc, char** argv) {
  std::string_view word;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") break;
    if (arg == "--connect-timeout") ++i;  // its value is not a command
    if (arg.starts_with('-')) continue;
    word = arg;
    break;
  }
  if (word.empty()) return std::nullopt;
  std::string_view best;
  std::size_t best_distance = std::string_view::npos;
  for (const CommandSpec& spec : Commands()) {
    const std::string_view name = spec.name;
    if (name == word) return std::nullopt;  // a known command failed otherwise
    // A unique-looking start ("upg") counts as close as a one-letter slip.
    const std::size_t d = name.starts_with(word) ? 1 : planner::EditDistance(word, name);
    if (d < best_distance) {
      best_distance = d;
      best = name;
    }
  }
  const std::size_t limit = std::clamp<std::size_t>(word.size() / 2, 1, 3);
  if (best_distance <= limit) {
    return fmt::format(
        "unknown command \"{}\": did you mean `stairway {}`? (`stairway --help` lists the "
        "commands)",
        word, best);
  }
  return fmt::format("unknown command \"{}\": `stairway --help` lists the commands", word);
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{
      "stairway: make PostgreSQL schema migrations safe to ship.\n"
      "Apply and track migrations, prove every down undoes its up, lint unsafe DDL.",
      "stairway"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("stairway 0.1.0"));
  GlobalOptions global;
  app.add_flag("--no-color", global.no_color, "Never colour output (NO_COLOR is honoured too)");
  std::string connect_timeout;
  app.add_option("--connect-timeout", connect_timeout,
                 "Seconds to wait for a database server to answer when connecting (default 10, "
                 "0: no limit; connect_timeout in a URL wins)")
      ->type_name("SECONDS")
      ->envname("STAIRWAY_CONNECT_TIMEOUT");
  std::string wait;
  app.add_option("--wait", wait,
                 "Keep trying to connect while the database server starts: --wait alone waits "
                 "up to 60s, --wait 2m (or --wait=90) as long as given (env STAIRWAY_WAIT)")
      ->type_name("[=DURATION]")
      ->envname("STAIRWAY_WAIT");
  // Global options may follow the subcommand too (`stairway status --connect-timeout 3`).
  app.fallthrough();

  std::vector<std::pair<CLI::App*, RunFn>> runs;
  for (const CommandSpec& spec : Commands()) {
    CLI::App* sub = app.add_subcommand(spec.name, spec.help);
    runs.emplace_back(sub, spec.setup(*sub, global, spec.needs));
  }
  // `--wait` alone or `--wait 2m` become `--wait=...` first (cli/connect_wait.h).
  std::vector<std::string> args = NormalizeWaitArgs(argc, argv);
  std::vector<char*> arg_ptrs;
  for (std::string& arg : args) arg_ptrs.push_back(arg.data());
  try {
    app.parse(static_cast<int>(arg_ptrs.size()), arg_ptrs.data());
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() != 0 && app.get_subcommands().empty()) {
      if (const std::optional<std::string> unknown =
              UnknownCommandMessage(static_cast<int>(arg_ptrs.size()), arg_ptrs.data())) {
        fmt::print(stderr, "error: {}\n", *unknown);
        return static_cast<int>(ExitCode::kInput);
      }
    }
    const int code = app.exit(e);
    return code == 0 ? 0 : static_cast<int>(ExitCode::kInput);
  }
  // Output that could not be written (a closed pipe, a full disk) is never a success: what the
  // command printed is incomplete. Exit 2 unless the command already failed worse.
  auto check_output = [](int code) {
    if (FlushOut()) return code;
    fmt::print(stderr, "error: cannot write to standard output: {}; the output is incomplete\n",
               OutFailure());
    return code > 1 ? code : static_cast<int>(ExitCode::kInput);
  };
  try {
    if (!connect_timeout.empty()) {
      db::SetConnectTimeout(ParseConnectTimeout(connect_timeout, "--connect-timeout"));
    }
    if (!wait.empty()) SetConnectWait(ParseWait(wait, "--wait"));
    for (auto& [sub, run] : runs) {
      if (sub->parsed()) return check_output(run());
    }
    return static_cast<int>(ExitCode::kInput);
  } catch (const std::system_error& e) {
    // fmt::print throws this when a write to stdout fails (the buffer could not be emptied).
    if (std::ferror(stdout) != 0) {
      RecordOutFailure(e.code().value());
      return check_output(0);
    }
    std::fflush(stdout);
    fmt::print(stderr, "internal error: {}\nPlease report this as a stairway bug.\n", e.what());
    return static_cast<int>(ExitCode::kInternal);
  } catch (const applier::MigrationFailed& e) {
    // Already a full diagnostic (path:line:col: error: ...): printed as is.
    FlushOut();
    fmt::print(stderr, "{}\n", e.what());
    return static_cast<int>(ExitCode::kDatabase);
  } catch (const StopError& e) {
    FlushOut();
    fmt::print(stderr, "error: {}\n", e.what());
    return static_cast<int>(ExitCodeFor(e.kind()));
  } catch (const std::exception& e) {
    std::fflush(stdout);
    fmt::print(stderr, "internal error: {}\nPlease report this as a stairway bug.\n", e.what());
    return static_cast<int>(ExitCode::kInternal);
  }
}

}  // namespace stairway::cli

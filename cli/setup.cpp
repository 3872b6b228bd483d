// The command table's setup stage (cli/setup.h) and SetupFn, which puts it in front of the run
// functions of the commands that declare Needs.
#include "cli/setup.h"

#include <CLI/CLI.hpp>

#include <cstdlib>
#include <memory>

#include "cli/alembic_support.h"
#include "cli/json_output.h"

namespace stairway::cli {

void PrepareProject(const Needs& needs, const GlobalOptions& global, const CLI::App& sub,
                    Project& project) {
  bool want_set = needs.set == Need::kYes;
  if (needs.set == Need::kIfGiven) {
    const CLI::Option* dir = sub.get_option_no_throw("--dir");
    want_set = (dir != nullptr && dir->count() > 0) || std::getenv("STAIRWAY_DIR") != nullptr ||
               AlembicProjectHere();
  }
  if (want_set) {
    project.set = LoadSet(project.source);
    if (project.check) project.check(*project.set);
    if (needs.own_alembic && IsAlembic(*project.set)) return;
  }
  if (needs.session == Need::kYes) {
    project.session.emplace(ConnectToUserDatabase(ResolveDatabaseUrl(global)));
  } else if (needs.session == Need::kIfGiven) {
    project.session = ConnectIfConfigured(global);
  }
  if (needs.history && project.session) {
    project.rows = ReadHistoryReadOnly(*project.session, project.table());
  }
}

RunFn SetupFn::operator()(CLI::App& sub, GlobalOptions& global, const Needs& needs) const {
  if (plain_) return plain_(sub, global);
  auto project = std::make_shared<Project>();
  RunFn run = with_project_(sub, global, *project);
  if (!needs.any()) return [project, run] { return run(); };
  return [&sub, &global, needs, project, run] {
    // The connection closes when the command is done, as a local session would, also when it
    // throws: before the error is printed.
    struct Close {
      Project& project;
      ~Close() { project.session.reset(); }
    } close{*project};
    PrepareProject(needs, global, sub, *project);
    return run();
  };
}

}  // namespace stairway::cli

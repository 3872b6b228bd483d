// Alembic revisions run by the Python helper, for the Runner (CodeSteps): a failure becomes a
// MigrationFailed pointing at the .py line, with the SQL the server rejected and its message.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/source/alembic/python_helper.h"

namespace stairway::applier {

// Owns the helper (one process, one connection) for the life of a run on one database.
class AlembicSteps : public CodeSteps {
 public:
  explicit AlembicSteps(source::alembic::PythonHelper helper) : helper_(std::move(helper)) {}
  std::chrono::milliseconds Run(const planner::Step& step, const Finish& finish) override;
  source::alembic::PythonHelper& helper() { return helper_; }

 private:
  source::alembic::PythonHelper helper_;
};

// Imports the revision files a run needs before anything is applied: a file that cannot be
// imported is Error(kInput) "file:line:col: cannot import the revision file: ...".
Status PreloadRevisions(source::alembic::PythonHelper& helper,
                        const std::vector<std::filesystem::path>& files);

// The rendered failure of a step the helper reported (exposed for the roundtrip and tests).
MigrationFailed AlembicFailure(const planner::Step& step,
                               const source::alembic::HelperError& error);

}  // namespace stairway::applier

// Alembic revisions run by the Python helper, for the Runner (CodeSteps): a failure becomes a
// MigrationFailed pointing at the .py line, with the SQL the server rejected and its message.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/source/alembic/python_helper.h"

namespace stairway::applier {

// What revisions executed when they ran, for lint of the ones that cannot be rendered offline:
// (file, up) -> statements, filled the first time each wanted step runs. Shared by the helpers
// of one run (the roundtrip's databases), hence the lock.
class StatementCapture {
 public:
  void Want(const std::filesystem::path& file, bool up);
  // Whether the step is wanted and not captured yet.
  bool Wants(const std::filesystem::path& file, bool up) const;
  void Put(const std::filesystem::path& file, bool up,
           std::vector<source::alembic::EmittedStatement> statements);
  std::optional<std::vector<source::alembic::EmittedStatement>> Get(
      const std::filesystem::path& file, bool up) const;

 private:
  mutable std::mutex mutex_;
  std::map<std::pair<std::string, bool>,
           std::optional<std::vector<source::alembic::EmittedStatement>>>
      steps_;
};

// Owns the helper (one process, one connection) for the life of a run on one database.
class AlembicSteps : public CodeSteps {
 public:
  explicit AlembicSteps(source::alembic::PythonHelper helper) : helper_(std::move(helper)) {}
  std::chrono::milliseconds Run(const planner::Step& step, const Finish& finish,
                                const CodeTraceQueries* queries, CodeTrace* trace) override;
  source::alembic::PythonHelper& helper() { return helper_; }
  // Steps the capture wants hand it what they executed.
  void CaptureInto(std::shared_ptr<StatementCapture> capture) { capture_ = std::move(capture); }

 private:
  source::alembic::PythonHelper helper_;
  std::shared_ptr<StatementCapture> capture_;
};

// Imports the revision files a run needs before anything is applied: a file that cannot be
// imported is Error(kInput) "file:line:col: cannot import the revision file: ...".
Status PreloadRevisions(source::alembic::PythonHelper& helper,
                        const std::vector<std::filesystem::path>& files);

// The rendered failure of a step the helper reported (exposed for the roundtrip and tests).
MigrationFailed AlembicFailure(const planner::Step& step,
                               const source::alembic::HelperError& error);

}  // namespace stairway::applier

// Lint of Alembic projects: every revision and direction rendered offline by the project's own
// Alembic, statement by statement, each statement linted at the .py line of the call that
// produced it (docs/alembic.md, "Lint").
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "runner/applier/alembic_steps.h"
#include "runner/source/alembic/python_helper.h"
#include "runner/source/migration.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"

namespace stairway::lint {

// One revision and direction as the helper rendered it (or why it could not).
struct AlembicSection {
  const source::Revision* revision = nullptr;
  bool up = true;
  source::alembic::RenderedStatements rendered;

  // The revision file, as the set names it.
  const std::filesystem::path& file() const {
    return up ? revision->up.path : revision->down->path;
  }
};

// Renders the set's revisions in apply order, up then down (a revision without a downgrade has
// no down section), in one exchange with the helper.
std::vector<AlembicSection> RenderAlembicSections(source::alembic::PythonHelper& helper,
                                                  const source::MigrationSet& set);

// The lint input of the rendered sections. A section that could not be rendered takes the
// statements `capture` holds for it (what verify's roundtrip executed); without them it is not
// linted and becomes a skipped step saying why (`ran_by` names what would lint it).
struct AlembicLintInput {
  LintGroup group;
  std::vector<report::Step> not_linted;
};
AlembicLintInput AlembicLintGroup(const std::vector<AlembicSection>& sections,
                                  const applier::StatementCapture* capture,
                                  const std::string& ran_by);

// The lint input of a run without a database (`stairway lint`, the revision review): the set
// rendered offline, the sections that need a database pointed to `stairway verify`.
AlembicLintInput AlembicLintOffline(source::alembic::PythonHelper& helper,
                                    const source::MigrationSet& set);

// Lints the input and adds the not-linted sections as skipped steps.
report::Report LintAlembic(AlembicLintInput input, const LintOptions& options);

}  // namespace stairway::lint

// Model drift of an Alembic project: the SQLAlchemy model (env.py's target_metadata, or
// --model module:attr) created on a throwaway database and compared with the revisions at head.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "cli/alembic_support.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/drift/drift.h"

namespace stairway::cli {

// A model found by the helper, which keeps it loaded for CreateModel.
struct AlembicModel {
  std::unique_ptr<applier::AlembicSteps> helper;
  source::alembic::PythonHelper::Model model;
};

// Loads the model in the project's Python: `spec` "module:attr" or "module", or empty for
// env.py's target_metadata. Its warnings (0 tables) go to stderr. When it cannot be loaded:
// StopError(kInput) naming where it failed and what to do, or nullopt when `spec` is empty and
// `required` is false (verify: a project without target_metadata has no model to compare).
std::optional<AlembicModel> LoadAlembicModel(const source::MigrationSet& set,
                                             const SourceOptions& source, const std::string& spec,
                                             bool required);

// Creates `model` on one throwaway database of `box`, runs the revisions up to the heads on
// another (alembic_version is never a difference), and compares the two catalogs. Differences
// in a table the model defines name its class's file:line. Ends `model.helper` once the model
// is created (one check per loaded model).
verifier::drift::Result CheckAlembicModel(AlembicModel& model, const source::MigrationSet& set,
                                          const SourceOptions& source, sandbox::Sandbox& box,
                                          const schema::SnapshotOptions& snapshot);

// For drift::ModelOptions::code_steps: a helper of its own for the migrations' database, with the
// revisions imported, connected to it.
std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)> AlembicCodeSteps(
    const source::MigrationSet& set, const SourceOptions& source);

// SnapshotOptions for an Alembic project: its version table is left out of both sides.
schema::SnapshotOptions WithoutAlembicVersion(const source::MigrationSet& set,
                                              schema::SnapshotOptions snapshot);

}  // namespace stairway::cli

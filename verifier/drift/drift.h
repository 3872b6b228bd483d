// Drift: does a schema that exists elsewhere (a model's DDL, a live database) match what the
// migrations build? Each side becomes a catalog snapshot; differences are named object by object.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/db/session.h"
#include "runner/history/history.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/report/report.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/snapshot.h"

namespace stairway::verifier::drift {

struct Result {
  std::string other_label;       // "the model examples/model.sql" or the masked database URL
  std::string migrations_label;  // "migrations/ at head" or "migrations/ at 0004_x"
  std::vector<schema::Difference> differences;
  // One line per difference, worded for this check ("... is in the model but not in the
  // migrations"), then one per applied-but-edited or unknown revision (--against only).
  std::vector<std::string> lines;
  // Applied revisions whose file changed since (checksum mismatch), and history rows that name
  // no file, rendered as lines (also part of `lines`).
  std::vector<std::string> history_findings;
  // Said once, not a difference: e.g. "the database has no history table; compared with base".
  std::optional<std::string> note;

  bool HasDrift() const { return !lines.empty(); }
};

struct ModelOptions {
  schema::SnapshotOptions snapshot;
  // Table identity ("public.users") -> where the model defines it ("app/models.py:24"): a
  // difference in that table (its columns, indexes, constraints...) ends with "(model: ...)".
  std::map<std::string, std::string> table_sources;
  // Alembic: the revisions are code, run by a helper connected to the migrations' database.
  std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)> code_steps;
};

// A model built on an empty throwaway database (SQLAlchemy's create_all, or DDL), given a session
// on it (its url_with_password() for a process of its own). Throws StopError when the model
// cannot be built.
using BuildModel = std::function<void(db::Session& session)>;

// Like CheckModel, with the model built by `build` and named `model_label` ("the model
// env.py target_metadata").
Result CheckBuiltModel(sandbox::Sandbox& box, const source::MigrationSet& set,
                       const std::string& model_label, const BuildModel& build,
                       const ModelOptions& options);

// Runs the model DDL (`sql`, read from `model_path`) on a new throwaway database of `box` and the
// migrations up to head on another, and compares the two. Throws StopError(kInput) naming
// model_path:line when a model statement fails, StopError(kDatabase) when a migration fails.
Result CheckModel(sandbox::Sandbox& box, const source::MigrationSet& set,
                  const std::filesystem::path& model_path, const std::string& sql,
                  const ModelOptions& options = {});

struct AgainstOptions {
  schema::SnapshotOptions snapshot;
  history::Table table;  // where the live database's history lives
};

// Reads `live` only inside BEGIN TRANSACTION READ ONLY (rolled back afterwards; nothing is
// written, the history table is never created), finds the revision its history records, builds
// the migrations up to it on `box` and compares. Edited revisions (checksums) become findings.
Result CheckAgainst(db::Session& live, sandbox::Sandbox& box, const source::MigrationSet& set,
                    const AgainstOptions& options);

// Drift findings (check "drift", rule "drift" or "edited-migration", severity error) and one
// step, for the combined verify report.
report::Report ToReport(const Result& result, std::string_view step_name, double duration_ms);

}  // namespace stairway::verifier::drift

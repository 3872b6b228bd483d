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

// A place in a file: where a model defines a table ("app/models.py", 24), an edited revision.
struct Location {
  std::string path;
  int line = 0;  // 1-based; 0: the whole file
};

// One drift finding: a catalog difference, or (--against) a history row that disagrees with the
// files. Consumers (the drift command, the verify report) read these fields, never the text.
struct Finding {
  // "drift" (the catalogs differ), "edited-migration" (an applied revision's file changed
  // since), "unknown-revision" (a history row names no file), "unfinished-revision" (a history
  // row left failed or running).
  std::string rule = "drift";
  // What it is about: the catalog object ("column", "public.items.note"), or for the history
  // rules "revision" and the revision's label.
  std::string object_kind;
  std::string object;
  // rule "drift": the difference itself (which side has the object, or which attribute differs
  // and its two values).
  std::optional<schema::Difference> difference;
  // The finding worded for people ("column public.items.note: type text in the migrations,
  // character varying(20) in the model"), without the location and the [soft] mark.
  std::string message;
  Severity severity = Severity::kError;
  // A soft difference (column order, a constraint renamed only): still drift, marked "[soft]".
  bool soft = false;
  // Model drift: where the model defines the object's table, when the model said (Alembic).
  // edited-migration: the revision's up file.
  std::optional<Location> location;
};

// The line `stairway drift` prints: the message, then "(model: app/models.py:24)" when the model
// drift has a location, and " [soft]" for a soft difference.
std::string Line(const Finding& finding);

struct Result {
  std::string other_label;       // "the model examples/model.sql" or the masked database URL
  std::string migrations_label;  // "migrations/ at head" or "migrations/ at 0004_x"
  // The differences (sorted as schema::Compare sorts them), then (--against) the history rows
  // that disagree with the files.
  std::vector<Finding> findings;
  // Said once, not a difference: e.g. "the database has no history table; compared with base".
  std::optional<std::string> note;

  bool HasDrift() const { return !findings.empty(); }
};

// Alembic: starts the code steps (a helper in the project's Python, revisions imported) connected
// to the given throwaway database, where the migrations are built.
using CodeStepsFactory = std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)>;

struct ModelOptions {
  schema::SnapshotOptions snapshot;
  // Table identity ("public.users") -> where the model defines it ("app/models.py", 24): a
  // difference in that table (its columns, indexes, constraints...) points there.
  std::map<std::string, Location> table_sources;
  // Alembic: the revisions are code, run by a helper connected to the migrations' database.
  CodeStepsFactory code_steps;
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
  // Required for an Alembic set: its revisions are built with these (as ModelOptions').
  CodeStepsFactory code_steps;
};

// Reads `live` only inside BEGIN TRANSACTION READ ONLY (rolled back afterwards; nothing is
// written, the history table is never created), finds the revision its history records, builds
// the migrations up to it on `box` and compares. Edited revisions (checksums) become findings.
// An Alembic set's record is its version table (alembic_version): the migrations are built at
// its rows and their ancestors, a row without a file is an unknown-revision finding, and a
// stairway_history beside it (stairway upgrade keeps one) still gives the checksum and
// unfinished-revision findings. The version table itself is left to `options.snapshot`.
Result CheckAgainst(db::Session& live, sandbox::Sandbox& box, const source::MigrationSet& set,
                    const AgainstOptions& options);

// The findings of `migrations` (what the migrations build) compared with `other` (the model or
// the database, called `other_short` in the wording: "the model"), each about one object;
// a difference in a table of `table_sources` (or in its columns, indexes...) gets its location.
std::vector<Finding> CompareSnapshots(const schema::Snapshot& migrations,
                                      const schema::Snapshot& other, const std::string& other_short,
                                      schema::Owners owners,
                                      const std::map<std::string, Location>& table_sources = {});

// The findings (check "drift", their rule, object and severity) and one step named
// `step_name` with path `path` (the model file; may be empty), for the verify report and
// `stairway drift --report`. A finding with a location points there and still belongs to the
// step; the others point at `path`.
report::Report ToReport(const Result& result, std::string_view step_name, double duration_ms,
                        const std::string& path = {});

}  // namespace stairway::verifier::drift

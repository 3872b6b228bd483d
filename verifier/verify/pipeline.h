// The verify use case: the selected checks (roundtrip, lint, drift, and the checks on the set
// itself) run on one sandbox and gathered into one Report with a verdict. The CLI parses flags,
// finds the project's Python, prints progress through a Listener and writes the reports.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "runner/applier/alembic_steps.h"
#include "runner/common/diagnostic.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/drift/drift.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"
#include "verifier/verify/pr_checks.h"

namespace stairway::verifier::verify {

struct Checks {
  bool roundtrip = true;
  bool lint = true;
  bool drift = false;
  // --lock-trace: the revisions applied once more with preflight's lock trace (dynamic findings
  // beside the static lint).
  bool lock_trace = false;
};

// What an Alembic project's checks need from its own Python; the CLI knows how to find it.
struct AlembicProject {
  // A helper in the project's Python with the revisions imported, not yet connected. Called
  // before any database is made, so a missing Python or a broken revision fails fast, and
  // once more for each further roundtrip database.
  std::function<std::unique_ptr<applier::AlembicSteps>()> start_helper;
  // Connects a helper to a throwaway database (its URL, password included) with the roundtrip's
  // applier options.
  std::function<void(applier::AlembicSteps&, const std::string& url, const applier::Options&)>
      connect;
  // Model drift against the project's SQLAlchemy metadata; unset when the model is DDL or there
  // is none.
  std::function<drift::Result(sandbox::Sandbox&, const schema::SnapshotOptions&)> check_model;
};

// The model of the drift check: DDL text (a .sql file) or the Alembic project's metadata.
struct Model {
  std::string name;  // as printed: the file, or "the model env.py target_metadata"
  std::optional<std::filesystem::path> path;  // a DDL file: findings point at it
  std::string sql;                            // its text
  drift::ModelOptions options;                // snapshot options, Alembic code steps
};

struct Request {
  const source::MigrationSet* set = nullptr;
  Checks checks;
  roundtrip::Options roundtrip;
  bool allow_irreversible = false;
  bool allow_multiple_heads = false;
  // Roundtrip databases: 1 or 2; 0 picks two on a machine with two cores when it pays off.
  int jobs = 0;
  sandbox::Options sandbox;
  lint::LintOptions lint;
  std::optional<Model> model;             // required when checks.drift
  std::optional<AlembicProject> alembic;  // set for Alembic projects
  // Run on each throwaway database of the roundtrip before its first revision (verify --setup:
  // the schemas, extensions and roles the migrations expect); `first` for the run's first
  // database. A failure it throws as StopError(kInput) stays an input error.
  std::function<void(db::Session& session, sandbox::Sandbox& box, bool first)> prepare_database;
  // --base: the PR checks against a git base (pr_checks.h). They run first, before any database
  // starts; only the revisions changed since the base are round-tripped, the others go up only.
  std::optional<PrOptions> pr;
  // Lint findings at or above this fail the run; none: lint never fails it.
  std::optional<Severity> fail_level = Severity::kWarning;
};

// Progress as the checks run (the CLI's text report and progress line). Every hook is optional.
class Listener {
 public:
  virtual ~Listener() = default;
  // verify --base: the revisions changed since the base are known (the rest of the PR checks
  // runs beside the roundtrip; its findings come with the others).
  virtual void PrSelected(const PrSelection& selection) { (void)selection; }
  virtual void LintStarting() {}
  // The roundtrip starts; with two databases `cut` is the first revision the second
  // round-trips (0: one database).
  virtual void RoundtripStarting(int cut) { (void)cut; }
  // Hears each revision as it completes.
  virtual roundtrip::ProgressListener* Revisions() { return nullptr; }
  virtual void RoundtripDone(const roundtrip::Result& result, std::chrono::milliseconds setup) {
    (void)result;
    (void)setup;
  }
  // An Alembic project's lint runs after the roundtrip (it lints what the roundtrip captured).
  virtual void AlembicLintDone(const report::Report& lint) { (void)lint; }
  virtual void DriftStarting(const std::string& model_name) { (void)model_name; }
  virtual void DriftDone(const drift::Result& result) { (void)result; }
};

struct Outcome {
  report::Report report;
  int exit_code = 0;  // 0, or 1 for findings; a check that cannot run throws StopError
  // A check that fails whatever the lint fail level: a roundtrip finding or failed step, drift,
  // a PR-check error.
  bool failed_checks = false;
  // Kept alive for --keep (the caller prints how to connect); null when nothing was started.
  std::unique_ptr<sandbox::Sandbox> box;
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
};

// Runs the checks `request` selects. Input errors (an unknown --from revision, a section the
// scanner rejects) throw StopError(kInput) before any database is made where they can be found
// early; a check that cannot run throws StopError (exit 3).
Outcome Run(Request request, Listener& listener);

}  // namespace stairway::verifier::verify

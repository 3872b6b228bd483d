// The pre-production rehearsal: back up the target with pg_dump (read-only), restore the backup
// into a throwaway database, apply there what the target's own record says is pending, with a
// lock and cost trace per statement, and compare the schema with the migrations before and
// after. Nothing is ever written to the target. The CLI parses flags and prints.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "runner/applier/applier.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/drift/drift.h"
#include "verifier/preflight/trace.h"
#include "verifier/schema/snapshot.h"

namespace stairway::verifier::preflight {

struct Request {
  const source::MigrationSet* set = nullptr;
  // Exactly one of: the target's URL (read only), or a dump made earlier (pg_dump -Fc/-Fd/-Ft).
  std::optional<std::string> against;
  std::optional<std::filesystem::path> from_dump;
  std::filesystem::path backup_dir = ".";        // where the backup of `against` is kept
  bool schema_only = false;                      // dump and restore the schema only
  int jobs = 2;                                  // pg_restore --jobs
  std::optional<std::filesystem::path> pg_dump;  // default: the server's version's, else PATH
  std::optional<std::filesystem::path> pg_restore;
  sandbox::Options sandbox;
  applier::Options applier;  // history schema, lock/statement timeouts
  schema::SnapshotOptions snapshot;
  bool drift = true;
  // Alembic projects: a helper in the project's Python with the revisions imported, connected
  // to the given (throwaway) database; the CLI knows how to start one.
  std::function<std::unique_ptr<applier::CodeSteps>(db::Session&)> code_steps;
};

struct Backup {
  std::filesystem::path path;
  std::uintmax_t bytes = 0;
  std::string sha256;
  bool made = false;    // false: given with --from-dump
  std::string pg_dump;  // "pg_dump (PostgreSQL) 15.5 ..." when made
  double dump_ms = 0;
};

// A revision that failed on the restored data.
struct Failure {
  std::string revision;
  std::string path;  // file and line of the failing statement
  int line = 0;
  int column = 0;
  std::string statement;  // one-line excerpt
  std::string message;    // the runner's message (the server's text and SQLSTATE)
  std::string sqlstate;
  std::string rendered;  // the full diagnostic (caret, detail, hint)
  // Another revision failed before this one: this failure may follow from it.
  bool after_earlier_failure = false;
  bool rolled_back = true;
};

struct Result {
  std::string target;    // the masked URL, or the dump file
  int server_major = 0;  // the target's (0 with --from-dump)
  int sandbox_major = 0;
  Backup backup;
  bool schema_only = false;
  double restore_ms = 0;
  std::string record;                // "public.stairway_history", "schema_migrations (dbmate)", ...
  std::string recorded_revision;     // what the record says is applied last ("base": nothing)
  std::vector<std::string> pending;  // labels, in apply order
  std::vector<std::string> applied;  // applied in the rehearsal
  double apply_ms = 0;
  std::vector<StatementTrace> statements;
  std::vector<Failure> failures;
  std::optional<drift::Result> drift_before;  // restored schema vs the migrations at the record
  std::optional<drift::Result> drift_after;   // after applying vs the migrations at head
  std::vector<std::string> notes;

  bool HasFindings() const;
};

// Progress lines as the rehearsal goes ("dumping ...", "restoring ...").
class Listener {
 public:
  virtual ~Listener() = default;
  virtual void Progress(const std::string& line) { (void)line; }
};

struct Outcome {
  Result result;
  int exit_code = 0;  // 0, or 1 for a failing revision or drift
  // Kept alive for --keep (the caller prints how to connect).
  std::unique_ptr<sandbox::Sandbox> box;
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
};

// Runs the rehearsal. Input errors (no or both sources, a dump pg_restore cannot read, pg_dump
// older than the server) throw StopError(kInput); a target that cannot be reached or dumped,
// StopError(kDatabase).
Outcome Run(const Request& request, Listener& listener);

}  // namespace stairway::verifier::preflight

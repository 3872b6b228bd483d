// Runs planned steps on a database: one transaction per revision, or statement by statement
// for a non-transactional one, with the history table kept exact and a migration lock held for
// the whole run.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/common/error.h"
#include "runner/db/session.h"
#include "runner/history/alembic_version.h"
#include "runner/history/history.h"
#include "runner/planner/planner.h"
#include "runner/source/alembic/python_helper.h"
#include "runner/sql/split.h"

namespace stairway::applier {

struct Options {
  std::string history_schema = std::string(history::kDefaultSchema);
  // PostgreSQL setting values ("5s", "250ms"); set for every revision when present.
  std::optional<std::string> lock_timeout;
  std::optional<std::string> statement_timeout;
  // How long to wait for another runner's migration lock before giving up: long enough for
  // several replicas that start together, each waiting while the one before applies.
  std::chrono::milliseconds lock_wait{std::chrono::minutes(5)};
};

enum class EditedPolicy { kRefuse, kAllow };

// A step with its section split into statements (views into the revision's text).
struct PreparedStep {
  planner::Step step;
  std::vector<sql::StatementSpan> statements;
};

// Splits every step's section. A section the scanner cannot split is Error(kInput) pointing at
// the file position, so nothing runs.
Expected<PreparedStep> PrepareStep(const planner::Step& step);
Expected<std::vector<PreparedStep>> Prepare(const planner::Plan& plan);

// A statement of a migration failed. what() is the rendered diagnostic
// (path:line:col: error: ..., source line, caret, statement excerpt, help).
class MigrationFailed : public StopError {
 public:
  MigrationFailed(Diagnostic diagnostic, std::string rendered, std::string sqlstate,
                  bool rolled_back = true);
  const Diagnostic& diagnostic() const { return diagnostic_; }
  const std::string& sqlstate() const { return sqlstate_; }
  // False when part of the step stays done (a section outside a transaction, an Alembic
  // autocommit_block()): the database is neither before nor after the step.
  bool rolled_back() const { return rolled_back_; }

 private:
  Diagnostic diagnostic_;
  std::string sqlstate_;
  bool rolled_back_ = true;
};

// The session that holds the migration lock, as pg_stat_activity describes it.
struct LockHolder {
  int pid = 0;
  std::string application;
  std::string user;
  std::string client;
  std::string since;  // backend start, UTC
  std::string state;  // "active: SELECT ..." / "idle"
};

// A code step's statements run on the code's own connection: what an observer wants read there
// around them (preflight's lock trace), and what was read.
using CodeTraceQueries = source::alembic::TraceQueries;
using CodeTrace = source::alembic::StepTrace;

// Progress callbacks (the CLI prints them; the roundtrip verifier times steps with them).
class Observer {
 public:
  virtual ~Observer() = default;
  virtual void WaitingForLock(const std::optional<LockHolder>& /*holder*/) {}
  virtual void StepStarted(const PreparedStep& /*step*/) {}
  virtual void StepFinished(const PreparedStep& /*step*/, std::chrono::milliseconds /*took*/) {}
  // Around each statement of a SQL step, on the runner's session: inside the step's transaction
  // when it runs in one, so what the statement locked and rewrote is still visible there
  // (preflight's lock trace reads pg_locks and pg_class). A failing statement gets no
  // StatementFinished. An exception thrown here fails the step like the statement would.
  virtual void StatementStarting(const PreparedStep& /*step*/, std::size_t /*index*/,
                                 db::Session& /*session*/) {}
  virtual void StatementFinished(const PreparedStep& /*step*/, std::size_t /*index*/,
                                 db::Session& /*session*/) {}
  // The same for a step whose body is code (Alembic): the queries to run on its connection, in
  // its transaction (nullptr: none), and, before StepFinished or the step's MigrationFailed,
  // their rows with each statement the code ran.
  virtual const CodeTraceQueries* CodeTraceWanted(const PreparedStep& /*step*/) { return nullptr; }
  virtual void CodeTraced(const PreparedStep& /*step*/, const CodeTrace& /*trace*/) {}
};

// Runs revisions whose body is code instead of SQL text (Alembic's Python) on a connection of
// its own to the same database, while the Runner's session holds the migration lock.
class CodeSteps {
 public:
  virtual ~CodeSteps() = default;
  // The SQL that goes into the step's (last) transaction before its COMMIT, given its duration.
  using Finish = std::function<std::vector<std::string>(std::chrono::milliseconds)>;
  // Runs `step` and commits it with `finish`'s SQL; returns the time taken. Throws
  // MigrationFailed when the step failed (its transaction rolled back), StopError otherwise.
  // With `queries`, `trace` receives what they read around each statement, also on failure.
  virtual std::chrono::milliseconds Run(const planner::Step& step, const Finish& finish,
                                        const CodeTraceQueries* queries, CodeTrace* trace) = 0;
};

// A run on one database. Constructing it takes the migration lock (a session-level advisory
// lock keyed on the history table's name); destroying it releases the lock. Because every
// writer holds the lock, a 'running' row seen by a Runner was left by a runner that is gone.
class Runner {
 public:
  // Throws StopError(kDatabase) when the lock stays taken for options.lock_wait.
  Runner(db::Session& session, Options options, Observer* observer = nullptr);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  const history::Table& table() const { return table_; }

  // Alembic: the set's revisions run through `code`, and the project's version table
  // (alembic_version) is kept exactly as Alembic keeps it, in the step's own transaction.
  // `code` may be null for a runner that runs no revision (stamp).
  void UseAlembic(const source::MigrationSet& set, CodeSteps* code);
  // The revisions alembic_version says are applied (its rows and their ancestors); empty when
  // the table does not exist. Only with UseAlembic.
  planner::AppliedSet AlembicApplied();
  // stamp for Alembic: makes alembic_version hold exactly `rows` (created when missing) and the
  // history agree (stamped rows for revisions that become applied, rows of revisions that stop
  // being applied removed), in one transaction, running no revision. Returns what changed.
  std::vector<std::string> StampAlembic(const std::vector<std::string>& rows);
  const Options& options() const { return options_; }

  // Creates the history table when it is missing (first write), then checks its format.
  void EnsureHistory();
  // The history rows; empty when the table does not exist yet. Checks the format.
  std::vector<history::Row> ReadHistory();

  // Refuses to go on (StopError) when the history has a failed or interrupted revision
  // (kDatabase), rows for revisions the set does not have (kInput), or, unless allowed,
  // applied revisions whose file changed (kInput). Messages say how to resolve each.
  void CheckClean(const planner::Reconciled& state, EditedPolicy edited) const;

  // Runs the steps in order and stops at the first failure: MigrationFailed for a failing
  // statement (exit 3), StopError for a lost connection or a commit in doubt (never retried).
  void Run(const std::vector<PreparedStep>& steps);
  std::chrono::milliseconds RunStep(const PreparedStep& step);

  // stamp: makes the history say that exactly `target` and the revisions before it are
  // applied (nullptr: none), without running any migration. Returns what changed, one line
  // per revision.
  std::vector<std::string> Stamp(const source::MigrationSet& set, const planner::Reconciled& state,
                                 const source::Revision* target);
  // repair: forgets failed/interrupted up attempts (the revision is pending again) and marks
  // failed/interrupted down attempts applied again; with kAllow also records the file checksum
  // of edited revisions. Returns what changed.
  std::vector<std::string> Repair(const planner::Reconciled& state, EditedPolicy edited);

 private:
  void AcquireLock();
  std::optional<LockHolder> FindLockHolder();
  std::chrono::milliseconds RunTransactional(const PreparedStep& step);
  std::chrono::milliseconds RunNonTransactional(const PreparedStep& step);
  std::chrono::milliseconds RunCode(const PreparedStep& step);
  // Creates alembic_version, as Alembic would, when it does not exist yet.
  void EnsureVersionTable();
  void SetTimeouts(bool local);
  void ResetTimeouts();
  [[noreturn]] void Fail(const PreparedStep& step, std::size_t index, const db::DatabaseError& e,
                         bool rolled_back);
  // The connection broke during `step` (before statement `index`, or while it ran; nullopt:
  // before the first one, or after the last while recording the outcome): says what state the
  // revision is in instead of the client library's text.
  [[noreturn]] void Lost(const PreparedStep& step, std::optional<std::size_t> index,
                         const std::exception& cause);

  db::Session& session_;
  Options options_;
  Observer* observer_;
  history::Table table_;
  std::string applied_by_;
  bool locked_ = false;
  // Alembic (UseAlembic): the set, the runner of its Python, its version table, and what is
  // applied (read from that table at the first step, then kept up to date here: every writer
  // holds the migration lock).
  const source::MigrationSet* alembic_set_ = nullptr;
  CodeSteps* code_ = nullptr;
  std::optional<history::AlembicVersionTable> version_table_;
  std::optional<planner::AppliedSet> alembic_applied_;
};

// One line of at most 100 characters (whitespace runs folded): enough to recognise a statement
// in a terminal.
std::string Excerpt(std::string_view text);

// The message `upgrade` prints when the history has a failed or interrupted revision. With the
// revision (from the set), a down attempt's help names the revision to stamp.
std::string ResolveMessage(const history::Row& row, const history::Table& table,
                           const source::Revision* revision = nullptr);
// What `stairway stamp` is given once `revision`'s down is fully done: its parent's version,
// "base" for the first revision.
std::string StampTargetBefore(const source::Revision& revision);

// The session holding the migration lock on `table` other than `session` itself; nullopt when
// none does. Read-only (pg_locks + pg_stat_activity): `status` uses it without taking the lock.
std::optional<LockHolder> FindLockHolder(db::Session& session, const history::Table& table);

}  // namespace stairway::applier

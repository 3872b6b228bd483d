// The lock and cost trace of a rehearsal: for each statement the runner's applier runs, what it
// locked (read from pg_locks inside its open transaction), rewrote (relfilenode changed), built
// (indexes), how many rows it touched and how long it took.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runner/applier/applier.h"

namespace stairway::verifier::preflight {

// One relation lock a statement took (or strengthened) and how long it stays held.
struct LockTaken {
  std::string mode;      // "ACCESS EXCLUSIVE"
  std::string relation;  // "public.users"
  std::string kind;      // "table", "index", "sequence", "view", ...
  // False for a relation the revision made itself: nobody else can be waiting for it.
  bool existed_before = true;
  // From the statement's start until its transaction ends (the revision's COMMIT, or the
  // statement's own end outside a transaction): what a live system waits at most.
  double held_ms = 0;
};

struct StatementTrace {
  std::string revision;   // "0004_add_email"
  std::size_t index = 0;  // 0-based within the revision
  std::size_t count = 0;  // statements in the revision
  std::string path;       // file and line of the statement's first token
  int line = 0;
  std::string text;  // one-line excerpt
  bool in_transaction = true;
  double start_ms = 0;     // since the first traced statement began
  double duration_ms = 0;  // the statement alone (the trace's own queries excluded)
  std::vector<LockTaken> locks;
  std::vector<std::string> rewritten;      // tables (and matviews) written anew
  std::vector<std::string> indexes_built;  // new indexes and indexes rebuilt by a rewrite
  // Rows inserted, updated or deleted, and rows read by sequential scans (validation scans
  // count here); nullopt outside a transaction (the statistics are per transaction).
  std::optional<long long> rows_written;
  std::optional<long long> rows_scanned;
  bool failed = false;
  // Failed, and the revision caught the error and went on (Alembic: a savepoint rolled back).
  bool caught = false;
  std::string error;  // the server's message when failed
};

// "ACCESS EXCLUSIVE" -> what that lock keeps other sessions from doing.
std::string_view WhatItBlocks(std::string_view mode);
// 0 (ACCESS SHARE) .. 7 (ACCESS EXCLUSIVE); -1 for an unknown name.
int LockStrength(std::string_view mode);
// "AccessExclusiveLock" (pg_locks) -> "ACCESS EXCLUSIVE".
std::string LockModeName(std::string_view pg_locks_mode);
// "ACCESS EXCLUSIVE on public.users for 2.3 s: blocks every read and write".
std::string DescribeLock(const LockTaken& lock);

// Records the trace as the applier runs (an applier::Observer on the Runner's session). The
// queries it adds run between statements and are not counted in their durations: in a
// transaction, one read of the relations changed since the last such read (the first time: all)
// before the revision's first statement, then one read of the locked relations after each
// statement; outside one, every relation around each statement.
class Tracer : public applier::Observer {
 public:
  // kSkip leaves rows_written and rows_scanned unset (verify --lock-trace does not report them):
  // reading the transaction's statistics costs a look at every table.
  enum class RowCounts { kRead, kSkip };
  // kFindingsOnly (verify --lock-trace) does not read after a SQL statement that can take no
  // lock of SHARE or stronger on a relation and rewrites and builds nothing (CREATE FUNCTION,
  // COMMENT, CREATE VIEW, ...): it is recorded without locks, and the weaker locks it took are
  // seen by the next read, with the next statement, where the findings leave them out.
  enum class Detail { kEveryStatement, kFindingsOnly };
  explicit Tracer(RowCounts rows = RowCounts::kRead, Detail detail = Detail::kEveryStatement);

  void StepStarted(const applier::PreparedStep& step) override;
  void StepFinished(const applier::PreparedStep& step, std::chrono::milliseconds took) override;
  void StatementStarting(const applier::PreparedStep& step, std::size_t index,
                         db::Session& session) override;
  void StatementFinished(const applier::PreparedStep& step, std::size_t index,
                         db::Session& session) override;
  // Alembic revisions: the same reads run on the helper's connection, in the revision's
  // transaction (before its first statement, then after each one; around each statement of an
  // autocommit_block()), and come back with the statements.
  const applier::CodeTraceQueries* CodeTraceWanted(const applier::PreparedStep& step) override;
  void CodeTraced(const applier::PreparedStep& step, const applier::CodeTrace& trace) override;
  // The statement that started last failed (the Runner threw MigrationFailed): it is recorded
  // with the server's message.
  void StatementFailed(const std::string& message);

  const std::vector<StatementTrace>& statements() const { return statements_; }
  // Time spent in the trace's own queries (what it adds to the run it watches), and how many.
  double read_ms() const { return read_ms_; }
  int reads() const { return reads_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Relation {
    std::string name;
    std::string kind;
    std::string relfilenode;
  };
  struct State {
    std::map<std::string, std::string> locks;  // oid -> strongest mode held
    // oid -> relation: every user relation when `complete`, else the locked ones.
    std::map<std::string, Relation> relations;
    bool complete = true;
    long long written = 0;
    long long scanned = 0;
  };
  // What a read covers: every relation; those changed since horizon_; the locked ones.
  enum class Scope { kAll, kChanged, kLocked };
  State Read(db::Session& session, bool in_transaction, Scope scope);
  // A read's rows (tag, oid, mode, relfilenode, relkind, name) as a State.
  State Parse(const std::vector<db::Row>& rows, bool in_transaction, Scope scope);
  StatementTrace Begin(const applier::PreparedStep& step, std::size_t index) const;
  // Brings known_ up to date with a read: replaced by a complete one, patched by the others.
  void Learn(const State& state);
  // Fills in what changed between before_ (locks, rows) and known_ (relations) and `after`
  // (locks, rewrites, indexes, rows), then updates known_.
  void Compare(StatementTrace& t, const State& after);
  // Compare, then records `t` and makes `after` where the next statement starts.
  void Record(StatementTrace t, State after);

  bool rows_;
  Detail detail_;
  std::string state_query_;
  std::string changed_query_;
  std::string locked_query_;
  // The horizon of the last read of all or the changed relations (an xid, as text); unset
  // before the first.
  db::Value horizon_;
  // The queries handed to the Alembic helper for the revision about to run, and the scope of
  // its first read.
  applier::CodeTraceQueries code_queries_;
  Scope code_begin_ = Scope::kAll;
  double code_end_ms_ = 0;  // the last Alembic revision's COMMIT, as start_ms counts
  std::optional<Clock::time_point> first_;
  Clock::time_point step_start_;
  Clock::time_point statement_start_;
  // Relations that appeared during this revision (the others in known_ existed before it).
  std::set<std::string> step_new_;
  bool step_read_ = false;  // known_ brought up to date for this revision
  State before_;
  // Every relation as last read, kept from revision to revision (a dropped one may stay).
  std::map<std::string, Relation> known_;
  std::optional<StatementTrace> pending_;  // started, not finished
  std::size_t step_first_ = 0;             // index in statements_ of the step's first
  std::vector<StatementTrace> statements_;
  double read_ms_ = 0;
  int reads_ = 0;
};

}  // namespace stairway::verifier::preflight

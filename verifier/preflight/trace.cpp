// The lock and cost trace; see trace.h.
#include "verifier/preflight/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "runner/common/diagnostic.h"
#include "runner/source/migration.h"
#include "runner/sql/parse.h"

namespace stairway::verifier::preflight {

namespace {

// Weakest first, as PostgreSQL's conflict table orders them.
constexpr std::array<std::string_view, 8> kModes = {
    "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
    "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};

// The condition of the user relations the trace reads (pg_class c, pg_namespace n): catalogs,
// TOAST and temporary tables are left out (the trace's own queries lock the catalogs).
constexpr std::string_view kUserRelation = R"SQL(
  n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f'))SQL";

// One round trip: the session's relation locks in this database and every user relation with its
// file node (6 columns: tag, oid, lock mode, relfilenode, relkind, name). Catalog relations are
// left out (the query's own locks are on them).
constexpr std::string_view kStateQuery = R"SQL(
SELECT 'L', l.relation::oid::text, l.mode, NULL, NULL, NULL
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
UNION ALL
SELECT 'R', c.oid::text, NULL, c.relfilenode::text, c.relkind::text,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE {user_relation}
)SQL";

// Every user relation whose pg_class row changed (made, altered, renamed, rewritten) since the
// horizon of an earlier read, $1: the rows a transaction at or after it wrote. A relation
// untouched since is as that read saw it (VACUUM and ANALYZE update pg_class in place, keeping
// xmin). Dropped relations are not reported; nothing locks them any more.
constexpr std::string_view kChangedQuery = R"SQL(
SELECT 'R', c.oid::text, NULL, c.relfilenode::text, c.relkind::text,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE pg_catalog.age(c.xmin) <= pg_catalog.age($1::text::pg_catalog.xid)
  AND {user_relation}
)SQL";

// The horizon of a read of the relations: the next transaction id then, or the oldest one still
// writing in this database when there is one (another session's, which may commit later).
// Whatever a later read must see again was written by it or a later one. Transactions of other
// databases do not count: they do not write this database's pg_class (on a shared server, or
// the other database of verify --jobs 2, they would hold the horizon back for nothing).
constexpr std::string_view kHorizonQuery = R"SQL(
UNION ALL
SELECT 'H', coalesce(
         (SELECT a.backend_xid::text FROM pg_catalog.pg_stat_activity a
          WHERE a.datname = pg_catalog.current_database() AND a.backend_xid IS NOT NULL
            AND a.pid <> pg_catalog.pg_backend_pid()
          ORDER BY pg_catalog.age(a.backend_xid) DESC LIMIT 1),
         (pg_catalog.txid_snapshot_xmax(pg_catalog.txid_current_snapshot()) % 4294967296)::text),
       NULL, NULL, NULL, NULL
)SQL";

// Inside a transaction, after a statement: only the relations the session holds a lock on, with
// their file nodes. Every relation a statement creates, rewrites or drops is locked until the
// transaction ends, so these rows are all that can have changed since the last read; a dropped
// relation comes without its pg_class row. Much cheaper than kStateQuery on a large schema.
constexpr std::string_view kLockedQuery = R"SQL(
SELECT 'L', l.relation::oid::text, l.mode, c.relfilenode::text, c.relkind::text,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_locks l
LEFT JOIN pg_catalog.pg_class c ON c.oid = l.relation
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
  AND (c.oid IS NULL OR ({user_relation}))
)SQL";

// This transaction's row counts so far (preflight's rows written and scanned).
constexpr std::string_view kRowsQuery = R"SQL(
UNION ALL
SELECT 'S', coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text,
       coalesce(sum(seq_tup_read), 0)::text, NULL, NULL, NULL
FROM pg_catalog.pg_stat_xact_user_tables
)SQL";

std::string KindName(std::string_view relkind) {
  if (relkind == "r" || relkind == "p") return "table";
  if (relkind == "i" || relkind == "I") return "index";
  if (relkind == "m") return "materialized view";
  if (relkind == "S") return "sequence";
  if (relkind == "v") return "view";
  if (relkind == "f") return "foreign table";
  return "relation";
}

double Ms(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// Whether a statement can take no lock of SHARE or stronger on a relation that existed before
// it, and rewrites and builds nothing: what verify's trace findings never come from.
bool NothingToFind(const sql::Statement& s) {
  if (const auto* view = s.As<sql::CreateView>()) {
    // CREATE OR REPLACE VIEW locks the existing view ACCESS EXCLUSIVE; a materialized view is
    // filled (and may be indexed) by what follows.
    return !view->replace && !view->materialized;
  }
  // COMMENT takes SHARE UPDATE EXCLUSIVE at most; the others lock no relation.
  static constexpr std::array<std::string_view, 7> kNodes = {
      "CreateFunctionStmt", "CommentStmt", "CreateEnumStmt",   "AlterEnumStmt",
      "CreateDomainStmt",   "DefineStmt",  "CompositeTypeStmt"};
  return std::find(kNodes.begin(), kNodes.end(), s.node) != kNodes.end();
}

}  // namespace

int LockStrength(std::string_view mode) {
  for (std::size_t i = 0; i < kModes.size(); ++i) {
    if (kModes[i] == mode) return static_cast<int>(i);
  }
  return -1;
}

std::string LockModeName(std::string_view mode) {
  // "AccessExclusiveLock": words split at capitals, the trailing "Lock" dropped.
  if (mode.ends_with("Lock")) mode.remove_suffix(4);
  std::string out;
  for (char c : mode) {
    if (c >= 'A' && c <= 'Z' && !out.empty()) out += ' ';
    out += static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  }
  return out;
}

std::string_view WhatItBlocks(std::string_view mode) {
  switch (LockStrength(mode)) {
    case 0:
      return "blocks only ACCESS EXCLUSIVE (ALTER TABLE, DROP, VACUUM FULL); reads and writes go "
             "on";
    case 1:
      return "blocks EXCLUSIVE and ACCESS EXCLUSIVE; reads and writes go on";
    case 2:
      return "blocks CREATE INDEX (without CONCURRENTLY) and stronger locks; reads and writes go "
             "on";
    case 3:
      return "blocks VACUUM, ANALYZE, CREATE INDEX CONCURRENTLY and other schema changes; reads "
             "and writes go on";
    case 4:
      return "blocks every write (INSERT, UPDATE, DELETE); reads go on";
    case 5:
      return "blocks every write and other SHARE ROW EXCLUSIVE locks; reads go on";
    case 6:
      return "blocks every write and SELECT ... FOR UPDATE; plain reads go on";
    case 7:
      return "blocks every read and write";
    default:
      return "see the PostgreSQL lock conflict table";
  }
}

std::string DescribeLock(const LockTaken& lock) {
  const std::string held = lock.held_ms >= 1000 ? fmt::format("{:.1f} s", lock.held_ms / 1000)
                                                : fmt::format("{:.0f} ms", lock.held_ms);
  if (!lock.existed_before) {
    return fmt::format("{} on {} for {}: made by this revision, blocks nobody", lock.mode,
                       lock.relation, held);
  }
  return fmt::format("{} on {} for {}: {}", lock.mode, lock.relation, held,
                     WhatItBlocks(lock.mode));
}

Tracer::Tracer(RowCounts rows, Detail detail)
    : rows_(rows == RowCounts::kRead),
      detail_(detail),
      state_query_(fmt::format(kStateQuery, fmt::arg("user_relation", kUserRelation)) +
                   std::string(kHorizonQuery) + (rows_ ? std::string(kRowsQuery) : "")),
      changed_query_(fmt::format(kChangedQuery, fmt::arg("user_relation", kUserRelation)) +
                     std::string(kHorizonQuery) + (rows_ ? std::string(kRowsQuery) : "")),
      locked_query_(fmt::format(kLockedQuery, fmt::arg("user_relation", kUserRelation)) +
                    (rows_ ? std::string(kRowsQuery) : "")) {}

Tracer::State Tracer::Read(db::Session& session, bool in_transaction, Scope scope) {
  const Clock::time_point started = Clock::now();
  // Prepared once per session: planning these catalog joins costs more than running them.
  const db::QueryResult r = scope == Scope::kAll ? session.QueryPrepared(state_query_)
                            : scope == Scope::kChanged
                                ? session.QueryPrepared(changed_query_, {horizon_})
                                : session.QueryPrepared(locked_query_);
  State state = Parse(r.rows, in_transaction, scope);
  read_ms_ += Ms(Clock::now() - started);
  ++reads_;
  return state;
}

Tracer::State Tracer::Parse(const std::vector<db::Row>& rows, bool in_transaction, Scope scope) {
  State state;
  state.complete = scope == Scope::kAll;
  for (const db::Row& row : rows) {
    if (row.size() < 6 || !row[0]) continue;
    const std::string& tag = *row[0];
    const std::string oid = row[1].value_or("");
    if (tag == "L") {
      const std::string mode = LockModeName(row[2].value_or(""));
      std::string& held = state.locks[oid];
      if (LockStrength(mode) > LockStrength(held)) held = mode;
    }
    if ((tag == "L" || tag == "R") && row[5]) {
      state.relations[oid] = Relation{*row[5], KindName(row[4].value_or("")), row[3].value_or("")};
    } else if (tag == "H") {
      horizon_ = row[1];
    } else if (tag == "S" && in_transaction) {
      state.written = std::atoll(row[1].value_or("0").c_str());
      state.scanned = std::atoll(row[2].value_or("0").c_str());
    }
  }
  return state;
}

void Tracer::Learn(const State& state) {
  if (state.complete) {
    known_ = state.relations;
  } else {
    for (const auto& [oid, relation] : state.relations) known_[oid] = relation;
  }
}

void Tracer::StepStarted(const applier::PreparedStep& step) {
  step_start_ = Clock::now();
  if (!first_) first_ = step_start_;
  step_first_ = statements_.size();
  step_new_.clear();
  step_read_ = false;
}

const applier::CodeTraceQueries* Tracer::CodeTraceWanted(const applier::PreparedStep& step) {
  if (!step.step.revision->alembic) return nullptr;
  code_begin_ = horizon_ ? Scope::kChanged : Scope::kAll;
  code_queries_.begin = code_begin_ == Scope::kChanged ? changed_query_ : state_query_;
  code_queries_.begin_arg = code_begin_ == Scope::kChanged ? horizon_ : std::nullopt;
  code_queries_.after = locked_query_;
  code_queries_.around = state_query_;
  return &code_queries_;
}

void Tracer::CodeTraced(const applier::PreparedStep& step, const applier::CodeTrace& trace) {
  if (!trace.begin.empty()) {
    before_ = Parse(trace.begin, true, code_begin_);
    Learn(before_);
  }
  step_read_ = true;
  const double step_ms = Ms(step_start_ - *first_);
  for (std::size_t i = 0; i < trace.statements.size(); ++i) {
    const source::alembic::TracedStatement& s = trace.statements[i];
    StatementTrace t;
    t.revision = step.step.revision->Label();
    t.index = i;
    t.count = trace.statements.size();
    t.path = step.step.section().path.string();
    t.line = s.line;
    t.text = applier::Excerpt(s.sql);
    t.in_transaction = !s.autocommit;
    t.start_ms = step_ms + s.start_ms;
    t.duration_ms = s.duration_ms;
    if (s.autocommit) {
      before_ = Parse(s.before, false, Scope::kAll);
      Learn(before_);
    }
    if (s.failed) {
      t.failed = true;
      // Statements ran after it: the revision caught the error (a savepoint rolled back).
      t.caught = i + 1 < trace.statements.size();
      statements_.push_back(std::move(t));
      continue;
    }
    State after = Parse(s.after, t.in_transaction, t.in_transaction ? Scope::kLocked : Scope::kAll);
    Record(std::move(t), std::move(after));
  }
  code_end_ms_ = step_ms + trace.end_ms;
  read_ms_ += trace.read_ms;
}

StatementTrace Tracer::Begin(const applier::PreparedStep& step, std::size_t index) const {
  const source::Section& section = step.step.section();
  const sql::StatementSpan& span = step.statements[index];
  const Diagnostic d =
      source::Relocated(section, DiagnosticAt(Severity::kInfo, section.path.string(), section.sql,
                                              span.offset, "", section.first_line - 1));
  StatementTrace t;
  t.revision = step.step.revision->Label();
  t.index = index;
  t.count = step.statements.size();
  t.path = d.path;
  t.line = d.pos.line;
  t.text = applier::Excerpt(span.text);
  t.in_transaction = step.step.tx_mode() == source::TxMode::kTransaction;
  return t;
}

void Tracer::StatementStarting(const applier::PreparedStep& step, std::size_t index,
                               db::Session& session) {
  StatementTrace t = Begin(step, index);
  // In a transaction the relations are read once, before its first statement: the first time
  // all of them, later only those changed since the last such read (by this trace, the steps it
  // does not hear, or anyone else). After that, what the previous statement's read saw is this
  // one's start (nothing runs in between). Outside a transaction each statement commits on its
  // own and releases its locks: every relation is read around it.
  if (!t.in_transaction) {
    before_ = Read(session, false, Scope::kAll);
    Learn(before_);
  } else if (!step_read_) {
    before_ = Read(session, true, horizon_ ? Scope::kChanged : Scope::kAll);
    Learn(before_);
  }
  step_read_ = true;
  pending_ = std::move(t);
  statement_start_ = Clock::now();
  pending_->start_ms = Ms(statement_start_ - *first_);
}

void Tracer::StatementFinished(const applier::PreparedStep& step, std::size_t index,
                               db::Session& session) {
  const Clock::time_point end = Clock::now();
  if (!pending_) return;
  StatementTrace t = std::move(*pending_);
  pending_.reset();
  t.duration_ms = Ms(end - statement_start_);
  if (detail_ == Detail::kFindingsOnly && t.in_transaction &&
      NothingToFind(sql::ParseStatement(step.step.section().sql, step.statements[index]))) {
    statements_.push_back(std::move(t));  // before_ stays: the next read sees its locks
    return;
  }
  State after = Read(session, t.in_transaction, t.in_transaction ? Scope::kLocked : Scope::kAll);
  Record(std::move(t), std::move(after));
}

void Tracer::Record(StatementTrace t, State after) {
  Compare(t, after);
  statements_.push_back(std::move(t));
  before_ = std::move(after);
}

void Tracer::Compare(StatementTrace& t, const State& after) {
  for (const auto& [oid, mode] : after.locks) {
    auto was = before_.locks.find(oid);
    if (was != before_.locks.end() && LockStrength(was->second) >= LockStrength(mode)) continue;
    // The relation as it is now, else as last seen (dropped by the statement); none: not a
    // user relation (the catalogs the trace reads).
    const Relation* relation = nullptr;
    using Relations = std::map<std::string, Relation>;
    for (const Relations* map :
         std::initializer_list<const Relations*>{&after.relations, &known_}) {
      auto it = map->find(oid);
      if (it != map->end()) {
        relation = &it->second;
        break;
      }
    }
    if (relation == nullptr) continue;
    // Reads and writes lock the indexes they use as they lock the table: said once, for it.
    if (relation->kind == "index" && LockStrength(mode) < LockStrength("SHARE")) continue;
    LockTaken lock;
    lock.mode = mode;
    lock.relation = relation->name;
    lock.kind = relation->kind;
    lock.existed_before = known_.count(oid) > 0 && step_new_.count(oid) == 0;
    lock.held_ms = t.duration_ms;
    t.locks.push_back(std::move(lock));
  }
  // New and rewritten relations, against what was known before the statement: the last read of
  // every relation (a whole read, or a read while locked; a relation is rewritten only under a
  // lock, which lasts until the transaction ends).
  for (const auto& [oid, relation] : after.relations) {
    auto was = known_.find(oid);
    if (was == known_.end()) {
      step_new_.insert(oid);
      if (relation.kind == "index") t.indexes_built.push_back(relation.name);
      continue;
    }
    if (was->second.relfilenode == relation.relfilenode || relation.relfilenode == "0") continue;
    if (relation.kind == "index") {
      t.indexes_built.push_back(relation.name + " (rebuilt)");
    } else if (relation.kind == "table" || relation.kind == "materialized view") {
      t.rewritten.push_back(relation.name);
    }
  }
  Learn(after);
  if (t.in_transaction && rows_) {
    t.rows_written = after.written - before_.written;
    t.rows_scanned = after.scanned - before_.scanned;
  }
}

void Tracer::StatementFailed(const std::string& message) {
  if (!pending_) {
    // An Alembic revision's failing statement came with its trace, without the message.
    if (!statements_.empty() && statements_.back().failed && statements_.back().error.empty()) {
      statements_.back().error = message;
    }
    return;
  }
  StatementTrace t = std::move(*pending_);
  pending_.reset();
  t.duration_ms = Ms(Clock::now() - statement_start_);
  t.failed = true;
  t.error = message;
  statements_.push_back(std::move(t));
}

void Tracer::StepFinished(const applier::PreparedStep& step, std::chrono::milliseconds took) {
  (void)took;
  if (step.step.revision->alembic) {
    // One transaction, except the autocommit_block()s: one commits what ran before it, and the
    // transaction that follows starts after it.
    double end_ms = code_end_ms_;
    for (std::size_t i = statements_.size(); i > step_first_; --i) {
      StatementTrace& s = statements_[i - 1];
      // The step succeeded: the revision caught the error of its last statement too.
      if (s.failed) s.caught = true;
      if (!s.in_transaction) {
        end_ms = s.start_ms;
        continue;
      }
      for (LockTaken& lock : s.locks) lock.held_ms = end_ms - s.start_ms;
    }
    return;
  }
  if (step.step.tx_mode() != source::TxMode::kTransaction) return;
  // Locks taken in a transaction are held until it ends: from each statement's start to the
  // revision's COMMIT.
  const double end_ms = Ms(Clock::now() - *first_);
  for (std::size_t i = step_first_; i < statements_.size(); ++i) {
    for (LockTaken& lock : statements_[i].locks) lock.held_ms = end_ms - statements_[i].start_ms;
  }
}

}  // namespace stairway::verifier::preflight

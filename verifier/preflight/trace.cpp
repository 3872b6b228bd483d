// The lock and cost trace; see trace.h.
#include "verifier/preflight/trace.h"

#include <fmt/format.h>

#include <array>
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "runner/common/diagnostic.h"
#include "runner/source/migration.h"

namespace stairway::verifier::preflight {

namespace {

// Weakest first, as PostgreSQL's conflict table orders them.
constexpr std::array<std::string_view, 8> kModes = {
    "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
    "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};

// One round trip: the session's relation locks in this database, every user relation with its
// file node, and this transaction's row counts so far. Catalog relations are left out (the
// query's own locks are on them).
constexpr std::string_view kStateQuery = R"SQL(
SELECT 'L', l.relation::oid::text, l.mode, NULL, NULL
FROM pg_catalog.pg_locks l
WHERE l.pid = pg_catalog.pg_backend_pid() AND l.locktype = 'relation' AND l.granted
  AND l.database = (SELECT oid FROM pg_catalog.pg_database WHERE datname = current_database())
UNION ALL
SELECT 'R', c.oid::text, c.relfilenode::text, c.relkind::text,
       pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(c.relname)
FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
  AND n.nspname NOT LIKE 'pg\_temp\_%' AND n.nspname NOT LIKE 'pg\_toast\_temp\_%'
  AND c.relkind IN ('r', 'p', 'i', 'I', 'm', 'S', 'v', 'f')
UNION ALL
SELECT 'S', coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)::text,
       coalesce(sum(seq_tup_read), 0)::text, NULL, NULL
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

Tracer::State Tracer::Read(db::Session& session, bool in_transaction) {
  State state;
  const db::QueryResult r = session.Query(kStateQuery);
  for (const db::Row& row : r.rows) {
    const std::string& tag = *row[0];
    if (tag == "L") {
      const std::string mode = LockModeName(row[2].value_or(""));
      std::string& held = state.locks[row[1].value_or("")];
      if (LockStrength(mode) > LockStrength(held)) held = mode;
    } else if (tag == "R") {
      state.relations[row[1].value_or("")] =
          Relation{row[4].value_or(""), KindName(row[3].value_or("")), row[2].value_or("")};
    } else if (tag == "S" && in_transaction) {
      state.written = std::atoll(row[1].value_or("0").c_str());
      state.scanned = std::atoll(row[2].value_or("0").c_str());
    }
  }
  return state;
}

void Tracer::StepStarted(const applier::PreparedStep& step) {
  step_start_ = Clock::now();
  if (!first_) first_ = step_start_;
  step_first_ = statements_.size();
  before_step_.clear();
  step_read_ = false;
  if (step.step.revision->alembic && session_ != nullptr) {
    before_ = Read(*session_, false);
    before_step_ = before_.relations;
    step_read_ = true;
    StatementTrace t;
    t.revision = step.step.revision->Label();
    t.count = 1;
    t.path = step.step.section().path.string();
    t.line = 0;
    t.text = "upgrade() (Alembic; its statements run in the project's Python, locks not traced)";
    t.in_transaction = false;
    pending_ = std::move(t);
    statement_start_ = Clock::now();
    pending_->start_ms = Ms(statement_start_ - *first_);
  }
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
  before_ = Read(session, t.in_transaction);
  if (!step_read_) before_step_ = before_.relations;
  step_read_ = true;
  pending_ = std::move(t);
  statement_start_ = Clock::now();
  pending_->start_ms = Ms(statement_start_ - *first_);
}

void Tracer::StatementFinished(const applier::PreparedStep& step, std::size_t index,
                               db::Session& session) {
  (void)step;
  (void)index;
  const Clock::time_point end = Clock::now();
  if (!pending_) return;
  StatementTrace t = std::move(*pending_);
  pending_.reset();
  t.duration_ms = Ms(end - statement_start_);
  const State after = Read(session, t.in_transaction);
  Compare(t, after);
  statements_.push_back(std::move(t));
}

void Tracer::Compare(StatementTrace& t, const State& after) const {
  const auto name_of = [&](const std::string& oid) -> std::pair<std::string, std::string> {
    using Relations = std::map<std::string, Relation>;
    for (const Relations* map : std::initializer_list<const Relations*>{
             &after.relations, &before_.relations, &before_step_}) {
      auto it = map->find(oid);
      if (it != map->end()) return {it->second.name, it->second.kind};
    }
    return {"", ""};
  };
  for (const auto& [oid, mode] : after.locks) {
    auto was = before_.locks.find(oid);
    if (was != before_.locks.end() && LockStrength(was->second) >= LockStrength(mode)) continue;
    const auto [name, kind] = name_of(oid);
    if (name.empty()) continue;  // not a user relation (the catalogs the trace reads)
    // Reads and writes lock the indexes they use as they lock the table: said once, for it.
    if (kind == "index" && LockStrength(mode) < LockStrength("SHARE")) continue;
    LockTaken lock;
    lock.mode = mode;
    lock.relation = name;
    lock.kind = kind;
    lock.existed_before = before_step_.count(oid) > 0;
    lock.held_ms = t.duration_ms;
    t.locks.push_back(std::move(lock));
  }
  for (const auto& [oid, relation] : after.relations) {
    auto was = before_.relations.find(oid);
    if (was == before_.relations.end()) {
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
  if (t.in_transaction) {
    t.rows_written = after.written - before_.written;
    t.rows_scanned = after.scanned - before_.scanned;
  }
}

void Tracer::StatementFailed(const std::string& message) {
  if (!pending_) return;
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
    if (!pending_ || session_ == nullptr) return;
    StatementTrace t = std::move(*pending_);
    pending_.reset();
    t.duration_ms = Ms(Clock::now() - statement_start_);
    Compare(t, Read(*session_, false));
    statements_.push_back(std::move(t));
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

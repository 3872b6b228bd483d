// Transaction state, timeouts and held locks per statement, computed once per section.
#include "verifier/lint/context.h"

#include <algorithm>
#include <cstdlib>

namespace stairway::lint {

void SectionContext::Report(std::size_t offset, std::string message, std::string help,
                            std::string lock) const {
  sink->push_back({current, offset, std::move(message), std::move(help), std::move(lock)});
}

bool StatementContext::IsNewTable(const sql::QualifiedName& n) const {
  const TableInfo* t = schema_.Find(n);
  return t != nullptr && t->created_unit == section_.unit;
}

namespace {

// "0", "0s", "0ms" and DEFAULT switch a timeout off.
bool TimeoutOn(const sql::SetVariable& s) {
  if (s.reset || s.value.empty()) return false;
  return std::strtod(s.value.c_str(), nullptr) != 0.0;
}

std::string Key(const sql::QualifiedName& table, const std::string& constraint) {
  return (table.schema.empty() ? "public" : table.schema) + "." + table.name + "." + constraint;
}

}  // namespace

void ComputeFacts(SectionContext& section) {
  section.facts.assign(section.statements.size(), {});
  bool explicit_tx = false;
  bool wrap_active = section.wrapped;
  int tx = 1;
  bool session_lock = false, local_lock = false, session_stmt = false, local_stmt = false;
  std::size_t held_begin = 0;
  section.lock_log.clear();
  std::set<std::string> not_valid;
  std::set<std::string> created;  // tables created in this section
  auto end_tx = [&] {
    ++tx;
    local_lock = local_stmt = false;
    held_begin = section.lock_log.size();
    not_valid.clear();
  };
  for (std::size_t i = 0; i < section.statements.size(); ++i) {
    const sql::Statement& s = section.statements[i];
    StatementFacts& f = section.facts[i];
    f.in_explicit_transaction = explicit_tx;
    f.in_transaction = explicit_tx || wrap_active;
    f.transaction = tx;
    f.lock_timeout = session_lock || local_lock;
    f.statement_timeout = session_stmt || local_stmt;
    f.held_begin = held_begin;
    f.held_end = section.lock_log.size();
    f.not_valid_in_transaction = not_valid;
    if (s.error) continue;
    for (LockTaken& l : LocksOf(s, section.pg_version)) {
      const std::string key = (l.table.schema.empty() ? "public" : l.table.schema) + "." + l.table.name;
      if (created.count(key) == 0 && l.mode != LockMode::kNone) f.locks.push_back(l);
    }
    if (const auto* ct = s.As<sql::CreateTable>()) {
      created.insert((ct->table.schema.empty() ? "public" : ct->table.schema) + "." + ct->table.name);
    }
    if (const auto* sv = s.As<sql::SetVariable>()) {
      const bool on = TimeoutOn(*sv);
      const bool all = sv->name.empty() && sv->reset;
      if (sv->name == "lock_timeout" || all) (sv->local ? local_lock : session_lock) = on;
      if (sv->name == "statement_timeout" || all) (sv->local ? local_stmt : session_stmt) = on;
    }
    // Locks and NOT VALID constraints stay with the transaction until it ends.
    const bool in_tx = explicit_tx || wrap_active;
    if (in_tx) {
      for (const LockTaken& l : f.locks) {
        if (BlocksDml(l.mode)) section.lock_log.push_back({l.table, l.mode, s.offset});
      }
      if (const auto* at = s.As<sql::AlterTable>()) {
        for (const sql::AlterTableCmd& c : at->cmds) {
          if (c.constraint && c.constraint->not_valid) not_valid.insert(Key(at->table, c.constraint->name));
        }
      }
    }
    if (const auto* t = s.As<sql::Transaction>()) {
      using K = sql::Transaction::Kind;
      if (t->kind == K::kBegin) {
        if (!explicit_tx && !wrap_active) end_tx();
        explicit_tx = true;
      } else if (t->kind == K::kCommit || t->kind == K::kRollback || t->kind == K::kPrepare) {
        explicit_tx = false;
        wrap_active = false;  // the runner's transaction ended here too
        end_tx();
      }
    } else if (!in_tx) {
      end_tx();  // autocommit: every statement is its own transaction
    }
  }
}

}  // namespace stairway::lint

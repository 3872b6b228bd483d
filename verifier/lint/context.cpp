// Transaction state, timeouts and held locks per statement, computed once per section.
#include "verifier/lint/context.h"

#include <algorithm>
#include <cstdlib>

#include "runner/sql/transaction.h"
#include "verifier/lint/wrapper.h"

namespace stairway::lint {

void SectionContext::Report(std::size_t offset, std::string message, std::string help,
                            std::string lock) const {
  sink->push_back({current, offset, std::move(message), std::move(help), std::move(lock)});
}

const TableInfo* StatementContext::Table(const sql::QualifiedName& n) const {
  if (!looked_up_valid_ || !(looked_up_ == n)) {
    looked_up_ = n;
    looked_up_table_ = schema_.Find(n);
    looked_up_valid_ = true;
  }
  return looked_up_table_;
}

bool StatementContext::IsNewTable(const sql::QualifiedName& n) const {
  const TableInfo* t = Table(n);
  return t != nullptr && t->created_unit == section_.unit;
}

const std::vector<ForeignKeyUse>& StatementContext::ForeignKeys() const {
  if (foreign_keys_) return *foreign_keys_;
  std::vector<ForeignKeyUse>& out = foreign_keys_.emplace();
  using K = sql::Constraint::Kind;
  if (const auto* ct = stmt().As<sql::CreateTable>()) {
    for (const sql::ColumnDef& col : ct->columns) {
      for (const sql::Constraint& k : col.constraints) {
        if (k.kind == K::kForeignKey) out.push_back({&k, ct->table, {col.name}, false, false});
      }
    }
    for (const sql::Constraint& k : ct->constraints) {
      if (k.kind == K::kForeignKey) out.push_back({&k, ct->table, k.columns, false, false});
    }
  } else if (const auto* at = stmt().As<sql::AlterTable>()) {
    const bool existing = IsExistingTable(at->table);
    for (const sql::AlterTableCmd& cmd : at->cmds) {
      if (cmd.column && cmd.subtype == "AddColumn") {
        for (const sql::Constraint& k : cmd.column->constraints) {
          if (k.kind == K::kForeignKey) {
            out.push_back({&k, at->table, {cmd.column->name}, existing, true});
          }
        }
      }
      if (cmd.constraint && cmd.constraint->kind == K::kForeignKey) {
        out.push_back({&*cmd.constraint, at->table, cmd.constraint->columns, existing, false});
      }
    }
  }
  return out;
}

const std::vector<ColumnUse>& StatementContext::Columns() const {
  if (columns_) return *columns_;
  std::vector<ColumnUse>& out = columns_.emplace();
  if (const auto* ct = stmt().As<sql::CreateTable>()) {
    for (const sql::ColumnDef& col : ct->columns) out.push_back({&col, ct->table, false, false});
  } else if (const auto* at = stmt().As<sql::AlterTable>()) {
    const bool existing = IsExistingTable(at->table);
    for (const sql::AlterTableCmd& cmd : at->cmds) {
      if (!cmd.column) continue;
      if (cmd.subtype == "AddColumn") out.push_back({&*cmd.column, at->table, existing, false});
      if (cmd.subtype == "AlterColumnType")
        out.push_back({&*cmd.column, at->table, existing, true});
    }
  }
  return out;
}

namespace {

std::vector<KeyDef>& KeysOn(SectionContext& section, const sql::QualifiedName& table) {
  auto it = section.keys_by_table.find(table);
  if (it == section.keys_by_table.end()) {
    it = section.keys_by_table.emplace(TableKey(table), std::vector<KeyDef>{}).first;
  }
  return it->second;
}

// Keys a statement creates: CREATE INDEX (not partial), PRIMARY KEY / UNIQUE constraints.
void CollectKeys(const sql::Statement& s, std::size_t index, SectionContext& section) {
  using K = sql::Constraint::Kind;
  auto add_constraint = [&](const sql::QualifiedName& t, const sql::Constraint& k,
                            const std::string& col) {
    if ((k.kind != K::kPrimaryKey && k.kind != K::kUnique) || !k.using_index.empty()) return;
    KeysOn(section, t)
        .push_back({index, k.columns.empty() ? std::vector<std::string>{col} : k.columns});
  };
  if (const auto* ci = s.As<sql::CreateIndex>()) {
    if (!ci->partial) KeysOn(section, ci->table).push_back({index, ci->columns});
  } else if (const auto* ct = s.As<sql::CreateTable>()) {
    for (const auto& col : ct->columns) {
      for (const auto& k : col.constraints) add_constraint(ct->table, k, col.name);
    }
    for (const auto& k : ct->constraints) add_constraint(ct->table, k, "");
  } else if (const auto* at = s.As<sql::AlterTable>()) {
    for (const auto& cmd : at->cmds) {
      if (cmd.constraint) add_constraint(at->table, *cmd.constraint, "");
    }
  }
}

bool IsDdl(const sql::Statement& s) {
  return s.As<sql::AlterTable>() != nullptr || s.As<sql::CreateIndex>() != nullptr ||
         s.As<sql::CreateTable>() != nullptr || s.As<sql::Drop>() != nullptr;
}

// "0", "0s", "0ms" and DEFAULT switch a timeout off; a value computed at run time ("?", from
// set_config) is taken to set one.
bool TimeoutOn(const sql::SetVariable& s) {
  if (s.reset || s.value.empty()) return false;
  if (s.value == "?") return true;
  return std::strtod(s.value.c_str(), nullptr) != 0.0;
}

std::string Key(const sql::QualifiedName& table, const std::string& constraint) {
  return (table.schema.empty() ? "public" : table.schema) + "." + table.name + "." + constraint;
}

}  // namespace

std::vector<bool> RunnerDroppedPairs(const SectionContext& section) {
  std::vector<bool> out(section.statements.size(), false);
  // Alembic units are rendered from the revision's .py file, whose Python runs as written.
  const bool code = section.path.ends_with(".py");
  if (!section.wrapped || !section.migration || code) return out;
  for (std::size_t i : sql::PlanTransactionControl(section.statements, true).pairs) out[i] = true;
  return out;
}

bool SectionContext::OutsideTransaction(std::size_t offset) const {
  return std::any_of(outside_transaction.begin(), outside_transaction.end(),
                     [&](const auto& r) { return offset >= r.first && offset < r.second; });
}

void ComputeFacts(SectionContext& section, const std::vector<std::string>& created_before,
                  const SchemaModel* before) {
  section.facts.assign(section.statements.size(), {});
  bool explicit_tx = false;
  bool wrap_active = section.wrapped;
  int tx = 1;
  bool session_lock = false, local_lock = false, session_stmt = false, local_stmt = false;
  std::size_t held_begin = 0;
  section.lock_log.clear();
  std::set<std::string> not_valid;
  TableKeySet created(created_before.begin(), created_before.end());
  auto end_tx = [&] {
    ++tx;
    local_lock = local_stmt = false;
    held_begin = section.lock_log.size();
    not_valid.clear();
  };
  section.keys_by_table.clear();
  section.has_ddl = false;
  section.first_unprotected_lock = static_cast<std::size_t>(-1);
  bool was_outside = false;
  const bool wrapped = section.wrapped;
  const std::vector<bool> dropped = RunnerDroppedPairs(section);
  for (std::size_t i = 0; i < section.statements.size(); ++i) {
    const sql::Statement& s = section.statements[i];
    StatementFacts& f = section.facts[i];
    // An autocommit block of a wrapped section: the runner's transaction is committed before it,
    // each statement in it is its own transaction, and a new one begins after it.
    const bool outside = section.OutsideTransaction(s.offset);
    if (outside != was_outside && wrapped) {
      if (!explicit_tx) end_tx();
      wrap_active = !outside;
      was_outside = outside;
    }
    f.in_explicit_transaction = explicit_tx;
    f.in_transaction = explicit_tx || wrap_active;
    f.transaction = tx;
    f.lock_timeout = session_lock || local_lock;
    f.statement_timeout = session_stmt || local_stmt;
    f.held_begin = held_begin;
    f.held_end = section.lock_log.size();
    f.not_valid_in_transaction = not_valid;
    if (s.error) continue;
    CollectKeys(s, i, section);
    section.has_ddl = section.has_ddl || IsDdl(s);
    const auto* drop = s.As<sql::Drop>();
    const bool drop_index = drop != nullptr && drop->object_type == "INDEX" && !drop->concurrent;
    for (LockTaken& l : LocksOf(s, section.pg_version)) {
      // DROP INDEX holds ACCESS EXCLUSIVE on the index's table: that is what blocks traffic.
      const TableInfo* owner =
          drop_index && before != nullptr ? before->TableOfIndex(l.table) : nullptr;
      if (owner != nullptr) l.table = owner->name;
      if (l.mode != LockMode::kNone && created.find(l.table) == created.end()) {
        f.locks.push_back(std::move(l));
      }
    }
    if (section.first_unprotected_lock == static_cast<std::size_t>(-1) && !f.lock_timeout) {
      for (const LockTaken& l : f.locks) {
        if (BlocksDml(l.mode)) section.first_unprotected_lock = i;
      }
    }
    if (const auto* ct = s.As<sql::CreateTable>()) {
      created.insert(TableKey(ct->table));
    }
    // An index of a table created here is new too (DROP INDEX names the index, not the table).
    if (const auto* ci = s.As<sql::CreateIndex>();
        ci != nullptr && !ci->name.empty() && created.find(ci->table) != created.end()) {
      created.insert(TableKey(sql::QualifiedName{ci->table.schema, ci->name}));
    }
    auto apply_setting = [&](const sql::SetVariable& sv) {
      const bool on = TimeoutOn(sv);
      const bool all = sv.name.empty() && sv.reset;
      if (sv.name == "lock_timeout" || all) (sv.local ? local_lock : session_lock) = on;
      if (sv.name == "statement_timeout" || all) (sv.local ? local_stmt : session_stmt) = on;
    };
    if (const auto* sv = s.As<sql::SetVariable>()) apply_setting(*sv);
    if (const auto* sc = s.As<sql::SetConfig>()) {
      for (const sql::SetVariable& sv : sc->settings) apply_setting(sv);
    }
    // Locks and NOT VALID constraints stay with the transaction until it ends.
    const bool in_tx = explicit_tx || wrap_active;
    if (in_tx) {
      for (const LockTaken& l : f.locks) {
        if (BlocksDml(l.mode)) section.lock_log.push_back({l.table, l.mode, s.offset});
      }
      if (const auto* at = s.As<sql::AlterTable>()) {
        for (const sql::AlterTableCmd& c : at->cmds) {
          if (c.constraint && c.constraint->not_valid)
            not_valid.insert(Key(at->table, c.constraint->name));
        }
      }
    }
    if (dropped[i]) {
      // Left out by the runner: its transaction goes on.
    } else if (const auto* t = s.As<sql::Transaction>()) {
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

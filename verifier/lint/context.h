// The facts every rule reads, computed once per section and per statement: transaction state,
// timeouts in effect, tables created earlier (this revision or before), target version.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/sql/ast.h"
#include "verifier/lint/config.h"
#include "verifier/lint/locks.h"
#include "verifier/lint/rule.h"
#include "verifier/lint/schema_model.h"
#include "verifier/lint/volatility.h"

namespace stairway::lint {

// A finding before it gets a file position (the engine adds path, line and column).
struct RawFinding {
  const Rule* rule = nullptr;
  std::size_t offset = 0;  // byte offset in the section text
  std::string message;
  std::string help;  // empty: the rule's default help
  std::string lock;
};

// A dangerous lock taken earlier in the current transaction.
struct HeldLock {
  sql::QualifiedName table;
  LockMode mode = LockMode::kNone;
  std::size_t offset = 0;  // statement that took it
};

// Per-statement facts (state *before* the statement runs).
struct StatementFacts {
  bool in_transaction = false;  // explicit BEGIN or a section the runner wraps
  bool in_explicit_transaction = false;
  int transaction = 0;        // serial number of the transaction it runs in
  bool lock_timeout = false;  // a non-zero lock_timeout is in effect
  bool statement_timeout = false;
  // DML-blocking locks on existing tables taken earlier in this transaction: the range
  // [held_begin, held_end) of SectionContext::lock_log.
  std::size_t held_begin = 0;
  std::size_t held_end = 0;
  std::set<std::string> not_valid_in_transaction;  // "table.constraint" added NOT VALID here
  std::vector<LockTaken> locks;  // what this statement locks (existing tables only)
};

// An index or unique/primary key a statement of the section creates.
struct KeyDef {
  std::size_t statement = 0;
  std::vector<std::string> columns;
};

class SectionContext {
 public:
  std::string path;       // display path
  std::string_view text;  // the section's SQL
  int first_line = 1;
  bool wrapped = false;  // the runner runs the section inside one transaction
  // A marker in the file (goose NO TRANSACTION, transaction:false) chose to run it outside a
  // transaction: its author decided how its statements run.
  bool marked_no_transaction = false;
  // Offset ranges of statements that step out of the wrapping transaction (autocommit blocks).
  std::vector<std::pair<std::size_t, std::size_t>> outside_transaction;
  bool migration = false;  // part of a migration set (not a loose .sql file)
  std::string revision;
  int unit = 0;  // serial number (for "created in this revision")
  int pg_version = 15;
  std::vector<sql::Statement> statements;
  std::vector<StatementFacts> facts;  // parallel to statements
  std::vector<HeldLock> lock_log;     // every DML-blocking lock taken inside a transaction
  bool has_ddl = false;               // any CREATE/ALTER/DROP of tables or indexes
  // Index of the first statement that takes a DML-blocking lock with no lock_timeout set.
  std::size_t first_unprotected_lock = static_cast<std::size_t>(-1);
  // Indexes and keys created in this section, by table ("schema.table").
  TableKeyMap<std::vector<KeyDef>> keys_by_table;
  const NamePattern* naming = nullptr;  // [lint] naming_pattern, compiled once
  std::vector<RawFinding>* sink = nullptr;
  const Rule* current = nullptr;  // the rule being run

  void Report(std::size_t offset, std::string message, std::string help = {},
              std::string lock = {}) const;
  // Whether the statement at `offset` is in one of the outside_transaction ranges.
  bool OutsideTransaction(std::size_t offset) const;
  // True the first time the current rule asks with this key in the section: for rules that
  // report once per section or per transaction from their per-statement check.
  bool FirstTime(std::string key = {}) const {
    return once_.insert({current, std::move(key)}).second;
  }

 private:
  mutable std::set<std::pair<const Rule*, std::string>> once_;
};

struct ForeignKeyUse {
  const sql::Constraint* fk = nullptr;
  sql::QualifiedName table;          // referencing table
  std::vector<std::string> columns;  // referencing columns
  bool added_to_existing = false;    // ALTER TABLE on an existing table
  bool via_add_column = false;       // ADD COLUMN ... REFERENCES
};

struct ColumnUse {
  const sql::ColumnDef* column = nullptr;
  sql::QualifiedName table;
  bool added_to_existing = false;  // ADD COLUMN on an existing table
  bool type_change = false;        // ALTER COLUMN ... TYPE (column->type is the new type)
};

class StatementContext {
 public:
  StatementContext(const SectionContext& section, const SchemaModel& schema, std::size_t index)
      : section_(section), schema_(schema), index_(index) {}

  const sql::Statement& stmt() const { return section_.statements[index_]; }
  const StatementFacts& facts() const { return section_.facts[index_]; }
  const SectionContext& section() const { return section_; }
  const SchemaModel& schema() const { return schema_; }
  std::size_t index() const { return index_; }
  int pg_version() const { return section_.pg_version; }
  // The first DML-blocking lock on an existing table held since earlier in this transaction.
  const HeldLock* FirstHeldLock() const {
    const StatementFacts& f = facts();
    return f.held_begin < f.held_end ? &section_.lock_log[f.held_begin] : nullptr;
  }

  // Known table, from this revision or an earlier one; null when never seen (then it is
  // assumed to exist already and hold data).
  const TableInfo* Table(const sql::QualifiedName& n) const;
  // Created earlier in this revision (same section): lock rules stay silent on it.
  bool IsNewTable(const sql::QualifiedName& n) const;
  bool IsExistingTable(const sql::QualifiedName& n) const { return !IsNewTable(n); }

  // Foreign keys and column definitions the statement introduces, computed once for all the
  // rules that ask (see rules/helpers.h).
  const std::vector<ForeignKeyUse>& ForeignKeys() const;
  const std::vector<ColumnUse>& Columns() const;

  void Report(std::size_t offset, std::string message, std::string help = {},
              std::string lock = {}) const {
    section_.Report(offset, std::move(message), std::move(help), std::move(lock));
  }
  void Report(std::string message, std::string help = {}, std::string lock = {}) const {
    Report(stmt().offset, std::move(message), std::move(help), std::move(lock));
  }

 private:
  const SectionContext& section_;
  const SchemaModel& schema_;
  std::size_t index_;
  // Memos: every rule asks about the same few tables, and the model does not change while the
  // rules look at one statement.
  mutable sql::QualifiedName looked_up_;
  mutable const TableInfo* looked_up_table_ = nullptr;
  mutable bool looked_up_valid_ = false;
  mutable std::optional<std::vector<ForeignKeyUse>> foreign_keys_;
  mutable std::optional<std::vector<ColumnUse>> columns_;
};

// Computes StatementFacts for every statement of the section. `model_before` is the schema
// before the section; the facts need only which tables the section itself creates.
// `created_before` lists tables ("schema.table") the same revision created before this
// section (a down section sees what its up created): locks on them do not count. `before`, the
// schema before the section, names the table of a dropped index: DROP INDEX locks the table.
void ComputeFacts(SectionContext& section, const std::vector<std::string>& created_before = {},
                  const SchemaModel* before = nullptr);

}  // namespace stairway::lint

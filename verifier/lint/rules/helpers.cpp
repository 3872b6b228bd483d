// Shared helpers for rule files.
#include "verifier/lint/rules/helpers.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "runner/sql/script.h"
#include "runner/sql/transaction.h"
#include "verifier/lint/volatility.h"

namespace stairway::lint {

bool ColumnNotNull(const StatementContext& c, const sql::QualifiedName& table,
                   const std::string& column) {
  using K = sql::Constraint::Kind;
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) {
    for (const sql::ColumnDef& col : ct->columns) {
      if (col.name == column && col.NotNull()) return true;
    }
    for (const sql::Constraint& k : ct->constraints) {
      if (k.kind != K::kPrimaryKey) continue;
      for (const std::string& n : k.columns) {
        if (n == column) return true;
      }
    }
  }
  if (const auto* at = c.stmt().As<sql::AlterTable>()) {
    for (const sql::AlterTableCmd& cmd : at->cmds) {
      if (cmd.column && cmd.subtype == "AddColumn" && cmd.column->name == column &&
          cmd.column->NotNull()) {
        return true;
      }
      if (cmd.subtype == "SetNotNull" && cmd.name == column) return true;
    }
  }
  const TableInfo* t = c.Table(table);
  const ColumnInfo* col = t != nullptr ? t->Column(column) : nullptr;
  return col != nullptr && col->not_null;
}

int LineAt(const SectionContext& s, std::size_t offset) {
  const std::string_view before = s.text.substr(0, offset);
  return s.first_line + static_cast<int>(std::count(before.begin(), before.end(), '\n'));
}

bool IsSerialType(const std::string& n) {
  return n == "serial" || n == "bigserial" || n == "smallserial" || n == "serial2" ||
         n == "serial4" || n == "serial8";
}

bool SafeTypeChange(const sql::TypeRef& from, const sql::TypeRef& to) {
  if (from.array != to.array) return false;
  if (from == to) return true;
  const bool from_varchar = from.name == "varchar", to_varchar = to.name == "varchar";
  if (from_varchar && to.name == "text") return true;
  if (from.name == "text" && to_varchar && to.mods.empty()) return true;
  if (from_varchar && to_varchar) {
    return to.mods.empty() || (!from.mods.empty() && to.mods[0] >= from.mods[0]);
  }
  if ((from.name == "varbit") && to.name == "varbit") {
    return to.mods.empty() || (!from.mods.empty() && to.mods[0] >= from.mods[0]);
  }
  if (from.name == "numeric" && to.name == "numeric") {
    if (to.mods.empty()) return true;
    if (from.mods.empty()) return false;
    const long from_scale = from.mods.size() > 1 ? from.mods[1] : 0;
    const long to_scale = to.mods.size() > 1 ? to.mods[1] : 0;
    return to.mods[0] >= from.mods[0] && to_scale == from_scale;
  }
  if (from.name == "cidr" && to.name == "inet") return true;
  return false;
}

namespace {

// INSERT ... SELECT (or INSERT ... WITH ... SELECT): a SELECT keyword outside parentheses. The
// typed view keeps no source for INSERT; the scanner's tokens tell VALUES from a query.
bool InsertFromQuery(std::string_view text) {
  std::vector<sql::ScannedToken> tokens;
  std::size_t error = 0;
  if (!sql::ScanTokens(text, tokens, error)) return true;  // unreadable: assume the worst
  int depth = 0;
  for (const sql::ScannedToken& t : tokens) {
    const std::string_view word = text.substr(t.start, t.end - t.start);
    if (word == "(") ++depth;
    if (word == ")") --depth;
    if (depth != 0 || word.size() != 6) continue;
    std::string lower(word);
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (lower == "select") return true;
  }
  return false;
}

// The slow part of one ALTER TABLE subcommand on an existing table, or "".
std::string SlowAlter(const StatementContext& c, const sql::AlterTable& at,
                      const sql::AlterTableCmd& cmd) {
  using K = sql::Constraint::Kind;
  const std::string& t = cmd.subtype;
  if (t == "AddColumn" && cmd.column) {
    const sql::ColumnDef& col = *cmd.column;
    const sql::Expr* def = col.Default();
    if (IsSerialType(col.type.name) || col.Find(K::kIdentity) != nullptr ||
        col.Find(K::kGenerated) != nullptr ||
        (def != nullptr &&
         (c.pg_version() < 11 || ExprVolatility(*def) == Volatility::kVolatile))) {
      return "a table rewrite";
    }
    for (const sql::Constraint& k : col.constraints) {
      // A key on the new column builds an index; a CHECK or a reference is validated against
      // every row when the column has a default.
      if (k.kind == K::kPrimaryKey || k.kind == K::kUnique) return "an index build";
      if ((k.kind == K::kCheck || k.kind == K::kForeignKey) && def != nullptr && !k.not_valid)
        return "a validation scan";
    }
    return "";
  }
  if (t == "AlterColumnType" && cmd.column) {
    const TableInfo* info = c.Table(at.table);
    const ColumnInfo* col = info != nullptr ? info->Column(cmd.name) : nullptr;
    if (col != nullptr && !cmd.has_using && SafeTypeChange(col->type, cmd.column->type)) return "";
    return "a table rewrite";
  }
  if (t == "SetNotNull") {
    const TableInfo* info = c.Table(at.table);
    if (c.pg_version() >= 12 && info != nullptr) {
      for (const ConstraintInfo& k : info->constraints) {
        if (k.is_not_null_check && k.check_column == cmd.name && !k.not_valid) return "";
      }
    }
    return "a validation scan";
  }
  if (t == "AddConstraint" && cmd.constraint) {
    const sql::Constraint& k = *cmd.constraint;
    if ((k.kind == K::kPrimaryKey || k.kind == K::kUnique) && k.using_index.empty())
      return "an index build";
    if (k.kind == K::kExclusion) return "an index build";
    if ((k.kind == K::kCheck || k.kind == K::kForeignKey) && !k.not_valid)
      return "a validation scan";
    return "";
  }
  if (t == "ValidateConstraint" || t == "AttachPartition") return "a validation scan";
  if (t == "SetLogged" || t == "SetUnLogged" || t == "SetTableSpace" || t == "SetAccessMethod")
    return "a table rewrite";
  return "";
}

// An index PostgreSQL would attach to the new parent index instead of building one: same
// method, key columns and uniqueness, no predicate, no expressions (they cannot be compared).
bool SameIndexDefinition(const std::vector<std::string>& columns, bool unique, bool partial,
                         const std::string& method, const sql::CreateIndex& ci) {
  if (partial || ci.partial || std::find(columns.begin(), columns.end(), "") != columns.end())
    return false;
  return unique == ci.unique && columns == ci.columns &&
         (method.empty() ? "btree" : method) == (ci.method.empty() ? "btree" : ci.method);
}

bool MatchingPartitionIndex(const TableInfo& partition, const sql::CreateIndex& ci) {
  return std::any_of(partition.indexes.begin(), partition.indexes.end(), [&](const IndexInfo& i) {
    return SameIndexDefinition(i.columns, i.unique, i.partial, i.method, ci);
  });
}

// Partitions a function or a tool creates are unknown to the model. Then the evidence is the
// recipe itself: earlier in this section, a matching index was built CONCURRENTLY on a table
// stairway knows nothing else about (not created by the migrations, not a partition of another
// table).
bool MatchingConcurrentBuildOnUnknownTable(const StatementContext& c, const sql::CreateIndex& ci) {
  const SectionContext& s = c.section();
  for (std::size_t i = 0; i < c.index(); ++i) {
    const auto* built = s.statements[i].As<sql::CreateIndex>();
    if (built == nullptr || !built->concurrent || built->table == ci.table) continue;
    const TableInfo* t = c.schema().Find(built->table);
    if (t != nullptr && (t->columns_known || !t->partition_of.empty())) continue;
    if (SameIndexDefinition(built->columns, built->unique, built->partial, built->method, ci))
      return true;
  }
  return false;
}

}  // namespace

bool IndexBuildsNothing(const StatementContext& c, const sql::CreateIndex& ci) {
  const TableInfo* t = c.Table(ci.table);
  if (ci.only) return t == nullptr || !t->columns_known || t->partitioned;
  if (t == nullptr || !t->partitioned) return false;
  const std::vector<const TableInfo*> parts = c.schema().PartitionsOf(*t);
  if (parts.empty()) return MatchingConcurrentBuildOnUnknownTable(c, ci);
  return std::all_of(parts.begin(), parts.end(),
                     [&](const TableInfo* p) { return MatchingPartitionIndex(*p, ci); });
}

std::string SlowWork(const StatementContext& c) {
  const sql::Statement& s = c.stmt();
  if (const auto* d = s.As<sql::Dml>()) {
    if (d->kind == sql::Dml::Kind::kInsert) return InsertFromQuery(s.text) ? "a data copy" : "";
    return c.IsNewTable(d->table) ? "" : "a data change";
  }
  if (const auto* at = s.As<sql::AlterTable>()) {
    if (c.IsNewTable(at->table) || at->object_type != "TABLE") return "";
    for (const sql::AlterTableCmd& cmd : at->cmds) {
      std::string slow = SlowAlter(c, *at, cmd);
      if (!slow.empty()) return slow;
    }
    return "";
  }
  if (const auto* ci = s.As<sql::CreateIndex>()) {
    return c.IsNewTable(ci->table) || IndexBuildsNothing(c, *ci) ? "" : "an index build";
  }
  if (const auto* ct = s.As<sql::CreateTable>()) return ct->as_select ? "a query" : "";
  if (const auto* v = s.As<sql::CreateView>()) return v->materialized ? "a query" : "";
  if (const auto* r = s.As<sql::Reindex>()) {
    return r->kind == "INDEX" || r->kind == "TABLE" ? "an index rebuild" : "";
  }
  if (const auto* v = s.As<sql::Vacuum>()) {
    if (!v->vacuum) return "";
    return v->full ? "a table rewrite" : "a vacuum";
  }
  if (s.As<sql::Cluster>() != nullptr) return "a table rewrite";
  if (s.As<sql::RefreshMatView>() != nullptr) return "a materialized view refresh";
  return "";
}

bool IsNonTransactional(const sql::Statement& s, int pg_version) {
  // The runner's readers decide transaction modes with the same function.
  return sql::CannotRunInTransaction(s, pg_version);
}

}  // namespace stairway::lint

// Shared helpers for rule files.
#include "verifier/lint/rules/helpers.h"

#include "runner/sql/transaction.h"

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

bool IsSerialType(const std::string& n) {
  return n == "serial" || n == "bigserial" || n == "smallserial" || n == "serial2" ||
         n == "serial4" || n == "serial8";
}

bool IsNonTransactional(const sql::Statement& s, int pg_version) {
  // The runner's readers decide transaction modes with the same function.
  return sql::CannotRunInTransaction(s, pg_version);
}

}  // namespace stairway::lint

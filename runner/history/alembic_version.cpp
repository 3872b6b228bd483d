// Alembic's version table: its DDL, the statement that rewrites its rows, and the reader.
#include "runner/history/alembic_version.h"

#include <fmt/format.h>

namespace stairway::history {

AlembicVersionTable::AlembicVersionTable(std::string table, std::string schema)
    : table_(std::move(table)),
      schema_(std::move(schema)),
      qualified_(schema_.empty() ? db::QuoteIdent(table_)
                                 : db::QuoteIdent(schema_) + "." + db::QuoteIdent(table_)) {}

std::string AlembicVersionTable::DisplayName() const {
  return schema_.empty() ? table_ : schema_ + "." + table_;
}

std::string AlembicVersionTable::CreateSql() const {
  // Alembic names the key "%s_pkc" % version_table (runtime/migration.py), never the schema.
  return fmt::format(
      "CREATE TABLE {} (version_num VARCHAR(32) NOT NULL, CONSTRAINT {} PRIMARY KEY "
      "(version_num))",
      qualified_, db::QuoteIdent(table_ + "_pkc"));
}

std::string AlembicVersionTable::ReplaceRowsSql(const std::vector<std::string>& rows) const {
  std::string sql = fmt::format("DELETE FROM {};", qualified_);
  if (rows.empty()) return sql;
  sql += fmt::format("\nINSERT INTO {} (version_num) VALUES ", qualified_);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += "(" + db::QuoteLiteral(rows[i]) + ")";
  }
  sql += ";";
  return sql;
}

std::optional<std::vector<std::string>> AlembicVersionTable::ReadRows(db::Session& session) const {
  // to_regclass resolves an unqualified name through search_path, as Alembic's reflection
  // does, and gives NULL (no error) for a missing table or schema.
  const db::QueryResult exists = session.Query("SELECT to_regclass($1) IS NOT NULL", {qualified_});
  if (exists.rows.empty() || !exists.rows[0][0] || *exists.rows[0][0] != "t") return std::nullopt;
  const db::QueryResult r =
      session.Query(fmt::format("SELECT version_num FROM {} ORDER BY version_num", qualified_));
  std::vector<std::string> rows;
  rows.reserve(r.rows.size());
  for (const db::Row& row : r.rows) {
    if (row.at(0)) rows.push_back(*row[0]);
  }
  return rows;
}

}  // namespace stairway::history

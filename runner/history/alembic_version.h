// Alembic's version table (alembic_version by default): one row per applied head, kept exactly
// as Alembic keeps it so the real `alembic current` and `alembic upgrade` agree with stairway.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/db/session.h"
#include "runner/source/migration.h"

namespace stairway::history {

class AlembicVersionTable {
 public:
  // `schema` empty: the connection's search_path decides, as for Alembic.
  explicit AlembicVersionTable(std::string table = "alembic_version", std::string schema = {});
  // From the project's version_table / version_table_schema.
  explicit AlembicVersionTable(const source::AlembicProject& project)
      : AlembicVersionTable(project.version_table, project.version_table_schema) {}

  const std::string& table() const { return table_; }
  const std::string& schema() const { return schema_; }
  // "alembic_version" or "myschema.alembic_version", for messages.
  std::string DisplayName() const;
  // The quoted (and schema-qualified when a schema is set) name, for SQL.
  const std::string& QualifiedSql() const { return qualified_; }

  // The table as Alembic creates it: version_num VARCHAR(32) NOT NULL with the primary key
  // named <table>_pkc. Like Alembic, it does not create the schema.
  std::string CreateSql() const;
  // One string: DELETE of every row, then INSERT of `rows` (none: the table is left empty,
  // which is what Alembic leaves at base).
  std::string ReplaceRowsSql(const std::vector<std::string>& rows) const;

  // The rows (ordered by version_num), or nullopt when the table does not exist. Never creates
  // anything. Throws db::DatabaseError when the table exists but cannot be read as Alembic's.
  std::optional<std::vector<std::string>> ReadRows(db::Session& session) const;

 private:
  std::string table_;
  std::string schema_;
  std::string qualified_;
};

}  // namespace stairway::history

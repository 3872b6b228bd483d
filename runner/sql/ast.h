// Small typed views of the statements migrations contain, converted once from libpg_query's
// parse tree (see parse.h). Nothing outside runner/sql sees libpg_query's JSON.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace stairway::sql {

// A possibly schema-qualified object name, as written (unquoted identifiers are lower case).
struct QualifiedName {
  std::string schema;  // empty when unqualified
  std::string name;
  std::size_t location = 0;  // byte offset in the script
  std::string Display() const { return schema.empty() ? name : schema + "." + name; }
  bool operator==(const QualifiedName& o) const { return schema == o.schema && name == o.name; }
};

// A type reference. `name` is the last part, as PostgreSQL spells it internally for built-ins
// ("int4", "varchar", "timestamptz", "bigserial", "json").
struct TypeRef {
  std::string schema;  // "pg_catalog" for the SQL-standard spellings (int, varchar(n), ...)
  std::string name;
  std::vector<long> mods;  // typmods: varchar(20) -> {20}, numeric(10,2) -> {10, 2}
  bool array = false;
  std::size_t location = 0;
  std::string Display() const;  // "varchar(20)", "numeric(10,2)[]", "int4"
  bool operator==(const TypeRef& o) const {
    return name == o.name && mods == o.mods && array == o.array;
  }
};

// Expressions reduced to what the rules ask of them: which functions they call.
struct Expr {
  enum class Kind {
    kConst,
    kNull,
    kFunction,
    kSqlValueFunction,
    kCast,
    kOperator,
    kColumn,
    kSubquery,
    kOther
  };
  Kind kind = Kind::kOther;
  std::string name;  // function (last part, lower case), SQL value function ("current_timestamp"),
                     // operator, column name, "is not null"/"is null", or the node name of kOther
  std::string cast_type;   // kCast: target type name
  std::vector<Expr> args;  // operands, arguments, or nested expressions of kOther
  std::size_t location = 0;
};

struct Constraint {
  enum class Kind {
    kNotNull,
    kNull,
    kDefault,
    kCheck,
    kPrimaryKey,
    kUnique,
    kExclusion,
    kForeignKey,
    kIdentity,
    kGenerated,
    kOther
  };
  Kind kind = Kind::kOther;
  std::string name;                  // conname; may be empty
  std::vector<std::string> columns;  // PK/UNIQUE keys, FK referencing columns (table level)
  std::string using_index;           // ADD ... USING INDEX name
  bool not_valid = false;            // NOT VALID (skip_validation)
  std::optional<Expr> expr;          // DEFAULT / CHECK / GENERATED expression
  char generated_when = 0;           // 'a' ALWAYS, 'd' BY DEFAULT (identity / generated)
  // Foreign keys:
  QualifiedName ref_table;
  std::vector<std::string> ref_columns;
  char on_delete = 'a';  // a=no action, r=restrict, c=cascade, n=set null, d=set default
  char on_update = 'a';
  bool on_delete_explicit = false;  // ON DELETE written in the source (NO ACTION is the default)
  std::size_t location = 0;
};

struct ColumnDef {
  std::string name;
  TypeRef type;
  std::vector<Constraint> constraints;
  std::size_t location = 0;

  const Constraint* Find(Constraint::Kind kind) const;
  bool NotNull() const;  // NOT NULL or PRIMARY KEY
  const Expr* Default() const;
};

struct CreateTable {
  QualifiedName table;
  std::vector<ColumnDef> columns;
  std::vector<Constraint> constraints;  // table constraints
  bool if_not_exists = false;
  bool partitioned = false;  // PARTITION BY
  std::optional<QualifiedName> partition_of;
  bool temporary = false;
  bool as_select = false;  // CREATE TABLE AS / SELECT INTO
};

struct AlterTableCmd {
  // The libpg_query subtype without its "AT_" prefix: "AddColumn", "SetNotNull", ...
  std::string subtype;
  std::string name;                      // column, constraint, trigger or tablespace name
  std::optional<ColumnDef> column;       // AddColumn, AlterColumnType (type + using)
  std::optional<Constraint> constraint;  // AddConstraint, AddIdentity
  std::optional<Expr> expr;              // ColumnDefault (SET DEFAULT; absent for DROP DEFAULT)
  bool has_using = false;                // AlterColumnType ... USING
  bool cascade = false;
  bool missing_ok = false;
  std::vector<std::pair<std::string, std::string>> options;  // SET (k = v)
  char replica_identity = 0;               // 'd' default, 'f' full, 'n' nothing, 'i' index
  std::optional<QualifiedName> partition;  // Attach/DetachPartition
  bool concurrent = false;                 // DETACH ... CONCURRENTLY
  bool partition_default = false;          // ATTACH ... DEFAULT
  std::size_t location = 0;
};

struct AlterTable {
  QualifiedName table;
  std::string object_type;  // "TABLE", "INDEX", "MATVIEW", "VIEW", "FOREIGN_TABLE", ...
  bool missing_ok = false;
  std::vector<AlterTableCmd> cmds;
};

struct CreateIndex {
  std::string name;  // may be empty
  QualifiedName table;
  std::vector<std::string> columns;  // "" for expression elements
  bool unique = false;
  bool concurrent = false;
  bool if_not_exists = false;
  bool only = false;  // ON ONLY
  bool partial = false;
  std::string method;
};

struct Drop {
  std::string object_type;  // "TABLE", "INDEX", "SCHEMA", "VIEW", "TYPE", ...
  std::vector<QualifiedName> objects;
  bool cascade = false;
  bool missing_ok = false;
  bool concurrent = false;
};

struct DropDatabase {
  std::string name;
  std::size_t location = 0;  // the name, or the statement start
};

struct Reindex {
  std::string kind;  // "INDEX", "TABLE", "SCHEMA", "SYSTEM", "DATABASE"
  QualifiedName target;
  bool concurrent = false;
};

struct Transaction {
  enum class Kind {
    kBegin,
    kCommit,
    kRollback,
    kSavepoint,
    kRelease,
    kRollbackTo,
    kPrepare,
    kCommitPrepared,
    kRollbackPrepared
  };
  Kind kind = Kind::kBegin;
};

struct SetVariable {
  std::string name;   // lower case; empty for RESET ALL
  std::string value;  // first argument as text ("2s", "5000"); empty for RESET / DEFAULT
  bool local = false;
  bool reset = false;  // RESET or SET ... TO DEFAULT
};

// SELECT set_config('name', 'value', is_local), ... with no FROM: the same settings as SET
// (a NULL value resets), in order. A value that is not a constant reads as "?".
struct SetConfig {
  std::vector<SetVariable> settings;
};

struct Dml {
  enum class Kind { kInsert, kUpdate, kDelete, kMerge };
  Kind kind = Kind::kUpdate;
  QualifiedName table;
  bool has_where = false;
  std::vector<std::string> set_columns;  // UPDATE SET targets
};

struct Rename {
  std::string object_type;  // "COLUMN", "TABLE", "SCHEMA", "INDEX", "TABCONSTRAINT", ...
  QualifiedName relation;
  std::string old_name;  // subname (column / schema / constraint)
  std::string new_name;
};

struct AlterEnum {
  QualifiedName type;
  std::string new_value;
  std::string old_value;  // RENAME VALUE old TO new
  std::string neighbor;   // BEFORE/AFTER value
  bool if_not_exists = false;
};

struct CreateEnum {
  QualifiedName type;
  std::vector<std::string> values;
};

struct CreateDomain {
  QualifiedName domain;
  bool has_check = false;
};

struct AlterDomain {
  QualifiedName domain;
  char subtype = 0;  // 'C' add constraint, 'V' validate, ...
  bool adds_check = false;
  bool not_valid = false;
};

struct Vacuum {
  bool vacuum = true;  // false: ANALYZE
  bool full = false;
  std::vector<QualifiedName> tables;
};

struct Cluster {
  std::optional<QualifiedName> table;
};

struct RefreshMatView {
  QualifiedName view;
  bool concurrent = false;
};

struct LockTable {
  std::vector<QualifiedName> tables;
  int mode = 8;  // 8 = ACCESS EXCLUSIVE
};

struct Truncate {
  std::vector<QualifiedName> tables;
  bool cascade = false;
};

struct CreateTrigger {
  std::string name;
  QualifiedName table;
};

struct CreateView {
  QualifiedName view;
  std::vector<std::string> columns;  // output names of the select list
  bool materialized = false;
  bool replace = false;  // CREATE OR REPLACE VIEW
};

struct Other {};

using StatementBody =
    std::variant<Other, CreateTable, AlterTable, CreateIndex, Drop, DropDatabase, Reindex,
                 Transaction, SetVariable, SetConfig, Dml, Rename, AlterEnum, CreateEnum,
                 CreateDomain, AlterDomain, Vacuum, Cluster, RefreshMatView, LockTable, Truncate,
                 CreateTrigger, CreateView>;

struct ParseError {
  std::size_t offset = 0;  // byte offset in the script
  std::string message;     // libpg_query's message, e.g. `syntax error at or near "TABL"`
};

struct Statement {
  std::size_t offset = 0;  // byte offset of the first token in the script
  std::size_t length = 0;
  std::string_view text;  // view into the script
  std::string node;       // libpg_query node name ("AlterTableStmt"); empty on error
  StatementBody body;
  std::optional<ParseError> error;

  template <typename T>
  const T* As() const {
    return std::get_if<T>(&body);
  }
};

}  // namespace stairway::sql

// The stairway_history table: its versioned layout, the SQL that writes it (shared by the
// applier and the offline --sql script) and the reader every command uses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/db/session.h"
#include "runner/source/migration.h"

namespace stairway::history {

// Version of the table layout. A table with a newer format is refused, never guessed at.
// Every format keeps the columns `state` and `format_version` so the format row stays readable.
inline constexpr int kFormatVersion = 1;
inline constexpr std::string_view kDefaultSchema = "public";
inline constexpr std::string_view kTableName = "stairway_history";

enum class State { kRunning, kApplied, kFailed };
std::string_view StateName(State s);  // "running", "applied", "failed"

// Which way a revision ran; `state` running/failed refers to this direction.
enum class Direction { kUp, kDown };
std::string_view DirectionName(Direction d);  // "up", "down"

// One revision row (the format row is not returned by readers).
struct Row {
  std::int64_t id = 0;  // apply order
  std::string version;
  std::string name;
  std::string checksum;
  State state = State::kApplied;
  Direction direction = Direction::kUp;
  std::string applied_at;  // UTC, "YYYY-MM-DD HH:MM:SS"
  std::optional<std::int64_t> duration_ms;
  std::string applied_by;
  std::optional<int> statement_index;  // 1-based: statement running (running) or failed (failed)
  std::string error;                   // server message of a failure
  std::string note;                    // "stamped", "sql script", "repaired" ...

  std::string Label() const { return name.empty() ? version : version + "_" + name; }
};

// The table's schema-qualified, quoted name, and the SQL that reads and writes it. The builders
// return complete statements with literals inlined, so the offline --sql script and the live
// applier run the very same text.
class Table {
 public:
  explicit Table(std::string schema = std::string(kDefaultSchema));

  const std::string& schema() const { return schema_; }
  // "public.stairway_history" for messages; QualifiedSql() is the quoted form for SQL.
  std::string DisplayName() const;
  const std::string& QualifiedSql() const { return qualified_; }

  // Key of the session-level advisory lock that serialises runners on this table.
  std::int64_t LockKey() const;

  // CREATE SCHEMA/TABLE/INDEX IF NOT EXISTS plus the format row (idempotent statements).
  std::vector<std::string> CreateSql() const;

  // `applied_by` is an SQL expression (e.g. AppliedByExpr(...)).
  std::string InsertAppliedSql(const source::Revision& rev, std::optional<std::int64_t> duration_ms,
                               std::string_view applied_by, std::string_view note = {}) const;
  std::string InsertRunningSql(const source::Revision& rev, std::string_view applied_by) const;
  std::string MarkRunningDownSql(std::string_view version) const;
  std::string MarkStatementSql(std::string_view version, int statement_index) const;
  std::string MarkAppliedSql(std::string_view version,
                             std::optional<std::int64_t> duration_ms) const;
  std::string MarkFailedSql(std::string_view version, Direction direction, int statement_index,
                            std::string_view error) const;
  std::string DeleteSql(std::string_view version) const;
  // Marks a row applied without running anything (stamp, repair); `note` says why.
  std::string MarkResolvedSql(std::string_view version, std::string_view note) const;
  std::string SetChecksumSql(std::string_view version, std::string_view checksum) const;
  std::string SelectRowsSql() const;

 private:
  std::string schema_;
  std::string qualified_;
};

// `current_user`, followed by the client tag when there is one: current_user || ' (tag)'.
std::string AppliedByExpr(std::string_view client_tag);
// "osuser@hostname pid N" of this process, for applied_by.
std::string ClientTag();

// Live access to the table over a session.
class Reader {
 public:
  Reader(db::Session& session, const Table& table) : session_(session), table_(table) {}

  bool Exists();
  // Reads the format row. Error(kInput) when the table is newer than this stairway or is not
  // a stairway history table.
  Expected<int> FormatVersion();
  // Revision rows in apply order. Call after FormatVersion() succeeded.
  std::vector<Row> Rows();

 private:
  db::Session& session_;
  const Table& table_;
};

}  // namespace stairway::history

// A database session: the only interface to libpqxx (no pqxx type appears in this header).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/common/error.h"
#include "runner/db/conninfo.h"

namespace stairway::db {

// A failed statement as the server reported it.
class DatabaseError : public StopError {
 public:
  DatabaseError(std::string sqlstate, std::string server_message);
  DatabaseError(std::string sqlstate, std::string server_message, std::string detail,
                std::string hint);
  const std::string& sqlstate() const { return sqlstate_; }
  // The server's primary message, e.g. `relation "users" does not exist`.
  const std::string& server_message() const { return server_message_; }
  // The server's DETAIL and HINT lines (without the prefix); empty when it sent none.
  const std::string& detail() const { return detail_; }
  const std::string& hint() const { return hint_; }

 private:
  std::string sqlstate_;
  std::string server_message_;
  std::string detail_;
  std::string hint_;
};

// The connection broke while a COMMIT was in flight: its outcome is unknown. Never retried.
class InDoubtError : public StopError {
 public:
  using StopError::StopError;
};

using Value = std::optional<std::string>;
using Row = std::vector<Value>;
struct QueryResult {
  std::vector<std::string> columns;
  std::vector<Row> rows;
  std::size_t affected = 0;  // rows written (Query); QueryPrepared, for reads, counts rows read
};

// A field as the server sent it (text format), or nullopt for NULL. It points into the result
// and is valid only during the RowSink call that received it.
using FieldView = std::optional<std::string_view>;

// Receives a result row by row without a QueryResult being built: for large reads (catalog
// snapshots) where copying every field into its own string costs more than using it.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // Called once, before any Row.
  virtual void Columns(const std::vector<std::string>& names, std::size_t row_count) = 0;
  virtual void Row(std::span<const FieldView> fields) = 0;
};

class Session {
 public:
  // `url` in any form ToLibpqUrl accepts (StopError(kInput) otherwise), with a connect timeout
  // (SetConnectTimeout). Throws StopError(kDatabase) naming the masked URL when the connection
  // fails; libpq's text in that message has the password scrubbed out.
  static Session Connect(const std::string& url);
  Session(Session&&) noexcept;
  Session& operator=(Session&&) noexcept;
  ~Session();

  // Runs one or more statements as a simple query. Throws DatabaseError.
  void Exec(std::string_view sql);
  // Runs one statement with $1..$n parameters (text). Throws DatabaseError.
  QueryResult Query(std::string_view sql, const std::vector<Value>& params = {});
  // Like Query, but the statement is prepared on first use and reused by its text for the rest
  // of the session: repeated statements (catalog snapshots) are parsed and planned only once.
  QueryResult QueryPrepared(std::string_view sql, const std::vector<Value>& params = {});
  // QueryPrepared handing the result to `sink` instead of returning it.
  void QueryPreparedInto(std::string_view sql, const std::vector<Value>& params, RowSink& sink);

  // Explicit transaction control on this session (BEGIN/COMMIT/ROLLBACK). Commit throws
  // InDoubtError if the connection breaks before the server answers. BEGIN is sent with the
  // next Exec (one round trip, not two), or on its own before any other query.
  void Begin();
  void Commit();
  // Runs `sql` as the transaction's last statements and commits, in one round trip. When `sql`
  // fails the transaction stays open (failed), for Rollback, as after Exec; when COMMIT fails
  // it has ended, as after Commit (which this throws like).
  void ExecAndCommit(std::string_view sql);
  void Rollback();  // never throws; a broken connection is simply left broken
  bool in_transaction() const;
  // Whether the connection is gone (the server ended the session, the network broke): after a
  // failed call, tells a lost session from a statement the server refused.
  bool broken() const;

  // Session-level advisory lock on `key`. TryLock returns false when another session holds it.
  bool TryAdvisoryLock(std::int64_t key);
  void AdvisoryUnlock(std::int64_t key);

  // A new session to the same database with the same credentials (the URL this one was opened
  // with; messages still name only the masked URL). Throws like Connect.
  Session Reconnect() const;
  // A second session kept beside this one, for read-only work that can run on another thread
  // while this session works too (TakeSnapshot splits its catalog queries between the two).
  // Opened on first use and closed with this session; it sees what this session committed, not
  // what it has in flight. nullptr when it cannot be opened (connection limit, ...); then it is
  // not tried again for the life of this session.
  Session* Companion();
  // Closes the companion (after it failed, say); the next Companion() call opens a new one.
  void CloseCompanion();
  // Closing this session (and its companion) returns at once instead of waiting until their
  // server processes have exited. For sessions on a database nothing drops right after (the
  // user's own): the wait only spares a following DROP DATABASE its 100 ms retry.
  void SkipExitWait();

  int backend_pid() const;
  int server_version_num() const;  // e.g. 150020
  const std::string& masked_url() const;
  // The URL this session was opened with, password included: for handing the same database to
  // another client of stairway's own (the Alembic helper, over a pipe). Never print it.
  const std::string& url_with_password() const;
  // NOTICE/WARNING messages the server sent since the last call (collected, never printed).
  std::vector<std::string> TakeNotices();

 private:
  struct Impl;
  explicit Session(std::unique_ptr<Impl> impl);
  // Whether the server has this session in a failed transaction block (asks it: one query).
  bool InFailedTransaction();
  void RefuseAfterLostBegin() const;
  void SendPendingBegin();
  std::unique_ptr<Impl> impl_;
};

// How long Connect waits for a server to answer, in seconds (0: for ever), when the URL does not
// set connect_timeout. nullopt (the default): PGCONNECT_TIMEOUT when set, else
// kDefaultConnectTimeoutSeconds. libpq waits at least 2 s.
void SetConnectTimeout(std::optional<int> seconds);

// What libpq connects with for `url` (any form ToLibpqUrl accepts): each keyword it sets, from
// the URL or, as libpq itself falls back, from its PG* environment variable (PGHOST, PGUSER,
// PGPASSWORD...). For handing the same database to a PostgreSQL program (pg_dump, pg_restore)
// as an argument vector plus environment, the password kept out of the arguments.
Expected<std::vector<std::pair<std::string, std::string>>> ConnectionParams(std::string_view url);
inline constexpr int kDefaultConnectTimeoutSeconds = 10;

}  // namespace stairway::db

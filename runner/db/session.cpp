// Session on libpqxx 6.4: the one place that talks to pqxx (see session.h).
#include "runner/db/session.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <mutex>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <fmt/format.h>

#include <unordered_map>
#include <utility>

namespace stairway::db {
namespace {

// Server messages read "ERROR:  text\nDETAIL:  ...\nHINT:  ...\nLINE 1: ...": returns the text
// after `prefix` on the line that starts with it.
std::string LineAfter(std::string_view message, std::string_view prefix) {
  std::size_t pos = 0;
  while (pos < message.size()) {
    std::size_t end = message.find('\n', pos);
    if (end == std::string_view::npos) end = message.size();
    const std::string_view line = message.substr(pos, end - pos);
    if (line.starts_with(prefix)) return std::string(line.substr(prefix.size()));
    pos = end + 1;
  }
  return "";
}

std::string PrimaryMessage(std::string_view message) {
  std::string_view first = message.substr(0, message.find('\n'));
  // Severity is ERROR, FATAL or PANIC (English: the sandbox runs with lc_messages=C; other servers
  // may translate, then the whole first line is kept).
  for (std::string_view severity : {"ERROR:  ", "FATAL:  ", "PANIC:  "}) {
    if (first.starts_with(severity)) {
      first.remove_prefix(severity.size());
      break;
    }
  }
  return std::string(first);
}

DatabaseError ToDatabaseError(const pqxx::sql_error& error) {
  const std::string_view text = error.what();
  return DatabaseError(error.sqlstate(), PrimaryMessage(text), LineAfter(text, "DETAIL:  "),
                       LineAfter(text, "HINT:  "));
}

// libpq's connection errors span lines ("connection to server ... failed: ...\n\tIs the server
// running ...?"): joined into one line.
std::string OneLine(std::string_view text) {
  std::string line;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view part = text.substr(pos, end - pos);
    while (!part.empty() && (part.front() == ' ' || part.front() == '\t')) part.remove_prefix(1);
    while (!part.empty() && (part.back() == ' ' || part.back() == '\t' || part.back() == '\r')) {
      part.remove_suffix(1);
    }
    if (!part.empty()) {
      if (!line.empty()) line += ' ';
      line += part;
    }
    pos = end + 1;
  }
  return line;
}

[[noreturn]] void ThrowLost(const std::string& masked_url, const std::exception& error) {
  std::string reason = OneLine(error.what());
  // libpqxx 6 says this when it finds the connection already closed by the server (ended with
  // pg_terminate_backend, a server restart): say that instead of its internal step.
  if (reason.find("Could not obtain client encoding") != std::string::npos) {
    reason = "the server closed the connection (the session was ended or the server stopped)";
  }
  throw StopError(
      Error::Database(fmt::format("connection to {} was lost: {}", masked_url, reason)));
}

// Collects NOTICE/WARNING messages instead of letting libpq print them on stderr.
class NoticeCollector : public pqxx::errorhandler {
 public:
  explicit NoticeCollector(pqxx::connection_base& connection) : pqxx::errorhandler(connection) {}
  bool operator()(const char message[]) noexcept override {
    try {
      std::string text = message;
      while (!text.empty() && text.back() == '\n') text.pop_back();
      if (notices_.size() < kMaxKept) notices_.push_back(std::move(text));
    } catch (...) {
    }
    return false;  // stop: the default handler would print to stderr
  }
  std::vector<std::string> Take() { return std::exchange(notices_, {}); }

 private:
  static constexpr std::size_t kMaxKept = 1000;
  std::vector<std::string> notices_;
};

}  // namespace

DatabaseError::DatabaseError(std::string sqlstate, std::string server_message)
    : DatabaseError(std::move(sqlstate), std::move(server_message), "", "") {}

DatabaseError::DatabaseError(std::string sqlstate, std::string server_message, std::string detail,
                             std::string hint)
    : StopError(Error::Database(server_message)),
      sqlstate_(std::move(sqlstate)),
      server_message_(std::move(server_message)),
      detail_(std::move(detail)),
      hint_(std::move(hint)) {}

// Reads each of `sockets` until its peer closes it or `limit` has passed, then closes them all.
static void WaitForEofAndClose(std::vector<int> sockets, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  char buffer[512];
  std::vector<pollfd> waits;
  for (int socket : sockets) waits.push_back({.fd = socket, .events = POLLIN, .revents = 0});
  while (!waits.empty()) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    const int ready = poll(waits.data(), waits.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (std::size_t i = waits.size(); i-- > 0;) {
      if (waits[i].revents == 0) continue;
      const ssize_t got = recv(waits[i].fd, buffer, sizeof buffer, MSG_DONTWAIT);
      if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
        waits.erase(waits.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  for (int socket : sockets) close(socket);
}

struct Session::Impl {
  Impl(const std::string& url_in, const std::string& libpq_url, std::string masked)
      : url(url_in), masked_url(std::move(masked)), conn(libpq_url) {}
  // Returns once the server processes of this session and its companion have exited (their
  // ends of the sockets closed; at most 250 ms), not just once they were told to: a DROP DATABASE
  // right after would otherwise find them still there and sleep 100 ms before looking again.
  // Both are told first and waited for together. Without wait_for_exit, returns at once.
  ~Impl() {
    std::vector<int> sockets;
    Disconnect(wait_for_exit ? &sockets : nullptr);
    WaitForEofAndClose(std::move(sockets), std::chrono::milliseconds(250));
  }
  // Closes the companion and this connection; with `sockets`, keeps a duplicate of each socket
  // there to wait on.
  void Disconnect(std::vector<int>* sockets) {
    if (companion) {
      companion->impl_->Disconnect(sockets);
      companion.reset();
    }
    if (!conn.is_open()) return;
    if (sockets != nullptr) {
      if (const int socket = dup(conn.sock()); socket >= 0) sockets->push_back(socket);
    }
    conn.disconnect();
  }
  std::string url;  // as the user gave it, with its password: only ever passed to Connect
  std::string masked_url;
  pqxx::connection conn;
  NoticeCollector notices{conn};
  bool in_transaction = false;
  // Begin() was called and BEGIN not yet sent: it goes with the next Exec, one round trip
  // instead of two (a revision's steps are round-trip bound).
  bool begin_pending = false;
  // The caller's transaction never reached the server: the string carrying BEGIN failed whole
  // (a statement this server cannot parse). Rollback and Commit then have nothing to end.
  bool begin_lost = false;
  // "BEGIN;\n" when Begin() waits to be sent, which the string it starts then carries; else "".
  std::string_view TakePendingBegin() {
    return std::exchange(begin_pending, false) ? "BEGIN;\n" : "";
  }
  // Whether the caller's transaction never reached the server (still pending, or lost with its
  // string); either way it is over now.
  bool ForgetUnsentTransaction() {
    return std::exchange(begin_pending, false) || std::exchange(begin_lost, false);
  }
  // Statement text -> name of its server-side prepared statement.
  std::unordered_map<std::string, std::string> prepared;
  std::unique_ptr<Session> companion;
  bool companion_failed = false;
  bool wait_for_exit = true;
};

Session::Session(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;
Session::~Session() = default;

namespace {

std::mutex connect_timeout_mutex;
std::optional<int> connect_timeout_seconds;

// The timeout Connect adds to a URL without one: the configured value, else none when
// PGCONNECT_TIMEOUT is set (libpq reads it), else the default.
std::optional<int> ConnectTimeoutToAdd() {
  std::lock_guard<std::mutex> lock(connect_timeout_mutex);
  if (connect_timeout_seconds) return connect_timeout_seconds;
  if (const char* env = std::getenv("PGCONNECT_TIMEOUT"); env != nullptr && *env != '\0') {
    return std::nullopt;
  }
  return kDefaultConnectTimeoutSeconds;
}

// What libpq makes of `url`: the first host (or socket directory) and port, and the connect
// timeout it applies (its floor of 2 s included; 0 for none).
struct Target {
  std::string host = "localhost";
  std::string port = "5432";
  int timeout = 0;
};

Target ParseTarget(const std::string& url) {
  Target target;
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) return target;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    const std::string_view keyword = option->keyword;
    const char* value = option->val != nullptr      ? option->val
                        : option->envvar != nullptr ? std::getenv(option->envvar)
                                                    : nullptr;
    if (value == nullptr || *value == '\0') continue;
    const std::string_view text = value;
    if (keyword == "host" || (keyword == "hostaddr" && target.host == "localhost")) {
      target.host = std::string(text.substr(0, text.find(',')));
    } else if (keyword == "port") {
      target.port = std::string(text.substr(0, text.find(',')));
    } else if (keyword == "connect_timeout") {
      target.timeout = std::atoi(value);
    }
  }
  PQconninfoFree(options);
  if (target.timeout == 1) target.timeout = 2;  // libpq's floor
  return target;
}

// "cannot connect to URL: REASON", with a hint for the two cases users meet most: nothing
// listening, and something listening that never answers.
std::string ConnectFailure(const std::string& masked, const std::string& libpq_url,
                           const std::string& reason) {
  if (reason.find("timeout expired") != std::string::npos) {
    const Target target = ParseTarget(libpq_url);
    const std::string where =
        target.host.starts_with('/')
            ? fmt::format("the socket in {} (port {})", target.host, target.port)
            : fmt::format("{}:{}", target.host, target.port);
    return fmt::format(
        "cannot connect to {}: no answer from {} within {} s; check that the host and port are "
        "those of a PostgreSQL server and that no firewall or proxy holds the connection (wait "
        "longer with --connect-timeout SECONDS, STAIRWAY_CONNECT_TIMEOUT or connect_timeout in "
        "the URL)",
        masked, where, target.timeout);
  }
  std::string message = fmt::format("cannot connect to {}: {}", masked, reason);
  const bool nothing_listens = reason.find("No such file or directory") != std::string::npos ||
                               reason.find("Connection refused") != std::string::npos;
  if (nothing_listens && reason.find("Is the server running") == std::string::npos) {
    message += " (is a PostgreSQL server running there? check the host and port)";
  }
  return message;
}

}  // namespace

void SetConnectTimeout(std::optional<int> seconds) {
  std::lock_guard<std::mutex> lock(connect_timeout_mutex);
  connect_timeout_seconds = seconds;
}

Expected<std::vector<std::pair<std::string, std::string>>> ConnectionParams(std::string_view url) {
  Expected<std::string> libpq_url = ToLibpqUrl(url);
  if (!libpq_url.ok()) return libpq_url.error();
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(libpq_url.value().c_str(), &error);
  if (error != nullptr) PQfreemem(error);
  if (options == nullptr) {
    return Error::Input(
        fmt::format("{}: not a connection string libpq accepts", MaskPassword(url)));
  }
  std::vector<std::pair<std::string, std::string>> params;
  for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
    const char* value = option->val != nullptr      ? option->val
                        : option->envvar != nullptr ? std::getenv(option->envvar)
                                                    : nullptr;
    if (value == nullptr || *value == '\0') continue;
    params.emplace_back(option->keyword, value);
  }
  PQconninfoFree(options);
  return params;
}

Session Session::Connect(const std::string& url) {
  const std::string masked = MaskPassword(url);
  std::string libpq_url = ToLibpqUrl(url).ValueOrThrow();
  if (const std::optional<int> timeout = ConnectTimeoutToAdd()) {
    libpq_url = WithConnectTimeout(libpq_url, *timeout);
  }
  try {
    auto impl = std::make_unique<Impl>(url, libpq_url, masked);
    // pqxx 6 would silently reconnect after a broken connection, losing session state (advisory
    // locks, SET, an open transaction): a broken session must stay broken.
    impl->conn.inhibit_reactivation(true);
    return Session(std::move(impl));
  } catch (const pqxx::broken_connection& error) {
    // libpq's text may echo part of a malformed connection string (a password typed where the
    // port goes, say): the password is scrubbed from the whole message, the masked URL included.
    throw StopError(Error::Database(
        ScrubPasswords(ConnectFailure(masked, libpq_url, OneLine(error.what())), url)));
  } catch (const pqxx::failure& error) {
    throw StopError(Error::Database(ScrubPasswords(
        fmt::format("cannot connect to {}: {}", masked, OneLine(error.what())), url)));
  }
}

namespace {

// The server going away: class 08 (connection exception), or 57P0x (terminated, crash,
// shutdown).
bool ServerWentAway(const pqxx::sql_error& error) {
  const std::string& state = error.sqlstate();
  return state.starts_with("08") || state.starts_with("57P0");
}

void RunSimple(pqxx::connection& conn, const std::string& sql) {
  pqxx::nontransaction tx(conn);
  tx.exec(sql);
  tx.commit();
}

}  // namespace

void Session::Exec(std::string_view sql) {
  RefuseAfterLostBegin();
  const std::string_view begin = impl_->TakePendingBegin();
  try {
    RunSimple(impl_->conn, std::string(begin).append(sql));
  } catch (const pqxx::sql_error& error) {
    // A string the server cannot parse fails whole, its BEGIN too.
    if (!begin.empty() && !ServerWentAway(error) && !InFailedTransaction()) {
      impl_->begin_lost = true;
    }
    throw ToDatabaseError(error);
  } catch (const pqxx::broken_connection& error) {
    ThrowLost(impl_->masked_url, error);
  }
}

bool Session::InFailedTransaction() {
  try {
    RunSimple(impl_->conn, "SELECT 1");
    return false;
  } catch (const pqxx::sql_error& error) {
    return error.sqlstate() == "25P02";  // in_failed_sql_transaction
  } catch (const pqxx::broken_connection& error) {
    ThrowLost(impl_->masked_url, error);
  }
}

void Session::RefuseAfterLostBegin() const {
  // As the server answers in a failed transaction: nothing runs until Rollback.
  if (impl_->begin_lost) {
    throw DatabaseError("25P02",
                        "current transaction is aborted, commands ignored until end of "
                        "transaction block");
  }
}

void Session::SendPendingBegin() {
  RefuseAfterLostBegin();
  if (!impl_->begin_pending) return;
  impl_->begin_pending = false;
  Exec("BEGIN");
}

namespace {

QueryResult ToQueryResult(const pqxx::result& result) {
  QueryResult out;
  const auto columns = result.columns();
  for (pqxx::row::size_type c = 0; c < columns; ++c)
    out.columns.emplace_back(result.column_name(c));
  out.rows.reserve(result.size());
  for (const auto& row : result) {
    Row values;
    values.reserve(columns);
    for (const auto& field : row) {
      if (field.is_null()) {
        values.emplace_back(std::nullopt);
      } else {
        values.emplace_back(std::string(field.c_str(), field.size()));
      }
    }
    out.rows.push_back(std::move(values));
  }
  out.affected = result.affected_rows();
  return out;
}

std::vector<const char*> RawParams(const std::vector<Value>& params) {
  std::vector<const char*> raw;
  raw.reserve(params.size());
  for (const Value& value : params) raw.push_back(value ? value->c_str() : nullptr);
  return raw;
}

}  // namespace

QueryResult Session::Query(std::string_view sql, const std::vector<Value>& params) {
  SendPendingBegin();
  const std::vector<const char*> raw = RawParams(params);
  pqxx::result result;
  try {
    pqxx::nontransaction tx(impl_->conn);
    result = tx.exec_params(std::string(sql), pqxx::prepare::make_dynamic_params(raw));
    tx.commit();
  } catch (const pqxx::sql_error& error) {
    throw ToDatabaseError(error);
  } catch (const pqxx::broken_connection& error) {
    ThrowLost(impl_->masked_url, error);
  }
  return ToQueryResult(result);
}

namespace {

// Collects what QueryPreparedInto hands over into a QueryResult.
class ResultCollector : public RowSink {
 public:
  explicit ResultCollector(QueryResult& out) : out_(out) {}
  void Columns(const std::vector<std::string>& names, std::size_t row_count) override {
    out_.columns = names;
    out_.rows.reserve(row_count);
  }
  void Row(std::span<const FieldView> fields) override {
    db::Row row;
    row.reserve(fields.size());
    for (const FieldView& f : fields) {
      row.push_back(f ? Value(std::string(*f)) : std::nullopt);
    }
    out_.rows.push_back(std::move(row));
  }

 private:
  QueryResult& out_;
};

}  // namespace

QueryResult Session::QueryPrepared(std::string_view sql, const std::vector<Value>& params) {
  QueryResult out;
  ResultCollector collector(out);
  QueryPreparedInto(sql, params, collector);
  out.affected = out.rows.size();  // prepared statements here are reads
  return out;
}

void Session::QueryPreparedInto(std::string_view sql, const std::vector<Value>& params,
                                RowSink& sink) {
  SendPendingBegin();
  const std::vector<const char*> raw = RawParams(params);
  std::string key(sql);
  auto it = impl_->prepared.find(key);
  if (it == impl_->prepared.end()) {
    std::string name = fmt::format("stairway_p{}", impl_->prepared.size() + 1);
    impl_->conn.prepare(name, key);
    it = impl_->prepared.emplace(std::move(key), std::move(name)).first;
  }
  pqxx::result result;
  try {
    pqxx::nontransaction tx(impl_->conn);
    result = tx.exec_prepared(it->second, pqxx::prepare::make_dynamic_params(raw));
    tx.commit();
  } catch (const pqxx::sql_error& error) {
    if (error.sqlstate() == "26000" && !impl_->in_transaction) {
      // A migration's DISCARD ALL / DEALLOCATE dropped it: the plain path still works.
      const QueryResult copy = Query(sql, params);
      sink.Columns(copy.columns, copy.rows.size());
      std::vector<FieldView> fields;
      for (const Row& row : copy.rows) {
        fields.assign(row.begin(), row.end());
        sink.Row(fields);
      }
      return;
    }
    throw ToDatabaseError(error);
  } catch (const pqxx::broken_connection& error) {
    ThrowLost(impl_->masked_url, error);
  }
  const auto columns = result.columns();
  std::vector<std::string> names;
  names.reserve(columns);
  for (pqxx::row::size_type c = 0; c < columns; ++c) names.emplace_back(result.column_name(c));
  sink.Columns(names, result.size());
  std::vector<FieldView> fields(columns);
  for (const auto& row : result) {
    // The row iterator is a field that moves along: no pqxx::field (and its reference-counted
    // copy of the result) built per value.
    auto field = row.begin();
    for (std::size_t c = 0; c < columns; ++c, ++field) {
      if (field->is_null()) {
        fields[c].reset();
      } else {
        fields[c].emplace(field->c_str(), field->size());
      }
    }
    sink.Row(fields);
  }
}

void Session::Begin() {
  impl_->in_transaction = true;
  impl_->begin_pending = true;
  impl_->begin_lost = false;
}

namespace {

// A COMMIT that failed: the server going away while it is in flight leaves its outcome
// unknown, like a dropped connection.
[[noreturn]] void ThrowCommitFailed(const pqxx::sql_error& error, const std::string& masked_url) {
  if (ServerWentAway(error)) {
    throw InDoubtError(Error::Database(fmt::format(
        "the server ended the session on {} during COMMIT: the transaction may or may not "
        "have been committed ({})",
        masked_url, PrimaryMessage(error.what()))));
  }
  throw ToDatabaseError(error);
}

[[noreturn]] void ThrowCommitLost(const std::exception& error, const std::string& masked_url) {
  throw InDoubtError(Error::Database(
      fmt::format("connection to {} was lost during COMMIT: the transaction may or may not have "
                  "been committed ({})",
                  masked_url, OneLine(error.what()))));
}

}  // namespace

void Session::Commit() {
  if (impl_->ForgetUnsentTransaction()) {
    impl_->in_transaction = false;  // nothing reached the server
    return;
  }
  try {
    RunSimple(impl_->conn, "COMMIT");
    impl_->in_transaction = false;
  } catch (const pqxx::sql_error& error) {
    impl_->in_transaction = false;  // a failed COMMIT ends the transaction either way
    ThrowCommitFailed(error, impl_->masked_url);
  } catch (const pqxx::broken_connection& error) {
    ThrowCommitLost(error, impl_->masked_url);
  } catch (const pqxx::in_doubt_error& error) {
    throw InDoubtError(Error::Database(fmt::format("COMMIT on {} has an unknown outcome: {}",
                                                   impl_->masked_url, OneLine(error.what()))));
  }
}

void Session::ExecAndCommit(std::string_view sql) {
  RefuseAfterLostBegin();
  std::string text(impl_->TakePendingBegin());
  text.append(sql);
  text += ";\nCOMMIT";
  try {
    RunSimple(impl_->conn, text);
    impl_->in_transaction = false;
  } catch (const pqxx::sql_error& error) {
    // `sql` failing leaves the transaction open and failed, for the caller to roll back; a
    // failed COMMIT (a deferred constraint, say) has ended it.
    if (!ServerWentAway(error) && InFailedTransaction()) {
      throw ToDatabaseError(error);
    }
    impl_->in_transaction = false;
    ThrowCommitFailed(error, impl_->masked_url);
  } catch (const pqxx::broken_connection& error) {
    impl_->in_transaction = false;
    ThrowCommitLost(error, impl_->masked_url);
  }
}

void Session::Rollback() {
  impl_->in_transaction = false;
  if (impl_->ForgetUnsentTransaction()) return;  // nothing reached the server
  try {
    RunSimple(impl_->conn, "ROLLBACK");
  } catch (...) {
    // A broken connection ends the transaction on the server too; nothing to do.
  }
}

bool Session::in_transaction() const {
  return impl_->in_transaction;
}

bool Session::broken() const {
  return !impl_->conn.is_open();
}

bool Session::TryAdvisoryLock(std::int64_t key) {
  const QueryResult result =
      Query("SELECT pg_try_advisory_lock($1::bigint)", {std::to_string(key)});
  return result.rows.at(0).at(0) == std::optional<std::string>("t");
}

void Session::AdvisoryUnlock(std::int64_t key) {
  Query("SELECT pg_advisory_unlock($1::bigint)", {std::to_string(key)});
}

Session Session::Reconnect() const {
  return Connect(impl_->url);
}

Session* Session::Companion() {
  if (!impl_->companion && !impl_->companion_failed) {
    try {
      impl_->companion = std::make_unique<Session>(Reconnect());
    } catch (const StopError&) {
      impl_->companion_failed = true;  // the caller works alone, as without a companion
    }
  }
  return impl_->companion.get();
}

void Session::SkipExitWait() {
  impl_->wait_for_exit = false;
}

void Session::CloseCompanion() {
  impl_->companion.reset();
  impl_->companion_failed = false;
}

int Session::backend_pid() const {
  return impl_->conn.backendpid();
}
int Session::server_version_num() const {
  return impl_->conn.server_version();
}
const std::string& Session::masked_url() const {
  return impl_->masked_url;
}

const std::string& Session::url_with_password() const {
  return impl_->url;
}
std::vector<std::string> Session::TakeNotices() {
  return impl_->notices.Take();
}

}  // namespace stairway::db

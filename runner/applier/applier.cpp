// The applier: migration lock, history bookkeeping and the two ways a revision runs.
#include "runner/applier/applier.h"

#include <fmt/format.h>

#include <thread>

#include "runner/planner/alembic_plan.h"
#include "runner/sql/parse.h"
#include "runner/sql/transaction.h"

namespace stairway::applier {

namespace {

using history::Direction;
using history::Row;
using history::State;
using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Since(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

// Whether `error` means the session is gone (not a statement the server refused).
bool Gone(const db::Session& session, const std::exception& error) {
  if (session.broken()) return true;
  // The server ending the session (class 08, or 57P01..57P04: terminated, crashed, shut down,
  // database dropped) reports it on the statement before libpq marks the connection bad.
  const auto* database_error = dynamic_cast<const db::DatabaseError*>(&error);
  return database_error != nullptr && (database_error->sqlstate().starts_with("08") ||
                                       database_error->sqlstate().starts_with("57P0"));
}

std::string StampHint(std::string_view schema) {
  return schema == history::kDefaultSchema ? "" : fmt::format(" --history-schema {}", schema);
}

// For a failure that a timeout caused (55P03 lock_not_available, 57014 from statement_timeout):
// which timeout fired and that waiting may be all it takes; empty for any other failure. The
// statement itself is usually fine, so "fix the statement" would send the reader the wrong way.
std::string TimeoutAdvice(const db::DatabaseError& e, const Options& options) {
  auto limit = [](const std::optional<std::string>& flag, std::string_view name) {
    return flag ? fmt::format(" (--{} {})", name, *flag) : std::string();
  };
  if (e.sqlstate() == "55P03") {
    return fmt::format(
        "The lock timeout fired{}: another session held a lock the statement needed. Retrying "
        "later, when that session is done, may succeed (or raise --lock-timeout)",
        limit(options.lock_timeout, "lock-timeout"));
  }
  if (e.sqlstate() == "57014" &&
      e.server_message().find("statement timeout") != std::string::npos) {
    return fmt::format(
        "The statement timeout fired{}: the statement ran longer than that. Retrying later, when "
        "the database is less busy, may succeed (or raise --statement-timeout)",
        limit(options.statement_timeout, "statement-timeout"));
  }
  return {};
}

}  // namespace

namespace {

// "path:line:col: message": input errors print as one line after the CLI's "error: ".
std::string Located(const Diagnostic& d) {
  return fmt::format("{}:{}:{}: {}", d.path, d.pos.line, d.pos.column, d.message);
}

// What stairway does with transaction control written in a section it is about to run
// (sql::PlanTransactionControl decides, and the linter models the same):
// - a transactional section runs inside stairway's own transaction, so its BEGIN ... COMMIT
//   pairs are left out: the revision's transaction does their job (golang-migrate files often
//   wrap their statements so, sometimes after a SET; a tool that runs the file as one
//   multi-statement string gives the same outcome). SAVEPOINT / RELEASE / ROLLBACK TO run as
//   written; a nested or never committed BEGIN or a COMMIT without BEGIN is left out too (the
//   revision stays one transaction). A ROLLBACK or PREPARE TRANSACTION would undo the
//   revision or hand it off, leaving the history row to a transaction that is gone: refused.
// - a non-transactional section runs statement by statement, each committed on its own with
//   its history mark; any transaction control there (a BEGIN opens a transaction that holds
//   the history marks too, and the disconnect rolls all of it back) is refused.
// Refused text is Error(kInput) at its file:line:col before anything runs.
Status ApplyTransactionControlPolicy(const planner::Step& step,
                                     std::vector<sql::StatementSpan>& spans) {
  const source::Section& section = step.section();
  const bool transactional = section.tx_mode == source::TxMode::kTransaction;
  const std::vector<sql::Statement> parsed = sql::ParseStatements(section.sql, spans);
  const sql::TransactionControl control = sql::PlanTransactionControl(parsed, transactional);
  if (control.refused) {
    const std::size_t i = *control.refused;
    const std::string what =
        fmt::format("{} ({}): {} is refused", step.revision->Label(),
                    history::DirectionName(step.direction), Excerpt(spans[i].text));
    const std::string why =
        transactional
            ? "transaction control inside a transactional revision; stairway runs each revision "
              "in its own transaction (leaving out the revision's BEGIN and COMMIT), which this "
              "statement would undo or end: remove it, or mark the revision non-transactional "
              "(see docs/formats.md)"
            : "transaction control inside a non-transactional section, which stairway runs "
              "statement by statement, each committed on its own with its history mark: remove "
              "this statement (and the BEGIN/COMMIT around the others), or drop the "
              "no-transaction marker so the revision runs in one transaction (see "
              "docs/formats.md)";
    const Diagnostic d = source::Relocated(
        section, DiagnosticAt(Severity::kError, section.path.string(), section.sql, spans[i].offset,
                              fmt::format("{}: {}; nothing was applied", what, why),
                              section.first_line - 1));
    return Error::Input(Located(d));
  }
  std::vector<sql::StatementSpan> kept;
  kept.reserve(spans.size());
  for (std::size_t i = 0; i < spans.size(); ++i) {
    if (!control.Dropped(i)) kept.push_back(spans[i]);
  }
  spans = std::move(kept);
  return Status::Ok();
}

}  // namespace

Expected<PreparedStep> PrepareStep(const planner::Step& step) {
  // An Alembic revision's body is Python: nothing to split.
  if (step.revision->alembic) return PreparedStep{step, {}};
  const source::Section& section = step.section();
  sql::SplitResult split = sql::SplitStatements(section.sql);
  if (split.error) {
    const Diagnostic d = source::Relocated(
        section, DiagnosticAt(Severity::kError, section.path.string(), section.sql,
                              split.error->offset, split.error->message, section.first_line - 1));
    return Error::Input(fmt::format("{}; fix the SQL of {} ({} section), nothing was applied",
                                    Located(d), step.revision->Label(),
                                    history::DirectionName(step.direction)));
  }
  TRY_STATUS(ApplyTransactionControlPolicy(step, split.statements));
  return PreparedStep{step, std::move(split.statements)};
}

Expected<std::vector<PreparedStep>> Prepare(const planner::Plan& plan) {
  std::vector<PreparedStep> out;
  out.reserve(plan.steps.size());
  for (const planner::Step& step : plan.steps) {
    ASSIGN_OR_RETURN(PreparedStep prepared, PrepareStep(step));
    out.push_back(std::move(prepared));
  }
  return out;
}

MigrationFailed::MigrationFailed(Diagnostic diagnostic, std::string rendered, std::string sqlstate,
                                 bool rolled_back)
    : StopError(Error::Database(std::move(rendered))),
      diagnostic_(std::move(diagnostic)),
      sqlstate_(std::move(sqlstate)),
      rolled_back_(rolled_back) {}

Runner::Runner(db::Session& session, Options options, Observer* observer)
    : session_(session),
      options_(std::move(options)),
      observer_(observer),
      table_(options_.history_schema),
      applied_by_(history::AppliedByExpr(history::ClientTag())) {
  // A runner killed with -9 leaves its backend running the current statement until it next
  // talks to the client; this makes the server notice the dead client within a second, so it
  // rolls back and frees the lock for the next run.
  if (session_.server_version_num() >= 140000) {
    session_.Exec("SET client_connection_check_interval = '1s'");
  }
  session_.Exec("SET application_name = 'stairway'");
  AcquireLock();
}

Runner::~Runner() {
  if (!locked_) return;
  try {
    if (session_.in_transaction()) session_.Rollback();
    session_.AdvisoryUnlock(table_.LockKey());
  } catch (...) {
    // A broken connection has released the lock already.
  }
}

std::optional<LockHolder> FindLockHolder(db::Session& session, const history::Table& table) {
  const auto key = static_cast<std::uint64_t>(table.LockKey());
  const db::QueryResult r = session.Query(
      "SELECT l.pid, coalesce(a.application_name, ''), coalesce(a.usename::text, ''), "
      "coalesce(host(a.client_addr), 'local socket'), "
      "coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS'), ''), "
      "coalesce(a.state, '') || coalesce(': ' || left(regexp_replace(a.query, '\\s+', ' ', 'g'), "
      "80), '') "
      "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
      "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
      "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
      "AND l.classid::bigint = $1::bigint AND l.objid::bigint = $2::bigint AND l.pid <> "
      "pg_backend_pid() LIMIT 1",
      {std::to_string(key >> 32), std::to_string(key & 0xFFFFFFFFu)});
  if (r.rows.empty()) return std::nullopt;
  const db::Row& row = r.rows[0];
  auto text = [&](std::size_t i) { return row.at(i).value_or(""); };
  return LockHolder{std::stoi(text(0)), text(1), text(2), text(3), text(4), text(5)};
}

std::optional<LockHolder> Runner::FindLockHolder() {
  return applier::FindLockHolder(session_, table_);
}

void Runner::AcquireLock() {
  const std::int64_t key = table_.LockKey();
  const Clock::time_point start = Clock::now();
  bool told = false;
  while (!session_.TryAdvisoryLock(key)) {
    const std::chrono::milliseconds waited = Since(start);
    if (waited >= options_.lock_wait) {
      const std::optional<LockHolder> holder = FindLockHolder();
      std::string who = "another session";
      std::string end_it = "end that session";
      if (holder) {
        who = fmt::format(
            "server pid {} (application \"{}\", user {}, from {}, connected {} UTC, "
            "{})",
            holder->pid, holder->application, holder->user, holder->client, holder->since,
            holder->state);
        end_it = fmt::format("end it with SELECT pg_terminate_backend({})", holder->pid);
      }
      throw StopError(Error::Database(fmt::format(
          "another migration run holds the lock on {}: {}; gave up after waiting {} ms "
          "(--lock-wait). Nothing was applied. Let that run finish and try again, or wait longer "
          "with --lock-wait; if it is stuck, {}",
          table_.DisplayName(), who, options_.lock_wait.count(), end_it)));
    }
    if (!told && observer_ != nullptr) {
      observer_->WaitingForLock(FindLockHolder());
      told = true;
    }
    const auto left = options_.lock_wait - waited;
    std::this_thread::sleep_for(
        std::min<std::chrono::milliseconds>(left, std::chrono::milliseconds(100)));
  }
  locked_ = true;
}

void Runner::EnsureHistory() {
  history::Reader reader(session_, table_);
  if (!reader.Exists()) {
    session_.Begin();
    try {
      for (const std::string& sql : table_.CreateSql()) session_.Exec(sql);
      session_.Commit();
    } catch (const db::InDoubtError&) {
      throw;
    } catch (...) {
      session_.Rollback();
      throw;
    }
  }
  reader.FormatVersion().ValueOrThrow();
  if (version_table_) EnsureVersionTable();
}

void Runner::EnsureVersionTable() {
  // Created the way Alembic creates it on a first upgrade, so `alembic` reads it as its own.
  if (!version_table_->ReadRows(session_)) session_.Exec(version_table_->CreateSql());
}

void Runner::UseAlembic(const source::MigrationSet& set, CodeSteps* code) {
  alembic_set_ = &set;
  code_ = code;
  version_table_.emplace(set.alembic.value_or(source::AlembicProject{}));
  alembic_applied_.reset();
}

planner::AppliedSet Runner::AlembicApplied() {
  if (!alembic_applied_) {
    const std::optional<std::vector<std::string>> rows = version_table_->ReadRows(session_);
    alembic_applied_ = rows ? planner::AppliedFromVersionRows(*alembic_set_, *rows).ValueOrThrow()
                            : planner::AppliedSet{};
  }
  return *alembic_applied_;
}

std::vector<std::string> Runner::StampAlembic(const std::vector<std::string>& rows) {
  const planner::AppliedSet before = AlembicApplied();
  const planner::AppliedSet after =
      planner::AppliedFromVersionRows(*alembic_set_, rows).ValueOrThrow();
  std::vector<std::string> sql;
  std::vector<std::string> changes;
  for (const source::Revision& rev : alembic_set_->revisions) {
    const bool was = before.count(rev.version) > 0;
    const bool is = after.count(rev.version) > 0;
    if (is && !was) {
      sql.push_back(table_.DeleteSql(rev.version));
      sql.push_back(table_.InsertAppliedSql(rev, std::nullopt, applied_by_, "stamped"));
      changes.push_back(fmt::format("{}: recorded as applied", rev.Label()));
    } else if (was && !is) {
      sql.push_back(table_.DeleteSql(rev.version));
      changes.push_back(fmt::format("{}: recorded as not applied", rev.Label()));
    }
  }
  session_.Begin();
  try {
    EnsureVersionTable();
    session_.Exec(version_table_->ReplaceRowsSql(rows));
    for (const std::string& s : sql) session_.Exec(s);
  } catch (...) {
    session_.Rollback();
    throw;
  }
  session_.Commit();
  alembic_applied_ = after;
  return changes;
}

std::chrono::milliseconds Runner::RunCode(const PreparedStep& prepared) {
  const planner::Step& step = prepared.step;
  if (code_ == nullptr || version_table_ == std::nullopt) {
    throw StopError(Error::Internal(fmt::format(
        "{} is an Alembic revision, but this run has no Python helper", step.revision->Label())));
  }
  planner::AppliedSet after = AlembicApplied();
  if (step.direction == Direction::kUp) {
    after.insert(step.revision->version);
  } else {
    after.erase(step.revision->version);
  }
  const std::vector<std::string> rows = planner::VersionRows(*alembic_set_, after);
  const auto finish = [&](std::chrono::milliseconds ran) -> std::vector<std::string> {
    std::vector<std::string> sql = {version_table_->ReplaceRowsSql(rows),
                                    table_.DeleteSql(step.revision->version)};
    // A row left from before (`alembic downgrade` run directly, say) is replaced.
    if (step.direction == Direction::kUp) {
      sql.push_back(table_.InsertAppliedSql(*step.revision, ran.count(), applied_by_));
    }
    return sql;
  };
  const CodeTraceQueries* queries =
      observer_ != nullptr ? observer_->CodeTraceWanted(prepared) : nullptr;
  CodeTrace trace;
  std::chrono::milliseconds took{};
  try {
    took = code_->Run(step, finish, queries, queries != nullptr ? &trace : nullptr);
  } catch (const MigrationFailed&) {
    if (queries != nullptr) observer_->CodeTraced(prepared, trace);
    throw;
  }
  if (queries != nullptr) observer_->CodeTraced(prepared, trace);
  alembic_applied_ = std::move(after);
  return took;
}

std::vector<Row> Runner::ReadHistory() {
  history::Reader reader(session_, table_);
  if (!reader.Exists()) return {};
  reader.FormatVersion().ValueOrThrow();
  return reader.Rows();
}

std::string StampTargetBefore(const source::Revision& revision) {
  if (revision.parents.empty()) return "base";
  if (revision.parents.size() == 1) return revision.parents.front();
  return fmt::format("<the revision before {}>", revision.Label());  // a merge: the user decides
}

std::string Excerpt(std::string_view text) {
  std::string out;
  bool space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == '\t' || c == ' ') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  if (out.size() > 100) {
    std::size_t cut = 97;
    while (cut > 0 && (static_cast<unsigned char>(out[cut]) & 0xC0) == 0x80) --cut;
    out = out.substr(0, cut) + "...";
  }
  return out;
}

std::string ResolveMessage(const Row& row, const history::Table& table,
                           const source::Revision* revision) {
  const std::string label = row.Label();
  const bool up = row.direction == Direction::kUp;
  const std::string where =
      row.statement_index ? fmt::format("statement {}", *row.statement_index) : "its start";
  std::string what;
  if (row.state == State::kFailed) {
    what = fmt::format("{}'s {} section failed at {} ({} UTC): {}", label,
                       history::DirectionName(row.direction), where, row.applied_at, row.error);
  } else {
    what = fmt::format(
        "{}'s {} section was interrupted at {} (started {} UTC): the run that applied it is "
        "gone",
        label, history::DirectionName(row.direction), where, row.applied_at);
  }
  const std::string flags = StampHint(table.schema());
  const std::string stamp_to = up         ? label
                               : revision ? StampTargetBefore(*revision)
                                          : fmt::format("<the revision before {}>", label);
  return fmt::format(
      "{}. It runs outside a transaction, so the statements before that one stay done. Fix the "
      "database by hand (finish or undo what {} did), then record the outcome: `stairway "
      "stamp {}{}` if it is now fully {}, or `stairway repair{}` to forget the attempt so the "
      "next {} runs it again",
      what, label, stamp_to, flags, up ? "applied" : "undone", flags, up ? "upgrade" : "downgrade");
}

void Runner::CheckClean(const planner::Reconciled& state, EditedPolicy edited) const {
  for (const planner::RevisionStatus& s : state.revisions) {
    if (s.state == planner::RevisionState::kFailed || s.state == planner::RevisionState::kRunning) {
      throw StopError(
          Error::Database(fmt::format("{} has an unfinished revision: {}", table_.DisplayName(),
                                      ResolveMessage(*s.row, table_, s.revision))));
    }
  }
  if (!state.unknown.empty()) {
    const Row& row = *state.unknown.front();
    throw StopError(Error::Input(fmt::format(
        "{} records {} ({}), but the migration set has no such revision: wrong --dir or "
        "--format, or the file was deleted. Restore the file, or rewrite the history with "
        "`stairway stamp REV`",
        table_.DisplayName(), row.Label(), history::StateName(row.state))));
  }
  if (edited == EditedPolicy::kAllow) return;
  std::string lines;
  int count = 0;
  for (const planner::RevisionStatus& s : state.revisions) {
    if (s.state != planner::RevisionState::kEdited) continue;
    if (count++ > 0) lines += "; ";
    lines += fmt::format("{} ({}: checksum {} in the history, {} in the file)", s.revision->Label(),
                         s.revision->up.path.string(), s.row->checksum.substr(0, 12),
                         s.revision->checksum.substr(0, 12));
  }
  if (count > 0) {
    throw StopError(Error::Input(fmt::format(
        "{} applied revision{} changed since {} applied: {}. Restore the file{}, or pass "
        "--allow-edited to go on anyway (`stairway repair --accept-edits` records the new "
        "checksum{})",
        count, count == 1 ? "" : "s", count == 1 ? "it was" : "they were", lines,
        count == 1 ? "" : "s", count == 1 ? "" : "s")));
  }
}

void Runner::SetTimeouts(bool local) {
  const char* scope = local ? "SET LOCAL" : "SET";
  if (options_.lock_timeout) {
    session_.Exec(
        fmt::format("{} lock_timeout = {}", scope, db::QuoteLiteral(*options_.lock_timeout)));
  }
  if (options_.statement_timeout) {
    session_.Exec(fmt::format("{} statement_timeout = {}", scope,
                              db::QuoteLiteral(*options_.statement_timeout)));
  }
}

void Runner::ResetTimeouts() {
  if (options_.lock_timeout) session_.Exec("RESET lock_timeout");
  if (options_.statement_timeout) session_.Exec("RESET statement_timeout");
}

void Runner::Fail(const PreparedStep& prepared, std::size_t index, const db::DatabaseError& e,
                  bool rolled_back) {
  const planner::Step& step = prepared.step;
  const source::Section& section = step.section();
  const sql::StatementSpan& span = prepared.statements[index];
  const std::string label = step.revision->Label();
  Diagnostic d =
      DiagnosticAt(Severity::kError, section.path.string(), section.sql, span.offset,
                   fmt::format("{} ({}) failed at statement {} of {}: {} (SQLSTATE {})", label,
                               history::DirectionName(step.direction), index + 1,
                               prepared.statements.size(), e.server_message(), e.sqlstate()),
                   section.first_line - 1);
  d = source::Relocated(section, std::move(d));
  const std::string timeout = TimeoutAdvice(e, options_);
  if (rolled_back) {
    d.help = fmt::format(
        "{} ran in one transaction, which was rolled back: nothing of it is applied and the "
        "history is unchanged. {}",
        label, timeout.empty() ? "Fix the statement and run again" : timeout);
  } else {
    d.help = fmt::format(
        "{} runs outside a transaction: {} and {} records it as failed. Fix the database by hand, "
        "then `stairway stamp {}{}` if it is now fully {}, or "
        "`stairway repair{}` to forget the attempt and run it again",
        label,
        index == 0   ? std::string("no earlier statement of it ran")
        : index == 1 ? std::string("statement 1 stays done")
                     : fmt::format("statements 1 to {} stay done", index),
        table_.DisplayName(),
        step.direction == Direction::kUp ? label : StampTargetBefore(*step.revision),
        StampHint(table_.schema()), step.direction == Direction::kUp ? "applied" : "undone",
        StampHint(table_.schema()));
    if (!timeout.empty()) d.help += ". " + timeout;
  }
  // Render() without help, then the server's detail/hint and the statement, then help last.
  Diagnostic without_help = d;
  without_help.help.clear();
  std::string rendered = Render(without_help);
  if (!e.detail().empty()) rendered += "  detail: " + e.detail() + '\n';
  if (!e.hint().empty()) rendered += "  hint: " + e.hint() + '\n';
  rendered += "  statement: " + Excerpt(span.text) + '\n';
  rendered += "  help: " + d.help;
  throw MigrationFailed(std::move(d), std::move(rendered), e.sqlstate(), rolled_back);
}

std::chrono::milliseconds Runner::RunTransactional(const PreparedStep& prepared) {
  const planner::Step& step = prepared.step;
  const Clock::time_point start = Clock::now();
  session_.Begin();
  std::optional<std::size_t> at;
  try {
    SetTimeouts(/*local=*/true);
    for (std::size_t i = 0; i < prepared.statements.size(); ++i) {
      at = i;
      if (observer_ != nullptr) observer_->StatementStarting(prepared, i, session_);
      try {
        session_.Exec(prepared.statements[i].text);
      } catch (const db::DatabaseError& e) {
        if (Gone(session_, e)) throw;
        session_.Rollback();
        Fail(prepared, i, e, /*rolled_back=*/true);
      }
      if (observer_ != nullptr) observer_->StatementFinished(prepared, i, session_);
    }
  } catch (const MigrationFailed&) {
    throw;
  } catch (const StopError& e) {
    session_.Rollback();
    if (Gone(session_, e)) Lost(prepared, at, e);
    throw;
  } catch (...) {
    session_.Rollback();
    throw;
  }
  // The history row goes with the COMMIT: one round trip.
  const std::string record =
      step.direction == Direction::kUp
          ? table_.InsertAppliedSql(*step.revision, Since(start).count(), applied_by_)
          : table_.DeleteSql(step.revision->version);
  try {
    session_.ExecAndCommit(record);
  } catch (const db::InDoubtError& e) {
    // The outcome is unknown: never retried, and nothing after it runs.
    const std::string label = step.revision->Label();
    throw db::InDoubtError(Error::Database(fmt::format(
        "{} ({}): {}. stairway does not retry it; run `stairway status` to see whether {} is "
        "recorded, then run again",
        label, history::DirectionName(step.direction), e.what(), label)));
  } catch (const StopError& e) {
    if (session_.in_transaction()) session_.Rollback();  // the history row failed
    if (Gone(session_, e)) Lost(prepared, prepared.statements.size(), e);
    throw;
  } catch (...) {
    if (session_.in_transaction()) session_.Rollback();  // the history row failed
    throw;
  }
  return Since(start);
}

std::chrono::milliseconds Runner::RunNonTransactional(const PreparedStep& prepared) {
  const planner::Step& step = prepared.step;
  const std::string& version = step.revision->version;
  const Clock::time_point start = Clock::now();
  // Which statement was running when the connection broke (nullopt: none yet, or all done).
  std::optional<std::size_t> at;
  try {
    if (step.direction == Direction::kUp) {
      session_.Exec(table_.InsertRunningSql(*step.revision, applied_by_));
    } else {
      session_.Exec(table_.MarkRunningDownSql(version));
    }
    SetTimeouts(/*local=*/false);
    for (std::size_t i = 0; i < prepared.statements.size(); ++i) {
      at = i;
      session_.Exec(table_.MarkStatementSql(version, static_cast<int>(i + 1)));
      if (observer_ != nullptr) observer_->StatementStarting(prepared, i, session_);
      try {
        session_.Exec(prepared.statements[i].text);
      } catch (const db::DatabaseError& e) {
        if (Gone(session_, e)) throw;
        // The failed row is what the next run refuses on; if even this write fails, the row
        // stays 'running', which the next run treats the same way.
        try {
          ResetTimeouts();
          session_.Exec(table_.MarkFailedSql(version, step.direction, static_cast<int>(i + 1),
                                             e.server_message()));
        } catch (const StopError& record_error) {
          if (Gone(session_, record_error)) Lost(prepared, i, e);
        }
        Fail(prepared, i, e, /*rolled_back=*/false);
      }
      if (observer_ != nullptr) observer_->StatementFinished(prepared, i, session_);
    }
    at.reset();
    ResetTimeouts();
    const std::chrono::milliseconds took = Since(start);
    if (step.direction == Direction::kUp) {
      session_.Exec(table_.MarkAppliedSql(version, took.count()));
    } else {
      session_.Exec(table_.DeleteSql(version));
    }
  } catch (const MigrationFailed&) {
    throw;
  } catch (const StopError& e) {
    if (Gone(session_, e)) {
      // After the last statement `at` is unset: all of them ran, only the record is missing.
      Lost(prepared, at ? at : std::optional<std::size_t>(prepared.statements.size()), e);
    }
    throw;
  }
  return Since(start);
}

void Runner::Lost(const PreparedStep& prepared, std::optional<std::size_t> index,
                  const std::exception& cause) {
  const planner::Step& step = prepared.step;
  const source::Section& section = step.section();
  const std::string label = step.revision->Label();
  const std::size_t count = prepared.statements.size();
  const bool transactional = step.tx_mode() == source::TxMode::kTransaction;
  std::string where = "before its first statement";
  if (index && *index < count) {
    const Diagnostic d = source::Relocated(
        section, DiagnosticAt(Severity::kError, section.path.string(), section.sql,
                              prepared.statements[*index].offset, "", section.first_line - 1));
    where = fmt::format("at statement {} of {} ({}:{}:{}: {})", *index + 1, count, d.path,
                        d.pos.line, d.pos.column, Excerpt(prepared.statements[*index].text));
  } else if (index) {
    where = "after its last statement, while recording the outcome";
  }
  std::string state;
  if (transactional) {
    state = fmt::format(
        "{} ran in one transaction, which the server rolls back when the session ends: nothing "
        "of it is applied and the history is unchanged. Run again once the server is reachable",
        label);
  } else {
    const bool up = step.direction == Direction::kUp;
    std::string done;
    if (!index || *index == 0) {
      done = "no statement of it had run";
    } else if (*index >= count) {
      done = fmt::format("all {} statements ran", count);
    } else {
      done = fmt::format(
          "{} stay{} done and statement {} may or may not have taken effect",
          *index == 1 ? std::string("statement 1") : fmt::format("statements 1 to {}", *index),
          *index == 1 ? "s" : "", *index + 1);
    }
    state = fmt::format(
        "{} runs outside a transaction, so it is half-applied: {}. {} still marks it running "
        "(the next run refuses until this is resolved). Once the server is back, check the "
        "database, finish or undo what {} did by hand, then `stairway stamp {}{}` if it is now "
        "fully {}, or `stairway repair{}` to forget the attempt",
        label, done, table_.DisplayName(), label, up ? label : StampTargetBefore(*step.revision),
        StampHint(table_.schema()), up ? "applied" : "undone", StampHint(table_.schema()));
  }
  const auto* database_error = dynamic_cast<const db::DatabaseError*>(&cause);
  const std::string reason =
      database_error != nullptr
          ? fmt::format("the server said: {} (SQLSTATE {})", database_error->server_message(),
                        database_error->sqlstate())
          : std::string(cause.what());
  throw StopError(Error::Database(
      fmt::format("{} ({}): the connection to the server was lost {}. "
                  "{} ({})",
                  label, history::DirectionName(step.direction), where, state, reason)));
}

std::chrono::milliseconds Runner::RunStep(const PreparedStep& step) {
  if (observer_ != nullptr) observer_->StepStarted(step);
  const std::chrono::milliseconds took = step.step.revision->alembic ? RunCode(step)
                                         : step.step.tx_mode() == source::TxMode::kTransaction
                                             ? RunTransactional(step)
                                             : RunNonTransactional(step);
  if (observer_ != nullptr) observer_->StepFinished(step, took);
  return took;
}

void Runner::Run(const std::vector<PreparedStep>& steps) {
  for (const PreparedStep& step : steps) RunStep(step);
}

std::vector<std::string> Runner::Stamp(const source::MigrationSet& set,
                                       const planner::Reconciled& state,
                                       const source::Revision* target) {
  const planner::AppliedSet wanted = planner::AppliedThrough(set, target);
  std::vector<std::string> sql;
  std::vector<std::string> changes;
  for (const planner::RevisionStatus& s : state.revisions) {
    const source::Revision& rev = *s.revision;
    const bool want = wanted.count(rev.version) > 0;
    if (want && s.row == nullptr) {
      sql.push_back(table_.InsertAppliedSql(rev, std::nullopt, applied_by_, "stamped"));
      changes.push_back(fmt::format("{}: recorded as applied", rev.Label()));
    } else if (want && s.row->state != State::kApplied) {
      sql.push_back(table_.MarkResolvedSql(rev.version, "stamped"));
      changes.push_back(fmt::format("{}: {} attempt recorded as applied", rev.Label(),
                                    history::StateName(s.row->state)));
    } else if (!want && s.row != nullptr) {
      sql.push_back(table_.DeleteSql(rev.version));
      changes.push_back(fmt::format("{}: removed from the history ({} before)", rev.Label(),
                                    history::StateName(s.row->state)));
    }
  }
  for (const Row* row : state.unknown) {
    sql.push_back(table_.DeleteSql(row->version));
    changes.push_back(
        fmt::format("{}: removed from the history (not in the migration set)", row->Label()));
  }
  session_.Begin();
  try {
    for (const std::string& s : sql) session_.Exec(s);
  } catch (...) {
    session_.Rollback();
    throw;
  }
  session_.Commit();
  return changes;
}

std::vector<std::string> Runner::Repair(const planner::Reconciled& state, EditedPolicy edited) {
  std::vector<std::string> sql;
  std::vector<std::string> changes;
  for (const planner::RevisionStatus& s : state.revisions) {
    const std::string label = s.revision->Label();
    const bool unfinished =
        s.state == planner::RevisionState::kFailed || s.state == planner::RevisionState::kRunning;
    if (unfinished && s.row->direction == Direction::kUp) {
      sql.push_back(table_.DeleteSql(s.revision->version));
      changes.push_back(fmt::format(
          "{}: forgot the {} up attempt; it is pending and the next upgrade runs it again", label,
          planner::RevisionStateName(s.state)));
    } else if (unfinished) {
      sql.push_back(table_.MarkResolvedSql(s.revision->version, "repaired"));
      changes.push_back(fmt::format(
          "{}: forgot the {} down attempt; it counts as applied and the next downgrade runs its "
          "down again",
          label, planner::RevisionStateName(s.state)));
    } else if (s.state == planner::RevisionState::kEdited && edited == EditedPolicy::kAllow) {
      sql.push_back(table_.SetChecksumSql(s.revision->version, s.revision->checksum));
      changes.push_back(fmt::format("{}: recorded the edited file's checksum {}", label,
                                    s.revision->checksum.substr(0, 12)));
    }
  }
  session_.Begin();
  try {
    for (const std::string& s : sql) session_.Exec(s);
  } catch (...) {
    session_.Rollback();
    throw;
  }
  session_.Commit();
  return changes;
}

}  // namespace stairway::applier

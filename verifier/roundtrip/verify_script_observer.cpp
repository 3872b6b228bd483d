// Runs a revision's verify script (sqitch) right after its up, then rolls everything back.
#include "verifier/roundtrip/verify_script_observer.h"

#include <fmt/format.h>

#include "runner/common/diagnostic.h"
#include "runner/sql/parse.h"

namespace stairway::verifier::roundtrip {

namespace {

constexpr std::string_view kRule = "sqitch-verify-failed";

// "path:line:col" of byte `offset` of the script, through any \i-included file.
std::string Where(const source::Section& script, std::size_t offset) {
  const Diagnostic d =
      source::Relocated(script, DiagnosticAt(Severity::kError, script.path.string(), script.sql,
                                             offset, "", script.first_line - 1));
  return fmt::format("{}:{}:{}", d.path, d.pos.line, d.pos.column);
}

}  // namespace

void VerifyScriptObserver::AtPhase(PhaseContext& context) {
  if (context.phase != Phase::kAfterUp || !context.revision.verify) return;
  const source::Section& script = *context.revision.verify;
  const std::string label = context.revision.Label();
  const sql::SplitResult split = sql::SplitStatements(script.sql);
  if (split.error) {
    context.Add(
        std::string(kRule),
        fmt::format("{}: verify script {} does not parse at {}: {}", label, script.path.string(),
                    Where(script, split.error->offset), split.error->message));
    return;
  }
  const std::vector<sql::Statement> parsed = sql::ParseStatements(script.sql, split.statements);
  // sqitch verify scripts wrap themselves in BEGIN ... ROLLBACK; this transaction does that
  // job, so their own transaction control is not sent (a COMMIT would keep what they did).
  context.session.Begin();
  std::size_t i = 0;
  try {
    for (; i < split.statements.size(); ++i) {
      const sql::Transaction* t = parsed[i].error ? nullptr : parsed[i].As<sql::Transaction>();
      const bool own_transaction = t != nullptr && t->kind != sql::Transaction::Kind::kSavepoint &&
                                   t->kind != sql::Transaction::Kind::kRelease &&
                                   t->kind != sql::Transaction::Kind::kRollbackTo;
      if (!own_transaction) context.session.Exec(split.statements[i].text);
    }
  } catch (const db::DatabaseError& e) {
    context.session.Rollback();
    if (context.session.broken()) throw;
    context.Add(std::string(kRule),
                fmt::format("{}: verify script failed at {}: {} (SQLSTATE {}); the change's deploy "
                            "did not leave what its verify script expects",
                            label, Where(script, split.statements[i].offset), e.server_message(),
                            e.sqlstate()));
    return;
  }
  context.session.Rollback();
}

}  // namespace stairway::verifier::roundtrip

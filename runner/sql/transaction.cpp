// Which statements need to run outside a transaction, and which BEGIN/COMMIT a transactional
// section can do without (see transaction.h).
#include "runner/sql/transaction.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "runner/sql/parse.h"
#include "runner/sql/split.h"

namespace stairway::sql {

bool CannotRunInTransaction(const Statement& s, int pg_version) {
  if (s.error) return false;
  if (const auto* ci = s.As<CreateIndex>()) return ci->concurrent;
  if (const auto* d = s.As<Drop>()) return d->concurrent;
  if (const auto* r = s.As<Reindex>()) {
    return r->concurrent || r->kind == "SCHEMA" || r->kind == "SYSTEM" || r->kind == "DATABASE";
  }
  if (const auto* v = s.As<Vacuum>()) return v->vacuum;
  if (s.As<DropDatabase>() != nullptr) return true;
  if (s.node == "CreatedbStmt" || s.node == "AlterSystemStmt" || s.node == "CreateTableSpaceStmt" ||
      s.node == "DropTableSpaceStmt" || s.node == "CreateSubscriptionStmt" ||
      s.node == "DropSubscriptionStmt") {
    return true;
  }
  if (const auto* e = s.As<AlterEnum>()) return e->old_value.empty() && pg_version < 12;
  if (const auto* at = s.As<AlterTable>()) {
    return std::any_of(at->cmds.begin(), at->cmds.end(), [](const AlterTableCmd& c) {
      return c.subtype == "DetachPartition" && c.concurrent;
    });
  }
  return false;
}

bool HasNonTransactionalStatement(std::string_view sql, int pg_version) {
  // Every such statement has one of these words; most migrations have none of them and are
  // not parsed here at all.
  std::string lower(sql);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  constexpr std::array<std::string_view, 7> kWords = {
      "concurrently", "vacuum", "database", "tablespace", "subscription", "system", "reindex"};
  const bool maybe =
      std::any_of(kWords.begin(), kWords.end(),
                  [&](std::string_view w) { return lower.find(w) != std::string::npos; }) ||
      (pg_version < 12 && lower.find("add value") != std::string::npos);
  if (!maybe) return false;
  const SplitResult split = SplitStatements(sql);
  if (split.error) return false;  // the applier reports it at its position
  const std::vector<Statement> parsed = ParseStatements(sql, split.statements);
  return std::any_of(parsed.begin(), parsed.end(),
                     [&](const Statement& s) { return CannotRunInTransaction(s, pg_version); });
}

bool TransactionControl::Dropped(std::size_t i) const {
  return std::find(pairs.begin(), pairs.end(), i) != pairs.end() ||
         std::find(stray.begin(), stray.end(), i) != stray.end();
}

TransactionControl PlanTransactionControl(const std::vector<Statement>& statements,
                                          bool transactional) {
  using K = Transaction::Kind;
  TransactionControl out;
  constexpr std::size_t kClosed = static_cast<std::size_t>(-1);
  std::size_t open = kClosed;  // the BEGIN of the pair being read
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const Transaction* t = statements[i].error ? nullptr : statements[i].As<Transaction>();
    if (t == nullptr) continue;
    if (!transactional) {
      out.refused = i;
      return out;
    }
    switch (t->kind) {
      case K::kBegin:
        if (open != kClosed) {
          out.stray.push_back(i);
        } else {
          open = i;
        }
        break;
      case K::kCommit:
        if (open != kClosed) {
          out.pairs.push_back(open);
          out.pairs.push_back(i);
          open = kClosed;
        } else {
          out.stray.push_back(i);
        }
        break;
      case K::kSavepoint:
      case K::kRelease:
      case K::kRollbackTo:
        break;  // they work inside the runner's transaction as written
      default:
        out.refused = i;
        return out;
    }
  }
  if (open != kClosed) out.stray.push_back(open);  // never committed
  std::sort(out.stray.begin(), out.stray.end());
  return out;
}

}  // namespace stairway::sql

// fk-missing-index: Foreign key columns that no index covers.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
bool Leads(const std::vector<std::string>& index, const std::vector<std::string>& cols) {
  if (index.size() < cols.size()) return false;
  std::vector<std::string> lead(index.begin(), index.begin() + cols.size()), want = cols;
  std::sort(lead.begin(), lead.end());
  std::sort(want.begin(), want.end());
  return lead == want;
}

// An index or key created by this statement or a later one of the same section covers them.
bool CoveredLater(const StatementContext& c, const sql::QualifiedName& table,
                  const std::vector<std::string>& cols) {
  auto it = c.section().keys_by_table.find(table);
  if (it == c.section().keys_by_table.end()) return false;
  for (const KeyDef& k : it->second) {
    if (k.statement >= c.index() && Leads(k.columns, cols)) return true;
  }
  return false;
}

void Check(const StatementContext& c) {
  for (const ForeignKeyUse& u : ForeignKeysOf(c)) {
    if (u.columns.empty()) continue;
    const TableInfo* t = c.Table(u.table);
    if (t != nullptr && t->HasLeadingIndex(u.columns)) continue;
    if (CoveredLater(c, u.table, u.columns)) continue;
    std::string cols;
    for (const std::string& col : u.columns) cols += (cols.empty() ? "" : ", ") + col;
    c.Report(u.fk->location,
             fmt::format("no index on {} ({}): deleting from {} scans {}", u.table.Display(), cols,
                         u.fk->ref_table.Display(), u.table.Display()),
             fmt::format("add CREATE INDEX{} ON {} ({}) in this revision",
                         u.added_to_existing ? " CONCURRENTLY" : "", u.table.Display(), cols));
  }
}
}  // namespace

extern const Rule kRuleFkMissingIndex{
    .id = "fk-missing-index",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "Foreign key columns that no index covers",
    .help =
        "create an index whose leading columns are the foreign key columns (CREATE INDEX "
        "CONCURRENTLY on an existing table)",
    .why =
        "Deleting or updating a parent row looks up the children by the foreign key columns; "
        "without an index that is a sequential scan of the child table for every parent row, under "
        "lock.",
    .bad =
        "CREATE TABLE messages (id bigint PRIMARY KEY, thread_id bigint REFERENCES chat_threads ON "
        "DELETE CASCADE);",
    .good =
        "CREATE TABLE messages (id bigint PRIMARY KEY, thread_id bigint REFERENCES chat_threads ON "
        "DELETE CASCADE);\nCREATE INDEX messages_thread_id_idx ON messages (thread_id);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

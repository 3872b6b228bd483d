// Helpers the per-format readers share: blank-region checks and whole-file sections.
#include "runner/source/readers.h"
#include "runner/sql/transaction.h"

namespace stairway::source::detail {

int FirstNonBlankLine(const SourceFile& file, int first, int last_exclusive) {
  const int count = static_cast<int>(file.lines.size());
  last_exclusive = std::min(last_exclusive, count + 1);
  // Grow the region a line at a time so a block comment spanning lines stays a comment.
  for (int line = first; line < last_exclusive; ++line) {
    if (!IsBlankSql(file.Slice(first, line + 1))) return line;
  }
  return 0;
}

Expected<Section> WholeFileSection(const SourceFile& file) {
  Section section;
  section.sql = file.text;
  section.path = file.path;
  section.first_line = 1;
  for (const SourceLine& line : file.lines) {
    ASSIGN_OR_RETURN(const bool no_tx, IsNoTransactionMarker(file, line));
    if (no_tx) section.tx_mode = TxMode::kNone;
  }
  // golang-migrate runs the file as one multi-statement string (PostgreSQL runs a single
  // CREATE INDEX CONCURRENTLY outside a transaction; with x-multi-statement each statement runs
  // on its own), and Flyway runs a migration with such a statement outside a transaction.
  if (section.tx_mode == TxMode::kTransaction && sql::HasNonTransactionalStatement(file.text)) {
    section.tx_mode = TxMode::kNone;
    section.tx_reason = "a statement cannot run in a transaction (CREATE INDEX CONCURRENTLY, ...)";
  }
  return section;
}

}  // namespace stairway::source::detail

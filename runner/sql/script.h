// A SQL script as the scanner sees it: statement spans plus the comments between and inside
// them (the parse tree drops comments, but suppressions and markers live there).
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "runner/sql/split.h"

namespace stairway::sql {

struct Comment {
  std::size_t offset = 0;  // byte offset of "--" or "/*" in the input
  std::string_view text;   // the whole comment including its markers, without the line end
};

struct ScriptScan {
  std::vector<StatementSpan> statements;  // as SplitStatements returns them
  std::vector<Comment> comments;          // in input order
  std::optional<SplitError> error;        // lexical error; statements before it are kept
};

// Splits like SplitStatements and also collects comments. Thread-safe.
ScriptScan ScanScript(std::string_view sql);

// Byte offset of the 1-based character position `cursor` (as libpg_query reports errors) in
// `text`. Positions past the end map to text.size().
std::size_t ByteOffsetOfCursor(std::string_view text, int cursor);

// True when the tokens ON DELETE occur in `sql` (comments and strings are not tokens). The parse
// tree cannot tell an explicit ON DELETE NO ACTION from the default; the tokens can.
bool HasOnDeleteClause(std::string_view sql);

}  // namespace stairway::sql

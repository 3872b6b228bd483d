// Statement splitting with libpg_query's scanner. The applier runs a non-transactional
// revision statement by statement, and reports failures at the statement's file:line:col.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stairway::sql {

struct StatementSpan {
  // Byte range of the statement in the input. `offset` points at the first token (leading
  // whitespace and comments skipped); `length` runs up to, not including, the ';'.
  std::size_t offset = 0;
  std::size_t length = 0;
  std::string_view text;  // view into the input passed to SplitStatements
};

struct SplitError {
  std::size_t offset = 0;  // byte offset in the input
  std::string message;     // e.g. "unterminated quoted string"
};

struct SplitResult {
  std::vector<StatementSpan> statements;  // empty statements (";;", comment-only) dropped
  std::optional<SplitError> error;
};

// Splits SQL into statements with the scanner (dollar quotes, E'' strings, comments and
// BEGIN ATOMIC bodies handled by PostgreSQL's own lexer). Thread-safe.
SplitResult SplitStatements(std::string_view sql);

}  // namespace stairway::sql

// A SQL script as the scanner sees it: statement spans plus the comments between and inside
// them (the parse tree drops comments, but suppressions and markers live there).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
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

// For the chunked parser (parse.h), on text libpg_query has already parsed without error:
// the span of the statement in the piece [begin, end) of `sql` (the parse tree's stmt_location
// and stmt_len), trimmed to its first and last token, with the piece's comments appended to
// `comments`; nullopt when the piece holds no token.
std::optional<StatementSpan> SpanOfPiece(std::string_view sql, std::size_t begin, std::size_t end,
                                         std::vector<Comment>& comments);
// Appends the comments of [begin, end) of `sql`, a stretch between statements (whitespace,
// ';' and comments only).
void CollectGapComments(std::string_view sql, std::size_t begin, std::size_t end,
                        std::vector<Comment>& comments);

// Byte offset of the 1-based character position `cursor` (as libpg_query reports errors) in
// `text`. Positions past the end map to text.size().
std::size_t ByteOffsetOfCursor(std::string_view text, int cursor);

// Where the names of a statement that ends in a comma-separated list of (qualified) names,
// optionally followed by CASCADE or RESTRICT, start (offsets in `statement`): the parse tree
// of DROP keeps no locations. `names` holds each name's parts as the parser keeps them
// (lower case unless quoted). Empty when the tokens do not match.
std::vector<std::size_t> LocateTrailingNames(std::string_view statement,
                                             const std::vector<std::vector<std::string>>& names);

// Offset in `statement` of the identifier `name` when it is the token right before the first
// `keyword` (lower case), as an index name before ON in CREATE INDEX; nullopt otherwise.
std::optional<std::size_t> LocateNameBefore(std::string_view statement, std::string_view keyword,
                                            std::string_view name);

// Offset in `statement` of `name` written after `keyword` (lower case) at or after offset
// `from`, allowing COLUMN / CONSTRAINT and IF EXISTS in between (ALTER TABLE ... DROP
// [COLUMN] [IF EXISTS] name); nullopt when not found.
std::optional<std::size_t> LocateNameAfter(std::string_view statement, std::string_view keyword,
                                           std::string_view name, std::size_t from);

// One scanner token: its byte range in the scanned text and libpg_query's token number
// (pg_query.proto, enum Token; single characters are their ASCII code).
struct ScannedToken {
  std::size_t start = 0;
  std::size_t end = 0;
  int kind = 0;
};
// The tokens of `text`, comments included. On a lexical error (an unterminated quote or
// comment) returns false with `error_offset` at the error and no tokens.
bool ScanTokens(std::string_view text, std::vector<ScannedToken>& tokens,
                std::size_t& error_offset);

// True when `a` and `b` are the same tokens in the same order, comments left out: the two texts
// differ at most in whitespace and comments. False when either does not scan (an unterminated
// quote or comment). Keywords compare as written ("select" is not "SELECT").
bool SameTokensIgnoringComments(std::string_view a, std::string_view b);

// True when the tokens ON DELETE occur in `sql` (comments and strings are not tokens). The parse
// tree cannot tell an explicit ON DELETE NO ACTION from the default; the tokens can.
bool HasOnDeleteClause(std::string_view sql);

}  // namespace stairway::sql

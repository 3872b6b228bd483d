// A small Python tokenizer for reading Alembic files without Python: logical lines of names,
// strings (decoded), numbers and operators, with comments dropped. Tolerant of any input.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stairway::source::alembic {

enum class TokenKind { kName, kNumber, kString, kOp };

struct Token {
  TokenKind kind = TokenKind::kOp;
  std::string_view text;  // as in the source (a string token: prefix and quotes included)
  int line = 1;           // 1-based line of the token's first character
  int column = 0;         // 0-based byte column
  // Strings only: the value with escapes decoded (raw strings as written). f-strings are not
  // literals (`formatted`); a string without its closing quote is `unterminated`.
  std::string value;
  bool formatted = false;
  bool unterminated = false;

  bool Is(std::string_view s) const { return kind != TokenKind::kString && text == s; }
};

// One logical line: the tokens up to a newline outside brackets (backslash continuations and
// bracketed values spanning lines are joined, as Python does).
struct LogicalLine {
  std::vector<Token> tokens;  // never empty
  int line = 1;               // line of the first token
  int indent = 0;             // column of the first token (tabs count as one byte)
};

// A `#` comment (strings that contain a # are not comments).
struct Comment {
  std::string_view text;  // from the # to the line end
  int line = 1;
  int column = 0;  // 0-based byte column
  std::size_t offset = 0;
};

// Tokenizes Python source. Never fails: unterminated strings end at their line end (triple-quoted
// ones at the end of the text), a bracket left open ends at the next column-0 `def`/`class`,
// unmatched closing brackets are ignored, unknown bytes become one-byte operators. The
// returned tokens point into `source`, which must outlive them.
// `comments`, when given, receives every comment.
std::vector<LogicalLine> TokenizePython(std::string_view source,
                                        std::vector<Comment>* comments = nullptr);

}  // namespace stairway::source::alembic

// Statement splitting and comment collection on top of libpg_query's scanner. The fast
// pg_query_split_with_scanner does the bulk; the token scanner (pg_query_scan) is run only on
// the pieces that hold comments or a BEGIN ATOMIC body, which the fast splitter cuts apart.
#include "runner/sql/script.h"

#include <pg_query.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <string>

namespace stairway::sql {
namespace {

// Token numbers of libpg_query's pg_query.proto (enum Token); the protobuf-c header is not
// installed, so the few we need are spelled out here.
constexpr int kTokSqlComment = 275;
constexpr int kTokCComment = 276;
constexpr int kTokAtomic = 300;
constexpr int kTokBegin = 307;
constexpr int kTokCase = 321;
constexpr int kTokCreate = 354;
constexpr int kTokEnd = 401;
constexpr int kTokFunction = 431;
constexpr int kTokProcedure = 580;
constexpr int kTokOn = 543;
constexpr int kTokDelete = 380;

struct Token {
  std::size_t start = 0;
  std::size_t end = 0;
  int kind = 0;
  bool IsComment() const { return kind == kTokSqlComment || kind == kTokCComment; }
};

bool ReadVarint(const std::uint8_t*& p, const std::uint8_t* end, std::uint64_t& value) {
  value = 0;
  for (int shift = 0; p < end && shift < 64; shift += 7) {
    const std::uint8_t byte = *p++;
    value |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) return true;
  }
  return false;
}

// Skips a protobuf field of the given wire type; false on malformed input.
bool SkipField(int wire_type, const std::uint8_t*& p, const std::uint8_t* end) {
  std::uint64_t v = 0;
  switch (wire_type) {
    case 0:
      return ReadVarint(p, end, v);
    case 1:
      if (end - p < 8) return false;
      p += 8;
      return true;
    case 2:
      if (!ReadVarint(p, end, v) || static_cast<std::uint64_t>(end - p) < v) return false;
      p += v;
      return true;
    case 5:
      if (end - p < 4) return false;
      p += 4;
      return true;
    default:
      return false;
  }
}

// Decodes one ScanToken message {1: start, 2: end, 4: token, 5: keyword_kind}.
bool DecodeToken(const std::uint8_t* p, const std::uint8_t* end, Token& token) {
  while (p < end) {
    std::uint64_t key = 0, v = 0;
    if (!ReadVarint(p, end, key)) return false;
    const int field = static_cast<int>(key >> 3), wire = static_cast<int>(key & 7);
    if (wire != 0) {
      if (!SkipField(wire, p, end)) return false;
      continue;
    }
    if (!ReadVarint(p, end, v)) return false;
    if (field == 1) token.start = v;
    if (field == 2) token.end = v;
    if (field == 4) token.kind = static_cast<int>(v);
  }
  return true;
}

struct Lexed {
  std::vector<Token> tokens;  // offsets relative to the lexed text
  bool ok = true;
};

// Runs the token scanner over `text`. Only called on pieces the splitter already accepted.
Lexed Lex(std::string_view text) {
  Lexed out;
  const std::string buf(text);
  PgQueryScanResult r = pg_query_scan(buf.c_str());
  if (r.error != nullptr) {
    out.ok = false;
  } else {
    const auto* p = reinterpret_cast<const std::uint8_t*>(r.pbuf.data);
    const auto* end = p + r.pbuf.len;
    while (p < end) {
      std::uint64_t key = 0, len = 0;
      if (!ReadVarint(p, end, key)) break;
      if ((key >> 3) == 2 && (key & 7) == 2) {
        if (!ReadVarint(p, end, len) || static_cast<std::uint64_t>(end - p) < len) break;
        Token t;
        if (DecodeToken(p, p + len, t)) out.tokens.push_back(t);
        p += len;
      } else if (!SkipField(static_cast<int>(key & 7), p, end)) {
        break;
      }
    }
  }
  pg_query_free_scan_result(r);
  return out;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool HasCommentMarker(std::string_view text) {
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const char c = text[i];
    if ((c == '-' && text[i + 1] == '-') || (c == '/' && text[i + 1] == '*')) return true;
  }
  return false;
}

bool ContainsWordCI(std::string_view text, std::string_view lower_word) {
  if (text.size() < lower_word.size()) return false;
  for (std::size_t i = 0; i + lower_word.size() <= text.size(); ++i) {
    std::size_t k = 0;
    while (k < lower_word.size() && (text[i + k] | 0x20) == lower_word[k]) {
      ++k;
    }
    if (k == lower_word.size()) return true;
  }
  return false;
}

std::string_view CommentText(std::string_view input, const Token& t) {
  std::string_view s = input.substr(t.start, t.end - t.start);
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

// Adds the comments of the region [begin, end) of `input` to `out`.
void CollectComments(std::string_view input, std::size_t begin, std::size_t end,
                     std::vector<Comment>& out) {
  const std::string_view region = input.substr(begin, end - begin);
  if (!HasCommentMarker(region)) return;
  Lexed lexed = Lex(region);
  for (Token t : lexed.tokens) {
    if (!t.IsComment()) continue;
    t.start += begin;
    t.end += begin;
    out.push_back({t.start, CommentText(input, t)});
  }
}

// Tracks BEGIN ATOMIC ... END nesting across the pieces the fast splitter produced.
class AtomicTracker {
 public:
  // Feeds the tokens of one piece; returns true while the body is still open.
  bool Feed(const std::vector<Token>& tokens) {
    for (const Token& t : tokens) {
      if (t.IsComment()) continue;
      if (first_) {
        is_create_ = t.kind == kTokCreate;
        first_ = false;
      }
      if (!is_create_) return false;
      if (t.kind == kTokFunction || t.kind == kTokProcedure) routine_ = true;
      if (depth_ == 0) {
        if (routine_ && prev_ == kTokBegin && t.kind == kTokAtomic) depth_ = 1;
      } else if (t.kind == kTokBegin || t.kind == kTokCase) {
        ++depth_;
      } else if (t.kind == kTokEnd) {
        --depth_;
      }
      prev_ = t.kind;
    }
    return depth_ > 0;
  }

 private:
  bool first_ = true;
  bool is_create_ = false;
  bool routine_ = false;
  int prev_ = 0;
  int depth_ = 0;
};

struct Piece {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The fast splitter's pieces for `buf`, or an error (with the pieces before it).
std::vector<Piece> FastSplit(const std::string& buf, std::optional<SplitError>& error) {
  std::vector<Piece> pieces;
  PgQuerySplitResult r = pg_query_split_with_scanner(buf.c_str());
  if (r.error != nullptr) {
    const std::size_t offset = ByteOffsetOfCursor(buf, r.error->cursorpos);
    error = SplitError{offset, r.error->message != nullptr ? r.error->message : "syntax error"};
  } else {
    pieces.reserve(r.n_stmts);
    for (int i = 0; i < r.n_stmts; ++i) {
      const auto begin = static_cast<std::size_t>(r.stmts[i]->stmt_location);
      pieces.push_back({begin, begin + static_cast<std::size_t>(r.stmts[i]->stmt_len)});
    }
  }
  pg_query_free_split_result(r);
  return pieces;
}

}  // namespace

std::size_t ByteOffsetOfCursor(std::string_view text, int cursor) {
  if (cursor <= 1) return 0;
  int chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++chars == cursor) return i;
  }
  return text.size();
}

namespace {

// Scans `sql`; on a lexical error that spoils only one statement, sets `resume` to where
// scanning can start again.
ScriptScan ScanPart(std::string_view sql, std::size_t& resume) {
  ScriptScan out;
  std::size_t limit = sql.find('\0');
  if (limit != std::string_view::npos) {
    out.error = SplitError{limit, "the input contains a NUL byte"};
  } else {
    limit = sql.size();
  }
  std::string buf(sql.substr(0, limit));
  std::optional<SplitError> error;
  std::vector<Piece> pieces = FastSplit(buf, error);
  if (error) {
    // Keep what precedes the statement with the lexical error: split the prefix and drop its
    // last piece unless a ';' ended it.
    out.error = error;
    std::string prefix = buf.substr(0, error->offset);
    std::optional<SplitError> again;
    pieces = FastSplit(prefix, again);
    if (again) pieces.clear();
    if (!pieces.empty() &&
        (pieces.back().end >= prefix.size() || prefix[pieces.back().end] != ';')) {
      pieces.pop_back();
    }
    limit = error->offset;
    // An unterminated literal or comment swallows the rest of the input. Other lexical errors
    // ("trailing junk after numeric literal") spoil one statement only: resume after its ';'.
    const std::size_t semi = buf.find(';', error->offset);
    if (error->message.rfind("unterminated", 0) != 0 && semi != std::string::npos)
      resume = semi + 1;
  }
  const std::string_view input = sql;
  std::size_t covered = 0;  // end of the last region whose comments were collected
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    Piece piece = pieces[i];
    CollectComments(input, covered, piece.begin, out.comments);
    std::string_view text = input.substr(piece.begin, piece.end - piece.begin);
    const bool has_comments = HasCommentMarker(text);
    const bool maybe_atomic = ContainsWordCI(text, "atomic") && ContainsWordCI(text, "create");
    std::size_t first = piece.begin, last = piece.end;
    if (has_comments || maybe_atomic) {
      Lexed lexed = Lex(text);
      AtomicTracker atomic;
      bool open = maybe_atomic && atomic.Feed(lexed.tokens);
      std::vector<Token> tokens;
      for (Token t : lexed.tokens) {
        tokens.push_back({t.start + piece.begin, t.end + piece.begin, t.kind});
      }
      // Glue following pieces (and the ';' between them) onto an open BEGIN ATOMIC body.
      while (open && i + 1 < pieces.size()) {
        const Piece next = pieces[++i];
        Lexed more = Lex(input.substr(next.begin, next.end - next.begin));
        open = atomic.Feed(more.tokens);
        for (Token t : more.tokens)
          tokens.push_back({t.start + next.begin, t.end + next.begin, t.kind});
        piece.end = next.end;
      }
      first = piece.end;
      last = piece.begin;
      for (const Token& t : tokens) {
        if (t.IsComment()) {
          out.comments.push_back({t.start, CommentText(input, t)});
          continue;
        }
        first = std::min(first, t.start);
        last = std::max(last, t.end);
      }
      if (last <= first) {
        covered = piece.end;
        continue;
      }
    } else {
      while (first < last && IsSpace(input[first])) ++first;
      while (last > first && IsSpace(input[last - 1])) --last;
      if (first == last) {
        covered = piece.end;
        continue;
      }
    }
    out.statements.push_back({first, last - first, input.substr(first, last - first)});
    covered = piece.end;
  }
  CollectComments(input, covered, limit, out.comments);
  return out;
}

}  // namespace

ScriptScan ScanScript(std::string_view sql) {
  ScriptScan out;
  std::size_t base = 0;
  while (true) {
    std::size_t resume = std::string_view::npos;
    ScriptScan part = ScanPart(sql.substr(base), resume);
    // Views in `part` point into `sql` already; only offsets move.
    for (StatementSpan st : part.statements) {
      st.offset += base;
      out.statements.push_back(st);
    }
    for (Comment c : part.comments) {
      c.offset += base;
      out.comments.push_back(c);
    }
    if (part.error && !out.error) {
      part.error->offset += base;
      out.error = part.error;
    }
    if (resume == std::string_view::npos || resume == 0) break;
    base += resume;
  }
  return out;
}

namespace {

// Skips whitespace (and ';' when `semicolons`) and comments from `pos`, appending the comments;
// returns where the first other character is, or npos when it meets something unexpected
// (the caller then asks the scanner). Only used on text the parser accepted, so `pos` is
// never inside a literal and `--` or `/*` there always starts a comment; comments follow
// PostgreSQL's lexer: `--` runs to the line end, `/* */` nests.
std::size_t SkipSpaceAndComments(std::string_view sql, std::size_t pos, std::size_t end,
                                 bool semicolons, std::vector<Comment>& comments) {
  while (pos < end) {
    const char c = sql[pos];
    if (IsSpace(c) || (semicolons && c == ';')) {
      ++pos;
    } else if (c == '-' && pos + 1 < end && sql[pos + 1] == '-') {
      std::size_t stop = pos + 2;
      while (stop < end && sql[stop] != '\n' && sql[stop] != '\r') ++stop;
      comments.push_back({pos, sql.substr(pos, stop - pos)});
      pos = stop;
    } else if (c == '/' && pos + 1 < end && sql[pos + 1] == '*') {
      std::size_t i = pos + 2;
      int depth = 1;
      while (i + 1 < end && depth > 0) {
        if (sql[i] == '/' && sql[i + 1] == '*') {
          ++depth;
          i += 2;
        } else if (sql[i] == '*' && sql[i + 1] == '/') {
          --depth;
          i += 2;
        } else {
          ++i;
        }
      }
      if (depth > 0) return std::string_view::npos;
      comments.push_back({pos, sql.substr(pos, i - pos)});
      pos = i;
    } else {
      return pos;
    }
  }
  return end;
}

// The span of piece [begin, end) from the scanner's tokens, comments appended (ScanScript's
// way for pieces that hold comments).
std::optional<StatementSpan> SpanFromTokens(std::string_view input, std::size_t begin,
                                            std::size_t end, std::vector<Comment>& comments) {
  const Lexed lexed = Lex(input.substr(begin, end - begin));
  std::size_t first = end, last = begin;
  for (const Token& t : lexed.tokens) {
    if (t.IsComment()) {
      comments.push_back({t.start + begin, CommentText(input, {t.start + begin, t.end + begin})});
      continue;
    }
    first = std::min(first, t.start + begin);
    last = std::max(last, t.end + begin);
  }
  if (last <= first) return std::nullopt;
  return StatementSpan{first, last - first, input.substr(first, last - first)};
}

}  // namespace

std::optional<StatementSpan> SpanOfPiece(std::string_view sql, std::size_t begin, std::size_t end,
                                         std::vector<Comment>& comments) {
  std::vector<Comment> leading;
  const std::size_t first = SkipSpaceAndComments(sql, begin, end, false, leading);
  // Comments after the first token, or anything odd: the scanner knows best.
  if (first == std::string_view::npos || HasCommentMarker(sql.substr(first, end - first))) {
    return SpanFromTokens(sql, begin, end, comments);
  }
  comments.insert(comments.end(), leading.begin(), leading.end());
  std::size_t last = end;
  while (last > first && IsSpace(sql[last - 1])) --last;
  if (last == first) return std::nullopt;
  return StatementSpan{first, last - first, sql.substr(first, last - first)};
}

void CollectGapComments(std::string_view sql, std::size_t begin, std::size_t end,
                        std::vector<Comment>& comments) {
  if (begin >= end) return;
  std::vector<Comment> found;
  if (SkipSpaceAndComments(sql, begin, end, true, found) == end) {
    comments.insert(comments.end(), found.begin(), found.end());
  } else {
    CollectComments(sql, begin, end, comments);
  }
}

namespace {

// The value of an identifier token as PostgreSQL keeps it: quotes removed ("" -> "), or ASCII
// letters folded to lower case. Unicode-escaped identifiers (U&"...") give "".
std::string IdentifierValue(std::string_view token) {
  std::string out;
  if (!token.empty() && token.front() == '"') {
    for (std::size_t i = 1; i + 1 < token.size(); ++i) {
      out += token[i];
      if (token[i] == '"') ++i;  // "" inside quotes
    }
    return out;
  }
  if (token.size() > 1 && (token[0] == 'U' || token[0] == 'u') && token[1] == '&') return out;
  for (const char c : token) out += (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  return out;
}

// The parser cuts identifiers to 63 bytes (at a character boundary): a long written name
// matches its cut form.
bool NameMatches(std::string_view token, std::string_view name) {
  const std::string value = IdentifierValue(token);
  if (value == name) return true;
  return name.size() >= 60 && value.size() > name.size() &&
         value.compare(0, name.size(), name) == 0;
}

std::vector<Token> CodeTokens(std::string_view text) {
  Lexed lexed = Lex(text);
  if (!lexed.ok) return {};
  std::erase_if(lexed.tokens, [](const Token& t) { return t.IsComment(); });
  return std::move(lexed.tokens);
}

}  // namespace

std::vector<std::size_t> LocateTrailingNames(std::string_view statement,
                                             const std::vector<std::vector<std::string>>& names) {
  if (names.empty()) return {};
  const std::vector<Token> tokens = CodeTokens(statement);
  auto text = [&](std::size_t i) {
    return statement.substr(tokens[i].start, tokens[i].end - tokens[i].start);
  };
  std::size_t length = names.size() - 1;  // the commas
  for (const auto& parts : names) {
    if (parts.empty()) return {};
    length += 2 * parts.size() - 1;  // parts and the dots between them
  }
  // With a trailing CASCADE / RESTRICT first: `DROP TABLE restrict RESTRICT` names "restrict".
  for (const std::size_t tail : {std::size_t{1}, std::size_t{0}}) {
    if (tokens.size() < length + tail + 1) continue;
    if (tail == 1) {
      const std::string last = IdentifierValue(text(tokens.size() - 1));
      if (text(tokens.size() - 1).front() == '"' || (last != "cascade" && last != "restrict"))
        continue;
    }
    std::size_t i = tokens.size() - tail - length;
    std::vector<std::size_t> starts;
    bool ok = true;
    for (std::size_t k = 0; ok && k < names.size(); ++k) {
      if (k > 0) ok = text(i++) == ",";
      if (ok) starts.push_back(tokens[i].start);
      for (std::size_t p = 0; ok && p < names[k].size(); ++p) {
        if (p > 0) ok = text(i++) == ".";
        ok = ok && NameMatches(text(i++), names[k][p]);
      }
    }
    if (ok) return starts;
  }
  return {};
}

std::optional<std::size_t> LocateNameBefore(std::string_view statement, std::string_view keyword,
                                            std::string_view name) {
  if (name.empty()) return std::nullopt;
  const std::vector<Token> tokens = CodeTokens(statement);
  for (std::size_t i = 1; i < tokens.size(); ++i) {
    const std::string_view t = statement.substr(tokens[i].start, tokens[i].end - tokens[i].start);
    if (t.front() == '"' || IdentifierValue(t) != keyword) continue;
    const Token& prev = tokens[i - 1];
    if (NameMatches(statement.substr(prev.start, prev.end - prev.start), name)) return prev.start;
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::size_t> LocateNameAfter(std::string_view statement, std::string_view keyword,
                                           std::string_view name, std::size_t from) {
  if (name.empty()) return std::nullopt;
  const std::vector<Token> tokens = CodeTokens(statement);
  auto value = [&](std::size_t i) {
    const std::string_view t = statement.substr(tokens[i].start, tokens[i].end - tokens[i].start);
    return t.front() == '"' ? std::string() : IdentifierValue(t);
  };
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    if (tokens[i].start < from || value(i) != keyword) continue;
    std::size_t j = i + 1;
    // DROP [COLUMN | CONSTRAINT] [IF EXISTS] name
    if (j < tokens.size() && (value(j) == "column" || value(j) == "constraint")) ++j;
    if (j + 1 < tokens.size() && value(j) == "if" && value(j + 1) == "exists") j += 2;
    if (j < tokens.size() &&
        NameMatches(statement.substr(tokens[j].start, tokens[j].end - tokens[j].start), name)) {
      return tokens[j].start;
    }
  }
  return std::nullopt;
}

bool HasOnDeleteClause(std::string_view sql) {
  if (!ContainsWordCI(sql, "delete")) return false;
  const Lexed lexed = Lex(sql);
  for (std::size_t i = 0; i + 1 < lexed.tokens.size(); ++i) {
    if (lexed.tokens[i].kind == kTokOn && lexed.tokens[i + 1].kind == kTokDelete) return true;
  }
  return false;
}

SplitResult SplitStatements(std::string_view sql) {
  ScriptScan scan = ScanScript(sql);
  return {std::move(scan.statements), std::move(scan.error)};
}

bool ScanTokens(std::string_view text, std::vector<ScannedToken>& tokens,
                std::size_t& error_offset) {
  tokens.clear();
  const std::string buf(text);
  PgQueryScanResult r = pg_query_scan(buf.c_str());
  const bool ok = r.error == nullptr;
  if (!ok) {
    error_offset = ByteOffsetOfCursor(buf, r.error->cursorpos);
  } else {
    const Lexed lexed = Lex(text);
    for (const Token& t : lexed.tokens) tokens.push_back({t.start, t.end, t.kind});
  }
  pg_query_free_scan_result(r);
  return ok;
}

bool SameTokensIgnoringComments(std::string_view a, std::string_view b) {
  std::vector<ScannedToken> ta, tb;
  std::size_t error = 0;
  if (!ScanTokens(a, ta, error) || !ScanTokens(b, tb, error)) return false;
  auto is_comment = [](const ScannedToken& t) {
    return t.kind == kTokSqlComment || t.kind == kTokCComment;
  };
  std::erase_if(ta, is_comment);
  std::erase_if(tb, is_comment);
  if (ta.size() != tb.size()) return false;
  for (std::size_t i = 0; i < ta.size(); ++i) {
    if (ta[i].kind != tb[i].kind || a.substr(ta[i].start, ta[i].end - ta[i].start) !=
                                        b.substr(tb[i].start, tb[i].end - tb[i].start)) {
      return false;
    }
  }
  return true;
}

}  // namespace stairway::sql

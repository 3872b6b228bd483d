// Python tokenizer for Alembic files; see python_tokens.h. Follows Python's lexical rules for
// what matters here (strings, comments, brackets, continuations), not for full validation.
#include "runner/source/alembic/python_tokens.h"

#include <array>
#include <cstdint>

namespace stairway::source::alembic {
namespace {

bool IsNameStart(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || u >= 0x80;
}

bool IsNameChar(char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9');
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

bool IsQuote(char c) {
  return c == '"' || c == '\'';
}

// A string prefix Python accepts (any case): r, u, b, f, br, rb, fr, rf.
bool IsStringPrefix(std::string_view p, bool* raw, bool* formatted) {
  if (p.size() > 2) return false;
  bool r = false, u = false, b = false, f = false;
  for (char c : p) {
    switch (c | 0x20) {
      case 'r':
        if (r) return false;
        r = true;
        break;
      case 'u':
        if (u) return false;
        u = true;
        break;
      case 'b':
        if (b) return false;
        b = true;
        break;
      case 'f':
        if (f) return false;
        f = true;
        break;
      default:
        return false;
    }
  }
  if (u && p.size() > 1) return false;  // "ur" is not Python 3
  if (b && f) return false;
  *raw = r;
  *formatted = f;
  return true;
}

void AppendUtf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads `count` hex digits at body[i]; false when they are not all there.
bool ReadHex(std::string_view body, std::size_t i, int count, std::uint32_t* out) {
  if (i + count > body.size()) return false;
  std::uint32_t v = 0;
  for (int k = 0; k < count; ++k) {
    const int h = HexValue(body[i + k]);
    if (h < 0) return false;
    v = v * 16 + static_cast<std::uint32_t>(h);
  }
  *out = v;
  return true;
}

// The value of a string body: newlines normalized as Python reads source, escapes decoded
// unless raw. Unknown escapes keep their backslash, as Python does.
std::string Decode(std::string_view body, bool raw) {
  std::string out;
  out.reserve(body.size());
  for (std::size_t i = 0; i < body.size(); ++i) {
    const char c = body[i];
    if (c == '\r') {
      out += '\n';
      if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
      continue;
    }
    if (c != '\\' || raw || i + 1 >= body.size()) {
      out += c;
      continue;
    }
    const char e = body[++i];
    std::uint32_t cp = 0;
    switch (e) {
      case '\n':
        break;  // an escaped line end joins the lines
      case '\r':
        if (i + 1 < body.size() && body[i + 1] == '\n') ++i;
        break;
      case '\\':
      case '\'':
      case '"':
        out += e;
        break;
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'a':
        out += '\a';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'v':
        out += '\v';
        break;
      case 'x':
        if (ReadHex(body, i + 1, 2, &cp)) {
          AppendUtf8(out, cp);
          i += 2;
        } else {
          out += "\\x";
        }
        break;
      case 'u':
      case 'U': {
        const int n = e == 'u' ? 4 : 8;
        if (ReadHex(body, i + 1, n, &cp) && cp <= 0x10FFFF) {
          AppendUtf8(out, cp);
          i += n;
        } else {
          out += '\\';
          out += e;
        }
        break;
      }
      default:
        if (e >= '0' && e <= '7') {
          cp = static_cast<std::uint32_t>(e - '0');
          for (int k = 0; k < 2 && i + 1 < body.size() && body[i + 1] >= '0' && body[i + 1] <= '7';
               ++k) {
            cp = cp * 8 + static_cast<std::uint32_t>(body[++i] - '0');
          }
          AppendUtf8(out, cp);
        } else {
          out += '\\';
          out += e;
        }
    }
  }
  return out;
}

constexpr std::array<std::string_view, 25> kLongOps = {
    "...", "**=", "//=", ">>=", "<<=", "->", "==", "!=", "<=", ">=", "+=", "-=", "*=",
    "/=",  "%=",  "&=",  "|=",  "^=",  "@=", ":=", "**", "//", "<<", ">>", "<>"};

class Tokenizer {
 public:
  Tokenizer(std::string_view s, std::vector<Comment>* comments) : s_(s), comments_(comments) {}

  std::vector<LogicalLine> Run() {
    while (pos_ < s_.size()) Step();
    EndLine();
    return std::move(lines_);
  }

 private:
  void Step() {
    const char c = s_[pos_];
    if (c == '\n' || c == '\r') {
      pos_ += (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ? 2 : 1;
      NewPhysicalLine();
      if (depth_ == 0 || StartsDefinition()) EndLine();
    } else if (c == ' ' || c == '\t' || c == '\f') {
      ++pos_;
    } else if (c == '#') {
      const std::size_t begin = pos_;
      while (pos_ < s_.size() && s_[pos_] != '\n' && s_[pos_] != '\r') ++pos_;
      if (comments_ != nullptr) {
        comments_->push_back(
            {s_.substr(begin, pos_ - begin), line_, static_cast<int>(begin - line_start_), begin});
      }
    } else if (c == '\\' && pos_ + 1 < s_.size() &&
               (s_[pos_ + 1] == '\n' || s_[pos_ + 1] == '\r')) {
      ++pos_;
      pos_ += (s_[pos_] == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ? 2 : 1;
      NewPhysicalLine();  // a continuation: same logical line
    } else if (IsQuote(c)) {
      String(pos_, pos_, false, false);
    } else if (IsNameStart(c)) {
      NameOrString();
    } else if (IsDigit(c) || (c == '.' && pos_ + 1 < s_.size() && IsDigit(s_[pos_ + 1]))) {
      Number();
    } else {
      Operator();
    }
  }

  // A line starting with `def ` or `class ` at column 0 cannot be inside brackets: a bracket
  // left open above it is a syntax error there, and the definition is read anyway.
  bool StartsDefinition() const {
    const std::string_view rest = s_.substr(pos_);
    return rest.starts_with("def ") || rest.starts_with("async def ") || rest.starts_with("class ");
  }

  void NewPhysicalLine() {
    ++line_;
    line_start_ = pos_;
  }

  void EndLine() {
    if (!current_.tokens.empty()) lines_.push_back(std::move(current_));
    current_ = LogicalLine();
    depth_ = 0;
  }

  Token Make(TokenKind kind, std::size_t begin) {
    Token t;
    t.kind = kind;
    t.text = s_.substr(begin, pos_ - begin);
    t.line = token_line_;
    t.column = static_cast<int>(begin - token_line_start_);
    return t;
  }

  void Push(Token t) {
    if (current_.tokens.empty()) {
      current_.line = t.line;
      current_.indent = t.column;
    }
    current_.tokens.push_back(std::move(t));
  }

  void StartToken() {
    token_line_ = line_;
    token_line_start_ = line_start_;
  }

  void NameOrString() {
    StartToken();
    const std::size_t begin = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    bool raw = false;
    bool formatted = false;
    if (pos_ < s_.size() && IsQuote(s_[pos_]) &&
        IsStringPrefix(s_.substr(begin, pos_ - begin), &raw, &formatted)) {
      String(begin, pos_, raw, formatted);
      return;
    }
    Push(Make(TokenKind::kName, begin));
  }

  // The string whose prefix starts at `begin` and whose opening quote is at `quote`.
  void String(std::size_t begin, std::size_t quote, bool raw, bool formatted) {
    if (begin == quote) StartToken();
    const char q = s_[quote];
    const bool triple = quote + 2 < s_.size() && s_[quote + 1] == q && s_[quote + 2] == q;
    const std::size_t open = triple ? 3 : 1;
    pos_ = quote + open;
    const std::size_t body_begin = pos_;
    std::size_t body_end = std::string_view::npos;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == '\\' && pos_ + 1 < s_.size()) {
        const char n = s_[pos_ + 1];
        pos_ += 2;
        if (n == '\r' && pos_ < s_.size() && s_[pos_] == '\n') ++pos_;
        if (n == '\n' || n == '\r') NewPhysicalLine();
        continue;
      }
      if (c == '\n' || c == '\r') {
        if (!triple) break;  // unterminated: the line end stays for the caller
        pos_ += (c == '\r' && pos_ + 1 < s_.size() && s_[pos_ + 1] == '\n') ? 2 : 1;
        NewPhysicalLine();
        continue;
      }
      if (c == q && (!triple || (pos_ + 2 < s_.size() && s_[pos_ + 1] == q && s_[pos_ + 2] == q))) {
        body_end = pos_;
        pos_ += open;
        break;
      }
      ++pos_;
    }
    Token t = Make(TokenKind::kString, begin);
    t.unterminated = body_end == std::string_view::npos;
    if (t.unterminated) body_end = pos_;
    t.value = Decode(s_.substr(body_begin, body_end - body_begin), raw);
    t.formatted = formatted;
    Push(std::move(t));
  }

  void Number() {
    StartToken();
    const std::size_t begin = pos_;
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (IsNameChar(c) || c == '.') {
        ++pos_;
      } else if ((c == '+' || c == '-') && (s_[pos_ - 1] == 'e' || s_[pos_ - 1] == 'E') &&
                 !(s_[begin] == '0' && pos_ > begin + 1 && (s_[begin + 1] | 0x20) == 'x')) {
        ++pos_;
      } else {
        break;
      }
    }
    Push(Make(TokenKind::kNumber, begin));
  }

  void Operator() {
    StartToken();
    const std::size_t begin = pos_;
    std::size_t len = 1;
    for (std::string_view op : kLongOps) {
      if (s_.substr(pos_, op.size()) == op) {
        len = op.size();
        break;
      }
    }
    pos_ += len;
    const char c = s_[begin];
    if (len == 1 && (c == '(' || c == '[' || c == '{')) ++depth_;
    if (len == 1 && (c == ')' || c == ']' || c == '}') && depth_ > 0) --depth_;
    Push(Make(TokenKind::kOp, begin));
  }

  std::string_view s_;
  std::vector<Comment>* comments_;
  std::size_t pos_ = 0;
  int line_ = 1;
  std::size_t line_start_ = 0;
  int token_line_ = 1;
  std::size_t token_line_start_ = 0;
  int depth_ = 0;
  LogicalLine current_;
  std::vector<LogicalLine> lines_;
};

}  // namespace

std::vector<LogicalLine> TokenizePython(std::string_view source, std::vector<Comment>* comments) {
  return Tokenizer(source, comments).Run();
}

}  // namespace stairway::source::alembic

// The literal reader of Alembic revision files; see revision_file.h.
#include "runner/source/alembic/revision_file.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "runner/source/alembic/python_tokens.h"
#include "runner/source/source_file.h"

namespace stairway::source::alembic {
namespace {

using Tokens = std::vector<Token>;

// One statement: a logical line, or a part of one between top-level semicolons.
struct Statement {
  Tokens tokens;
  int line = 1;
  int indent = 0;
};

constexpr std::array<std::string_view, 4> kHeaderNames = {"revision", "down_revision",
                                                          "branch_labels", "depends_on"};

bool IsHeaderName(const Token& t) {
  return t.kind == TokenKind::kName &&
         std::find(kHeaderNames.begin(), kHeaderNames.end(), t.text) != kHeaderNames.end();
}

bool IsOpen(const Token& t) {
  return t.Is("(") || t.Is("[") || t.Is("{");
}

bool IsClose(const Token& t) {
  return t.Is(")") || t.Is("]") || t.Is("}");
}

std::vector<Statement> SplitStatements(const std::vector<LogicalLine>& lines) {
  std::vector<Statement> out;
  for (const LogicalLine& line : lines) {
    Statement current{{}, line.line, line.indent};
    int depth = 0;
    for (const Token& t : line.tokens) {
      if (IsOpen(t)) ++depth;
      if (IsClose(t) && depth > 0) --depth;
      if (depth == 0 && t.Is(";")) {
        if (!current.tokens.empty()) out.push_back(std::move(current));
        current = Statement{{}, t.line, line.indent};
        continue;
      }
      if (current.tokens.empty()) current.line = t.line;
      current.tokens.push_back(t);
    }
    if (!current.tokens.empty()) out.push_back(std::move(current));
  }
  return out;
}

// Indexes of the tokens at bracket depth 0 that are exactly `op`.
std::vector<std::size_t> TopLevel(const Tokens& tokens, std::string_view op, std::size_t from = 0,
                                  std::size_t to = std::string_view::npos) {
  std::vector<std::size_t> out;
  int depth = 0;
  to = std::min(to, tokens.size());
  for (std::size_t i = from; i < to; ++i) {
    const Token& t = tokens[i];
    if (IsOpen(t)) ++depth;
    if (IsClose(t) && depth > 0) --depth;
    if (depth == 0 && t.Is(op)) out.push_back(i);
  }
  return out;
}

bool IsAugmentedAssign(const Token& t) {
  return t.kind == TokenKind::kOp && t.text.size() >= 2 && t.text.back() == '=' && t.text != "==" &&
         t.text != "!=" && t.text != "<=" && t.text != ">=";
}

// A literal header value: None, a string, or a tuple/list of strings.
struct Literal {
  bool none = false;
  bool sequence = false;
  std::vector<std::string> strings;
};

class LiteralParser {
 public:
  LiteralParser(const Tokens& tokens, std::size_t begin, std::size_t end)
      : t_(tokens), i_(begin), end_(end) {}

  std::optional<Literal> ParseAll() {
    std::optional<Literal> v = Value();
    if (!v || i_ != end_) return std::nullopt;
    return v;
  }

 private:
  bool At(std::string_view op) const { return i_ < end_ && t_[i_].Is(op); }

  // atom (',' atom)* [','] : a bare tuple when there is a comma.
  std::optional<Literal> Value() {
    std::optional<Literal> first = Atom();
    if (!first || !At(",")) return first;
    Literal tuple;
    tuple.sequence = true;
    if (!AddElement(tuple, *first)) return std::nullopt;
    while (At(",")) {
      ++i_;
      if (i_ == end_ || At(")")) break;  // trailing comma
      std::optional<Literal> next = Atom();
      if (!next || !AddElement(tuple, *next)) return std::nullopt;
    }
    return tuple;
  }

  static bool AddElement(Literal& seq, const Literal& element) {
    if (element.none || element.sequence) return false;
    seq.strings.push_back(element.strings.front());
    return true;
  }

  std::optional<Literal> Atom() {
    if (i_ >= end_) return std::nullopt;
    const Token& t = t_[i_];
    if (t.kind == TokenKind::kString) {
      std::string value;
      while (i_ < end_ && t_[i_].kind == TokenKind::kString) {
        if (t_[i_].formatted || t_[i_].unterminated) return std::nullopt;
        value += t_[i_].value;
        ++i_;
      }
      Literal s;
      s.strings.push_back(std::move(value));
      return s;
    }
    if (t.kind == TokenKind::kName && t.text == "None") {
      ++i_;
      Literal n;
      n.none = true;
      return n;
    }
    if (t.Is("(")) {
      ++i_;
      if (At(")")) {
        ++i_;
        Literal empty;
        empty.sequence = true;
        return empty;
      }
      std::optional<Literal> inner = Value();
      if (!inner || !At(")")) return std::nullopt;
      ++i_;
      return inner;  // ("a") is the string, ("a",) the tuple
    }
    if (t.Is("[")) {
      ++i_;
      Literal list;
      list.sequence = true;
      while (!At("]")) {
        std::optional<Literal> element = Atom();
        if (!element || !AddElement(list, *element)) return std::nullopt;
        if (At(",")) {
          ++i_;
        } else if (!At("]")) {
          return std::nullopt;
        }
      }
      ++i_;
      return list;
    }
    return std::nullopt;
  }

  const Tokens& t_;
  std::size_t i_;
  std::size_t end_;
};

bool IsStringStatement(const Statement& s) {
  return std::all_of(s.tokens.begin(), s.tokens.end(),
                     [](const Token& t) { return t.kind == TokenKind::kString && !t.formatted; });
}

bool IsEmptyStatement(const Statement& s) {
  if (s.tokens.size() == 1 && (s.tokens[0].Is("pass") || s.tokens[0].Is("..."))) return true;
  return IsStringStatement(s);
}

// Applies a module-level header statement to the scan; false when it is not plain literals.
bool ApplyHeaderAssignment(const Statement& s, std::size_t value_begin, RevisionScan& scan) {
  const std::string_view name = s.tokens[0].text;
  std::optional<Literal> value = LiteralParser(s.tokens, value_begin, s.tokens.size()).ParseAll();
  if (!value) return false;
  std::vector<std::string> strings = value->none ? std::vector<std::string>() : value->strings;
  RevisionHeader& h = scan.header;
  if (name == "revision") {
    if (value->none || value->sequence) return false;
    h.revision = strings.front();
    h.revision_line = s.line;
    scan.has_revision = true;
  } else if (name == "down_revision") {
    h.down_revisions = std::move(strings);
    h.down_revision_line = s.line;
    scan.has_down_revision = true;
  } else if (name == "branch_labels") {
    h.branch_labels = std::move(strings);
    h.branch_labels_line = s.line;
  } else {
    h.depends_on = std::move(strings);
    h.depends_on_line = s.line;
  }
  return true;
}

void NoteNotLiteral(const Statement& s, std::string_view name, RevisionScan& scan) {
  if (std::find(scan.not_literal.begin(), scan.not_literal.end(), name) == scan.not_literal.end()) {
    scan.not_literal.emplace_back(name);
  }
  if (scan.not_literal_line == 0) scan.not_literal_line = s.line;
}

// A header name bound by `s` in a form other than `name [: annotation] = literal`: tuple
// unpacking, chained or augmented assignment. Returns that name, or nullopt.
std::optional<std::string_view> HeaderNameBoundOtherwise(const Statement& s) {
  std::size_t last_assign = std::string_view::npos;
  int depth = 0;
  for (std::size_t i = 0; i < s.tokens.size(); ++i) {
    const Token& t = s.tokens[i];
    if (IsOpen(t)) ++depth;
    if (IsClose(t) && depth > 0) --depth;
    if (depth == 0 && (t.Is("=") || IsAugmentedAssign(t))) last_assign = i;
  }
  if (last_assign == std::string_view::npos) return std::nullopt;
  for (std::size_t i = 0; i < last_assign; ++i) {
    if (IsHeaderName(s.tokens[i]) && (i == 0 || !s.tokens[i - 1].Is("."))) {
      return s.tokens[i].text;
    }
  }
  return std::nullopt;
}

void ReadModuleStatement(const Statement& s, RevisionScan& scan) {
  const Tokens& t = s.tokens;
  if (IsHeaderName(t[0]) && t.size() >= 2) {
    const std::vector<std::size_t> assigns = TopLevel(t, "=");
    std::size_t value_begin = 0;
    if (t[1].Is("=") && assigns.size() == 1) {
      value_begin = 2;
    } else if (t[1].Is(":") && assigns.size() == 1) {
      value_begin = assigns[0] + 1;
    } else if (t[1].Is(":") && assigns.empty()) {
      return;  // an annotation alone binds nothing
    }
    if (value_begin != 0) {
      if (!ApplyHeaderAssignment(s, value_begin, scan)) NoteNotLiteral(s, t[0].text, scan);
      return;
    }
  }
  if (std::optional<std::string_view> name = HeaderNameBoundOtherwise(s)) {
    NoteNotLiteral(s, *name, scan);
  }
}

// For `def name(...) [-> ann]:`, the index just past the colon, or nullopt when the statement
// is not such a definition.
std::optional<std::size_t> DefBodyStart(const Tokens& t, std::size_t def_at) {
  if (def_at + 2 >= t.size() || t[def_at + 1].kind != TokenKind::kName) return std::nullopt;
  const std::vector<std::size_t> colons = TopLevel(t, ":", def_at + 2);
  if (colons.empty()) return std::nullopt;
  return colons.front() + 1;
}

struct OpenFunction {
  std::optional<FunctionInfo>* target = nullptr;
  std::vector<Statement> body;
};

void CloseFunction(OpenFunction& f) {
  if (f.target == nullptr) return;
  FunctionInfo& info = **f.target;
  info.empty = std::all_of(f.body.begin(), f.body.end(), IsEmptyStatement);
  for (const Statement& s : f.body) {
    if (IsStringStatement(s)) continue;
    info.raises = s.tokens[0].Is("raise");
    break;
  }
  f = OpenFunction();
}

void ReadDocstring(const Statement& first, RevisionScan& scan) {
  if (first.indent != 0 || !IsStringStatement(first)) return;
  std::string doc;
  for (const Token& t : first.tokens) doc += t.value;
  // Alembic's `doc`: the stripped docstring up to its first blank line.
  const auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  };
  std::size_t b = 0;
  std::size_t e = doc.size();
  while (b < e && is_space(doc[b])) ++b;
  while (e > b && is_space(doc[e - 1])) --e;
  const std::string stripped = doc.substr(b, e - b);
  scan.message = stripped.substr(0, stripped.find("\n\n"));
  std::size_t pos = 0;
  while (pos <= stripped.size()) {
    const std::size_t nl = std::min(stripped.find('\n', pos), stripped.size());
    std::string_view line = detail::TrimBlanks(std::string_view(stripped).substr(pos, nl - pos));
    if (line.starts_with("Create Date:")) {
      scan.create_date = std::string(detail::TrimBlanks(line.substr(12)));
      break;
    }
    pos = nl + 1;
  }
}

}  // namespace

RevisionScan ScanRevisionSource(std::string_view source) {
  RevisionScan scan;
  const std::vector<Statement> statements = SplitStatements(TokenizePython(source));
  if (!statements.empty()) ReadDocstring(statements.front(), scan);
  enum class Scope { kModule, kFunction, kBlock };
  Scope scope = Scope::kModule;
  OpenFunction function;
  for (const Statement& s : statements) {
    const Tokens& t = s.tokens;
    if (s.indent > 0) {
      if (scope == Scope::kFunction) {
        function.body.push_back(s);
      } else if (scope == Scope::kBlock) {
        // `if ...: down_revision = "a"` at module level: only Python knows which branch runs.
        if (std::optional<std::string_view> name = HeaderNameBoundOtherwise(s)) {
          NoteNotLiteral(s, *name, scan);
        }
      }
      continue;
    }
    CloseFunction(function);
    const std::size_t def_at = t[0].Is("async") && t.size() > 1 ? 1 : 0;
    if (t[def_at].Is("def")) {
      scope = Scope::kFunction;
      std::optional<FunctionInfo>* target = nullptr;
      if (t.size() > def_at + 1 && t[def_at + 1].Is("upgrade")) target = &scan.upgrade;
      if (t.size() > def_at + 1 && t[def_at + 1].Is("downgrade")) target = &scan.downgrade;
      const std::optional<std::size_t> body = DefBodyStart(t, def_at);
      if (target != nullptr && body) {
        *target = FunctionInfo{s.line, false, false};
        function.target = target;
        if (*body < t.size()) {
          // `def downgrade(): pass`: the body shares the line.
          Statement inline_body{Tokens(t.begin() + static_cast<std::ptrdiff_t>(*body), t.end()),
                                s.line, s.indent + 1};
          function.body.push_back(std::move(inline_body));
        }
      }
      continue;
    }
    if (t[0].Is("class")) {
      scope = Scope::kFunction;  // a class body binds no module names
      continue;
    }
    if (t[0].Is("@")) continue;  // a decorator: the definition follows
    if (t.back().Is(":") || t[0].Is("if") || t[0].Is("elif") || t[0].Is("else") || t[0].Is("try") ||
        t[0].Is("except") || t[0].Is("finally") || t[0].Is("with") || t[0].Is("for") ||
        t[0].Is("while")) {
      scope = Scope::kBlock;
      if (std::optional<std::string_view> name = HeaderNameBoundOtherwise(s)) {
        NoteNotLiteral(s, *name, scan);
      }
      continue;
    }
    scope = Scope::kModule;
    ReadModuleStatement(s, scan);
  }
  CloseFunction(function);
  return scan;
}

namespace {

// Alembic's fallback for files without `revision`: a name made of lower-case hex digits.
std::optional<std::string> LegacyRevisionFromName(const std::filesystem::path& path) {
  const std::string stem = path.stem().string();
  if (path.extension() != ".py" || stem.empty()) return std::nullopt;
  for (char c : stem) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return stem;
}

std::string JoinNames(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

}  // namespace

Expected<RevisionFile> ReadRevisionFile(const std::filesystem::path& path,
                                        const PythonHeaderReader& python) {
  ASSIGN_OR_RETURN(std::unique_ptr<detail::SourceFile> source, detail::ReadSourceFile(path));
  RevisionFile file;
  file.path = path;
  file.text = std::move(source->text);
  file.scan = ScanRevisionSource(file.text);
  RevisionScan& scan = file.scan;
  if (!scan.not_literal.empty()) {
    if (!python) {
      return detail::InputError(
          path, scan.not_literal_line,
          fmt::format("revision header is not plain literals ({})", JoinNames(scan.not_literal)),
          "write revision, down_revision, branch_labels and depends_on as plain strings, "
          "tuples, lists or None at the top of the file, or let stairway read the file with "
          "the project's Python");
    }
    ASSIGN_OR_RETURN(scan.header, python(path));
    file.read_by_python = true;
    scan.has_revision = !scan.header.revision.empty();
    scan.has_down_revision = true;
  }
  if (!scan.has_revision) {
    std::optional<std::string> legacy = LegacyRevisionFromName(path);
    if (!legacy) {
      return detail::InputError(path, 0,
                                "not an Alembic revision: no module-level \"revision = ...\" "
                                "assignment (Alembic refuses the file too)",
                                "add the revision header, or move the file out of the versions "
                                "directory");
    }
    scan.header.revision = std::move(*legacy);
  }
  if (!scan.has_down_revision) {
    return detail::InputError(
        path, scan.header.revision_line,
        fmt::format("revision {} has no module-level \"down_revision = ...\" assignment",
                    scan.header.revision),
        "add down_revision = None for a first revision, or the id of its parent");
  }
  return file;
}

}  // namespace stairway::source::alembic

// Diagnostics in the one shape every command prints:
//   path:line:col: severity: message [rule-id]
//     <source line>
//     ^
//   help: <safe alternative>
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace stairway {

enum class Severity { kInfo, kWarning, kError };
std::string_view SeverityName(Severity s);

// 1-based line and column; the column counts characters (UTF-8 code points), not bytes.
struct SourcePos {
  int line = 0;
  int column = 0;
};

// Maps byte offsets of a text to line/column. Understands LF and CRLF line ends.
class LineIndex {
 public:
  explicit LineIndex(std::string_view text);
  SourcePos PosOf(std::size_t byte_offset) const;
  // The text of a 1-based line, without its line end.
  std::string_view Line(int line) const;
  int line_count() const { return static_cast<int>(starts_.size()); }
  // Byte offset where a 1-based line starts.
  std::size_t LineStart(int line) const { return starts_.at(line - 1); }

 private:
  std::string_view text_;
  std::vector<std::size_t> starts_;
};

struct Diagnostic {
  Severity severity = Severity::kError;
  std::string path;  // as the user gave it; may be empty (stdin, no file)
  SourcePos pos;     // line 0 means "whole file"
  std::string message;
  std::string rule;         // empty for non-lint diagnostics
  std::string source_line;  // the offending line, for the caret display; may be empty
  std::string help;         // the safe alternative / what to do; may be empty
};

// Renders the diagnostic in the canonical multi-line form (no colour).
std::string Render(const Diagnostic& d);
// The first line only: "path:line:col: severity: message [rule]".
std::string RenderHeadline(const Diagnostic& d);

// Makes a diagnostic pointing at byte `offset` of `text` (which lives in `path`), adding
// `line_offset` to the line number (for sections that start inside a bigger file).
Diagnostic DiagnosticAt(Severity severity, std::string path, std::string_view text,
                        std::size_t offset, std::string message, int line_offset = 0);

}  // namespace stairway

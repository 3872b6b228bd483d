// Line/column mapping and the canonical rendering of diagnostics.
#include "runner/common/diagnostic.h"

#include <algorithm>

namespace stairway {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kWarning:
      return "warning";
    case Severity::kError:
      return "error";
  }
  return "error";
}

LineIndex::LineIndex(std::string_view text) : text_(text) {
  starts_.push_back(0);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts_.push_back(i + 1);
  }
}

SourcePos LineIndex::PosOf(std::size_t byte_offset) const {
  byte_offset = std::min(byte_offset, text_.size());
  auto it = std::upper_bound(starts_.begin(), starts_.end(), byte_offset);
  const int line = static_cast<int>(it - starts_.begin());
  const std::size_t start = starts_[line - 1];
  int column = 1;
  for (std::size_t i = start; i < byte_offset; ++i) {
    // Count code points: skip UTF-8 continuation bytes.
    if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;
  }
  return {line, column};
}

std::string_view LineIndex::Line(int line) const {
  if (line < 1 || line > line_count()) return {};
  const std::size_t start = starts_[line - 1];
  std::size_t end = line < line_count() ? starts_[line] : text_.size();
  if (end > start && text_[end - 1] == '\n') --end;
  if (end > start && text_[end - 1] == '\r') --end;
  return text_.substr(start, end - start);
}

// A message of several lines (a roundtrip finding with the diff of two function bodies) keeps
// [rule] on its first line; its other lines follow, indented by two spaces.
std::string RenderHeadline(const Diagnostic& d) {
  std::string out;
  if (!d.path.empty()) {
    out += d.path;
    if (d.pos.line > 0) {
      out += ':' + std::to_string(d.pos.line);
      if (d.pos.column > 0) out += ':' + std::to_string(d.pos.column);
    }
    out += ": ";
  }
  out += SeverityName(d.severity);
  out += ": ";
  const std::size_t first_end = std::min(d.message.find('\n'), d.message.size());
  out.append(d.message, 0, first_end);
  if (!d.rule.empty()) out += " [" + d.rule + "]";
  for (std::size_t pos = first_end; pos < d.message.size();) {
    const std::size_t end = std::min(d.message.find('\n', pos + 1), d.message.size());
    out += "\n  ";
    out.append(d.message, pos + 1, end - pos - 1);
    pos = end;
  }
  return out;
}

std::string Render(const Diagnostic& d) {
  std::string out = RenderHeadline(d);
  out += '\n';
  if (!d.source_line.empty()) {
    out += "  " + d.source_line + '\n';
    if (d.pos.column > 0) {
      // Tabs in the source line are kept so the caret lines up in a terminal.
      std::string pad;
      int col = 1;
      for (std::size_t i = 0; i < d.source_line.size() && col < d.pos.column; ++i) {
        const unsigned char c = d.source_line[i];
        if ((c & 0xC0) == 0x80) continue;
        pad += c == '\t' ? '\t' : ' ';
        ++col;
      }
      out += "  " + pad + "^\n";
    }
  }
  if (!d.help.empty()) out += "  help: " + d.help + '\n';
  return out;
}

Diagnostic DiagnosticAt(Severity severity, std::string path, std::string_view text,
                        std::size_t offset, std::string message, int line_offset) {
  LineIndex index(text);
  Diagnostic d;
  d.severity = severity;
  d.path = std::move(path);
  d.pos = index.PosOf(offset);
  d.source_line = std::string(index.Line(d.pos.line));
  d.pos.line += line_offset;
  d.message = std::move(message);
  return d;
}

}  // namespace stairway

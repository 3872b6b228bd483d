// Reading migration files: errno-accurate read errors, UTF-8 validation, line splitting.
#include "runner/source/source_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <fmt/format.h>

#include "runner/common/file.h"
#include "runner/common/text.h"
#include "runner/sql/script.h"

namespace stairway::source::detail {
namespace {

// Offset of the first byte that does not start a valid UTF-8 sequence, or npos.
std::size_t FirstInvalidUtf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t len = Utf8SequenceLength(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}

void SplitLines(SourceFile& file) {
  const std::string_view text = file.text;
  std::size_t pos = 0;
  int number = 1;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    const std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    std::string_view line =
        text.substr(pos, (nl == std::string_view::npos ? text.size() : nl) - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    file.lines.push_back({number++, pos, end, line});
    pos = end;
  }
}

}  // namespace

std::string SourceFile::Slice(int first, int last_exclusive) const {
  if (first < 1 || first > static_cast<int>(lines.size())) return {};
  const std::size_t begin = lines[first - 1].offset;
  const std::size_t end = last_exclusive <= static_cast<int>(lines.size())
                              ? lines[last_exclusive - 1].offset
                              : text.size();
  return text.substr(begin, end - begin);
}

Expected<std::unique_ptr<SourceFile>> ReadSourceFile(const std::filesystem::path& path) {
  auto file = std::make_unique<SourceFile>();
  file->path = path;
  // Regular files only, within the size limit; a link may not lead out of the directory.
  ASSIGN_OR_RETURN(file->text, ReadInputFile(path, path.parent_path()));
  // Editors hide a byte order mark, so columns are counted without it.
  if (file->text.starts_with("\xEF\xBB\xBF")) file->text.erase(0, 3);
  SplitLines(*file);
  const std::size_t bad = FirstInvalidUtf8(file->text);
  if (bad != std::string_view::npos) {
    for (const SourceLine& line : file->lines) {
      if (bad < line.end) {
        return InputError(
            path, line.number,
            fmt::format("invalid UTF-8 (byte 0x{:02X} at byte column {})",
                        static_cast<unsigned char>(file->text[bad]), bad - line.offset + 1),
            "save the file as UTF-8");
      }
    }
  }
  return file;
}

Error InputError(const std::filesystem::path& path, int line, std::string_view what,
                 std::string_view todo) {
  std::string message = path.string();
  if (line > 0) message += ":" + std::to_string(line);
  message += ": ";
  message += what;
  message += "; ";
  message += todo;
  return Error::Input(std::move(message));
}

bool IsBlankSql(std::string_view sql) {
  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (sql.substr(i, 2) == "--") {
      const std::size_t nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? sql.size() : nl + 1;
    } else if (sql.substr(i, 2) == "/*") {
      // PostgreSQL block comments nest.
      int depth = 0;
      while (i < sql.size()) {
        if (sql.substr(i, 2) == "/*") {
          ++depth;
          i += 2;
        } else if (sql.substr(i, 2) == "*/") {
          i += 2;
          if (--depth == 0) break;
        } else {
          ++i;
        }
      }
    } else {
      return false;
    }
  }
  return true;
}

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string_view> MarkerBody(std::string_view line, std::string_view prefix) {
  if (!line.starts_with("--")) return std::nullopt;
  std::string_view rest = line.substr(2);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  if (!rest.starts_with(prefix)) return std::nullopt;
  rest.remove_prefix(prefix.size());
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

bool IsLintSuppression(std::string_view body) {
  for (const std::string_view word : {"ignore", "ignore-file"}) {
    if (body.starts_with(word)) {
      const std::string_view rest = body.substr(word.size());
      if (rest.empty() || rest.front() == ' ' || rest.front() == '\t') return true;
    }
  }
  return false;
}

Expected<bool> IsNoTransactionMarker(const SourceFile& file, const SourceLine& line) {
  const std::optional<std::string_view> body = MarkerBody(line.text, "stairway:");
  if (!body) return false;
  if (*body == "no-transaction") return true;
  if (*body == "irreversible") return false;      // read by HasIrreversibleMarker
  if (DataChangeReason(line.text)) return false;  // read by ReadDataChangeMarker
  // Lint's comments share the prefix; at column 1 they are still comments, not markers.
  if (IsLintSuppression(*body)) return false;
  return InputError(file.path, line.number,
                    fmt::format("unknown marker \"{}\"", TrimBlanks(line.text)),
                    "the stairway markers are \"-- stairway:no-transaction\", "
                    "\"-- stairway:irreversible\" and \"-- stairway:data-change REASON\" (lint "
                    "suppressions are \"-- stairway:ignore "
                    "RULE REASON\" and \"-- stairway:ignore-file RULE\")");
}

bool HasIrreversibleMarker(const SourceFile& file) {
  for (const SourceLine& line : file.lines) {
    const std::optional<std::string_view> body = MarkerBody(line.text, "stairway:");
    if (body && *body == "irreversible") return true;
  }
  return false;
}

std::optional<std::string_view> DataChangeReason(std::string_view comment) {
  if (comment.starts_with("--")) {
    comment.remove_prefix(2);
  } else if (comment.starts_with("#")) {
    comment.remove_prefix(1);
  } else if (comment.starts_with("/*") && comment.ends_with("*/") && comment.size() >= 4) {
    comment = comment.substr(2, comment.size() - 4);
  } else {
    return std::nullopt;
  }
  comment = TrimBlanks(comment);
  constexpr std::string_view kWord = "stairway:data-change";
  if (!comment.starts_with(kWord)) return std::nullopt;
  const std::string_view rest = comment.substr(kWord.size());
  // "stairway:data-changes" is another word (an unknown marker at column 1).
  if (!rest.empty() && rest.front() != ' ' && rest.front() != '\t' && rest.front() != '\r' &&
      rest.front() != '\n') {
    return std::nullopt;
  }
  // The reason is the rest of its line (a block comment may go on below it).
  std::string_view reason = rest.substr(0, rest.find('\n'));
  if (reason.ends_with('\r')) reason.remove_suffix(1);
  return TrimBlanks(reason);
}

Expected<std::optional<std::string>> ReadDataChangeMarker(const SourceFile& file) {
  // Most files have none: the scanner only runs on those that mention it.
  if (file.text.find("stairway:data-change") == std::string::npos)
    return std::optional<std::string>();
  const sql::ScriptScan scan = sql::ScanScript(file.text);
  for (const sql::Comment& comment : scan.comments) {
    const std::optional<std::string_view> reason = DataChangeReason(comment.text);
    if (!reason) continue;
    if (reason->empty()) {
      int line = 0;
      for (const SourceLine& l : file.lines) {
        if (comment.offset >= l.offset && comment.offset < l.end) line = l.number;
      }
      return InputError(file.path, line, "\"-- stairway:data-change\" without a reason",
                        "say why the data changes on purpose, e.g. \"-- stairway:data-change "
                        "backfill upper-case names\"");
    }
    return std::optional<std::string>(std::string(*reason));
  }
  return std::optional<std::string>();
}

}  // namespace stairway::source::detail

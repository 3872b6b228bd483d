// Internal to runner/source: a migration file read into memory (UTF-8 checked, split into
// lines for the marker scans) and the one-line input errors every reader produces.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::source::detail {

struct SourceLine {
  int number = 0;          // 1-based
  std::size_t offset = 0;  // byte offset of the line in SourceFile::text
  std::size_t end = 0;     // byte offset just past the line end ('\n'), or text size
  std::string_view text;   // the line without its "\n" / "\r\n"
};

struct SourceFile {
  std::filesystem::path path;     // as shown in messages: the directory as given / file name
  std::string text;               // file contents; a leading UTF-8 byte order mark is dropped
  std::vector<SourceLine> lines;  // views into `text`, hence neither copied nor moved
  SourceFile() = default;
  SourceFile(const SourceFile&) = delete;
  SourceFile& operator=(const SourceFile&) = delete;

  // The text from the start of line `first` (1-based) up to the start of line `last_exclusive`
  // (or the end of the file when it is past the last line).
  std::string Slice(int first, int last_exclusive) const;
};

// Reads and checks a file. Errors: unreadable ("<path>: cannot read file (<reason>); ...") and
// invalid UTF-8 ("<path>:<line>: invalid UTF-8 (byte 0xE9 at byte column 12); ...").
Expected<std::unique_ptr<SourceFile>> ReadSourceFile(const std::filesystem::path& path);

// Builds the one-line input error "<path>:<line>: <what>; <todo>" (":<line>" left out when
// line is 0).
Error InputError(const std::filesystem::path& path, int line, std::string_view what,
                 std::string_view todo);

// True when `sql` holds only whitespace and comments (-- line comments, nested /* */ blocks):
// a section that would run nothing. Not a SQL parser: it only decides emptiness, which must
// work even for SQL that would not parse.
bool IsBlankSql(std::string_view sql);

// Comment-line markers. A marker starts at column 1 with "--", optional blanks, then a prefix
// such as "migrate:", "+goose" or "stairway:". Returns the text after the prefix (trailing
// blanks removed) when `line` has that shape, else nullopt.
std::optional<std::string_view> MarkerBody(std::string_view line, std::string_view prefix);

// True when a "-- stairway:" marker body (the text after the prefix) is a lint suppression,
// "ignore ..." or "ignore-file ...": a comment for `stairway lint`, never a section marker.
bool IsLintSuppression(std::string_view body);

// The `-- stairway:` markers every format accepts. Returns true when `line` is
// "-- stairway:no-transaction"; an error for another "-- stairway:" word (lint suppressions
// excepted); false otherwise.
// "-- stairway:irreversible" and "-- stairway:data-change ..." are accepted too (false here; see
// HasIrreversibleMarker and ReadDataChangeMarker).
Expected<bool> IsNoTransactionMarker(const SourceFile& file, const SourceLine& line);

// True when a line of `file` is "-- stairway:irreversible": the revision is meant to be one-way.
bool HasIrreversibleMarker(const SourceFile& file);

// When `comment` (a whole comment: "-- ...", "/* ... */" or Python's "# ...") is a data-change
// marker, "stairway:data-change" and then the reason: the reason, trimmed (empty when none is
// written). nullopt for any other comment.
std::optional<std::string_view> DataChangeReason(std::string_view comment);

// The reason of the first "-- stairway:data-change <reason>" comment in `file`: at column 1,
// indented or after a statement. Comments are found by the SQL scanner, so text inside string
// literals and dollar quotes is never read as a marker. nullopt when there is none; an input
// error naming the line when the marker has no reason.
Expected<std::optional<std::string>> ReadDataChangeMarker(const SourceFile& file);

// Trims spaces and tabs on both ends.
std::string_view TrimBlanks(std::string_view s);

}  // namespace stairway::source::detail

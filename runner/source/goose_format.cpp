// The goose format: <version>_<name>.sql with "-- +goose Up" / "-- +goose Down" sections,
// StatementBegin/End blocks (kept in the SQL: they are comments, and the applier splits with
// PostgreSQL's own scanner) and "-- +goose NO TRANSACTION" for the whole file.
#include <cctype>
#include <optional>

#include <fmt/format.h>
#include "runner/source/readers.h"

namespace stairway::source::detail {
namespace {

enum class GooseMarker { kUp, kDown, kStatementBegin, kStatementEnd, kNoTransaction };

// goose compares annotations case-insensitively; blanks between words are collapsed here too.
std::string Canonical(std::string_view body) {
  std::string out;
  bool blank = false;
  for (char c : TrimBlanks(body)) {
    if (c == ' ' || c == '\t') {
      blank = true;
      continue;
    }
    if (blank) out += ' ';
    blank = false;
    out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

Expected<GooseMarker> ReadMarker(const SourceFile& file, const SourceLine& line,
                                 std::string_view body) {
  const std::string word = Canonical(body);
  const std::string_view marker = TrimBlanks(line.text);
  // "-- +gooseUp" is not goose's syntax: the annotation needs a blank after "+goose".
  const bool separated = body.empty() || body.front() == ' ' || body.front() == '\t';
  if (separated) {
    if (word == "UP") return GooseMarker::kUp;
    if (word == "DOWN") return GooseMarker::kDown;
    if (word == "STATEMENTBEGIN") return GooseMarker::kStatementBegin;
    if (word == "STATEMENTEND") return GooseMarker::kStatementEnd;
    if (word == "NO TRANSACTION") return GooseMarker::kNoTransaction;
    if (word == "ENVSUB ON" || word == "ENVSUB OFF") {
      return InputError(file.path, line.number,
                        fmt::format("\"{}\" is not supported by stairway", marker),
                        "write the values into the SQL and remove the ENVSUB markers");
    }
  }
  return InputError(file.path, line.number, fmt::format("unknown marker \"{}\"", marker),
                    "use \"-- +goose Up\", \"-- +goose Down\", \"-- +goose StatementBegin\", "
                    "\"-- +goose StatementEnd\" or \"-- +goose NO TRANSACTION\"");
}

struct Scan {
  std::optional<int> up_line;
  std::optional<int> down_line;
  bool no_transaction = false;
  std::optional<int> open_block;  // line of an unclosed StatementBegin
};

Status CloseCheck(const SourceFile& file, const Scan& scan) {
  if (!scan.open_block) return Status::Ok();
  return InputError(file.path, *scan.open_block,
                    "\"-- +goose StatementBegin\" has no matching StatementEnd",
                    "add \"-- +goose StatementEnd\" after the statement");
}

Status Apply(const SourceFile& file, const SourceLine& line, GooseMarker marker, Scan& scan) {
  switch (marker) {
    case GooseMarker::kUp:
    case GooseMarker::kDown: {
      TRY_STATUS(CloseCheck(file, scan));
      std::optional<int>& slot = marker == GooseMarker::kUp ? scan.up_line : scan.down_line;
      const char* word = marker == GooseMarker::kUp ? "Up" : "Down";
      if (slot) {
        return InputError(
            file.path, line.number,
            fmt::format("second \"-- +goose {}\" marker (the first is on line {})", word, *slot),
            "keep one Up and one Down section per file");
      }
      slot = line.number;
      return Status::Ok();
    }
    case GooseMarker::kStatementBegin:
      if (!scan.up_line && !scan.down_line) {
        return InputError(file.path, line.number,
                          "\"-- +goose StatementBegin\" outside an Up or Down section",
                          "move it below \"-- +goose Up\" or \"-- +goose Down\"");
      }
      if (scan.open_block) {
        return InputError(file.path, line.number,
                          fmt::format("\"-- +goose StatementBegin\" inside the block opened on "
                                      "line {}",
                                      *scan.open_block),
                          "close that block with \"-- +goose StatementEnd\" first");
      }
      scan.open_block = line.number;
      return Status::Ok();
    case GooseMarker::kStatementEnd:
      if (!scan.open_block) {
        return InputError(file.path, line.number,
                          "\"-- +goose StatementEnd\" without a StatementBegin",
                          "add \"-- +goose StatementBegin\" before the statement or remove "
                          "this line");
      }
      scan.open_block.reset();
      return Status::Ok();
    case GooseMarker::kNoTransaction:
      scan.no_transaction = true;
      return Status::Ok();
  }
  return Status::Ok();
}

Section MakeSection(const SourceFile& file, int marker_line, int end_line, bool no_tx) {
  Section section;
  section.path = file.path;
  section.first_line = marker_line + 1;
  section.sql = file.Slice(marker_line + 1, end_line);
  section.tx_mode = no_tx ? TxMode::kNone : TxMode::kTransaction;
  return section;
}

}  // namespace

Expected<Revision> ParseGooseFile(const SourceFile& file, const MigrationFile& name) {
  Scan scan;
  for (const SourceLine& line : file.lines) {
    if (const auto body = MarkerBody(line.text, "+goose")) {
      ASSIGN_OR_RETURN(const GooseMarker marker, ReadMarker(file, line, *body));
      TRY_STATUS(Apply(file, line, marker, scan));
      continue;
    }
    // goose's own NO TRANSACTION is per file, so stairway's marker is too.
    ASSIGN_OR_RETURN(const bool no_tx, IsNoTransactionMarker(file, line));
    scan.no_transaction = scan.no_transaction || no_tx;
  }
  TRY_STATUS(CloseCheck(file, scan));
  if (!scan.up_line) {
    return InputError(file.path, 0, "no \"-- +goose Up\" marker",
                      "add a line \"-- +goose Up\" above the SQL that applies the migration");
  }
  const int up = *scan.up_line;
  const int first_marker = scan.down_line ? std::min(up, *scan.down_line) : up;
  if (const int stray = FirstNonBlankLine(file, 1, first_marker)) {
    return InputError(file.path, stray, "SQL before the first \"-- +goose\" section marker",
                      "move it below \"-- +goose Up\"");
  }
  const int end_of_file = static_cast<int>(file.lines.size()) + 1;
  const int up_end = scan.down_line && *scan.down_line > up ? *scan.down_line : end_of_file;
  const int down_end = scan.down_line && *scan.down_line < up ? up : end_of_file;

  Revision revision;
  revision.version = name.version;
  revision.name = name.name;
  revision.irreversible_marker = HasIrreversibleMarker(file);
  ASSIGN_OR_RETURN(revision.data_change, ReadDataChangeMarker(file));
  revision.up = MakeSection(file, up, up_end, scan.no_transaction);
  if (IsBlankSql(revision.up.sql)) {
    return InputError(file.path, up, "up section is empty (only whitespace or comments)",
                      "put the migration's SQL below \"-- +goose Up\"");
  }
  if (scan.down_line) {
    // An empty Down section is a down that does nothing (goose runs it): round-tripped like any
    // other. Only a file without "-- +goose Down" is irreversible.
    revision.down = MakeSection(file, *scan.down_line, down_end, scan.no_transaction);
  }
  return revision;
}

}  // namespace stairway::source::detail

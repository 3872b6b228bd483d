// The stairway / dbmate format: one <version>_<name>.sql file per revision with
// "-- migrate:up" and "-- migrate:down" sections ("transaction:false" after a marker makes that
// section non-transactional).
#include <optional>

#include <fmt/format.h>
#include "runner/source/readers.h"

namespace stairway::source::detail {
namespace {

struct SectionMarker {
  int line = 0;
  TxMode tx_mode = TxMode::kTransaction;
};

// Reads "-- migrate:<word> [option...]" at `line` into `up` or `down`.
Status ReadMarker(const SourceFile& file, const SourceLine& line, std::string_view body,
                  std::optional<SectionMarker>& up, std::optional<SectionMarker>& down) {
  const std::string_view marker = TrimBlanks(line.text);
  const std::size_t word_end = body.find_first_of(" \t");
  const std::string_view word = body.substr(0, word_end);
  std::optional<SectionMarker>* slot = nullptr;
  if (word == "up") {
    slot = &up;
  } else if (word == "down") {
    slot = &down;
  } else {
    return InputError(file.path, line.number, fmt::format("unknown marker \"{}\"", marker),
                      "use \"-- migrate:up\" or \"-- migrate:down\"");
  }
  if (slot->has_value()) {
    return InputError(file.path, line.number,
                      fmt::format("second \"-- migrate:{}\" marker (the first is on line {})", word,
                                  (*slot)->line),
                      "keep one up and one down section per file");
  }
  SectionMarker found{line.number, TxMode::kTransaction};
  std::string_view options = word_end == std::string_view::npos ? "" : body.substr(word_end);
  while (!(options = TrimBlanks(options)).empty()) {
    const std::size_t end = options.find_first_of(" \t");
    const std::string_view option = options.substr(0, end);
    if (option == "transaction:false") {
      found.tx_mode = TxMode::kNone;
    } else if (option == "transaction:true") {
      found.tx_mode = TxMode::kTransaction;
    } else {
      return InputError(file.path, line.number,
                        fmt::format("unknown option \"{}\" in \"{}\"", option, marker),
                        "the only option is transaction:false (or transaction:true)");
    }
    options = end == std::string_view::npos ? "" : options.substr(end);
  }
  *slot = found;
  return Status::Ok();
}

Section MakeSection(const SourceFile& file, const SectionMarker& marker, int end_line,
                    const std::vector<int>& no_tx_lines, bool whole_file_no_tx) {
  Section section;
  section.path = file.path;
  section.first_line = marker.line + 1;
  section.sql = file.Slice(marker.line + 1, end_line);
  section.tx_mode = marker.tx_mode;
  for (int line : no_tx_lines) {
    if (whole_file_no_tx || (line > marker.line && line < end_line)) {
      section.tx_mode = TxMode::kNone;
    }
  }
  return section;
}

}  // namespace

Expected<Revision> ParseStairwayFile(const SourceFile& file, const MigrationFile& name) {
  std::optional<SectionMarker> up;
  std::optional<SectionMarker> down;
  std::vector<int> no_tx_lines;
  for (const SourceLine& line : file.lines) {
    if (const auto body = MarkerBody(line.text, "migrate:")) {
      TRY_STATUS(ReadMarker(file, line, *body, up, down));
      continue;
    }
    ASSIGN_OR_RETURN(const bool no_tx, IsNoTransactionMarker(file, line));
    if (no_tx) no_tx_lines.push_back(line.number);
  }
  if (!up) {
    return InputError(file.path, 0, "no \"-- migrate:up\" marker",
                      "add a line \"-- migrate:up\" above the SQL that applies the migration");
  }
  const int first_marker = down ? std::min(up->line, down->line) : up->line;
  if (const int stray = FirstNonBlankLine(file, 1, first_marker)) {
    return InputError(file.path, stray, "SQL before the first \"-- migrate:\" marker",
                      "move it below \"-- migrate:up\"");
  }
  // A no-transaction marker above both sections applies to the whole file.
  const bool whole_file_no_tx = !no_tx_lines.empty() && no_tx_lines.front() < first_marker;
  const int end_of_file = static_cast<int>(file.lines.size()) + 1;
  const int up_end = down && down->line > up->line ? down->line : end_of_file;
  const int down_end = down && down->line < up->line ? up->line : end_of_file;

  Revision revision;
  revision.version = name.version;
  revision.name = name.name;
  revision.irreversible_marker = HasIrreversibleMarker(file);
  ASSIGN_OR_RETURN(revision.data_change, ReadDataChangeMarker(file));
  revision.up = MakeSection(file, *up, up_end, no_tx_lines, whole_file_no_tx);
  if (IsBlankSql(revision.up.sql)) {
    return InputError(file.path, up->line, "up section is empty (only whitespace or comments)",
                      "put the migration's SQL below \"-- migrate:up\"");
  }
  if (down) {
    // An empty "-- migrate:down" section (dbmate's template leaves one in every new file) is a
    // down that does nothing, which dbmate runs: round-tripped like any other, so a leftover
    // shows. Only a file without the marker is irreversible.
    revision.down = MakeSection(file, *down, down_end, no_tx_lines, whole_file_no_tx);
  }
  return revision;
}

}  // namespace stairway::source::detail

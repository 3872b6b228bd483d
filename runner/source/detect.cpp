// Format detection: which pattern a file name matches, and which single-file format (stairway
// or goose) a file's markers say it is.
#include <algorithm>

#include <fmt/format.h>
#include "runner/source/readers.h"

namespace stairway::source::detail {
namespace {

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

// Splits "<digits>_<rest>" into version and rest.
bool SplitNumericVersion(std::string_view stem, std::string* version, std::string* name) {
  std::size_t i = 0;
  while (i < stem.size() && IsDigit(stem[i])) ++i;
  if (i == 0 || i >= stem.size() || stem[i] != '_') return false;
  *version = std::string(stem.substr(0, i));
  *name = std::string(stem.substr(i + 1));
  return true;
}

// Flyway versions: digit groups separated by single '.' or '_' ("1", "1.1", "2_1"); returned
// with dots.
std::optional<std::string> FlywayVersion(std::string_view text) {
  std::string out;
  bool need_digit = true;
  for (char c : text) {
    if (IsDigit(c)) {
      out += c;
      need_digit = false;
    } else if ((c == '.' || c == '_') && !need_digit) {
      out += '.';
      need_digit = true;
    } else {
      return std::nullopt;
    }
  }
  if (need_digit) return std::nullopt;
  return out;
}

}  // namespace

std::optional<MigrationFile> MatchSingleFileName(std::string_view file_name) {
  if (!file_name.ends_with(".sql")) return std::nullopt;
  const std::string_view stem = file_name.substr(0, file_name.size() - 4);
  // "<v>_<n>.up.sql" is golang-migrate's, even when a single-file format is forced.
  if (stem.ends_with(".up") || stem.ends_with(".down")) return std::nullopt;
  MigrationFile m;
  if (!SplitNumericVersion(stem, &m.version, &m.name)) return std::nullopt;
  m.file_name = std::string(file_name);
  m.kind = NameKind::kSingleFile;
  return m;
}

std::optional<MigrationFile> MatchGolangMigrateName(std::string_view file_name) {
  MigrationFile m;
  std::string_view stem;
  if (file_name.ends_with(".up.sql")) {
    stem = file_name.substr(0, file_name.size() - 7);
    m.kind = NameKind::kGolangUp;
  } else if (file_name.ends_with(".down.sql")) {
    stem = file_name.substr(0, file_name.size() - 9);
    m.kind = NameKind::kGolangDown;
  } else {
    return std::nullopt;
  }
  // "0157.up.sql": a version with no name part, as some golang-migrate histories have.
  const bool digits_only =
      !stem.empty() && std::all_of(stem.begin(), stem.end(), [](char c) { return IsDigit(c); });
  if (digits_only) {
    m.version = std::string(stem);
  } else if (!SplitNumericVersion(stem, &m.version, &m.name)) {
    return std::nullopt;
  }
  m.file_name = std::string(file_name);
  return m;
}

std::optional<MigrationFile> MatchFlywayName(std::string_view file_name) {
  if (!file_name.ends_with(".sql") || file_name.size() < 2) return std::nullopt;
  const std::string_view stem = file_name.substr(0, file_name.size() - 4);
  MigrationFile m;
  m.file_name = std::string(file_name);
  if (stem.starts_with("R__")) {
    m.kind = NameKind::kFlywayRepeatable;
    m.name = std::string(stem.substr(3));
    m.version = "R__" + m.name;
    return m;
  }
  if (stem.front() == 'V') {
    m.kind = NameKind::kFlywayVersioned;
  } else if (stem.front() == 'U') {
    m.kind = NameKind::kFlywayUndo;
  } else {
    return std::nullopt;
  }
  const std::size_t sep = stem.find("__", 1);
  if (sep == std::string_view::npos) return std::nullopt;
  std::optional<std::string> version = FlywayVersion(stem.substr(1, sep - 1));
  if (!version) return std::nullopt;
  m.version = std::move(*version);
  m.name = std::string(stem.substr(sep + 2));
  return m;
}

std::optional<MigrationFile> MatchAnyName(std::string_view file_name, Format* family) {
  if (auto m = MatchGolangMigrateName(file_name)) {
    *family = Format::kGolangMigrate;
    return m;
  }
  if (auto m = MatchFlywayName(file_name)) {
    *family = Format::kFlyway;
    return m;
  }
  if (auto m = MatchSingleFileName(file_name)) {
    *family = Format::kStairway;
    return m;
  }
  return std::nullopt;
}

std::string_view NamePattern(Format format) {
  switch (format) {
    case Format::kStairway:
    case Format::kGoose:
      return "<version>_<name>.sql";
    case Format::kGolangMigrate:
      return "<version>_<name>.up.sql / .down.sql (or <version>.up.sql / .down.sql)";
    case Format::kFlyway:
      return "V<version>__<desc>.sql, U<version>__<desc>.sql or R__<desc>.sql";
    case Format::kAlembic:
      return "alembic.ini with versions/*.py";
    case Format::kSqitch:
      return "sqitch.plan with deploy/, revert/ and verify/";
    case Format::kAuto:
      break;
  }
  return "0001_name.sql, 0001_name.up.sql or V1__name.sql";
}

Expected<Format> DetectSingleFileFormat(const SourceFile& file) {
  bool stairway = false;
  bool goose = false;
  for (const SourceLine& line : file.lines) {
    stairway = stairway || MarkerBody(line.text, "migrate:").has_value();
    goose = goose || MarkerBody(line.text, "+goose").has_value();
  }
  if (stairway && goose) {
    return InputError(file.path, 0, "file has both \"-- migrate:\" and \"-- +goose\" markers",
                      "use one marker style per file, or pass --format");
  }
  return goose ? Format::kGoose : Format::kStairway;
}

Status CheckUniqueVersions(const std::vector<const MigrationFile*>& files) {
  std::vector<const MigrationFile*> sorted = files;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const MigrationFile* a, const MigrationFile* b) {
                     return CompareVersions(a->version, b->version) < 0;
                   });
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    if (CompareVersions(sorted[i - 1]->version, sorted[i]->version) == 0) {
      return InputError(sorted[i]->path, 0,
                        fmt::format("version {} is also used by {}", sorted[i]->version,
                                    sorted[i - 1]->path.string()),
                        "give each migration a unique version");
    }
  }
  return Status::Ok();
}

}  // namespace stairway::source::detail

namespace stairway::source {

bool IsMigrationFileName(std::string_view file_name) {
  Format family = Format::kAuto;
  return detail::MatchAnyName(file_name, &family).has_value();
}

}  // namespace stairway::source

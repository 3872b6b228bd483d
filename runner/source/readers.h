// Internal to runner/source: file-name patterns per format and the per-format readers that
// LoadMigrationSet (load.cpp) dispatches to. One .cpp per format.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/migration.h"
#include "runner/source/source_file.h"

namespace stairway::source::detail {

enum class NameKind {
  kSingleFile,        // <version>_<name>.sql (stairway/dbmate or goose)
  kGolangUp,          // <version>_<name>.up.sql
  kGolangDown,        // <version>_<name>.down.sql
  kFlywayVersioned,   // V<version>__<desc>.sql
  kFlywayUndo,        // U<version>__<desc>.sql
  kFlywayRepeatable,  // R__<desc>.sql
};

// A migration file whose name matched a format's pattern.
struct MigrationFile {
  std::string file_name;       // "0001_create_users.sql"
  std::filesystem::path path;  // directory as the user gave it / file_name
  NameKind kind = NameKind::kSingleFile;
  std::string version;  // Flyway "2_1" becomes "2.1"; repeatables get "R__<desc>"
  std::string name;     // description part of the name
};

// File-name patterns (detect.cpp). Each returns nullopt when the name does not match.
std::optional<MigrationFile> MatchSingleFileName(std::string_view file_name);
std::optional<MigrationFile> MatchGolangMigrateName(std::string_view file_name);
std::optional<MigrationFile> MatchFlywayName(std::string_view file_name);
// The format family a name belongs to under auto-detection (kStairway stands for both
// single-file formats; the file's markers decide between stairway and goose).
std::optional<MigrationFile> MatchAnyName(std::string_view file_name, Format* family);
// The pattern shown when a file does not match a forced format.
std::string_view NamePattern(Format format);

// Which single-file format a file's markers say it is: kStairway, kGoose, or an error when it
// has both marker styles. A file without markers counts as stairway.
Expected<Format> DetectSingleFileFormat(const SourceFile& file);

// Refuses two files whose versions compare equal, naming both ("<later>: version ... is also
// used by <earlier>; ..."). `files` in file-name order.
Status CheckUniqueVersions(const std::vector<const MigrationFile*>& files);

// The line of the first non-blank (not whitespace or comment) text in lines
// [first, last_exclusive) of `file`, or 0 when there is none.
int FirstNonBlankLine(const SourceFile& file, int first, int last_exclusive);

// The whole file as one section (golang-migrate, Flyway), with "-- stairway:no-transaction"
// anywhere making it non-transactional. Without the marker the file's statements decide, as
// both tools do: one that cannot run in a transaction (sql::CannotRunInTransaction) makes the
// file run without one (Section::tx_reason says so).
Expected<Section> WholeFileSection(const SourceFile& file);

// Per-format readers (stairway_format.cpp, goose_format.cpp).
Expected<Revision> ParseStairwayFile(const SourceFile& file, const MigrationFile& name);
Expected<Revision> ParseGooseFile(const SourceFile& file, const MigrationFile& name);
// golang_migrate_format.cpp, flyway_format.cpp: pair the files and read them.
Expected<std::vector<Revision>> ReadGolangMigrate(const std::vector<MigrationFile>& files);
Expected<std::vector<Revision>> ReadFlyway(const std::vector<MigrationFile>& files);
// sqitch_format.cpp: a directory with sqitch.conf or sqitch.plan, read in plan order.
bool IsSqitchProject(const std::filesystem::path& dir);
Expected<std::vector<Revision>> ReadSqitch(const std::filesystem::path& dir);

}  // namespace stairway::source::detail

// Migration sets as read from a directory: revisions with up/down SQL sections, their
// transaction mode, checksum and parents (a revision graph; linear formats have one parent).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::source {

enum class Format { kAuto, kStairway, kGolangMigrate, kFlyway, kGoose };
std::string_view FormatName(Format f);  // "stairway", "golang-migrate", "flyway", "goose"
std::optional<Format> ParseFormat(std::string_view name);  // accepts "dbmate" as kStairway, "auto"

enum class TxMode { kTransaction, kNone };

// One up or down section of a revision.
struct Section {
  std::string sql;             // the section's text exactly as in the file (markers excluded)
  std::filesystem::path path;  // file the section comes from
  int first_line = 1;          // 1-based line in `path` where `sql` starts (sql starts at column 1)
  TxMode tx_mode = TxMode::kTransaction;
};

struct Revision {
  std::string version;  // from the file name ("0004", "20240101120000"; Flyway "2_1" -> "2.1")
  std::string name;     // description part of the file name ("add_roles")
  std::vector<std::string> parents;  // versions of parent revisions; empty for the first
  Section up;
  std::optional<Section> down;  // absent: irreversible
  bool repeatable = false;      // Flyway R__ migrations
  // `-- stairway:irreversible` in the revision's file(s): its author says it is meant to be
  // one-way. Roundtrip reports it as intentionally irreversible, not as a failure, and does
  // not run its down (if any).
  bool irreversible_marker = false;
  std::string checksum;  // MigrationChecksum(up.sql)

  // "0004_add_roles": what messages call the revision.
  std::string Label() const { return name.empty() ? version : version + "_" + name; }
};

struct MigrationSet {
  std::filesystem::path dir;
  Format format = Format::kStairway;
  std::vector<Revision> revisions;  // in apply order (parents before children)

  // Looks a version up: the exact string first, else the one revision whose version compares
  // equal (CompareVersions), so "4" finds "0004". nullptr when there is none.
  const Revision* Find(std::string_view version) const;
  // Index in `revisions`, or -1.
  int IndexOf(std::string_view version) const;
  // Versions no other revision names as a parent, in apply order (one for linear formats;
  // empty for an empty set).
  std::vector<std::string> Heads() const;
};

// Reads a migration directory. Every bad input is an Error of kind kInput whose message is one
// line "path:line: what is wrong; what to do" (see docs/formats.md). Never touches a database.
Expected<MigrationSet> LoadMigrationSet(const std::filesystem::path& dir,
                                        Format format = Format::kAuto);

// Compares versions numerically where both are numbers ("2" < "10"), dotted parts piecewise.
// Returns <0, 0 or >0. Rules (docs/formats.md "Ordering"): versions split at '.'; parts made
// of digits compare as numbers of any length (leading zeros ignored, so "0004" == "4"); a
// numeric part sorts before a non-numeric one; other parts compare bytewise; missing trailing
// parts count as 0 ("1" == "1.0", as in Flyway). So 1 < 1.1 < 1.2 < 1.10 < 2 < 10.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace stairway::source

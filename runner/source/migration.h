// Migration sets as read from a directory: revisions with up/down SQL sections, their
// transaction mode, checksum and parents (a revision graph; linear formats have one parent).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/alembic/revision_file.h"

namespace stairway::source {

enum class Format { kAuto, kStairway, kGolangMigrate, kFlyway, kGoose, kAlembic };
// "stairway", "golang-migrate", "flyway", "goose", "alembic"
std::string_view FormatName(Format f);
std::optional<Format> ParseFormat(std::string_view name);  // accepts "dbmate" as kStairway, "auto"

enum class TxMode { kTransaction, kNone };

// One up or down section of a revision.
struct Section {
  std::string sql;             // the section's text exactly as in the file (markers excluded)
  std::filesystem::path path;  // file the section comes from
  int first_line = 1;          // 1-based line in `path` where `sql` starts (sql starts at column 1)
  TxMode tx_mode = TxMode::kTransaction;
};

// What an Alembic revision file says besides its parents (runner/source/alembic/). The
// revision's up and down are its Python functions: Section::sql stays empty and
// Section::path/first_line point at `def upgrade()` / `def downgrade()`.
struct AlembicRevision {
  std::vector<std::string> depends_on;     // revision ids (labels resolved at load)
  std::vector<std::string> branch_labels;  // as written
  std::string message;                     // first docstring line ("add users table")
  std::string create_date;                 // the docstring's "Create Date:", as written
  bool upgrade_empty = false;              // body is only `pass`, a docstring or comments (merges)
  bool downgrade_empty = false;            // likewise; an empty down is reversible (does nothing)
  // The header was not plain literals: it was read by running the file in Python.
  bool read_by_python = false;
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
  std::string checksum;  // MigrationChecksum(up.sql); Alembic: of the whole .py file
  std::optional<AlembicRevision> alembic;  // set for Alembic revisions only

  // "0004_add_roles": what messages call the revision.
  std::string Label() const { return name.empty() ? version : version + "_" + name; }
};

// Where an Alembic project keeps things (alembic.ini, pyproject.toml [tool.alembic], or a bare
// script directory), all paths absolute and `%(here)s` expanded.
struct AlembicProject {
  std::filesystem::path config_file;  // alembic.ini or pyproject.toml; empty: bare script dir
  std::filesystem::path project_dir;  // the config file's directory (or the script dir's parent)
  std::filesystem::path script_location;                 // holds env.py (and script.py.mako)
  std::vector<std::filesystem::path> version_locations;  // default: script_location/versions
  bool recursive_version_locations = false;  // recursive_version_locations = true (1.10+)
  std::vector<std::filesystem::path> prepend_sys_path;  // put on sys.path before imports
  // sqlalchemy.url from the config; unset when absent or the template placeholder
  // (driver://user:pass@localhost/dbname).
  std::optional<std::string> sqlalchemy_url;
  // From env.py's context.configure(...) when given as plain literals.
  std::string version_table = "alembic_version";
  std::string version_table_schema;  // empty: the connection's default (search_path)
  // Python named by stairway.toml/alembic.ini is not read here; see runner/source/alembic/.
};

struct MigrationSet {
  std::filesystem::path dir;
  Format format = Format::kStairway;
  std::optional<AlembicProject> alembic;  // set when format == kAlembic
  std::vector<Revision> revisions;        // in apply order (parents before children)

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
// An Alembic project is recognized before the SQL formats (runner/source/alembic/project.h:
// alembic.ini, pyproject.toml [tool.alembic], or a script directory); `python` reads revision
// headers that are not plain literals (without it such a file is an error).
Expected<MigrationSet> LoadMigrationSet(const std::filesystem::path& dir,
                                        Format format = Format::kAuto);
Expected<MigrationSet> LoadMigrationSet(const std::filesystem::path& dir, Format format,
                                        const alembic::PythonHeaderReader& python);

// Whether a file name has the shape of a migration file under auto-detection
// ("0004_add_roles.sql", "V2__add_index.sql", "3_posts.up.sql"): lint reads such a file given
// alone as a revision of its directory's set, and reports that set's load error for it.
bool IsMigrationFileName(std::string_view file_name);

// Compares versions numerically where both are numbers ("2" < "10"), dotted parts piecewise.
// Returns <0, 0 or >0. Rules (docs/formats.md "Ordering"): versions split at '.'; parts made
// of digits compare as numbers of any length (leading zeros ignored, so "0004" == "4"); a
// numeric part sorts before a non-numeric one; other parts compare bytewise; missing trailing
// parts count as 0 ("1" == "1.0", as in Flyway). So 1 < 1.1 < 1.2 < 1.10 < 2 < 10.
int CompareVersions(std::string_view a, std::string_view b);

}  // namespace stairway::source

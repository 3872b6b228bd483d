// Migration sets as read from a directory: revisions with up/down SQL sections, their
// transaction mode, checksum and parents (a revision graph; linear formats have one parent).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/common/expected.h"
#include "runner/source/alembic/revision_file.h"

namespace stairway::source {

enum class Format { kAuto, kStairway, kGolangMigrate, kFlyway, kGoose, kAlembic, kSqitch };
// "stairway", "golang-migrate", "flyway", "goose", "alembic", "sqitch"
std::string_view FormatName(Format f);
std::optional<Format> ParseFormat(std::string_view name);  // accepts "dbmate" as kStairway, "auto"

enum class TxMode { kTransaction, kNone };

// One up or down section of a revision.
struct Section {
  std::string sql;             // the section's text exactly as in the file (markers excluded)
  std::filesystem::path path;  // file the section comes from
  int first_line = 1;          // 1-based line in `path` where `sql` starts (sql starts at column 1)
  TxMode tx_mode = TxMode::kTransaction;
  // Lines of `sql` that come from other files: psql's \i / \ir in a sqitch script inline the
  // file they name. From line `line` of `sql` on (1-based, until the next entry), the text is
  // `origin` from its line `origin_line`. Empty: every line is `path`'s, from `first_line`.
  struct Origin {
    int line = 1;
    std::filesystem::path origin;
    int origin_line = 1;
  };
  std::vector<Origin> origins;

  // The file and 1-based line that holds `line` (counted in `path` as diagnostics count it:
  // first_line is the section's first line).
  std::pair<std::filesystem::path, int> Locate(int line) const;
  // Why tx_mode is kNone without a marker: golang-migrate and Flyway files run outside a
  // transaction by themselves when a statement cannot run in one (CREATE INDEX CONCURRENTLY,
  // ...), as those tools run them; Flyway's executeInTransaction=false in V<v>__<desc>.sql.conf
  // says so too. Empty otherwise (default or a marker).
  std::string tx_reason;
};

// `d`, made by DiagnosticAt on section.sql, moved to the file and line that hold its line when
// the section inlines other files (Section::origins); unchanged otherwise.
Diagnostic Relocated(const Section& section, Diagnostic d);

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
  // Absent: irreversible. Present but blank (only comments): a down that does nothing, which
  // the tools run; roundtrip checks it like any other.
  std::optional<Section> down;
  bool repeatable = false;  // Flyway R__ migrations
  // `-- stairway:irreversible` in the revision's file(s): its author says it is meant to be
  // one-way. Roundtrip reports it as intentionally irreversible, not as a failure, and does
  // not run its down (if any).
  bool irreversible_marker = false;
  // `-- stairway:data-change <reason>` in the revision's file(s) (Alembic: a `#
  // stairway:data-change <reason>` comment): the revision changes data on purpose (a backfill). The
  // data fixtures check reports the changes it sees in this revision's steps as notes, not as data
  // loss.
  std::optional<std::string> data_change;
  std::string checksum;  // MigrationChecksum(up.sql); Alembic: of the whole .py file
  std::optional<AlembicRevision> alembic;  // set for Alembic revisions only
  // sqitch: the change's verify script. Roundtrip runs it after up, in a transaction it rolls
  // back; the runner does not run it.
  std::optional<Section> verify;

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

// A migration of the set's tool that stairway cannot run: goose's Go migrations
// (<version>_<name>.go) and Flyway's Java/Kotlin migrations (V<version>__<desc>.java, .kt, or a
// compiled .class beside the SQL). Kept on the set, in version order, so every command names it
// instead of leaving it out in silence: the revisions after it ran without it.
struct UnrunnableMigration {
  std::string version;
  std::string name;
  std::filesystem::path path;
  std::string kind;  // "a Go migration", "a Java migration"
  std::string Label() const { return name.empty() ? version : version + "_" + name; }
  // "00099_add_x is a Go migration (dir/00099_add_x.go): not run"
  std::string Describe() const;
};

struct MigrationSet {
  std::filesystem::path dir;
  Format format = Format::kStairway;
  std::optional<AlembicProject> alembic;        // set when format == kAlembic
  std::vector<Revision> revisions;              // in apply order (parents before children)
  std::vector<UnrunnableMigration> unrunnable;  // in version order

  // Looks a version up: the exact string first, else the one revision whose version compares
  // equal (CompareVersions), so "4" finds "0004". nullptr when there is none.
  const Revision* Find(std::string_view version) const;
  // Index in `revisions`, or -1.
  int IndexOf(std::string_view version) const;
  // Versions no other revision names as a parent, in apply order (one for linear formats;
  // empty for an empty set).
  std::vector<std::string> Heads() const;
  // The unrunnable migrations whose version comes before `version` (a failure of that revision
  // may come from one of them not having run).
  std::vector<const UnrunnableMigration*> UnrunnableBefore(std::string_view version) const;
};

// True for an Alembic project (Python revisions run through the helper).
inline bool IsAlembic(const MigrationSet& set) {
  return set.format == Format::kAlembic;
}

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

// Finding and reading an Alembic project without Python: alembic.ini (or pyproject.toml's
// [tool.alembic], or a bare script directory), the version locations, and env.py's
// version_table settings when they are plain literals.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/migration.h"

namespace stairway::source::alembic {

// An INI file read as Python's configparser (BasicInterpolation) reads it: keys lower-cased,
// `key = value` or `key: value`, indented continuation lines, whole-line `#`/`;` comments (no
// inline comments), DEFAULT values visible in every section.
class IniFile {
 public:
  struct Entry {
    std::string raw;  // before interpolation; continuation lines joined with '\n'
    int line = 0;     // line of the key
  };

  // `defaults` are extra DEFAULT values (Alembic passes `here`). Errors: unreadable file, a
  // line outside any section, a line that is no section, key or comment.
  static Expected<IniFile> Read(const std::filesystem::path& path,
                                const std::map<std::string, std::string>& defaults = {});
  static Expected<IniFile> Parse(std::string_view text, const std::filesystem::path& path,
                                 const std::map<std::string, std::string>& defaults = {});

  bool HasSection(const std::string& section) const { return sections_.contains(section); }
  // The interpolated value (`%(name)s` from the section or DEFAULT, `%%` is `%`), nullopt when
  // absent. Errors name the file and the key's line.
  Expected<std::optional<std::string>> Get(const std::string& section,
                                           const std::string& key) const;
  // The line of `key` in `section` (or DEFAULT), 0 when absent.
  int LineOf(const std::string& section, const std::string& key) const;
  const std::filesystem::path& path() const { return path_; }

 private:
  const Entry* Find(const std::string& section, const std::string& key) const;
  Expected<std::string> Interpolate(const std::string& section, const Entry& entry,
                                    int depth) const;

  std::filesystem::path path_;
  std::map<std::string, std::map<std::string, Entry>> sections_;  // "DEFAULT" included
};

// Splits version_locations as Alembic does: by `separator` ("os" and ":" split on ':', ";",
// "space", "newline"), or, when the ini names no separator (nullopt), on spaces and commas.
// Empty parts are dropped. An unknown separator is an error the caller reports.
std::optional<std::vector<std::string>> SplitVersionLocations(
    const std::string& value, const std::optional<std::string>& separator);
// prepend_sys_path: Alembic splits it on spaces, commas and colons.
std::vector<std::string> SplitSysPath(const std::string& value);

// Reads the [alembic] section of an alembic.ini.
Expected<AlembicProject> ReadAlembicIni(const std::filesystem::path& ini);
// Reads [tool.alembic] of a pyproject.toml; nullopt when the file has no such table.
Expected<std::optional<AlembicProject>> ReadPyprojectAlembic(const std::filesystem::path& toml);
// A script directory given directly (env.py and versions/): an alembic.ini in its parent whose
// script_location is this directory is used; otherwise the defaults.
Expected<AlembicProject> ReadScriptDirectory(const std::filesystem::path& dir);

// What is in `dir`: alembic.ini, else pyproject.toml with [tool.alembic], else a script
// directory (env.py and versions/). nullopt: not an Alembic project. Errors come from a
// project that is there but broken (no [alembic] section, a missing script_location).
Expected<std::optional<AlembicProject>> DetectAlembicProject(const std::filesystem::path& dir);

// env.py's `configure(..., version_table="x", version_table_schema="y")` keyword arguments
// when they are plain string literals; fills `project` (defaults stay otherwise).
void ReadEnvPyVersionTable(AlembicProject& project);

// `p` made absolute and lexically normal, without a trailing separator (as given when the
// current directory cannot be read).
std::filesystem::path AbsoluteNormal(const std::filesystem::path& p);

}  // namespace stairway::source::alembic

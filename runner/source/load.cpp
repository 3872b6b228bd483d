// LoadMigrationSet: lists a directory, detects (or checks) the format, dispatches to the
// format's reader, orders the revisions and links them. Bad input stops at the first error.
#include <algorithm>
#include <cctype>
#include <system_error>

#include <fmt/format.h>
#include "runner/common/checksum.h"
#include "runner/common/text.h"
#include "runner/source/alembic/migration_set.h"
#include "runner/source/alembic/project.h"
#include "runner/source/graph.h"
#include "runner/source/migration.h"
#include "runner/source/readers.h"

namespace stairway::source {

std::string_view FormatName(Format f) {
  switch (f) {
    case Format::kAuto:
      return "auto";
    case Format::kStairway:
      return "stairway";
    case Format::kGolangMigrate:
      return "golang-migrate";
    case Format::kFlyway:
      return "flyway";
    case Format::kGoose:
      return "goose";
    case Format::kAlembic:
      return "alembic";
    case Format::kSqitch:
      return "sqitch";
  }
  return "auto";
}

std::optional<Format> ParseFormat(std::string_view name) {
  if (name == "auto") return Format::kAuto;
  if (name == "stairway" || name == "dbmate") return Format::kStairway;
  if (name == "golang-migrate") return Format::kGolangMigrate;
  if (name == "flyway") return Format::kFlyway;
  if (name == "goose") return Format::kGoose;
  if (name == "alembic") return Format::kAlembic;
  if (name == "sqitch") return Format::kSqitch;
  return std::nullopt;
}

const Revision* MigrationSet::Find(std::string_view version) const {
  const int i = IndexOf(version);
  return i < 0 ? nullptr : &revisions[i];
}

int MigrationSet::IndexOf(std::string_view version) const {
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    if (revisions[i].version == version) return static_cast<int>(i);
  }
  // Versions that compare equal are refused when loading, so this match is unique.
  for (std::size_t i = 0; i < revisions.size(); ++i) {
    if (CompareVersions(revisions[i].version, version) == 0) return static_cast<int>(i);
  }
  return -1;
}

std::vector<std::string> MigrationSet::Heads() const {
  return source::Heads(revisions);
}

std::string UnrunnableMigration::Describe() const {
  return fmt::format("{} is {} ({}): not run", Label(), kind, path.string());
}

std::vector<const UnrunnableMigration*> MigrationSet::UnrunnableBefore(
    std::string_view version) const {
  std::vector<const UnrunnableMigration*> out;
  for (const UnrunnableMigration& m : unrunnable) {
    if (CompareVersions(m.version, version) < 0) out.push_back(&m);
  }
  return out;
}

namespace {

using detail::InputError;
using detail::MigrationFile;

bool EndsWithSqlAnyCase(std::string_view name) {
  if (name.size() < 4) return false;
  std::string ext(name.substr(name.size() - 4));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext == ".sql";
}

// The *.sql entries of `dir`, sorted by name. Hidden files and other extensions (README.md,
// .gitkeep, expected_error.txt) are not migrations and are skipped.
Expected<std::vector<std::string>> ListCandidates(const std::filesystem::path& dir) {
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(status)) {
    return InputError(dir, 0, "migration directory not found",
                      "check the path or create the directory");
  }
  if (!std::filesystem::is_directory(status)) {
    return InputError(dir, 0, "not a directory",
                      "pass the directory that holds the migration files");
  }
  std::vector<std::string> names;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.starts_with('.') || !EndsWithSqlAnyCase(name)) continue;
    // A newline or a terminal escape in a name would reach messages, reports and the --sql
    // script (where a line after "--" runs): refused, shown escaped.
    if (HasControlChars(name)) {
      return InputError(dir, 0,
                        fmt::format("migration file name \"{}\" has control characters "
                                    "(newline, tab, terminal escape) or invalid UTF-8",
                                    EscapeControlChars(name)),
                        "rename the file to printable characters");
    }
    names.push_back(std::move(name));
  }
  if (ec) {
    return InputError(dir, 0, fmt::format("cannot list directory ({})", ec.message()),
                      "check that it is readable");
  }
  std::sort(names.begin(), names.end());
  if (names.empty()) {
    return InputError(dir, 0, "no migration files found (no *.sql files)",
                      "add a migration such as 0001_create_users.sql, or check the path");
  }
  return names;
}

std::optional<MigrationFile> MatchForced(Format format, std::string_view name) {
  switch (format) {
    case Format::kStairway:
    case Format::kGoose:
      return detail::MatchSingleFileName(name);
    case Format::kGolangMigrate:
      return detail::MatchGolangMigrateName(name);
    case Format::kFlyway:
      return detail::MatchFlywayName(name);
    case Format::kAuto:
    case Format::kAlembic:  // LoadMigrationSet reads Alembic and sqitch projects before names
    case Format::kSqitch:   // matter
      break;
  }
  return std::nullopt;
}

std::string FamilyName(Format family) {
  return family == Format::kStairway ? "stairway or goose" : std::string(FormatName(family));
}

// Names shown in one error about many files: the first few, then how many more.
constexpr std::size_t kNamedFiles = 3;

std::string FirstNames(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size() && i < kNamedFiles; ++i) {
    out += (i == 0 ? "" : ", ") + names[i];
  }
  if (names.size() > kNamedFiles) out += fmt::format(" and {} more", names.size() - kNamedFiles);
  return out;
}

// One error for a directory whose files are of more than one format: each format with how many
// files it has and the first of them, most files first, and which files to move. `markers`:
// the formats differ by their markers only (stairway and goose share a name pattern).
Error MixedFormats(const std::filesystem::path& dir,
                   const std::vector<std::pair<std::string, std::vector<std::string>>>& groups,
                   bool markers) {
  std::vector<std::pair<std::string, std::vector<std::string>>> sorted = groups;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  std::string what = "mixed migration formats:";
  for (std::size_t i = 0; i < sorted.size(); ++i) {
    const std::size_t n = sorted[i].second.size();
    what +=
        fmt::format("{} {} {} file{} ({})", i == 0 ? "" : (i + 1 == sorted.size() ? " and" : ","),
                    n, sorted[i].first, n == 1 ? "" : "s", FirstNames(sorted[i].second));
  }
  std::string others;
  std::size_t moved = 0;
  for (std::size_t i = 1; i < sorted.size(); ++i) {
    others += (i == 1 ? "" : i + 1 == sorted.size() ? " and " : ", ") + sorted[i].first;
    moved += sorted[i].second.size();
  }
  const std::string move = fmt::format("move the {} file{} to a directory of {} own", others,
                                       moved == 1 ? "" : "s", moved == 1 ? "its" : "their");
  if (markers) {
    return InputError(dir, 0, what,
                      "use one marker style in every file (\"-- migrate:up\" or \"-- +goose "
                      "Up\"), or " +
                          move);
  }
  return InputError(dir, 0, what,
                    "keep one format per directory (one directory per migration tool): " + move);
}

// Matches every name against the forced format, or detects the format family; `family`
// receives kStairway for both single-file formats. Names that match nothing are one error
// naming the first of them; so are files of more than one format.
Expected<std::vector<MigrationFile>> MatchNames(const std::filesystem::path& dir,
                                                const std::vector<std::string>& names,
                                                Format format, Format* family) {
  std::vector<MigrationFile> files;
  std::vector<std::string> unmatched;
  std::vector<std::pair<Format, std::vector<std::string>>> by_family;  // first seen first
  for (const std::string& name : names) {
    std::optional<MigrationFile> m;
    Format f = format;
    m = format == Format::kAuto ? detail::MatchAnyName(name, &f) : MatchForced(format, name);
    if (!m) {
      unmatched.push_back(name);
      continue;
    }
    m->path = dir / name;
    auto group = std::find_if(by_family.begin(), by_family.end(),
                              [&](const auto& g) { return g.first == f; });
    if (group == by_family.end()) group = by_family.insert(by_family.end(), {f, {}});
    group->second.push_back(name);
    files.push_back(std::move(*m));
  }
  if (!unmatched.empty()) {
    const std::filesystem::path where = unmatched.size() == 1 ? dir / unmatched[0] : dir;
    const std::string what =
        unmatched.size() == 1
            ? std::string("file name")
            : fmt::format("{} file names ({})", unmatched.size(), FirstNames(unmatched));
    if (format == Format::kAuto) {
      return InputError(where, 0,
                        fmt::format("{} {} no migration format", what,
                                    unmatched.size() == 1 ? "matches" : "match"),
                        fmt::format("name {0} like 0001_name.sql, 0001_name.up.sql, 0001.up.sql "
                                    "or V1__name.sql, or move {0} out of the directory",
                                    unmatched.size() == 1 ? "it" : "them"));
    }
    return InputError(
        where, 0,
        fmt::format("{} {} not match the {} pattern {}", what,
                    unmatched.size() == 1 ? "does" : "do", FormatName(format),
                    detail::NamePattern(format)),
        fmt::format("rename {}, or pass another --format", unmatched.size() == 1 ? "it" : "them"));
  }
  if (by_family.size() > 1) {
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (auto& [f, group] : by_family) groups.emplace_back(FamilyName(f), std::move(group));
    return MixedFormats(dir, groups, /*markers=*/false);
  }
  *family = by_family.front().first;
  return files;
}

// stairway/dbmate and goose share a file-name pattern; each file's markers tell them apart
// unless a format is forced.
Expected<std::vector<Revision>> ReadSingleFileSet(const std::filesystem::path& dir,
                                                  const std::vector<MigrationFile>& files,
                                                  Format forced, Format* detected) {
  std::vector<const MigrationFile*> pointers;
  pointers.reserve(files.size());
  for (const MigrationFile& f : files) pointers.push_back(&f);
  TRY_STATUS(detail::CheckUniqueVersions(pointers));
  std::vector<std::unique_ptr<detail::SourceFile>> sources;
  std::vector<Format> formats;
  for (const MigrationFile& f : files) {
    ASSIGN_OR_RETURN(std::unique_ptr<detail::SourceFile> source, detail::ReadSourceFile(f.path));
    Format format = forced;
    if (format == Format::kAuto) {
      ASSIGN_OR_RETURN(format, detail::DetectSingleFileFormat(*source));
    }
    formats.push_back(format);
    sources.push_back(std::move(source));
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string name(FormatName(formats[i]));
    auto group =
        std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == name; });
    if (group == groups.end()) group = groups.insert(groups.end(), {name, {}});
    group->second.push_back(files[i].file_name);
  }
  if (groups.size() > 1) return MixedFormats(dir, groups, /*markers=*/true);
  *detected = formats[0];
  std::vector<Revision> revisions;
  for (std::size_t i = 0; i < files.size(); ++i) {
    if (formats[i] == Format::kGoose) {
      ASSIGN_OR_RETURN(Revision r, detail::ParseGooseFile(*sources[i], files[i]));
      revisions.push_back(std::move(r));
    } else {
      ASSIGN_OR_RETURN(Revision r, detail::ParseStairwayFile(*sources[i], files[i]));
      revisions.push_back(std::move(r));
    }
  }
  return revisions;
}

// sqitch's plan gives the order, and the scripts need no name matching.
Expected<MigrationSet> LoadSqitchSet(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return InputError(dir, 0, "migration directory not found",
                      "check the path or create the directory");
  }
  MigrationSet set;
  set.dir = dir;
  set.format = Format::kSqitch;
  ASSIGN_OR_RETURN(set.revisions, detail::ReadSqitch(dir));
  LinkLinear(set.revisions);
  for (Revision& r : set.revisions) r.checksum = MigrationChecksum(r.up.sql);
  return set;
}

// Migrations of the set's tool written in code (goose .go, Flyway .java/.kt/.class), which
// stairway cannot run: named on the set so that commands show them. Names that match no
// migration pattern (main.go, helpers) are not migrations and stay out.
std::vector<UnrunnableMigration> ListCodeMigrations(const std::filesystem::path& dir,
                                                    Format format) {
  std::vector<UnrunnableMigration> out;
  if (format != Format::kGoose && format != Format::kFlyway) return out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  for (; !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.') || HasControlChars(name)) continue;
    const std::size_t dot = name.rfind('.');
    if (dot == std::string::npos) continue;
    const std::string_view ext = std::string_view(name).substr(dot);
    // The readers' name patterns, asked with the extension they know.
    const std::string as_sql = name.substr(0, dot) + ".sql";
    std::optional<MigrationFile> m;
    std::string kind;
    if (format == Format::kGoose && ext == ".go" && !name.ends_with("_test.go")) {
      m = detail::MatchSingleFileName(as_sql);
      kind = "a Go migration";
    } else if (format == Format::kFlyway && (ext == ".java" || ext == ".kt" || ext == ".class")) {
      m = detail::MatchFlywayName(as_sql);
      kind = ext == ".kt" ? "a Kotlin migration" : "a Java migration";
      if (m && m->kind == detail::NameKind::kFlywayUndo) kind += " (undo)";
    }
    if (!m) continue;
    out.push_back({m->version, m->name, dir / name, kind});
  }
  std::sort(out.begin(), out.end(), [](const UnrunnableMigration& a, const UnrunnableMigration& b) {
    const int c = CompareVersions(a.version, b.version);
    return c != 0 ? c < 0 : a.path < b.path;
  });
  return out;
}

}  // namespace

Expected<MigrationSet> LoadMigrationSet(const std::filesystem::path& dir, Format format) {
  return LoadMigrationSet(dir, format, nullptr);
}

Expected<MigrationSet> LoadMigrationSet(const std::filesystem::path& dir, Format format,
                                        const alembic::PythonHeaderReader& python) {
  if (format == Format::kAuto || format == Format::kAlembic) {
    ASSIGN_OR_RETURN(const std::optional<AlembicProject> project,
                     alembic::DetectAlembicProject(dir));
    if (project) return alembic::LoadAlembicSet(*project, dir, python);
    if (format == Format::kAlembic) {
      std::error_code ec;
      if (!std::filesystem::is_directory(dir, ec)) {
        return InputError(dir, 0, "migration directory not found",
                          "check the path or create the directory");
      }
      return InputError(dir, 0,
                        "not an Alembic project (no alembic.ini, no pyproject.toml with "
                        "[tool.alembic], no env.py beside a versions/ directory)",
                        "pass the directory that holds alembic.ini, or another --format");
    }
  }
  if (format == Format::kSqitch || (format == Format::kAuto && detail::IsSqitchProject(dir))) {
    return LoadSqitchSet(dir);
  }
  ASSIGN_OR_RETURN(const std::vector<std::string> names, ListCandidates(dir));
  Format family = format;
  ASSIGN_OR_RETURN(const std::vector<MigrationFile> files, MatchNames(dir, names, format, &family));

  MigrationSet set;
  set.dir = dir;
  set.format = family;
  switch (family) {
    case Format::kGolangMigrate: {
      ASSIGN_OR_RETURN(set.revisions, detail::ReadGolangMigrate(files));
      break;
    }
    case Format::kFlyway: {
      ASSIGN_OR_RETURN(set.revisions, detail::ReadFlyway(files));
      break;
    }
    default: {
      ASSIGN_OR_RETURN(set.revisions, ReadSingleFileSet(dir, files, format, &set.format));
      break;
    }
  }
  // Versioned revisions by version; Flyway's repeatables after them, by description.
  std::stable_sort(set.revisions.begin(), set.revisions.end(),
                   [](const Revision& a, const Revision& b) {
                     if (a.repeatable != b.repeatable) return b.repeatable;
                     return CompareVersions(a.version, b.version) < 0;
                   });
  LinkLinear(set.revisions);
  for (Revision& r : set.revisions) r.checksum = MigrationChecksum(r.up.sql);
  set.unrunnable = ListCodeMigrations(dir, set.format);
  return set;
}

}  // namespace stairway::source

// `stairway new NAME`: writes the next migration of a SQL migration directory in the format and
// numbering the directory already uses (reads files only; never overwrites one).
#include <fcntl.h>
#include <unistd.h>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cli/alembic_support.h"
#include "cli/new_revision.h"
#include "cli/runner_support.h"
#include "runner/common/error.h"
#include "runner/source/alembic/project.h"
#include "runner/source/migration.h"

namespace stairway::cli {
namespace {

namespace fs = std::filesystem;
using source::Format;

struct NewFlags {
  std::string name;
  std::string dir = "migrations";
  std::string format = "auto";
};

// One file to write: its name in the directory and its text.
struct NewFile {
  std::string file_name;
  std::string text;
};

[[noreturn]] void Refuse(std::string message) {
  throw StopError(Error::Input(std::move(message)));
}

[[noreturn]] void RefuseAlembic(const std::string& where) {
  Refuse(fmt::format(
      "{} is an Alembic project: its revisions are Python files; create one with `stairway "
      "revision -m \"MESSAGE\"` (stairway new writes SQL migrations only)",
      where));
}

// Whether `dir` holds a file stairway would read as a migration (a *.sql name, not hidden).
bool HasSqlFiles(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('.') || name.size() < 4) continue;
    std::string ext = name.substr(name.size() - 4);
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext == ".sql") return true;
  }
  return false;
}

// Flyway undo files (U<version>__<desc>.sql) in `dir`, empty ones included: only a directory
// that already has them gets one with the new migration (Flyway Community has no undo).
bool HasFlywayUndoFiles(const fs::path& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with('U') && name.find("__") != std::string::npos && name.ends_with(".sql")) {
      return true;
    }
  }
  return false;
}

// The version as its file name writes it: Flyway's "2_1" stays "2_1" (Revision::version says
// "2.1"), so the next one keeps the directory's separator.
std::string WrittenVersion(const source::Revision& rev, Format format) {
  if (format != Format::kFlyway) return rev.version;
  const std::string file = rev.up.path.filename().string();
  const std::size_t sep = file.find("__", 1);
  return sep == std::string::npos ? rev.version : file.substr(1, sep - 1);
}

// The newest versioned revision's version as written; empty when there is none.
std::string NewestVersion(const source::MigrationSet& set) {
  std::string newest;
  const source::Revision* best = nullptr;
  for (const source::Revision& rev : set.revisions) {
    if (rev.repeatable) continue;
    if (best == nullptr || source::CompareVersions(rev.version, best->version) > 0) best = &rev;
  }
  if (best != nullptr) newest = WrittenVersion(*best, set.format);
  return newest;
}

// A placeholder up statement: a file with only comments is not a migration stairway (or the
// other tools' checks) can read, and a statement that does nothing would let an unwritten
// migration be recorded as applied. This one fails in any runner until it is replaced.
std::string Placeholder(const std::string& label, const std::string& file_name) {
  return fmt::format(
      "-- Replace the statement below with the SQL that applies this migration. It fails on\n"
      "-- purpose, so the migration cannot be applied before it is written.\n"
      "DO $$ BEGIN RAISE EXCEPTION 'migration {} is not written yet: edit {}'; END $$;\n",
      label, file_name);
}

constexpr std::string_view kDownComment =
    "-- The SQL that undoes the migration. Left empty it undoes nothing, and stairway verify\n"
    "-- reports what the migration leaves behind; add \"-- stairway:irreversible\" if the\n"
    "-- migration is meant to be one-way.\n";

std::vector<NewFile> FilesFor(Format format, const std::string& version, const std::string& slug,
                              bool flyway_undo) {
  const std::string label = version + "_" + slug;
  switch (format) {
    case Format::kGolangMigrate: {
      const std::string up = label + ".up.sql";
      return {{up, Placeholder(label, up)}, {label + ".down.sql", std::string(kDownComment)}};
    }
    case Format::kFlyway: {
      // Named as stairway names it in messages: "V2_1" is version 2.1.
      std::string dotted = version;
      std::replace(dotted.begin(), dotted.end(), '_', '.');
      const std::string flyway_label = dotted + "_" + slug;
      const std::string up = "V" + version + "__" + slug + ".sql";
      std::vector<NewFile> files = {{up, Placeholder(flyway_label, up)}};
      if (flyway_undo) {
        files.push_back({"U" + version + "__" + slug + ".sql", std::string(kDownComment)});
      }
      return files;
    }
    case Format::kGoose: {
      const std::string file = label + ".sql";
      return {{file, fmt::format("-- +goose Up\n{}\n-- +goose Down\n{}", Placeholder(label, file),
                                 kDownComment)}};
    }
    default: {
      const std::string file = label + ".sql";
      return {{file, fmt::format("-- migrate:up\n{}\n-- migrate:down\n{}", Placeholder(label, file),
                                 kDownComment)}};
    }
  }
}

// Creates `path` with `text`; never replaces anything there (O_EXCL, no link followed).
void WriteNew(const fs::path& path, const std::string& text) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
  if (fd < 0) {
    const int err = errno;
    if (err == EEXIST) {
      Refuse(
          fmt::format("{} already exists: stairway new never overwrites a file; rename or "
                      "move it, or give the new migration another name",
                      path.string()));
    }
    Refuse(fmt::format("cannot create {}: {}; check the directory's permissions", path.string(),
                       std::strerror(err)));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const int err = errno;
      ::close(fd);
      ::unlink(path.c_str());
      Refuse(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    Refuse(fmt::format("cannot write {}: {}", path.string(), std::strerror(err)));
  }
}

int RunNew(const NewFlags& flags) {
  const std::string slug = Slugify(flags.name);
  if (slug.empty()) {
    Refuse(
        fmt::format("migration name \"{}\" has no letters or digits: give a name such as "
                    "add_users_table",
                    flags.name));
  }
  const std::optional<Format> forced = source::ParseFormat(flags.format);
  if (!forced) {
    Refuse(
        fmt::format("unknown --format \"{}\": use auto, stairway, dbmate, golang-migrate, "
                    "flyway or goose",
                    flags.format));
  }
  const fs::path dir = flags.dir;
  if (*forced == Format::kAlembic) RefuseAlembic("--format alembic");
  std::error_code ec;
  if (*forced == Format::kSqitch || fs::exists(dir / "sqitch.plan", ec) ||
      fs::exists(dir / "sqitch.conf", ec)) {
    Refuse(
        fmt::format("{} is a sqitch project: add changes with `sqitch add`, which writes the "
                    "plan line and the deploy, revert and verify scripts",
                    dir.string()));
  }
  // As the other commands resolve it: no migrations/ here but an Alembic project is.
  if (flags.dir == "migrations" && !fs::exists(dir, ec)) {
    if (AlembicProjectHere()) RefuseAlembic("the current directory");
    if (std::optional<fs::path> project = ConfiguredAlembicProject()) {
      RefuseAlembic(fmt::format("{} ([alembic] project in stairway.toml)", project->string()));
    }
  }
  const fs::file_status status = fs::status(dir, ec);
  bool created_dir = false;
  if (!fs::exists(status)) {
    if (*forced == Format::kAuto) {
      Refuse(fmt::format(
          "{}: migration directory not found; check -d, or pass --format (stairway, dbmate, "
          "golang-migrate, flyway or goose) to create it with this first migration",
          dir.string()));
    }
    fs::create_directories(dir, ec);
    if (ec) Refuse(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
    created_dir = true;
  } else if (!fs::is_directory(status)) {
    Refuse(fmt::format("{}: not a directory; pass the directory that holds the migrations",
                       dir.string()));
  }
  if (std::optional<source::AlembicProject> project =
          source::alembic::DetectAlembicProject(dir).ValueOrThrow()) {
    RefuseAlembic(dir.string());
  }

  Format format = *forced;
  std::string version;
  bool flyway_undo = false;
  if (!created_dir && HasSqlFiles(dir)) {
    // The whole set is read, as other commands read it: the format and the newest version
    // come from the files, and a directory stairway could not read is not added to.
    const source::MigrationSet set = source::LoadMigrationSet(dir, *forced).ValueOrThrow();
    format = set.format;
    const std::string newest = NewestVersion(set);
    version = newest.empty() ? "1" : NextVersion(newest, std::chrono::system_clock::now());
    flyway_undo = format == Format::kFlyway && HasFlywayUndoFiles(dir);
  } else {
    if (format == Format::kAuto) {
      format = Format::kStairway;
      fmt::print(stderr,
                 "note: {} has no migrations yet: writing the stairway format (dbmate's markers) "
                 "with a timestamp version; pass --format to choose another\n",
                 dir.string());
    }
    // dbmate, goose and `migrate create` number by UTC timestamp; Flyway's convention is V1.
    version = format == Format::kFlyway ? "1" : TimestampVersion(std::chrono::system_clock::now());
  }

  const std::vector<NewFile> files = FilesFor(format, version, slug, flyway_undo);
  for (const NewFile& file : files) {
    if (fs::exists(fs::symlink_status(dir / file.file_name, ec))) {
      Refuse(
          fmt::format("{} already exists: stairway new never overwrites a file; rename or "
                      "move it, or give the new migration another name",
                      (dir / file.file_name).string()));
    }
  }
  std::vector<fs::path> written;
  try {
    for (const NewFile& file : files) {
      WriteNew(dir / file.file_name, file.text);
      written.push_back(dir / file.file_name);
    }
  } catch (const StopError&) {
    // A pair is written whole or not at all.
    for (const fs::path& path : written) fs::remove(path, ec);
    throw;
  }
  for (const fs::path& path : written) fmt::print("{}\n", path.string());
  return 0;
}

}  // namespace

RunFn SetupNew(CLI::App& sub, GlobalOptions&) {
  auto flags = std::make_shared<NewFlags>();
  sub.add_option("name", flags->name, "What the migration does, e.g. \"add users table\"")
      ->required();
  sub.add_option("-d,--dir", flags->dir, "Migrations directory (env STAIRWAY_DIR)")
      ->envname("STAIRWAY_DIR")
      ->capture_default_str();
  sub.add_option("--format", flags->format,
                 "auto (the directory's format), stairway, dbmate, golang-migrate, flyway, goose")
      ->capture_default_str();
  sub.footer(
      "Writes the next migration in the format the directory already uses and prints the\n"
      "path(s) written. The version follows the directory's newest one: a UTC timestamp\n"
      "(YYYYMMDDHHMMSS, later than the newest) or the next sequence number with the same zero\n"
      "padding (0004 -> 0005). An empty directory gets a timestamp (Flyway: V1), in the\n"
      "stairway format unless --format says otherwise. The name is lowercased, other characters\n"
      "become _. The up section holds a placeholder that fails until replaced; an existing file\n"
      "is never overwritten. A missing directory is created only with an explicit --format.\n"
      "\n"
      "  stairway/dbmate  20240105093000_add_users.sql (-- migrate:up / -- migrate:down)\n"
      "  golang-migrate   20240105093000_add_users.up.sql and .down.sql\n"
      "  flyway           V5__add_users.sql (and U5__add_users.sql if the directory has U files)\n"
      "  goose            20240105093000_add_users.sql (-- +goose Up / -- +goose Down)\n"
      "Alembic projects: use `stairway revision -m MESSAGE`.\n"
      "\n"
      "Examples:\n"
      "  stairway new \"add users table\"\n"
      "  stairway new add_index -d db/migrations\n"
      "  stairway new init -d db/migrations --format golang-migrate");
  return [flags] { return RunNew(*flags); };
}

}  // namespace stairway::cli

// The Flyway format: versioned V<version>__<desc>.sql, undo U<version>__<desc>.sql and
// repeatable R__<desc>.sql (applied after all versioned ones, ordered by description; they
// have no undo). Versions may use '_' for '.' ("V2_1" is 2.1).
#include <fmt/format.h>
#include "runner/source/readers.h"

namespace stairway::source::detail {
namespace {

// Flyway's script configuration file beside a migration (V1__x.sql.conf): only
// executeInTransaction matters to stairway; other keys are Flyway's own business.
Status ReadScriptConfig(const MigrationFile& f, Section& section) {
  std::filesystem::path conf = f.path;
  conf += ".conf";
  std::error_code ec;
  if (!std::filesystem::exists(conf, ec)) return Status::Ok();
  ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> file, ReadSourceFile(conf));
  for (const SourceLine& line : file->lines) {
    const std::string_view text = TrimBlanks(line.text);
    const std::size_t eq = text.find('=');
    if (text.empty() || text.front() == '#' || eq == std::string_view::npos) continue;
    if (TrimBlanks(text.substr(0, eq)) != "executeInTransaction") continue;
    const std::string_view value = TrimBlanks(text.substr(eq + 1));
    if (value == "false") {
      section.tx_mode = TxMode::kNone;
      section.tx_reason = fmt::format("executeInTransaction=false in {}", conf.string());
    } else if (value == "true") {
      section.tx_mode = TxMode::kTransaction;
      section.tx_reason.clear();
    } else {
      return InputError(
          conf, line.number,
          fmt::format("executeInTransaction must be true or false, not \"{}\"", value),
          "write executeInTransaction=false (or true)");
    }
  }
  return Status::Ok();
}

// Reads a file's section; `revision`, when given, also gets the file's markers (an undo file's
// data-change marker counts when the versioned file has none).
Expected<Section> ReadSection(const MigrationFile& f, std::string_view role, bool allow_blank,
                              Revision* revision = nullptr, bool irreversible = false) {
  ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> file, ReadSourceFile(f.path));
  ASSIGN_OR_RETURN(Section section, WholeFileSection(*file));
  TRY_STATUS(ReadScriptConfig(f, section));
  if (revision != nullptr) {
    if (irreversible) revision->irreversible_marker = HasIrreversibleMarker(*file);
    ASSIGN_OR_RETURN(std::optional<std::string> data_change, ReadDataChangeMarker(*file));
    if (!revision->data_change) revision->data_change = std::move(data_change);
  }
  if (!allow_blank && IsBlankSql(section.sql)) {
    return InputError(f.path, 0,
                      fmt::format("{} migration is empty (only whitespace or comments)", role),
                      "add the SQL that applies the migration");
  }
  return section;
}

}  // namespace

Expected<std::vector<Revision>> ReadFlyway(const std::vector<MigrationFile>& files) {
  std::vector<const MigrationFile*> versioned;
  std::vector<const MigrationFile*> undos;
  std::vector<const MigrationFile*> repeatables;
  for (const MigrationFile& f : files) {
    switch (f.kind) {
      case NameKind::kFlywayVersioned:
        versioned.push_back(&f);
        break;
      case NameKind::kFlywayUndo:
        undos.push_back(&f);
        break;
      default:
        repeatables.push_back(&f);
        break;
    }
  }
  TRY_STATUS(CheckUniqueVersions(versioned));
  TRY_STATUS(CheckUniqueVersions(undos));
  std::vector<const MigrationFile*> undo_of(versioned.size(), nullptr);
  for (const MigrationFile* undo : undos) {
    std::size_t i = 0;
    while (i < versioned.size() && CompareVersions(versioned[i]->version, undo->version) != 0) {
      ++i;
    }
    if (i == versioned.size()) {
      // "U2_1__x.sql" pairs with "V2_1__x.sql": the version as written.
      return InputError(undo->path, 0,
                        fmt::format("undo migration without a versioned migration (expected V{})",
                                    undo->file_name.substr(1)),
                        "add the versioned file or delete this one");
    }
    undo_of[i] = undo;
  }
  std::vector<Revision> revisions;
  for (std::size_t i = 0; i < versioned.size(); ++i) {
    Revision revision;
    revision.version = versioned[i]->version;
    revision.name = versioned[i]->name;
    ASSIGN_OR_RETURN(revision.up, ReadSection(*versioned[i], "versioned", false, &revision, true));
    if (undo_of[i] != nullptr) {
      // An empty (or comment-only) undo file is an undo that does nothing, which Flyway runs:
      // round-tripped like any other. Only a revision without a U file is irreversible.
      ASSIGN_OR_RETURN(revision.down, ReadSection(*undo_of[i], "undo", true, &revision));
    }
    revisions.push_back(std::move(revision));
  }
  for (const MigrationFile* f : repeatables) {
    Revision revision;
    revision.version = f->version;
    revision.name = f->name;
    revision.repeatable = true;
    ASSIGN_OR_RETURN(revision.up, ReadSection(*f, "repeatable", false, &revision));
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

}  // namespace stairway::source::detail

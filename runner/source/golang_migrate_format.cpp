// The golang-migrate format: <version>_<name>.up.sql (or <version>.up.sql) and an optional
// .down.sql with the same version per revision; "-- stairway:no-transaction" in a file makes that
// file non-transactional.
#include <map>

#include <fmt/format.h>
#include "runner/source/readers.h"

namespace stairway::source::detail {

Expected<std::vector<Revision>> ReadGolangMigrate(const std::vector<MigrationFile>& files) {
  std::vector<const MigrationFile*> ups;
  std::vector<const MigrationFile*> downs;
  for (const MigrationFile& f : files) {
    (f.kind == NameKind::kGolangUp ? ups : downs).push_back(&f);
  }
  TRY_STATUS(CheckUniqueVersions(ups));
  TRY_STATUS(CheckUniqueVersions(downs));
  // Pairs go by version, as golang-migrate pairs them; names may differ.
  std::vector<const MigrationFile*> down_of(ups.size(), nullptr);
  for (const MigrationFile* down : downs) {
    std::size_t i = 0;
    while (i < ups.size() && CompareVersions(ups[i]->version, down->version) != 0) ++i;
    if (i == ups.size()) {
      const std::string expected = down->name.empty()
                                       ? down->version + ".up.sql"
                                       : fmt::format("{}_{}.up.sql", down->version, down->name);
      return InputError(
          down->path, 0,
          fmt::format("down migration without an up migration (expected {})", expected),
          "add the up file or delete this one");
    }
    down_of[i] = down;
  }
  std::vector<Revision> revisions;
  for (std::size_t i = 0; i < ups.size(); ++i) {
    ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> up_file, ReadSourceFile(ups[i]->path));
    Revision revision;
    revision.version = ups[i]->version;
    revision.name = ups[i]->name;
    ASSIGN_OR_RETURN(revision.up, WholeFileSection(*up_file));
    revision.irreversible_marker = HasIrreversibleMarker(*up_file);
    ASSIGN_OR_RETURN(revision.data_change, ReadDataChangeMarker(*up_file));
    if (IsBlankSql(revision.up.sql)) {
      return InputError(up_file->path, 0, "up migration is empty (only whitespace or comments)",
                        "add the SQL that applies the migration");
    }
    if (down_of[i] != nullptr) {
      ASSIGN_OR_RETURN(const std::unique_ptr<SourceFile> down_file,
                       ReadSourceFile(down_of[i]->path));
      ASSIGN_OR_RETURN(Section down, WholeFileSection(*down_file));
      revision.irreversible_marker =
          revision.irreversible_marker || HasIrreversibleMarker(*down_file);
      ASSIGN_OR_RETURN(std::optional<std::string> down_data_change,
                       ReadDataChangeMarker(*down_file));
      if (!revision.data_change) revision.data_change = std::move(down_data_change);
      // An empty (or comment-only) down file is a down that does nothing, which golang-migrate
      // runs: round-tripped like any other. Only a missing down file makes it irreversible.
      revision.down = std::move(down);
    }
    revisions.push_back(std::move(revision));
  }
  return revisions;
}

}  // namespace stairway::source::detail

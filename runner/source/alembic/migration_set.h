// Loading an Alembic project's revisions into a MigrationSet: the revision files of every
// version location, read without Python, linked by down_revision and depends_on.
#pragma once

#include <filesystem>

#include "runner/common/expected.h"
#include "runner/source/alembic/revision_file.h"
#include "runner/source/migration.h"

namespace stairway::source::alembic {

// Reads the revisions of `project`. `given_dir` is the directory as the user gave it: file
// paths in revisions and messages are shown under it when they lie there. Errors (kInput,
// naming the file and line): a missing version directory, an unreadable revision file, a
// duplicate revision id or branch label, a down_revision or depends_on naming no revision, a
// cycle. `python` reads headers that are not plain literals (see ReadRevisionFile).
Expected<MigrationSet> LoadAlembicSet(const AlembicProject& project,
                                      const std::filesystem::path& given_dir,
                                      const PythonHeaderReader& python = nullptr);

}  // namespace stairway::source::alembic

// The one way stairway asks git something: argv through process::Run (no shell), a minimal
// environment, and a revision that can only ever be read as a revision.
#pragma once

#include <filesystem>
#include <set>
#include <string>

#include "runner/common/expected.h"

namespace stairway::git {

// Files under `dir` changed since revision `rev` (committed, staged, unstaged) plus untracked
// files there, as weakly canonical absolute paths. `rev` is passed after --end-of-options, so
// text like "HEAD'; touch X" or "--output=f" is only ever a (bad) revision name.
// Error(kInput) naming `what` (e.g. "--changed-since") when git is missing, `dir` is not in a
// repository, or the revision does not exist.
Expected<std::set<std::filesystem::path>> ChangedFiles(const std::filesystem::path& dir,
                                                       const std::string& rev,
                                                       const std::string& what);

}  // namespace stairway::git

// The one way stairway asks git something: argv through process::Run (no shell), a minimal
// environment, and a revision that can only ever be read as a revision.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

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

// `rev` resolved to the full hex id of its commit (rev-parse, `rev` after --end-of-options), so
// later commands get an id, never the user's text. Error(kInput) as for ChangedFiles.
Expected<std::string> ResolveCommit(const std::filesystem::path& dir, const std::string& rev,
                                    const std::string& what);

// A file in a commit's tree.
struct TreeFile {
  std::string path;  // relative to the directory asked about, '/'-separated, exactly as stored
  std::string blob;  // the blob's hex id
};

// The regular files (and symbolic links) under `dir` in `commit` (a ResolveCommit id), paths
// relative to `dir`; empty when `dir` did not exist there. Error(kInput) naming `what`.
Expected<std::vector<TreeFile>> FilesAt(const std::filesystem::path& dir, const std::string& commit,
                                        const std::string& what);

// The bytes of each blob in `blobs` (TreeFile::blob ids), in order, from the repository holding
// `dir`: one git process for all of them (cat-file --batch).
Expected<std::vector<std::string>> ReadBlobs(const std::filesystem::path& dir,
                                             const std::vector<std::string>& blobs,
                                             const std::string& what);

}  // namespace stairway::git

// Where a snapshot comes from, as `stairway snapshot` and `stairway diff` name it: a live database
// URL, a saved snapshot file, or a migration directory at a revision (built on a throwaway
// database).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "runner/common/expected.h"
#include "runner/sandbox/sandbox.h"
#include "runner/source/migration.h"
#include "verifier/schema/snapshot.h"

namespace stairway::schema {

struct SnapshotSource {
  enum class Kind { kDatabaseUrl, kFile, kMigrations };
  Kind kind = Kind::kDatabaseUrl;
  std::string url;             // kDatabaseUrl
  std::filesystem::path path;  // kFile: the .json file; kMigrations: the directory
  std::string revision;        // kMigrations: "head" or a revision ("0004", "0004_add_roles")
  std::string label;           // for messages: masked URL, path, or DIR@REV
  // kMigrations, after PrepareSnapshotSource: the loaded directory.
  std::shared_ptr<const source::MigrationSet> set;
};

// postgres:// or postgresql:// URLs and key=value conninfo strings are databases; an existing
// file (or a name ending in .json) is a snapshot file; DIR@REV (or an existing DIR, meaning
// DIR@head) is a migration directory. Anything else is Error(kInput) saying what is accepted.
Expected<SnapshotSource> ParseSnapshotSource(std::string_view text);

// For a migration directory: loads it (in `format`) and plans the upgrade to its revision, keeping
// the loaded set in `source` for LoadSnapshot, so that an unknown revision or a broken file fails
// before a cluster starts. Throws StopError(kInput). Nothing to do for the other kinds.
void PrepareSnapshotSource(SnapshotSource& source, source::Format format);

// Opens the sandbox on first use, so a diff of two files or two URLs never starts a cluster.
// Get() may be called from two threads at once (a diff builds its two sides side by side): one
// opens the sandbox, the other waits for it.
class LazySandbox {
 public:
  explicit LazySandbox(sandbox::Options options) : options_(std::move(options)) {}
  sandbox::Sandbox& Get();

 private:
  sandbox::Options options_;
  std::mutex mutex_;
  std::unique_ptr<sandbox::Sandbox> sandbox_;
};

// Applies `set` up to `revision` ("head" or a revision) on a new throwaway database through the
// runner's applier and snapshots the result; the database is dropped afterwards. Throws
// StopError: kInput for an unknown revision, kDatabase (MigrationFailed) when a migration fails.
Snapshot SnapshotAtRevision(sandbox::Sandbox& box, const source::MigrationSet& set,
                            std::string_view revision, const SnapshotOptions& options = {});

// Opens a session on a database URL source (the CLI passes its --wait retry). Unset:
// db::Session::Connect.
using ConnectFn = std::function<db::Session(const std::string& url)>;

// Takes, reads or builds the snapshot a source names. Throws StopError like the above.
Snapshot LoadSnapshot(const SnapshotSource& source, LazySandbox& box,
                      const SnapshotOptions& options = {},
                      source::Format format = source::Format::kAuto,
                      const ConnectFn& connect = nullptr);

}  // namespace stairway::schema

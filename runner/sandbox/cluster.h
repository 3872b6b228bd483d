// The private cluster: initdb + postgres in a temp dir, owned by a keeper process.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "runner/sandbox/sandbox.h"

namespace stairway::sandbox {

// The system account the throwaway server runs as when stairway runs as root (created when
// missing: no login shell, no home, its own group). It owns nothing but sandbox directories.
inline constexpr const char* kSandboxAccount = "stairway-sandbox";

std::unique_ptr<Sandbox> StartPrivateCluster(const Options& options);

// Removes cluster directories under `base` left by runs that were killed (their owner and
// keeper are dead), stopping a postmaster still running in one. Directories marked --keep and
// those of live runs are left alone, and so is anything that does not look exactly like ours
// (owner, mode 0700, layout; links are never followed). Returns how many were removed.
int ReapStaleClusters(const std::filesystem::path& base);

// The directory under which clusters are created: $TMPDIR if set; else /dev/shm when it is a
// RAM filesystem (tmpfs) with at least 1 GiB free, as a throwaway cluster needs no durability;
// else /tmp. Also /tmp when the choice is too long for a socket path, or not reachable by the
// user the server runs as.
std::filesystem::path ClusterBaseDirectory();

// Where fresh initdb results are kept as templates (a new cluster copies one instead of running
// initdb): $STAIRWAY_CACHE_DIR (set and empty: no cache), else $XDG_CACHE_HOME/stairway, else
// $HOME/.cache/stairway; nullopt when none applies.
std::optional<std::filesystem::path> TemplateCacheRoot();

// Whether `dir` is a writable tmpfs with at least 1 GiB free.
bool RoomyRamDirectory(const std::filesystem::path& dir);

}  // namespace stairway::sandbox

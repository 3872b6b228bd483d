// The versioned JSON form of a Snapshot: deterministic bytes for equal snapshots, and a reader
// that refuses formats newer than this stairway knows.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "runner/common/expected.h"
#include "verifier/schema/snapshot.h"

namespace stairway::schema {

inline constexpr int kSnapshotFormatVersion = 1;

// {"stairway_snapshot": 1, "server_version": 150020, "objects": [...]}: one object per line,
// objects in key order, attributes in name order; ends with a newline.
std::string SnapshotToJson(const Snapshot& snapshot);

// Parses SnapshotToJson output. `origin` names the input in error messages (a file path).
// Errors are kInput: "origin: what is wrong".
Expected<Snapshot> SnapshotFromJson(std::string_view text, std::string_view origin);

// Reads and parses a snapshot file.
Expected<Snapshot> ReadSnapshotFile(const std::filesystem::path& path);

}  // namespace stairway::schema

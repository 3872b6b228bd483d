// SHA-256 checksums of migration text, as stored in the history table.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace stairway {

// Lower-case hex SHA-256 of the bytes.
std::string Sha256Hex(std::string_view bytes);

// Lower-case hex SHA-256 of a file's contents, read in blocks (a backup of gigabytes is never
// held in memory); nullopt when it cannot be read.
std::optional<std::string> Sha256OfFile(const std::filesystem::path& path);

// The id git gives a blob of these bytes: SHA-1 (or, in a repository of the sha256 object
// format, SHA-256) of "blob <size>\0" and the bytes. Tells a file unchanged since a commit
// without starting git for it.
std::string GitBlobId(std::string_view bytes, bool sha256 = false);

// Normalizes migration text before hashing so that line-end style and trailing blanks do
// not count as edits: CRLF -> LF, trailing spaces/tabs stripped, trailing blank lines dropped.
std::string NormalizeForChecksum(std::string_view text);

// Sha256Hex(NormalizeForChecksum(text)).
std::string MigrationChecksum(std::string_view text);

}  // namespace stairway

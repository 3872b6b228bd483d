// Reading a whole file into memory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace stairway {

// The file's bytes, read in one pass sized from the file. nullopt when it cannot be opened or
// read: missing, no permission, a directory. Callers say what the file was for in their error.
std::optional<std::string> ReadWholeFile(const std::filesystem::path& path);

}  // namespace stairway

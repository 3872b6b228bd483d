// Where the test suite finds the source tree and the stairway binary.
#pragma once

#include <filesystem>
#include <string>

namespace stairway::testing {

inline std::filesystem::path SourceDir() {
  return STAIRWAY_SOURCE_DIR;
}
inline std::filesystem::path FixturesDir() {
  return SourceDir() / "fixtures";
}
inline std::string StairwayBinary() {
  return STAIRWAY_BINARY;
}

}  // namespace stairway::testing

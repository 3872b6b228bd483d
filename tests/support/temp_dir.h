// A directory made for one test (mkdtemp) and removed with everything in
// it when the test is done.
#pragma once

#include <filesystem>
#include <string>

namespace stairway::testing {

class TempDir {
 public:
  // `prefix`: the start of the directory's name, e.g. "stairway-lint"; `parent`: where it is
  // made (default: $TMPDIR, else /tmp).
  explicit TempDir(const std::string& prefix,
                   const std::filesystem::path& parent = std::filesystem::temp_directory_path());
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to `rel` under the directory, making the folders on the way.
  void Write(const std::string& rel, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

}  // namespace stairway::testing

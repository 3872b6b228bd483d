// Issue 15 (items 8, 9): input files that are not regular, too large, or oddly named are refused
// at once; escaping of control characters; nested block comments scan in linear time.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "runner/common/file.h"
#include "runner/common/text.h"
#include "runner/source/migration.h"
#include "runner/sql/split.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kMigration =
    "-- migrate:up\nCREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n";

std::string LoadError(const fs::path& dir) {
  Expected<source::MigrationSet> set = source::LoadMigrationSet(dir, source::Format::kAuto);
  if (set.ok()) return "";
  EXPECT_EQ(set.error().kind, ErrorKind::kInput);
  return set.error().message;
}

TEST(SecurityInput, FifoIsRefusedAtOnceNamingIt) {
  TempDir dir("stairway-sec-fifo");
  dir.Write("0001_a.sql", kMigration);
  ASSERT_EQ(mkfifo((dir.path() / "0002_b.sql").c_str(), 0600), 0);
  const std::string error = LoadError(dir.path());  // would block for ever on a plain open
  EXPECT_NE(error.find("0002_b.sql: a FIFO (named pipe), not a regular file"), std::string::npos)
      << error;
}

TEST(SecurityInput, SocketAndDeviceAreRefused) {
  TempDir dir("stairway-sec-sock");
  dir.Write("0001_a.sql", kMigration);
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  const std::string path = (dir.path() / "0002_b.sql").string();
  ASSERT_LT(path.size(), sizeof address.sun_path);
  std::strcpy(address.sun_path, path.c_str());
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  std::string error = LoadError(dir.path());
  EXPECT_NE(error.find("0002_b.sql: a socket, not a regular file"), std::string::npos) << error;
  close(fd);
  fs::remove(path);
  // /dev/zero itself, as lint reads a file named on the command line: no endless read.
  const Expected<std::string> zero = ReadInputFile("/dev/zero");
  ASSERT_FALSE(zero.ok());
  EXPECT_EQ(zero.error().message,
            "/dev/zero: a character device, not a regular file; a migration must be a regular "
            "file; remove it or move it out of the directory");
}

TEST(SecurityInput, SymlinkOutOfTheDirectoryIsRefusedOneInsideIsRead) {
  TempDir dir("stairway-sec-link");
  dir.Write("0001_a.sql", kMigration);
  dir.Write("sub/real.sql.txt", kMigration);
  fs::create_symlink("sub/real.sql.txt", dir.path() / "0002_b.sql");
  EXPECT_EQ(LoadError(dir.path()), "");
  fs::create_symlink("/dev/zero", dir.path() / "0003_c.sql");
  const std::string error = LoadError(dir.path());
  EXPECT_NE(error.find("0003_c.sql: symbolic link leading out of the migrations directory (to "
                       "/dev/zero)"),
            std::string::npos)
      << error;
}

TEST(SecurityInput, SizeLimitIsConfigurableAndNamesTheSize) {
  TempDir dir("stairway-sec-size");
  dir.Write("0001_a.sql", kMigration + std::string(2048, '\n'));
  setenv("STAIRWAY_MAX_FILE_SIZE", "1K", 1);
  const std::string error = LoadError(dir.path());
  EXPECT_NE(error.find("file is too large: 2117 bytes, the limit is 1024 bytes"), std::string::npos)
      << error;
  setenv("STAIRWAY_MAX_FILE_SIZE", "lots", 1);
  EXPECT_NE(LoadError(dir.path()).find("STAIRWAY_MAX_FILE_SIZE=lots: not a size"),
            std::string::npos);
  unsetenv("STAIRWAY_MAX_FILE_SIZE");
  EXPECT_EQ(LoadError(dir.path()), "");
  EXPECT_EQ(*MaxInputFileSize(), std::uint64_t{64} << 20);
}

TEST(SecurityInput, ControlCharactersInNamesAreRefusedAndShownEscaped) {
  for (const std::string& bad :
       {std::string("0002_a\nDROP TABLE users;.sql"), std::string("0002_\x1b[31mred.sql"),
        std::string("0002_\xc2\x9b.sql"), std::string("0002_\xff.sql")}) {
    TempDir dir("stairway-sec-name");
    dir.Write("0001_a.sql", kMigration);
    dir.Write(bad, kMigration);
    const std::string error = LoadError(dir.path());
    EXPECT_NE(error.find("has control characters"), std::string::npos) << error;
    EXPECT_NE(error.find("\"" + EscapeControlChars(bad) + "\""), std::string::npos) << error;
    for (char c : error) EXPECT_FALSE(static_cast<unsigned char>(c) < 0x20) << error;
  }
  EXPECT_EQ(EscapeControlChars("a\nb\\c\x1b\xc3\xa9"), "a\\x0ab\\\\c\\x1b\xc3\xa9");
  EXPECT_FALSE(HasControlChars("0001_caf\xc3\xa9.sql"));
}

TEST(SecurityInput, DeeplyNestedBlockCommentsScanInLinearTime) {
  // 200,000 levels: a scan that rescans from each opening is 10^10 steps and times out ctest.
  constexpr int kDepth = 200000;
  std::string sql = "SELECT 1 ";
  for (int i = 0; i < kDepth; ++i) sql += "/* ";
  for (int i = 0; i < kDepth; ++i) sql += "*/ ";
  sql += "; SELECT 2;";
  const sql::SplitResult result = sql::SplitStatements(sql);
  EXPECT_EQ(result.statements.size(), 2u);
}

TEST(SecurityInput, RemoveTreeNeverFollowsLinks) {
  TempDir outside("stairway-sec-outside");
  outside.Write("keep/precious.txt", "precious\n");
  TempDir tree("stairway-sec-tree");
  tree.Write("data/base/1/file", "x");
  fs::create_symlink(outside.path() / "keep", tree.path() / "data/linked-dir");
  fs::create_symlink(outside.path() / "keep/precious.txt", tree.path() / "owner");
  const fs::path top_link = outside.path() / "top-link";
  fs::create_symlink(outside.path() / "keep", top_link);
  EXPECT_TRUE(RemoveTree(tree.path()));
  EXPECT_FALSE(fs::exists(fs::symlink_status(tree.path())));
  EXPECT_TRUE(RemoveTree(top_link));  // the link goes, not what it points to
  EXPECT_FALSE(fs::exists(fs::symlink_status(top_link)));
  EXPECT_TRUE(fs::exists(outside.path() / "keep/precious.txt"));
  // Reading through a planted link gives nothing.
  const fs::path link = outside.path() / "link.txt";
  fs::create_symlink(outside.path() / "keep/precious.txt", link);
  EXPECT_FALSE(ReadRegularFileNoFollow(link).has_value());
  EXPECT_EQ(ReadRegularFileNoFollow(outside.path() / "keep/precious.txt").value_or(""),
            "precious\n");
}

}  // namespace
}  // namespace stairway::testing

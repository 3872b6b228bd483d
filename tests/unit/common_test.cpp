// Tests for runner/common: diagnostics rendering, line/column mapping, checksums, file copies.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runner/common/checksum.h"
#include "runner/common/diagnostic.h"
#include "runner/common/file.h"
#include "tests/support/temp_dir.h"

namespace stairway {
namespace {

TEST(LineIndex, MapsOffsetsWithCrlfAndMultiByte) {
  const std::string text = "ab\r\nçé x\nlast";
  LineIndex index(text);
  EXPECT_EQ(index.line_count(), 3);
  EXPECT_EQ(index.PosOf(0).line, 1);
  const auto x = index.PosOf(text.find('x'));
  EXPECT_EQ(x.line, 2);
  EXPECT_EQ(x.column, 4);  // ç and é are one column each
  EXPECT_EQ(index.Line(1), "ab");
  EXPECT_EQ(index.Line(3), "last");
}

TEST(Diagnostic, RendersCaretAndHelp) {
  const std::string sql = "CREATE TABLE t (id int);\nCREATE INDEX i ON t (id);\n";
  Diagnostic d = DiagnosticAt(Severity::kWarning, "m/0001_x.sql", sql, sql.find("CREATE INDEX"),
                              "index built without CONCURRENTLY", 2);
  d.rule = "require-concurrent-index-create";
  d.help = "use CREATE INDEX CONCURRENTLY";
  EXPECT_EQ(Render(d),
            "m/0001_x.sql:4:1: warning: index built without CONCURRENTLY "
            "[require-concurrent-index-create]\n"
            "  CREATE INDEX i ON t (id);\n"
            "  ^\n"
            "  help: use CREATE INDEX CONCURRENTLY\n");
}

// A message of several lines (a finding with a diff) keeps its rule on the first line; the other
// lines follow indented, as help lines are.
TEST(Diagnostic, MultiLineMessageKeepsTheRuleOnItsFirstLine) {
  Diagnostic d;
  d.severity = Severity::kError;
  d.path = "m/0002_x.sql";
  d.message = "0002_x: body differs:\n--- before up\n+++ after down\n-a\n+b";
  d.rule = "roundtrip-down-leftover";
  EXPECT_EQ(Render(d),
            "m/0002_x.sql: error: 0002_x: body differs: [roundtrip-down-leftover]\n"
            "  --- before up\n"
            "  +++ after down\n"
            "  -a\n"
            "  +b\n");
}

TEST(Checksum, IgnoresLineEndStyleAndTrailingBlanks) {
  EXPECT_EQ(MigrationChecksum("a;\r\nb;  \n\n\n"), MigrationChecksum("a;\nb;\n"));
  EXPECT_NE(MigrationChecksum("a;\nb;\n"), MigrationChecksum("a;\nc;\n"));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

mode_t ModeOf(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(lstat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(CopyTree, KeepsContentsModesAndLinks) {
  const testing::TempDir dir("stairway-copy");
  const std::filesystem::path from = dir.path() / "from";
  std::string big(1 << 20, 'x');
  for (std::size_t i = 0; i < big.size(); i += 4096) big[i] = static_cast<char>('a' + i % 26);
  dir.Write("from/f.txt", "hello\n");
  dir.Write("from/sub/empty", "");
  dir.Write("from/sub/deeper/big", big);
  ASSERT_EQ(chmod((from / "f.txt").c_str(), 0600), 0);
  ASSERT_EQ(chmod((from / "sub").c_str(), 0750), 0);
  ASSERT_EQ(chmod((from / "sub" / "empty").c_str(), 0444), 0);
  ASSERT_EQ(chmod(from.c_str(), 0700), 0);
  ASSERT_EQ(symlink("f.txt", (from / "link").c_str()), 0);

  const std::filesystem::path to = dir.path() / "to";
  ASSERT_TRUE(CopyTree(from, to));
  EXPECT_EQ(ReadWholeFile(to / "f.txt"), "hello\n");
  EXPECT_EQ(ReadWholeFile(to / "sub" / "empty"), "");
  EXPECT_EQ(ReadWholeFile(to / "sub" / "deeper" / "big"), big);
  EXPECT_EQ(ModeOf(to), 0700u);
  EXPECT_EQ(ModeOf(to / "f.txt"), 0600u);
  EXPECT_EQ(ModeOf(to / "sub"), 0750u);
  EXPECT_EQ(ModeOf(to / "sub" / "empty"), 0444u);
  EXPECT_TRUE(std::filesystem::is_symlink(to / "link"));
  EXPECT_EQ(std::filesystem::read_symlink(to / "link"), "f.txt");

  EXPECT_FALSE(CopyTree(from, to)) << "the target exists";
  EXPECT_FALSE(CopyTree(dir.path() / "missing", dir.path() / "to2"));
  ASSERT_EQ(mkfifo((from / "fifo").c_str(), 0600), 0);
  EXPECT_FALSE(CopyTree(from, dir.path() / "to3")) << "a FIFO is not copied";
}

}  // namespace
}  // namespace stairway

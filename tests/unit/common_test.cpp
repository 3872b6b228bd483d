// Tests for runner/common: diagnostics rendering, line/column mapping, checksums.
#include <gtest/gtest.h>

#include "runner/common/checksum.h"
#include "runner/common/diagnostic.h"

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

TEST(Checksum, IgnoresLineEndStyleAndTrailingBlanks) {
  EXPECT_EQ(MigrationChecksum("a;\r\nb;  \n\n\n"), MigrationChecksum("a;\nb;\n"));
  EXPECT_NE(MigrationChecksum("a;\nb;\n"), MigrationChecksum("a;\nc;\n"));
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace stairway

// SplitStatements / ScanScript: statement spans, comments, and lexical errors with offsets.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runner/sql/script.h"
#include "runner/sql/split.h"

namespace stairway::sql {
namespace {

std::vector<std::string> Texts(const SplitResult& r) {
  std::vector<std::string> out;
  for (const auto& s : r.statements) out.emplace_back(s.text);
  return out;
}

TEST(SqlSplit, PlainStatementsSkipEmptyOnesAndLeadingComments) {
  const std::string sql = "select 1; -- note\n /* block */ select 2;;  ;\nselect 3\n";
  SplitResult r = SplitStatements(sql);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"select 1", "select 2", "select 3"}));
  EXPECT_EQ(r.statements[1].offset, sql.find("select 2"));
  EXPECT_EQ(r.statements[1].length, 8u);
  EXPECT_EQ(r.statements[2].offset, sql.find("select 3"));
}

TEST(SqlSplit, DollarQuotesAndStringsKeepTheirSemicolons) {
  const std::string sql =
      "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql;\n"
      "SELECT E'a\\';b', 'x;y', \"we;ird\";";
  SplitResult r = SplitStatements(sql);
  ASSERT_FALSE(r.error);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{
                          "CREATE FUNCTION f() RETURNS int AS $body$ SELECT 1; $body$ LANGUAGE sql",
                          "SELECT E'a\\';b', 'x;y', \"we;ird\""}));
}

TEST(SqlSplit, BeginAtomicBodyIsOneStatement) {
  const std::string sql =
      "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n"
      "  SELECT CASE WHEN true THEN 2 END;\nEND;\nSELECT 9;";
  SplitResult r = SplitStatements(sql);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.statements.size(), 2u);
  EXPECT_EQ(r.statements[0].text, sql.substr(0, sql.find("END;\nSELECT") + 3));
  EXPECT_EQ(r.statements[1].text, "SELECT 9");
}

TEST(SqlSplit, BeginTransactionIsNotAnAtomicBody) {
  SplitResult r = SplitStatements("BEGIN; CREATE TABLE atomic (a int); COMMIT;");
  ASSERT_FALSE(r.error);
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"BEGIN", "CREATE TABLE atomic (a int)", "COMMIT"}));
}

TEST(SqlSplit, CrlfAndMultiByteOffsetsAreBytes) {
  const std::string sql = "select 'ü';\r\n-- ß\r\nselect 'é' ;\r\n";
  SplitResult r = SplitStatements(sql);
  ASSERT_FALSE(r.error);
  ASSERT_EQ(r.statements.size(), 2u);
  EXPECT_EQ(r.statements[1].offset, sql.find("select 'é'"));
  EXPECT_EQ(r.statements[1].text, "select 'é'");
}

TEST(SqlSplit, UnterminatedStringKeepsEarlierStatementsAndGivesByteOffset) {
  const std::string sql = "select 'ü';\nselect 'abc;\nselect 3;";
  SplitResult r = SplitStatements(sql);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->offset, sql.find("'abc"));
  EXPECT_EQ(r.error->message, "unterminated quoted string at or near \"'abc;\nselect 3;\"");
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"select 'ü'"}));
}

TEST(SqlSplit, UnterminatedCommentAndDollarQuote) {
  SplitResult a = SplitStatements("select 1; select 2 /* open");
  ASSERT_TRUE(a.error);
  EXPECT_EQ(a.error->offset, 19u);
  EXPECT_EQ(Texts(a), (std::vector<std::string>{"select 1"}));
  SplitResult b = SplitStatements("select $$x; y");
  ASSERT_TRUE(b.error);
  EXPECT_EQ(b.error->offset, 7u);
  EXPECT_TRUE(b.statements.empty());
}

TEST(SqlSplit, NulByteIsAnError) {
  const std::string sql("select 1;\0select 2;", 19);
  SplitResult r = SplitStatements(sql);
  ASSERT_TRUE(r.error);
  EXPECT_EQ(r.error->offset, 9u);
  EXPECT_EQ(r.error->message, "the input contains a NUL byte");
  EXPECT_EQ(Texts(r), (std::vector<std::string>{"select 1"}));
}

TEST(SqlSplit, CommentOnlyAndEmptyInputs) {
  EXPECT_TRUE(SplitStatements("").statements.empty());
  EXPECT_TRUE(SplitStatements("  -- nothing\n/* here */\n").statements.empty());
  EXPECT_FALSE(SplitStatements("-- x").error);
}

TEST(SqlScan, CollectsCommentsEverywhereInOrder) {
  const std::string sql =
      "-- stairway:ignore-file drop-table\r\nselect 1 /* inner */ + '--no';\n-- after\n"
      "select 2; -- trailing";
  ScriptScan s = ScanScript(sql);
  ASSERT_FALSE(s.error);
  std::vector<std::string> texts;
  for (const auto& c : s.comments) texts.emplace_back(c.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"-- stairway:ignore-file drop-table", "/* inner */",
                                             "-- after", "-- trailing"}));
  EXPECT_EQ(s.comments[1].offset, sql.find("/* inner"));
  ASSERT_EQ(s.statements.size(), 2u);
  EXPECT_EQ(s.statements[0].text, "select 1 /* inner */ + '--no'");
}

TEST(SqlScan, CursorPositionsCountCharacters) {
  EXPECT_EQ(ByteOffsetOfCursor("aü b", 4), 4u);
  EXPECT_EQ(ByteOffsetOfCursor("abc", 1), 0u);
  EXPECT_EQ(ByteOffsetOfCursor("abc", 9), 3u);
}

}  // namespace
}  // namespace stairway::sql

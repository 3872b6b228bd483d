// Tests for the connection-string helpers in runner/db: password masking, quoting, database swap.
#include <gtest/gtest.h>

#include "runner/db/session.h"

namespace stairway::db {
namespace {

TEST(MaskPassword, UriUserInfo) {
  EXPECT_EQ(MaskPassword("postgresql://u:secret@h/db"), "postgresql://u:***@h/db");
  EXPECT_EQ(MaskPassword("postgres://app:p%40ss@db.example.com:6432/main?sslmode=require"),
            "postgres://app:***@db.example.com:6432/main?sslmode=require");
  // A raw '@' or '/' in the password (libpq would reject it) is still masked whole.
  EXPECT_EQ(MaskPassword("postgresql://u:a@b/c@h/db"), "postgresql://u:***@h/db");
}

TEST(MaskPassword, UriWithoutPasswordIsUnchanged) {
  EXPECT_EQ(MaskPassword("postgresql://u@h:5432/db"), "postgresql://u@h:5432/db");
  EXPECT_EQ(MaskPassword("postgresql:///db?host=/tmp/s&port=5432&user=stairway"),
            "postgresql:///db?host=/tmp/s&port=5432&user=stairway");
  EXPECT_EQ(MaskPassword("postgresql://h:5432/db"), "postgresql://h:5432/db");
}

TEST(MaskPassword, UriQueryParameter) {
  EXPECT_EQ(MaskPassword("postgresql://h/db?user=u&password=secret&sslmode=disable"),
            "postgresql://h/db?user=u&password=***&sslmode=disable");
  EXPECT_EQ(MaskPassword("postgresql://h/db?password=secret"), "postgresql://h/db?password=***");
}

TEST(MaskPassword, KeyValueForms) {
  EXPECT_EQ(MaskPassword("host=h user=u password=secret dbname=db"),
            "host=h user=u password=*** dbname=db");
  EXPECT_EQ(MaskPassword("host=h password = 'se cr\\'et' dbname=db"),
            "host=h password = *** dbname=db");
  EXPECT_EQ(MaskPassword("password=a\\ b"), "password=***");
  EXPECT_EQ(MaskPassword("host=h dbname=db"), "host=h dbname=db");
  EXPECT_EQ(MaskPassword(""), "");
}

TEST(QuoteIdent, QuotesAndDoublesQuotes) {
  EXPECT_EQ(QuoteIdent("my table"), "\"my table\"");
  EXPECT_EQ(QuoteIdent("users"), "\"users\"");
  EXPECT_EQ(QuoteIdent("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(QuoteIdent(""), "\"\"");
}

TEST(QuoteLiteral, DoublesQuotesAndEscapesBackslashes) {
  EXPECT_EQ(QuoteLiteral("it's"), "'it''s'");
  EXPECT_EQ(QuoteLiteral(""), "''");
  EXPECT_EQ(QuoteLiteral("a\\b'c"), "E'a\\\\b''c'");
}

TEST(WithDatabase, Uri) {
  EXPECT_EQ(WithDatabase("postgresql://u:pw@h:5432/old?sslmode=require", "new"),
            "postgresql://u:pw@h:5432/new?sslmode=require");
  EXPECT_EQ(WithDatabase("postgresql://h", "new"), "postgresql://h/new");
  EXPECT_EQ(WithDatabase("postgresql:///old?host=/tmp/s&dbname=x&port=1", "n b"),
            "postgresql:///n%20b?host=/tmp/s&port=1");
  EXPECT_EQ(WithDatabase("postgres://u@h?user=v", "d"), "postgres://u@h/d?user=v");
}

TEST(WithDatabase, KeyValue) {
  EXPECT_EQ(WithDatabase("host=h dbname=old user=u", "new"), "host=h  user=u dbname='new'");
  EXPECT_EQ(WithDatabase("", "it's"), "dbname='it\\'s'");
}

}  // namespace
}  // namespace stairway::db

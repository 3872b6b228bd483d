// Tables for runner/db/conninfo: SQLAlchemy URLs to libpq ones, and the one password mask for
// every form a URL or conninfo string takes (issue 15 item 7).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "runner/db/conninfo.h"

namespace stairway::db {
namespace {

struct Case {
  std::string input;
  std::string expected;
};

TEST(ToLibpqUrl, AcceptsWhatPythonProjectsWrite) {
  const std::vector<Case> cases = {
      {"postgresql+asyncpg://app:pw@db:5432/chat", "postgresql://app:pw@db:5432/chat"},
      {"postgresql+psycopg2://app:pw@db/chat", "postgresql://app:pw@db/chat"},
      {"postgresql+psycopg://app@db/chat", "postgresql://app@db/chat"},
      {"postgresql+pg8000://app:pw@db/chat", "postgresql://app:pw@db/chat"},
      {"postgres://app:pw@db/chat", "postgres://app:pw@db/chat"},
      {"postgresql://app:pw@db/chat?sslmode=require",
       "postgresql://app:pw@db/chat?sslmode=require"},
      {"POSTGRESQL://app:pw@db/chat", "postgresql://app:pw@db/chat"},
      {"PostgreSQL+AsyncPG://app:pw@db/chat", "postgresql://app:pw@db/chat"},
      {"  postgresql://h/db\r\n", "postgresql://h/db"},
      // asyncpg's ssl= is libpq's sslmode=; sslmode= is kept and wins.
      {"postgresql+asyncpg://u:p@h/db?ssl=require", "postgresql://u:p@h/db?sslmode=require"},
      {"postgresql+asyncpg://u:p@h/db?ssl=true", "postgresql://u:p@h/db?sslmode=require"},
      {"postgresql+asyncpg://u:p@h/db?sslmode=verify-full&ssl=require",
       "postgresql://u:p@h/db?sslmode=verify-full"},
      // Driver-only options go; libpq's stay.
      {"postgresql+asyncpg://u:p@h/db?prepared_statement_cache_size=0&async_fallback=true"
       "&application_name=api",
       "postgresql://u:p@h/db?application_name=api"},
      {"postgresql+asyncpg://u@h/db?server_settings=x&command_timeout=60", "postgresql://u@h/db"},
      // Unix sockets.
      {"postgresql+asyncpg://u@/db?host=/var/run/postgresql",
       "postgresql://u@/db?host=/var/run/postgresql"},
      {"postgresql+asyncpg:///db?host=%2Ftmp%2Fs&port=5433",
       "postgresql:///db?host=/tmp/s&port=5433"},
      // asyncpg's several hosts.
      {"postgresql+asyncpg://u@/db?host=a:5432&host=b:5433",
       "postgresql://u@/db?host=a,b&port=5432,5433"},
      // Raw and encoded special characters in the password reach libpq encoded.
      {"postgresql+asyncpg://u:s3cr%40t@127.0.0.1:1/db", "postgresql://u:s3cr%40t@127.0.0.1:1/db"},
      {"postgresql://u:p@ss@h/db", "postgresql://u:p%40ss@h/db"},
      {"postgresql://u:p/ss@h/db", "postgresql://u:p%2Fss@h/db"},
      {"postgresql://u:p?ss@h/db", "postgresql://u:p%3Fss@h/db"},
      {"postgresql://u:50%off@h/db", "postgresql://u:50%25off@h/db"},
      {"postgresql://h/db?user=a@b", "postgresql://h/db?user=a@b"},
      // key=value strings pass as written.
      {"host=h dbname=db password='two words'", "host=h dbname=db password='two words'"},
  };
  for (const Case& c : cases) {
    const Expected<std::string> url = ToLibpqUrl(c.input);
    ASSERT_TRUE(url.ok()) << c.input << ": " << url.error().message;
    EXPECT_EQ(url.value(), c.expected) << c.input;
    // Converting again changes nothing.
    EXPECT_EQ(ToLibpqUrl(url.value()).value(), url.value()) << c.input;
  }
}

TEST(ToLibpqUrl, RefusesOtherDatabasesWithoutThePassword) {
  const std::vector<Case> cases = {
      {"mysql://root:hunter22@h/db", "not a PostgreSQL URL (scheme \"mysql\")"},
      {"mysql+pymysql://root:hunter22@h/db", "not a PostgreSQL URL"},
      {"sqlite:///app.db", "not a PostgreSQL URL (scheme \"sqlite\")"},
      {"driver://user:pass@localhost/dbname", "placeholder of Alembic's alembic.ini template"},
      {"postgresql+foo://u:hunter22@h/db", "unknown PostgreSQL driver \"foo\""},
      {"postgresql+asyncpg://u:hunter22@h/db?ssl=maybe", "ssl=maybe is not a mode"},
      {"u:hunter22@h/db", "not a PostgreSQL connection URL"},
      {"", "the database URL is empty"},
      {"host=h password=hunter22 words", "a word without \"=\""},
      {"host=h password='hunter22", "a quote is never closed"},
  };
  for (const Case& c : cases) {
    const Expected<std::string> url = ToLibpqUrl(c.input);
    ASSERT_FALSE(url.ok()) << c.input;
    EXPECT_EQ(url.error().kind, ErrorKind::kInput);
    EXPECT_NE(url.error().message.find(c.expected), std::string::npos) << url.error().message;
    if (c.input.find("ssl=") == std::string::npos) {
      EXPECT_NE(url.error().message.find("expected postgresql://"), std::string::npos)
          << url.error().message;
    }
    EXPECT_EQ(url.error().message.find("hunter22"), std::string::npos) << url.error().message;
  }
}

TEST(MaskPassword, EveryForm) {
  const std::vector<Case> cases = {
      {"postgresql://u:secret@h/db", "postgresql://u:***@h/db"},
      {"postgres://app:p%40ss@db.example.com:6432/main?sslmode=require",
       "postgres://app:***@db.example.com:6432/main?sslmode=require"},
      // Raw '@', '/', '?', '%', ':' in the password.
      {"postgresql://u:a@b/c@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:pa/ss@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:pa?ss@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:pa?s=s@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:50%off@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:a:b@h/db", "postgresql://u:***@h/db"},
      {"postgresql://u:p@ss@h/db?user=x&password=y", "postgresql://u:***@h/db?user=x&password=***"},
      // Query parameters, key names encoded or not, raw '&' in the value.
      {"postgresql://h/db?user=u&password=secret&sslmode=disable",
       "postgresql://h/db?user=u&password=***&sslmode=disable"},
      {"postgresql://h/db?password=secret", "postgresql://h/db?password=***"},
      {"postgresql://h/db?sslpassword=secret", "postgresql://h/db?sslpassword=***"},
      {"postgresql://h/db?pass%77ord=secret", "postgresql://h/db?pass%77ord=***"},
      {"postgresql://h/db?PASSWORD=secret", "postgresql://h/db?PASSWORD=***"},
      {"postgresql://h/db?password=a&b&sslmode=require",
       "postgresql://h/db?password=***&sslmode=require"},
      {"postgresql://h/db?password=a&b", "postgresql://h/db?password=***"},
      // Scheme in any case, SQLAlchemy forms.
      {"POSTGRESQL://u:secret@h/db", "POSTGRESQL://u:***@h/db"},
      {"postgresql+asyncpg://u:s3cr%40t@127.0.0.1:1/db",
       "postgresql+asyncpg://u:***@127.0.0.1:1/db"},
      {"postgresql+psycopg2://u:secret@h/db", "postgresql+psycopg2://u:***@h/db"},
      {"mysql://root:secret@h/db", "mysql://root:***@h/db"},
      {"driver://user:pass@localhost/dbname", "driver://user:***@localhost/dbname"},
      // Malformed hosts.
      {"postgresql://u:secret@[::1/db", "postgresql://u:***@[::1/db"},
      {"postgresql://u:secret@h:notaport:x/db", "postgresql://u:***@h:notaport:x/db"},
      {"postgresql://u:secret@", "postgresql://u:***@"},
      // No password: unchanged.
      {"postgresql://u@h:5432/db", "postgresql://u@h:5432/db"},
      {"postgresql:///db?host=/tmp/s&port=5432&user=stairway",
       "postgresql:///db?host=/tmp/s&port=5432&user=stairway"},
      {"postgresql://h:5432/db", "postgresql://h:5432/db"},
      // key=value strings: quoted with spaces, unquoted, running on over bare words.
      {"host=h user=u password=secret dbname=db", "host=h user=u password=*** dbname=db"},
      {"host=h password = 'se cr\\'et' dbname=db", "host=h password = *** dbname=db"},
      {"password=a\\ b", "password=***"},
      {"host=h password=two words here dbname=db", "host=h password=*** dbname=db"},
      {"host=h password=two words", "host=h password=***"},
      {"password='never closed", "password=***"},
      {"sslpassword=secret host=h", "sslpassword=*** host=h"},
      {"host=h dbname=postgresql://u:secret@h/db", "host=h dbname=postgresql://u:***@h/db"},
      {"host=h dbname=db", "host=h dbname=db"},
      // Without a scheme.
      {"u:secret@h/db", "u:***@h/db"},
      {"", ""},
  };
  for (const Case& c : cases) EXPECT_EQ(MaskPassword(c.input), c.expected) << c.input;
}

TEST(ScrubPasswords, TakesThePasswordOutOfLibpqText) {
  // What libpq 15 says about malformed strings: it echoes a word of the text.
  EXPECT_EQ(ScrubPasswords("missing \"=\" after \"words\" in connection info string",
                           "host=h password=two words"),
            "missing \"=\" after \"***\" in connection info string");
  EXPECT_EQ(ScrubPasswords("invalid URI query parameter: \"defg\"",
                           "postgresql://h/db?password=abc&defg&hij"),
            "invalid URI query parameter: \"***\"");
  EXPECT_EQ(ScrubPasswords("password authentication failed for user \"u\"",
                           "postgresql://u:s3cr%40t@h/db"),
            "password authentication failed for user \"u\"");
  // A short password is taken out only where libpq quotes it whole.
  EXPECT_EQ(ScrubPasswords("user \"u\": invalid value \"pw\"", "postgresql://u:pw@h/db"),
            "user \"u\": invalid value \"***\"");
  EXPECT_EQ(ScrubPasswords("echo s3cr@t and s3cr%40t", "postgresql://u:s3cr%40t@h/db"),
            "echo *** and ***");
}

TEST(WithConnectTimeout, AddsOnlyWhenTheUrlHasNone) {
  EXPECT_EQ(WithConnectTimeout("postgresql://h/db", 10), "postgresql://h/db?connect_timeout=10");
  EXPECT_EQ(WithConnectTimeout("postgresql://h/db?sslmode=require", 3),
            "postgresql://h/db?sslmode=require&connect_timeout=3");
  EXPECT_EQ(WithConnectTimeout("postgresql://h/db?connect_timeout=60", 3),
            "postgresql://h/db?connect_timeout=60");
  EXPECT_EQ(WithConnectTimeout("host=h dbname=db ", 10), "host=h dbname=db connect_timeout=10");
  EXPECT_EQ(WithConnectTimeout("host=h connect_timeout=1", 10), "host=h connect_timeout=1");
}

TEST(WithDatabase, SqlalchemyUrlsBecomeLibpqOnes) {
  EXPECT_EQ(WithDatabase("postgresql+asyncpg://u:p@ss@h/old?ssl=require", "new"),
            "postgresql://u:p%40ss@h/new?sslmode=require");
}

}  // namespace
}  // namespace stairway::db

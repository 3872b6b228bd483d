// cli::ReadDotEnv on the .env spellings FastAPI projects use, and the duration flags' limits.
#include <gtest/gtest.h>

#include <fstream>

#include "cli/runner_support.h"
#include "tests/support/temp_dir.h"

namespace stairway::cli {
namespace {

struct Case {
  std::string file;
  std::optional<std::string> value;
};

TEST(ReadDotEnv, Spellings) {
  const stairway::testing::TempDir dir("stairway-dotenv");
  const std::string path = (dir.path() / ".env").string();
  const std::vector<Case> cases = {
      {"DATABASE_URL=postgresql://h/db\n", "postgresql://h/db"},
      {"export DATABASE_URL=postgresql://h/db\n", "postgresql://h/db"},
      {"export\tDATABASE_URL = postgresql://h/db\n", "postgresql://h/db"},
      {"DATABASE_URL=postgresql://h/db\r\n", "postgresql://h/db"},
      {"\xEF\xBB\xBF"
       "DATABASE_URL=postgresql://h/db\n",
       "postgresql://h/db"},
      {"DATABASE_URL=postgresql://h/db # the dev one\n", "postgresql://h/db"},
      {"DATABASE_URL=postgresql://u:p#ss@h/db\n", "postgresql://u:p#ss@h/db"},
      {"DATABASE_URL='postgresql://u:p #s\\n@h/db' # note\n", "postgresql://u:p #s\\n@h/db"},
      {"DATABASE_URL=\"postgresql://u:p\\\"q\\\\@h/db\" # note\n", "postgresql://u:p\"q\\@h/db"},
      {"# DATABASE_URL=postgresql://old/db\n", std::nullopt},
      {"DATABASE_URL=#nothing\n", ""},
      {"DATABASE_URL=${DB}\n", "${DB}"},  // not expanded
      {"DATABASE_URL=postgresql://a/db\nDATABASE_URL=postgresql://b/db\n", "postgresql://b/db"},
      {"OTHER_DATABASE_URL=postgresql://a/db\n", std::nullopt},
  };
  for (const Case& c : cases) {
    std::ofstream(path, std::ios::trunc) << c.file;
    EXPECT_EQ(ReadDotEnv(path, "DATABASE_URL"), c.value) << c.file;
  }
  EXPECT_EQ(ReadDotEnv(dir.path().string(), "DATABASE_URL"), std::nullopt);  // a directory
}

TEST(Durations, TooLongIsAnInputError) {
  EXPECT_EQ(ParseWait("10s", "--lock-wait"), std::chrono::seconds(10));
  EXPECT_EQ(ParseWait("8760h", "--lock-wait"), std::chrono::hours(8760));
  for (const char* text : {"99999999999999h", "8761h", "1e400", "abc", "5d"}) {
    try {
      (void)ParseWait(text, "--lock-wait");
      ADD_FAILURE() << text;
    } catch (const StopError& error) {
      EXPECT_EQ(error.kind(), ErrorKind::kInput) << text;
    }
  }
  EXPECT_EQ(CheckTimeoutSetting("24d", "--lock-timeout"), "24d");
  EXPECT_THROW(CheckTimeoutSetting("25d", "--lock-timeout"), StopError);
  EXPECT_THROW(CheckTimeoutSetting("5m", "--lock-timeout"), StopError);  // PostgreSQL: no "m"
  EXPECT_EQ(ParseConnectTimeout("10", "--connect-timeout"), 10);
  EXPECT_EQ(ParseConnectTimeout("1500ms", "--connect-timeout"), 2);
  EXPECT_EQ(ParseConnectTimeout("0", "--connect-timeout"), 0);
  EXPECT_THROW(ParseConnectTimeout("99999999999999h", "--connect-timeout"), StopError);
}

}  // namespace
}  // namespace stairway::cli

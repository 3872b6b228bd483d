// Tests for runner/source on the fixture sets: every good set per format loads with the right
// revisions, and every fixtures/bad/<class>/ gives exactly its expected_error.txt.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "runner/common/checksum.h"
#include "runner/source/migration.h"
#include "tests/support/paths.h"

namespace stairway::source {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Messages carry paths as the user gave them; the fixtures' expected texts are written for a
// run from the repository root with relative paths, as the CLI tests run them.
class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(saved_); }

 private:
  fs::path saved_;
};

MigrationSet LoadOk(const fs::path& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format);
  if (!set.ok()) ADD_FAILURE() << set.error().message;
  return set.ok() ? std::move(set).value() : MigrationSet{};
}

struct Expect {
  std::string version;
  std::string name;
  int up_first_line;
  TxMode up_tx;
  int down_first_line;  // 0: no down
  TxMode down_tx;
};

void CheckRevisions(const MigrationSet& set, const std::vector<Expect>& expected) {
  ASSERT_EQ(set.revisions.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const Revision& r = set.revisions[i];
    const Expect& e = expected[i];
    SCOPED_TRACE(r.Label());
    EXPECT_EQ(r.version, e.version);
    EXPECT_EQ(r.name, e.name);
    EXPECT_EQ(r.up.first_line, e.up_first_line);
    EXPECT_EQ(r.up.tx_mode, e.up_tx);
    EXPECT_EQ(r.checksum, MigrationChecksum(r.up.sql));
    EXPECT_EQ(r.checksum.size(), 64u);
    if (i == 0) {
      EXPECT_TRUE(r.parents.empty());
    } else {
      EXPECT_EQ(r.parents, std::vector<std::string>{set.revisions[i - 1].version});
    }
    ASSERT_EQ(r.down.has_value(), e.down_first_line != 0);
    if (r.down) {
      EXPECT_EQ(r.down->first_line, e.down_first_line);
      EXPECT_EQ(r.down->tx_mode, e.down_tx);
    }
  }
  EXPECT_EQ(set.Heads(), std::vector<std::string>{set.revisions.back().version});
}

constexpr TxMode kTx = TxMode::kTransaction;
constexpr TxMode kNoTx = TxMode::kNone;

TEST(SourceFormats, Stairway) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/stairway");
  EXPECT_EQ(set.format, Format::kStairway);
  CheckRevisions(set, {{"0001", "create_users", 3, kTx, 12, kTx},
                       {"0002", "create_message_role", 2, kTx, 5, kTx},
                       {"0003", "create_messages", 2, kTx, 12, kTx},
                       {"0004", "index_messages_by_user", 3, kNoTx, 7, kNoTx}});
  const Revision& r = set.revisions[1];
  EXPECT_EQ(r.up.sql, "CREATE TYPE message_role AS ENUM ('user', 'assistant', 'system');\n\n");
  EXPECT_EQ(r.down->sql, "DROP TYPE message_role;\n");
  EXPECT_EQ(r.up.path, testing::FixturesDir() / "formats/stairway/0002_create_message_role.sql");
  EXPECT_EQ(r.down->path, r.up.path);
}

TEST(SourceFormats, GolangMigrateSortsVersionsAsNumbers) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/golang-migrate");
  EXPECT_EQ(set.format, Format::kGolangMigrate);
  CheckRevisions(set, {{"1", "create_accounts", 1, kTx, 1, kTx},
                       {"2", "create_task_status", 1, kTx, 1, kTx},
                       {"9", "create_tasks", 1, kTx, 1, kTx},
                       {"10", "index_tasks_by_status", 1, kNoTx, 1, kNoTx}});
  const Revision& r = set.revisions[3];
  EXPECT_EQ(r.up.path.filename(), "10_index_tasks_by_status.up.sql");
  EXPECT_EQ(r.down->path.filename(), "10_index_tasks_by_status.down.sql");
  EXPECT_EQ(r.up.sql, ReadAll(r.up.path));
}

// "0157.up.sql": a version with no name part is read, paired with its down, labelled "0157".
TEST(SourceFormats, GolangMigrateVersionsWithoutAName) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/golang-migrate-unnamed");
  EXPECT_EQ(set.format, Format::kGolangMigrate);
  CheckRevisions(set, {{"0156", "create_accounts", 1, kTx, 1, kTx},
                       {"0157", "", 1, kTx, 1, kTx},
                       {"0158", "", 1, kTx, 1, kTx}});
  EXPECT_EQ(set.revisions[1].Label(), "0157");
  EXPECT_EQ(set.revisions[1].down->path.filename(), "0157.down.sql");
  EXPECT_EQ(set.revisions[1].parents, std::vector<std::string>{"0156"});
}

TEST(SourceFormats, Flyway) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/flyway");
  EXPECT_EQ(set.format, Format::kFlyway);
  CheckRevisions(set, {{"1", "create_customers", 1, kTx, 1, kTx},
                       {"1.1", "create_order_status", 1, kTx, 1, kTx},
                       {"2", "create_orders", 1, kTx, 1, kTx},
                       {"2.1", "index_orders_by_customer", 1, kTx, 1, kTx}});
  EXPECT_EQ(set.revisions[3].up.path.filename(), "V2_1__index_orders_by_customer.sql");
  EXPECT_EQ(set.revisions[3].down->path.filename(), "U2_1__index_orders_by_customer.sql");
  for (const Revision& r : set.revisions) EXPECT_FALSE(r.repeatable);
}

TEST(SourceFormats, FlywayRepeatableComesLastWithoutDown) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/flyway-repeatable");
  CheckRevisions(set, {{"1", "create_products", 1, kTx, 1, kTx},
                       {"R__active_products_view", "active_products_view", 1, kTx, 0, kTx}});
  EXPECT_FALSE(set.revisions[0].repeatable);
  EXPECT_TRUE(set.revisions[1].repeatable);
}

TEST(SourceFormats, GooseKeepsStatementBlocks) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "formats/goose");
  EXPECT_EQ(set.format, Format::kGoose);
  CheckRevisions(set, {{"20240105093000", "create_projects", 2, kTx, 11, kTx},
                       {"20240105093500", "touch_updated_at", 2, kTx, 16, kTx},
                       {"20240112160000", "create_project_members", 2, kTx, 12, kTx},
                       {"20240201120000", "index_members_by_role", 3, kNoTx, 6, kNoTx}});
  const std::string& sql = set.revisions[1].up.sql;
  EXPECT_TRUE(sql.starts_with("-- +goose StatementBegin\nCREATE FUNCTION touch_updated_at()"));
  EXPECT_NE(sql.find("$$;\n-- +goose StatementEnd\nCREATE TRIGGER"), std::string::npos);
}

TEST(SourceFormats, FailingAndNonTransactionalSets) {
  const MigrationSet failing = LoadOk(testing::FixturesDir() / "failing");
  ASSERT_EQ(failing.revisions.size(), 3u);
  EXPECT_EQ(failing.revisions[2].up.first_line, 3);
  EXPECT_EQ(failing.revisions[2].up.tx_mode, kTx);

  const MigrationSet nontx = LoadOk(testing::FixturesDir() / "nontx");
  ASSERT_EQ(nontx.revisions.size(), 2u);
  EXPECT_EQ(nontx.revisions[1].up.tx_mode, kNoTx);
  EXPECT_EQ(nontx.revisions[1].down->tx_mode, kNoTx);

  const MigrationSet nontx_failing = LoadOk(testing::FixturesDir() / "nontx_failing");
  ASSERT_EQ(nontx_failing.revisions.size(), 2u);
  EXPECT_EQ(nontx_failing.revisions[1].up.tx_mode, kNoTx);
  EXPECT_EQ(nontx_failing.revisions[1].up.first_line, 4);
}

TEST(SourceFormats, MigrationsDirectoryLoadsIfPresent) {
  const fs::path dir = testing::SourceDir() / "migrations";
  if (!fs::exists(dir) || fs::is_empty(dir)) GTEST_SKIP() << "no sample migrations yet";
  const MigrationSet set = LoadOk(dir);
  EXPECT_EQ(set.format, Format::kStairway);
  EXPECT_FALSE(set.revisions.empty());
}

TEST(SourceFormats, ForcedFormat) {
  // Forcing the right format changes nothing.
  const MigrationSet goose = LoadOk(testing::FixturesDir() / "formats/goose", Format::kGoose);
  EXPECT_EQ(goose.format, Format::kGoose);
  EXPECT_EQ(goose.revisions.size(), 4u);
  // Forcing stairway on goose files: their markers are plain comments then.
  ScopedCwd cwd(testing::SourceDir());
  Expected<MigrationSet> wrong = LoadMigrationSet("fixtures/formats/goose", Format::kStairway);
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error().kind, ErrorKind::kInput);
  EXPECT_EQ(wrong.error().message,
            "fixtures/formats/goose/20240105093000_create_projects.sql: no \"-- migrate:up\" "
            "marker; add a line \"-- migrate:up\" above the SQL that applies the migration");
  Expected<MigrationSet> golang =
      LoadMigrationSet("fixtures/formats/golang-migrate", Format::kGoose);
  ASSERT_FALSE(golang.ok());
  EXPECT_EQ(golang.error().message,
            "fixtures/formats/golang-migrate: 8 file names (10_index_tasks_by_status.down.sql, "
            "10_index_tasks_by_status.up.sql, 1_create_accounts.down.sql and 5 more) do not "
            "match the goose pattern <version>_<name>.sql; rename them, or pass another --format");
}

TEST(SourceFormats, ParseFormatNames) {
  EXPECT_EQ(ParseFormat("dbmate"), Format::kStairway);
  EXPECT_EQ(ParseFormat("auto"), Format::kAuto);
  EXPECT_EQ(ParseFormat("golang-migrate"), Format::kGolangMigrate);
  EXPECT_EQ(ParseFormat("liquibase"), std::nullopt);
  for (Format f : {Format::kAuto, Format::kStairway, Format::kGolangMigrate, Format::kFlyway,
                   Format::kGoose, Format::kSqitch}) {
    EXPECT_EQ(ParseFormat(FormatName(f)), f);
  }
}

// Copies a fixture set with every LF turned into CRLF.
fs::path CopyWithCrlf(const fs::path& from, const std::string& tag) {
  const fs::path to = fs::temp_directory_path() /
                      ("stairway_source_crlf_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(to);
  fs::create_directories(to);
  for (const auto& entry : fs::directory_iterator(from)) {
    std::string text = ReadAll(entry.path());
    std::string crlf;
    for (char c : text) {
      if (c == '\n') crlf += '\r';
      crlf += c;
    }
    std::ofstream(to / entry.path().filename(), std::ios::binary) << crlf;
  }
  return to;
}

class SourceCrlf : public ::testing::TestWithParam<std::string> {};

TEST_P(SourceCrlf, ChecksumsAndLinesSurviveCrlf) {
  const fs::path original = testing::FixturesDir() / "formats" / GetParam();
  const fs::path copy = CopyWithCrlf(original, GetParam());
  const MigrationSet lf = LoadOk(original);
  const MigrationSet crlf = LoadOk(copy);
  fs::remove_all(copy);
  EXPECT_EQ(crlf.format, lf.format);
  ASSERT_EQ(crlf.revisions.size(), lf.revisions.size());
  for (std::size_t i = 0; i < lf.revisions.size(); ++i) {
    const Revision& a = lf.revisions[i];
    const Revision& b = crlf.revisions[i];
    SCOPED_TRACE(a.Label());
    EXPECT_EQ(b.version, a.version);
    EXPECT_EQ(b.checksum, a.checksum);
    EXPECT_EQ(b.up.first_line, a.up.first_line);
    EXPECT_EQ(b.up.tx_mode, a.up.tx_mode);
    EXPECT_NE(b.up.sql.find("\r\n"), std::string::npos);  // the exact file text
    ASSERT_EQ(b.down.has_value(), a.down.has_value());
    if (a.down) {
      EXPECT_EQ(b.down->first_line, a.down->first_line);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Formats, SourceCrlf,
                         ::testing::Values("stairway", "golang-migrate", "flyway", "goose"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// ---- fixtures/bad/<class>/: migrations/ (absent for missing-directory), expected_error.txt,
// optional format.txt naming a forced --format.

std::vector<std::string> BadFixtureClasses() {
  std::vector<std::string> classes;
  for (const auto& entry : fs::directory_iterator(testing::FixturesDir() / "bad")) {
    if (entry.is_directory()) classes.push_back(entry.path().filename().string());
  }
  std::sort(classes.begin(), classes.end());
  return classes;
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

class SourceBadFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(SourceBadFixture, GivesExpectedError) {
  ScopedCwd cwd(testing::SourceDir());
  const fs::path fixture = fs::path("fixtures/bad") / GetParam();
  ASSERT_TRUE(fs::exists(fixture / "expected_error.txt")) << fixture << " lacks expected_error.txt";
  const std::string expected = TrimEnd(ReadAll(fixture / "expected_error.txt"));
  Format format = Format::kAuto;
  if (fs::exists(fixture / "format.txt")) {
    const std::optional<Format> forced = ParseFormat(TrimEnd(ReadAll(fixture / "format.txt")));
    ASSERT_TRUE(forced.has_value());
    format = *forced;
  }
  Expected<MigrationSet> set = LoadMigrationSet(fixture / "migrations", format);
  ASSERT_FALSE(set.ok()) << fixture << " loaded without error";
  EXPECT_EQ(set.error().kind, ErrorKind::kInput);
  EXPECT_EQ(set.error().message, expected);
  EXPECT_EQ(set.error().message.find('\n'), std::string::npos);
  EXPECT_TRUE(set.error().message.starts_with((fixture / "migrations").string()));
  EXPECT_NE(set.error().message.find("; "), std::string::npos) << "no advice in the message";
}

INSTANTIATE_TEST_SUITE_P(Bad, SourceBadFixture, ::testing::ValuesIn(BadFixtureClasses()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(SourceBadFixtures, EveryIssueClassHasAFixture) {
  const std::vector<std::string> classes = BadFixtureClasses();
  for (const char* required :
       {"duplicate-versions", "down-without-up", "undo-without-versioned", "mixed-formats",
        "unreadable-file", "non-utf8", "empty-up-section", "unknown-marker", "unknown-goose-marker",
        "missing-directory", "empty-directory", "missing-up-marker", "unmatched-file-name"}) {
    EXPECT_NE(std::find(classes.begin(), classes.end(), required), classes.end()) << required;
  }
}

}  // namespace
}  // namespace stairway::source

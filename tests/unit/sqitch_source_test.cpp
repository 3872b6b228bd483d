// Tests for the sqitch reader: the flipr-like fixture (plan order, tags, a reworked change,
// verify scripts, psql meta-commands) and bad plans, configs and scripts, each refused with
// its file and line.
#include <gtest/gtest.h>

#include <fstream>

#include "runner/source/migration.h"
#include "tests/support/paths.h"
#include "tests/support/temp_dir.h"

namespace stairway::source {
namespace {

namespace fs = std::filesystem;
using stairway::testing::TempDir;

const fs::path& Flipr() {
  static const fs::path dir = stairway::testing::SourceDir() / "fixtures/sqitch/flipr";
  return dir;
}

MigrationSet LoadOk(const fs::path& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format);
  if (!set.ok()) ADD_FAILURE() << set.error().message;
  return set.ok() ? std::move(set).value() : MigrationSet{};
}

// The message with the directory replaced by "DIR".
std::string LoadError(const fs::path& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format);
  if (set.ok()) return "loaded fine";
  EXPECT_EQ(set.error().kind, ErrorKind::kInput);
  std::string message = set.error().message;
  const std::string prefix = dir.string();
  for (std::size_t at; (at = message.find(prefix)) != std::string::npos;) {
    message.replace(at, prefix.size(), "DIR");
  }
  return message;
}

constexpr std::string_view kStamp = "2024-01-10T10:00:00Z Ann <ann@example.com>";

// A small valid project: plan lines as given, each change with deploy and revert scripts.
class Project {
 public:
  explicit Project(const std::vector<std::string>& plan_lines) : dir_("stairway-sqitch") {
    std::string plan = "%syntax-version=1.0.0\n%project=demo\n\n";
    for (const std::string& line : plan_lines) plan += line + "\n";
    dir_.Write("sqitch.plan", plan);
  }
  void Script(const std::string& rel, const std::string& text) const { dir_.Write(rel, text); }
  const fs::path& path() const { return dir_.path(); }

 private:
  TempDir dir_;
};

std::string Change(const std::string& name, const std::string& deps = "") {
  return name + (deps.empty() ? "" : " [" + deps + "]") + " " + std::string(kStamp) + " # note";
}

TEST(SqitchSource, FliprReadsInPlanOrderWithReworkedChange) {
  const MigrationSet set = LoadOk(Flipr());
  EXPECT_EQ(set.format, Format::kSqitch);
  std::vector<std::string> versions;
  for (const Revision& r : set.revisions) versions.push_back(r.version);
  EXPECT_EQ(versions, (std::vector<std::string>{"appschema", "users", "flips", "userflips",
                                                "insert_user", "change_pass", "hashtags",
                                                "insert_user#2", "flips_created_idx"}));
  const Revision& old_insert = set.revisions[4];
  const Revision& new_insert = set.revisions[7];
  EXPECT_EQ(old_insert.up.path.filename(), "insert_user@v1.0.sql");
  EXPECT_EQ(old_insert.down->path.filename(), "insert_user@v1.0.sql");
  EXPECT_EQ(old_insert.verify->path.filename(), "insert_user@v1.0.sql");
  EXPECT_EQ(new_insert.up.path.filename(), "insert_user.sql");
  EXPECT_EQ(new_insert.Label(), "insert_user#2");
  EXPECT_EQ(new_insert.parents, std::vector<std::string>{"hashtags"});
  for (const Revision& r : set.revisions) {
    EXPECT_TRUE(r.down.has_value()) << r.version;
    EXPECT_TRUE(r.verify.has_value()) << r.version;
    EXPECT_FALSE(r.checksum.empty());
  }
  // BEGIN ... COMMIT scripts run in one transaction; the one without runs statement by
  // statement, as psql runs it (CREATE INDEX CONCURRENTLY needs that).
  EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[8].up.tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[8].down->tx_mode, TxMode::kNone);
}

TEST(SqitchSource, PsqlIncludesAndVariablesAreResolved) {
  const MigrationSet set = LoadOk(Flipr());
  const Section& users = set.revisions[1].up;
  EXPECT_EQ(users.sql.find('\\'), std::string::npos) << users.sql;
  EXPECT_NE(users.sql.find("CREATE TABLE flipr.users ("), std::string::npos) << users.sql;
  EXPECT_NE(users.sql.find("IS 'Registered flipr users';"), std::string::npos) << users.sql;
  // [deploy "variables"] schema = flipr, used as :"schema".
  EXPECT_NE(set.revisions[2].up.sql.find("CREATE TABLE \"flipr\".flips ("), std::string::npos)
      << set.revisions[2].up.sql;
  // Lines of the included file map back to it; lines after the \ir to the script again.
  const auto line_of = [&](std::string_view text) {
    const std::size_t at = users.sql.find(text);
    return 1 + static_cast<int>(std::count(users.sql.begin(), users.sql.begin() + at, '\n'));
  };
  auto [create_file, create_line] = users.Locate(line_of("CREATE TABLE"));
  EXPECT_EQ(create_file.lexically_normal(),
            (Flipr() / "common/users_table.sql").lexically_normal());
  EXPECT_EQ(create_line, 2);
  auto [comment_file, comment_line] = users.Locate(line_of("COMMENT ON"));
  EXPECT_EQ(comment_file, Flipr() / "deploy/users.sql");
  EXPECT_EQ(comment_line, 12);
  // Without an include, lines are the script's own and the meta-command lines stay blank.
  EXPECT_TRUE(set.revisions[0].up.origins.empty());
}

TEST(SqitchSource, FormatForcedOrDetectedFromConfAlone) {
  EXPECT_EQ(LoadOk(Flipr(), Format::kSqitch).revisions.size(), 9u);
  TempDir empty("stairway-sqitch");
  empty.Write("0001_x.sql", "-- migrate:up\nSELECT 1;\n");
  EXPECT_EQ(LoadError(empty.path(), Format::kSqitch),
            "DIR/sqitch.plan: sqitch plan file not found; pass the directory that holds "
            "sqitch.plan");
  // sqitch.conf moves the plan and the script folders.
  TempDir moved("stairway-sqitch");
  moved.Write("sqitch.conf",
              "[core]\n  engine = pg\n  top_dir = db\n  plan_file = db/changes.plan # here\n");
  moved.Write("db/changes.plan", "%project=m\none " + std::string(kStamp) + "\n");
  moved.Write("db/deploy/one.sql", "CREATE TABLE one (id int);\n");
  const MigrationSet set = LoadOk(moved.path());
  ASSERT_EQ(set.revisions.size(), 1u);
  EXPECT_EQ(set.revisions[0].up.path, moved.path() / "db/deploy/one.sql");
  EXPECT_FALSE(set.revisions[0].down.has_value());
}

TEST(SqitchSource, BadPlansNameTheLine) {
  {
    Project p({Change("users", "appschema"), Change("appschema")});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:4: change users requires appschema, which is not earlier in the "
              "plan; add the required change (or tag) above this line, or fix the name");
  }
  {
    Project p({Change("a"), Change("b", "a@v2")});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:5: change b requires a@v2, which is not earlier in the plan; add "
              "the required change (or tag) above this line, or fix the name");
  }
  {
    Project p({Change("a"), Change("b"), Change("a")});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:6: change a is already in the plan (line 4) with no tag in "
              "between; rename one of them, or tag the plan before reworking (`sqitch tag`, then "
              "`sqitch rework`)");
  }
  {
    Project p({Change("a"), "b [a] Ann <ann@example.com>"});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:5: \"Ann\" is not a timestamp; write changes as \"name "
              "[dependencies] 2024-01-31T12:00:00Z Planner Name <email> # note\" and tags as "
              "\"@v1.0 2024-01-31T12:00:00Z Planner Name <email> # note\"");
  }
  {
    Project p({"@v1 " + std::string(kStamp), Change("a")});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:4: tag @v1 comes before any change; put tags after the change "
              "they mark");
  }
  {
    Project p({Change("a"), "b [a 2024-01-10T10:00:00Z Ann <ann@example.com>"});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:5: dependency list without ']'; write changes as \"name "
              "[dependencies] 2024-01-31T12:00:00Z Planner Name <email> # note\" and tags as "
              "\"@v1.0 2024-01-31T12:00:00Z Planner Name <email> # note\"");
  }
  {
    Project p({Change("a")});
    EXPECT_EQ(LoadError(p.path()),
              "DIR/sqitch.plan:4: change a: deploy script DIR/deploy/a.sql not found; add the "
              "script, or remove the change from the plan");
  }
}

TEST(SqitchSource, ReworkNeedsTheEarlierScripts) {
  Project p({Change("a"), "@v1 " + std::string(kStamp), Change("a", "a@v1")});
  p.Script("deploy/a.sql", "CREATE TABLE a (id int);\n");
  EXPECT_EQ(LoadError(p.path()),
            "DIR/sqitch.plan:4: change a is reworked on line 6, but its earlier deploy script "
            "DIR/deploy/a@v1.sql is missing; restore it (`sqitch rework` copies "
            "deploy/<name>.sql to deploy/<name>@<tag>.sql)");
  p.Script("deploy/a@v1.sql", "CREATE TABLE a (id int);\n");
  const MigrationSet set = LoadOk(p.path());
  ASSERT_EQ(set.revisions.size(), 2u);
  EXPECT_EQ(set.revisions[1].version, "a#2");
}

// psql runs a BEGIN ... COMMIT script in that transaction and a script without one statement by
// statement: stairway's transactional section (wrapper blanked, lines kept) and its
// non-transactional one. Several transactions in one script have no equivalent.
TEST(SqitchSource, TransactionShapes) {
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
    p.Script("revert/a.sql", "DROP TABLE a;\n");
    const MigrationSet set = LoadOk(p.path());
    ASSERT_EQ(set.revisions.size(), 1u);
    EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kTransaction);
    EXPECT_EQ(set.revisions[0].up.sql, "      \nCREATE TABLE a (id int);\n       \n");
    EXPECT_EQ(set.revisions[0].down->tx_mode, TxMode::kNone);
  }
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql",
             "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);\n"
             "COMMIT;\n");
    EXPECT_EQ(LoadError(p.path()),
              "DIR/deploy/a.sql:3: deploy script: transaction control other than one BEGIN ... "
              "COMMIT around the script's statements; stairway runs a sqitch script in one "
              "transaction (BEGIN first, COMMIT last) or, without BEGIN/COMMIT, statement by "
              "statement; split the change in two, or use one of these shapes");
  }
}

TEST(SqitchSource, OtherEnginesAreRefused) {
  Project p({Change("a")});
  p.Script("sqitch.conf", "[core]\n\tengine = mysql\n");
  EXPECT_EQ(LoadError(p.path()),
            "DIR/sqitch.conf:2: sqitch engine \"mysql\": stairway runs PostgreSQL (pg) projects "
            "only; point stairway at a sqitch project whose engine is pg");
}

TEST(SqitchSource, UnsupportedMetaCommandIsOneClearError) {
  Project p({Change("a")});
  p.Script("deploy/a.sql",
           "BEGIN;\nCREATE TABLE a (id int, name text);\n\\copy a FROM 'a.csv' WITH (FORMAT "
           "csv)\nCOMMIT;\n");
  EXPECT_EQ(LoadError(p.path()),
            "DIR/deploy/a.sql:3: psql meta-command \\copy is not supported (stairway handles \\i, "
            "\\ir, \\set, \\unset, \\if/\\elif/\\else/\\endif and output commands such as "
            "\\echo); stairway sends SQL to the server only: load the data with COPY ... FROM "
            "STDIN outside the migration, or with INSERT statements in the script");
}

TEST(SqitchSource, PsqlConditionalsVariablesAndQuotes) {
  Project p({Change("a")});
  p.Script("deploy/a.sql",
           "\\set with_index true\n"
           "\\set owner 'app''s'\n"
           "SELECT 'a \\ b', $$ :owner \\x $$, E'\\\\';\n"
           "\\if :with_index\n"
           "CREATE INDEX i ON t (c);\n"
           "\\else\n"
           "DROP INDEX i;\n"
           "\\endif\n"
           "COMMENT ON TABLE t IS :'owner'; -- :'not_a_variable'\n"
           "SELECT x[1:n] FROM t;\n");
  const MigrationSet set = LoadOk(p.path());
  ASSERT_EQ(set.revisions.size(), 1u);
  EXPECT_EQ(set.revisions[0].up.sql,
            "\n\nSELECT 'a \\ b', $$ :owner \\x $$, E'\\\\';\n\nCREATE INDEX i ON t (c);\n\n\n\n"
            "COMMENT ON TABLE t IS 'app''s'; -- :'not_a_variable'\nSELECT x[1:n] FROM t;\n");
}

TEST(SqitchSource, PsqlErrorsNameFileAndLine) {
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "SELECT 1;\nCOMMENT ON TABLE t IS :'missing';\n");
    EXPECT_EQ(LoadError(p.path()),
              "DIR/deploy/a.sql:2: psql variable :'missing' is not set; set it with \\set "
              "missing <value> before this line, or under [deploy \"variables\"] in sqitch.conf");
  }
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "SELECT 1;\n\n\\ir nowhere.sql\n");
    EXPECT_EQ(LoadError(p.path()),
              "DIR/deploy/a.sql:3: \\ir nowhere.sql: no such file (DIR/deploy/nowhere.sql); \\ir "
              "paths are relative to the including file");
  }
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "\\i ../../etc/passwd\n");
    const std::string error = LoadError(p.path());
    EXPECT_NE(error.find("DIR/deploy/a.sql:1: \\i ../../etc/passwd names a file outside the "
                         "project"),
              std::string::npos)
        << error;
  }
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "\\if yes\nSELECT 1;\n");
    EXPECT_EQ(LoadError(p.path()),
              "DIR/deploy/a.sql: \\if without \\endif (psql needs it in the same file); add the "
              "\\endif");
  }
  {
    Project p({Change("a")});
    p.Script("deploy/a.sql", "\\i deploy/a.sql\n");
    const std::string error = LoadError(p.path());
    EXPECT_NE(error.find("files include each other more than 16 deep"), std::string::npos) << error;
  }
}

}  // namespace
}  // namespace stairway::source

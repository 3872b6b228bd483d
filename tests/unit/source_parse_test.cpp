// Tests for runner/source on small generated directories: marker edge cases per format,
// version ordering, unreadable files, and the revision graph (parents, order, heads).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "runner/source/graph.h"
#include "runner/source/migration.h"

namespace stairway::source {
namespace {

namespace fs = std::filesystem;

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    static int counter = 0;
    path_ = fs::temp_directory_path() / ("stairway_source_test_" + std::to_string(::getpid()) +
                                         "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::permissions(path_, fs::perms::owner_all, fs::perm_options::add, ec);
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
    return path_ / name;
  }

 private:
  fs::path path_;
};

MigrationSet LoadOk(const fs::path& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format);
  if (!set.ok()) ADD_FAILURE() << set.error().message;
  return set.ok() ? std::move(set).value() : MigrationSet{};
}

// The message with the temp directory replaced by "DIR", so expectations read plainly.
std::string LoadError(const TempDir& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir.path(), format);
  if (set.ok()) return "loaded fine";
  EXPECT_EQ(set.error().kind, ErrorKind::kInput);
  std::string message = set.error().message;
  const std::string prefix = dir.path().string();
  for (std::size_t at; (at = message.find(prefix)) != std::string::npos;) {
    message.replace(at, prefix.size(), "DIR");
  }
  return message;
}

TEST(SourceVersions, NumericOrdering) {
  EXPECT_LT(CompareVersions("2", "10"), 0);
  EXPECT_GT(CompareVersions("10", "9"), 0);
  EXPECT_EQ(CompareVersions("0004", "4"), 0);
  EXPECT_LT(CompareVersions("1", "1.1"), 0);
  EXPECT_LT(CompareVersions("1.1", "1.2"), 0);
  EXPECT_LT(CompareVersions("1.2", "1.10"), 0);
  EXPECT_LT(CompareVersions("1.10", "2"), 0);
  EXPECT_EQ(CompareVersions("1", "1.0"), 0);
  EXPECT_EQ(CompareVersions("1.0.0", "1"), 0);
  EXPECT_LT(CompareVersions("20240105093000", "20240105093500"), 0);
  // Longer than 64 bits still compares as a number.
  EXPECT_LT(CompareVersions("99999999999999999999", "100000000000000000000"), 0);
  // Numbers sort before words; words compare bytewise.
  EXPECT_LT(CompareVersions("10", "R__view"), 0);
  EXPECT_LT(CompareVersions("R__a", "R__b"), 0);
  EXPECT_EQ(CompareVersions("", ""), 0);
}

TEST(SourceVersions, FindMatchesNumerically) {
  TempDir dir;
  dir.Write("0004_a.sql", "-- migrate:up\nSELECT 1;\n");
  dir.Write("0010_b.sql", "-- migrate:up\nSELECT 2;\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_NE(set.Find("4"), nullptr);
  EXPECT_EQ(set.Find("4")->version, "0004");
  EXPECT_EQ(set.IndexOf("0010"), 1);
  EXPECT_EQ(set.IndexOf("10"), 1);
  EXPECT_EQ(set.Find("5"), nullptr);
  EXPECT_EQ(set.Heads(), std::vector<std::string>{"0010"});
}

TEST(SourceStairway, SectionsInEitherOrderAndExactText) {
  TempDir dir;
  dir.Write("1_x.sql",
            "-- header comment\n"
            "-- migrate:down\n"
            "DROP TABLE t;\n"
            "-- migrate:up\n"
            "CREATE TABLE t (id int);\n"
            "CREATE INDEX ON t (id);");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 1u);
  const Revision& r = set.revisions[0];
  EXPECT_EQ(r.up.sql, "CREATE TABLE t (id int);\nCREATE INDEX ON t (id);");
  EXPECT_EQ(r.up.first_line, 5);
  EXPECT_EQ(r.down->sql, "DROP TABLE t;\n");
  EXPECT_EQ(r.down->first_line, 3);
  EXPECT_EQ(r.Label(), "1_x");
}

TEST(SourceStairway, NoTransactionMarkers) {
  TempDir dir;
  // stairway's own marker inside one section, dbmate's option on the other.
  dir.Write("1_a.sql",
            "-- migrate:up\n-- stairway:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n"
            "-- migrate:down\nDROP INDEX i;\n");
  // Above both sections it covers the whole file.
  dir.Write("2_b.sql",
            "-- stairway:no-transaction\n-- migrate:up\nVACUUM t;\n-- migrate:down "
            "transaction:false\nSELECT 1;\n");
  dir.Write("3_c.sql", "--migrate:up   transaction:false  \nSELECT 1;\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 3u);
  EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[0].down->tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[1].up.tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[1].down->tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[2].up.tx_mode, TxMode::kNone);
}

// A blank down section is a down that does nothing (dbmate runs it); only a missing one is
// irreversible.
TEST(SourceStairway, BlankDownIsADownNoDownIsIrreversible) {
  TempDir dir;
  dir.Write("1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:down\n\n-- nothing to undo\n");
  dir.Write("2_b.sql", "-- migrate:up\nSELECT 2;\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 2u);
  ASSERT_TRUE(set.revisions[0].down.has_value());
  EXPECT_EQ(set.revisions[0].down->sql, "\n-- nothing to undo\n");
  EXPECT_FALSE(set.revisions[1].down.has_value());
}

TEST(SourceMarkers, IrreversibleMarkerInEveryFormat) {
  TempDir stairway;
  stairway.Write("1_a.sql", "-- stairway:irreversible\n-- migrate:up\nSELECT 1;\n");
  stairway.Write("2_b.sql", "-- migrate:up\nSELECT 2;\n-- migrate:down\nSELECT 3;\n");
  const MigrationSet a = LoadOk(stairway.path());
  ASSERT_EQ(a.revisions.size(), 2u);
  EXPECT_TRUE(a.revisions[0].irreversible_marker);
  EXPECT_FALSE(a.revisions[1].irreversible_marker);

  TempDir goose;
  goose.Write("1_a.sql", "-- +goose Up\n-- stairway:irreversible\nSELECT 1;\n");
  EXPECT_TRUE(LoadOk(goose.path()).revisions[0].irreversible_marker);

  TempDir golang;
  golang.Write("1_a.up.sql", "SELECT 1;\n");
  golang.Write("1_a.down.sql", "-- stairway:irreversible\nSELECT 2;\n");
  const MigrationSet g = LoadOk(golang.path());
  EXPECT_TRUE(g.revisions[0].irreversible_marker);
  EXPECT_TRUE(g.revisions[0].down.has_value());

  TempDir flyway;
  flyway.Write("V1__a.sql", "-- stairway:irreversible\nSELECT 1;\n");
  EXPECT_TRUE(LoadOk(flyway.path()).revisions[0].irreversible_marker);
}

TEST(SourceStairway, ByteOrderMarkIsDropped) {
  TempDir dir;
  dir.Write("1_a.sql", "\xEF\xBB\xBF-- migrate:up\nSELECT 1;\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 1u);
  EXPECT_EQ(set.revisions[0].up.sql, "SELECT 1;\n");
}

TEST(SourceStairway, MarkerErrors) {
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\nSELECT 1;\n-- migrate:up\nSELECT 2;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:3: second \"-- migrate:up\" marker (the first is on line 1); keep one "
              "up and one down section per file");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\n-- stairway:no-transactoin\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:2: unknown marker \"-- stairway:no-transactoin\"; the stairway "
              "markers are \"-- stairway:no-transaction\", \"-- stairway:irreversible\" and "
              "\"-- stairway:data-change REASON\" (lint "
              "suppressions are \"-- stairway:ignore RULE REASON\" and \"-- stairway:ignore-file "
              "RULE\")");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\n-- +goose Up\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql: file has both \"-- migrate:\" and \"-- +goose\" markers; use one "
              "marker style per file, or pass --format");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\n/* a\n   multi-line comment */\n\n-- migrate:down\nX;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:1: up section is empty (only whitespace or comments); put the "
              "migration's SQL below \"-- migrate:up\"");
  }
}

TEST(SourceGoose, MarkersAreCaseInsensitiveAndNoTransactionCoversBoth) {
  TempDir dir;
  dir.Write("1_a.sql",
            "-- +goose up\nCREATE INDEX CONCURRENTLY i ON t (x);\n-- +goose down\n"
            "DROP INDEX CONCURRENTLY i;\n-- +goose no   transaction\n");
  const MigrationSet set = LoadOk(dir.path());
  EXPECT_EQ(set.format, Format::kGoose);
  ASSERT_EQ(set.revisions.size(), 1u);
  EXPECT_EQ(set.revisions[0].up.tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[0].down->tx_mode, TxMode::kNone);
  EXPECT_EQ(set.revisions[0].down->sql, "DROP INDEX CONCURRENTLY i;\n-- +goose no   transaction\n");
}

TEST(SourceGoose, BlockErrors) {
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- +goose Up\nSELECT 1;\n-- +goose StatementEnd\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:3: \"-- +goose StatementEnd\" without a StatementBegin; add \"-- "
              "+goose StatementBegin\" before the statement or remove this line");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql",
              "-- +goose Up\n-- +goose StatementBegin\n-- +goose StatementBegin\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:3: \"-- +goose StatementBegin\" inside the block opened on line 2; "
              "close that block with \"-- +goose StatementEnd\" first");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- +goose StatementBegin\n-- +goose Up\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:1: \"-- +goose StatementBegin\" outside an Up or Down section; move "
              "it below \"-- +goose Up\" or \"-- +goose Down\"");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- +goose ENVSUB ON\n-- +goose Up\nSELECT '${X}';\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:1: \"-- +goose ENVSUB ON\" is not supported by stairway; write the "
              "values into the SQL and remove the ENVSUB markers");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- +goose Down\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql: no \"-- +goose Up\" marker; add a line \"-- +goose Up\" above the SQL "
              "that applies the migration");
  }
}

// An empty down file is a down that does nothing (golang-migrate runs it).
TEST(SourceGolangMigrate, EmptyDownFileIsADownAndMarkerPerFile) {
  TempDir dir;
  dir.Write("1_a.up.sql", "CREATE TABLE t (id int);\n");
  dir.Write("1_a.down.sql", "  \n");
  dir.Write("2_b.up.sql", "SELECT 1;\n");
  dir.Write("2_b.down.sql", "-- stairway:no-transaction\nSELECT 2;\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 2u);
  ASSERT_TRUE(set.revisions[0].down.has_value());
  EXPECT_EQ(set.revisions[0].down->sql, "  \n");
  EXPECT_EQ(set.revisions[1].up.tx_mode, TxMode::kTransaction);
  EXPECT_EQ(set.revisions[1].down->tx_mode, TxMode::kNone);
}

TEST(SourceGolangMigrate, DuplicateUpsAndUnmatchedForcedNames) {
  {
    TempDir dir;
    dir.Write("1_a.up.sql", "SELECT 1;\n");
    dir.Write("01_b.up.sql", "SELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.up.sql: version 1 is also used by DIR/01_b.up.sql; give each migration a "
              "unique version");
  }
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir, Format::kGolangMigrate),
              "DIR/1_a.sql: file name does not match the golang-migrate pattern "
              "<version>_<name>.up.sql / .down.sql (or <version>.up.sql / .down.sql); rename it, "
              "or pass another --format");
  }
}

TEST(SourceFlyway, VersionSpellingsAndDuplicates) {
  {
    TempDir dir;
    dir.Write("V10__c.sql", "SELECT 10;\n");
    dir.Write("V2_1__b.sql", "SELECT 21;\n");
    dir.Write("V2__a.sql", "SELECT 2;\n");
    dir.Write("R__z.sql", "SELECT 0;\n");
    dir.Write("R__y.sql", "SELECT 0;\n");
    const MigrationSet set = LoadOk(dir.path());
    std::vector<std::string> versions;
    for (const Revision& r : set.revisions) versions.push_back(r.version);
    EXPECT_EQ(versions, (std::vector<std::string>{"2", "2.1", "10", "R__y", "R__z"}));
    EXPECT_EQ(set.revisions[3].parents, std::vector<std::string>{"10"});
  }
  {
    TempDir dir;
    dir.Write("V1.0__a.sql", "SELECT 1;\n");
    dir.Write("V1__b.sql", "SELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/V1__b.sql: version 1 is also used by DIR/V1.0__a.sql; give each migration a "
              "unique version");
  }
  {
    TempDir dir;
    dir.Write("V1__a.sql", "-- only a comment\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/V1__a.sql: versioned migration is empty (only whitespace or comments); add the "
              "SQL that applies the migration");
  }
  {
    TempDir dir;
    dir.Write("V1..2__a.sql", "SELECT 1;\n");
    EXPECT_EQ(LoadError(dir),
              "DIR/V1..2__a.sql: file name matches no migration format; name it like "
              "0001_name.sql, 0001_name.up.sql, 0001.up.sql or V1__name.sql, or move it out of the "
              "directory");
  }
}

TEST(SourceFiles, IgnoredFilesAndUppercaseExtension) {
  TempDir dir;
  dir.Write("0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  dir.Write("README.md", "docs\n");
  dir.Write(".gitkeep", "");
  dir.Write(".0002_hidden.sql", "not a migration\n");
  fs::create_directories(dir.path() / "archive");
  EXPECT_EQ(LoadOk(dir.path()).revisions.size(), 1u);
  dir.Write("0002_b.SQL", "-- migrate:up\nSELECT 2;\n");
  EXPECT_EQ(LoadError(dir),
            "DIR/0002_b.SQL: file name matches no migration format; name it like 0001_name.sql, "
            "0001_name.up.sql, 0001.up.sql or V1__name.sql, or move it out of the directory");
}

TEST(SourceFiles, DirectoryNamedLikeAMigrationIsUnreadable) {
  TempDir dir;
  dir.Write("0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  fs::create_directories(dir.path() / "0002_b.sql");
  EXPECT_EQ(LoadError(dir),
            "DIR/0002_b.sql: cannot read file (Is a directory); check that it is a readable file");
}

TEST(SourceFiles, PermissionDenied) {
  if (::geteuid() == 0) GTEST_SKIP() << "root reads files whatever their mode";
  TempDir dir;
  const fs::path file = dir.Write("0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  fs::permissions(file, fs::perms::none);
  EXPECT_EQ(LoadError(dir),
            "DIR/0001_a.sql: cannot read file (Permission denied); check that it is a readable "
            "file");
}

TEST(SourceFiles, NotADirectory) {
  TempDir dir;
  const fs::path file = dir.Write("0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  Expected<MigrationSet> set = LoadMigrationSet(file);
  ASSERT_FALSE(set.ok());
  EXPECT_EQ(set.error().message,
            file.string() + ": not a directory; pass the directory that holds the migration files");
}

TEST(SourceFiles, InvalidUtf8Forms) {
  // Overlong encoding, a surrogate and a truncated sequence at the end of the file.
  for (const std::string bad : {"\xC0\xAF", "\xED\xA0\x80", "\xE2\x82"}) {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\nSELECT 'ok \xE2\x82\xAC';\nSELECT '" + bad);
    EXPECT_EQ(LoadError(dir),
              "DIR/1_a.sql:3: invalid UTF-8 (byte 0x" +
                  std::string(bad[0] == '\xC0' ? "C0" : (bad[0] == '\xED' ? "ED" : "E2")) +
                  " at byte column 9); save the file as UTF-8");
  }
}

// ---- graph

Revision Rev(std::string version, std::vector<std::string> parents) {
  Revision r;
  r.version = std::move(version);
  r.parents = std::move(parents);
  return r;
}

std::vector<std::string> Versions(const std::vector<Revision>& revisions) {
  std::vector<std::string> out;
  for (const Revision& r : revisions) out.push_back(r.version);
  return out;
}

TEST(SourceGraph, LinearLinksPrevious) {
  std::vector<Revision> revs{Rev("1", {"x"}), Rev("2", {}), Rev("3", {})};
  LinkLinear(revs);
  EXPECT_TRUE(revs[0].parents.empty());
  EXPECT_EQ(revs[1].parents, std::vector<std::string>{"1"});
  EXPECT_EQ(revs[2].parents, std::vector<std::string>{"2"});
  EXPECT_EQ(Heads(revs), std::vector<std::string>{"3"});
}

TEST(SourceGraph, BranchesAndMergeInTopologicalOrder) {
  // base -> a, base -> b (two branches), m merges a and b; c hangs off a (second head).
  std::vector<Revision> revs{Rev("m", {"a", "b"}), Rev("c", {"a"}), Rev("b", {"base"}),
                             Rev("a", {"base"}), Rev("base", {})};
  Expected<std::vector<Revision>> order = TopologicalOrder(revs, "alembic/versions");
  ASSERT_TRUE(order.ok()) << order.error().message;
  EXPECT_EQ(Versions(*order), (std::vector<std::string>{"base", "a", "b", "c", "m"}));
  EXPECT_EQ(Heads(*order), (std::vector<std::string>{"c", "m"}));
  EXPECT_EQ(AncestorsInclusive(*order, "m"), (std::vector<std::string>{"base", "a", "b", "m"}));
  EXPECT_EQ(AncestorsInclusive(*order, "c"), (std::vector<std::string>{"base", "a", "c"}));
  EXPECT_TRUE(AncestorsInclusive(*order, "nope").empty());
}

TEST(SourceGraph, TiesGoToTheLowerVersion) {
  std::vector<Revision> revs{Rev("10", {}), Rev("9", {}), Rev("2", {"10"})};
  Expected<std::vector<Revision>> order = TopologicalOrder(revs, "d");
  ASSERT_TRUE(order.ok());
  EXPECT_EQ(Versions(*order), (std::vector<std::string>{"9", "10", "2"}));
}

TEST(SourceGraph, Errors) {
  Expected<std::vector<Revision>> unknown = TopologicalOrder({Rev("1", {}), Rev("2", {"7"})}, "d");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInput);
  EXPECT_EQ(unknown.error().message,
            "d: revision 2 names parent 7, which does not exist; fix its parent or add the "
            "missing revision");
  Expected<std::vector<Revision>> cycle =
      TopologicalOrder({Rev("1", {}), Rev("2", {"3"}), Rev("3", {"2"})}, "d");
  ASSERT_FALSE(cycle.ok());
  EXPECT_EQ(cycle.error().message,
            "d: the parents of revision 2 form a cycle; make sure no revision descends from "
            "itself");
  Expected<std::vector<Revision>> twice = TopologicalOrder({Rev("1", {}), Rev("1", {})}, "d");
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().message,
            "d: two revisions have version 1; give each revision a unique version");
}

// `-- stairway:data-change <reason>`: read in every SQL format, at column 1, indented and after a
// statement; never inside a string; a marker without a reason is an input error naming the line.
TEST(DataChangeMarker, EveryFormatColumnOneAndIndented) {
  const std::string backfill = "UPDATE users SET name = upper(name);\n";
  {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\n-- stairway:data-change names are upper-case now\n" +
                             backfill + "-- migrate:down\nSELECT 1;\n");
    dir.Write("2_b.sql", "-- migrate:up\n  -- stairway:data-change  indented reason  \n" +
                             backfill + "-- migrate:down\nSELECT 1;\n");
    dir.Write("3_c.sql", "-- migrate:up\n" + backfill +
                             "SELECT '-- stairway:data-change in a string';\n"
                             "-- migrate:down\nSELECT 1;\n");
    dir.Write("4_d.sql", "-- migrate:up\nUPDATE t SET a = 1; -- stairway:data-change trailing\n");
    const MigrationSet set = LoadOk(dir.path());
    ASSERT_EQ(set.revisions.size(), 4u);
    EXPECT_EQ(set.revisions[0].data_change, "names are upper-case now");
    EXPECT_EQ(set.revisions[1].data_change, "indented reason");
    EXPECT_EQ(set.revisions[2].data_change, std::nullopt);
    EXPECT_EQ(set.revisions[3].data_change, "trailing");
  }
  {
    TempDir dir;
    dir.Write("1_a.up.sql", "-- stairway:data-change up reason\n" + backfill);
    dir.Write("1_a.down.sql", "SELECT 1;\n");
    dir.Write("2_b.up.sql", backfill);
    dir.Write("2_b.down.sql", "\t-- stairway:data-change down reason\nSELECT 1;\n");
    const MigrationSet set = LoadOk(dir.path());
    EXPECT_EQ(set.revisions[0].data_change, "up reason");
    EXPECT_EQ(set.revisions[1].data_change, "down reason");
  }
  {
    TempDir dir;
    dir.Write("V1__a.sql", "-- stairway:data-change flyway reason\n" + backfill);
    dir.Write("V2__b.sql", "  /* stairway:data-change block reason */\n" + backfill);
    const MigrationSet set = LoadOk(dir.path());
    EXPECT_EQ(set.revisions[0].data_change, "flyway reason");
    EXPECT_EQ(set.revisions[1].data_change, "block reason");
  }
  {
    TempDir dir;
    dir.Write("20240101000000_a.sql", "-- +goose Up\n-- stairway:data-change goose reason\n" +
                                          backfill + "-- +goose Down\nSELECT 1;\n");
    dir.Write("20240102000000_b.sql",
              "-- +goose Up\n    -- stairway:data-change goose indented\n" + backfill);
    const MigrationSet set = LoadOk(dir.path());
    EXPECT_EQ(set.revisions[0].data_change, "goose reason");
    EXPECT_EQ(set.revisions[1].data_change, "goose indented");
  }
}

TEST(DataChangeMarker, WithoutAReasonIsAnInputErrorNamingTheLine) {
  const std::string todo =
      "\"-- stairway:data-change\" without a reason; say why the data changes on purpose, e.g. "
      "\"-- stairway:data-change backfill upper-case names\"";
  for (const std::string marker : {"-- stairway:data-change", "   -- stairway:data-change  "}) {
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\nSELECT 1;\n" + marker + "\nUPDATE t SET a = 1;\n");
    EXPECT_EQ(LoadError(dir), "DIR/1_a.sql:3: " + todo) << marker;
  }
  {
    TempDir dir;
    dir.Write("1_a.up.sql", "UPDATE t SET a = 1;\n-- stairway:data-change\n");
    EXPECT_EQ(LoadError(dir), "DIR/1_a.up.sql:2: " + todo);
  }
  {
    TempDir dir;
    dir.Write("V1__a.sql", "-- stairway:data-change\nUPDATE t SET a = 1;\n");
    EXPECT_EQ(LoadError(dir), "DIR/V1__a.sql:1: " + todo);
  }
  {
    TempDir dir;
    dir.Write("20240101000000_a.sql", "-- +goose Up\n-- stairway:data-change\nSELECT 1;\n");
    EXPECT_EQ(LoadError(dir), "DIR/20240101000000_a.sql:2: " + todo);
  }
  {
    // A misspelt marker at column 1 is still an unknown marker.
    TempDir dir;
    dir.Write("1_a.sql", "-- migrate:up\n-- stairway:data-changes x\nSELECT 1;\n");
    const std::string error = LoadError(dir);
    EXPECT_TRUE(error.starts_with("DIR/1_a.sql:2: unknown marker \"-- stairway:data-changes x\";"))
        << error;
  }
}

}  // namespace
}  // namespace stairway::source

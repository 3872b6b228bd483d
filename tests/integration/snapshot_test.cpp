// Catalog snapshots on a real PostgreSQL: the same DDL on two databases (OIDs shifted) gives the
// same bytes; each object kind in fixtures/schema/kinds/ is named exactly by the diff; stairway's
// own tables are left out; a failed CREATE INDEX CONCURRENTLY shows as INVALID.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "runner/common/error.h"
#include "runner/db/session.h"
#include "tests/support/paths.h"
#include "tests/support/test_cluster.h"
#include "verifier/schema/diff.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/snapshot_json.h"
#include "verifier/schema/tracked.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct TestDatabase {
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
  db::Session session;
};

TestDatabase NewDatabase(std::string_view sql = {}) {
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  if (!sql.empty()) session.Exec(sql);
  return {std::move(database), std::move(session)};
}

std::vector<std::string> SortedLines(const schema::Snapshot& a, const schema::Snapshot& b) {
  std::vector<std::string> lines = schema::RenderAll(schema::Compare(a, b));
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::string Oid(db::Session& session, const std::string& cast, const std::string& name) {
  return session.Query("SELECT $1::" + cast + "::oid::text", {name}).rows.at(0).at(0).value();
}

// Objects that exist only to push OIDs forward, dropped again.
constexpr std::string_view kJunk = R"SQL(
DO $$ BEGIN
  FOR i IN 1..40 LOOP
    EXECUTE format('CREATE TABLE junk_%s (id serial PRIMARY KEY, v text)', i);
    EXECUTE format('CREATE TYPE junk_type_%s AS ENUM (''a'')', i);
    EXECUTE format('CREATE FUNCTION junk_fn_%s() RETURNS int LANGUAGE sql AS ''SELECT 1''', i);
  END LOOP;
  FOR i IN 1..40 LOOP
    EXECUTE format('DROP TABLE junk_%s', i);
    EXECUTE format('DROP TYPE junk_type_%s', i);
    EXECUTE format('DROP FUNCTION junk_fn_%s()', i);
  END LOOP;
END $$;
)SQL";

TEST(SnapshotTest, SameDdlGivesIdenticalBytesWhateverTheOids) {
  const std::string rich = ReadFile(FixturesDir() / "schema" / "rich.sql");
  TestDatabase a = NewDatabase(kJunk);
  a.session.Exec(rich);
  TestDatabase b = NewDatabase(rich);
  ASSERT_NE(Oid(a.session, "regclass", "public.users"), Oid(b.session, "regclass", "public.users"));
  ASSERT_NE(Oid(a.session, "regtype", "public.message_role"),
            Oid(b.session, "regtype", "public.message_role"));

  const schema::Snapshot snap_a = schema::TakeSnapshot(a.session);
  const schema::Snapshot snap_b = schema::TakeSnapshot(b.session);
  const std::string json_a = schema::SnapshotToJson(snap_a);
  EXPECT_EQ(json_a, schema::SnapshotToJson(snap_b));
  EXPECT_EQ(schema::Compare(snap_a, snap_b), std::vector<schema::Difference>{});
  // Taking it twice on the same session gives the same bytes too.
  EXPECT_EQ(json_a, schema::SnapshotToJson(schema::TakeSnapshot(a.session)));

  // The rich fixture has every kind the snapshot covers.
  std::set<std::string> kinds;
  for (const schema::Object& o : snap_a.objects) kinds.insert(o.kind);
  const std::set<std::string> expected = {"aggregate",
                                          "cast",
                                          "collation",
                                          "column",
                                          "constraint",
                                          "default privileges",
                                          "event trigger",
                                          "extension",
                                          "function",
                                          "index",
                                          "materialized view",
                                          "operator",
                                          "policy",
                                          "procedure",
                                          "publication",
                                          "rule",
                                          "schema",
                                          "sequence",
                                          "statistics",
                                          "table",
                                          "trigger",
                                          "type",
                                          "view"};
  EXPECT_EQ(kinds, expected);
  EXPECT_EQ(json_a.find("stairway_history"), std::string::npos);
  EXPECT_EQ(json_a.find("gbt_"), std::string::npos) << "btree_gist members must be left out";
  // The session's own settings are restored after the snapshot.
  EXPECT_EQ(a.session.Query("SHOW search_path").rows.at(0).at(0), "\"$user\", public");
  EXPECT_EQ(a.session.Query("SHOW jit").rows.at(0).at(0), "on");  // off only for the snapshot
}

// The end-of-roundtrip check reads the catalog through the tracked catalog's own queries: the
// same bytes as TakeSnapshot, for every kind.
TEST(SnapshotTest, TrackedCatalogReadAllGivesTakeSnapshotsBytes) {
  TestDatabase a = NewDatabase(ReadFile(FixturesDir() / "schema" / "rich.sql"));
  std::optional<schema::TrackedCatalog> tracked = schema::TrackedCatalog::Start(a.session);
  ASSERT_TRUE(tracked.has_value()) << "the test role must be a superuser";
  const std::string expected = schema::SnapshotToJson(schema::TakeSnapshot(a.session));
  EXPECT_EQ(schema::SnapshotToJson(tracked->ReadAll(a.session)), expected);
  a.session.Exec("ALTER TABLE users ADD COLUMN nickname text; DROP VIEW IF EXISTS no_such_view");
  const schema::Snapshot after = tracked->ReadAll(a.session);
  EXPECT_EQ(schema::SnapshotToJson(after), schema::SnapshotToJson(schema::TakeSnapshot(a.session)));
  EXPECT_NE(after.Find("column", "public.users.nickname"), nullptr);
  EXPECT_EQ(tracked->Current().Find("column", "public.users.nickname"), nullptr);  // no Refresh
  tracked->Stop(a.session);
}

// verify --base prepares the change watch on a second session while the first applies the
// up-only revisions, and arms it at the first round trip: no event trigger before Arm, the
// catalog as Start would read it after, and the steps of the first session seen by refreshes on
// the second.
TEST(SnapshotTest, PreparedWatchArmsToWhatStartReads) {
  TestDatabase a = NewDatabase(ReadFile(FixturesDir() / "schema" / "rich.sql"));
  db::Session watch = a.session.Reconnect();
  std::optional<schema::TrackedCatalog> tracked = schema::TrackedCatalog::Prepare(watch);
  ASSERT_TRUE(tracked.has_value()) << "the test role must be a superuser";
  const auto triggers = [&] {
    return a.session.Query("SELECT count(*) FROM pg_event_trigger WHERE evtname LIKE 'stairway%'")
        .rows[0][0]
        .value_or("");
  };
  EXPECT_EQ(triggers(), "0");
  EXPECT_EQ(tracked->size(), 0u);  // the warm-up read is thrown away
  // An up-only step after the preparation: the armed watch's read takes it in.
  a.session.Exec("ALTER TABLE users ADD COLUMN nickname text");
  tracked->Arm(watch);
  EXPECT_EQ(triggers(), "2");
  EXPECT_EQ(schema::SnapshotToJson(tracked->Current()),
            schema::SnapshotToJson(schema::TakeSnapshot(a.session)));
  EXPECT_NE(tracked->Find("column", "public.users.nickname"), nullptr);
  // A round-tripped step on the first session, refreshed on the second.
  a.session.Exec(
      "ALTER TABLE users RENAME COLUMN nickname TO handle; CREATE TYPE mood AS "
      "ENUM ('ok', 'meh')");
  const schema::TrackedPatch patch = tracked->Refresh(watch);
  EXPECT_FALSE(patch.full);
  EXPECT_EQ(schema::SnapshotToJson(tracked->Current()),
            schema::SnapshotToJson(schema::TakeSnapshot(a.session)));
  EXPECT_EQ(tracked->Find("column", "public.users.nickname"), nullptr);
  EXPECT_NE(tracked->Find("column", "public.users.handle"), nullptr);
  tracked->Stop(watch);
  EXPECT_EQ(triggers(), "0");
}

// The preparation runs while the other session creates and drops objects: it either fails with
// an error (the caller then starts the watch the usual way) or, armed afterwards, reads the
// catalog exactly.
TEST(SnapshotTest, WatchPreparedBesideDdlIsExactOnceArmed) {
  TestDatabase a = NewDatabase(ReadFile(FixturesDir() / "schema" / "rich.sql"));
  db::Session watch = a.session.Reconnect();
  std::optional<schema::TrackedCatalog> tracked;
  bool failed = false;
  std::thread preparing([&] {
    try {
      tracked = schema::TrackedCatalog::Prepare(watch);
    } catch (const StopError&) {
      failed = true;
    }
  });
  for (int i = 0; i < 60; ++i) {
    a.session.Exec(
        fmt::format("CREATE TABLE churn_{0} (id int PRIMARY KEY, note text DEFAULT 'x'); "
                    "CREATE VIEW churn_view_{0} AS SELECT id FROM churn_{0}; {1}",
                    i, i % 2 == 0 ? fmt::format("DROP TABLE churn_{} CASCADE", i) : ""));
  }
  preparing.join();
  if (failed) GTEST_SKIP() << "the preparation met a concurrent drop (allowed: Start is used)";
  ASSERT_TRUE(tracked.has_value());
  tracked->Arm(watch);
  EXPECT_EQ(schema::SnapshotToJson(tracked->Current()),
            schema::SnapshotToJson(schema::TakeSnapshot(a.session)));
  a.session.Exec("DROP TABLE churn_1 CASCADE");
  tracked->Refresh(watch);
  EXPECT_EQ(schema::SnapshotToJson(tracked->Current()),
            schema::SnapshotToJson(schema::TakeSnapshot(a.session)));
  tracked->Stop(watch);
}

TEST(SnapshotTest, JsonRoundTripsAndDiffsLikeTheLiveSnapshot) {
  TestDatabase a = NewDatabase(ReadFile(FixturesDir() / "schema" / "rich.sql"));
  const schema::Snapshot snap = schema::TakeSnapshot(a.session);
  const std::string json = schema::SnapshotToJson(snap);
  const Expected<schema::Snapshot> loaded = schema::SnapshotFromJson(json, "rich.json");
  ASSERT_TRUE(loaded.ok()) << loaded.error().message;
  EXPECT_EQ(*loaded, snap);
  EXPECT_EQ(schema::SnapshotToJson(*loaded), json);
}

TEST(SnapshotTest, OptionsRestrictSchemasIgnoreOwnersAndExcludeNames) {
  TestDatabase a = NewDatabase(ReadFile(FixturesDir() / "schema" / "rich.sql"));
  schema::SnapshotOptions only_app;
  only_app.schemas = {"app"};
  const schema::Snapshot app = schema::TakeSnapshot(a.session, only_app);
  std::vector<std::string> keys;
  for (const schema::Object& o : app.objects) keys.push_back(o.kind + " " + o.identity);
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "column app.invoices.amount", "column app.invoices.no",
                      "default privileges for role " +
                          a.session.Query("SELECT current_user").rows[0][0].value() +
                          " in schema app on tables",
                      "schema app", "sequence app.invoice_numbers", "table app.invoices"}));

  schema::SnapshotOptions no_owners;
  no_owners.owners = schema::Owners::kIgnore;
  const schema::Snapshot ownerless = schema::TakeSnapshot(a.session, no_owners);
  for (const schema::Object& o : ownerless.objects) {
    EXPECT_EQ(o.attributes.count("owner"), 0u) << o.kind << " " << o.identity;
  }

  schema::SnapshotOptions everything;
  everything.excluded_names.clear();
  const schema::Snapshot all = schema::TakeSnapshot(a.session, everything);
  EXPECT_NE(all.Find("table", "public.stairway_history"), nullptr);
  EXPECT_EQ(schema::TakeSnapshot(a.session).Find("table", "public.stairway_history"), nullptr);
}

TEST(SnapshotTest, FailedConcurrentIndexIsInvalid) {
  constexpr std::string_view kTable =
      "CREATE TABLE public.dups (v int); INSERT INTO public.dups VALUES (1), (2);";
  TestDatabase a = NewDatabase(kTable);
  a.session.Exec("CREATE UNIQUE INDEX CONCURRENTLY dups_v_idx ON public.dups (v)");
  TestDatabase b = NewDatabase(kTable);
  b.session.Exec("INSERT INTO public.dups VALUES (2)");
  EXPECT_THROW(b.session.Exec("CREATE UNIQUE INDEX CONCURRENTLY dups_v_idx ON public.dups (v)"),
               db::DatabaseError);
  EXPECT_EQ(SortedLines(schema::TakeSnapshot(a.session), schema::TakeSnapshot(b.session)),
            std::vector<std::string>{"index public.dups_v_idx: valid in A, INVALID in B"});
}

// fixtures/schema/kinds/<case>.sql: `-- expect: <line>` lines (or `-- expect: (none)`), then SQL
// that database B runs on top of fixtures/schema/base.sql. `{user}` stands for the test role, `\n`
// for a line break within one difference.
struct KindCase {
  std::string name;
  std::string sql;
  std::vector<std::string> expected;
};

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(FixturesDir() / "schema" / "kinds")) {
    if (entry.path().extension() == ".sql") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

KindCase LoadCase(const std::string& name, const std::string& user) {
  KindCase c{name, ReadFile(FixturesDir() / "schema" / "kinds" / (name + ".sql")), {}};
  std::istringstream lines(c.sql);
  constexpr std::string_view kExpect = "-- expect: ";
  for (std::string line; std::getline(lines, line);) {
    if (!line.starts_with(kExpect) || line == "-- expect: (none)") continue;
    std::string text = line.substr(kExpect.size());
    for (std::size_t at; (at = text.find("{user}")) != std::string::npos;) {
      text.replace(at, 6, user);
    }
    // A multi-line difference (a unified diff) is one expect line with "\n" between its lines.
    for (std::size_t at = 0; (at = text.find("\\n", at)) != std::string::npos; ++at) {
      text.replace(at, 2, "\n");
    }
    c.expected.push_back(text);
  }
  std::sort(c.expected.begin(), c.expected.end());
  return c;
}

class SnapshotKindTest : public ::testing::TestWithParam<std::string> {
 protected:
  // A stays at base.sql; B starts there and runs each case in a transaction rolled back after.
  static void SetUpTestSuite() {
    const std::string base = ReadFile(FixturesDir() / "schema" / "base.sql");
    a_ = new TestDatabase(NewDatabase(base));
    b_ = new TestDatabase(NewDatabase(base));
    base_ = new schema::Snapshot(schema::TakeSnapshot(a_->session));
    user_ = a_->session.Query("SELECT current_user").rows.at(0).at(0).value();
  }
  static void TearDownTestSuite() {
    delete base_;
    delete a_;
    delete b_;
  }
  static TestDatabase* a_;
  static TestDatabase* b_;
  static schema::Snapshot* base_;
  static std::string user_;
};
TestDatabase* SnapshotKindTest::a_ = nullptr;
TestDatabase* SnapshotKindTest::b_ = nullptr;
schema::Snapshot* SnapshotKindTest::base_ = nullptr;
std::string SnapshotKindTest::user_;

TEST_P(SnapshotKindTest, DiffNamesTheObject) {
  const KindCase c = LoadCase(GetParam(), user_);
  db::Session& session = b_->session;
  session.Begin();
  schema::Snapshot changed;
  try {
    session.Exec(c.sql);
    changed = schema::TakeSnapshot(session);
  } catch (...) {
    session.Rollback();
    throw;
  }
  session.Rollback();
  EXPECT_EQ(SortedLines(*base_, changed), c.expected) << "case " << c.name;
  // The rollback restored B: equal to A again.
  EXPECT_EQ(SortedLines(*base_, schema::TakeSnapshot(session)), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Kinds, SnapshotKindTest, ::testing::ValuesIn(CaseNames()),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace stairway::testing

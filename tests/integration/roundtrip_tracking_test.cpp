// The tracked catalog (event-trigger change watch) against full snapshots: commands whose effect
// reaches objects they do not name (renames, CASCADE, OWNED BY, GRANT, ALTER SCHEMA) must leave
// the tracked catalog equal to a full snapshot after every step, and a change no event trigger
// sees must be caught by the end check.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/integration/roundtrip_test_util.h"

namespace stairway::testing {
namespace {

namespace roundtrip = verifier::roundtrip;
using Snapshots = roundtrip::Options::Snapshots;

roundtrip::Result RunSet(const std::string& relative, Snapshots snapshots) {
  return RunRoundtrip("fixtures/" + relative, snapshots);
}

TEST(RoundtripTrackingTest, TrackedCatalogEqualsFullSnapshotAfterEveryStep) {
  const roundtrip::Result result = RunSet("roundtrip_tracking/tricky", Snapshots::kChecked);
  EXPECT_FALSE(result.failed) << (result.revisions.empty() || !result.revisions.back().failure
                                      ? ""
                                      : *result.revisions.back().failure);
  EXPECT_EQ(result.snapshots, Snapshots::kChecked);
  EXPECT_EQ(AllFindings(result), std::vector<std::string>{});
  EXPECT_EQ(result.revisions.size(), 7u);
  // Only the unscoped commands (GRANT, ALTER DEFAULT PRIVILEGES, ALTER SCHEMA) re-read
  // everything: the first read, then two per such revision step at most.
  EXPECT_LE(result.full_catalog_reads, 1 + 6 + 1);
}

// The bundled migrations and the non-transactional set (CREATE/DROP INDEX CONCURRENTLY run
// outside a transaction, with the watch's event triggers firing inside them).
class RoundtripTrackingSetTest : public ::testing::TestWithParam<std::string> {};

TEST_P(RoundtripTrackingSetTest, TrackedCatalogEqualsFullSnapshotAfterEveryStep) {
  const roundtrip::Result result = RunRoundtrip(GetParam(), Snapshots::kChecked);
  EXPECT_FALSE(result.failed);
  EXPECT_EQ(result.snapshots, Snapshots::kChecked);
  EXPECT_EQ(AllFindings(result), std::vector<std::string>{});
}

INSTANTIATE_TEST_SUITE_P(Sets, RoundtripTrackingSetTest,
                         ::testing::Values("migrations", "fixtures/nontx",
                                           "fixtures/formats/golang-migrate"),
                         PathTestName);

// Up-only revisions first (as verify --base runs them): the watch is prepared on a second
// session while they go up and armed at the first round trip; every step still equals a full
// snapshot, and the findings are those of full snapshots.
TEST(RoundtripTrackingTest, WatchPreparedBesideUpOnlyRevisionsMissesNothing) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_tracking/tricky");
  const auto run = [&](Snapshots snapshots) {
    auto database = NewTestDatabase();
    db::Session session = db::Session::Connect(database->url());
    roundtrip::Options options;
    options.snapshots = snapshots;
    options.only = std::vector<std::string>{"0004", "0005", "0006", "0007"};
    return roundtrip::Run(session, set, options);
  };
  const roundtrip::Result checked = run(Snapshots::kChecked);
  EXPECT_FALSE(checked.failed);
  EXPECT_EQ(checked.snapshots, Snapshots::kChecked);
  EXPECT_EQ(AllFindings(checked), std::vector<std::string>{});
  ASSERT_EQ(checked.revisions.size(), 7u);
  EXPECT_TRUE(checked.revisions[0].up_only);
  EXPECT_FALSE(checked.revisions[3].up_only);
  EXPECT_EQ(AllFindings(run(Snapshots::kTracked)), AllFindings(run(Snapshots::kFull)));
}

// The watch's first whole read runs beside the up-only revisions (ReadAhead::kAtOnce: it starts
// after the first of them, so the base's objects are read ahead and every later up runs during
// the read or after it) and the first round trip re-reads only what they touched. Renames, new
// defaults, owners, grants (which the watch cannot scope: a whole re-read) and a schema moved
// meanwhile all end up in the tracked catalog: every step equals a full snapshot. With unwatched
// changes meanwhile (CLUSTER, an event trigger), the findings are those of full snapshots.
TEST(RoundtripTrackingTest, WholeReadBesideUpOnlyRevisionsMissesNothing) {
  const auto run = [&](const std::string& fixture, const std::string& last, Snapshots snapshots,
                       roundtrip::Options::ReadAhead read_ahead) {
    const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_tracking/" + fixture);
    auto database = NewTestDatabase();
    db::Session session = db::Session::Connect(database->url());
    roundtrip::Options options;
    options.snapshots = snapshots;
    options.read_ahead = read_ahead;
    options.only = std::vector<std::string>{last};
    return roundtrip::Run(session, set, options);
  };
  using ReadAhead = roundtrip::Options::ReadAhead;
  const roundtrip::Result checked = run("tricky", "0007", Snapshots::kChecked, ReadAhead::kAtOnce);
  EXPECT_FALSE(checked.failed);
  EXPECT_TRUE(checked.catalog_read_ahead);
  EXPECT_EQ(AllFindings(checked), std::vector<std::string>{});
  ASSERT_EQ(checked.revisions.size(), 7u);
  EXPECT_TRUE(checked.revisions[5].up_only);
  EXPECT_FALSE(checked.revisions[6].up_only);

  // Only scoped changes after the watch starts: what the first revision made is known from the
  // read ahead alone (its relations from Arm's read), never refreshed.
  const roundtrip::Result scoped =
      run("read_ahead", "0003", Snapshots::kChecked, ReadAhead::kAtOnce);
  EXPECT_FALSE(scoped.failed);
  EXPECT_TRUE(scoped.catalog_read_ahead);
  EXPECT_EQ(AllFindings(scoped), std::vector<std::string>{});
  EXPECT_EQ(scoped.full_catalog_reads, 2);  // the read ahead and the end check

  const roundtrip::Result ahead = run("unwatched", "0004", Snapshots::kTracked, ReadAhead::kAtOnce);
  EXPECT_TRUE(ahead.catalog_read_ahead);
  const roundtrip::Result full = run("unwatched", "0004", Snapshots::kFull, ReadAhead::kOff);
  EXPECT_FALSE(full.catalog_read_ahead);
  ASSERT_FALSE(AllFindings(full).empty());
  EXPECT_EQ(AllFindings(ahead), AllFindings(full));
  // Without the read ahead, the same.
  const roundtrip::Result whole = run("unwatched", "0004", Snapshots::kTracked, ReadAhead::kOff);
  EXPECT_FALSE(whole.catalog_read_ahead);
  EXPECT_EQ(AllFindings(whole), AllFindings(full));
}

// An up-only revision drops every schema it does not know, the watch's among them: the watch
// only prepared (kOff: armed at the first round trip, which fails), or already running with its
// read ahead (kAtOnce: the first round trip finds it gone). Either way it starts again the usual
// way, the round trip after is still exact, and nothing of the watch is left at the end.
class WatchDroppedTest : public ::testing::TestWithParam<roundtrip::Options::ReadAhead> {};

TEST_P(WatchDroppedTest, StartsAgainAndStaysExact) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_tracking/watch_dropped");
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  roundtrip::Options options;
  options.snapshots = Snapshots::kChecked;
  options.read_ahead = GetParam();
  options.only = std::vector<std::string>{"0004"};
  const roundtrip::Result result = roundtrip::Run(session, set, options);
  EXPECT_FALSE(result.failed) << (result.revisions.empty() || !result.revisions.back().failure
                                      ? ""
                                      : *result.revisions.back().failure);
  EXPECT_FALSE(result.catalog_read_ahead);
  EXPECT_EQ(AllFindings(result), std::vector<std::string>{});
  ASSERT_EQ(result.revisions.size(), 4u);
  EXPECT_FALSE(result.revisions[3].up_only);
  EXPECT_EQ(session.Query("SELECT count(*) FROM pg_event_trigger").rows[0][0].value_or(""), "0");
  EXPECT_EQ(session.Query("SELECT count(*) FROM pg_namespace WHERE nspname = 'stairway_watch'")
                .rows[0][0]
                .value_or(""),
            "0");
}

INSTANTIATE_TEST_SUITE_P(ReadAhead, WatchDroppedTest,
                         ::testing::Values(roundtrip::Options::ReadAhead::kOff,
                                           roundtrip::Options::ReadAhead::kAtOnce),
                         [](const ::testing::TestParamInfo<roundtrip::Options::ReadAhead>& info) {
                           return info.param == roundtrip::Options::ReadAhead::kOff ? "Prepared"
                                                                                    : "ReadAhead";
                         });

TEST(RoundtripTrackingTest, TrackedReadsPassTheTrickySetAndTheEndCheck) {
  const roundtrip::Result result = RunSet("roundtrip_tracking/tricky", Snapshots::kTracked);
  EXPECT_FALSE(result.failed);
  EXPECT_EQ(result.snapshots, Snapshots::kTracked);
  EXPECT_EQ(result.snapshots_fallback, "");
  EXPECT_EQ(AllFindings(result), std::vector<std::string>{});
}

// A role that may not create event triggers (not a superuser) gets full snapshots, with the same
// findings.
TEST(RoundtripTrackingTest, NonSuperuserFallsBackToFullSnapshots) {
  auto database = NewTestDatabase();
  const std::string role = "rt_plain_" + database->name().substr(database->name().size() - 8);
  std::string url = database->url();
  {
    db::Session admin = db::Session::Connect(database->url());
    admin.Exec("CREATE ROLE " + role + " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE");
    // The database owner may create in public (pg_database_owner owns it).
    admin.Exec("ALTER DATABASE " + db::QuoteIdent(database->name()) + " OWNER TO " + role);
  }
  const std::size_t at = url.find("user=");
  ASSERT_NE(at, std::string::npos) << url;
  const std::size_t end = url.find('&', at);
  url.replace(at, (end == std::string::npos ? url.size() : end) - at, "user=" + role);
  roundtrip::Result result;
  {
    db::Session session = db::Session::Connect(url);
    roundtrip::Options options;
    options.snapshots = Snapshots::kTracked;
    result =
        roundtrip::Run(session, LoadFixtureSet("fixtures/roundtrip/enum_type/broken"), options);
  }
  EXPECT_EQ(result.snapshots, Snapshots::kFull);
  EXPECT_EQ(result.snapshots_fallback, "the role may not create event triggers");
  const std::string expected = ReadFile(SourceDir() / "fixtures/roundtrip/enum_type/expected.txt");
  ASSERT_FALSE(AllFindings(result).empty());
  EXPECT_EQ(AllFindings(result).front() + "\n", expected.substr(0, expected.find('\n') + 1));
  db::Session admin = db::Session::Connect(database->url());
  admin.Exec("ALTER DATABASE " + db::QuoteIdent(database->name()) + " OWNER TO CURRENT_USER");
  admin.Exec("DROP OWNED BY " + role + "; DROP ROLE " + role);
}

TEST(RoundtripTrackingTest, FullSnapshotsAgreeOnTheTrickySet) {
  const roundtrip::Result result = RunSet("roundtrip_tracking/tricky", Snapshots::kFull);
  EXPECT_FALSE(result.failed);
  EXPECT_EQ(result.snapshots, Snapshots::kFull);
  EXPECT_EQ(result.snapshots_fallback, "");
  EXPECT_EQ(AllFindings(result), std::vector<std::string>{});
}

TEST(RoundtripTrackingTest, ChangeNoEventTriggerSeesIsCaughtByTheEndCheck) {
  const roundtrip::Result tracked = RunSet("roundtrip_tracking/missed", Snapshots::kTracked);
  EXPECT_EQ(AllFindings(tracked),
            std::vector<std::string>{
                "0002_catalog_write: the change watch missed a change; rerun with "
                "--full-snapshots and please report it: table public.t: row security enabled in a "
                "full snapshot, row security disabled in the tracked catalog"});
  ASSERT_FALSE(tracked.revisions.empty());
  ASSERT_EQ(tracked.revisions.back().details.size(), 1u);
  EXPECT_EQ(tracked.revisions.back().details[0].rule, "roundtrip-tracking");
  EXPECT_EQ(tracked.ExitCode(roundtrip::Irreversible::kFail), 1);

  // Full snapshots see the leftover itself.
  const roundtrip::Result full = RunSet("roundtrip_tracking/missed", Snapshots::kFull);
  EXPECT_EQ(AllFindings(full),
            std::vector<std::string>{"0002_catalog_write: up changed table public.t and down did "
                                     "not change it back: row security disabled before up, row "
                                     "security enabled after down"});
}

// Changes no event trigger reports (CLUSTER, event trigger DDL) are looked for after the steps
// that may make them; steps of plain DDL skip that check. The tracked catalog (checked against a
// full snapshot after every step) finds the same leftovers as full snapshots do.
TEST(RoundtripTrackingTest, ChangesNoEventTriggerReportsAreFoundAfterTheirSteps) {
  const std::vector<std::string> expected = {
      "0002_cluster: up changed index public.t_v_idx and down did not change it back: not "
      "clustered before up, clustered after down",
      "0004_event_trigger_left: up changed event trigger audit_ddl_start and down did not change "
      "it back: status enabled before up, disabled after down"};
  const roundtrip::Result checked = RunSet("roundtrip_tracking/unwatched", Snapshots::kChecked);
  EXPECT_FALSE(checked.failed);
  EXPECT_EQ(AllFindings(checked), expected);
  const roundtrip::Result full = RunSet("roundtrip_tracking/unwatched", Snapshots::kFull);
  EXPECT_EQ(AllFindings(full), expected);
}

}  // namespace
}  // namespace stairway::testing

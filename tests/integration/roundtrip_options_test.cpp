// Roundtrip options (--from, --skip, --min-downgrade, only), the irreversible marker, data
// fixtures (rows and columns lost by a later revision) and the report conversion.
#include <gtest/gtest.h>

#include "tests/integration/runner_test_util.h"
#include "verifier/roundtrip/fixtures_observer.h"
#include "verifier/roundtrip/roundtrip.h"
#include "verifier/roundtrip/roundtrip_report.h"

namespace stairway::testing {
namespace {

namespace roundtrip = verifier::roundtrip;

roundtrip::Result RunWith(const source::MigrationSet& set, const roundtrip::Options& options) {
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  return roundtrip::Run(session, set, options);
}

const char kEnumLeftover[] =
    "0002_add_roles: down left behind type public.message_role (enum 'user','assistant')";

TEST(RoundtripOptions, FromSkipMinDowngradeAndOnlySelectWhatIsRoundTripped) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip/enum_type/broken");
  {
    roundtrip::Options options;
    options.from = "2";
    const roundtrip::Result r = RunWith(set, options);
    ASSERT_EQ(r.revisions.size(), 2u);
    EXPECT_TRUE(r.revisions[0].up_only);
    EXPECT_EQ(r.revisions[0].up_only_reason, "before --from 2");
    EXPECT_FALSE(r.revisions[0].down.has_value());
    EXPECT_EQ(r.revisions[1].Findings(), std::vector<std::string>{kEnumLeftover});
  }
  {
    roundtrip::Options options;
    options.skip = {"0002"};
    const roundtrip::Result r = RunWith(set, options);
    EXPECT_TRUE(r.revisions[1].skipped);
    EXPECT_EQ(r.revisions[1].up_only_reason, "skipped (--skip)");
    EXPECT_EQ(r.findings, 0);
    EXPECT_EQ(r.ExitCode(roundtrip::Irreversible::kFail), 0);
    const report::Report rep = roundtrip::ToReport(r, set);
    ASSERT_EQ(rep.steps.size(), 6u);
    EXPECT_EQ(rep.steps[4].name, "0002_add_roles down");
    EXPECT_TRUE(rep.steps[4].skipped);
    EXPECT_EQ(rep.steps[4].skip_reason, "skipped (--skip)");
  }
  {
    roundtrip::Options options;
    options.min_downgrade = "0002";
    const roundtrip::Result r = RunWith(set, options);
    EXPECT_EQ(r.revisions[0].up_only_reason, "before --min-downgrade 0002");
    EXPECT_EQ(r.findings, 1);
  }
  {
    roundtrip::Options options;
    options.only = std::vector<std::string>{"0001"};
    const roundtrip::Result r = RunWith(set, options);
    EXPECT_FALSE(r.revisions[0].up_only);
    EXPECT_EQ(r.revisions[1].up_only_reason, "unchanged (--changed-since)");
    EXPECT_EQ(r.findings, 0);
  }
  {
    // Nothing to round-trip (verify --base with no revision changed): the change watch is never
    // installed, so the catalog is never read whole.
    roundtrip::Options options;
    options.only = std::vector<std::string>{};
    const roundtrip::Result r = RunWith(set, options);
    EXPECT_TRUE(r.revisions[0].up_only);
    EXPECT_TRUE(r.revisions[1].up_only);
    EXPECT_EQ(r.findings, 0);
    EXPECT_EQ(r.full_catalog_reads, 0);
  }
  {
    roundtrip::Options options;
    options.from = "9";
    try {
      RunWith(set, options);
      ADD_FAILURE() << "no error for an unknown --from";
    } catch (const StopError& e) {
      EXPECT_EQ(e.error().kind, ErrorKind::kInput);
      EXPECT_TRUE(std::string(e.what()).starts_with("--from 9: unknown revision \"9\""))
          << e.what();
    }
  }
}

TEST(RoundtripOptions, FindingsBecomeReportFindingsWithRuleRevisionAndPath) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip/invalid_index/broken");
  const roundtrip::Result r = RunWith(set, {});
  const report::Report rep = roundtrip::ToReport(r, set);
  ASSERT_EQ(rep.findings.size(), 2u);
  EXPECT_EQ(rep.findings[0].rule, "roundtrip-down-leftover");
  EXPECT_EQ(rep.findings[0].message, "0002_idx: down left behind index public.t_a_idx (btree (a))");
  EXPECT_EQ(rep.findings[1].rule, "roundtrip-reup-differs");
  EXPECT_EQ(rep.findings[1].message,
            "0002_idx: re-up differs: index public.t_a_idx: valid after the first up, INVALID "
            "after re-up");
  EXPECT_EQ(rep.findings[1].revision, "0002_idx");
  EXPECT_EQ(rep.findings[1].check, "roundtrip");
  EXPECT_EQ(rep.findings[1].line, 0);
  EXPECT_TRUE(
      rep.findings[1].path.ends_with("fixtures/roundtrip/invalid_index/broken/0002_idx.sql"))
      << rep.findings[1].path;
}

TEST(RoundtripOptions, IrreversibleMarkerIsReportedNotFailed) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_marker");
  const roundtrip::Result r = RunWith(set, {});
  ASSERT_EQ(r.revisions.size(), 3u);
  EXPECT_TRUE(r.revisions[1].irreversible_marker);
  EXPECT_FALSE(r.revisions[1].irreversible);
  EXPECT_TRUE(r.revisions[2].irreversible);
  EXPECT_EQ(r.irreversible, 1);
  EXPECT_EQ(r.findings, 0);
  const report::Report rep = roundtrip::ToReport(r, set);
  std::vector<std::string> messages;
  for (const report::Finding& f : rep.findings) messages.push_back(f.message);
  EXPECT_EQ(messages, (std::vector<std::string>{
                          "0002_one_way: intentionally irreversible (-- stairway:irreversible)",
                          "0003_no_down: irreversible: no down section"}));
}

TEST(RoundtripData, LaterRevisionsThatDropAColumnOrDeleteRowsAreReported) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_data/migrations");
  roundtrip::Options options;
  options.data_fixtures = SourceDir() / "fixtures/roundtrip_data/fixtures";
  const roundtrip::Result r = RunWith(set, options);
  ASSERT_FALSE(r.failed) << r.revisions.back().failure.value_or("");
  std::vector<std::string> all;
  for (const auto& rev : r.revisions) {
    const std::vector<std::string> findings = rev.Findings();
    all.insert(all.end(), findings.begin(), findings.end());
  }
  EXPECT_EQ(all, (std::vector<std::string>{
                     "0003_drop_bio: data loss: public.users lost column bio (3 rows had values)",
                     "0004_purge_inactive: data loss: 2 of 5 fixture rows deleted from "
                     "public.users"}));
  ASSERT_EQ(r.revisions.size(), 4u);
  ASSERT_EQ(r.revisions[3].details.size(), 1u);
  EXPECT_EQ(r.revisions[3].details[0].rule, "data-loss");
  EXPECT_EQ(r.revisions[3].details[0].severity, Severity::kError);
}

TEST(RoundtripData, FixtureFilesAreFoundByLabelVersionOrNumber) {
  const source::MigrationSet set = LoadFixtureSet("fixtures/roundtrip_data/migrations");
  const auto dir = SourceDir() / "fixtures/roundtrip_data/fixtures";
  EXPECT_EQ(roundtrip::FindFixture(dir, set.revisions[0]), dir / "0001.sql");
  EXPECT_EQ(roundtrip::FindFixture(dir, set.revisions[1]), std::nullopt);
}

}  // namespace
}  // namespace stairway::testing

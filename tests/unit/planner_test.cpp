// Planner: target resolution, upgrade/downgrade plans and reconciling files with history rows,
// on in-memory sets (no database, no files).
#include "runner/planner/planner.h"

#include <gtest/gtest.h>

namespace stairway::planner {
namespace {

using source::MigrationSet;
using source::Revision;

MigrationSet MakeSet(int count, int irreversible_at = -1) {
  MigrationSet set;
  set.dir = "migrations";
  const char* names[] = {"create_users", "add_roles", "create_threads", "index_threads", "add_bio"};
  for (int i = 0; i < count; ++i) {
    Revision rev;
    rev.version = "000" + std::to_string(i + 1);
    rev.name = names[i % 5];
    if (i > 0) rev.parents = {set.revisions.back().version};
    rev.up.sql = "SELECT " + std::to_string(i) + ";";
    rev.up.path = "migrations/" + rev.Label() + ".sql";
    if (i != irreversible_at) {
      rev.down = rev.up;
      rev.down->sql = "SELECT -" + std::to_string(i) + ";";
    }
    if (i == 3) rev.up.tx_mode = source::TxMode::kNone;
    rev.checksum = "sum" + std::to_string(i);
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

std::vector<std::string> Versions(const Plan& plan) {
  std::vector<std::string> out;
  for (const Step& s : plan.steps) out.push_back(s.revision->version);
  return out;
}

TEST(ResolveRevision, ByVersionLabelOrNumber) {
  const MigrationSet set = MakeSet(4);
  EXPECT_EQ(ResolveRevision(set, "0002").value(), &set.revisions[1]);
  EXPECT_EQ(ResolveRevision(set, "0003_create_threads").value(), &set.revisions[2]);
  EXPECT_EQ(ResolveRevision(set, "4").value(), &set.revisions[3]);
}

TEST(ResolveRevision, UnknownNamesCloseMatches) {
  const MigrationSet set = MakeSet(4);
  Expected<const Revision*> typo = ResolveRevision(set, "0002_add_rolse");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().kind, ErrorKind::kInput);
  EXPECT_EQ(typo.error().message,
            "unknown revision \"0002_add_rolse\": did you mean 0002_add_roles? (migrations has "
            "revisions 0001_create_users to 0004_index_threads)");
  Expected<const Revision*> far = ResolveRevision(set, "release-7");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().message,
            "unknown revision \"release-7\": migrations has revisions 0001_create_users to "
            "0004_index_threads (run `stairway status` to list them)");
}

TEST(ResolveRevision, HeadAndHeadsNameTheLastRevision) {
  const MigrationSet set = MakeSet(4);
  EXPECT_EQ(ResolveRevision(set, "head").value(), &set.revisions[3]);
  EXPECT_EQ(ResolveRevision(set, "heads").value(), &set.revisions[3]);
  EXPECT_EQ(ResolveRevision(MakeSet(0), "head").value(), nullptr);
  const AppliedSet all = {"0001", "0002", "0003", "0004"};
  EXPECT_TRUE(PlanDowngrade(set, all, "head").value().steps.empty());
  EXPECT_TRUE(PlanDowngrade(MakeSet(0), {}, "heads").value().steps.empty());
  EXPECT_EQ(Versions(PlanUpgrade(set, {"0001"}, "heads").value()),
            (std::vector<std::string>{"0002", "0003", "0004"}));
}

MigrationSet TimestampSet() {
  MigrationSet set;
  set.dir = "db/migrations";
  for (const char* label : {"20240301120000_create_users", "20240302090000_add_roles",
                            "20240315101500_add_bio", "20240315173000_add_avatar"}) {
    Revision rev;
    const std::string text = label;
    rev.version = text.substr(0, 14);
    rev.name = text.substr(15);
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

TEST(ResolveRevision, UniquePrefixOfVersionOrLabel) {
  const MigrationSet set = TimestampSet();
  EXPECT_EQ(ResolveRevision(set, "20240302").value(), &set.revisions[1]);
  EXPECT_EQ(ResolveRevision(set, "2024031510").value(), &set.revisions[2]);
  EXPECT_EQ(ResolveRevision(set, "20240315173000_add").value(), &set.revisions[3]);
  const MigrationSet numbered = MakeSet(4);
  EXPECT_EQ(ResolveRevision(numbered, "0003_cre").value(), &numbered.revisions[2]);
  // An exact (numeric) match wins over being the start of a longer one.
  EXPECT_EQ(ResolveRevision(numbered, "0002").value(), &numbered.revisions[1]);
}

TEST(ResolveRevision, AmbiguousPrefixListsTheCandidates) {
  const MigrationSet set = TimestampSet();
  Expected<const Revision*> two = ResolveRevision(set, "20240315");
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.error().kind, ErrorKind::kInput);
  EXPECT_EQ(two.error().message,
            "ambiguous revision \"20240315\": it is the start of 2 revisions "
            "(20240315101500_add_bio, 20240315173000_add_avatar); give more of it");
  EXPECT_EQ(ResolveRevision(set, "2024").error().message,
            "ambiguous revision \"2024\": it is the start of 4 revisions "
            "(20240301120000_create_users, 20240302090000_add_roles, 20240315101500_add_bio, "
            "20240315173000_add_avatar); give more of it");
  EXPECT_EQ(ResolveRevision(MakeSet(4), "000").error().kind, ErrorKind::kInput);
  EXPECT_EQ(PlanUpgrade(set, {}, "202403").error().kind, ErrorKind::kInput);
}

TEST(PlanUpgrade, HeadPlusNAndRevision) {
  const MigrationSet set = MakeSet(5);
  const AppliedSet applied = {"0001"};
  EXPECT_EQ(Versions(PlanUpgrade(set, applied, "head").value()),
            (std::vector<std::string>{"0002", "0003", "0004", "0005"}));
  EXPECT_EQ(Versions(PlanUpgrade(set, applied, "+2").value()),
            (std::vector<std::string>{"0002", "0003"}));
  const Plan to3 = PlanUpgrade(set, applied, "0003").value();
  EXPECT_EQ(Versions(to3), (std::vector<std::string>{"0002", "0003"}));
  EXPECT_EQ(to3.target_label, "0003_create_threads");
  EXPECT_TRUE(PlanUpgrade(set, applied, "0001").value().steps.empty());
  const Plan head = PlanUpgrade(set, applied, "head").value();
  EXPECT_EQ(head.steps[2].tx_mode(), source::TxMode::kNone);
  EXPECT_EQ(head.steps[0].tx_mode(), source::TxMode::kTransaction);
}

TEST(PlanUpgrade, BadTargets) {
  const MigrationSet set = MakeSet(3);
  EXPECT_EQ(PlanUpgrade(set, {}, "+4").error().message,
            "cannot upgrade +4: only 3 revisions are pending");
  EXPECT_EQ(PlanUpgrade(set, {}, "+0").error().message,
            "bad upgrade target \"+0\": expected head, a revision, or +N with N >= 1");
  EXPECT_EQ(PlanUpgrade(set, {}, "-1").error().message,
            "upgrade target \"-1\" goes backwards: use `stairway downgrade -1`");
}

TEST(PlanDowngrade, MinusNBaseAndRevision) {
  const MigrationSet set = MakeSet(4);
  const AppliedSet all = {"0001", "0002", "0003", "0004"};
  EXPECT_EQ(Versions(PlanDowngrade(set, all, "-1").value()), (std::vector<std::string>{"0004"}));
  const Plan base = PlanDowngrade(set, all, "base").value();
  EXPECT_EQ(Versions(base), (std::vector<std::string>{"0004", "0003", "0002", "0001"}));
  EXPECT_EQ(base.target_label, "base");
  EXPECT_EQ(base.steps[0].direction, Direction::kDown);
  EXPECT_EQ(&base.steps[0].section(), &*set.revisions[3].down);
  const Plan to2 = PlanDowngrade(set, all, "0002").value();
  EXPECT_EQ(Versions(to2), (std::vector<std::string>{"0004", "0003"}));
  EXPECT_EQ(to2.target_label, "0002_add_roles");
  EXPECT_EQ(PlanDowngrade(set, {"0001"}, "-2").error().message,
            "cannot downgrade -2: only 1 revision is applied");
  EXPECT_EQ(PlanDowngrade(set, all, "").error().kind, ErrorKind::kInput);
}

TEST(PlanDowngrade, IrreversibleRevisionRefusesTheWholePlan) {
  const MigrationSet set = MakeSet(4, /*irreversible_at=*/2);
  const AppliedSet all = {"0001", "0002", "0003", "0004"};
  EXPECT_EQ(Versions(PlanDowngrade(set, all, "-1").value()), (std::vector<std::string>{"0004"}));
  Expected<Plan> base = PlanDowngrade(set, all, "base");
  ASSERT_FALSE(base.ok());
  EXPECT_EQ(base.error().message,
            "migrations/0003_create_threads.sql: cannot downgrade past 0003_create_threads: it has "
            "no down section (irreversible); nothing was undone. Downgrade to 0003_create_threads "
            "at most, or undo it by hand and run `stairway stamp 0002_add_roles`");
}

TEST(Reconcile, StatesFromRowsAndChecksums) {
  const MigrationSet set = MakeSet(5);
  std::vector<history::Row> rows(4);
  rows[0].version = "0001";
  rows[0].checksum = "sum0";
  rows[1].version = "0002";
  rows[1].checksum = "edited";
  rows[2].version = "0004";
  rows[2].checksum = "sum3";
  rows[2].state = history::State::kFailed;
  rows[3].version = "0099";
  const Reconciled r = Reconcile(set, rows);
  ASSERT_EQ(r.revisions.size(), 5u);
  EXPECT_EQ(r.revisions[0].state, RevisionState::kApplied);
  EXPECT_EQ(r.revisions[1].state, RevisionState::kEdited);
  EXPECT_EQ(r.revisions[2].state, RevisionState::kPending);
  EXPECT_EQ(r.revisions[3].state, RevisionState::kFailed);
  EXPECT_EQ(r.revisions[4].state, RevisionState::kPending);
  ASSERT_EQ(r.unknown.size(), 1u);
  EXPECT_EQ(r.unknown[0]->version, "0099");
  EXPECT_EQ(r.applied, (AppliedSet{"0001", "0002"}));
  EXPECT_EQ(r.current, &set.revisions[1]);
  EXPECT_TRUE(r.HasProblems());
}

TEST(AppliedThrough, RevisionAndEverythingBefore) {
  const MigrationSet set = MakeSet(3);
  EXPECT_EQ(AppliedThrough(set, &set.revisions[1]), (AppliedSet{"0001", "0002"}));
  EXPECT_TRUE(AppliedThrough(set, nullptr).empty());
}

}  // namespace
}  // namespace stairway::planner

// Alembic graph semantics on sets built in code: alembic_version rows, target forms, upgrade,
// downgrade and stamp plans (linear, two heads, a merge, branch labels, depends_on across
// branches, irreversible revisions), and every error they give.
#include "runner/planner/alembic_plan.h"

#include <gtest/gtest.h>

#include "runner/planner/planner.h"

namespace stairway::planner {
namespace {

using source::MigrationSet;
using source::Revision;
using Ids = std::vector<std::string>;

struct Spec {
  std::string id;
  Ids parents;
  Ids depends_on = {};
  Ids labels = {};
  bool reversible = true;
};

// Revisions must be listed parents (and dependencies) first, as the reader orders them.
MigrationSet MakeSet(const std::vector<Spec>& specs) {
  MigrationSet set;
  set.dir = "proj/alembic";
  set.format = source::Format::kAlembic;
  set.alembic = source::AlembicProject{};
  for (const Spec& spec : specs) {
    Revision rev;
    rev.version = spec.id;
    rev.name = "rev_" + spec.id;
    rev.parents = spec.parents;
    rev.up.path = "proj/alembic/versions/" + spec.id + "_x.py";
    rev.up.first_line = 12;
    if (spec.reversible) {
      rev.down = rev.up;
      rev.down->first_line = 20;
    }
    rev.alembic = source::AlembicRevision{};
    rev.alembic->depends_on = spec.depends_on;
    rev.alembic->branch_labels = spec.labels;
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

// aaaa0001 -> bbbb0002 -> cccc0003 (cccc0003's downgrade raises when `irreversible_last`).
MigrationSet Linear(bool irreversible_last = false) {
  return MakeSet({{"aaaa0001", {}},
                  {"bbbb0002", {"aaaa0001"}},
                  {"cccc0003", {"bbbb0002"}, {}, {}, !irreversible_last}});
}

// root0001 branches into left0002 and rite0003; merge0004 joins them (when `merged`).
MigrationSet Branches(bool merged) {
  std::vector<Spec> specs = {
      {"root0001", {}}, {"left0002", {"root0001"}}, {"rite0003", {"root0001"}}};
  if (merged) specs.push_back({"merge0004", {"left0002", "rite0003"}});
  return MakeSet(specs);
}

// Two lines with their own roots: the app (app00001 -> app00002) and a library branch labelled
// "shared" (lib00001 -> lib00002). app00002 depends_on lib00001.
MigrationSet WithDependency() {
  return MakeSet({{"app00001", {}},
                  {"lib00001", {}, {}, {"shared"}},
                  {"app00002", {"app00001"}, {"lib00001"}},
                  {"lib00002", {"lib00001"}}});
}

Ids Versions(const Plan& plan) {
  Ids out;
  for (const Step& s : plan.steps) out.push_back(s.revision->version);
  return out;
}

Ids VersionsOf(const std::vector<const Revision*>& revs) {
  Ids out;
  for (const Revision* r : revs) out.push_back(r->version);
  return out;
}

std::string ErrorOf(const Expected<Plan>& e) {
  return e.ok() ? std::string("(no error)") : e.error().message;
}

// --- alembic_version rows -------------------------------------------------------------------

TEST(AlembicRows, AppliedFromRowsTakesAncestorsThroughParentsAndDependsOn) {
  const MigrationSet set = WithDependency();
  EXPECT_EQ(AppliedFromVersionRows(set, {"app00002"}).value(),
            (AppliedSet{"app00001", "app00002", "lib00001"}));
  const MigrationSet merged = Branches(true);
  EXPECT_EQ(AppliedFromVersionRows(merged, {"merge0004"}).value(),
            (AppliedSet{"root0001", "left0002", "rite0003", "merge0004"}));
  EXPECT_EQ(AppliedFromVersionRows(merged, {"left0002", "rite0003"}).value(),
            (AppliedSet{"root0001", "left0002", "rite0003"}));
  EXPECT_TRUE(AppliedFromVersionRows(merged, {}).value().empty());
}

TEST(AlembicRows, UnknownRowsAreNamed) {
  const MigrationSet set = Linear();
  Expected<AppliedSet> one = AppliedFromVersionRows(set, {"bbbb0002", "dead0009"});
  ASSERT_FALSE(one.ok());
  EXPECT_EQ(one.error().kind, ErrorKind::kInput);
  EXPECT_EQ(one.error().message,
            "alembic_version names revision dead0009, which is not in proj/alembic; run stairway "
            "on the project the database was migrated with, or set the rows with `stairway stamp "
            "REV`");
  Expected<AppliedSet> two = AppliedFromVersionRows(set, {"x1", "x2"});
  ASSERT_FALSE(two.ok());
  EXPECT_NE(two.error().message.find("names revisions x1, x2, which are not in proj/alembic"),
            std::string::npos);
}

TEST(AlembicRows, VersionRowsCountDependsOn) {
  const MigrationSet set = WithDependency();
  // lib00001 is named by app00002's depends_on: no row of its own.
  EXPECT_EQ(VersionRows(set, {"app00001", "lib00001", "app00002"}), (Ids{"app00002"}));
  EXPECT_EQ(VersionRows(set, {"app00001", "lib00001", "app00002", "lib00002"}),
            (Ids{"app00002", "lib00002"}));
  EXPECT_EQ(VersionRows(set, {"app00001", "lib00001"}), (Ids{"app00001", "lib00001"}));
  const MigrationSet branches = Branches(true);
  EXPECT_EQ(VersionRows(branches, {"root0001", "left0002", "rite0003"}),
            (Ids{"left0002", "rite0003"}));
  EXPECT_EQ(VersionRows(branches, {"root0001", "left0002", "rite0003", "merge0004"}),
            (Ids{"merge0004"}));
  EXPECT_TRUE(VersionRows(branches, {}).empty());
  EXPECT_EQ(VersionRows(branches, {"root0001", "gone"}), (Ids{"root0001"}));
}

// --- target resolution ----------------------------------------------------------------------

TEST(AlembicResolve, IdsPrefixesLabelsAndHeads) {
  const MigrationSet set = WithDependency();
  EXPECT_EQ(ResolveAlembicRevision(set, "app00002").value(), &set.revisions[2]);
  EXPECT_EQ(ResolveAlembicRevision(set, "lib00002").value(), &set.revisions[3]);
  EXPECT_EQ(ResolveAlembicRevision(set, "lib00002_rev_lib00002").value(), &set.revisions[3]);
  // A label alone names the revision that declares it.
  EXPECT_EQ(ResolveAlembicRevision(set, "shared").value(), &set.revisions[1]);
  EXPECT_EQ(ResolveAlembicRevision(set, "shared@head").value(), &set.revisions[3]);
  EXPECT_EQ(ResolveAlembicRevision(set, "shared@lib00002").value(), &set.revisions[3]);
  EXPECT_EQ(ResolveAlembicRevision(set, "app00001@head").value(), &set.revisions[2]);
  EXPECT_EQ(VersionsOf(ResolveAlembicTargets(set, "heads").value()), (Ids{"app00002", "lib00002"}));
  EXPECT_TRUE(ResolveAlembicTargets(set, "base").value().empty());
  EXPECT_TRUE(ResolveAlembicTargets(set, "shared@base").value().empty());
  const MigrationSet linear = Linear();
  EXPECT_EQ(ResolveAlembicRevision(linear, "head").value(), &linear.revisions[2]);
  EXPECT_EQ(ResolveAlembicRevision(linear, "bbbb").value(), &linear.revisions[1]);
  EXPECT_EQ(ResolveAlembicRevision(linear, "cccc00").value(), &linear.revisions[2]);
}

TEST(AlembicResolve, PrefixErrors) {
  const MigrationSet set = WithDependency();
  Expected<const Revision*> ambiguous = ResolveAlembicRevision(set, "app00");
  ASSERT_FALSE(ambiguous.ok());
  EXPECT_EQ(ambiguous.error().message,
            "revision \"app00\" is ambiguous: it starts app00001 "
            "(versions/app00001_x.py), app00002 (versions/app00002_x.py); give more of the id");
  Expected<const Revision*> short_prefix = ResolveAlembicRevision(set, "l");
  ASSERT_FALSE(short_prefix.ok());
  EXPECT_EQ(short_prefix.error().message,
            "revision \"l\" is ambiguous: it starts lib00001 (versions/lib00001_x.py), lib00002 "
            "(versions/lib00002_x.py); give more of the id");
  // Any unique prefix will do, as in Alembic.
  EXPECT_EQ(ResolveAlembicRevision(set, "a").ok(), false);
  const MigrationSet linear = Linear();
  EXPECT_EQ(ResolveAlembicRevision(linear, "c").value(), &linear.revisions[2]);
}

TEST(AlembicResolve, SeveralHeads) {
  const MigrationSet set = Branches(false);
  Expected<std::vector<const Revision*>> head = ResolveAlembicTargets(set, "head");
  ASSERT_FALSE(head.ok());
  EXPECT_EQ(head.error().kind, ErrorKind::kInput);
  EXPECT_EQ(head.error().message,
            "several heads: left0002 (versions/left0002_x.py), rite0003 (versions/rite0003_x.py); "
            "use `upgrade heads`, or name one");
  EXPECT_EQ(VersionsOf(ResolveAlembicTargets(set, "heads").value()), (Ids{"left0002", "rite0003"}));
  // From the branch point both heads share its line; from one branch only its own head.
  Expected<const Revision*> root_head = ResolveAlembicRevision(set, "root0001@head");
  ASSERT_FALSE(root_head.ok());
  EXPECT_EQ(root_head.error().message,
            "several heads on the line of root0001: left0002 (versions/left0002_x.py), rite0003 "
            "(versions/rite0003_x.py); use `root0001@heads`, or name one");
  EXPECT_EQ(ResolveAlembicRevision(set, "left0002@head").value(), &set.revisions[1]);
  Expected<const Revision*> heads = ResolveAlembicRevision(set, "heads");
  ASSERT_FALSE(heads.ok());
  EXPECT_EQ(heads.error().message,
            "\"heads\" names several revisions (left0002 (versions/left0002_x.py), rite0003 "
            "(versions/rite0003_x.py)); name one of them");
  Expected<const Revision*> base = ResolveAlembicRevision(set, "base");
  ASSERT_FALSE(base.ok());
  EXPECT_EQ(base.error().message, "\"base\" names no revision here; name one revision");
}

TEST(AlembicResolve, UnknownAndOffLine) {
  const MigrationSet set = WithDependency();
  Expected<const Revision*> typo = ResolveAlembicRevision(set, "app00003");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().message,
            "unknown revision \"app00003\": did you mean app00001, app00002? (run `stairway "
            "history` to list them)");
  Expected<const Revision*> label_typo = ResolveAlembicRevision(set, "sharedd@head");
  ASSERT_FALSE(label_typo.ok());
  EXPECT_EQ(label_typo.error().message,
            "unknown revision \"sharedd\": did you mean shared? (run `stairway history` to list "
            "them)");
  Expected<const Revision*> far = ResolveAlembicRevision(set, "zzzzzzzzzzzz");
  ASSERT_FALSE(far.ok());
  EXPECT_EQ(far.error().message,
            "unknown revision \"zzzzzzzzzzzz\" in proj/alembic: run `stairway history` to list "
            "them");
  Expected<const Revision*> off = ResolveAlembicRevision(set, "shared@app00002");
  ASSERT_FALSE(off.ok());
  EXPECT_EQ(off.error().message,
            "revision app00002 is not on the line of shared (shared@app00002)");
  Expected<const Revision*> relative = ResolveAlembicRevision(set, "shared@+1");
  ASSERT_FALSE(relative.ok());
  EXPECT_NE(relative.error().message.find("steps relative to a branch are not supported"),
            std::string::npos);
}

// --- upgrade --------------------------------------------------------------------------------

TEST(AlembicUpgrade, HeadRevisionAndPlusN) {
  const MigrationSet set = Linear();
  const Plan head = PlanAlembicUpgrade(set, {"aaaa0001"}, "head").value();
  EXPECT_EQ(head.direction, Direction::kUp);
  EXPECT_EQ(Versions(head), (Ids{"bbbb0002", "cccc0003"}));
  EXPECT_EQ(head.target_label, "cccc0003");
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {}, "bbbb").value()), (Ids{"aaaa0001", "bbbb0002"}));
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {}, "+1").value()), (Ids{"aaaa0001"}));
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {"aaaa0001"}, "+2").value()),
            (Ids{"bbbb0002", "cccc0003"}));
  EXPECT_TRUE(PlanAlembicUpgrade(set, {"aaaa0001", "bbbb0002"}, "aaaa0001").value().steps.empty());
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {}, "").value()),
            (Ids{"aaaa0001", "bbbb0002", "cccc0003"}));
  EXPECT_EQ(PlanAlembicUpgrade(set, {}, "base").value().target_label, "base");
}

TEST(AlembicUpgrade, PlusNErrors) {
  const MigrationSet set = Linear();
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(set, {"aaaa0001"}, "+3")),
            "cannot upgrade +3: only 2 revisions follow on this line (up to cccc0003, a head)");
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(set, {"aaaa0001", "bbbb0002", "cccc0003"}, "+1")),
            "cannot upgrade +1: cccc0003 is a head: nothing comes after it");
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(set, {}, "+0")),
            "bad upgrade target \"+0\": expected head, heads, a revision, or +N with N >= 1");
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(set, {}, "-1")),
            "upgrade target \"-1\" goes backwards: use `stairway downgrade -1`");
  const MigrationSet branches = Branches(true);
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(branches, {"root0001"}, "+1")),
            "cannot upgrade +1: the step after root0001 is ambiguous: left0002 "
            "(versions/left0002_x.py), rite0003 (versions/rite0003_x.py) could go next; upgrade "
            "to one of them by name");
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(branches, {"root0001", "left0002", "rite0003"}, "+1")),
            "cannot upgrade +1: several heads are applied (left0002, rite0003): upgrade to a "
            "named revision, or use `upgrade heads`");
}

TEST(AlembicUpgrade, TwoHeadsAndMerge) {
  const MigrationSet set = Branches(false);
  EXPECT_EQ(ErrorOf(PlanAlembicUpgrade(set, {}, "head")),
            "several heads: left0002 (versions/left0002_x.py), rite0003 (versions/rite0003_x.py); "
            "use `upgrade heads`, or name one");
  const Plan heads = PlanAlembicUpgrade(set, {}, "heads").value();
  EXPECT_EQ(Versions(heads), (Ids{"root0001", "left0002", "rite0003"}));
  EXPECT_EQ(heads.target_label, "left0002, rite0003");
  // One branch only: its ancestors, not the other branch.
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {}, "rite0003").value()),
            (Ids{"root0001", "rite0003"}));
  const MigrationSet merged = Branches(true);
  // The merge pulls in both parents.
  EXPECT_EQ(Versions(PlanAlembicUpgrade(merged, {"root0001", "left0002"}, "head").value()),
            (Ids{"rite0003", "merge0004"}));
  // +1 from a branch whose next step is the merge takes the other parent along, as Alembic.
  EXPECT_EQ(Versions(PlanAlembicUpgrade(merged, {"root0001", "left0002"}, "+1").value()),
            (Ids{"rite0003", "merge0004"}));
}

TEST(AlembicUpgrade, BranchLabelAndDependsOn) {
  const MigrationSet set = WithDependency();
  // shared@head upgrades the library line only.
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {}, "shared@head").value()),
            (Ids{"lib00001", "lib00002"}));
  // The app's head needs lib00001 through depends_on, not lib00002.
  const Plan app = PlanAlembicUpgrade(set, {}, "app00002").value();
  EXPECT_EQ(Versions(app), (Ids{"app00001", "lib00001", "app00002"}));
  EXPECT_EQ(app.target_label, "app00002");
  EXPECT_EQ(Versions(PlanAlembicUpgrade(set, {"app00001"}, "heads").value()),
            (Ids{"lib00001", "app00002", "lib00002"}));
}

// --- downgrade ------------------------------------------------------------------------------

TEST(AlembicDowngrade, RevisionBaseAndMinusN) {
  const MigrationSet set = Linear();
  const AppliedSet all = {"aaaa0001", "bbbb0002", "cccc0003"};
  const Plan to_a = PlanAlembicDowngrade(set, all, "aaaa").value();
  EXPECT_EQ(to_a.direction, Direction::kDown);
  EXPECT_EQ(Versions(to_a), (Ids{"cccc0003", "bbbb0002"}));
  EXPECT_EQ(to_a.target_label, "aaaa0001");
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, all, "-1").value()), (Ids{"cccc0003"}));
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, all, "-3").value()),
            (Ids{"cccc0003", "bbbb0002", "aaaa0001"}));
  const Plan base = PlanAlembicDowngrade(set, all, "base").value();
  EXPECT_EQ(Versions(base), (Ids{"cccc0003", "bbbb0002", "aaaa0001"}));
  EXPECT_EQ(base.target_label, "base");
  EXPECT_TRUE(PlanAlembicDowngrade(set, all, "head").value().steps.empty());
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, all, "-4")),
            "cannot downgrade -4: the line of cccc0003 holds only 3 revisions");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, {}, "-1")),
            "cannot downgrade -1: nothing is applied");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, {"aaaa0001"}, "cccc0003")),
            "cannot downgrade to cccc0003: it is not applied (the database is at aaaa0001); "
            "downgrade to an applied revision, or use `upgrade cccc0003`");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, all, "")),
            "downgrade needs a target: -1 (undo the newest revision), -N, base, or a revision to "
            "go back to");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, all, "+1")),
            "downgrade target \"+1\" goes forwards: use `stairway upgrade +1`");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, all, "-x")),
            "bad downgrade target \"-x\": expected -N with N >= 1, base, or a revision");
}

TEST(AlembicDowngrade, SeveralHeadsAndMerges) {
  const MigrationSet set = Branches(true);
  const AppliedSet two_heads = {"root0001", "left0002", "rite0003"};
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, two_heads, "-1")),
            "several heads are applied (left0002, rite0003): downgrade to a named revision");
  // Downgrading one branch leaves the other alone.
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, two_heads, "root0001").value()),
            (Ids{"rite0003", "left0002"}));
  const AppliedSet merged = {"root0001", "left0002", "rite0003", "merge0004"};
  const Plan undo_merge = PlanAlembicDowngrade(set, merged, "-1").value();
  EXPECT_EQ(Versions(undo_merge), (Ids{"merge0004"}));
  EXPECT_EQ(undo_merge.target_label, "left0002, rite0003");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, merged, "-2")),
            "cannot downgrade -2: merge0004 is a merge of left0002, rite0003: downgrade to one of "
            "them by name");
  // To one parent of the merge: the merge goes, both parents stay.
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, merged, "left0002").value()), (Ids{"merge0004"}));
}

TEST(AlembicDowngrade, DependsOnAndBranchBase) {
  const MigrationSet set = WithDependency();
  const AppliedSet all = {"app00001", "lib00001", "app00002", "lib00002"};
  // Undoing the library's root takes app00002 with it: it depends on lib00001.
  const Plan lib_base = PlanAlembicDowngrade(set, all, "shared@base").value();
  EXPECT_EQ(Versions(lib_base), (Ids{"lib00002", "app00002", "lib00001"}));
  EXPECT_EQ(lib_base.target_label, "app00001");
  // Down to lib00001 keeps it and what depends on it.
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, all, "lib00001").value()), (Ids{"lib00002"}));
  // -1 from app00002 (a single head once lib00002 is not applied) keeps lib00001.
  const Plan minus = PlanAlembicDowngrade(set, {"app00001", "lib00001", "app00002"}, "-1").value();
  EXPECT_EQ(Versions(minus), (Ids{"app00002"}));
  EXPECT_EQ(minus.target_label, "app00001, lib00001");
  // -2 down to base of the app line: lib00001 stays (only reached through depends_on).
  const Plan to_base =
      PlanAlembicDowngrade(set, {"app00001", "lib00001", "app00002"}, "-2").value();
  EXPECT_EQ(Versions(to_base), (Ids{"app00002", "app00001"}));
  EXPECT_EQ(to_base.target_label, "lib00001");
  EXPECT_EQ(ErrorOf(PlanAlembicDowngrade(set, all, "heads")),
            "downgrade target \"heads\" names 2 revisions (app00002 (versions/app00002_x.py), "
            "lib00002 (versions/lib00002_x.py)); name one");
}

TEST(AlembicDowngrade, IrreversibleStopsBeforeAnythingRuns) {
  const MigrationSet set = Linear(/*irreversible_last=*/true);
  const AppliedSet all = {"aaaa0001", "bbbb0002", "cccc0003"};
  const std::string message = ErrorOf(PlanAlembicDowngrade(set, all, "base"));
  EXPECT_EQ(message,
            "proj/alembic/versions/cccc0003_x.py: cannot downgrade past cccc0003: its downgrade() "
            "raises or is missing (irreversible); nothing was undone. Downgrade to cccc0003 at "
            "most, or undo it by hand and run `stairway stamp` with the revision the database is "
            "at then");
  EXPECT_FALSE(PlanAlembicDowngrade(set, all, "-1").ok());
  EXPECT_TRUE(PlanAlembicDowngrade(set, all, "cccc0003").value().steps.empty());
  // Below it everything is reversible.
  EXPECT_EQ(Versions(PlanAlembicDowngrade(set, {"aaaa0001", "bbbb0002"}, "base").value()),
            (Ids{"bbbb0002", "aaaa0001"}));
}

// --- stamp ----------------------------------------------------------------------------------

TEST(AlembicStamp, Targets) {
  const MigrationSet set = Branches(true);
  EXPECT_EQ(StampTargets(set, {}, {"head"}).value(), (Ids{"merge0004"}));
  EXPECT_EQ(StampTargets(set, {}, {"left0002", "rite0003"}).value(), (Ids{"left0002", "rite0003"}));
  // A descendant replaces its ancestors.
  EXPECT_EQ(StampTargets(set, {"root0001", "left0002", "rite0003"}, {"merge0004"}).value(),
            (Ids{"merge0004"}));
  // An ancestor replaces the rows above it.
  EXPECT_EQ(
      StampTargets(set, {"root0001", "left0002", "rite0003", "merge0004"}, {"root0001"}).value(),
      (Ids{"root0001"}));
  // A row on another line stays.
  EXPECT_EQ(StampTargets(set, {"root0001", "left0002"}, {"rite0003"}).value(),
            (Ids{"left0002", "rite0003"}));
  EXPECT_TRUE(StampTargets(set, {"root0001", "left0002"}, {"base"}).value().empty());
  const MigrationSet two = Branches(false);
  EXPECT_EQ(StampTargets(two, {}, {"heads"}).value(), (Ids{"left0002", "rite0003"}));
  EXPECT_FALSE(StampTargets(two, {}, {"head"}).ok());
  const MigrationSet deps = WithDependency();
  // depends_on counts: stamping app00002 makes lib00001 applied, without a row.
  EXPECT_EQ(StampTargets(deps, {"lib00001"}, {"app00002"}).value(), (Ids{"app00002"}));
  EXPECT_EQ(StampTargets(deps, {}, {"shared@head", "app00002"}).value(),
            (Ids{"app00002", "lib00002"}));
}

TEST(AlembicStamp, Errors) {
  const MigrationSet set = Linear();
  Expected<Ids> none = StampTargets(set, {}, {});
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().message,
            "stamp needs a target: head, heads, base, or one or more revisions");
  Expected<Ids> mixed = StampTargets(set, {}, {"base", "aaaa0001"});
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.error().message,
            "stamp base clears every row: give it alone, not with other revisions");
  Expected<Ids> relative = StampTargets(set, {}, {"+1"});
  ASSERT_FALSE(relative.ok());
  EXPECT_EQ(relative.error().message,
            "stamp target \"+1\": relative steps cannot be stamped; name revisions");
  Expected<Ids> unknown = StampTargets(set, {}, {"dddd0004"});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().kind, ErrorKind::kInput);
}

// --- dispatch from planner.h ----------------------------------------------------------------

TEST(AlembicDispatch, PlannerEntryPointsUseAlembicSemantics) {
  const MigrationSet set = Branches(false);
  // The SQL formats' `head` applies every pending revision; Alembic's refuses several heads.
  EXPECT_FALSE(PlanUpgrade(set, {}, "head").ok());
  EXPECT_EQ(Versions(PlanUpgrade(set, {}, "rite").value()), (Ids{"root0001", "rite0003"}));
  EXPECT_EQ(Versions(PlanDowngrade(set, {"root0001", "left0002", "rite0003"}, "root0001").value()),
            (Ids{"rite0003", "left0002"}));
  EXPECT_EQ(ResolveRevision(set, "left").value(), &set.revisions[1]);
  EXPECT_EQ(AppliedThrough(set, &set.revisions[2]), (AppliedSet{"root0001", "rite0003"}));
  EXPECT_TRUE(AppliedThrough(set, nullptr).empty());
}

}  // namespace
}  // namespace stairway::planner

// Alembic's graph semantics on a MigrationSet of Format::kAlembic: which revisions the
// alembic_version rows stand for, how targets (head, heads, base, ids, prefixes, label@head,
// +N, -N) resolve, and the upgrade, downgrade and stamp plans that follow from them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/planner/planner.h"
#include "runner/source/migration.h"

namespace stairway::planner {

// Plans returned here set Plan::target_label to the alembic_version rows after the plan, joined
// by ", " ("base" when none), since a graph has no single newest revision.
//
// Everything below follows down_revision (Revision::parents) AND depends_on
// (Revision::alembic->depends_on) where Alembic does: "ancestors" and "descendants" count both
// kinds of edge unless a comment says otherwise.

// The revisions the rows of alembic_version stand for: the rows and all their ancestors.
// A row that names no revision of the set is an Error(kInput) naming it.
Expected<AppliedSet> AppliedFromVersionRows(const source::MigrationSet& set,
                                            const std::vector<std::string>& rows);

// The rows alembic_version holds for `applied`: the applied revisions that no other applied
// revision names in its down_revision or its depends_on, in set order. Versions of `applied`
// that the set does not know are ignored.
std::vector<std::string> VersionRows(const source::MigrationSet& set, const AppliedSet& applied);

// Resolves a target to the revisions it names: "heads" (every head), "head" (the only head; an
// error naming each head with its file when there are several), "base" (none), a full id, a
// branch label (the revision that declares it), a unique prefix (of any length, as Alembic),
// "X@head" / "X@heads" (the heads sharing a line with X, where X is a branch label or a
// revision), "X@base" (none) and "X@REV" (REV, which must share a line with X). Relative
// targets (+N, -N) are not resolved here: they depend on what is applied.
Expected<std::vector<const source::Revision*>> ResolveAlembicTargets(
    const source::MigrationSet& set, std::string_view text);

// ResolveAlembicTargets for a target that must name exactly one revision.
Expected<const source::Revision*> ResolveAlembicRevision(const source::MigrationSet& set,
                                                         std::string_view text);

// upgrade target: REV, "head", "heads", "label@head", "+N" (N steps along one line from the
// single applied head; an ambiguous step is an error naming the candidates). The plan holds
// every unapplied ancestor of the target(s), the targets included, in set order.
Expected<Plan> PlanAlembicUpgrade(const source::MigrationSet& set, const AppliedSet& applied,
                                  std::string_view target);

// downgrade target: REV (REV stays; what descends from REV's children through down_revision
// or depends_on is undone, as Alembic does: a revision that only depends_on REV stays), "base"
// (undo all), "label@base" (undo the label's line from its root), "-N" (N steps down the
// down_revision line of the single applied head; a merge can be undone only as the last step,
// where Alembic 1.8 refuses it as an "Ambiguous walk"). Steps run children before parents. A
// step whose revision has no downgrade is an Error(kInput) naming its file before anything runs.
Expected<Plan> PlanAlembicDowngrade(const source::MigrationSet& set, const AppliedSet& applied,
                                    std::string_view target);

// `stamp head|heads|base|REV [REV...]`: the alembic_version rows after stamping `targets` on
// a database where `current_applied` is applied. A target replaces the current rows on its
// line (its ancestors and descendants); rows on other lines stay; "base" (alone) clears all.
Expected<std::vector<std::string>> StampTargets(const source::MigrationSet& set,
                                                const AppliedSet& current_applied,
                                                const std::vector<std::string>& targets);

// `rev` and all its ancestors: what counts as applied once alembic_version holds only `rev`.
AppliedSet AlembicAncestorsInclusive(const source::MigrationSet& set, const source::Revision& rev);

// "+N" / "-N" (sign required) as N; 0 when `text` is not of that shape. Shared with planner.cpp.
int ParseRelative(std::string_view text, char sign);

// Levenshtein distance, shared with planner.cpp for "did you mean" suggestions.
std::size_t EditDistance(std::string_view a, std::string_view b);

}  // namespace stairway::planner

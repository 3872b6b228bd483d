// Turns a target (head | REV | +N for upgrade, -N | base | REV for downgrade) and what the
// history says is applied into an ordered list of steps, each with its transaction mode.
// Alembic sets (Format::kAlembic) are planned by alembic_plan.h, which these functions call.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/history/history.h"
#include "runner/source/migration.h"

namespace stairway::planner {

using history::Direction;

struct Step {
  const source::Revision* revision = nullptr;
  Direction direction = Direction::kUp;

  const source::Section& section() const {
    return direction == Direction::kUp ? revision->up : *revision->down;
  }
  source::TxMode tx_mode() const { return section().tx_mode; }
};

struct Plan {
  Direction direction = Direction::kUp;
  std::vector<Step> steps;
  // Label of the newest revision applied once the plan ran; "base" when none.
  std::string target_label;
};

// Versions counted as applied (state applied, edited or not).
using AppliedSet = std::set<std::string>;

// Finds a revision by version ("0003"), label ("0003_add_roles"), numerically equal version
// ("3" for "0003"), "head"/"heads" (the last revision; nullptr for an empty set) or a unique
// prefix of a version or label. Unknown: Error(kInput) naming close matches; an ambiguous prefix:
// Error(kInput) listing the candidates.
Expected<const source::Revision*> ResolveRevision(const source::MigrationSet& set,
                                                  std::string_view text);

// upgrade target: "head" | REV | "+N".
Expected<Plan> PlanUpgrade(const source::MigrationSet& set, const AppliedSet& applied,
                           std::string_view target);
// downgrade target: "-N" | "base" | REV (REV stays applied; everything after it is undone).
// A step without a down section is an Error(kInput) before anything runs.
Expected<Plan> PlanDowngrade(const source::MigrationSet& set, const AppliedSet& applied,
                             std::string_view target);

// Versions of `rev` and every revision before it in apply order (what `stamp REV` and
// `--sql --from REV` count as applied). nullptr (base) gives the empty set.
AppliedSet AppliedThrough(const source::MigrationSet& set, const source::Revision* rev);

// Revisions no other revision names as parent (one for linear formats).
std::vector<const source::Revision*> Heads(const source::MigrationSet& set);

// What the history says about each revision of the set, plus rows the set does not know.
enum class RevisionState { kPending, kApplied, kEdited, kFailed, kRunning };
std::string_view RevisionStateName(RevisionState s);

struct RevisionStatus {
  const source::Revision* revision = nullptr;
  RevisionState state = RevisionState::kPending;
  const history::Row* row = nullptr;  // points into the rows passed to Reconcile
};

struct Reconciled {
  std::vector<RevisionStatus> revisions;     // in set order
  std::vector<const history::Row*> unknown;  // rows whose version is not in the set
  AppliedSet applied;                        // applied + edited
  // Newest revision in set order that is applied (nullptr: base).
  const source::Revision* current = nullptr;

  bool HasProblems() const;
};

Reconciled Reconcile(const source::MigrationSet& set, const std::vector<history::Row>& rows);

}  // namespace stairway::planner

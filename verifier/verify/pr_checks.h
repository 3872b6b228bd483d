// The pull-request checks of `stairway verify --base REF`: which revisions changed since the base
// commit, and the changes a database already migrated from the base branch cannot follow.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/migration.h"
#include "verifier/report/report.h"

namespace stairway::verifier::verify {

// Rule ids of the findings (check "pr"); docs/pr-gate.md describes each.
inline constexpr const char* kEditedAfterMerge = "edited-after-merge";
inline constexpr const char* kDeletedAfterMerge = "deleted-after-merge";
inline constexpr const char* kOutOfOrder = "out-of-order";
inline constexpr const char* kAlembicNotDescending = "alembic-not-descending";
inline constexpr const char* kBaseUnreadable = "base-unreadable";

struct PrOptions {
  std::string base;             // git revision as the user typed it ("origin/main")
  std::string flag = "--base";  // how messages name the option
  // Versions (Alembic: revision ids) edited after merge on purpose: a note, not an error.
  std::vector<std::string> allow_edit;
};

struct PrResult {
  std::string base_commit;  // the full id `base` resolved to
  std::string base_name;    // `base` as messages show it (control characters escaped)
  // Versions whose files differ from the base commit's (committed or not) or that
  // the base does not have, in apply order: the roundtrip round-trips these and applies the
  // others up only.
  std::vector<std::string> changed;
  int base_revisions = 0;  // revisions of the set at the base commit
  report::Report report;   // check "pr": a step per revision added, changed or deleted
  bool failed = false;     // an error finding: the change cannot merge as it is
};

// Compares `set` (as loaded from the working tree) with the same migration files at `base`: for
// SQL formats the migration directory's *.sql files, for Alembic the version locations' *.py
// files, read with git (argv only) into a private temp directory and loaded with the normal
// readers. Findings: edited-after-merge (a revision at the base whose checksummed text differs),
// deleted-after-merge, out-of-order (a new version before the base's newest; ordered formats),
// alembic-not-descending (a new revision whose down_revision is not a head at the base), and
// base-unreadable (a warning: the set at the base does not load, so only `changed` is known).
// Error(kInput) when git is missing, the directory is not in a repository, or `base` names no
// commit.
Expected<PrResult> CheckAgainstBase(const source::MigrationSet& set, const PrOptions& options);

// What PrCheck::Select finds: the base commit and the versions changed since it.
struct PrSelection {
  std::string base_commit;           // the full id `base` resolved to
  std::string base_name;             // `base` as messages show it (control characters escaped)
  std::vector<std::string> changed;  // as PrResult::changed
};

// CheckAgainstBase in two halves, for verify: Select() reads the base through git and returns
// the versions changed since it (PrResult::changed: what --base round-trips) without writing or
// loading anything; Finish() loads the base's set and compares, and can run on a thread beside
// the roundtrip. Finish only after Select succeeded. `set` must outlive this.
class PrCheck {
 public:
  PrCheck(const source::MigrationSet& set, const PrOptions& options);
  ~PrCheck();
  Expected<PrSelection> Select();
  Expected<PrResult> Finish();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stairway::verifier::verify

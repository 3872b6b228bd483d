// The linter: scans and parses every input (in parallel), replays each migration set's DDL in
// order, runs the enabled rules and applies suppressions. Produces a report::Report.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/migration.h"
#include "verifier/lint/config.h"
#include "verifier/report/report.h"

namespace stairway::lint {

// One piece of SQL to lint: a section of a revision, a loose .sql file, or stdin.
struct LintUnit {
  enum class Role { kUp, kDown, kFile };
  std::string path;  // display path ("migrations/0004_x.sql", "-")
  std::string sql;
  int first_line = 1;    // line of `path` where `sql` starts
  bool wrapped = false;  // the runner runs it inside one transaction
  // A marker in the file (goose NO TRANSACTION, transaction:false) says it runs outside one;
  // false when it is not wrapped only because of what it contains.
  bool marked_no_transaction = false;
  std::string revision;     // "0004_add_roles" for migration sections
  Role role = Role::kFile;  // a down section is linted against the schema after its up and
                            // not replayed into later revisions
  bool report = true;       // false: only replayed for context (--changed-since)

  // SQL produced by code (Alembic revisions): `sql` was rendered from the file at `path`, whose
  // text is `origin_text`. Each finding is placed at the call that produced its statement and
  // shows that line of the file; suppressions are the file's `# stairway:ignore` comments on
  // the call's line or the line above.
  struct Origin {
    std::size_t offset = 0;  // where the statement starts in `sql`
    int line = 0;            // 1-based line in `origin_text`; 0 unknown
    int column = 0;          // 1-based; 0 unknown
  };
  std::vector<Origin> origins;  // sorted by offset
  // [begin, end) offsets of statements that run outside the unit's transaction although it is
  // wrapped (Alembic's autocommit_block()): each is its own transaction.
  std::vector<std::pair<std::size_t, std::size_t>> outside_transaction;
  std::string origin_text;  // empty: positions are in `sql` itself
  // Lines of this direction's function and of the other one's: a comment inside a function is
  // that function's unit's; one outside both is the up unit's.
  int own_first_line = 0, own_last_line = 0;
  int other_first_line = 0, other_last_line = 0;
  // Files inlined into `sql` (psql \i in sqitch scripts): findings on their lines name them.
  std::vector<source::Section::Origin> included;
};

// Units that share one schema replay, in apply order: one migration set, or one loose file.
struct LintGroup {
  std::vector<LintUnit> units;
};

// Units of a migration set: every revision's up (then its down), with transaction modes.
LintGroup GroupFromMigrationSet(const source::MigrationSet& set);

// What Lint parsed and replayed (parse trees, schema models), owned past the call.
using LintScratch = std::shared_ptr<void>;

// Lints the groups. Fails (input error) only on unknown rule ids in suppression comments.
// With `keep`, the parse trees and schema models are handed to it instead of being freed: a
// process about to exit can leave them to the kernel, which is cheaper than freeing every node
// (about 10 ms for a 20,000-statement file, a quarter of the rules' time).
Expected<report::Report> Lint(const std::vector<LintGroup>& groups, const LintOptions& options,
                              LintScratch* keep = nullptr);

// Rule metadata for the report (SARIF describes the rules it reports).
std::vector<report::RuleMeta> RuleMetadata(const LintOptions& options);

}  // namespace stairway::lint

// The linter: scans and parses every input (in parallel), replays each migration set's DDL in
// order, runs the enabled rules and applies suppressions. Produces a report::Report.
#pragma once

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
  int first_line = 1;       // line of `path` where `sql` starts
  bool wrapped = false;     // the runner runs it inside one transaction
  std::string revision;     // "0004_add_roles" for migration sections
  Role role = Role::kFile;  // a down section is linted against the schema after its up and
                            // not replayed into later revisions
  bool report = true;       // false: only replayed for context (--changed-since)
};

// Units that share one schema replay, in apply order: one migration set, or one loose file.
struct LintGroup {
  std::vector<LintUnit> units;
};

// Units of a migration set: every revision's up (then its down), with transaction modes.
LintGroup GroupFromMigrationSet(const source::MigrationSet& set);

// Lints the groups. Fails (input error) only on unknown rule ids in suppression comments.
Expected<report::Report> Lint(const std::vector<LintGroup>& groups, const LintOptions& options);

// Rule metadata for the report (SARIF describes the rules it reports).
std::vector<report::RuleMeta> RuleMetadata(const LintOptions& options);

}  // namespace stairway::lint

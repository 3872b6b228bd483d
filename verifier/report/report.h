// The one Report value every checking command fills (lint, roundtrip, drift) and the writers
// that render it: text, JSON, SARIF 2.1.0, GitHub annotations, JUnit XML, Markdown and GitLab
// Code Quality.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/diagnostic.h"
#include "runner/common/expected.h"

namespace stairway::report {

struct Step;

// One problem found by a check. Lint findings carry a rule id; other checks use their own
// ids ("roundtrip-mismatch", "drift", "syntax-error") so filters and SARIF rules still work.
struct Finding {
  std::string check = "lint";  // which step found it: "lint", "roundtrip", "drift", ...
  std::string rule;            // stable id, e.g. "require-concurrent-index-create"
  Severity severity = Severity::kWarning;
  std::string message;
  std::string help;         // the safe alternative; may be empty
  std::string path;         // as given by the user; empty for whole-run findings
  int line = 0;             // 1-based; 0 = whole file
  int column = 0;           // 1-based, in characters
  std::string source_line;  // for the caret display; may be empty
  std::string revision;     // "0004_add_roles" when known
  std::string lock;         // lock the statement takes, e.g. "ACCESS EXCLUSIVE" (Markdown table)
  // The Step (by name) it belongs to, whatever its path: one of the steps of a file that has
  // several ("0004_add_roles down"), the drift step of a finding that points at the model's
  // source. Empty: every step of its check and path.
  std::string step;
  // The database object it is about, when the check knows it (roundtrip, drift): its kind
  // ("column", "index", ...; "revision" for a history row) and identity ("public.users.bio").
  std::string object_kind;
  std::string object;

  Diagnostic ToDiagnostic() const;
  // Same check as the step, and its step name when the finding names one, else its path.
  bool BelongsTo(const Step& s) const;
};

// A unit of work the command performed (a file linted, a revision round-tripped). JUnit turns
// steps into test cases; steps without findings are passing cases.
struct Step {
  std::string check = "lint";
  std::string name;  // "migrations/0004_add_roles.sql" or "0004 up/down/up"
  std::string path;  // file the step read; its findings are those with this path
  double duration_ms = 0;
  bool skipped = false;
  std::string skip_reason;
};

// Rule metadata for the formats that describe their rules (SARIF).
struct RuleMeta {
  std::string id;
  std::string summary;
  std::string help;
  Severity severity = Severity::kWarning;
};

// The migration set a verify report is about, so `report merge` refuses to join reports of
// different sets (or of one set at different commits).
struct SetInfo {
  std::string directory;  // as given on the command line
  std::string format;     // "stairway", "golang-migrate", ..., "alembic"
  int revisions = 0;
  std::string fingerprint;  // SHA-256 over every revision's label, up and down
};

// verify --shard I/N: the share of the revisions this report round-tripped and linted.
struct ShardInfo {
  int index = 0;  // 1-based
  int count = 0;
  int begin = 0;  // first revision of the slice (0-based, in apply order)
  int end = 0;    // one past the last; begin == end: an empty slice
  // The checks the run was asked for ("roundtrip", "lint", "drift"), in that order: shards run
  // with different selections do not add up to one run.
  std::vector<std::string> checks;
};

// How verify decided its exit code, so that a merge of shards decides it the same way.
struct Verdict {
  std::string fail_level = "warning";  // --fail-level: error, warning, info or none
  // Findings that fail whatever the level (roundtrip, drift); lint fails at the level.
  bool failed_checks = false;
  int exit_code = 0;
};

struct Report {
  std::string command = "lint";  // "lint", "verify", ...
  std::vector<Step> steps;
  std::vector<Finding> findings;
  std::vector<RuleMeta> rules;
  // verify only (written to JSON when set): what was checked, which shard, how it was judged.
  std::optional<SetInfo> set;
  std::optional<ShardInfo> shard;
  std::optional<Verdict> verdict;
  // The "stairway_version" of a report read back (ReadJson); writers use WriteOptions instead.
  std::string written_by;

  // Orders findings by path, line, column, rule (stable output for golden tests and CI).
  void Sort();
  // Adds another report's steps, findings and rules (verify combines lint + roundtrip).
  void Merge(Report other);
  int Count(Severity at_least) const;
  // Findings of the step (same check and path, and step name when the finding names one), in
  // report order.
  std::vector<const Finding*> FindingsOf(const Step& step) const;
};

// kCodeQuality: GitLab's Code Quality report (a JSON array; `artifacts: reports: codequality`).
enum class Format { kText, kJson, kSarif, kGithub, kJunit, kMarkdown, kCodeQuality };
std::optional<Format> ParseFormat(std::string_view name);  // "text", "json", "sarif", ...
std::string_view FormatName(Format f);

struct WriteOptions {
  bool color = false;  // ANSI colours in text output
  std::string tool_version = "0.1.0";
};

// GitHub's limit for a pull-request comment and a step summary, in characters: the Markdown
// writer lists findings worst first and stops short of it, counting what it left out.
inline constexpr std::size_t kMarkdownLimit = 65536;

// Text, JSON and SARIF list findings in report order; GitHub annotations and Markdown list
// errors, then warnings, then notes. JUnit fails a step's case only for warnings and errors.
std::string Write(const Report& report, Format format, const WriteOptions& options = {});

// Reads a report written by Write(..., Format::kJson) back; `origin` (a file name) starts every
// error message. Input error for text that is not such a report, or of a newer
// "stairway_report" version than this build writes. Write(Read(Write(r))) == Write(r).
Expected<Report> ReadJson(std::string_view json, std::string_view origin);

// The "stairway_report" version Write(kJson) writes and ReadJson accepts.
inline constexpr int kJsonReportVersion = 1;

// True when stdout is a terminal and NO_COLOR is unset.
bool ColorWanted(bool no_color_flag);

}  // namespace stairway::report

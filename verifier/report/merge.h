// `stairway report merge`: the JSON reports of `verify --shard I/N` jobs joined into the report
// one unsharded run gives, after checking they are the N shards of one history.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runner/common/expected.h"
#include "verifier/report/report.h"

namespace stairway::report {

// One report and the file it was read from (error messages name it).
struct NamedReport {
  std::string origin;
  Report report;
};

// Joins the reports: steps and findings grouped by check in the order the checks ran (as the
// reports list them), each check's in shard order (a shard's slice follows the one before it),
// so the result lists them as one run does; rules once each. Input error, naming the files, for
// reports written by another stairway version than `tool_version` or by different commands, of
// different migration sets (directory, format, revisions, fingerprint), sharded reports mixed with
// unsharded ones, shards of different N or checks, a shard given twice or missing, or slices that
// do not tile the set. Reports without shard information (verify without --shard, lint) are simply
// joined. The verdict: failed_checks when any report's was; the fail level is `fail_level` when
// given, else the reports' common one (they must agree); exit_code is left to the caller.
Expected<Report> MergeReports(std::vector<NamedReport> reports, std::string_view tool_version,
                              const std::optional<std::string>& fail_level);

}  // namespace stairway::report

// `stairway report merge FILE.json...`: the --report json files of `verify --shard I/N` jobs
// joined into one report, written in any --report format, judged as one unsharded run is.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/command.h"
#include "cli/report_flags.h"
#include "runner/common/error.h"
#include "runner/common/file.h"
#include "verifier/report/merge.h"

namespace stairway::cli {

namespace {

struct MergeArgs {
  std::vector<std::string> files;
  ReportFlags report_flags;
  std::string fail_level;  // empty: the shards' own
};

int RunMerge(const GlobalOptions& global, const MergeArgs& args) {
  const std::vector<ReportOutput> outputs = args.report_flags.Resolve();
  std::optional<std::string> fail_level;
  if (!args.fail_level.empty()) {
    // Checked before any file is read; kept in the spelling verify writes ("warn" -> "warning").
    const std::optional<Severity> level = ParseFailLevel(args.fail_level);
    fail_level = level ? std::string(SeverityName(*level)) : "none";
  }
  std::vector<report::NamedReport> reports;
  for (const std::string& file : args.files) {
    Expected<std::string> text = ReadInputFile(file);
    if (!text) {
      Error error = std::move(text).error();
      error.message += " (a --report json file of `stairway verify`)";
      throw StopError(std::move(error));
    }
    reports.push_back({file, report::ReadJson(*text, file).ValueOrThrow()});
  }
  const report::WriteOptions defaults;
  report::Report merged =
      report::MergeReports(std::move(reports), defaults.tool_version, fail_level).ValueOrThrow();
  // As verify decides: roundtrip and drift findings always fail, the rest at the fail level.
  const std::string level = merged.verdict ? merged.verdict->fail_level : "warning";
  const std::optional<Severity> fail = ParseFailLevel(level);
  const bool failed =
      (merged.verdict && merged.verdict->failed_checks) || (fail && merged.Count(*fail) > 0);
  const int exit_code = failed ? static_cast<int>(ExitCode::kFindings) : 0;
  if (merged.verdict) merged.verdict->exit_code = exit_code;
  WriteReports(merged, outputs, global.no_color);
  return exit_code;
}

}  // namespace

RunFn SetupReport(CLI::App& sub, GlobalOptions& global) {
  sub.require_subcommand(1);
  CLI::App* merge = sub.add_subcommand(
      "merge", "Join the --report json files of `verify --shard I/N` jobs into one report");
  merge->fallthrough();
  auto args = std::make_shared<MergeArgs>();
  merge->add_option("FILE", args->files, "--report json files, one per shard (any order)")
      ->required()
      ->type_name("FILE.json");
  args->report_flags.Add(
      *merge, "Report format, repeatable: text (default), json, sarif, github, junit, markdown");
  merge->add_option("--fail-level", args->fail_level,
                    "Exit 1 on lint findings at or above: error, warning, info, none (default: "
                    "the level the shards were run with)");
  merge->footer(
      "The files must be the N reports of one `stairway verify --shard I/N --report json` run:\n"
      "same stairway version, same migration set, every shard once. The merged report lists\n"
      "what one unsharded run lists, and the exit code is the one it gives: 1 for roundtrip or\n"
      "drift findings, or lint findings at --fail-level; 0 otherwise; 2 for files that cannot\n"
      "be merged.\n"
      "\n"
      "Example:\n"
      "  stairway report merge shard-*.json --report junit -o verify.xml --report text");
  return [&global, args] { return RunMerge(global, *args); };
}

}  // namespace stairway::cli

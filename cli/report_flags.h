// --report FORMAT and -o FILE, as verify and lint take them: each -o belongs to the --report
// written before it on the command line, whatever the count of either.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "verifier/report/report.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace stairway::cli {

struct ReportOutput {
  report::Format format = report::Format::kText;
  std::string path;  // empty or "-": stdout
  bool to_stdout() const { return path.empty() || path == "-"; }
};

class ReportFlags {
 public:
  // Declares --report and -o/--output on `sub` (kept for reading the order after parsing).
  void Add(CLI::App& sub, const std::string& report_help);
  // After parsing: the reports in command-line order (text to stdout when none was asked),
  // each with the -o that follows it. Throws StopError(kInput) for an unknown format, an -o
  // before the first --report, or two -o for one --report.
  std::vector<ReportOutput> Resolve() const;

 private:
  CLI::App* sub_ = nullptr;
  CLI::Option* report_option_ = nullptr;
  CLI::Option* output_option_ = nullptr;
  std::vector<std::string> reports_;
  std::vector<std::string> outputs_;
};

// --fail-level: error, warning, info, or none (nullopt: never fail). StopError(kInput) for
// anything else.
std::optional<Severity> ParseFailLevel(const std::string& level);

// Writes `rep` in each format to its file (checked, see WriteFileChecked) or stdout.
void WriteReports(const report::Report& rep, const std::vector<ReportOutput>& outputs,
                  bool no_color);

}  // namespace stairway::cli

// --report / -o pairing by command-line order (see report_flags.h).
#include "cli/report_flags.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/output.h"
#include "runner/common/error.h"
#include "verifier/lint/config.h"

namespace stairway::cli {

void ReportFlags::Add(CLI::App& sub, const std::string& report_help) {
  sub_ = &sub;
  report_option_ = sub.add_option("--report", reports_, report_help)->allow_extra_args(false);
  output_option_ =
      sub.add_option("-o,--output", outputs_,
                     "File for the --report before it (- is stdout): --report json -o a.json "
                     "--report junit -o b.xml")
          ->allow_extra_args(false);
}

std::vector<ReportOutput> ReportFlags::Resolve() const {
  std::vector<ReportOutput> out;
  std::size_t next_report = 0;
  std::size_t next_output = 0;
  bool path_given = false;  // the last report in `out` already has its -o
  // CLI11 keeps each occurrence of an option in parse order: that order pairs them.
  for (const CLI::Option* option : sub_->parse_order()) {
    if (option == report_option_ && next_report < reports_.size()) {
      const std::string& name = reports_[next_report++];
      const auto format = report::ParseFormat(name);
      if (!format) {
        throw StopError(Error::Input(fmt::format(
            "unknown --report '{}'; use text, json, sarif, github, junit, markdown or codequality",
            name)));
      }
      out.push_back({*format, ""});
      path_given = false;
    } else if (option == output_option_ && next_output < outputs_.size()) {
      const std::string& path = outputs_[next_output++];
      if (out.empty() && !reports_.empty()) {
        throw StopError(Error::Input(
            fmt::format("-o {} comes before any --report: write it after the --report it is for "
                        "(--report json -o {})",
                        path, path)));
      }
      if (out.empty()) out.push_back({report::Format::kText, ""});  // no --report: the text one
      if (path_given) {
        throw StopError(Error::Input(
            fmt::format("two -o files ({} and {}) for one --report {}: give one --report per -o",
                        out.back().path, path, report::FormatName(out.back().format))));
      }
      out.back().path = path;
      path_given = true;
    }
  }
  if (out.empty()) out.push_back({report::Format::kText, ""});
  return out;
}

void WriteReports(const report::Report& rep, const std::vector<ReportOutput>& outputs,
                  bool no_color) {
  for (const ReportOutput& output : outputs) {
    report::WriteOptions options;
    options.color = output.to_stdout() && output.format == report::Format::kText &&
                    report::ColorWanted(no_color);
    const std::string text = report::Write(rep, output.format, options);
    if (output.to_stdout()) {
      Out(text);
    } else {
      WriteFileChecked(output.path, text, "report");
    }
  }
  FlushOut();
}

std::optional<Severity> ParseFailLevel(const std::string& level) {
  if (level == "none") return std::nullopt;
  std::optional<Severity> severity = lint::ParseSeverity(level);
  if (!severity) {
    throw StopError(Error::Input(
        fmt::format("unknown --fail-level '{}'; use error, warning, info or none", level)));
  }
  return severity;
}

}  // namespace stairway::cli

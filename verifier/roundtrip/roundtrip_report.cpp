// Roundtrip Result -> report::Report (steps for JUnit, findings with revision and file).
#include "verifier/roundtrip/roundtrip_report.h"

#include <fmt/format.h>

namespace stairway::verifier::roundtrip {

namespace {

double Ms(const std::optional<std::chrono::milliseconds>& ms) {
  return ms ? static_cast<double>(ms->count()) : 0.0;
}

report::Finding MakeFinding(const source::Revision* rev, const std::string& label, std::string rule,
                            std::string message, Severity severity) {
  report::Finding f;
  f.check = "roundtrip";
  f.rule = std::move(rule);
  f.severity = severity;
  f.message = std::move(message);
  f.revision = label;
  if (rev != nullptr) f.path = rev->up.path.string();
  return f;
}

}  // namespace

report::Report ToReport(const Result& result, const source::MigrationSet& set) {
  report::Report out;
  out.command = "verify";
  for (const RevisionResult& r : result.revisions) {
    const source::Revision* rev = nullptr;
    for (const source::Revision& candidate : set.revisions) {
      if (candidate.Label() == r.label) rev = &candidate;
    }
    const std::string path = rev != nullptr ? rev->up.path.string() : std::string();
    auto step = [&](std::string_view what, const std::optional<std::chrono::milliseconds>& ms,
                    std::string skip_reason) {
      report::Step s;
      s.check = "roundtrip";
      s.name = fmt::format("{} {}", r.label, what);
      s.path = path;
      s.duration_ms = Ms(ms);
      s.skipped = !skip_reason.empty();
      s.skip_reason = std::move(skip_reason);
      out.steps.push_back(std::move(s));
    };
    if (!r.skipped_because.empty()) {
      // Nothing of it ran: a note, never a failure (the failed up is the finding).
      const std::string reason = fmt::format("builds on {}, whose up failed", r.skipped_because);
      for (std::string_view what : {"up", "down", "re-up"}) step(what, std::nullopt, reason);
      out.findings.push_back(MakeFinding(rev, r.label, "roundtrip-not-run",
                                         fmt::format("{}: skipped: {}", r.label, reason),
                                         Severity::kInfo));
      out.findings.back().step = r.label + " up";
      continue;
    }
    // A step that never ran is skipped with the reason, unless the run stopped before it.
    std::string not_run;
    if (r.up_only) {
      not_run = r.up_only_reason;
    } else if (r.irreversible_marker) {
      not_run = "intentionally irreversible (-- stairway:irreversible)";
    } else if (r.irreversible) {
      not_run = "no down section";
    }
    step("up", r.up, "");
    if (r.down || r.failed_step == "down" || r.failed_step == "re-up" || !not_run.empty() ||
        !r.failure) {
      step("down", r.down, r.down || r.failure ? "" : not_run);
      step("re-up", r.reup, r.reup || r.failure ? "" : not_run);
    }
    // Each finding goes to the step that showed it (JUnit lists it under that test case only):
    // the step the check recorded with it (RevisionResult::details); one seen before the up
    // (at S0) to the up. Errors first, then warnings, then notes.
    const std::string down = r.label + " down";
    for (const Severity severity : {Severity::kError, Severity::kWarning, Severity::kInfo}) {
      for (const FindingDetail& d : r.details) {
        if (d.severity != severity) continue;
        out.findings.push_back(MakeFinding(rev, r.label, d.rule, d.message, d.severity));
        out.findings.back().step = r.label + " " + (d.step.empty() ? "up" : d.step);
        out.findings.back().object_kind = d.object_kind;
        out.findings.back().object = d.object;
      }
    }
    if (r.irreversible) {
      out.findings.push_back(MakeFinding(rev, r.label, "roundtrip-irreversible",
                                         fmt::format("{}: irreversible: no down section", r.label),
                                         Severity::kError));
      out.findings.back().step = down;
      out.findings.back().help =
          "add a down section, or mark the revision `-- stairway:irreversible` if it is meant "
          "to be one-way";
    }
    if (r.irreversible_marker) {
      out.findings.push_back(MakeFinding(
          rev, r.label, "roundtrip-irreversible",
          fmt::format("{}: intentionally irreversible (-- stairway:irreversible)", r.label),
          Severity::kInfo));
      out.findings.back().step = down;
    }
    if (r.failure) {
      out.findings.push_back(MakeFinding(
          rev, r.label, "roundtrip-step-failed",
          fmt::format("{}: {} failed: {}", r.label, r.failed_step, *r.failure), Severity::kError));
      out.findings.back().step = r.label + " " + r.failed_step;
      // The failing statement's line, when it is in the file the revision's steps name (a
      // golang-migrate or Flyway down file is named in the message).
      if (r.failure_path == out.findings.back().path) out.findings.back().line = r.failure_line;
    }
  }
  if (!result.not_run.empty()) {
    // One note for the revisions after a failure that ended the run (a linear history whose
    // up failed, --fail-fast): a line each would bury the failure.
    constexpr std::size_t kNamed = 10;
    std::string names;
    for (std::size_t i = 0; i < result.not_run.size() && i < kNamed; ++i) {
      names += (i == 0 ? "" : ", ") + result.not_run[i];
    }
    if (result.not_run.size() > kNamed) {
      names += fmt::format(" and {} more", result.not_run.size() - kNamed);
    }
    report::Finding f;
    f.check = "roundtrip";
    f.rule = "roundtrip-not-run";
    f.severity = Severity::kInfo;
    f.message = fmt::format("{} revision{} not run: {}: {}", result.not_run.size(),
                            result.not_run.size() == 1 ? "" : "s", result.not_run_reason, names);
    out.findings.push_back(std::move(f));
  }
  return out;
}

}  // namespace stairway::verifier::roundtrip

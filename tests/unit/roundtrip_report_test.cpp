// roundtrip::ToReport for a run that went on after failures: one error per failed step at the
// failing statement's line, skipped descendants and revisions not run as notes (never JUnit
// failures).
#include "verifier/roundtrip/roundtrip_report.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace stairway::verifier::roundtrip {
namespace {

source::MigrationSet ThreeRevisions() {
  source::MigrationSet set;
  set.dir = "m";
  set.format = source::Format::kStairway;
  for (const std::string& label : {"0001_a", "0002_b", "0003_c"}) {
    source::Revision rev;
    rev.version = label.substr(0, 4);
    rev.name = label.substr(5);
    rev.up.path = "m/" + label + ".sql";
    rev.down = rev.up;
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

RevisionResult Failed(const std::string& label, const std::string& step, int line) {
  RevisionResult r;
  r.label = label;
  r.up = std::chrono::milliseconds(1);
  if (step != "up") r.down = std::chrono::milliseconds(1);
  r.failure = "m/" + label + ".sql:" + std::to_string(line) + ":1: error: it failed";
  r.failed_step = step;
  r.failure_path = "m/" + label + ".sql";
  r.failure_line = line;
  return r;
}

TEST(RoundtripReport, OneErrorPerFailedStepAndNotesForWhatDidNotRun) {
  Result result;
  result.revisions.push_back(Failed("0001_a", "re-up", 2));
  result.revisions.push_back(Failed("0002_b", "down", 6));
  RevisionResult skipped;
  skipped.label = "0003_c";
  skipped.skipped_because = "0002_b";
  result.revisions.push_back(skipped);
  result.failed = true;
  result.stopped = true;
  result.not_run = {"0004_d", "0005_e"};
  result.not_run_reason = "they build on 0003_c, whose up failed";

  const report::Report out = ToReport(result, ThreeRevisions());
  std::vector<const report::Finding*> failed, notes;
  for (const report::Finding& f : out.findings) {
    if (f.rule == "roundtrip-step-failed") failed.push_back(&f);
    if (f.rule == "roundtrip-not-run") notes.push_back(&f);
  }
  ASSERT_EQ(failed.size(), 2u);
  EXPECT_EQ(failed[0]->severity, Severity::kError);
  EXPECT_EQ(failed[0]->step, "0001_a re-up");
  EXPECT_EQ(failed[0]->line, 2);
  EXPECT_EQ(failed[1]->step, "0002_b down");
  EXPECT_EQ(failed[1]->path, "m/0002_b.sql");
  EXPECT_EQ(failed[1]->line, 6);

  ASSERT_EQ(notes.size(), 2u);
  EXPECT_EQ(notes[0]->severity, Severity::kInfo);
  EXPECT_EQ(notes[0]->message, "0003_c: skipped: builds on 0002_b, whose up failed");
  EXPECT_EQ(notes[0]->path, "m/0003_c.sql");
  EXPECT_EQ(notes[1]->severity, Severity::kInfo);
  EXPECT_EQ(notes[1]->message,
            "2 revisions not run: they build on 0003_c, whose up failed: 0004_d, 0005_e");
  // The skipped revision's three steps are skipped with the reason.
  const auto skipped_steps = std::count_if(out.steps.begin(), out.steps.end(), [](const auto& s) {
    return s.path == "m/0003_c.sql" && s.skipped &&
           s.skip_reason == "builds on 0002_b, whose up failed";
  });
  EXPECT_EQ(skipped_steps, 3);

  // JUnit: the two failed steps fail their cases; the notes fail none.
  const std::string junit = report::Write(out, report::Format::kJunit);
  EXPECT_NE(junit.find("failures=\"2\""), std::string::npos) << junit;
}

// The step of a finding is the phase the check saw it at (PhaseContext::Add records it with
// StepOfPhase), not a guess from its rule or its text: a data-loss line seen after the down fails
// the down case, a column-order warning and a note seen after the re-up the re-up case.
TEST(RoundtripReport, FindingsGoToTheStepTheirPhaseRecorded) {
  EXPECT_EQ(StepOfPhase(Phase::kBefore), "");
  EXPECT_EQ(StepOfPhase(Phase::kAfterUp), "up");
  EXPECT_EQ(StepOfPhase(Phase::kAfterDown), "down");
  EXPECT_EQ(StepOfPhase(Phase::kAfterReUp), "re-up");
  const source::MigrationSet set = ThreeRevisions();
  RevisionResult r;
  r.label = "0001_a";
  r.up = r.down = r.reup = std::chrono::milliseconds(1);
  // Recorded note first: the report still lists errors, then warnings, then notes.
  r.details = {{"data-change", "re-up", "", "", "0001_a: values changed (data-change: on purpose)",
                Severity::kInfo},
               {"data-loss", "down", "table", "public.t", "0001_a: rows of public.t are gone",
                Severity::kError},
               {"roundtrip-column-order", "re-up", "column", "public.t.b",
                "0001_a: column order of public.t changed", Severity::kWarning},
               {"roundtrip-tracking", "", "", "", "0001_a: S0: tracked catalog differs: x",
                Severity::kError}};
  EXPECT_EQ(r.Findings(), (std::vector<std::string>{"0001_a: rows of public.t are gone",
                                                    "0001_a: S0: tracked catalog differs: x"}));
  EXPECT_EQ(r.Messages(Severity::kWarning),
            std::vector<std::string>{"0001_a: column order of public.t changed"});
  EXPECT_EQ(r.FindingCount(), 2);

  Result result;
  result.revisions.push_back(r);
  const report::Report out = ToReport(result, set);
  std::vector<std::pair<std::string, std::string>> steps;
  for (const report::Finding& f : out.findings) steps.emplace_back(f.rule, f.step);
  // A finding seen before the up (S0) goes to the up.
  const std::vector<std::pair<std::string, std::string>> want = {
      {"data-loss", "0001_a down"},
      {"roundtrip-tracking", "0001_a up"},
      {"roundtrip-column-order", "0001_a re-up"},
      {"data-change", "0001_a re-up"}};
  EXPECT_EQ(steps, want);
  // The object comes along.
  ASSERT_EQ(out.findings.size(), 4u);
  EXPECT_EQ(out.findings[0].object_kind, "table");
  EXPECT_EQ(out.findings[0].object, "public.t");
  EXPECT_EQ(out.findings[3].object, "");
}

}  // namespace
}  // namespace stairway::verifier::roundtrip

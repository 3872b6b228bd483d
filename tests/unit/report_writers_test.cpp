// Golden outputs of every report format, produced by linting fixtures/golden/report/input.sql
// (CRLF line ends, multi-byte identifiers). STAIRWAY_UPDATE_GOLDEN=1 rewrites the files.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/paths.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"

namespace stairway::report {
namespace {

std::string Read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Report DemoReport() {
  lint::LintGroup g;
  lint::LintUnit u;
  u.path = "migrations/0001_demo.sql";
  u.sql = Read(testing::FixturesDir() / "golden/report/input.sql");
  u.wrapped = true;
  u.revision = "0001_demo";
  u.role = lint::LintUnit::Role::kUp;
  g.units.push_back(u);
  lint::LintOptions options;
  options.disable = {"require-statement-timeout"};
  Expected<Report> r = lint::Lint({g}, options);
  EXPECT_TRUE(r.ok());
  for (Step& s : r->steps) s.duration_ms = 0;  // measured times would make the files flaky
  return std::move(r).value();
}

class GoldenTest : public ::testing::TestWithParam<std::pair<Format, const char*>> {};

TEST_P(GoldenTest, MatchesGoldenFile) {
  const auto [format, file] = GetParam();
  const std::string actual = Write(DemoReport(), format);
  const auto path = testing::FixturesDir() / "golden/report" / file;
  if (std::getenv("STAIRWAY_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path, std::ios::binary) << actual;
  }
  EXPECT_EQ(actual, Read(path)) << "golden file " << path
                                << " (STAIRWAY_UPDATE_GOLDEN=1 rewrites it)";
}

INSTANTIATE_TEST_SUITE_P(
    Formats, GoldenTest,
    ::testing::Values(std::make_pair(Format::kText, "report.txt"),
                      std::make_pair(Format::kJson, "report.json"),
                      std::make_pair(Format::kSarif, "report.sarif"),
                      std::make_pair(Format::kGithub, "report.github.txt"),
                      std::make_pair(Format::kJunit, "report.junit.xml"),
                      std::make_pair(Format::kMarkdown, "report.md"),
                      std::make_pair(Format::kCodeQuality, "report.codequality.json")),
    [](const auto& info) { return std::string(FormatName(info.param.first)); });

TEST(ReportText, MultiByteAndCrlfPositions) {
  const Report r = DemoReport();
  ASSERT_FALSE(r.findings.empty());
  // Line 3 is `/* ünïcode */ CREATE INDEX ...`: CREATE starts at character 15 (byte 17).
  bool seen = false;
  for (const Finding& f : r.findings) {
    if (f.rule != "require-concurrent-index-create") continue;
    seen = true;
    EXPECT_EQ(f.line, 3);
    EXPECT_EQ(f.column, 15);
    EXPECT_EQ(f.source_line, "/* ünïcode */ CREATE INDEX users_email_idx ON \"usérs\" (email);");
  }
  EXPECT_TRUE(seen);
}

TEST(ReportText, ColourOnlyWhenAsked) {
  Report r;
  Finding f;
  f.rule = "drop-table";
  f.severity = Severity::kError;
  f.message = "dropping t loses its data";
  f.path = "a.sql";
  f.line = 1;
  f.column = 1;
  f.source_line = "DROP TABLE t;";
  f.help = "back it up";
  r.findings.push_back(f);
  r.steps.push_back({"lint", "a.sql", "a.sql", 1.0, false, ""});
  EXPECT_EQ(Write(r, Format::kText),
            "a.sql:1:1: error: dropping t loses its data [drop-table]\n"
            "  DROP TABLE t;\n"
            "  ^\n"
            "  help: back it up\n"
            "1 error, 0 warnings, 0 notes in 1 file\n");
  WriteOptions colour;
  colour.color = true;
  EXPECT_NE(Write(r, Format::kText, colour).find("\x1b[1;31merror\x1b[0m"), std::string::npos);
}

TEST(ReportMerge, VerifyCanAddItsOwnStepsAndFindings) {
  Report lint;
  lint.steps.push_back({"lint", "a.sql", "a.sql", 0, false, ""});
  Report roundtrip;
  roundtrip.command = "verify";
  roundtrip.steps.push_back({"roundtrip", "0001 up/down/up", "migrations/0001.sql", 12, false, ""});
  Finding f;
  f.check = "roundtrip";
  f.rule = "roundtrip-mismatch";
  f.severity = Severity::kError;
  f.message = "down of 0001 left behind: table public.t";
  f.path = "migrations/0001.sql";
  roundtrip.findings.push_back(f);
  lint.Merge(roundtrip);
  EXPECT_EQ(lint.steps.size(), 2u);
  EXPECT_EQ(lint.Count(Severity::kError), 1);
  EXPECT_EQ(lint.FindingsOf(lint.steps[1]).size(), 1u);
  EXPECT_TRUE(lint.FindingsOf(lint.steps[0]).empty());
  const std::string junit = Write(lint, Format::kJunit);
  EXPECT_NE(junit.find("<testcase classname=\"roundtrip\" name=\"0001 up/down/up\""),
            std::string::npos);
  EXPECT_NE(junit.find("tests=\"2\" failures=\"1\""), std::string::npos);
}

Finding MakeFinding(std::string check, std::string path, Severity severity, std::string rule,
                    std::string message, std::string step = "") {
  Finding f;
  f.check = std::move(check);
  f.path = std::move(path);
  f.severity = severity;
  f.rule = std::move(rule);
  f.message = std::move(message);
  f.step = std::move(step);
  f.line = 1;
  f.column = 1;
  return f;
}

std::size_t Occurrences(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

// GitHub code scanning refuses a whole SARIF upload when one result has no location, and a
// uri must be a valid URI reference: file names are percent-encoded, absolute paths are file://.
TEST(ReportSarif, EveryResultHasAValidLocation) {
  Report r;
  r.command = "verify";
  r.steps.push_back({"roundtrip", "0001 up", "db/my migrations/0001 ä#.sql", 0, false, ""});
  Finding odd;
  odd.rule = "drop-table";
  odd.path = "db/my migrations/0001 ä#.sql";
  odd.line = 3;
  r.findings.push_back(odd);
  Finding absolute = odd;
  absolute.path = "/src/app/m/0002:x.sql";
  r.findings.push_back(absolute);
  Finding whole_run;  // e.g. several Alembic heads: about the migration directory
  whole_run.rule = "alembic-multiple-heads";
  whole_run.line = 7;
  r.findings.push_back(whole_run);
  const std::string sarif = Write(r, Format::kSarif);
  EXPECT_NE(sarif.find("\"uri\": \"db/my%20migrations/0001%20%C3%A4%23.sql\""), std::string::npos)
      << sarif;
  EXPECT_NE(sarif.find("\"uri\": \"file:///src/app/m/0002%3Ax.sql\""), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("\"uri\": \"db/my%20migrations\"\n"), std::string::npos) << sarif;
  // The directory has no lines: the whole-run finding's line is not put on it.
  EXPECT_EQ(Occurrences(sarif, "\"startLine\""), 2u) << sarif;
}

// A roundtrip or drift finding names the database object it is about: SARIF's logical
// location, next to the file, and the only location when there is no file at all.
TEST(ReportSarif, TheObjectIsTheLogicalLocation) {
  Report r;
  r.command = "verify";
  Finding column;
  column.check = "drift";
  column.rule = "drift";
  column.path = "app/models.py";
  column.line = 12;
  column.object_kind = "column";
  column.object = "public.users.nickname";
  r.findings.push_back(column);
  std::string sarif = Write(r, Format::kSarif);
  EXPECT_NE(sarif.find("\"uri\": \"app/models.py\""), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("\"logicalLocations\": [\n"
                       "                {\n"
                       "                  \"fullyQualifiedName\": \"public.users.nickname\",\n"
                       "                  \"kind\": \"column\"\n"),
            std::string::npos)
      << sarif;
  // No file and no step to take a directory from: the object alone is the location.
  r.findings[0].path.clear();
  sarif = Write(r, Format::kSarif);
  EXPECT_EQ(sarif.find("physicalLocation"), std::string::npos) << sarif;
  EXPECT_NE(sarif.find("\"fullyQualifiedName\": \"public.users.nickname\""), std::string::npos)
      << sarif;
  // Without an object nothing changes.
  r.findings[0].object.clear();
  EXPECT_EQ(Write(r, Format::kSarif).find("locations"), std::string::npos);
}

// A finding that names its step belongs to it wherever it points: model drift points at the
// model's class, its step at the model.
TEST(ReportJunit, AFindingThatNamesItsStepGoesToItWhateverItsPath) {
  Report r;
  r.command = "verify";
  r.steps.push_back({"drift", "drift model vs head", "", 0, false, ""});
  Finding f = MakeFinding("drift", "app/models.py", Severity::kError, "drift", "differs",
                          "drift model vs head");
  f.line = 12;
  r.findings.push_back(f);
  const std::string junit = Write(r, Format::kJunit);
  EXPECT_NE(junit.find("<testcase classname=\"drift\" name=\"drift model vs head\" "
                       "time=\"0.000\">\n      <failure message=\"differs\""),
            std::string::npos)
      << junit;
  EXPECT_EQ(junit.find("other findings"), std::string::npos) << junit;
}

TEST(ReportJunit, NotesNeverFailACaseAndEachFindingHasOneCase) {
  Report r;
  r.command = "verify";
  // Lint: one step per revision file. 0001 has only a note; 0002 a note and a warning.
  r.steps.push_back({"lint", "0001_a (up)", "m/0001_a.sql", 0, false, ""});
  r.steps.push_back({"lint", "0002_b (up)", "m/0002_b.sql", 0, false, ""});
  // An Alembic file whose downgrade could not be rendered: two lint steps share the path.
  r.steps.push_back({"lint", "0003_c (up)", "m/0003_c.py", 0, false, ""});
  r.steps.push_back({"lint", "0003_c (down)", "m/0003_c.py", 0, true, "not rendered"});
  // Roundtrip: up, down, re-up per revision; findings name their step.
  for (const char* step : {"0001_a up", "0001_a down", "0001_a re-up"}) {
    r.steps.push_back({"roundtrip", step, "m/0001_a.sql", 0, false, ""});
  }
  r.findings.push_back(
      MakeFinding("lint", "m/0001_a.sql", Severity::kInfo, "require-statement-timeout", "n1"));
  r.findings.push_back(
      MakeFinding("lint", "m/0002_b.sql", Severity::kInfo, "require-statement-timeout", "n2"));
  r.findings.push_back(
      MakeFinding("lint", "m/0002_b.sql", Severity::kWarning, "require-lock-timeout", "w2"));
  r.findings.push_back(
      MakeFinding("lint", "m/0003_c.py", Severity::kError, "drop-table", "e3 in the upgrade"));
  r.findings.push_back(MakeFinding("roundtrip", "m/0001_a.sql", Severity::kInfo,
                                   "roundtrip-irreversible", "marked one-way", "0001_a down"));
  const std::string junit = Write(r, Format::kJunit);
  // 0002 (warning) and 0003 (error) fail; 0001's note and the roundtrip note do not.
  EXPECT_NE(junit.find("<testsuite name=\"stairway verify\" tests=\"7\" failures=\"2\" "
                       "errors=\"0\" skipped=\"1\">"),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("<testcase classname=\"lint\" name=\"0001_a (up)\" time=\"0.000\">\n"
                       "      <system-out>m/0001_a.sql:1:1: info: n1 [require-statement-timeout]\n"
                       "</system-out>\n    </testcase>\n"),
            std::string::npos)
      << junit;
  // A failing case lists what failed it; its notes go to its output.
  EXPECT_NE(junit.find("<failure message=\"w2\" type=\"require-lock-timeout\">"
                       "m/0002_b.sql:1:1: warning: w2 [require-lock-timeout]\n</failure>\n"
                       "      <system-out>m/0002_b.sql:1:1: info: n2"),
            std::string::npos)
      << junit;
  EXPECT_NE(junit.find("name=\"0001_a down\" time=\"0.000\">\n      <system-out>"),
            std::string::npos)
      << junit;
  // One case per step, and each finding in exactly one case: the upgrade's error is not
  // repeated under the skipped downgrade that shares its file.
  for (const Step& s : r.steps) {
    EXPECT_EQ(Occurrences(junit, "name=\"" + s.name + "\""), 1u) << s.name;
  }
  for (const char* message : {"n1", "n2", "w2", "e3 in the upgrade", "marked one-way"}) {
    EXPECT_EQ(Occurrences(junit, std::string(": ") + message + " ["), 1u) << message;
  }
  EXPECT_EQ(Occurrences(junit, "<failure "), 2u) << junit;
  EXPECT_EQ(junit.find("other findings"), std::string::npos) << junit;
}

TEST(ReportGithub, ErrorsThenWarningsThenNotices) {
  Report r;
  const Severity order[] = {Severity::kInfo, Severity::kWarning, Severity::kError,
                            Severity::kInfo, Severity::kError,   Severity::kWarning};
  for (int i = 0; i < 6; ++i) {
    r.findings.push_back(
        MakeFinding("lint", "a.sql", order[i], "rule", "finding " + std::to_string(i)));
  }
  std::vector<std::string> lines;
  std::istringstream in(Write(r, Format::kGithub));
  for (std::string line; std::getline(in, line);) {
    lines.push_back(line.substr(0, line.find(' ')) + " " + line.substr(line.rfind("::") + 2));
  }
  // Report order is kept within a severity.
  EXPECT_EQ(lines, (std::vector<std::string>{"::error finding 2", "::error finding 4",
                                             "::warning finding 1", "::warning finding 5",
                                             "::notice finding 0", "::notice finding 3"}));
}

TEST(ReportMarkdown, StaysUnderGithubsLimitWorstFirstAndCountsWhatItLeftOut) {
  Report r;
  r.command = "verify";
  // 6,000 findings of ~150 bytes (900 KB if all were listed), severities interleaved in report
  // order: 300 errors, 1,200 warnings, 4,500 notes.
  for (int i = 0; i < 6000; ++i) {
    const Severity s = i % 20 == 0  ? Severity::kError
                       : i % 20 < 5 ? Severity::kWarning
                                    : Severity::kInfo;
    Finding f = MakeFinding("lint", fmt::format("migrations/{:04}_revision.sql", i / 3), s,
                            fmt::format("rule-{}", i % 7),
                            fmt::format("finding {} about a table with a long enough name {}", i,
                                        std::string(60, 'x')));
    f.help = fmt::format("the fix for rule-{}", i % 7);
    r.findings.push_back(std::move(f));
  }
  const std::string md = Write(r, Format::kMarkdown);
  EXPECT_LT(md.size(), kMarkdownLimit);
  EXPECT_GT(md.size(), kMarkdownLimit - 1000) << "the room should be used, not wasted";
  EXPECT_NE(md.find("300 errors, 1200 warnings, 4500 notes in 0 steps"), std::string::npos)
      << "the summary counts every finding";
  // Worst first: all errors, then warnings until the cap; the notes are left out.
  EXPECT_EQ(Occurrences(md, "\n| error |"), 300u);
  const std::size_t warnings = Occurrences(md, "\n| warning |");
  ASSERT_GT(warnings, 10u);
  ASSERT_LT(warnings, 1200u);
  EXPECT_LT(md.rfind("\n| error |"), md.find("\n| warning |"));
  EXPECT_EQ(md.find("\n| info |"), std::string::npos);
  const std::size_t left_warnings = 1200 - warnings;
  const auto thousands = [](std::size_t n) {
    return n < 1000 ? std::to_string(n) : fmt::format("{},{:03}", n / 1000, n % 1000);
  };
  const std::string count_line =
      fmt::format("\n\n... and {} more findings ({} warnings, 4,500 notes): not listed",
                  thousands(left_warnings + 4500), thousands(left_warnings));
  EXPECT_NE(md.find(count_line), std::string::npos) << count_line << "\n"
                                                    << md.substr(md.size() - 800);
  // The fixes of the listed rules follow the count.
  EXPECT_LT(md.find(count_line), md.find("**How to fix**"));
  EXPECT_NE(md.find("- `rule-0`: the fix for rule-0\n"), std::string::npos);
}

TEST(ReportMarkdown, ErrorsBeforeNotesWhenEverythingFits) {
  Report r;
  r.findings.push_back(MakeFinding("lint", "a.sql", Severity::kInfo, "n", "a note"));
  r.findings.push_back(MakeFinding("lint", "a.sql", Severity::kError, "e", "an error"));
  const std::string md = Write(r, Format::kMarkdown);
  EXPECT_LT(md.find("| error |"), md.find("| info |")) << md;
  EXPECT_EQ(md.find("more finding"), std::string::npos) << md;
}

}  // namespace
}  // namespace stairway::report

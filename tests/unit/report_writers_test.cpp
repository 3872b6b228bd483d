// Golden outputs of every report format, produced by linting fixtures/golden/report/input.sql
// (CRLF line ends, multi-byte identifiers). STAIRWAY_UPDATE_GOLDEN=1 rewrites the files.
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

INSTANTIATE_TEST_SUITE_P(Formats, GoldenTest,
                         ::testing::Values(std::make_pair(Format::kText, "report.txt"),
                                           std::make_pair(Format::kJson, "report.json"),
                                           std::make_pair(Format::kSarif, "report.sarif"),
                                           std::make_pair(Format::kGithub, "report.github.txt"),
                                           std::make_pair(Format::kJunit, "report.junit.xml"),
                                           std::make_pair(Format::kMarkdown, "report.md")),
                         [](const auto& info) {
                           return std::string(FormatName(info.param.first));
                         });

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

}  // namespace
}  // namespace stairway::report

// stairway verify: every check in one run (roundtrip, lint, drift from stairway.toml), one
// combined report in every format (golden files), exit codes, and the bundled migrations clean.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

std::string ServerFlag() {
  return "--server-url=" + TestSandbox().AdminUrl();
}

// Timings change from run to run: JUnit's time="..." becomes time="0.000", JSON's
// "duration_ms": ... 0.000.
std::string MaskTimings(const std::string& text) {
  const std::string junit =
      std::regex_replace(text, std::regex("time=\"[0-9.]+\""), "time=\"0.000\"");
  return std::regex_replace(junit, std::regex("\"duration_ms\": [0-9.]+"),
                            "\"duration_ms\": 0.000");
}

struct GoldenFormat {
  std::string format;
  std::string file;  // under fixtures/golden/verify/
};

TEST(Verify, CombinedReportInEveryFormatMatchesGoldenFiles) {
  const std::vector<GoldenFormat> formats = {
      {"text", "verify.txt"},      {"json", "verify.json"},       {"sarif", "verify.sarif"},
      {"github", "verify.github"}, {"junit", "verify.junit.xml"}, {"markdown", "verify.md"}};
  const fs::path out_dir =
      fs::temp_directory_path() / ("stairway_verify_golden_" + std::to_string(::getpid()));
  fs::create_directories(out_dir);
  std::vector<std::string> args = {"verify", "fixtures/golden/verify/migrations", "--config",
                                   "fixtures/golden/verify/stairway.toml", ServerFlag()};
  for (const GoldenFormat& f : formats) {
    args.insert(args.end(), {"--report", f.format, "--output", (out_dir / f.file).string()});
  }
  const ProcessResult r = StairwayOffline(args);
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out, "") << "all reports went to files";
  const bool update = std::getenv("STAIRWAY_UPDATE_GOLDEN") != nullptr;
  for (const GoldenFormat& f : formats) {
    const std::string got = MaskTimings(ReadFile(out_dir / f.file));
    const fs::path golden = SourceDir() / "fixtures/golden/verify" / f.file;
    if (update) {
      std::ofstream(golden, std::ios::binary | std::ios::trunc) << got;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << ": run with STAIRWAY_UPDATE_GOLDEN=1";
    EXPECT_EQ(got, ReadFile(golden))
        << f.format << " differs from " << golden << " (STAIRWAY_UPDATE_GOLDEN=1 regenerates it)";
  }
  // The three checks all found their problem, special characters intact.
  const std::string text = ReadFile(out_dir / "verify.txt");
  EXPECT_NE(text.find("down left behind schema \"archive<&>\""), std::string::npos) << text;
  EXPECT_NE(text.find("[require-concurrent-index-create]"), std::string::npos) << text;
  EXPECT_NE(text.find("a \"quote\" <tag> & 50% | done in the model [drift]"), std::string::npos)
      << text;
  fs::remove_all(out_dir);
}

TEST(Verify, TextToStdoutShowsTheRevisionTableThenTheRest) {
  const ProcessResult r =
      StairwayOffline({"verify", "fixtures/golden/verify/migrations", "--config",
                       "fixtures/golden/verify/stairway.toml", ServerFlag()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("] 0001_create_notes  "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Drift of the model fixtures/golden/verify/model.sql against "
                       "fixtures/golden/verify/migrations at head: 1 difference\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("[require-concurrent-index-create]"), std::string::npos) << r.out;
}

TEST(Verify, SelectedChecksOnlyAndFailLevel) {
  // Lint alone: no database, the index finding is a warning -> exit 1 at the default level.
  ProcessResult r = StairwayOffline({"verify", "--lint", "fixtures/golden/verify/migrations",
                                     "--config", "fixtures/golden/verify/stairway.toml"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(r.out.find("Roundtrip of"), std::string::npos) << r.out;
  r = StairwayOffline({"verify", "--lint", "fixtures/golden/verify/migrations", "--config",
                       "fixtures/golden/verify/stairway.toml", "--fail-level", "none"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

TEST(Verify, BadInputIsExitTwoBeforeAnythingStarts) {
  ProcessResult r = StairwayOffline({"verify", "migrations", "--report", "yaml"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: unknown --report 'yaml'; use text, json, sarif, github, junit, markdown or "
            "codequality\n");
  r = StairwayOffline(
      {"verify", "--drift", "fixtures/drift/migrations", "--config", "fixtures/drift/README.md"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = StairwayOffline({"verify", "--roundtrip", "migrations", "--keep", "--jobs", "2"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(r.err,
            "error: --keep keeps one database, and --jobs 2 uses two: drop one of the two "
            "options\n");
  r = StairwayOffline({"verify", "--roundtrip", "migrations", "--jobs", "3"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("--jobs"), std::string::npos) << Describe(r);
}

// --changed-since: only revisions whose files changed since the ref (here: an untracked edit of
// 0002 in a fresh repository) go down and up again; the others are applied up only.
TEST(Verify, ChangedSinceRoundTripsOnlyChangedRevisions) {
  const fs::path repo =
      fs::temp_directory_path() / ("stairway_verify_git_" + std::to_string(::getpid()));
  fs::remove_all(repo);
  fs::create_directories(repo);
  fs::copy(SourceDir() / "fixtures/drift/migrations", repo / "migrations");
  const std::string git = "git -C '" + repo.string() + "' ";
  ASSERT_EQ(std::system((git + "init -q && " + git + "add . && " + git +
                         "-c user.name=t -c user.email=t@t commit -qm base")
                            .c_str()),
            0);
  std::ofstream(repo / "migrations/0002_create_tags.sql", std::ios::app) << "-- touched\n";
  const ProcessResult r = StairwayOffline({"verify", "--roundtrip", (repo / "migrations").string(),
                                           "--changed-since", "HEAD", ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("0001_create_items  up"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("up only: "), std::string::npos) << r.out;
  const std::size_t second = r.out.find("] 0002_create_tags ");
  ASSERT_NE(second, std::string::npos) << r.out;
  EXPECT_TRUE(r.out.substr(second, r.out.find('\n', second) - second).ends_with("  ok")) << r.out;
  fs::remove_all(repo);
}

// The repository's own check: stairway.toml at the root configures the model, so a bare
// `stairway verify migrations` runs roundtrip, lint and drift, and all are clean.
TEST(Verify, BundledMigrationsAreCleanWithEveryCheck) {
  const ProcessResult r = StairwayOffline({"verify", "migrations", ServerFlag()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("Roundtrip of migrations"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Drift of the model examples/sqlalchemy/model.sql against migrations at "
                       "head: no drift\n"),
            std::string::npos)
      << r.out;
  // Not even a note: the bundled history has nothing a reviewer would act on.
  EXPECT_NE(r.out.find("steps checked: no findings\n"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace stairway::testing

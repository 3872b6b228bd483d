// Data-driven lint tests: every fixtures/lint/<rule-id>/*.sql file is one test case. A file
// states its expected findings in its header:
//   -- expect: <rule-id> <line>:<col>     (one line per finding; none in ok files)
//   -- fixture: pg-version=10             (target version; default 15)
//   -- fixture: wrapped                   (the runner wraps each revision in a transaction)
//   -- fixture: no-transaction            (a marker says the revision runs outside one)
//   -- fixture: revision                  (a line that starts the next revision)
//   -- fixture: loose                     (a plain .sql file, not a migration section)
//   -- fixture: naming-pattern=<regex>    (the [lint] naming_pattern setting)
// Only the rules named by the folder and the expect lines are compared, so a fixture about one
// rule does not break when another rule (say require-lock-timeout) also fires on it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/paths.h"
#include "verifier/lint/linter.h"
#include "verifier/lint/registry.h"

namespace stairway::lint {
namespace {

namespace fs = std::filesystem;

struct Fixture {
  fs::path path;
  std::string rule;  // folder name
};

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class FixtureTest : public ::testing::Test {
 public:
  explicit FixtureTest(Fixture f) : fixture_(std::move(f)) {}

  void TestBody() override {
    const std::string text = ReadFile(fixture_.path);
    const std::string display = fs::relative(fixture_.path, testing::SourceDir()).generic_string();
    LintOptions options;
    options.enable.push_back("all");
    std::set<std::string> checked = {fixture_.rule};
    std::vector<std::string> expected;
    bool wrapped = false;
    bool loose = false;
    bool marked_no_transaction = false;
    LintGroup group;
    std::size_t unit_start = 0;
    int unit_line = 1, line_no = 0;
    std::istringstream lines(text);
    std::string line;
    std::size_t pos = 0;
    auto close_unit = [&](std::size_t end) {
      LintUnit u;
      u.path = display;
      u.sql = text.substr(unit_start, end - unit_start);
      u.first_line = unit_line;
      u.role = LintUnit::Role::kUp;
      u.revision = "r" + std::to_string(group.units.size() + 1);
      group.units.push_back(std::move(u));
    };
    while (std::getline(lines, line)) {
      ++line_no;
      const std::size_t next = pos + line.size() + 1;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (line.rfind("-- expect: ", 0) == 0) {
        std::istringstream is(line.substr(11));
        std::string rule, where;
        is >> rule >> where;
        checked.insert(rule);
        expected.push_back(rule + " " + where);
      } else if (line.rfind("-- fixture: pg-version=", 0) == 0) {
        options.pg_version = std::stoi(line.substr(23));
      } else if (line.rfind("-- fixture: naming-pattern=", 0) == 0) {
        options.naming_pattern = line.substr(27);
      } else if (line == "-- fixture: loose") {
        loose = true;
      } else if (line == "-- fixture: no-transaction") {
        marked_no_transaction = true;
      } else if (line == "-- fixture: wrapped") {
        wrapped = true;
      } else if (line == "-- fixture: revision") {
        close_unit(pos);
        unit_start = std::min(next, text.size());
        unit_line = line_no + 1;
      }
      pos = next;
    }
    close_unit(text.size());
    for (LintUnit& u : group.units) {
      u.wrapped = wrapped;
      u.marked_no_transaction = marked_no_transaction;
      if (loose) {
        u.role = LintUnit::Role::kFile;
        u.revision.clear();
      }
    }
    // Loose files use assume_in_transaction; units here are migration sections (kUp).
    Expected<report::Report> r = Lint({group}, options);
    ASSERT_TRUE(r.ok()) << r.error().message;
    std::vector<std::string> actual;
    for (const report::Finding& f : r->findings) {
      if (checked.count(f.rule) == 0) continue;
      actual.push_back(f.rule + " " + std::to_string(f.line) + ":" + std::to_string(f.column));
    }
    std::sort(expected.begin(), expected.end());
    std::sort(actual.begin(), actual.end());
    std::string rendered;
    for (const report::Finding& f : r->findings) rendered += Render(f.ToDiagnostic());
    EXPECT_EQ(actual, expected) << "all findings:\n" << rendered;
  }

 private:
  Fixture fixture_;
};

bool RegisterFixtures() {
  const fs::path root = testing::FixturesDir() / "lint";
  std::vector<Fixture> all;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root, ec)) {
    if (!dir.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(dir.path())) {
      if (file.path().extension() == ".sql")
        all.push_back({file.path(), dir.path().filename().string()});
    }
  }
  std::sort(all.begin(), all.end(),
            [](const Fixture& a, const Fixture& b) { return a.path < b.path; });
  for (const Fixture& f : all) {
    std::string name = f.rule + "/" + f.path.stem().string();
    std::replace(name.begin(), name.end(), '-', '_');
    std::replace(name.begin(), name.end(), '/', '_');
    ::testing::RegisterTest("LintFixture", name.c_str(), nullptr, f.path.string().c_str(), __FILE__,
                            __LINE__, [f]() -> ::testing::Test* { return new FixtureTest(f); });
  }
  return true;
}

const bool kRegistered = RegisterFixtures();

// Every rule has at least one bad and one ok fixture.
TEST(LintFixtures, EveryRuleHasBadAndOkCases) {
  const fs::path root = testing::FixturesDir() / "lint";
  for (const Rule* r : AllRules()) {
    bool bad = false, ok = false;
    std::error_code ec;
    for (const auto& file : fs::directory_iterator(root / std::string(r->id), ec)) {
      const std::string stem = file.path().stem().string();
      bad = bad || stem.rfind("bad", 0) == 0;
      ok = ok || stem.rfind("ok", 0) == 0;
    }
    EXPECT_TRUE(bad && ok) << "fixtures/lint/" << r->id << " needs bad*.sql and ok*.sql";
  }
}

}  // namespace
}  // namespace stairway::lint

// verify --shard I/N and `report merge`: three shards of fixtures/shard (roundtrip, lint and
// drift findings) merged give the findings, steps and exit code of one unsharded run.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "tests/integration/alembic_test_util.h"
#include "tests/integration/json_schema_util.h"
#include "tests/integration/runner_test_util.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const std::string kMigrations = "fixtures/shard/migrations";
const std::string kConfig = "fixtures/shard/stairway.toml";

std::string ServerFlag() {
  return "--server-url=" + TestSandbox().AdminUrl();
}

class ShardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("stairway_shard_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (std::getenv("STAIRWAY_KEEP_SHARD_TEST") == nullptr) fs::remove_all(dir_);
  }

  // verify of the fixture (`extra` adds --shard), its JSON report written to `name`.
  ProcessResult Verify(const std::string& name, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {
        "verify", kMigrations, "--config", kConfig, ServerFlag(),       "--jobs",
        "1",      "--report",  "json",     "-o",    Path(name).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return StairwayOffline(args);
  }
  fs::path Path(const std::string& name) const { return dir_ / name; }
  // The report in `name`, checked against the documented schema.
  json Json(const std::string& name) const {
    static const JsonSchemaChecker schema("docs/schemas/report-1.schema.json");
    const json doc = json::parse(ReadFile(Path(name)));
    const std::vector<std::string> errors = schema.Check(doc);
    EXPECT_TRUE(errors.empty()) << name << ": " << ::testing::PrintToString(errors);
    return doc;
  }

  fs::path dir_;
};

// A finding as one run reports it, every field but none that varies between runs.
using FindingKey = std::tuple<std::string, std::string, std::string, std::string, int, int,
                              std::string, std::string, std::string>;
std::multiset<FindingKey> Findings(const json& report) {
  std::multiset<FindingKey> out;
  for (const json& f : report.at("findings")) {
    out.emplace(f.at("check"), f.at("rule"), f.at("severity"), f.at("path"), f.at("line"),
                f.at("column"), f.at("message"), f.value("revision", ""), f.value("step", ""));
  }
  return out;
}
std::vector<std::string> Rules(const json& report) {
  std::vector<std::string> out;
  for (const json& f : report.at("findings")) out.push_back(f.at("rule"));
  return out;
}
using StepKey = std::tuple<std::string, std::string, std::string, bool>;
std::vector<StepKey> Steps(const json& report) {
  std::vector<StepKey> out;
  for (const json& s : report.at("steps")) {
    out.emplace_back(s.at("check"), s.at("name"), s.at("path"), s.at("skipped"));
  }
  return out;
}

TEST_F(ShardTest, ThreeShardsMergedEqualOneRun) {
  const ProcessResult whole = Verify("whole.json");
  ASSERT_EQ(whole.exit_code, 1) << Describe(whole);
  const json one = Json("whole.json");
  // The fixture has what the merge must carry: lint, roundtrip and drift findings.
  const std::vector<std::string> rules = Rules(one);
  for (const char* rule : {"require-concurrent-index-create", "roundtrip-down-leftover", "drift"}) {
    EXPECT_NE(std::find(rules.begin(), rules.end(), rule), rules.end()) << rule << "\n" << one;
  }

  std::vector<std::string> merge_args = {"report", "merge"};
  std::set<std::string> shards_with_roundtrip_findings;
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "shard-" + std::to_string(i) + ".json";
    const ProcessResult shard = Verify(name, {"--shard", std::to_string(i) + "/3"});
    EXPECT_TRUE(shard.exit_code == 0 || shard.exit_code == 1) << Describe(shard);
    const json report = Json(name);
    EXPECT_EQ(report.at("shard").at("index"), i);
    EXPECT_EQ(report.at("shard").at("count"), 3);
    EXPECT_EQ(report.at("set"), one.at("set"));
    // Every shard round-trips part of the history; drift runs in shard 1 only.
    int roundtrip_steps = 0, drift_steps = 0;
    for (const json& s : report.at("steps")) {
      roundtrip_steps += s.at("check") == "roundtrip" ? 1 : 0;
      drift_steps += s.at("check") == "drift" ? 1 : 0;
    }
    EXPECT_GT(roundtrip_steps, 0) << name;
    EXPECT_EQ(drift_steps, i == 1 ? 1 : 0) << name;
    for (const json& f : report.at("findings")) {
      if (f.at("check") == "roundtrip") shards_with_roundtrip_findings.insert(name);
    }
    merge_args.push_back(Path(name).string());
  }
  EXPECT_GE(shards_with_roundtrip_findings.size(), 2u) << "the findings are spread over shards";

  // Shards given in any order; the merged report is one run's.
  std::swap(merge_args[2], merge_args[4]);
  std::vector<std::string> args = merge_args;
  args.insert(args.end(), {"--report", "json", "-o", Path("merged.json").string()});
  const ProcessResult merged = StairwayOffline(args);
  EXPECT_EQ(merged.exit_code, whole.exit_code) << Describe(merged);
  const json all = Json("merged.json");
  EXPECT_EQ(Findings(all), Findings(one));
  EXPECT_EQ(Steps(all), Steps(one)) << "steps in one run's order";
  EXPECT_EQ(Rules(all), Rules(one)) << "findings in one run's order";
  EXPECT_EQ(all.at("summary"), one.at("summary"));
  EXPECT_EQ(all.at("verdict").at("exit_code"), 1);
  EXPECT_FALSE(all.contains("shard"));

  // Any format out: the text of the merge is the text of the one run's report.
  args = merge_args;
  args.insert(args.end(),
              {"--report", "text", "--report", "sarif", "-o", Path("m.sarif").string()});
  const ProcessResult merged_text = StairwayOffline(args);
  const ProcessResult whole_text =
      StairwayOffline({"report", "merge", Path("whole.json").string(), "--report", "text",
                       "--report", "sarif", "-o", Path("w.sarif").string()});
  EXPECT_EQ(whole_text.exit_code, 1) << Describe(whole_text);
  EXPECT_EQ(merged_text.out, whole_text.out);
  EXPECT_NE(merged_text.out.find("[require-concurrent-index-create]"), std::string::npos)
      << merged_text.out;
  EXPECT_EQ(ReadFile(Path("m.sarif")), ReadFile(Path("w.sarif")));

  // Roundtrip and drift findings fail at every level, as verify's do.
  args = merge_args;
  args.insert(args.end(),
              {"--fail-level", "none", "--report", "json", "-o", Path("none.json").string()});
  EXPECT_EQ(StairwayOffline(args).exit_code, 1);

  // Two of three shards would lose the third's findings: refused.
  const ProcessResult partial = StairwayOffline(
      {"report", "merge", Path("shard-1.json").string(), Path("shard-3.json").string()});
  EXPECT_EQ(partial.exit_code, 2) << Describe(partial);
  EXPECT_NE(partial.err.find("shard 2/3 is missing"), std::string::npos) << partial.err;

  // A shard of another checkout of the history: refused.
  std::string other = ReadFile(Path("shard-2.json"));
  const std::string fingerprint = one.at("set").at("fingerprint");
  other.replace(other.find(fingerprint), fingerprint.size(), std::string(fingerprint.size(), '0'));
  std::ofstream(Path("other.json")) << other;
  const ProcessResult mixed =
      StairwayOffline({"report", "merge", Path("shard-1.json").string(),
                       Path("other.json").string(), Path("shard-3.json").string()});
  EXPECT_EQ(mixed.exit_code, 2) << Describe(mixed);
  EXPECT_NE(mixed.err.find("are about different migration sets"), std::string::npos) << mixed.err;
}

// An Alembic history in the set's order: a1 b2 | c3 d4 | e5 on three shards. c3 cannot be
// rendered offline, so its lint comes from what shard 2's roundtrip ran.
const char* const kAlembicEnv = R"PY(from alembic import context
target_metadata = None
if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
)PY";

std::string AlembicRevision(const std::string& id, const std::string& parent,
                            const std::string& upgrade, const std::string& downgrade) {
  return "\"\"\"" + id + "\n\nRevision ID: " + id + "\n\"\"\"\n" +
         "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"" + id +
         "\"\ndown_revision = " + (parent.empty() ? "None" : "\"" + parent + "\"") +
         "\n\n\ndef upgrade():\n" + upgrade + "\n\n\ndef downgrade():\n" + downgrade + "\n";
}

TEST_F(ShardTest, AlembicShardsMergedEqualOneRun) {
  if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
  const fs::path project = Path("project");
  fs::create_directories(project / "alembic" / "versions");
  std::ofstream(project / "alembic.ini")
      << "[alembic]\nscript_location = alembic\nprepend_sys_path = .\n"
         "sqlalchemy.url = driver://user:pass@localhost/dbname\n";
  std::ofstream(project / "alembic" / "env.py") << kAlembicEnv;
  const auto put = [&](const std::string& id, const std::string& parent, const std::string& up,
                       const std::string& down) {
    std::ofstream(project / "alembic" / "versions" / (id + ".py"))
        << AlembicRevision(id, parent, up, down);
  };
  put("a1", "",
      "    op.create_table(\"users\", sa.Column(\"id\", sa.Integer, primary_key=True),\n"
      "                    sa.Column(\"name\", sa.Text))\n"
      "    op.create_table(\"orders\", sa.Column(\"id\", sa.Integer, primary_key=True),\n"
      "                    sa.Column(\"user_id\", sa.Integer))",
      "    op.drop_table(\"orders\")\n    op.drop_table(\"users\")");
  put("b2", "a1", "    op.create_index(\"ix_users_name\", \"users\", [\"name\"])",
      "    op.drop_index(\"ix_users_name\", table_name=\"users\")");
  put("c3", "b2",
      "    count = op.get_bind().execute(sa.text(\"SELECT count(*) FROM users\")).scalar()\n"
      "    if count is not None:\n"
      "        op.create_index(\"ix_orders_user\", \"orders\", [\"user_id\"])",
      "    op.drop_index(\"ix_orders_user\", table_name=\"orders\")");
  put("d4", "c3", "    op.execute(\"CREATE SCHEMA IF NOT EXISTS archive\")", "    pass");
  put("e5", "d4", "    op.add_column(\"users\", sa.Column(\"bio\", sa.Text))",
      "    op.drop_column(\"users\", \"bio\")");
  const auto verify = [&](const std::string& name, std::vector<std::string> extra) {
    std::vector<std::string> args = {"verify", ServerFlag(), "--report",
                                     "json",   "-o",         Path(name).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunStairway(args, AlembicPythonEnv(), project.string());
  };
  const ProcessResult whole = verify("alembic.json", {});
  ASSERT_EQ(whole.exit_code, 1) << Describe(whole);
  std::vector<std::string> merge = {"report", "merge"};
  for (int i = 1; i <= 3; ++i) {
    const std::string name = "alembic-" + std::to_string(i) + ".json";
    const ProcessResult shard = verify(name, {"--shard", std::to_string(i) + "/3"});
    EXPECT_TRUE(shard.exit_code == 0 || shard.exit_code == 1) << Describe(shard);
    merge.push_back(Path(name).string());
  }
  const json c3 = Json("alembic-2.json");
  EXPECT_EQ(c3.at("shard").at("begin"), 2);
  EXPECT_EQ(c3.at("shard").at("end"), 4);
  merge.insert(merge.end(), {"--report", "json", "-o", Path("alembic-merged.json").string()});
  const ProcessResult merged = StairwayOffline(merge);
  EXPECT_EQ(merged.exit_code, whole.exit_code) << Describe(merged);
  const json one = Json("alembic.json");
  const json all = Json("alembic-merged.json");
  EXPECT_EQ(all.at("findings"), one.at("findings"));
  EXPECT_EQ(Steps(all), Steps(one));
  // What the merge must carry: c3's lint from shard 2's roundtrip, d4's leftover.
  bool c3_linted = false, d4_leftover = false;
  for (const json& f : all.at("findings")) {
    const std::string path = f.at("path");
    c3_linted |= path.ends_with("c3.py") && f.at("rule") == "require-concurrent-index-create";
    d4_leftover |= path.ends_with("d4.py") && f.at("rule") == "roundtrip-down-leftover";
  }
  EXPECT_TRUE(c3_linted) << all;
  EXPECT_TRUE(d4_leftover) << all;
}

TEST_F(ShardTest, LintOnlyShardsMergeToTheLintLevelVerdict) {
  // No roundtrip: the verdict is the lint findings at --fail-level, as one run's.
  std::vector<std::string> merge_args = {"report", "merge"};
  for (int i = 1; i <= 2; ++i) {
    const std::string name = "lint-" + std::to_string(i) + ".json";
    const ProcessResult shard =
        Verify(name, {"--lint", "--fail-level", "error", "--shard", std::to_string(i) + "/2"});
    EXPECT_TRUE(shard.exit_code == 0 || shard.exit_code == 1) << Describe(shard);
    merge_args.push_back(Path(name).string());
  }
  const ProcessResult whole = Verify("lint.json", {"--lint", "--fail-level", "error"});
  const ProcessResult merged = StairwayOffline(merge_args);
  EXPECT_EQ(merged.exit_code, whole.exit_code) << Describe(merged);
  std::vector<std::string> raise = merge_args;
  raise.insert(raise.end(), {"--fail-level", "none"});
  EXPECT_EQ(StairwayOffline(raise).exit_code, 0);
  EXPECT_EQ(Findings(Json("lint.json")).size(),
            Findings(Json("lint-1.json")).size() + Findings(Json("lint-2.json")).size());
}

TEST_F(ShardTest, BadShardIsAUsageError) {
  for (const std::string& bad : {"0/3", "4/3", "x", "1/0", "2/", "1/3x"}) {
    const ProcessResult r =
        StairwayOffline({"verify", "--lint", kMigrations, "--config", kConfig, "--shard", bad});
    EXPECT_EQ(r.exit_code, 2) << bad << "\n" << Describe(r);
    EXPECT_NE(r.err.find("--shard " + bad + ":"), std::string::npos) << r.err;
  }
  const ProcessResult r =
      StairwayOffline({"verify", "--lint", kMigrations, "--config", kConfig, "--shard", "4/3"});
  EXPECT_NE(r.err.find("I counts from 1 to N (3)"), std::string::npos) << r.err;
}

TEST_F(ShardTest, MergeRefusesWhatIsNotAReport) {
  std::ofstream(Path("broken.json")) << "{\n  \"stairway_report\": 1,\n  nope\n}\n";
  ProcessResult r = StairwayOffline({"report", "merge", Path("broken.json").string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find(Path("broken.json").string() + ":3: not a JSON document"), std::string::npos)
      << r.err;
  r = StairwayOffline({"report", "merge", Path("absent.json").string()});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  r = StairwayOffline({"report", "merge"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

}  // namespace
}  // namespace stairway::testing

// ReadJson (the --report json document read back) and MergeReports (report merge's checks and
// order), on in-memory reports; no database.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "tests/support/paths.h"
#include "verifier/report/merge.h"
#include "verifier/report/report.h"

namespace stairway::report {
namespace {

// A verify-like report with every field the JSON writer knows, and text that needs escaping.
Report Sample() {
  Report r;
  r.command = "verify";
  r.set = SetInfo{"db/migrations", "stairway", 3, "ab12cd"};
  r.shard = ShardInfo{2, 3, 1, 2, {"roundtrip", "lint"}};
  r.verdict = Verdict{"warning", true, 1};
  Step lint;
  lint.check = "lint";
  lint.name = "0002_index (up)";
  lint.path = "db/migrations/0002_index.sql";
  lint.duration_ms = 1.25;
  r.steps.push_back(lint);
  Step up;
  up.check = "roundtrip";
  up.name = "0002_index down";
  up.path = lint.path;
  up.skipped = true;
  up.skip_reason = "no down section";
  up.duration_ms = 1234.5678;
  r.steps.push_back(up);
  Finding f;
  f.check = "lint";
  f.rule = "require-concurrent-index-create";
  f.severity = Severity::kError;
  f.message = "CREATE INDEX on \"usérs\" blocks writes\tto it <&> 50%";
  f.help = "use CREATE INDEX CONCURRENTLY\nin its own migration";
  f.path = lint.path;
  f.line = 3;
  f.column = 15;
  f.source_line = "/* ünïcode */ CREATE INDEX i ON \"usérs\" (email);";
  f.revision = "0002_index";
  f.lock = "SHARE";
  r.findings.push_back(f);
  Finding rt;
  rt.check = "roundtrip";
  rt.rule = "roundtrip-down-leftover";
  rt.message = "0002_index: down left behind index \"i\"";
  rt.path = lint.path;
  rt.revision = "0002_index";
  rt.step = "0002_index down";
  rt.object_kind = "index";
  rt.object = "public.\"i.x\"";
  r.findings.push_back(rt);
  Finding whole;
  whole.check = "roundtrip";
  whole.rule = "alembic-multiple-heads";
  whole.severity = Severity::kInfo;
  whole.message = "2 heads";
  r.findings.push_back(whole);
  r.rules.push_back({"require-concurrent-index-create", "CREATE INDEX blocks writes",
                     "use CONCURRENTLY", Severity::kError});
  return r;
}

TEST(ReportJsonRead, WriteReadWriteIsTheSameText) {
  const std::string once = Write(Sample(), Format::kJson);
  Expected<Report> read = ReadJson(once, "shard-2.json");
  ASSERT_TRUE(read.ok()) << read.error().message;
  EXPECT_EQ(Write(*read, Format::kJson), once);
  EXPECT_EQ(read->written_by, WriteOptions{}.tool_version);
}

TEST(ReportJsonRead, GoldenReportsReadBackToTheSameText) {
  // A lint report (CRLF input, multi-byte names) and a verify report as the writers made them.
  for (const char* golden : {"golden/report/report.json", "golden/verify/verify.json"}) {
    std::ifstream in(testing::FixturesDir() / golden, std::ios::binary);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(text.empty()) << golden;
    Expected<Report> read = ReadJson(text, golden);
    ASSERT_TRUE(read.ok()) << read.error().message;
    EXPECT_EQ(Write(*read, Format::kJson), text) << golden;
  }
}

TEST(ReportJsonRead, EveryFieldComesBack) {
  Expected<Report> read = ReadJson(Write(Sample(), Format::kJson), "a.json");
  ASSERT_TRUE(read.ok()) << read.error().message;
  const Report expected = Sample();
  ASSERT_EQ(read->findings.size(), expected.findings.size());
  const Finding& f = read->findings[0];
  EXPECT_EQ(f.message, expected.findings[0].message);
  EXPECT_EQ(f.help, expected.findings[0].help);
  EXPECT_EQ(f.source_line, expected.findings[0].source_line);
  EXPECT_EQ(f.severity, Severity::kError);
  EXPECT_EQ(f.line, 3);
  EXPECT_EQ(f.column, 15);
  EXPECT_EQ(f.lock, "SHARE");
  EXPECT_EQ(read->findings[1].step, "0002_index down");
  // The object (roundtrip and drift), its quotes and dot kept; none on the lint finding.
  EXPECT_EQ(read->findings[1].object_kind, "index");
  EXPECT_EQ(read->findings[1].object, "public.\"i.x\"");
  EXPECT_EQ(f.object, "");
  EXPECT_EQ(read->findings[2].severity, Severity::kInfo);
  ASSERT_EQ(read->steps.size(), 2u);
  EXPECT_TRUE(read->steps[1].skipped);
  EXPECT_EQ(read->steps[1].skip_reason, "no down section");
  EXPECT_DOUBLE_EQ(read->steps[1].duration_ms, 1234.568);
  ASSERT_TRUE(read->set && read->shard && read->verdict);
  EXPECT_EQ(read->set->fingerprint, "ab12cd");
  EXPECT_EQ(read->shard->index, 2);
  EXPECT_EQ(read->shard->end, 2);
  EXPECT_EQ(read->shard->checks, (std::vector<std::string>{"roundtrip", "lint"}));
  EXPECT_TRUE(read->verdict->failed_checks);
  ASSERT_EQ(read->rules.size(), 1u);
  EXPECT_EQ(read->rules[0].summary, "CREATE INDEX blocks writes");
  // Every other format renders the read report as it renders the original.
  for (Format format :
       {Format::kText, Format::kSarif, Format::kGithub, Format::kJunit, Format::kMarkdown}) {
    EXPECT_EQ(Write(*read, format), Write(expected, format)) << FormatName(format);
  }
}

TEST(ReportJsonRead, BadInputNamesTheFileAndTheField) {
  Expected<Report> r = ReadJson("{\n  \"stairway_report\": 1,\n  oops\n}", "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::kInput);
  EXPECT_TRUE(r.error().message.starts_with("x.json:3: not a JSON document")) << r.error().message;

  std::string text = Write(Sample(), Format::kJson);
  text.replace(text.find("\"line\": 3"), 9, "\"line\": \"3\"");
  r = ReadJson(text, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x.json: findings[0].line must be an integer"),
            std::string::npos)
      << r.error().message;

  text = Write(Sample(), Format::kJson);
  text.replace(text.find("\"name\": \"public."), 6, "\"nom\"");
  r = ReadJson(text, "x.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("x.json: findings[1].object.name is missing"), std::string::npos)
      << r.error().message;

  r = ReadJson("{\"stairway_report\": 2, \"command\": \"verify\"}", "new.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("stairway_report 2 is newer"), std::string::npos)
      << r.error().message;

  r = ReadJson("[1, 2]", "list.json");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("must be a JSON object"), std::string::npos);
}

// A shard of three over 6 revisions, [begin, end), with one lint and one roundtrip finding.
NamedReport Shard(int index, int begin, int end, std::string fail_level = "warning") {
  Report r;
  r.command = "verify";
  r.written_by = WriteOptions{}.tool_version;
  r.set = SetInfo{"m", "stairway", 6, "f00d"};
  r.shard = ShardInfo{index, 3, begin, end, {"roundtrip", "lint", "drift"}};
  r.verdict = Verdict{std::move(fail_level), index == 2, index == 2 ? 1 : 0};
  for (const char* check : {"lint", "roundtrip"}) {
    Step s;
    s.check = check;
    s.name = fmt::format("{} of shard {}", check, index);
    r.steps.push_back(s);
    Finding f;
    f.check = check;
    f.rule = fmt::format("{}-rule", check);
    f.message = fmt::format("{} finding of shard {}", check, index);
    r.findings.push_back(f);
  }
  if (index == 1) {
    // Drift runs in shard 1, after the roundtrip, whose slice there has no findings.
    r.findings.pop_back();
    Step s;
    s.check = "drift";
    s.name = "drift";
    r.steps.push_back(s);
    Finding f;
    f.check = "drift";
    f.rule = "drift";
    f.message = "drift finding";
    r.findings.push_back(f);
  }
  return {fmt::format("shard-{}.json", index), r};
}

std::string MergeError(std::vector<NamedReport> reports,
                       std::optional<std::string> fail_level = std::nullopt) {
  Expected<Report> r = MergeReports(std::move(reports), WriteOptions{}.tool_version, fail_level);
  return r.ok() ? std::string("(merged)") : r.error().message;
}

TEST(ReportMerge, ShardsJoinByCheckInShardOrder) {
  Expected<Report> r = MergeReports({Shard(3, 4, 6), Shard(1, 0, 2), Shard(2, 2, 4)},
                                    WriteOptions{}.tool_version, std::nullopt);
  ASSERT_TRUE(r.ok()) << r.error().message;
  std::vector<std::string> messages;
  for (const Finding& f : r->findings) messages.push_back(f.message);
  EXPECT_EQ(messages,
            (std::vector<std::string>{"lint finding of shard 1", "lint finding of shard 2",
                                      "lint finding of shard 3", "roundtrip finding of shard 2",
                                      "roundtrip finding of shard 3", "drift finding"}));
  ASSERT_EQ(r->steps.size(), 7u);
  EXPECT_EQ(r->steps[3].name, "roundtrip of shard 1");
  EXPECT_EQ(r->steps[6].name, "drift");
  EXPECT_FALSE(r->shard.has_value());
  ASSERT_TRUE(r->verdict && r->set);
  EXPECT_TRUE(r->verdict->failed_checks);  // shard 2's
  EXPECT_EQ(r->verdict->fail_level, "warning");
  EXPECT_EQ(r->set->revisions, 6);
}

TEST(ReportMerge, RefusesWhatOneRunWouldNotGive) {
  EXPECT_NE(MergeError({Shard(1, 0, 2), Shard(3, 4, 6)}).find("shard 2/3 is missing"),
            std::string::npos);
  EXPECT_NE(MergeError({Shard(1, 0, 2), Shard(2, 2, 4)}).find("shard 3/3 is missing"),
            std::string::npos);
  EXPECT_NE(MergeError({Shard(1, 0, 2), Shard(2, 2, 4), Shard(2, 2, 4), Shard(3, 4, 6)})
                .find("are both shard 2/3"),
            std::string::npos);
  EXPECT_NE(MergeError({Shard(1, 0, 2), Shard(2, 3, 4), Shard(3, 4, 6)}).find("cut differently"),
            std::string::npos);
  EXPECT_NE(MergeError({Shard(1, 0, 2), Shard(2, 2, 4), Shard(3, 4, 5)}).find("cut differently"),
            std::string::npos);

  NamedReport other_set = Shard(2, 2, 4);
  other_set.report.set->fingerprint = "beef";
  const std::string set_error = MergeError({Shard(1, 0, 2), other_set, Shard(3, 4, 6)});
  EXPECT_NE(set_error.find("shard-1.json and shard-2.json are about different migration sets"),
            std::string::npos)
      << set_error;

  NamedReport old = Shard(3, 4, 6);
  old.report.written_by = "0.0.9";
  const std::string version_error = MergeError({Shard(1, 0, 2), Shard(2, 2, 4), old});
  EXPECT_NE(version_error.find("shard-3.json: written by stairway 0.0.9"), std::string::npos)
      << version_error;

  NamedReport whole = Shard(2, 2, 4);
  whole.report.shard.reset();
  EXPECT_NE(MergeError({Shard(1, 0, 2), whole}).find("a run without --shard"), std::string::npos);

  NamedReport four = Shard(2, 2, 4);
  four.report.shard->count = 4;
  EXPECT_NE(MergeError({Shard(1, 0, 2), four}).find("one N"), std::string::npos);

  NamedReport fewer = Shard(2, 2, 4);
  fewer.report.shard->checks = {"roundtrip"};
  EXPECT_NE(MergeError({Shard(1, 0, 2), fewer, Shard(3, 4, 6)})
                .find("shard-1.json ran roundtrip, lint, drift and shard-2.json ran roundtrip"),
            std::string::npos);

  NamedReport lint = Shard(2, 2, 4);
  lint.report.command = "lint";
  EXPECT_NE(MergeError({Shard(1, 0, 2), lint}).find("merge reports of one command"),
            std::string::npos);
}

TEST(ReportMerge, FailLevelsMustAgreeUnlessGiven) {
  const std::string error = MergeError({Shard(1, 0, 2), Shard(2, 2, 4, "error"), Shard(3, 4, 6)});
  EXPECT_NE(error.find("pass --fail-level"), std::string::npos) << error;
  Expected<Report> r = MergeReports({Shard(1, 0, 2), Shard(2, 2, 4, "error"), Shard(3, 4, 6)},
                                    WriteOptions{}.tool_version, "none");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->verdict->fail_level, "none");
}

}  // namespace
}  // namespace stairway::report

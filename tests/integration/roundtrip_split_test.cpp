// A roundtrip split across two databases (RunSplit, verify --jobs 2) reports what one database
// reports: the same revisions, findings, failure and order, on a generated set of 24 revisions
// with planted defects before and after the cut.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>

#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"
#include "verifier/roundtrip/roundtrip.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;
namespace rt = verifier::roundtrip;

constexpr int kRevisions = 24;

// A set of kRevisions revisions: pairs of a table and an index on it. `defects` replaces the
// down of the revisions it names (a defect starting with kNoTx runs outside a transaction),
// `broken_ups` their up.
constexpr std::string_view kNoTx = "transaction:false\n";
class GeneratedSet {
 public:
  explicit GeneratedSet(const std::map<int, std::string>& defects,
                        const std::map<int, std::string>& broken_ups = {}) {
    for (int i = 1; i <= kRevisions; ++i) {
      std::string up, down;
      if (i % 2 == 1) {
        up = fmt::format("CREATE TABLE t{0} (id bigint PRIMARY KEY, v text);", i);
        down = fmt::format("DROP TABLE t{};", i);
      } else {
        up = fmt::format("CREATE INDEX t{0}_v_idx ON t{0} (v);", i - 1);
        down = fmt::format("DROP INDEX t{}_v_idx;", i - 1);
      }
      if (auto it = defects.find(i); it != defects.end()) down = it->second;
      if (auto it = broken_ups.find(i); it != broken_ups.end()) up = it->second;
      std::string marker;
      if (down.starts_with(kNoTx)) {
        marker = " transaction:false";
        down = down.substr(kNoTx.size());
      }
      dir_.Write(fmt::format("{:04d}_step_{}.sql", i, i),
                 fmt::format("-- migrate:up\n{}\n\n-- migrate:down{}\n{}\n", up, marker, down));
    }
  }
  source::MigrationSet Load() const { return source::LoadMigrationSet(dir_.path()).ValueOrThrow(); }

 private:
  testing::TempDir dir_{"stairway-split"};
};

// What the listener heard: revision indexes in order.
class Recorder : public rt::ProgressListener {
 public:
  void RevisionDone(const rt::RevisionResult&, int index, int) override {
    indexes.push_back(index);
  }
  std::vector<int> indexes;
};

struct Outcome {
  rt::Result result;
  std::vector<int> heard;
};

Outcome RunOnOne(const source::MigrationSet& set, const rt::Options& options = {}) {
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  Recorder recorder;
  rt::Result result = rt::Run(session, set, options, {}, &recorder);
  return {std::move(result), recorder.indexes};
}

Outcome RunOnTwo(const source::MigrationSet& set, const rt::Options& options = {}) {
  auto database = NewTestDatabase();
  db::Session session = db::Session::Connect(database->url());
  std::unique_ptr<sandbox::ThrowawayDatabase> second_database;
  std::optional<db::Session> second;
  const auto open_second = [&]() -> db::Session& {
    second_database = NewTestDatabase();
    return second.emplace(db::Session::Connect(second_database->url()));
  };
  Recorder recorder;
  rt::Result result =
      rt::RunSplit(session, open_second, set, options, rt::SplitPoint(set, options), &recorder);
  second.reset();
  return {std::move(result), recorder.indexes};
}

// Everything but timings, one line per revision.
std::vector<std::string> Lines(const rt::Result& result) {
  std::vector<std::string> lines;
  for (const rt::RevisionResult& r : result.revisions) {
    std::string line = fmt::format(
        "{} up_only={} irreversible={} failed={} rolled_back={} rebuilt={} skipped_because={}",
        r.label, r.up_only, r.irreversible, r.failure ? r.failed_step : "-", r.failure_rolled_back,
        r.rebuilt, r.skipped_because);
    for (const rt::FindingDetail& d : r.details) {
      if (d.severity == Severity::kError) line += fmt::format(" | {} [{}]", d.message, d.rule);
    }
    lines.push_back(line);
  }
  lines.push_back(fmt::format("findings={} irreversible={} failed={}", result.findings,
                              result.irreversible, result.failed));
  lines.push_back(fmt::format("stopped={} rebuilds={} not_run={} ({})", result.stopped,
                              result.rebuilds, fmt::join(result.not_run, ","),
                              result.not_run_reason));
  return lines;
}

std::vector<int> Ascending(std::size_t count) {
  std::vector<int> v(count);
  for (std::size_t i = 0; i < count; ++i) v[i] = static_cast<int>(i);
  return v;
}

TEST(RoundtripSplit, CutsBigSetsOnly) {
  const GeneratedSet big({});
  const int cut = rt::SplitPoint(big.Load(), {});
  EXPECT_GT(cut, 0);
  EXPECT_LT(cut, kRevisions);
  rt::Options from_late;
  from_late.from = fmt::format("{:04d}", kRevisions - 4);  // 5 round trips: one database
  EXPECT_EQ(rt::SplitPoint(big.Load(), from_late), 0);
}

TEST(RoundtripSplit, FindingsOnBothSidesOfTheCutMatchOneDatabase) {
  // Downs that leave a comment behind, one before the cut and one after it: one finding each
  // (the down changed a table the up had not; the re-up leaves the comment as the down did,
  // which that finding already explains).
  const GeneratedSet set({{3, "COMMENT ON TABLE t1 IS 'left by 3'; DROP TABLE t3;"},
                          {23, "COMMENT ON TABLE t21 IS 'left by 23'; DROP TABLE t23;"}});
  const source::MigrationSet migrations = set.Load();
  const int cut = rt::SplitPoint(migrations, {});
  ASSERT_GT(cut, 3);
  ASSERT_LT(cut, 23);
  const Outcome one = RunOnOne(migrations);
  const Outcome two = RunOnTwo(migrations);
  EXPECT_EQ(one.result.findings, 2) << ::testing::PrintToString(Lines(one.result));
  EXPECT_FALSE(one.result.failed);
  EXPECT_EQ(Lines(two.result), Lines(one.result));
  EXPECT_EQ(two.heard, Ascending(kRevisions));
}

// With --fail-fast, a down that fails at `revision` ends the run there, on two databases as on
// one; before the cut, nothing of the second database is heard.
void ExpectTheRunEndsAt(int revision, const std::string& failing_down) {
  const GeneratedSet set({{revision, failing_down}});
  const source::MigrationSet migrations = set.Load();
  rt::Options fail_fast;
  fail_fast.fail_fast = true;
  const Outcome one = RunOnOne(migrations, fail_fast);
  const Outcome two = RunOnTwo(migrations, fail_fast);
  ASSERT_TRUE(one.result.failed);
  EXPECT_EQ(Lines(two.result), Lines(one.result));
  EXPECT_EQ(two.heard, Ascending(revision));
}

TEST(RoundtripSplit, FailFastAfterTheCutEndsTheRunThere) {
  ExpectTheRunEndsAt(21, "DROP TABLE no_such_table;");
}

TEST(RoundtripSplit, FailFastBeforeTheCutEndsTheRunThere) {
  ExpectTheRunEndsAt(2, "DROP INDEX no_such_index;");
}

rt::Options KeepGoing() {
  rt::Options options;
  options.fresh_database = [] { return NewTestDatabase(); };
  return options;
}

TEST(RoundtripSplit, KeepGoingPastFailedDownsOnBothSidesMatchesOneDatabase) {
  // Downs that fail in their transaction (2, 21) and outside one after dropping the table
  // (5, 19: the database is built again; the next revision indexes that table).
  const std::string half_done = "DROP TABLE t{0};\nDROP TABLE no_such_table;";
  const GeneratedSet set({{2, "DROP INDEX no_such_index;"},
                          {5, std::string(kNoTx) + fmt::format(fmt::runtime(half_done), 5)},
                          {19, std::string(kNoTx) + fmt::format(fmt::runtime(half_done), 19)},
                          {21, "DROP TABLE no_such_table;"}});
  const source::MigrationSet migrations = set.Load();
  const int cut = rt::SplitPoint(migrations, {});
  ASSERT_GT(cut, 5);
  ASSERT_LT(cut, 19);
  const Outcome one = RunOnOne(migrations, KeepGoing());
  const Outcome two = RunOnTwo(migrations, KeepGoing());
  EXPECT_EQ(
      one.result.FailedRevisions(),
      (std::vector<std::string>{"0002_step_2", "0005_step_5", "0019_step_19", "0021_step_21"}));
  EXPECT_EQ(one.result.rebuilds, 2);
  EXPECT_FALSE(one.result.stopped);
  EXPECT_EQ(Lines(two.result), Lines(one.result));
  EXPECT_EQ(two.heard, Ascending(kRevisions));
}

TEST(RoundtripSplit, AFailedUpEndsTheLinearRunOnBothSidesOfTheCut) {
  // Before the cut: the first database stops, the second one's work is dropped. After it: the
  // second database stops, and the first one's failed down (3, rebuilt) stays reported.
  const std::string broken_up = "ALTER TABLE no_such_table ADD COLUMN x int;";
  for (const int at : {4, 22}) {
    const GeneratedSet set({{3, std::string(kNoTx) + "DROP TABLE t3;\nDROP TABLE nope;"}},
                           {{at, broken_up}});
    const source::MigrationSet migrations = set.Load();
    const int cut = rt::SplitPoint(migrations, {});
    ASSERT_GT(cut, 4);
    ASSERT_LT(cut, 22);
    const Outcome one = RunOnOne(migrations, KeepGoing());
    const Outcome two = RunOnTwo(migrations, KeepGoing());
    EXPECT_TRUE(one.result.stopped);
    EXPECT_EQ(one.result.not_run.size(), static_cast<std::size_t>(kRevisions - at)) << at;
    EXPECT_EQ(Lines(two.result), Lines(one.result)) << at;
    EXPECT_EQ(two.heard, Ascending(at)) << at;
  }
}

// verify --lock-trace rides on the roundtrip (Options::trace_first_up): the trace hears the
// first up of each revision once, on whichever database reports it, and never a down, a re-up,
// the second database's ups of the revisions before the cut, or the ups that build a database
// again. So the history is not applied a second time for the trace.
class HeardSteps : public applier::Observer {
 public:
  void StepStarted(const applier::PreparedStep& step) override {
    std::lock_guard lock(mutex_);
    ++steps[fmt::format("{} {}", step.step.revision->Label(),
                        step.step.direction == history::Direction::kUp ? "up" : "down")];
  }
  void StatementStarting(const applier::PreparedStep&, std::size_t, db::Session&) override {
    std::lock_guard lock(mutex_);
    ++statements;
  }
  std::map<std::string, int> steps;
  int statements = 0;

 private:
  std::mutex mutex_;
};

TEST(RoundtripSplit, TheTraceHearsEachFirstUpOnce) {
  // Two downs that fail outside a transaction: the database is built again (ups only) twice.
  const std::string half_done = "DROP TABLE t{0};\nDROP TABLE no_such_table;";
  const GeneratedSet set({{5, std::string(kNoTx) + fmt::format(fmt::runtime(half_done), 5)},
                          {19, std::string(kNoTx) + fmt::format(fmt::runtime(half_done), 19)}});
  const source::MigrationSet migrations = set.Load();
  std::map<std::string, int> every_first_up;
  for (const source::Revision& rev : migrations.revisions) every_first_up[rev.Label() + " up"] = 1;
  for (const bool split : {false, true}) {
    HeardSteps heard;
    int databases = 0;
    std::mutex databases_mutex;
    rt::Options options = KeepGoing();
    options.trace_first_up = [&](db::Session&) -> applier::Observer* {
      std::lock_guard lock(databases_mutex);
      ++databases;
      return &heard;
    };
    const Outcome outcome = split ? RunOnTwo(migrations, options) : RunOnOne(migrations, options);
    EXPECT_EQ(outcome.result.rebuilds, 2) << split;
    EXPECT_EQ(heard.steps, every_first_up) << split;
    EXPECT_EQ(heard.statements, kRevisions) << split;  // one statement per up
    // A tracer per database: the first (and the second), and each one built again.
    EXPECT_EQ(databases, split ? 4 : 3) << split;
  }
}

}  // namespace
}  // namespace stairway::testing

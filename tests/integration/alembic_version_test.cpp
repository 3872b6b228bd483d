// AlembicVersionTable on a real PostgreSQL, cross-checked against the real Alembic (Debian's
// /usr/bin/python3 with alembic 1.8): a small project with a merge, a branch label and a
// depends_on is written to a temp dir; Alembic's own commands and stairway's planner must leave
// the same alembic_version rows, and `alembic current` must read the rows stairway writes.
#include "runner/history/alembic_version.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "runner/db/session.h"
#include "runner/planner/alembic_plan.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_cluster.h"

namespace stairway::testing {
namespace {

using history::AlembicVersionTable;
using planner::AppliedSet;
using Ids = std::vector<std::string>;

constexpr const char* kPython = "/usr/bin/python3";

struct RevSpec {
  std::string id;
  Ids down;
  Ids depends_on = {};
  Ids labels = {};
};

// The project's graph, parents first: base0001 branches into alfa0002 -> alfa0003 and
// beta0004; merg0005 merges alfa0003 and beta0004; dpnd0008 follows merg0005 and depends_on
// libr0006, the root of a second line (branch label "shared") that goes on to libr0007.
const std::vector<RevSpec>& Graph() {
  static const std::vector<RevSpec> graph = {
      {"base0001", {}},
      {"alfa0002", {"base0001"}},
      {"alfa0003", {"alfa0002"}},
      {"beta0004", {"base0001"}},
      {"merg0005", {"alfa0003", "beta0004"}},
      {"libr0006", {}, {}, {"shared"}},
      {"libr0007", {"libr0006"}},
      {"dpnd0008", {"merg0005"}, {"libr0006"}},
  };
  return graph;
}

std::string PyTuple(const Ids& ids) {
  if (ids.empty()) return "None";
  if (ids.size() == 1) return "\"" + ids[0] + "\"";
  std::string out = "(";
  for (const std::string& id : ids) out += "\"" + id + "\", ";
  return out + ")";
}

// env.py takes the database from STAIRWAY_TEST_DSN (a libpq URL, handed to psycopg2 as is) and
// the version table's name and schema from STAIRWAY_TEST_VERSION_TABLE/_SCHEMA when set.
constexpr const char* kEnvPy = R"(import os

import psycopg2
from alembic import context
from sqlalchemy import create_engine

options = {}
if os.environ.get("STAIRWAY_TEST_VERSION_TABLE"):
    options["version_table"] = os.environ["STAIRWAY_TEST_VERSION_TABLE"]
if os.environ.get("STAIRWAY_TEST_VERSION_SCHEMA"):
    options["version_table_schema"] = os.environ["STAIRWAY_TEST_VERSION_SCHEMA"]

engine = create_engine(
    "postgresql+psycopg2://", creator=lambda: psycopg2.connect(os.environ["STAIRWAY_TEST_DSN"])
)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None, **options)
    with context.begin_transaction():
        context.run_migrations()
)";

void WriteProject(const TempDir& dir) {
  dir.Write("alembic.ini", "[alembic]\nscript_location = %(here)s/alembic\n");
  dir.Write("alembic/env.py", kEnvPy);
  for (const RevSpec& rev : Graph()) {
    dir.Write("alembic/versions/" + rev.id + "_step.py",
              "\"\"\"step " + rev.id + "\n\nRevision ID: " + rev.id +
                  "\n\"\"\"\n"
                  "revision = \"" +
                  rev.id + "\"\ndown_revision = " + PyTuple(rev.down) +
                  "\nbranch_labels = " + (rev.labels.empty() ? "None" : PyTuple(rev.labels) + ",") +
                  "\ndepends_on = " + PyTuple(rev.depends_on) +
                  "\n\n\ndef upgrade():\n    pass\n\n\ndef downgrade():\n    pass\n");
  }
}

// The same graph as a MigrationSet, built in code (the .py reader is not used here).
source::MigrationSet MakeSet(const TempDir& dir) {
  source::MigrationSet set;
  set.dir = dir.path() / "alembic";
  set.format = source::Format::kAlembic;
  set.alembic = source::AlembicProject{};
  for (const RevSpec& spec : Graph()) {
    source::Revision rev;
    rev.version = spec.id;
    rev.name = "step";
    rev.parents = spec.down;
    rev.up.path = set.dir / "versions" / (spec.id + "_step.py");
    rev.down = rev.up;
    rev.alembic = source::AlembicRevision{};
    rev.alembic->depends_on = spec.depends_on;
    rev.alembic->branch_labels = spec.labels;
    set.revisions.push_back(std::move(rev));
  }
  return set;
}

Ids Sorted(Ids ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

Ids Lines(const std::string& text) {
  Ids out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class AlembicVersionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = NewTestDatabase();
    session_ = std::make_unique<db::Session>(db::Session::Connect(database_->url()));
    WriteProject(project_);
    set_ = MakeSet(project_);
  }

  ProcessResult Alembic(const Ids& args, const Env& extra = {}) {
    Ids argv = {kPython, "-m", "alembic", "-c", (project_.path() / "alembic.ini").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    Env env = extra;
    env["STAIRWAY_TEST_DSN"] = database_->url();
    return RunProcess(argv, env, project_.path().string(), std::chrono::seconds(120));
  }

  void AlembicOk(const Ids& args, const Env& extra = {}) {
    const ProcessResult r = Alembic(args, extra);
    ASSERT_EQ(r.exit_code, 0) << "alembic " << ::testing::PrintToString(args) << "\n"
                              << r.out << r.err;
  }

  Ids Rows(const AlembicVersionTable& table = AlembicVersionTable()) {
    std::optional<Ids> rows = table.ReadRows(*session_);
    EXPECT_TRUE(rows.has_value());
    return rows.value_or(Ids{"(no table)"});
  }

  TempDir project_{"stairway-alembic-version"};
  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
  std::unique_ptr<db::Session> session_;
  source::MigrationSet set_;
};

TEST_F(AlembicVersionTest, SqlOfTheTable) {
  const AlembicVersionTable plain;
  EXPECT_EQ(plain.DisplayName(), "alembic_version");
  EXPECT_EQ(plain.QualifiedSql(), "\"alembic_version\"");
  EXPECT_EQ(plain.CreateSql(),
            "CREATE TABLE \"alembic_version\" (version_num VARCHAR(32) NOT NULL, CONSTRAINT "
            "\"alembic_version_pkc\" PRIMARY KEY (version_num))");
  const AlembicVersionTable named("my_versions", "meta");
  EXPECT_EQ(named.DisplayName(), "meta.my_versions");
  EXPECT_EQ(named.ReplaceRowsSql({"ab12", "it's"}),
            "DELETE FROM \"meta\".\"my_versions\";\nINSERT INTO \"meta\".\"my_versions\" "
            "(version_num) VALUES ('ab12'), ('it''s');");
  EXPECT_EQ(named.ReplaceRowsSql({}), "DELETE FROM \"meta\".\"my_versions\";");
  source::AlembicProject project;
  project.version_table = "v";
  project.version_table_schema = "s";
  EXPECT_EQ(AlembicVersionTable(project).QualifiedSql(), "\"s\".\"v\"");
}

TEST_F(AlembicVersionTest, CreateReplaceAndReadOnPostgres) {
  const AlembicVersionTable table;
  EXPECT_FALSE(table.ReadRows(*session_).has_value());
  const AlembicVersionTable in_missing_schema("alembic_version", "nowhere");
  EXPECT_FALSE(in_missing_schema.ReadRows(*session_).has_value());
  // Reading created nothing.
  EXPECT_EQ(session_->Query("SELECT count(*) FROM pg_class WHERE relname = 'alembic_version'")
                .rows[0][0]
                .value(),
            "0");
  session_->Exec(table.CreateSql());
  EXPECT_EQ(table.ReadRows(*session_).value(), Ids{});
  session_->Exec(table.ReplaceRowsSql({"libr0007", "dpnd0008"}));
  EXPECT_EQ(table.ReadRows(*session_).value(), (Ids{"dpnd0008", "libr0007"}));
  session_->Exec(table.ReplaceRowsSql({"alfa0002"}));
  EXPECT_EQ(table.ReadRows(*session_).value(), (Ids{"alfa0002"}));
  session_->Exec(table.ReplaceRowsSql({}));
  EXPECT_EQ(table.ReadRows(*session_).value(), Ids{});
  // The primary key refuses a duplicate row, as Alembic's does.
  EXPECT_THROW(session_->Exec(table.ReplaceRowsSql({"x", "x"})), db::DatabaseError);

  // With a schema: only the schema's table is read, whatever search_path finds.
  session_->Exec("CREATE SCHEMA meta");
  const AlembicVersionTable in_meta("alembic_version", "meta");
  EXPECT_FALSE(in_meta.ReadRows(*session_).has_value());
  session_->Exec(in_meta.CreateSql());
  session_->Exec(in_meta.ReplaceRowsSql({"base0001"}));
  EXPECT_EQ(in_meta.ReadRows(*session_).value(), (Ids{"base0001"}));
  EXPECT_EQ(table.ReadRows(*session_).value(), Ids{});
}

// Alembic's own CREATE and ours give the same table: column, type, nullability, key name.
TEST_F(AlembicVersionTest, CreateSqlMatchesWhatAlembicCreates) {
  session_->Exec("CREATE SCHEMA meta; CREATE SCHEMA ours");
  AlembicOk({"upgrade", "base0001"}, {{"STAIRWAY_TEST_VERSION_TABLE", "my_versions"},
                                      {"STAIRWAY_TEST_VERSION_SCHEMA", "meta"}});
  const AlembicVersionTable theirs("my_versions", "meta");
  EXPECT_EQ(theirs.ReadRows(*session_).value(), (Ids{"base0001"}));
  const AlembicVersionTable ours("my_versions", "ours");
  session_->Exec(ours.CreateSql());
  auto describe = [&](const std::string& schema) {
    const std::string sql =
        "SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' ' || "
        "a.attnotnull::text, ', ' ORDER BY a.attnum) || ' | ' || (SELECT string_agg(conname || "
        "' ' || contype::text || ' ' || pg_get_constraintdef(c.oid), ', ') FROM pg_constraint c "
        "WHERE "
        "c.conrelid = a.attrelid) FROM pg_attribute a WHERE a.attrelid = ('" +
        schema +
        ".my_versions')::regclass AND a.attnum > 0 AND NOT a.attisdropped GROUP BY a.attrelid";
    return session_->Query(sql).rows.at(0).at(0).value();
  };
  EXPECT_EQ(describe("meta"),
            "version_num character varying(32) true | my_versions_pkc p PRIMARY KEY "
            "(version_num)");
  EXPECT_EQ(describe("ours"), describe("meta"));
}

// Alembic moves the database; stairway's planner, given the same command, must predict the
// rows Alembic leaves.
TEST_F(AlembicVersionTest, PlannerPredictsTheRowsAlembicWrites) {
  AppliedSet applied;
  struct Command {
    std::string verb, target;
  };
  const std::vector<Command> commands = {
      {"upgrade", "alfa0002"},   {"upgrade", "shared@head"}, {"upgrade", "beta0004"},
      {"upgrade", "dpnd0008"},   {"downgrade", "merg0005"},  {"downgrade", "shared@base"},
      {"upgrade", "heads"},      {"downgrade", "libr0006"},  {"downgrade", "-1"},
      {"downgrade", "alfa0002"}, {"downgrade", "base"},      {"upgrade", "alfa0002"},
      {"upgrade", "+1"},         {"downgrade", "-2"},
  };
  for (const Command& c : commands) {
    SCOPED_TRACE(c.verb + " " + c.target);
    Expected<planner::Plan> plan = c.verb == "upgrade"
                                       ? planner::PlanAlembicUpgrade(set_, applied, c.target)
                                       : planner::PlanAlembicDowngrade(set_, applied, c.target);
    ASSERT_TRUE(plan.ok()) << plan.error().message;
    for (const planner::Step& s : plan.value().steps) {
      if (s.direction == planner::Direction::kUp) {
        applied.insert(s.revision->version);
      } else {
        applied.erase(s.revision->version);
      }
    }
    AlembicOk({c.verb, c.target});
    EXPECT_EQ(Rows(), Sorted(planner::VersionRows(set_, applied)));
    // And back: the rows Alembic wrote stand for the applied set stairway computed.
    EXPECT_EQ(planner::AppliedFromVersionRows(set_, Rows()).value(), applied);
  }
  // Where stairway refuses, Alembic fails too (rows now: base0001, a branch point; two heads).
  ASSERT_EQ(Rows(), (Ids{"base0001"}));
  const std::vector<Command> refused = {
      {"upgrade", "+1"}, {"upgrade", "head"}, {"upgrade", "nosuch01"}, {"downgrade", "alfa0003"}};
  for (const Command& c : refused) {
    SCOPED_TRACE(c.verb + " " + c.target);
    Expected<planner::Plan> plan = c.verb == "upgrade"
                                       ? planner::PlanAlembicUpgrade(set_, applied, c.target)
                                       : planner::PlanAlembicDowngrade(set_, applied, c.target);
    EXPECT_FALSE(plan.ok());
    const ProcessResult r = Alembic({c.verb, c.target});
    EXPECT_NE(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(Rows(), (Ids{"base0001"}));
  }
}

TEST_F(AlembicVersionTest, StampAgreesWithAlembic) {
  AppliedSet applied;
  const std::vector<Ids> stamps = {{"heads"},    {"alfa0003"}, {"beta0004", "libr0006"},
                                   {"merg0005"}, {"base"},     {"dpnd0008"}};
  for (const Ids& targets : stamps) {
    SCOPED_TRACE(::testing::PrintToString(targets));
    const Ids rows = planner::StampTargets(set_, applied, targets).value();
    Ids args = {"stamp"};
    args.insert(args.end(), targets.begin(), targets.end());
    AlembicOk(args);
    EXPECT_EQ(Rows(), Sorted(rows));
    applied = planner::AppliedFromVersionRows(set_, rows).value();
  }
}

// stairway writes the rows; the real `alembic current` reads them as the expected heads, and
// Alembic carries on from there.
TEST_F(AlembicVersionTest, AlembicCurrentReadsTheRowsStairwayWrites) {
  const AlembicVersionTable table;
  session_->Exec(table.CreateSql());
  struct Case {
    AppliedSet applied;
    Ids rows;     // VersionRows
    Ids current;  // `alembic current`, sorted: branch tips of the applied set, with markers
  };
  const std::vector<Case> cases = {
      {{}, {}, {}},
      {{"base0001"}, {"base0001"}, {"base0001 (branchpoint)"}},
      {{"base0001", "alfa0002", "alfa0003", "beta0004"},
       {"alfa0003", "beta0004"},
       {"alfa0003", "beta0004"}},
      {{"base0001", "alfa0002", "alfa0003", "beta0004", "merg0005", "libr0006", "libr0007"},
       {"merg0005", "libr0007"},
       {"libr0007 (head)", "merg0005 (mergepoint)"}},
      // depends_on: libr0006 has no row (dpnd0008 names it), yet Alembic counts it applied.
      {{"base0001", "alfa0002", "alfa0003", "beta0004", "merg0005", "libr0006", "dpnd0008"},
       {"dpnd0008"},
       {"dpnd0008 (head)", "libr0006"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(::testing::PrintToString(c.rows));
    const Ids rows = planner::VersionRows(set_, c.applied);
    EXPECT_EQ(rows, c.rows);
    session_->Exec(table.ReplaceRowsSql(rows));
    const ProcessResult current = Alembic({"current"});
    ASSERT_EQ(current.exit_code, 0) << current.out << current.err;
    EXPECT_EQ(Sorted(Lines(current.out)), c.current) << current.err;
  }
  // From the last rows Alembic upgrades to its heads, running exactly what was missing.
  AlembicOk({"upgrade", "heads"});
  EXPECT_EQ(Rows(), (Ids{"dpnd0008", "libr0007"}));
  const AppliedSet all = planner::AppliedFromVersionRows(set_, Rows()).value();
  EXPECT_EQ(all.size(), set_.revisions.size());
  EXPECT_EQ(Sorted(planner::VersionRows(set_, all)), Rows());
}

}  // namespace
}  // namespace stairway::testing

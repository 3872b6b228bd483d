// Alembic projects end to end: stairway's upgrade/downgrade/current/history/heads/stamp/--sql and
// verify --roundtrip on a real Alembic project (written into a temp dir), run in the real
// project Python, with the real `alembic` CLI reading and continuing what stairway wrote. With
// STAIRWAY_TEST_ALEMBIC_PYTHONPATH set (ci/install-alembic-modern.sh prints it) the same tests
// run on that stack (Alembic 1.13 + SQLAlchemy 2.0) instead of Debian 12's.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <set>

#include "runner/history/alembic_version.h"
#include "tests/integration/alembic_test_util.h"
#include "tests/integration/json_schema_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

// A linear start, a branch with a label, a merge, an enum, a data migration, a concurrent index
// in an autocommit block and a depends_on: the shapes real histories have.
const char* const kEnvPy = R"PY(from logging.config import fileConfig
import os
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
url = os.environ.get("DATABASE_URL")
if url:
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
target_metadata = None


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
)PY";

struct RevisionFile {
  std::string name;
  std::string text;
};

std::vector<RevisionFile> GoodRevisions() {
  return {
      {"a1000000_users.py", R"PY("""create users

Revision ID: a1000000
Revises:
Create Date: 2024-01-02 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "a1000000"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("email", sa.Text, nullable=False))
    op.execute("INSERT INTO users (email) VALUES ('a@example.com'), ('b@example.com')")


def downgrade():
    op.drop_table("users")
)PY"},
      {"b2000000_messages.py", R"PY("""messages with a role enum

Revision ID: b2000000
Revises: a1000000
Create Date: 2024-01-03 10:00:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

revision: str = "b2000000"
down_revision: Union[str, None] = "a1000000"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE")),
        sa.Column("role", sa.Enum("user", "assistant", name="message_role"), nullable=False),
        sa.Column("body", sa.Text),
    )


def downgrade() -> None:
    op.drop_table("messages")
    sa.Enum(name="message_role").drop(op.get_bind())
)PY"},
      {"c3000000_names.py", R"PY("""backfill user names (data migration)

Revision ID: c3000000
Revises: b2000000
Create Date: 2024-01-04 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "c3000000"
down_revision = "b2000000"
branch_labels = ("profile",)
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("name", sa.Text))
    bind = op.get_bind()
    for row in bind.execute(sa.text("SELECT id, email FROM users")).fetchall():
        bind.execute(sa.text("UPDATE users SET name = :n WHERE id = :i"),
                     {"n": row[1].split("@")[0], "i": row[0]})
    op.alter_column("users", "name", nullable=False)


def downgrade():
    op.drop_column("users", "name")
)PY"},
      {"d4000000_index.py", R"PY("""index messages concurrently

Revision ID: d4000000
Revises: b2000000
Create Date: 2024-01-04 11:00:00
"""
from alembic import op

revision = "d4000000"
down_revision = "b2000000"
branch_labels = None
depends_on = "a1000000"


def upgrade():
    with op.get_context().autocommit_block():
        op.create_index("ix_messages_user", "messages", ["user_id"],
                        postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_messages_user", "messages", postgresql_concurrently=True)
)PY"},
      {"e5000000_merge.py", R"PY("""merge heads

Revision ID: e5000000
Revises: c3000000, d4000000
Create Date: 2024-01-05 10:00:00
"""
revision = "e5000000"
down_revision = ("c3000000", "d4000000")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
)PY"},
  };
}

class AlembicProject : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_DIR");
    database_ = NewTestDatabase();
    session_ = std::make_unique<db::Session>(db::Session::Connect(database_->url()));
    Write(GoodRevisions());
  }

  void Write(const std::vector<RevisionFile>& revisions) {
    const fs::path root = dir_.path();
    fs::create_directories(root / "alembic" / "versions");
    std::ofstream(root / "alembic.ini")
        << "[alembic]\nscript_location = %(here)s/alembic\nprepend_sys_path = .\n"
           "sqlalchemy.url = driver://user:pass@localhost/dbname\n";
    std::ofstream(root / "alembic" / "env.py") << kEnvPy;
    for (const RevisionFile& r : revisions) {
      std::ofstream(root / "alembic" / "versions" / r.name) << r.text;
    }
  }
  void Remove(const std::string& name) { fs::remove(dir_.path() / "alembic" / "versions" / name); }

  // SQLAlchemy's form of the test database's URL, for the real alembic CLI.
  std::string SqlAlchemyUrl() const {
    std::string url = database_->url();
    return "postgresql+psycopg2" + url.substr(url.find("://"));
  }

  ProcessResult Stairway(std::vector<std::string> args, Env env = {}) {
    for (auto& [k, v] : AlembicPythonEnv()) env.emplace(k, v);
    env["DATABASE_URL"] = database_->url();
    return RunStairway(args, env, dir_.path().string());
  }
  ProcessResult Alembic(std::vector<std::string> args) {
    Env env = AlembicPythonEnv();
    env["DATABASE_URL"] = SqlAlchemyUrl();
    args.insert(args.begin(), {"/usr/bin/python3", "-m", "alembic"});
    return RunProcess(args, env, dir_.path().string());
  }

  std::set<std::string> VersionRows() {
    const auto rows = history::AlembicVersionTable().ReadRows(*session_);
    return rows ? std::set<std::string>(rows->begin(), rows->end()) : std::set<std::string>{};
  }
  int HistoryRows() {
    const db::QueryResult r = session_->Query(
        "SELECT count(*) FROM stairway_history WHERE state = 'applied' AND version <> ''");
    return std::stoi(*r.rows.at(0).at(0));
  }
  bool TableExists(const std::string& name) {
    return session_->Query("SELECT to_regclass($1) IS NOT NULL", {name}).rows.at(0).at(0) ==
           std::optional<std::string>("t");
  }

  TempDir dir_{"stairway-alembic"};
  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(AlembicProject, UpgradeHeadRunsEveryRevisionAndAlembicAgrees) {
  const ProcessResult up = Stairway({"upgrade", "head"});
  ASSERT_EQ(up.exit_code, 0) << Describe(up);
  EXPECT_NE(up.out.find("Done: 5 revisions applied"), std::string::npos) << up.out;
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});
  EXPECT_EQ(HistoryRows(), 5);
  // The data migration ran against the real rows, the concurrent index exists.
  EXPECT_EQ(session_->Query("SELECT string_agg(name, ',' ORDER BY id) FROM users").rows[0][0],
            std::optional<std::string>("a,b"));
  EXPECT_TRUE(TableExists("ix_messages_user"));

  const ProcessResult current = Alembic({"current"});
  ASSERT_EQ(current.exit_code, 0) << Describe(current);
  EXPECT_NE(current.out.find("e5000000 (head) (mergepoint)"), std::string::npos) << current.out;
  const ProcessResult ours = Stairway({"current"});
  EXPECT_EQ(ours.out, "e5000000 (head)\n") << Describe(ours);
}

TEST_F(AlembicProject, FoundFromTheRepositoryRootThroughStairwayToml) {
  // The FastAPI layout: alembic.ini in backend/, commands run at the root.
  TempDir root("stairway-alembic-root");
  fs::create_directory_symlink(dir_.path(), root.path() / "backend");
  root.Write("stairway.toml", "[alembic]\nproject = \"backend\"\n");
  Env env = AlembicPythonEnv();
  env["DATABASE_URL"] = database_->url();
  ProcessResult r = RunStairway({"heads"}, env, root.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "e5000000 (head) (mergepoint)\n") << r.out;
  r = RunStairway({"upgrade", "head"}, env, root.path().string());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});
}

TEST_F(AlembicProject, AnAsyncOnlyDriverWorksToo) {
  // Projects whose virtualenv has only asyncpg: the helper drives it through SQLAlchemy's
  // async engine (run_sync), autocommit_block and get_bind() data migrations included.
  const Env asyncpg = {{"STAIRWAY_ALEMBIC_DRIVER", "asyncpg"}};
  ProcessResult r = Stairway({"upgrade", "head"}, asyncpg);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find(", asyncpg): 5 revisions"), std::string::npos) << r.out;
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});
  EXPECT_TRUE(TableExists("ix_messages_user"));
  r = Stairway({"downgrade", "base"}, asyncpg);
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_FALSE(TableExists("users"));
  // A failure through asyncpg still names the server's message and SQLSTATE.
  Write({{"f6000000_broken.py",
          "revision = \"f6000000\"\ndown_revision = \"e5000000\"\nfrom alembic import op\n\n\n"
          "def upgrade():\n    op.execute(\"SELECT * FROM missing_table\")\n\n\n"
          "def downgrade():\n    pass\n"}});
  r = Stairway({"upgrade", "head"}, asyncpg);
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("f6000000_broken.py:7:5: error: f6000000_broken (up) failed: relation "
                       "\"missing_table\" does not exist (SQLSTATE 42P01)"),
            std::string::npos)
      << r.err;
}

TEST_F(AlembicProject, AlembicAndStairwayContinueEachOther) {
  // alembic applies part of the history; stairway adopts it as it is and finishes.
  ProcessResult r = Alembic({"upgrade", "c3000000"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Stairway({"status"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("applied  c3000000_names (by alembic)"), std::string::npos) << r.out;
  r = Stairway({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("2 revisions"), std::string::npos) << r.out;  // d4 and e5 only
  r = Alembic({"current"});
  EXPECT_NE(r.out.find("e5000000 (head)"), std::string::npos) << Describe(r);

  // stairway steps back along one parent: alembic sees both branch heads and can go on.
  r = Stairway({"downgrade", "d4000000"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), (std::set<std::string>{"c3000000", "d4000000"}));
  r = Alembic({"current"});
  EXPECT_NE(r.out.find("c3000000"), std::string::npos) << Describe(r);
  EXPECT_NE(r.out.find("d4000000"), std::string::npos) << Describe(r);
  r = Alembic({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});

  // stamp: rows exact, no SQL run.
  r = Stairway({"stamp", "b2000000"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"b2000000"});
  EXPECT_TRUE(TableExists("ix_messages_user"));  // stamp ran nothing
  r = Alembic({"current"});
  EXPECT_NE(r.out.find("b2000000"), std::string::npos) << Describe(r);
  r = Stairway({"stamp", "c3000000", "d4000000"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), (std::set<std::string>{"c3000000", "d4000000"}));
}

TEST_F(AlembicProject, TargetsAsAlembicHasThem) {
  ProcessResult r = Stairway({"upgrade", "+2"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"b2000000"});
  r = Stairway({"upgrade", "c3000000"});  // one branch only
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"c3000000"});
  r = Stairway({"upgrade", "d400"});  // a unique prefix
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), (std::set<std::string>{"c3000000", "d4000000"}));
  r = Stairway({"downgrade", "-1"});  // two heads applied: ambiguous, as in Alembic
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_EQ(VersionRows(), (std::set<std::string>{"c3000000", "d4000000"}));
  // The head of the labelled branch is the merge, which needs the other branch too.
  r = Stairway({"upgrade", "profile@head"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});
  r = Stairway({"downgrade", "base"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_TRUE(VersionRows().empty());
  EXPECT_FALSE(TableExists("users"));
  // The enum went with its table.
  EXPECT_EQ(
      session_->Query("SELECT count(*) FROM pg_type WHERE typname = 'message_role'").rows[0][0],
      std::optional<std::string>("0"));
}

TEST_F(AlembicProject, TwoHeadsNeedUpgradeHeads) {
  Remove("e5000000_merge.py");
  ProcessResult r = Stairway({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("c3000000"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("d4000000"), std::string::npos) << r.err;
  EXPECT_FALSE(TableExists("users"));
  r = Stairway({"upgrade", "heads"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(VersionRows(), (std::set<std::string>{"c3000000", "d4000000"}));
  r = Stairway({"heads"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("c3000000 (profile) (head)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("d4000000 (head)"), std::string::npos) << r.out;
}

TEST_F(AlembicProject, AFailingRevisionRollsBackAndNamesTheLine) {
  Write({{"f6000000_broken.py", R"PY("""broken

Revision ID: f6000000
Revises: e5000000
"""
from alembic import op
import sqlalchemy as sa

revision = "f6000000"
down_revision = "e5000000"


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.Text))
    op.execute("UPDATE no_such_table SET x = 1")


def downgrade():
    op.drop_column("users", "nickname")
)PY"}});
  ProcessResult r = Stairway({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 3) << Describe(r);
  EXPECT_NE(r.err.find("f6000000_broken.py:15:5: error: f6000000_broken (up) failed: relation "
                       "\"no_such_table\" does not exist (SQLSTATE 42P01)"),
            std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("statement: UPDATE no_such_table SET x = 1"), std::string::npos) << r.err;
  // Everything before it is applied; it is not, not even its first operation.
  EXPECT_EQ(VersionRows(), std::set<std::string>{"e5000000"});
  EXPECT_EQ(HistoryRows(), 5);
  EXPECT_EQ(session_
                ->Query("SELECT count(*) FROM information_schema.columns WHERE column_name = "
                        "'nickname'")
                .rows[0][0],
            std::optional<std::string>("0"));
}

TEST_F(AlembicProject, BadInputChangesNothing) {
  // A revision that cannot be imported: exit 2 naming file and line, nothing applied.
  Write({{"f6000000_syntax.py",
          "\"\"\"x\"\"\"\nrevision = \"f6000000\"\ndown_revision = \"e5000000\"\n\n"
          "def upgrade():\n    op.execute(\"SELECT 1\"\n\ndef downgrade():\n    pass\n"}});
  ProcessResult r = Stairway({"upgrade", "head"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("f6000000_syntax.py:"), std::string::npos) << r.err;
  EXPECT_FALSE(TableExists("users"));
  EXPECT_FALSE(TableExists("alembic_version"));
  // history lists the graph even so (no Python needed, no database needed).
  r = RunStairway({"history"}, AlembicPythonEnv(), dir_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("e5000000 -> f6000000 (head), x"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("<base> -> a1000000, create users"), std::string::npos) << r.out;

  // No Python with alembic: exit 2 naming what was tried and how to point at the right one.
  Remove("f6000000_syntax.py");
  Env env = {{"STAIRWAY_PYTHON", "/bin/false"}};
  r = RunStairway({"upgrade", "head"}, env, dir_.path().string());
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("/bin/false (STAIRWAY_PYTHON)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--python"), std::string::npos) << r.err;
  EXPECT_FALSE(TableExists("alembic_version"));
}

TEST_F(AlembicProject, ADowngradeThatRaisesIsIrreversible) {
  Write({{"f6000000_one_way.py", R"PY("""drop the old column for good

Revision ID: f6000000
Revises: e5000000
"""
from alembic import op

revision = "f6000000"
down_revision = "e5000000"


def upgrade():
    op.drop_column("users", "name")


def downgrade():
    raise NotImplementedError("the names are gone")
)PY"}});
  ProcessResult r = Stairway({"upgrade", "head"});
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  r = Stairway({"downgrade", "-1"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("f6000000_one_way.py"), std::string::npos) << r.err;
  EXPECT_EQ(VersionRows(), std::set<std::string>{"f6000000"});
  r = Stairway({"verify", "--roundtrip"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("1 irreversible"), std::string::npos) << r.out;
  r = Stairway({"verify", "--roundtrip", "--allow-irreversible"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

TEST_F(AlembicProject, SqlIsRenderedOfflineAndNamesWhatNeedsADatabase) {
  const ProcessResult r =
      RunStairway({"upgrade", "head", "--sql"}, AlembicPythonEnv(), dir_.path().string());
  // c3000000 reads rows through op.get_bind(): it cannot be rendered offline, and says so.
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("CREATE TYPE message_role AS ENUM ('user', 'assistant')"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("CREATE INDEX CONCURRENTLY ix_messages_user"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("-- NOT RENDERED: c3000000_names"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("c3000000_names"), std::string::npos) << r.err;
  EXPECT_FALSE(TableExists("alembic_version"));
}

TEST_F(AlembicProject, RoundtripIsCleanAndCatchesTheLeftoverEnum) {
  ProcessResult r = Stairway({"verify", "--roundtrip"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("5 of 5 revisions checked"), std::string::npos) << r.out;

  // The classic bug: the downgrade drops the table but not the enum type its upgrade created.
  std::vector<RevisionFile> revisions = GoodRevisions();
  std::string& text = revisions[1].text;
  text.replace(text.find("    sa.Enum(name=\"message_role\").drop(op.get_bind())\n"),
               std::string("    sa.Enum(name=\"message_role\").drop(op.get_bind())\n").size(), "");
  Write(revisions);
  r = Stairway({"verify", "--roundtrip"});
  EXPECT_NE(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("b2000000_messages: down left behind type public.message_role (enum "
                       "'user','assistant')"),
            std::string::npos)
      << r.out;

  // Two heads fail the single-head gate unless allowed.
  Write(GoodRevisions());
  Remove("e5000000_merge.py");
  r = Stairway({"verify", "--roundtrip"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("alembic-multiple-heads"), std::string::npos) << r.out;
  r = Stairway({"verify", "--roundtrip", "--allow-multiple-heads"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
}

// --report json has the SQL formats' shape (docs/json.md), checked against the same schema.
TEST_F(AlembicProject, ReportJsonHasTheSqlFormatsShape) {
  const JsonSchemaChecker checker("docs/schemas/read-commands-1.schema.json");
  const auto parse = [&checker](const ProcessResult& r) {
    const nlohmann::json doc = nlohmann::json::parse(r.out, nullptr, false);
    EXPECT_FALSE(doc.is_discarded()) << Describe(r);
    for (const std::string& error : checker.Check(doc)) ADD_FAILURE() << error << "\n" << r.out;
    return doc;
  };
  const auto states = [](const nlohmann::json& revisions) {
    std::map<std::string, std::string> out;
    for (const nlohmann::json& r : revisions) out[r["version"]] = r["state"];
    return out;
  };
  // No database anywhere: history and heads still answer, with the state unknown.
  ProcessResult r =
      RunStairway({"history", "--report", "json"}, AlembicPythonEnv(), dir_.path().string());
  ASSERT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json doc = parse(r);
  EXPECT_EQ(doc["format"], "alembic");
  EXPECT_TRUE(doc["database"].is_null());
  EXPECT_EQ(states(doc["revisions"])["a1000000"], "unknown");
  r = RunStairway({"heads", "--report", "json"}, AlembicPythonEnv(), dir_.path().string());
  doc = parse(r);
  ASSERT_EQ(doc["heads"].size(), 1u) << r.out;
  EXPECT_EQ(doc["heads"][0]["state"], "unknown");

  ASSERT_EQ(Stairway({"upgrade", "c3000000"}).exit_code, 0);
  r = Stairway({"status", "--report", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  doc = parse(r);
  EXPECT_EQ(doc["schema"], "stairway.status/1");
  EXPECT_EQ(doc["history_table"], "alembic_version");
  EXPECT_EQ(states(doc["revisions"]),
            (std::map<std::string, std::string>{{"a1000000", "applied"},
                                                {"b2000000", "applied"},
                                                {"c3000000", "applied"},
                                                {"d4000000", "pending"},
                                                {"e5000000", "pending"}}));
  EXPECT_EQ(doc["revisions"][0]["applied_by"], "stairway");
  EXPECT_EQ(doc["counts"]["applied"], 3);
  EXPECT_EQ(doc["counts"]["pending"], 2);

  r = Stairway({"current", "--report", "json"});
  doc = parse(r);
  ASSERT_EQ(doc["current"].size(), 1u) << r.out;
  EXPECT_EQ(doc["current"][0]["version"], "c3000000");
  EXPECT_EQ(doc["at_head"], false);
  r = Stairway({"heads", "--report", "json", "-v"});
  doc = parse(r);
  ASSERT_EQ(doc["heads"].size(), 1u) << r.out;
  EXPECT_EQ(doc["heads"][0]["version"], "e5000000");
  EXPECT_EQ(doc["heads"][0]["state"], "pending");
  EXPECT_EQ(doc["heads"][0]["parents"], nlohmann::json::array({"c3000000", "d4000000"}));
  r = Stairway({"history", "--report", "json", "-v"});
  doc = parse(r);
  EXPECT_EQ(states(doc["revisions"])["d4000000"], "pending");
  EXPECT_EQ(doc["revisions"][0]["path"], "./alembic/versions/a1000000_users.py") << r.out;

  // A file changed after stairway applied it is edited, as for SQL files.
  std::ofstream(dir_.path() / "alembic" / "versions" / "a1000000_users.py", std::ios::app)
      << "# edited\n";
  r = Stairway({"status", "--report", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);  // as the text
  doc = parse(r);
  EXPECT_EQ(states(doc["revisions"])["a1000000"], "edited");
  EXPECT_EQ(doc["has_problems"], true);
}

}  // namespace
}  // namespace stairway::testing

// `stairway drift` on Alembic projects: the SQLAlchemy model (env.py's target_metadata, or
// --model module:attr) created on a throwaway database and compared with the revisions at head,
// run by the real helper in the project's Python; and --against a live database, whose record is
// alembic_version (written by the real alembic CLI or stairway upgrade). Each test copies
// examples/alembic/backend into a temp dir and edits its models.py. With
// STAIRWAY_TEST_ALEMBIC_PYTHONPATH set the same tests run on that stack (Alembic 1.13 +
// SQLAlchemy 2.0) instead of Debian 12's.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/integration/alembic_test_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

// One more revision on the example's head: a varchar column, so a length can drift.
const char* const kNicknameRevision = R"PY("""add users.nickname

Revision ID: 9a1b2c3d4e5f
Revises: f4d8a0e3b6c9
Create Date: 2024-03-01 10:00:00
"""
from alembic import op
import sqlalchemy as sa

revision = "9a1b2c3d4e5f"
down_revision = "f4d8a0e3b6c9"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("users", sa.Column("nickname", sa.String(40)))


def downgrade():
    op.drop_column("users", "nickname")
)PY";

// The output line that mentions `needle`, or "".
std::string LineWith(const std::string& out, const std::string& needle) {
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    if (line.find(needle) != std::string::npos) return line;
  }
  return "";
}

// The example backend copied to `to`, with nothing in the environment pointing stairway at
// another project or database.
void CopyExampleBackend(const fs::path& to) {
  unsetenv("DATABASE_URL");
  unsetenv("STAIRWAY_DIR");
  fs::copy(SourceDir() / "examples/alembic/backend", to,
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

class AlembicDrift : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    CopyExampleBackend(dir_.path());
    dir_.Write("alembic/versions/9a1b2c3d4e5f_add_users_nickname.py", kNicknameRevision);
    // Last, as add_column puts it.
    const std::string timezone =
        "    timezone = sa.Column(sa.Text, nullable=False, server_default=sa.text(\"'UTC'\"))\n";
    EditModels(timezone, timezone + "    nickname = sa.Column(sa.String(40))\n");
  }

  fs::path Models() const { return dir_.path() / "app" / "models.py"; }

  // Replaces `from` (which must be there) by `to` in app/models.py.
  void EditModels(const std::string& from, const std::string& to) {
    std::string text = ReadFile(Models());
    const std::size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << "not in models.py: " << from;
    text.replace(at, from.size(), to);
    std::ofstream(Models()) << text;
  }

  // "app/models.py:N" for the line `class NAME(Base):` starts on.
  std::string ClassLine(const std::string& name) const {
    const std::string text = ReadFile(Models());
    const std::size_t at = text.find("class " + name + "(Base)");
    EXPECT_NE(at, std::string::npos) << name;
    const auto line =
        std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    return "app/models.py:" + std::to_string(line + 1);
  }

  ProcessResult Drift(std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"drift", "--server-url=" + TestSandbox().AdminUrl()});
    return RunStairway(args, AlembicPythonEnv(), dir_.path().string());
  }

  TempDir dir_{"stairway-alembic-drift"};
};

TEST_F(AlembicDrift, EnvPyModelIsFoundWithoutFlagsAndAnEqualModelIsClean) {
  const ProcessResult r = Drift();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("no drift: the model (env.py target_metadata) matches"), std::string::npos)
      << r.err;
  // alembic_version exists only on the migrations' side and is never a difference.
  EXPECT_EQ(r.err.find("alembic_version"), std::string::npos) << r.err;
}

TEST_F(AlembicDrift, ModuleAndAttributeAreTheSameModel) {
  for (const std::string& spec : {"app.models:Base", "app.models:Base.metadata", "app.models"}) {
    const ProcessResult r = Drift({"--model", spec});
    EXPECT_EQ(r.exit_code, 0) << spec << "\n" << Describe(r);
    EXPECT_NE(r.err.find("no drift: the model " + spec + " matches"), std::string::npos) << r.err;
  }
}

TEST_F(AlembicDrift, EachDifferenceIsNamedWithTheModelFile) {
  // A longer varchar, an index the migrations never made, another ON DELETE, one more label.
  EditModels("sa.String(40)", "sa.String(60)");
  EditModels("    bio = sa.Column(sa.Text)\n", "    bio = sa.Column(sa.Text, index=True)\n");
  EditModels("sa.ForeignKey(\"chat_threads.id\", ondelete=\"CASCADE\")",
             "sa.ForeignKey(\"chat_threads.id\", ondelete=\"SET NULL\")");
  EditModels("    system = \"system\"\n", "    system = \"system\"\n    tool = \"tool\"\n");
  const ProcessResult r = Drift();
  ASSERT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.err.find("4 differences"), std::string::npos) << Describe(r);
  const std::string users = "(model: " + ClassLine("User") + ")";
  const std::string messages = "(model: " + ClassLine("ChatMessage") + ")";

  const std::string length = LineWith(r.out, "column public.users.nickname: type");
  EXPECT_NE(length.find("character varying(40) in the migrations"), std::string::npos) << r.out;
  EXPECT_NE(length.find("character varying(60) in the model"), std::string::npos) << r.out;
  EXPECT_NE(length.find(users), std::string::npos) << r.out;

  const std::string index = LineWith(r.out, "index public.ix_users_bio");
  EXPECT_NE(index.find("is in the model but not in the migrations"), std::string::npos) << r.out;
  EXPECT_NE(index.find(users), std::string::npos) << r.out;

  const std::string fk = LineWith(r.out, "constraint public.chat_messages.chat_messages_thread_id");
  EXPECT_NE(fk.find("ON DELETE CASCADE in the migrations"), std::string::npos) << r.out;
  EXPECT_NE(fk.find("ON DELETE SET NULL in the model"), std::string::npos) << r.out;
  EXPECT_NE(fk.find(messages), std::string::npos) << r.out;

  const std::string labels = LineWith(r.out, "type public.message_role");
  EXPECT_NE(labels.find("'system','tool','user','assistant' in the model"), std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("alembic_version"), std::string::npos) << r.out;
}

TEST_F(AlembicDrift, ABaseWhoseModelsWereNeverImportedWarnsOfZeroTables) {
  dir_.Write("app/bare.py",
             "from sqlalchemy.orm import declarative_base\n\nBase = declarative_base()\n");
  const ProcessResult r = Drift({"--model", "app.bare:Base"});
  ASSERT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.err.find("warning: the model has 0 tables"), std::string::npos) << r.err;
  // Still a report: every table of the migrations is missing from the model.
  EXPECT_NE(LineWith(r.out, "table public.users").find("is in the migrations but not in the model"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("table public.chat_messages"), std::string::npos) << r.out;
}

TEST_F(AlembicDrift, AModelThatCannotBeFoundIsInputError) {
  ProcessResult r = Drift({"--model", "app.models:Nope"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("cannot load the model app.models:Nope"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("Nope"), std::string::npos) << r.err;

  // env.py that hands Alembic no target_metadata: named, with what to do.
  std::string env = ReadFile(dir_.path() / "alembic" / "env.py");
  const std::string line = "target_metadata = Base.metadata";
  ASSERT_NE(env.find(line), std::string::npos);
  env.replace(env.find(line), line.size(), "target_metadata = None");
  std::ofstream(dir_.path() / "alembic" / "env.py") << env;
  r = Drift();
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("no target_metadata"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--model module:attr"), std::string::npos) << r.err;
}

TEST_F(AlembicDrift, VerifyReportsTheModelDriftWhenEnvPyNamesAModel) {
  EditModels("sa.ForeignKey(\"chat_threads.id\", ondelete=\"CASCADE\")",
             "sa.ForeignKey(\"chat_threads.id\", ondelete=\"SET NULL\")");
  const std::vector<std::string> verify = {"verify", "--server-url=" + TestSandbox().AdminUrl()};
  const fs::path json = dir_.path() / "verify.json";
  std::vector<std::string> with_json = verify;
  with_json.insert(with_json.end(), {"--report", "text", "--report", "json", "-o", json.string()});
  ProcessResult r = RunStairway(with_json, AlembicPythonEnv(), dir_.path().string());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("Drift of the model (env.py target_metadata) against ./alembic at head: "
                       "1 difference"),
            std::string::npos)
      << Describe(r);
  EXPECT_NE(r.out.find("ON DELETE SET NULL in the model"), std::string::npos) << r.out;
  // In the report the finding points at the class that defines the table, names the
  // constraint, and still belongs to the drift step.
  const nlohmann::json doc = nlohmann::json::parse(ReadFile(json));
  const nlohmann::json* drift = nullptr;
  for (const nlohmann::json& f : doc.at("findings")) {
    if (f.at("check") == "drift") drift = &f;
  }
  ASSERT_NE(drift, nullptr) << doc.dump(2);
  const std::string where = ClassLine("ChatMessage");  // "app/models.py:N"
  const std::size_t colon = where.rfind(':');
  EXPECT_EQ(drift->at("path"), where.substr(0, colon)) << drift->dump(2);
  EXPECT_EQ(drift->at("line"), std::stoi(where.substr(colon + 1))) << drift->dump(2);
  EXPECT_EQ(drift->at("object").at("kind"), "constraint") << drift->dump(2);
  EXPECT_EQ(drift->at("object").at("name"), "public.chat_messages.chat_messages_thread_id_fkey")
      << drift->dump(2);
  EXPECT_EQ(drift->at("message").get<std::string>().find("(model:"), std::string::npos)
      << drift->dump(2);
  std::string drift_step;
  for (const nlohmann::json& s : doc.at("steps")) {
    if (s.at("check") == "drift") drift_step = s.at("name");
  }
  EXPECT_EQ(drift->at("step"), drift_step) << doc.dump(2);

  // No target_metadata in env.py: no model, so no drift step (and no error).
  std::string env = ReadFile(dir_.path() / "alembic" / "env.py");
  const std::string line = "target_metadata = Base.metadata";
  ASSERT_NE(env.find(line), std::string::npos);
  env.replace(env.find(line), line.size(), "target_metadata = None");
  std::ofstream(dir_.path() / "alembic" / "env.py") << env;
  r = RunStairway(verify, AlembicPythonEnv(), dir_.path().string());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out.find("Drift of"), std::string::npos) << r.out;
}

TEST_F(AlembicDrift, ASqlModelStillWorks) {
  // DDL for one table only: the revisions (run by the helper) build the others.
  dir_.Write("model.sql",
             "CREATE TABLE users (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,\n"
             "  email text NOT NULL UNIQUE);\n");
  const ProcessResult r = Drift({"--model", "model.sql"});
  ASSERT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("the model model.sql"), std::string::npos) << r.out;
  EXPECT_NE(LineWith(r.out, "table public.chat_messages")
                .find("is in the migrations but not in the model"),
            std::string::npos)
      << r.out;
  EXPECT_NE(LineWith(r.out, "column public.users.display_name")
                .find("is in the migrations but not in the model"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("alembic_version"), std::string::npos) << r.out;
}

TEST_F(AlembicDrift, FromTheRepositoryRootThroughStairwayToml) {
  // The FastAPI layout: alembic.ini in backend/, whose env.py reads its logging config through
  // a path that must resolve from there; stairway runs at the root.
  TempDir root("stairway-alembic-drift-root");
  fs::create_directory_symlink(dir_.path(), root.path() / "backend");
  root.Write("stairway.toml", "[alembic]\nproject = \"backend\"\n");
  EditModels("    bio = sa.Column(sa.Text)\n", "    bio = sa.Column(sa.Text, index=True)\n");
  const ProcessResult r = RunStairway({"drift", "--server-url=" + TestSandbox().AdminUrl()},
                                      AlembicPythonEnv(), root.path().string());
  ASSERT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(LineWith(r.out, "index public.ix_users_bio")
                .find("(model: backend/" + ClassLine("User") + ")"),
            std::string::npos)
      << r.out;
}

// --against: the "production" database is upgraded by the real alembic CLI or stairway upgrade,
// and the migrations are built at what its alembic_version says. The example's async env.py is
// replaced by a synchronous one so the real alembic CLI runs with psycopg2.
class AlembicDriftAgainst : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    CopyExampleBackend(dir_.path());
    dir_.Write("alembic/env.py", kSyncEnvPy);
    database_ = NewTestDatabase();
  }

  void Exec(const std::string& sql) {
    db::Session session = db::Session::Connect(database_->url());
    session.Exec(sql);
  }

  // The real alembic CLI on the live database.
  void Alembic(std::vector<std::string> args) {
    Env env = AlembicPythonEnv();
    const std::string url = database_->url();
    env["DATABASE_URL"] = "postgresql+psycopg2" + url.substr(url.find("://"));
    args.insert(args.begin(), {"/usr/bin/python3", "-m", "alembic"});
    const ProcessResult r = RunProcess(args, env, dir_.path().string());
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  void Upgrade(const std::string& target) {
    const ProcessResult r = RunStairway({"upgrade", target, "--database-url", database_->url()},
                                        AlembicPythonEnv(), dir_.path().string());
    ASSERT_EQ(r.exit_code, 0) << Describe(r);
  }

  ProcessResult Against(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"drift", "--against", database_->url(),
                                     "--server-url=" + TestSandbox().AdminUrl()};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunStairway(args, AlembicPythonEnv(), dir_.path().string());
  }

  static std::size_t Count(const std::string& text, const std::string& part) {
    std::size_t n = 0;
    for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) {
      ++n;
    }
    return n;
  }

  TempDir dir_{"stairway-alembic-drift-against"};
  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
};

TEST_F(AlembicDriftAgainst, AtAMiddleRevisionOnlyTheHandMadeColumnIsDrift) {
  // The real alembic writes alembic_version; stairway never touched this database.
  Alembic({"upgrade", "8d4e2a61c5b7"});
  ProcessResult r = Against();
  // Built at 8d4e2a61c5b7, not at the heads: sessions (b27f0c9e4a13) would be drift otherwise.
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find(" matches ./alembic at 8d4e2a61c5b7_create_chat_threads_and_messages\n"),
            std::string::npos)
      << r.err;

  Exec("ALTER TABLE users ADD COLUMN hand_made text");
  r = Against();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(r.out.starts_with(
      "drift between ./alembic at 8d4e2a61c5b7_create_chat_threads_and_messages and the "
      "database "))
      << r.out;
  EXPECT_EQ(Count(r.out, "\n  "), 1u) << r.out;
  EXPECT_NE(r.out.find(":\n  column public.users.hand_made (text) is in the database but not in "
                       "the migrations\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.err, "1 difference\n");
  // Read only: nothing of stairway's was created on the live database.
  db::Session session = db::Session::Connect(database_->url());
  EXPECT_FALSE(HistoryTableExists(session));
}

TEST_F(AlembicDriftAgainst, WithoutAlembicVersionItIsComparedWithBaseAndSaysSo) {
  Exec("CREATE TABLE loose (id int)");
  const ProcessResult r = Against();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(
      r.err.starts_with("note: the database has no version table alembic_version: "
                        "compared with base (no revision applied)\n"))
      << r.err;
  EXPECT_TRUE(r.out.starts_with("drift between ./alembic at base and the database ")) << r.out;
  EXPECT_EQ(Count(r.out, "\n  "), 1u) << r.out;
  EXPECT_NE(r.out.find("  table public.loose (with 1 column) is in the database but not in the "
                       "migrations\n"),
            std::string::npos)
      << r.out;
}

TEST_F(AlembicDriftAgainst, ARowWithoutAFileIsAnUnknownRevision) {
  Alembic({"upgrade", "3f1c9a2b7d10"});
  // A second row, as a branch another checkout has would leave.
  Exec("INSERT INTO alembic_version VALUES ('0ddba11c0ffe')");
  const fs::path json = dir_.path() / "drift.json";
  const ProcessResult r = Against({"--report", "text", "--report", "json", "-o", json.string()});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  // Only that: the known row's revision is built and matches.
  EXPECT_TRUE(
      r.out.starts_with("drift between ./alembic at 3f1c9a2b7d10_create_users and the database "))
      << r.out;
  EXPECT_EQ(Count(r.out, "\n  "), 1u) << r.out;
  EXPECT_NE(r.out.find("\n  revision 0ddba11c0ffe is recorded in alembic_version but has no file "
                       "in ./alembic\n"),
            std::string::npos)
      << r.out;
  const nlohmann::json doc = nlohmann::json::parse(ReadFile(json));
  ASSERT_EQ(doc.at("findings").size(), 1u) << doc.dump(2);
  const nlohmann::json& f = doc.at("findings").at(0);
  EXPECT_EQ(f.at("rule"), "unknown-revision");
  EXPECT_EQ(f.at("object"), (nlohmann::json{{"kind", "revision"}, {"name", "0ddba11c0ffe"}}));
}

TEST_F(AlembicDriftAgainst, TwoHeadsAreBothBuiltAndStairwaysChecksumsStillCount) {
  // Both branches of the example, before their merge; stairway keeps stairway_history beside.
  Upgrade("b27f0c9e4a13");
  Upgrade("c6a15d3f8e92");
  ProcessResult r = Against();
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.err.find(" matches ./alembic at b27f0c9e4a13_create_sessions, "
                       "c6a15d3f8e92_add_user_profile_fields\n"),
            std::string::npos)
      << r.err;

  // A revision edited after it ran (its docstring only: the schema it builds is the same).
  const fs::path file = dir_.path() / "alembic/versions/b27f0c9e4a13_create_sessions.py";
  std::string text = ReadFile(file);
  text.replace(text.find("create sessions"), 15, "create the sessions");
  std::ofstream(file, std::ios::trunc) << text;
  r = Against();
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_EQ(Count(r.out, "\n  "), 1u) << r.out;
  EXPECT_NE(r.out.find("  revision b27f0c9e4a13_create_sessions was edited after it was applied: "
                       "checksum "),
            std::string::npos)
      << r.out;
}

}  // namespace
}  // namespace stairway::testing

// Lint of Alembic projects with the real Alembic: findings at the .py line of the op.* call that
// produced the statement, the safe forms left alone, Python-comment suppressions, revisions that
// need a database named by lint and linted by verify. With STAIRWAY_TEST_ALEMBIC_PYTHONPATH set
// the same tests run on Alembic 1.13 + SQLAlchemy 2.0 (alembic_lint_test_modern).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/integration/alembic_test_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const char* const kEnvPy = R"PY(from alembic import context
target_metadata = None
if context.is_offline_mode():
    context.configure(url=context.config.get_main_option("sqlalchemy.url"), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
)PY";

// Line numbers matter: the tests name them.
const char* const kBase = R"PY("""tables

Revision ID: a1
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "a1"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("users", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("name", sa.Text), sa.Column("score", sa.Integer))
    op.create_table("orders", sa.Column("id", sa.Integer, primary_key=True),
                    sa.Column("user_id", sa.Integer))


def downgrade():
    op.drop_table("orders")
    op.drop_table("users")
)PY";

const char* const kUnsafe = R"PY("""the review's classics

Revision ID: b2
Revises: a1
"""
from alembic import op
import sqlalchemy as sa

revision = "b2"
down_revision = "a1"


def upgrade():
    op.create_foreign_key("fk_orders_user", "orders", "users", ["user_id"], ["id"])
    op.create_index("ix_users_name", "users", ["name"])
    op.alter_column("users", "name", nullable=False)
    op.add_column("users", sa.Column("token", sa.Text(),
                                     server_default=sa.text("gen_random_uuid()::text")))
    op.alter_column("users", "score", type_=sa.BigInteger())
    op.create_index("ix_orders_user", "orders", ["user_id"], postgresql_concurrently=True)


def downgrade():
    op.drop_index("ix_orders_user", table_name="orders")
    op.alter_column("users", "score", type_=sa.Integer())
    op.drop_column("users", "token")
    op.alter_column("users", "name", nullable=True)
    op.drop_index("ix_users_name", table_name="users")
    op.drop_constraint("fk_orders_user", "orders", type_="foreignkey")
)PY";

const char* const kSafe = R"PY("""the safe forms

Revision ID: c3
Revises: b2
"""
from alembic import op
import sqlalchemy as sa

revision = "c3"
down_revision = "b2"


def upgrade():
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("SET LOCAL statement_timeout = '5min'")
    op.execute("""
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW;
END $$;
""")
    op.execute("ALTER TABLE orders ADD CONSTRAINT fk_orders_user2 FOREIGN KEY (user_id) "
               "REFERENCES users (id) ON DELETE CASCADE NOT VALID")
    with op.get_context().autocommit_block():
        op.create_index("ix_users_score", "users", ["score"], postgresql_concurrently=True)


def downgrade():
    with op.get_context().autocommit_block():
        op.drop_index("ix_users_score", table_name="users", postgresql_concurrently=True)
    # The block committed: SET LOCAL only now, in the transaction that follows it.
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("SET LOCAL statement_timeout = '5min'")
    # stairway:ignore drop-foreign-key undoing this revision's own constraint
    op.drop_constraint("fk_orders_user2", "orders", type_="foreignkey")
    op.execute("DROP FUNCTION touch()")
)PY";

const char* const kValidate = R"PY("""validate in a later revision

Revision ID: d4
Revises: c3
"""
from alembic import op

revision = "d4"
down_revision = "c3"


def upgrade():
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("SET LOCAL statement_timeout = '5min'")
    op.execute("ALTER TABLE orders VALIDATE CONSTRAINT fk_orders_user2")


def downgrade():
    pass
)PY";

// Reads the data before it changes the schema: cannot be rendered offline.
const char* const kNeedsDb = R"PY("""needs a database

Revision ID: e5
Revises: d4
"""
from alembic import op
import sqlalchemy as sa

revision = "e5"
down_revision = "d4"


def upgrade():
    count = op.get_bind().execute(sa.text("SELECT count(*) FROM users")).scalar()
    if count is not None:
        op.create_index("ix_orders_pair", "orders", ["id", "user_id"])


def downgrade():
    op.execute("SET LOCAL lock_timeout = '2s'")
    op.execute("SET LOCAL statement_timeout = '5min'")
    op.execute("DROP INDEX ix_orders_pair")
)PY";

// Whether a finding "file:line:col: severity: ... [rule]" is in the text report.
bool Has(const std::string& out, const std::string& where, const std::string& rule) {
  std::istringstream lines(out);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(where + ":") != std::string::npos &&
        line.find("[" + rule + "]") != std::string::npos) {
      return true;
    }
  }
  return false;
}

// Findings of a rule in the files of the project (any line).
int Count(const std::string& out, const std::string& file, const std::string& rule) {
  std::istringstream lines(out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) {
    if (line.find(file + ":") != std::string::npos &&
        line.find("[" + rule + "]") != std::string::npos) {
      ++n;
    }
  }
  return n;
}

class AlembicLint : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::optional<std::string> why = AlembicStackMissing()) GTEST_SKIP() << *why;
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_DIR");
    const fs::path root = dir_.path();
    fs::create_directories(root / "alembic" / "versions");
    std::ofstream(root / "alembic.ini")
        << "[alembic]\nscript_location = alembic\nprepend_sys_path = .\n"
           "sqlalchemy.url = driver://user:pass@localhost/dbname\n";
    std::ofstream(root / "alembic" / "env.py") << kEnvPy;
    Put("a1_tables.py", kBase);
    Put("b2_unsafe.py", kUnsafe);
    Put("c3_safe.py", kSafe);
    Put("d4_validate.py", kValidate);
  }
  void Put(const std::string& name, const std::string& text) {
    std::ofstream(dir_.path() / "alembic" / "versions" / name) << text;
  }
  ProcessResult Stairway(std::vector<std::string> args) {
    return RunStairway(args, AlembicPythonEnv(), dir_.path().string());
  }

  TempDir dir_{"stairway-alembic-lint"};
};

TEST_F(AlembicLint, FindingsAtTheOpCallLine) {
  const ProcessResult r = Stairway({"lint"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  const std::string f = "alembic/versions/b2_unsafe.py";
  EXPECT_TRUE(Has(r.out, f + ":14:5", "fk-missing-on-delete")) << r.out;
  EXPECT_TRUE(Has(r.out, f + ":15:5", "require-concurrent-index-create")) << r.out;
  EXPECT_TRUE(Has(r.out, f + ":16:5", "set-not-null-scan")) << r.out;
  EXPECT_TRUE(Has(r.out, f + ":17:5", "add-column-volatile-default")) << r.out;
  EXPECT_TRUE(Has(r.out, f + ":19:5", "change-column-type")) << r.out;
  // CONCURRENTLY outside autocommit_block() runs in the revision's transaction: an error.
  EXPECT_TRUE(Has(r.out, f + ":20:5", "concurrent-in-transaction")) << r.out;
  // The source line shown is the Python call, with a caret under it.
  EXPECT_NE(r.out.find("      op.create_index(\"ix_users_name\", \"users\", [\"name\"])\n      ^"),
            std::string::npos)
      << r.out;
}

TEST_F(AlembicLint, SafeFormsAreClean) {
  const ProcessResult r = Stairway({"lint"});
  for (const char* file : {"alembic/versions/c3_safe.py", "alembic/versions/d4_validate.py"}) {
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      // Notes (info) are advice; nothing at warning or error level on the safe forms.
      if (line.find(file) == std::string::npos) continue;
      EXPECT_EQ(line.find(": error:"), std::string::npos) << line << "\n" << r.out;
      EXPECT_EQ(line.find(": warning:"), std::string::npos) << line << "\n" << r.out;
    }
  }
  EXPECT_EQ(r.out.find("syntax-error"), std::string::npos) << r.out;  // `END $$;;`
}

TEST_F(AlembicLint, PythonCommentsSuppressAtTheCallOrAbove) {
  std::string text = kUnsafe;
  text.replace(text.find("    op.create_index(\"ix_users_name\""), 0,
               "    # stairway:ignore require-concurrent-index-create users is empty here\n");
  text.replace(text.find("nullable=False)"), std::string("nullable=False)").size(),
               "nullable=False)  # stairway:ignore set-not-null-scan empty table");
  text.replace(text.find("def downgrade():\n"), 0,
               "# stairway:ignore add-json-column never fires\n");
  Put("b2_unsafe.py", text);
  const ProcessResult r = Stairway({"lint"});
  const std::string f = "alembic/versions/b2_unsafe.py";
  EXPECT_EQ(Count(r.out, f, "require-concurrent-index-create"), 0) << r.out;
  EXPECT_EQ(Count(r.out, f, "set-not-null-scan"), 0) << r.out;
  EXPECT_TRUE(Has(r.out, f + ":14:5", "fk-missing-on-delete")) << r.out;  // untouched
  // The unused one is reported where it is written.
  EXPECT_TRUE(Has(r.out, f + ":24:1", "unused-suppression")) << r.out;

  Put("b2_unsafe.py", std::string(kUnsafe).replace(
                          std::string(kUnsafe).find("    op.create_index(\"ix_users_name\""), 0,
                          "    # stairway:ignore no-such-rule because\n"));
  const ProcessResult bad = Stairway({"lint"});
  EXPECT_EQ(bad.exit_code, 2) << Describe(bad);
  EXPECT_NE(bad.err.find(f + ":15: unknown lint rule 'no-such-rule'"), std::string::npos)
      << Describe(bad);
}

TEST_F(AlembicLint, ARevisionNeedingADatabaseIsNamedByLintAndLintedByVerify) {
  Put("e5_needs_db.py", kNeedsDb);
  // The roundtrip needs revisions that run: CONCURRENTLY only inside the autocommit block.
  std::string unsafe = kUnsafe;
  const std::string concurrently = ", postgresql_concurrently=True)";
  unsafe.replace(unsafe.find(concurrently), concurrently.size(), ")");
  Put("b2_unsafe.py", unsafe);
  ProcessResult r = Stairway({"lint"});
  const std::string f = "alembic/versions/e5_needs_db.py";
  EXPECT_NE(r.out.find(f + ": note: upgrade() not linted: it cannot be rendered without a "
                           "database"),
            std::string::npos)
      << Describe(r);
  EXPECT_NE(r.out.find("`stairway verify` runs it"), std::string::npos) << r.out;
  EXPECT_EQ(Count(r.out, f, "require-concurrent-index-create"), 0) << r.out;
  // Its downgrade renders and is linted.
  EXPECT_EQ(r.out.find(f + ": note: downgrade()"), std::string::npos) << r.out;

  r = Stairway({"verify"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Has(r.out, f + ":16:9", "require-concurrent-index-create")) << r.out;
  EXPECT_EQ(r.out.find("not linted"), std::string::npos) << r.out;
  // The roundtrip ran too, in the same report.
  EXPECT_NE(r.out.find("5 of 5 revisions checked"), std::string::npos) << r.out;
  // The other findings are the same as lint's.
  EXPECT_TRUE(Has(r.out, "alembic/versions/b2_unsafe.py:14:5", "fk-missing-on-delete")) << r.out;
}

TEST_F(AlembicLint, JsonReportCarriesThePyPositions) {
  const ProcessResult r = Stairway({"lint", "--report", "json"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_NE(r.out.find("\"path\": \"alembic/versions/b2_unsafe.py\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"line\": 16"), std::string::npos) << r.out;
}

TEST_F(AlembicLint, RevisionFilesGivenOneByOneAreLintedInTheirProject) {
  // As a pre-commit hook passes them: only the given file is reported, the earlier revisions
  // are replayed so the rules know users and orders already exist.
  ProcessResult r = Stairway({"lint", "alembic/versions/b2_unsafe.py"});
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  EXPECT_TRUE(Has(r.out, "alembic/versions/b2_unsafe.py:15:5", "require-concurrent-index-create"))
      << r.out;
  EXPECT_EQ(r.out.find("a1_tables.py"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("c3_safe.py"), std::string::npos) << r.out;

  r = Stairway({"lint", "alembic/env.py"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("alembic/env.py: not a revision of the Alembic project"), std::string::npos)
      << Describe(r);
}

}  // namespace
}  // namespace stairway::testing

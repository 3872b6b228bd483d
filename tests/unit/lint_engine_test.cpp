// The lint engine beyond single-rule fixtures: suppressions, configuration, rule registry and
// docs, migration-set replay, and the parse step's typed views.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "runner/sql/parse.h"
#include "runner/sql/script.h"
#include "tests/support/paths.h"
#include "verifier/lint/config.h"
#include "verifier/lint/linter.h"
#include "verifier/lint/registry.h"

namespace stairway::lint {
namespace {

namespace fs = std::filesystem;

report::Report LintText(const std::string& sql, LintOptions options = {}) {
  options.disable.push_back("require-statement-timeout");
  options.disable.push_back("prefer-idempotent-ddl");  // a loose file outside a transaction
  LintGroup g;
  LintUnit u;
  u.path = "t.sql";
  u.sql = sql;
  g.units.push_back(u);
  Expected<report::Report> r = Lint({g}, options);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : report::Report{};
}

std::set<std::string> Rules(const report::Report& r) {
  std::set<std::string> out;
  for (const auto& f : r.findings) out.insert(f.rule + "@" + std::to_string(f.line));
  return out;
}

TEST(LintSuppression, StatementScopedSuppressesOnlyItsStatement) {
  const auto r = LintText(
      "SET lock_timeout = '1s';\n"
      "-- stairway:ignore drop-table, drop-column retired in #12\n"
      "DROP TABLE a;\n"
      "DROP TABLE b;\n");
  EXPECT_EQ(Rules(r), (std::set<std::string>{"drop-table@4", "unused-suppression@2"}));
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(r.findings[0].message, "suppression of 'drop-column' matches no finding");
}

TEST(LintSuppression, FileScopedAndUnknownIds) {
  const auto r = LintText(
      "SET lock_timeout = '1s';\nDROP TABLE a;\n-- stairway:ignore-file drop-table\nDROP TABLE "
      "b;\n");
  EXPECT_TRUE(Rules(r).empty());
  LintGroup g;
  LintUnit u;
  u.path = "x.sql";
  u.sql = "SELECT 1;\n-- stairway:ignore no-such-rule because\nSELECT 2;\n";
  g.units.push_back(u);
  Expected<report::Report> bad = Lint({g}, {});
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::kInput);
  EXPECT_EQ(bad.error().message,
            "x.sql:2: unknown lint rule 'no-such-rule' in a stairway:ignore comment; run "
            "`stairway rules` to list the rule ids");
}

TEST(LintSyntax, ErrorRenderedWithCaretAndLaterStatementsLinted) {
  const auto r = LintText("SET lock_timeout = '1s';\nCREATE TABL x (a int);\nDROP TABLE y;\n");
  ASSERT_EQ(r.findings.size(), 2u);
  EXPECT_EQ(Render(r.findings[0].ToDiagnostic()),
            "t.sql:2:8: error: syntax error at or near \"TABL\" [syntax-error]\n"
            "  CREATE TABL x (a int);\n"
            "         ^\n"
            "  help: fix the statement; the rest of the file was still linted\n");
  EXPECT_EQ(r.findings[1].rule, "drop-table");
}

// stairway.toml's [lint] is read by cli/config.h (tests/unit/config_test.cpp).
TEST(LintConfig, ValidateRejectsUnknownRules) {
  LintOptions c;
  c.enable = {"nope"};
  EXPECT_FALSE(ValidateOptions(c).ok());
}

TEST(LintRegistry, IdsAreUniqueKebabCaseAndDocumented) {
  std::set<std::string_view> ids;
  for (const Rule* r : AllRules()) {
    EXPECT_TRUE(ids.insert(r->id).second) << r->id;
    for (char ch : r->id)
      EXPECT_TRUE((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-') << r->id;
    EXPECT_FALSE(r->help.empty()) << r->id;
    EXPECT_FALSE(r->why.empty()) << r->id;
    // docs/rules/<id>.md is generated from the same text (stairway rules --write-docs docs/rules).
    std::ifstream in(testing::SourceDir() / "docs/rules" / (std::string(r->id) + ".md"),
                     std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), RuleDoc(*r))
        << "docs/rules/" << r->id << ".md is stale: run stairway rules --write-docs docs/rules";
  }
  EXPECT_EQ(FindRule("require-concurrent-index-creation"),
            FindRule("require-concurrent-index-create"));
}

TEST(LintMigrationSet, DownSectionSeesItsUpAndIsNotReplayed) {
  LintGroup g;
  auto unit = [](std::string sql, LintUnit::Role role) {
    LintUnit u;
    u.path = "m.sql";
    u.sql = std::move(sql);
    u.role = role;
    u.wrapped = true;
    return u;
  };
  g.units.push_back(
      unit("CREATE TABLE t (a int);\nALTER TABLE old ADD COLUMN b int;", LintUnit::Role::kUp));
  // Same revision: dropping what the up created is harmless.
  g.units.push_back(unit("DROP TABLE t;\nALTER TABLE old DROP COLUMN b;", LintUnit::Role::kDown));
  g.units.push_back(
      unit("SET LOCAL lock_timeout = '1s';\nCREATE INDEX t_a ON t (a);", LintUnit::Role::kUp));
  Expected<report::Report> r = Lint({g}, {});
  ASSERT_TRUE(r.ok());
  std::set<std::string> rules;
  for (const auto& f : r->findings) rules.insert(f.rule);
  EXPECT_EQ(rules, (std::set<std::string>{"require-concurrent-index-create", "require-lock-timeout",
                                          "require-statement-timeout"}));
}

TEST(SqlParse, TypedViewsOfAlterTable) {
  const std::string sql =
      "ALTER TABLE s.t ADD COLUMN c int NOT NULL DEFAULT now() REFERENCES p (id), "
      "ALTER COLUMN d TYPE varchar(20) USING d::text, ADD CONSTRAINT k CHECK (a > 0) NOT VALID";
  sql::ScriptScan scan = sql::ScanScript(sql);
  ASSERT_EQ(scan.statements.size(), 1u);
  sql::Statement st = sql::ParseStatement(sql, scan.statements[0]);
  ASSERT_FALSE(st.error);
  const auto* at = st.As<sql::AlterTable>();
  ASSERT_NE(at, nullptr);
  EXPECT_EQ(at->table.Display(), "s.t");
  ASSERT_EQ(at->cmds.size(), 3u);
  EXPECT_EQ(at->cmds[0].subtype, "AddColumn");
  EXPECT_TRUE(at->cmds[0].column->NotNull());
  EXPECT_EQ(at->cmds[0].column->Default()->name, "now");
  const sql::Constraint* fk = at->cmds[0].column->Find(sql::Constraint::Kind::kForeignKey);
  ASSERT_NE(fk, nullptr);
  EXPECT_FALSE(fk->on_delete_explicit);
  EXPECT_EQ(at->cmds[1].column->type.Display(), "varchar(20)");
  EXPECT_TRUE(at->cmds[1].has_using);
  EXPECT_TRUE(at->cmds[2].constraint->not_valid);
  EXPECT_EQ(at->cmds[2].location, sql.find("CONSTRAINT k"));
}

TEST(SqlParse, ErrorOffsetIsInTheScript) {
  const std::string sql = "SELECT 1;\nSELECT ü FROM WHERE;";
  sql::ScriptScan scan = sql::ScanScript(sql);
  std::vector<sql::Statement> st = sql::ParseStatements(sql, scan.statements);
  ASSERT_EQ(st.size(), 2u);
  ASSERT_TRUE(st[1].error);
  EXPECT_EQ(st[1].error->offset, sql.find("WHERE"));
  EXPECT_EQ(st[1].error->message, "syntax error at or near \"WHERE\"");
}

}  // namespace
}  // namespace stairway::lint

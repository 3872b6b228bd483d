// ParseScript (chunked pg_query_parse) must give exactly what ScanScript + ParseStatements
// give: the same spans, comments, errors and typed views, wherever the chunks are cut.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "runner/sql/parse.h"
#include "runner/sql/script.h"
#include "tests/support/paths.h"

namespace stairway::sql {
namespace {

namespace fs = std::filesystem;

void Dump(std::ostream& o, const QualifiedName& n) {
  o << n.schema << '.' << n.name << '@' << n.location << ' ';
}

void Dump(std::ostream& o, const Expr& e) {
  o << "expr(" << static_cast<int>(e.kind) << ' ' << e.name << ' ' << e.cast_type << '@'
    << e.location;
  for (const Expr& a : e.args) Dump(o, a);
  o << ") ";
}

void Dump(std::ostream& o, const Constraint& c) {
  o << "con(" << static_cast<int>(c.kind) << ' ' << c.name << ' ' << c.using_index << ' '
    << c.not_valid << c.on_delete << c.on_update << c.on_delete_explicit << c.generated_when << '@'
    << c.location << ' ';
  for (const auto& s : c.columns) o << s << ',';
  Dump(o, c.ref_table);
  for (const auto& s : c.ref_columns) o << s << ',';
  if (c.expr) Dump(o, *c.expr);
  o << ") ";
}

void Dump(std::ostream& o, const ColumnDef& c) {
  o << "col(" << c.name << ' ' << c.type.schema << '.' << c.type.Display() << '@' << c.type.location
    << '@' << c.location << ' ';
  for (const Constraint& k : c.constraints) Dump(o, k);
  o << ") ";
}

// Enough of every statement to notice a wrong location base or a lost field.
std::string Dump(const Statement& s) {
  std::ostringstream o;
  o << s.offset << '+' << s.length << ' ' << s.node << ' ';
  if (s.error) o << "error@" << s.error->offset << ' ' << s.error->message << ' ';
  if (const auto* t = s.As<CreateTable>()) {
    Dump(o, t->table);
    for (const ColumnDef& c : t->columns) Dump(o, c);
    for (const Constraint& c : t->constraints) Dump(o, c);
    o << t->if_not_exists << t->partitioned << t->temporary << t->as_select;
    if (t->partition_of) Dump(o, *t->partition_of);
  } else if (const auto* a = s.As<AlterTable>()) {
    Dump(o, a->table);
    for (const AlterTableCmd& c : a->cmds) {
      o << c.subtype << ' ' << c.name << ' ' << c.has_using << c.cascade << c.concurrent << '@'
        << c.location << ' ';
      if (c.column) Dump(o, *c.column);
      if (c.constraint) Dump(o, *c.constraint);
      if (c.expr) Dump(o, *c.expr);
      if (c.partition) Dump(o, *c.partition);
      for (const auto& [k, v] : c.options) o << k << '=' << v << ' ';
    }
  } else if (const auto* i = s.As<CreateIndex>()) {
    o << i->name << ' ' << i->concurrent << i->unique << i->partial << ' ';
    Dump(o, i->table);
  } else if (const auto* d = s.As<Drop>()) {
    o << d->object_type << ' ' << d->concurrent << d->cascade << ' ';
    for (const QualifiedName& n : d->objects) Dump(o, n);
  } else if (const auto* r = s.As<Rename>()) {
    Dump(o, r->relation);
    o << r->old_name << ' ' << r->new_name;
  } else if (const auto* v = s.As<SetVariable>()) {
    o << v->name << '=' << v->value << v->local << v->reset;
  } else if (const auto* sc = s.As<SetConfig>()) {
    for (const SetVariable& v : sc->settings) o << v.name << '=' << v.value << v.local << v.reset;
  } else if (const auto* m = s.As<Dml>()) {
    Dump(o, m->table);
    o << m->has_where;
  } else if (const auto* e = s.As<AlterEnum>()) {
    Dump(o, e->type);
  }
  o << " #" << s.body.index();
  return o.str();
}

std::string Dump(const ScriptScan& scan, const std::vector<Statement>& statements) {
  std::ostringstream o;
  for (const StatementSpan& s : scan.statements)
    o << "span " << s.offset << '+' << s.length << '\n';
  for (const Comment& c : scan.comments) o << "comment " << c.offset << ' ' << c.text << '\n';
  if (scan.error) o << "lexical error " << scan.error->offset << ' ' << scan.error->message << '\n';
  for (const Statement& s : statements) o << Dump(s) << '\n';
  return o.str();
}

std::string Expected(std::string_view sql) {
  ScriptScan scan = ScanScript(sql);
  std::vector<Statement> statements = ParseStatements(sql, scan.statements);
  return Dump(scan, statements);
}

// Cut after every line that ends in ';' (chunk_bytes 1), at most every 200 bytes, and never.
void ExpectSameAsSlowPath(const std::string& sql, const std::string& what) {
  const std::string expected = Expected(sql);
  for (std::size_t chunk : {std::size_t{1}, std::size_t{200}, sql.size() + 1}) {
    for (unsigned threads : {1u, 2u}) {
      ParsedScript p = ParseScript(sql, {threads, chunk});
      EXPECT_EQ(Dump(p.scan, p.statements), expected)
          << what << " (chunk_bytes " << chunk << ", " << threads << " threads)";
      for (std::size_t i = 0; i < p.statements.size(); ++i) {
        EXPECT_EQ(p.statements[i].text.data(), sql.data() + p.statements[i].offset) << what;
      }
    }
  }
}

TEST(SqlParseScript, SameAsStatementByStatementOnTrickyScripts) {
  const std::vector<std::string> scripts = {
      "",
      "-- only a comment\n",
      "select 1;\nselect 2;\n",
      "select 1;\nselect 'a;\nb';\nselect 3;\n",              // ';' + line end in a string
      "select 1;\n/* c;\n*/ select 2;\nselect 3;\n",          // ... in a block comment
      "select 1;\n/* a /* nested;\n */ b;\n */ select 2;\n",  // ... in a nested comment
      "create function f() returns int as $$\nselect 1;\n$$ language sql;\nselect 2;\n",
      "create function f() returns text as $x$ $$;\n $x$ language sql;\nselect $$;\n$$;\n",
      "select E'\\';\n';\nselect \"a;\nb\" from t;\n",  // E'' string, quoted ident
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n  SELECT 1;\n  SELECT 2;\n"
      "END;\nSELECT 9;\n",
      "select 1;\nselect from where;\nselect 3;\nalter table t add column c int;\n",
      "create table a (id int);\ncreate table b (x int references a;\nselect 1;\n",
      "select 1;\nselect 'open;\nselect 3;\n",  // unterminated string
      "select 1;\nselect 1x;\nselect 2;\n",     // trailing junk: resumes
      "select 1; -- trailing;\n-- lead\n/* b */ select 2 /* in */ + 1;\n;;\n ; select 3",
      "-- stairway:ignore drop-table why\r\nDROP TABLE a;\r\n-- x\r\nDROP TABLE \"ü\";\r\n",
      "select 'ü';\nselect 'é' ;\n  \n\tselect 3   ;  \n",
      "ALTER TABLE s.t ADD COLUMN c int NOT NULL DEFAULT now() REFERENCES p (id) ON DELETE NO "
      "ACTION,\n ADD CONSTRAINT k CHECK (a > 0) NOT VALID;\nCREATE INDEX CONCURRENTLY i ON t "
      "(a);\nALTER TABLE t ADD FOREIGN KEY (x) REFERENCES y (id);\n",
      std::string("select 1;\nselect 2;\0select 3;\n", 30),
  };
  for (const std::string& sql : scripts) ExpectSameAsSlowPath(sql, sql);
}

TEST(SqlParseScript, SameAsStatementByStatementOnEveryFixture) {
  int files = 0;
  for (const char* dir : {"fixtures", "migrations"}) {
    for (const auto& e : fs::recursive_directory_iterator(testing::SourceDir() / dir)) {
      if (!e.is_regular_file() || e.path().extension() != ".sql") continue;
      std::ifstream in(e.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      ExpectSameAsSlowPath(ss.str(), e.path().string());
      ++files;
    }
  }
  EXPECT_GT(files, 100);
}

TEST(SqlParseScript, SyntaxErrorInALaterChunkKeepsEarlierOnesAndLintsTheRest) {
  std::string sql;
  for (int i = 0; i < 50; ++i) sql += "CREATE TABLE t" + std::to_string(i) + " (id int);\n";
  sql += "CREATE TABLE broken (id int,);\n";
  for (int i = 0; i < 50; ++i) sql += "DROP TABLE t" + std::to_string(i) + ";\n";
  ParsedScript p = ParseScript(sql, {2, 256});
  ASSERT_EQ(p.statements.size(), 101u);
  EXPECT_EQ(p.statements[49].As<CreateTable>()->table.name, "t49");
  ASSERT_TRUE(p.statements[50].error);
  EXPECT_EQ(p.statements[50].error->offset, sql.find(");\nDROP"));
  EXPECT_EQ(p.statements[100].As<Drop>()->objects[0].name, "t49");
  EXPECT_EQ(Dump(p.scan, p.statements), Expected(sql));
}

// The typed views read PostgreSQL's node structs directly: node names come from the server
// headers, constants keep their sign, and nested expressions of other node kinds are kept.
TEST(SqlParseStatement, TypedViewsFromTheNodeTree) {
  const std::string sql =
      "ALTER TABLE s.t ADD COLUMN a int DEFAULT -1, ADD COLUMN b int DEFAULT "
      "coalesce(random()::int, 0), ALTER COLUMN c SET DEFAULT CURRENT_TIMESTAMP";
  Statement st = ParseStatement(sql, {0, sql.size(), sql});
  ASSERT_FALSE(st.error);
  EXPECT_EQ(st.node, "AlterTableStmt");
  const auto* a = st.As<AlterTable>();
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->table.Display(), "s.t");
  EXPECT_EQ(a->object_type, "TABLE");
  ASSERT_EQ(a->cmds.size(), 3u);
  EXPECT_EQ(a->cmds[0].subtype, "AddColumn");
  const Expr* minus_one = a->cmds[0].column->Default();
  ASSERT_NE(minus_one, nullptr);
  EXPECT_EQ(minus_one->kind, Expr::Kind::kConst);
  EXPECT_EQ(minus_one->name, "-1");
  const Expr* coalesce = a->cmds[1].column->Default();
  ASSERT_NE(coalesce, nullptr);
  EXPECT_EQ(coalesce->kind, Expr::Kind::kOther);
  EXPECT_EQ(coalesce->name, "CoalesceExpr");
  EXPECT_EQ(coalesce->location, sql.find("coalesce"));
  ASSERT_EQ(coalesce->args.size(), 2u);
  EXPECT_EQ(coalesce->args[0].kind, Expr::Kind::kCast);
  ASSERT_EQ(coalesce->args[0].args.size(), 1u);
  EXPECT_EQ(coalesce->args[0].args[0].name, "random");
  EXPECT_EQ(a->cmds[2].subtype, "ColumnDefault");
  ASSERT_TRUE(a->cmds[2].expr);
  EXPECT_EQ(a->cmds[2].expr->kind, Expr::Kind::kSqlValueFunction);
  EXPECT_EQ(a->cmds[2].expr->name, "current_timestamp");

  const std::string other = "CREATE EXTENSION IF NOT EXISTS pg_trgm";
  Statement ext = ParseStatement(other, {0, other.size(), other});
  EXPECT_EQ(ext.node, "CreateExtensionStmt");
  EXPECT_NE(ext.As<Other>(), nullptr);
}

// set_config() in a SELECT that reads nothing is a SET; with a FROM or WHERE it may not run.
TEST(SqlParseStatement, SetConfigCallsReadAsSettings) {
  auto parse = [](const std::string& sql) { return ParseStatement(sql, {0, sql.size(), sql}); };
  Statement one = parse("SELECT set_config('lock_timeout', '2s', false)");
  const auto* sc = one.As<SetConfig>();
  ASSERT_NE(sc, nullptr);
  ASSERT_EQ(sc->settings.size(), 1u);
  EXPECT_EQ(sc->settings[0].name, "lock_timeout");
  EXPECT_EQ(sc->settings[0].value, "2s");
  EXPECT_FALSE(sc->settings[0].local);
  EXPECT_FALSE(sc->settings[0].reset);

  Statement two = parse(
      "select pg_catalog.set_config('Statement_Timeout'::text, '5min', true), "
      "set_config('lock_timeout', current_setting('app.lock'), false), "
      "set_config('lock_timeout', NULL, false), now()");
  sc = two.As<SetConfig>();
  ASSERT_NE(sc, nullptr);
  ASSERT_EQ(sc->settings.size(), 3u);
  EXPECT_EQ(sc->settings[0].name, "statement_timeout");
  EXPECT_EQ(sc->settings[0].value, "5min");
  EXPECT_TRUE(sc->settings[0].local);
  EXPECT_EQ(sc->settings[1].value, "?");
  EXPECT_TRUE(sc->settings[2].reset);

  for (const std::string sql :
       {"SELECT set_config('lock_timeout', '2s', false) FROM pg_settings WHERE false",
        "SELECT set_config('lock_timeout', '2s', false) WHERE false", "SELECT 1",
        "SELECT my.set_config('lock_timeout', '2s', false)",
        "SELECT set_config('lock_timeout', '2s', false) UNION SELECT 'x'"}) {
    EXPECT_NE(parse(sql).As<Other>(), nullptr) << sql;
  }
}

}  // namespace
}  // namespace stairway::sql

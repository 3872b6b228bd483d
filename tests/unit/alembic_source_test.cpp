// Tests for runner/source/alembic: the Python tokenizer, the literal revision-file reader, the
// alembic.ini / pyproject.toml readers and loading fixtures/alembic/<case>/ into MigrationSets.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "runner/common/checksum.h"
#include "runner/source/alembic/project.h"
#include "runner/source/alembic/python_tokens.h"
#include "runner/source/alembic/revision_file.h"
#include "runner/source/migration.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"
#include "tests/support/temp_dir.h"

namespace stairway::source::alembic {
namespace {

namespace fs = std::filesystem;
using Strings = std::vector<std::string>;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Messages carry paths as given; the fixtures are loaded relative to the source tree.
class ScopedCwd {
 public:
  explicit ScopedCwd(const fs::path& dir) : saved_(fs::current_path()) { fs::current_path(dir); }
  ~ScopedCwd() { fs::current_path(saved_); }

 private:
  fs::path saved_;
};

MigrationSet LoadOk(const fs::path& dir, Format format = Format::kAuto,
                    const PythonHeaderReader& python = nullptr) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format, python);
  if (!set.ok()) ADD_FAILURE() << set.error().message;
  return set.ok() ? std::move(set).value() : MigrationSet{};
}

std::string LoadError(const fs::path& dir, Format format = Format::kAuto) {
  Expected<MigrationSet> set = LoadMigrationSet(dir, format);
  if (set.ok()) return "loaded fine";
  EXPECT_EQ(set.error().kind, ErrorKind::kInput);
  return set.error().message;
}

Strings Versions(const MigrationSet& set) {
  Strings out;
  for (const Revision& r : set.revisions) out.push_back(r.version);
  return out;
}

fs::path Fixture(const std::string& name) {
  return fs::path("fixtures/alembic") / name;
}

// ---- tokenizer

TEST(AlembicTokens, StringsCommentsAndLogicalLines) {
  const std::vector<LogicalLine> lines = TokenizePython(
      "x = u'a' r\"\\d\" b'c'  # comment\n"
      "y = (1,\n"
      "     2)\n"
      "z = '''one\n"
      "two'''\n"
      "w = 1 + \\\n"
      "  2\n"
      "    \n"
      "    v = '\\x41\\u00e9\\n'\n");
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0].tokens.size(), 5u);
  EXPECT_EQ(lines[0].tokens[2].value, "a");
  EXPECT_EQ(lines[0].tokens[3].value, "\\d");
  EXPECT_EQ(lines[0].tokens[4].value, "c");
  EXPECT_EQ(lines[1].line, 2);
  EXPECT_EQ(lines[1].tokens.back().line, 3);
  EXPECT_EQ(lines[2].tokens[2].value, "one\ntwo");
  EXPECT_EQ(lines[3].tokens.size(), 5u);
  EXPECT_EQ(lines[4].indent, 4);
  EXPECT_EQ(lines[4].line, 9);
  EXPECT_EQ(lines[4].tokens[2].value, "A\xC3\xA9\n");
}

TEST(AlembicTokens, FStringsAndUnterminatedStrings) {
  const std::vector<LogicalLine> lines = TokenizePython("a = f'{x}'\nb = 'open\nc = 1\n");
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_TRUE(lines[0].tokens[2].formatted);
  EXPECT_TRUE(lines[1].tokens[2].unterminated);
  EXPECT_EQ(lines[2].tokens[0].text, "c");
}

// ---- revision file literals

TEST(AlembicRevisionScan, PlainTemplate) {
  const RevisionScan s = ScanRevisionSource(
      "\"\"\"add users\n\nRevision ID: ab12\nRevises: \nCreate Date: 2024-01-02 03:04:05.123\n\n"
      "\"\"\"\nfrom alembic import op\n\n# revision identifiers, used by Alembic.\n"
      "revision = 'ab12'\ndown_revision = None\nbranch_labels = None\ndepends_on = None\n\n\n"
      "def upgrade():\n    op.drop_table('x')\n\n\ndef downgrade():\n    pass\n");
  EXPECT_TRUE(s.not_literal.empty());
  EXPECT_EQ(s.header.revision, "ab12");
  EXPECT_EQ(s.header.revision_line, 11);
  EXPECT_TRUE(s.header.down_revisions.empty());
  EXPECT_TRUE(s.has_down_revision);
  EXPECT_EQ(s.message, "add users");
  EXPECT_EQ(s.create_date, "2024-01-02 03:04:05.123");
  ASSERT_TRUE(s.upgrade && s.downgrade);
  EXPECT_EQ(s.upgrade->line, 17);
  EXPECT_FALSE(s.upgrade->empty);
  EXPECT_EQ(s.downgrade->line, 21);
  EXPECT_TRUE(s.downgrade->empty);
  EXPECT_FALSE(s.downgrade->raises);
}

TEST(AlembicRevisionScan, TypedTemplateAndOddSpellings) {
  const RevisionScan s = ScanRevisionSource(
      "revision: str = \"ab12\"  # the id\n"
      "down_revision: Union[str, None] = (\n"
      "    u'p1',  # first parent\n"
      "    R'p2',\n"
      ")\n"
      "branch_labels: Union[str, Sequence[str], None] = ['core', \"api\",]\n"
      "depends_on: Union[str, Sequence[str], None] = 'x' 'y'  # type: ignore\n"
      "def upgrade() -> None: ...\n"
      "async def downgrade() -> None:\n"
      "    \"\"\"Irreversible.\"\"\"\n"
      "    # really\n"
      "    raise NotImplementedError()\n");
  EXPECT_TRUE(s.not_literal.empty());
  EXPECT_EQ(s.header.revision, "ab12");
  EXPECT_EQ(s.header.down_revisions, (Strings{"p1", "p2"}));
  EXPECT_EQ(s.header.down_revision_line, 2);
  EXPECT_EQ(s.header.branch_labels, (Strings{"core", "api"}));
  EXPECT_EQ(s.header.depends_on, Strings{"xy"});
  ASSERT_TRUE(s.upgrade && s.downgrade);
  EXPECT_TRUE(s.upgrade->empty);
  EXPECT_EQ(s.downgrade->line, 9);
  EXPECT_TRUE(s.downgrade->raises);
  EXPECT_FALSE(s.downgrade->empty);
}

TEST(AlembicRevisionScan, TuplesWithoutParenthesesAndSingleElementTuples) {
  RevisionScan s = ScanRevisionSource("revision = 'a'\ndown_revision = 'b', 'c'\n");
  EXPECT_EQ(s.header.down_revisions, (Strings{"b", "c"}));
  s = ScanRevisionSource("revision = 'a'\ndown_revision = ('b',)\nbranch_labels = ('x')\n");
  EXPECT_EQ(s.header.down_revisions, Strings{"b"});
  EXPECT_EQ(s.header.branch_labels, Strings{"x"});
  s = ScanRevisionSource("revision = 'a'; down_revision = ()\n");
  EXPECT_TRUE(s.has_down_revision);
  EXPECT_TRUE(s.header.down_revisions.empty());
}

TEST(AlembicRevisionScan, CrlfBomTabsAndLaterReassignment) {
  const RevisionScan s = ScanRevisionSource(
      "\"\"\"crlf message\r\n\r\nRevises: \r\nCreate Date: 2020-01-01\r\n\"\"\"\r\n"
      "revision = 'old'\r\nrevision = 'new'\r\ndown_revision = None\r\n"
      "def upgrade():\r\n\tpass\r\ndef downgrade():\r\n\treturn None\r\n");
  EXPECT_EQ(s.message, "crlf message");
  EXPECT_EQ(s.create_date, "2020-01-01");
  EXPECT_EQ(s.header.revision, "new");  // the last assignment wins, as in Python
  EXPECT_EQ(s.header.revision_line, 7);
  ASSERT_TRUE(s.upgrade && s.downgrade);
  EXPECT_TRUE(s.upgrade->empty);
  EXPECT_FALSE(s.downgrade->empty);
}

TEST(AlembicRevisionScan, WhatIsNotPlainLiterals) {
  const auto not_literal = [](const std::string& text) {
    const RevisionScan s = ScanRevisionSource(text);
    std::string out;
    for (const std::string& n : s.not_literal)
      out += n + "@" + std::to_string(s.not_literal_line) + " ";
    return out;
  };
  EXPECT_EQ(not_literal("revision = 'a'\ndown_revision = PREVIOUS\n"), "down_revision@2 ");
  EXPECT_EQ(not_literal("revision = f'{x}'\n"), "revision@1 ");
  EXPECT_EQ(not_literal("revision, down_revision = 'a', None\n"), "revision@1 ");
  EXPECT_EQ(not_literal("if X:\n    down_revision = 'a'\nelse:\n    down_revision = 'b'\n"),
            "down_revision@2 ");
  EXPECT_EQ(not_literal("depends_on = ['a', None]\n"), "depends_on@1 ");
  EXPECT_EQ(not_literal("branch_labels = {'a'}\n"), "branch_labels@1 ");
  // Not module-level bindings: a function's locals, keyword arguments, annotations alone.
  EXPECT_EQ(not_literal("def upgrade():\n    revision = compute()\n"
                        "op.foo(revision=x)\nrevision: str\n"),
            "");
}

TEST(AlembicRevisionScan, SyntaxErrorsLaterInTheFileDoNotMatter) {
  const RevisionScan s = ScanRevisionSource(
      "revision = 'a'\ndown_revision = None\n\ndef upgrade():\n    op.execute('x\n"
      "    if (:\n\ndef downgrade():\n    pass\n");
  EXPECT_EQ(s.header.revision, "a");
  ASSERT_TRUE(s.upgrade && s.downgrade);
  EXPECT_EQ(s.downgrade->line, 8);
  EXPECT_TRUE(s.downgrade->empty);
}

// ---- ini and config

TEST(AlembicIni, ConfigparserRules) {
  Expected<IniFile> ini = IniFile::Parse(
      "[DEFAULT]\nroot = /srv\n\n[alembic]\n# comment\n; comment\nScript_Location : %(root)s/db\n"
      "version_locations =\n    a\n\n    b\nurl = x # not a comment\npct = 100%%\n",
      "alembic.ini", {{"here", "/h"}});
  ASSERT_TRUE(ini.ok()) << ini.error().message;
  EXPECT_EQ(*ini->Get("alembic", "script_location").value(), "/srv/db");
  EXPECT_EQ(ini->LineOf("alembic", "script_location"), 7);
  EXPECT_EQ(*ini->Get("alembic", "version_locations").value(), "\na\n\nb");
  EXPECT_EQ(*ini->Get("alembic", "url").value(), "x # not a comment");
  EXPECT_EQ(*ini->Get("alembic", "pct").value(), "100%");
  EXPECT_EQ(*ini->Get("alembic", "here").value(), "/h");
  EXPECT_FALSE(ini->Get("alembic", "missing").value().has_value());

  Expected<IniFile> bad = IniFile::Parse("[alembic]\nx = %(nope)s\ny = 5%\n", "a.ini");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(bad->Get("alembic", "x").error().message,
            "a.ini:2: %(nope)s names no key in [alembic] or [DEFAULT]; write %% for a literal %, "
            "or %(name)s for another key's value");
  EXPECT_FALSE(bad->Get("alembic", "y").ok());
  EXPECT_EQ(IniFile::Parse("x = 1\n", "a.ini").error().message,
            "a.ini:1: text before the first [section] header; start the file with a section "
            "such as [alembic]");
  EXPECT_EQ(IniFile::Parse("[a]\nx = 1\nx = 2\n", "a.ini").error().message,
            "a.ini:3: x is set twice in [a] (also on line 2); keep one of them (Alembic refuses "
            "the file too)");
}

TEST(AlembicIni, VersionLocationSplitting) {
  EXPECT_EQ(SplitVersionLocations("a b,c, d", std::nullopt), (Strings{"a", "b", "c", "d"}));
  EXPECT_EQ(SplitVersionLocations("a:b::c", "os"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(SplitVersionLocations("a b:c", ":"), (Strings{"a b", "c"}));
  EXPECT_EQ(SplitVersionLocations("a;b c", ";"), (Strings{"a", "b c"}));
  EXPECT_EQ(SplitVersionLocations("a b", "space"), (Strings{"a", "b"}));
  EXPECT_EQ(SplitVersionLocations("\na\nb", "newline"), (Strings{"a", "b"}));
  EXPECT_FALSE(SplitVersionLocations("a", "comma").has_value());
  EXPECT_EQ(SplitSysPath(". src:lib,x"), (Strings{".", "src", "lib", "x"}));
}

TEST(AlembicProjectRead, IniWithLocationsAndSeparators) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("alembic.ini",
            "[alembic]\nscript_location = db\nversion_locations = %(here)s/db/versions:extra\n"
            "version_path_separator = os  # Use os.pathsep. Default configuration used for new "
            "projects.\nprepend_sys_path = . src\nrecursive_version_locations = true\n"
            "sqlalchemy.url = postgresql://u@h/d\n");
  dir.Write("db/env.py", "context.configure(url=url, version_table='v')\n");
  Expected<AlembicProject> p = ReadAlembicIni(dir.path() / "alembic.ini");
  ASSERT_TRUE(p.ok()) << p.error().message;
  const fs::path root = fs::absolute(dir.path()).lexically_normal();
  EXPECT_EQ(p->project_dir, root);
  EXPECT_EQ(p->script_location, root / "db");
  EXPECT_EQ(p->version_locations, (std::vector<fs::path>{root / "db/versions", root / "extra"}));
  EXPECT_EQ(p->prepend_sys_path, (std::vector<fs::path>{root, root / "src"}));
  EXPECT_TRUE(p->recursive_version_locations);
  EXPECT_EQ(p->sqlalchemy_url, "postgresql://u@h/d");
  EXPECT_EQ(p->version_table, "v");
  EXPECT_EQ(p->version_table_schema, "");
}

TEST(AlembicProjectRead, PackageScriptLocation) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("alembic.ini", "[alembic]\nscript_location = myapp:migrations\n");
  dir.Write("myapp/__init__.py", "");
  dir.Write("myapp/migrations/env.py", "");
  Expected<AlembicProject> p = ReadAlembicIni(dir.path() / "alembic.ini");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->script_location, fs::absolute(dir.path()).lexically_normal() / "myapp/migrations");

  dir.Write("alembic.ini", "[alembic]\nscript_location = otherpkg:migrations\n");
  EXPECT_EQ(ReadAlembicIni(dir.path() / "alembic.ini").error().message,
            (dir.path() / "alembic.ini").string() +
                ":2: script_location \"otherpkg:migrations\" names a package resource that "
                "stairway cannot find without importing Python; write the script directory as a "
                "path (%(here)s/...), or run stairway in the directory that holds the package");
}

TEST(AlembicProjectRead, EnvPyVersionTable) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/version_table");
  ASSERT_TRUE(set.alembic.has_value());
  EXPECT_EQ(set.alembic->version_table, "schema_version");
  EXPECT_EQ(set.alembic->version_table_schema, "meta");
  EXPECT_FALSE(set.alembic->sqlalchemy_url.has_value());  // the template placeholder
  // Not a literal: the default stays.
  testing::TempDir dir("stairway-alembic");
  dir.Write("env.py",
            "context.configure(version_table=settings.TABLE, version_table_schema=f'x')\n");
  dir.Write("versions/.keep", "");
  const MigrationSet other = LoadOk(dir.path());
  ASSERT_TRUE(other.alembic.has_value());
  EXPECT_EQ(other.alembic->version_table, "alembic_version");
  EXPECT_EQ(other.alembic->version_table_schema, "");
  EXPECT_TRUE(other.revisions.empty());
}

// ---- loading fixtures/alembic/<case>

TEST(AlembicLoad, PlainTemplateLinear) {
  ScopedCwd cwd(testing::SourceDir());
  const MigrationSet set = LoadOk(Fixture("plain"));
  EXPECT_EQ(set.format, Format::kAlembic);
  EXPECT_EQ(set.dir, Fixture("plain/alembic"));
  EXPECT_EQ(Versions(set), (Strings{"1975ea83b712", "27c6a30d7c24", "3b8f1e0c9d2a"}));
  EXPECT_EQ(set.Heads(), Strings{"3b8f1e0c9d2a"});
  const Revision& first = set.revisions[0];
  EXPECT_EQ(first.name, "create_users_table");
  EXPECT_TRUE(first.parents.empty());
  EXPECT_EQ(first.up.path, Fixture("plain/alembic/versions/1975ea83b712_create_users_table.py"));
  EXPECT_EQ(first.up.first_line, 19);
  EXPECT_TRUE(first.up.sql.empty());
  EXPECT_EQ(first.up.tx_mode, TxMode::kTransaction);
  ASSERT_TRUE(first.down.has_value());
  EXPECT_EQ(first.down->first_line, 27);
  EXPECT_EQ(first.checksum, MigrationChecksum(ReadAll(first.up.path)));
  ASSERT_TRUE(first.alembic.has_value());
  EXPECT_EQ(first.alembic->message, "create users table");
  EXPECT_FALSE(first.alembic->create_date.empty());
  EXPECT_FALSE(first.alembic->upgrade_empty);
  EXPECT_FALSE(first.alembic->read_by_python);
  EXPECT_EQ(set.revisions[1].parents, Strings{"1975ea83b712"});
  // A downgrade that raises: irreversible.
  EXPECT_FALSE(set.revisions[2].down.has_value());
  ASSERT_TRUE(set.alembic.has_value());
  EXPECT_EQ(set.alembic->script_location,
            fs::absolute(testing::FixturesDir() / "alembic/plain/alembic").lexically_normal());
  EXPECT_EQ(set.alembic->version_table, "alembic_version");
  EXPECT_FALSE(set.alembic->sqlalchemy_url.has_value());
}

TEST(AlembicLoad, TypedTemplate) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/typed");
  EXPECT_EQ(Versions(set), (Strings{"a1b2c3d4e5f6", "b7c8d9e0f1a2"}));
  EXPECT_EQ(set.revisions[1].parents, Strings{"a1b2c3d4e5f6"});
  EXPECT_EQ(set.revisions[1].alembic->message, "add thread title");
  EXPECT_TRUE(set.revisions[1].down.has_value());  // a docstring before the body is fine
  EXPECT_EQ(set.alembic->sqlalchemy_url, "postgresql+asyncpg://app:secret@localhost:5432/app");
  EXPECT_EQ(set.dir.filename(), "migrations");
}

TEST(AlembicLoad, MergeRevision) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/merge");
  EXPECT_EQ(Versions(set),
            (Strings{"0a1b2c3d4e5f", "1b2c3d4e5f60", "2c3d4e5f6071", "3d4e5f607182"}));
  const Revision& merge = set.revisions[3];
  EXPECT_EQ(merge.parents, (Strings{"1b2c3d4e5f60", "2c3d4e5f6071"}));
  EXPECT_TRUE(merge.alembic->upgrade_empty);
  EXPECT_TRUE(merge.alembic->downgrade_empty);
  EXPECT_TRUE(merge.down.has_value());  // empty is reversible
  EXPECT_EQ(set.Heads(), Strings{"3d4e5f607182"});
}

TEST(AlembicLoad, BranchLabelsAndDependsOn) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/labels");
  // d0e1 depends on the label "core" (revision c0a1); d1e2 on c1a2: both come after them.
  EXPECT_EQ(Versions(set),
            (Strings{"c0a1b2c3d4e5", "c1a2b3c4d5e6", "d0e1f2a3b4c5", "d1e2f3a4b5c6"}));
  const Revision* audit = set.Find("d0e1f2a3b4c5");
  ASSERT_NE(audit, nullptr);
  EXPECT_EQ(audit->alembic->branch_labels, Strings{"audit"});
  EXPECT_EQ(audit->alembic->depends_on, Strings{"c0a1b2c3d4e5"});
  EXPECT_TRUE(audit->parents.empty());
  EXPECT_EQ(set.Find("d1e2f3a4b5c6")->alembic->depends_on, Strings{"c1a2b3c4d5e6"});
  // Heads follow down_revision only, as Alembic's do.
  EXPECT_EQ(set.Heads(), (Strings{"c1a2b3c4d5e6", "d1e2f3a4b5c6"}));
}

TEST(AlembicLoad, OddRealWorldSpellings) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/odd_spellings");
  EXPECT_EQ(Versions(set), (Strings{"10aa", "20bb", "30cc", "40dd"}));
  const Revision& teams = set.revisions[0];  // BOM, CRLF, tabs, comments after values
  EXPECT_EQ(teams.alembic->message, "create teams (saved with a byte order mark and CRLF)");
  EXPECT_EQ(teams.alembic->create_date, "2023-05-01 09:00:00");
  EXPECT_EQ(teams.up.first_line, 18);
  ASSERT_TRUE(teams.down.has_value());
  EXPECT_EQ(teams.down->first_line, 22);
  const Revision& members = set.revisions[1];  // backslash continuation, one-line downgrade
  EXPECT_EQ(members.parents, Strings{"10aa"});
  EXPECT_EQ(members.alembic->branch_labels, Strings{"members"});
  EXPECT_FALSE(members.alembic->downgrade_empty);
  EXPECT_FALSE(members.alembic->upgrade_empty);
  const Revision& roles = set.revisions[2];  // a label in depends_on, one-line `pass`
  EXPECT_EQ(roles.alembic->depends_on, Strings{"20bb"});
  EXPECT_TRUE(roles.alembic->upgrade_empty);
  EXPECT_TRUE(roles.alembic->downgrade_empty);
  EXPECT_TRUE(roles.down.has_value());
  const Revision& merge = set.revisions[3];  // raises after a docstring; a local `revision`
  EXPECT_EQ(merge.parents, (Strings{"20bb", "30cc"}));
  EXPECT_FALSE(merge.down.has_value());
  EXPECT_EQ(merge.alembic->message, "merge members and roles");
  EXPECT_EQ(set.Heads(), Strings{"40dd"});
}

TEST(AlembicLoad, DependsOnOrdersTheTopologicalSort) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("env.py", "");
  // Without the dependency "0000" (a base) would go first; it depends on "ffff".
  dir.Write("versions/a.py", "revision = '0000'\ndown_revision = None\ndepends_on = 'ffff'\n");
  dir.Write("versions/b.py", "revision = 'ffff'\ndown_revision = None\n");
  const MigrationSet set = LoadOk(dir.path());
  EXPECT_EQ(Versions(set), (Strings{"ffff", "0000"}));
  EXPECT_EQ(set.Heads(), (Strings{"ffff", "0000"}));
}

TEST(AlembicLoad, PyprojectToolAlembic) {
  ScopedCwd cwd(testing::SourceDir());
  const MigrationSet set = LoadOk(Fixture("pyproject"));
  EXPECT_EQ(Versions(set), (Strings{"4f5e6d7c8b9a", "5a6b7c8d9e0f"}));
  EXPECT_EQ(set.revisions[1].up.path,
            Fixture("pyproject/db/extra_versions/5a6b7c8d9e0f_add_message_index.py"));
  ASSERT_TRUE(set.alembic.has_value());
  EXPECT_EQ(set.alembic->config_file, Fixture("pyproject/pyproject.toml"));
  EXPECT_EQ(set.alembic->version_locations.size(), 2u);
  EXPECT_EQ(set.alembic->prepend_sys_path,
            std::vector<fs::path>{fs::absolute(Fixture("pyproject")).lexically_normal()});
}

TEST(AlembicLoad, BareScriptDirectory) {
  const MigrationSet set = LoadOk(testing::FixturesDir() / "alembic/bare", Format::kAlembic);
  EXPECT_EQ(Versions(set), (Strings{"6b7c8d9e0f1a", "7c8d9e0f1a2b"}));
  EXPECT_TRUE(set.alembic->config_file.empty());
  // Given the script directory of an ini project, its alembic.ini still counts.
  const MigrationSet typed = LoadOk(testing::FixturesDir() / "alembic/typed/migrations");
  EXPECT_EQ(typed.alembic->config_file.filename(), "alembic.ini");
  EXPECT_TRUE(typed.alembic->sqlalchemy_url.has_value());
}

TEST(AlembicLoad, HeaderThatNeedsPython) {
  ScopedCwd cwd(testing::SourceDir());
  std::vector<fs::path> asked;
  const PythonHeaderReader python = [&](const fs::path& path) -> Expected<RevisionHeader> {
    asked.push_back(path);
    RevisionHeader h;
    h.revision = "0f1a2b3c4d5e";
    h.down_revisions = {"9e0f1a2b3c4d"};
    return h;
  };
  const MigrationSet set = LoadOk(Fixture("python_header"), Format::kAuto, python);
  EXPECT_EQ(asked, std::vector<fs::path>{Fixture(
                       "python_header/alembic/versions/0f1a2b3c4d5e_add_invoice_totals.py")});
  EXPECT_EQ(Versions(set), (Strings{"9e0f1a2b3c4d", "0f1a2b3c4d5e"}));
  EXPECT_TRUE(set.revisions[1].alembic->read_by_python);
  EXPECT_FALSE(set.revisions[0].alembic->read_by_python);
  // The hook's own error passes through.
  Expected<MigrationSet> failed = LoadMigrationSet(
      Fixture("python_header"), Format::kAuto, [](const fs::path& p) -> Expected<RevisionHeader> {
        return Error::Input(p.string() + ":14: NameError; fix it");
      });
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().message,
            Fixture("python_header/alembic/versions/0f1a2b3c4d5e_add_invoice_totals.py").string() +
                ":14: NameError; fix it");
}

TEST(AlembicLoad, EditorFilesInitAndRecursiveLocations) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("alembic.ini", "[alembic]\nscript_location = .\nrecursive_version_locations = true\n");
  dir.Write("env.py", "");
  dir.Write("versions/__init__.py", "");
  dir.Write("versions/.#a.py", "garbage");
  dir.Write("versions/a.py~", "garbage");
  dir.Write("versions/notes.txt", "garbage");
  dir.Write("versions/__pycache__/x.py", "garbage");
  dir.Write("versions/a.py", "\xEF\xBB\xBFrevision = 'a'\ndown_revision = None\n");
  dir.Write("versions/2024/b.py", "revision = 'b'\ndown_revision = 'a'\n");
  MigrationSet set = LoadOk(dir.path());
  EXPECT_EQ(Versions(set), (Strings{"a", "b"}));
  EXPECT_EQ(set.revisions[0].up.first_line, 1);  // no def upgrade(): the runner reports it
  EXPECT_FALSE(set.revisions[0].down.has_value());
  dir.Write("alembic.ini", "[alembic]\nscript_location = .\n");
  set = LoadOk(dir.path());
  EXPECT_EQ(Versions(set), Strings{"a"});
}

TEST(AlembicLoad, BrokenPyprojectMattersOnlyWhenItConfiguresAlembic) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("pyproject.toml", "[project\nname = 1\n");
  dir.Write("0001_a.sql", "-- migrate:up\nSELECT 1;\n");
  EXPECT_EQ(LoadOk(dir.path()).format, Format::kStairway);
  dir.Write("pyproject.toml", "[tool.alembic]\nscript_location = \n");
  const std::string message = LoadError(dir.path());
  EXPECT_TRUE(message.starts_with((dir.path() / "pyproject.toml").string() + ":2: ")) << message;
}

TEST(AlembicLoad, LegacyHexFileNameGivesTheId) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("env.py", "");
  dir.Write("versions/abc123.py", "down_revision = None\n");
  EXPECT_EQ(Versions(LoadOk(dir.path())), Strings{"abc123"});
}

TEST(AlembicLoad, ForcedFormatOnANonAlembicDirectory) {
  ScopedCwd cwd(testing::SourceDir());
  EXPECT_EQ(LoadError("fixtures/formats/goose", Format::kAlembic),
            "fixtures/formats/goose: not an Alembic project (no alembic.ini, no pyproject.toml "
            "with [tool.alembic], no env.py beside a versions/ directory); pass the directory "
            "that holds alembic.ini, or another --format");
  EXPECT_EQ(LoadError("fixtures/alembic/no-such-dir", Format::kAlembic),
            "fixtures/alembic/no-such-dir: migration directory not found; check the path or "
            "create the directory");
  // A SQL directory still loads as before under auto-detection.
  EXPECT_EQ(LoadOk("fixtures/formats/goose").format, Format::kGoose);
}

TEST(AlembicLoad, MoreGraphErrors) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("env.py", "");
  dir.Write("versions/a.py", "revision = 'a'\ndown_revision = None\nbranch_labels = ('x',)\n");
  dir.Write("versions/b.py", "revision = 'b'\ndown_revision = 'a'\nbranch_labels = 'x'\n");
  const std::string v = (dir.path() / "versions").string();
  EXPECT_EQ(LoadError(dir.path()), v + "/b.py:3: branch label x is also used by revision a (" + v +
                                       "/a.py:3); give each branch one label");
  dir.Write("versions/b.py", "revision = 'b'\ndown_revision = 'a'\nbranch_labels = 'a'\n");
  EXPECT_EQ(LoadError(dir.path()), v + "/b.py:3: branch label a is the id of revision a (" + v +
                                       "/a.py); choose another branch label");
  dir.Write("versions/b.py", "revision = 'b'\ndown_revision = 'b'\n");
  EXPECT_EQ(LoadError(dir.path()),
            v + "/b.py:2: revision b descends from itself through down_revision/depends_on (b -> "
                "b); fix the down_revision or depends_on that points back");
  dir.Write("versions/b.py", "revision = 'b'\ndown_revision = None\ndepends_on = 'c'\n");
  dir.Write("versions/c.py", "revision = 'c'\ndown_revision = None\ndepends_on = ['b']\n");
  EXPECT_EQ(LoadError(dir.path()),
            v + "/b.py:2: revision b descends from itself through down_revision/depends_on (b -> "
                "c -> b); fix the down_revision or depends_on that points back");
  dir.Write("versions/c.py", "revision = 'c'\n");
  EXPECT_EQ(LoadError(dir.path()),
            v + "/c.py:1: revision c has no module-level \"down_revision = ...\" assignment; add "
                "down_revision = None for a first revision, or the id of its parent");
}

// ---- the same graphs as Alembic's own ScriptDirectory (the system's Alembic, when installed)

// For each directory argument: "== <dir>", then per revision in id order "id parents=..
// deps=.. labels=.. doc=..", then the heads. One interpreter for all fixtures: starting Python
// and importing Alembic is the slow part.
constexpr const char* kAlembicWalk = R"PY(
import os, sys
from alembic.config import Config
from alembic.script import ScriptDirectory
for d in sys.argv[1:]:
    print("== " + os.path.basename(d))
    ini = os.path.join(d, "alembic.ini")
    if os.path.exists(ini):
        cfg = Config(ini)
        os.chdir(d)
    else:
        cfg = Config()
        cfg.set_main_option("script_location", d)
    sd = ScriptDirectory.from_config(cfg)
    for r in sorted(sd.walk_revisions(), key=lambda r: r.revision):
        print(r.revision, "parents=" + ",".join(r._versioned_down_revisions),
              "deps=" + ",".join(sorted(r._resolved_dependencies)),
              "labels=" + ",".join(sorted(r._orig_branch_labels or ())), "doc=" + r.doc)
    print("heads=" + ",".join(sorted(sd.get_heads())))
)PY";

std::string Join(Strings v, bool sort) {
  if (sort) std::sort(v.begin(), v.end());
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string OurWalk(const fs::path& dir) {
  const MigrationSet set = LoadOk(dir);
  std::vector<const Revision*> by_id;
  for (const Revision& r : set.revisions) by_id.push_back(&r);
  std::sort(by_id.begin(), by_id.end(),
            [](const Revision* a, const Revision* b) { return a->version < b->version; });
  std::string out = "== " + dir.filename().string() + "\n";
  for (const Revision* r : by_id) {
    out += fmt::format("{} parents={} deps={} labels={} doc={}\n", r->version,
                       Join(r->parents, false), Join(r->alembic->depends_on, true),
                       Join(r->alembic->branch_labels, true), r->alembic->message);
  }
  return out + "heads=" + Join(set.Heads(), true) + "\n";
}

// The fixtures Alembic 1.8 reads (pyproject.toml's [tool.alembic] needs 1.16).
TEST(AlembicAgrees, WithScriptDirectoryOnTheFixtures) {
  std::vector<std::string> argv = {"/usr/bin/python3", "-c", kAlembicWalk};
  std::string ours;
  for (const char* name :
       {"plain", "typed", "merge", "labels", "bare", "version_table", "odd_spellings"}) {
    const fs::path dir = fs::absolute(testing::FixturesDir() / "alembic" / name);
    argv.push_back(dir.string());
    ours += OurWalk(dir);
  }
  const testing::ProcessResult alembic = testing::RunProcess(argv);
  if (alembic.exit_code != 0 &&
      alembic.err.find("No module named 'alembic'") != std::string::npos) {
    GTEST_SKIP() << "/usr/bin/python3 cannot import alembic";
  }
  ASSERT_EQ(alembic.exit_code, 0) << alembic.err;
  EXPECT_EQ(ours, alembic.out);
}

// ---- fixtures/alembic/bad/<case>/expected_error.txt

std::vector<std::string> BadCases() {
  std::vector<std::string> cases;
  for (const auto& entry : fs::directory_iterator(testing::FixturesDir() / "alembic/bad")) {
    if (entry.is_directory()) cases.push_back(entry.path().filename().string());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

class AlembicBadFixture : public ::testing::TestWithParam<std::string> {};

TEST_P(AlembicBadFixture, GivesExpectedError) {
  ScopedCwd cwd(testing::SourceDir());
  const fs::path fixture = Fixture("bad") / GetParam();
  const std::string expected = TrimEnd(ReadAll(fixture / "expected_error.txt"));
  ASSERT_FALSE(expected.empty()) << fixture << " lacks expected_error.txt";
  for (Format format : {Format::kAuto, Format::kAlembic}) {
    EXPECT_EQ(LoadError(fixture, format), expected);
  }
}

INSTANTIATE_TEST_SUITE_P(Bad, AlembicBadFixture, ::testing::ValuesIn(BadCases()),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

// `# stairway:data-change <reason>` in a revision file: the revision's data change is intended.
TEST(AlembicLoad, DataChangeComment) {
  testing::TempDir dir("stairway-alembic");
  dir.Write("env.py", "");
  const std::string header =
      "\"\"\"upper-case names\"\"\"\nfrom alembic import op\n\nrevision = 'ab12'\n"
      "down_revision = None\nbranch_labels = None\ndepends_on = None\n\n\ndef upgrade():\n";
  dir.Write(
      "versions/ab12_upper.py",
      header +
          "    # stairway:data-change names are upper-case now\n"
          "    op.execute(\"UPDATE users SET name = upper(name)  # stairway:data-change no\")\n"
          "\n\ndef downgrade():\n    pass\n");
  const MigrationSet set = LoadOk(dir.path());
  ASSERT_EQ(set.revisions.size(), 1u);
  EXPECT_EQ(set.revisions[0].data_change, "names are upper-case now");

  dir.Write("versions/ab12_upper.py",
            header +
                "    op.execute('SELECT 1')  # stairway:data-change\n\n\ndef downgrade():\n"
                "    pass\n");
  EXPECT_EQ(LoadError(dir.path()),
            (dir.path() / "versions/ab12_upper.py").string() +
                ":11: \"# stairway:data-change\" without a reason; say why the data changes on "
                "purpose, e.g. \"# stairway:data-change backfill upper-case names\"");
}

}  // namespace
}  // namespace stairway::source::alembic

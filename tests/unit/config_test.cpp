// cli/config.h: the one stairway.toml lookup (--config, ./stairway.toml, then from the migrations
// upwards to the git root) and the typed sections, with file:line on every bad key.
#include "cli/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "runner/common/error.h"
#include "tests/support/temp_dir.h"
#include "verifier/lint/registry.h"

namespace stairway::cli {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

// Runs the test body in `dir` (the lookup reads ./stairway.toml) and goes back after.
class InDir {
 public:
  explicit InDir(const fs::path& dir) : old_(fs::current_path()) { fs::current_path(dir); }
  ~InDir() { fs::current_path(old_); }

 private:
  fs::path old_;
};

// The message of the StopError `f` throws; "" when it does not throw.
template <typename F>
std::string ErrorOf(F f) {
  try {
    f();
  } catch (const StopError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, ReadsTheLintTable) {
  TempDir dir("stairway-config");
  dir.Write("stairway.toml",
            "[lint]\npg_version = 11\nenable = [\"style\"]\ndisable = [\"drop-table\"]\n"
            "[lint.severity]\ndrop-column = \"error\"\n");
  const Config c = ReadConfig(dir.path() / "stairway.toml");
  EXPECT_EQ(c.lint.pg_version, 11);
  EXPECT_TRUE(c.lint.IsEnabled(*lint::FindRule("prefer-text-field")));
  EXPECT_FALSE(c.lint.IsEnabled(*lint::FindRule("drop-table")));
  EXPECT_EQ(c.lint.SeverityOf(*lint::FindRule("drop-column")), Severity::kError);
}

TEST(Config, BadKeysNameFileAndLine) {
  TempDir dir("stairway-config");
  const auto message = [&](const std::string& name, const std::string& text) {
    dir.Write(name, text);
    return ErrorOf([&] { ReadConfig(dir.path() / name); });
  };
  const std::string p = dir.path().string() + "/";
  EXPECT_EQ(message("a.toml", "[lint]\ndisable = [\"drop-tabel\"]\n"),
            p + "a.toml:2: unknown lint rule 'drop-tabel'; run `stairway rules` to list them");
  EXPECT_EQ(message("b.toml", "# verify\n[verify]\nmodel = \"m.sql\"\nmodle = \"x\"\n"),
            p + "b.toml:4: unknown key 'modle' in [verify]; known keys: model, fixtures, setup, "
                "data_change");
  EXPECT_EQ(message("c.toml", "[verify]\nmodel = 3\n"),
            p + "c.toml:2: [verify] model must be a string (a path relative to this file)");
  EXPECT_EQ(message("d.toml", "[lnt]\nenable = []\n"),
            p + "d.toml:1: unknown table 'lnt' in stairway.toml; it has the tables [lint], "
                "[verify] and [alembic] (docs/configuration.md)");
  EXPECT_EQ(message("e.toml", "[alembic]\npython = 3\n"),
            p + "e.toml:2: [alembic] python must be a string (a path relative to this file, or "
                "a name on PATH)");
  EXPECT_EQ(message("f.toml", "[alembic]\npyhton = \"x\"\n"),
            p + "f.toml:2: unknown key 'pyhton' in [alembic]; known keys: project, python");
  const std::string syntax = message("g.toml", "[verify]\nmodel = \n");
  EXPECT_TRUE(syntax.starts_with(p + "g.toml:2: ")) << syntax;
  EXPECT_TRUE(syntax.ends_with("; fix the TOML syntax")) << syntax;
}

TEST(Config, PathsCountFromTheFile) {
  TempDir dir("stairway-config");
  dir.Write("sub/stairway.toml",
            "[verify]\nmodel = \"db/model.sql\"\nfixtures = \"fx\"\n"
            "[alembic]\nproject = \"backend\"\npython = \".venv/bin/python\"\n");
  const fs::path file = dir.path() / "sub/stairway.toml";
  const Config c = ReadConfig(file);
  EXPECT_EQ(c.file, file);
  EXPECT_EQ(c.verify.model, dir.path() / "sub/db/model.sql");
  EXPECT_EQ(c.verify.fixtures, dir.path() / "sub/fx");
  EXPECT_EQ(c.alembic.project, dir.path() / "sub/backend");
  EXPECT_EQ(c.alembic.python, (dir.path() / "sub/.venv/bin/python").string());
  dir.Write("bare.toml", "[alembic]\npython = \"python3.11\"\n");
  EXPECT_EQ(ReadConfig(dir.path() / "bare.toml").alembic.python, "python3.11");  // on PATH
  EXPECT_FALSE(ReadConfig(std::nullopt).file.has_value());
}

TEST(Config, LookupOrder) {
  TempDir dir("stairway-config");
  // repo/ is a git root with a stairway.toml; above it another one that must never be read.
  dir.Write("stairway.toml", "[verify]\n");
  dir.Write("repo/.git/HEAD", "ref: refs/heads/main\n");
  dir.Write("repo/stairway.toml", "[verify]\n");
  dir.Write("repo/db/migrations/0001_a.sql", "-- migrate:up\n");
  dir.Write("repo/backend/alembic.ini", "[alembic]\n");
  dir.Write("repo/backend/stairway.toml", "[lint]\n");
  dir.Write("repo/explicit.toml", "[lint]\n");
  dir.Write("elsewhere/keep", "");
  dir.Write("norepo/.git/HEAD", "");
  dir.Write("norepo/migrations/0001_a.sql", "");
  const fs::path repo = fs::canonical(dir.path() / "repo");
  {
    InDir here(dir.path() / "elsewhere");  // no ./stairway.toml here
    // From the migration directory's parent upwards.
    EXPECT_EQ(FindConfig("", repo / "db/migrations"), repo / "stairway.toml");
    // An Alembic project keeps its stairway.toml beside alembic.ini.
    EXPECT_EQ(FindConfig("", repo / "backend"), repo / "backend/stairway.toml");
    // Never above the git root.
    EXPECT_EQ(FindConfig("", dir.path() / "norepo/migrations"), std::nullopt);
    // Without migrations: only --config and ./stairway.toml.
    EXPECT_EQ(FindConfig("", std::nullopt), std::nullopt);
    // --config wins, and must exist.
    EXPECT_EQ(FindConfig((repo / "explicit.toml").string(), repo / "db/migrations"),
              repo / "explicit.toml");
    EXPECT_EQ(ErrorOf([] { FindConfig("missing.toml", std::nullopt); }),
              "missing.toml: no such configuration file; fix --config or leave it out");
  }
  {
    InDir here(repo / "backend");  // ./stairway.toml before the walk
    EXPECT_EQ(FindConfig("", repo / "db/migrations"), fs::path("stairway.toml"));
  }
}

}  // namespace
}  // namespace stairway::cli

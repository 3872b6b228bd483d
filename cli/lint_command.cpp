// `stairway lint`: static checks of migration SQL (no database needed).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/alembic_support.h"
#include "cli/command.h"
#include "cli/config.h"
#include "cli/report_flags.h"
#include "runner/common/error.h"
#include "runner/common/file.h"
#include "runner/common/git.h"
#include "runner/source/migration.h"
#include "verifier/lint/alembic_lint.h"
#include "verifier/lint/config.h"
#include "verifier/lint/linter.h"
#include "verifier/lint/registry.h"
#include "verifier/report/report.h"

namespace stairway::cli {
namespace {

namespace fs = std::filesystem;

struct LintFlags {
  std::vector<std::string> paths;
  ReportFlags report_flags;
  std::vector<std::string> enable;
  std::vector<std::string> disable;
  std::optional<int> pg_version;
  std::string fail_level = "warning";
  std::string explain;
  std::string changed_since;
  std::string stdin_filename;
  std::string config;  // --config; empty: looked up (cli/config.h)
  std::string format = "auto";
  bool assume_in_transaction = false;
  std::string python;  // Alembic projects: the project's interpreter
};

// Reads the whole stream in blocks (a char-by-char istreambuf_iterator costs more than
// linting a big file does).
std::string ReadAll(std::istream& in) {
  std::ostringstream out;
  out << in.rdbuf();
  return std::move(out).str();
}

// Files changed since `ref` (committed, staged, unstaged, or untracked), canonical paths.
std::set<fs::path> ChangedFiles(const std::string& ref) {
  return git::ChangedFiles(fs::path(), ref, "--changed-since").ValueOrThrow();
}

lint::LintGroup LooseFile(const std::string& display, std::string sql) {
  lint::LintGroup g;
  lint::LintUnit u;
  u.path = display;
  u.sql = std::move(sql);
  u.role = lint::LintUnit::Role::kFile;
  g.units.push_back(std::move(u));
  return g;
}

// The directory holding alembic.ini at or above a file's directory.
std::optional<fs::path> AlembicProjectAbove(const fs::path& file) {
  std::error_code ec;
  for (fs::path dir = fs::weakly_canonical(file).parent_path(); !dir.empty();
       dir = dir.parent_path()) {
    if (fs::is_regular_file(dir / "alembic.ini", ec)) return dir;
    if (dir == dir.root_path()) break;
  }
  return std::nullopt;
}

// An Alembic project rendered by its own Alembic, in its Python; a file that cannot be imported
// stops the run (exit 2) at its line.
lint::AlembicLintInput AlembicInput(const source::MigrationSet& set, const SourceOptions& source) {
  std::unique_ptr<applier::AlembicSteps> helper = StartAlembic(set, source);
  PreloadAlembic(*helper, set);
  return lint::AlembicLintOffline(helper->helper(), set);
}

// .sql files given one by one (a pre-commit hook passes the changed files). A file that is a
// revision of the migration set in its directory is linted with that set, as linting the
// directory would (its markers, transaction mode and the tables earlier revisions create),
// and only the given files are reported. A directory that does not load is a folder of SQL
// scripts, whose files are linted on their own, unless a given file is named like a migration:
// then the load error (a missing marker, a duplicate version) is the answer, exit 2.
void AddSqlFiles(const std::vector<std::string>& files, source::Format format,
                 std::vector<lint::LintGroup>& groups) {
  std::map<fs::path, std::map<fs::path, std::string>> by_dir;  // dir -> canonical -> as given
  for (const std::string& p : files) {
    const fs::path dir = fs::path(p).parent_path();
    by_dir[dir.empty() ? fs::path(".") : dir][fs::weakly_canonical(p)] = p;
  }
  for (auto& [dir, given] : by_dir) {
    Expected<source::MigrationSet> set = source::LoadMigrationSet(dir, format);
    if (!set.ok()) {
      for (const auto& [canonical, p] : given) {
        if (source::IsMigrationFileName(canonical.filename().string())) {
          throw StopError(std::move(set).error());
        }
      }
    }
    if (set.ok() && !set->alembic) {
      lint::LintGroup group = lint::GroupFromMigrationSet(*set);
      std::set<fs::path> found;
      for (lint::LintUnit& u : group.units) {
        const auto it = given.find(fs::weakly_canonical(u.path));
        u.report = it != given.end();
        if (!u.report) continue;
        u.path = it->second;
        found.insert(it->first);
      }
      for (auto it = given.begin(); it != given.end();) {
        it = found.count(it->first) > 0 ? given.erase(it) : std::next(it);
      }
      if (!found.empty()) groups.push_back(std::move(group));
    }
    for (const auto& [canonical, p] : given) {
      groups.push_back(LooseFile(p, ReadInputFile(p).ValueOrThrow()));
    }
  }
}

// `not_linted`: Alembic sections that cannot be rendered without a database.
std::vector<lint::LintGroup> CollectInputs(const LintFlags& f,
                                           std::vector<report::Step>& not_linted) {
  std::vector<lint::LintGroup> groups;
  std::vector<std::string> paths = f.paths;
  if (paths.empty()) {
    if (!fs::is_directory("migrations") && !AlembicProjectHere() && !ConfiguredAlembicProject()) {
      throw StopError(
          Error::Input("no input: pass migration directories, .sql files or - (stdin); "
                       "./migrations does not exist"));
    }
    paths.push_back("migrations");
  }
  const auto format = source::ParseFormat(f.format);
  if (!format) {
    throw StopError(Error::Input(fmt::format(
        "unknown --format '{}'; use auto, stairway, dbmate, golang-migrate, flyway, goose or "
        "sqitch",
        f.format)));
  }
  std::optional<std::size_t> stdin_group;  // index in groups
  // Alembic revision files given one by one, by project directory.
  std::map<fs::path, std::set<fs::path>> revision_files;
  std::vector<std::string> sql_files;  // .sql files given one by one
  for (const std::string& p : paths) {
    if (p == "-") {
      if (stdin_group) throw StopError(Error::Input("'-' (stdin) given twice"));
      stdin_group = groups.size();
      // Reports need a path: annotations with file=- point nowhere on GitHub.
      groups.push_back(
          LooseFile(f.stdin_filename.empty() ? "-" : f.stdin_filename, ReadAll(std::cin)));
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(p, ec) || (p == "migrations" && f.paths.empty())) {
      const SourceOptions source{p, f.format, f.python, f.config};
      source::MigrationSet set = LoadSet(source);
      if (IsAlembic(set)) {
        lint::AlembicLintInput input = AlembicInput(set, source);
        groups.push_back(std::move(input.group));
        for (report::Step& step : input.not_linted) not_linted.push_back(std::move(step));
        continue;
      }
      groups.push_back(lint::GroupFromMigrationSet(set));
    } else if (fs::path(p).extension() == ".py" && fs::is_regular_file(p, ec)) {
      // A revision file (a pre-commit hook passes the changed files): its project is linted
      // for context, only the file reported.
      std::optional<fs::path> project = AlembicProjectAbove(p);
      if (!project) {
        throw StopError(Error::Input(fmt::format(
            "{}: a Python file outside an Alembic project (no alembic.ini in its directory or "
            "above); stairway lint reads .sql files, migration directories and Alembic projects",
            p)));
      }
      revision_files[*project].insert(fs::weakly_canonical(p));
    } else if (fs::path(p).extension() == ".sql" && fs::is_regular_file(p, ec)) {
      // Decided below: a revision of the migration set in its directory, or a loose file.
      sql_files.push_back(p);
    } else if (fs::exists(fs::symlink_status(p, ec))) {
      // Regular files only (a FIFO or /dev/zero is refused at once), within the size limit.
      groups.push_back(LooseFile(p, ReadInputFile(p).ValueOrThrow()));
    } else {
      throw StopError(Error::Input(fmt::format(
          "{}: no such file or directory; pass migration directories, .sql files or -", p)));
    }
  }
  for (const auto& [project, files] : revision_files) {
    const SourceOptions source{fs::relative(project).lexically_normal().string(), f.format,
                               f.python, f.config};
    const source::MigrationSet set = LoadSet(source);
    lint::AlembicLintInput input = AlembicInput(set, source);
    std::set<fs::path> found;
    for (lint::LintUnit& u : input.group.units) {
      u.report = files.count(fs::weakly_canonical(u.path)) > 0;
      if (u.report) found.insert(fs::weakly_canonical(u.path));
    }
    for (report::Step& step : input.not_linted) {
      if (files.count(fs::weakly_canonical(step.path)) == 0) continue;
      found.insert(fs::weakly_canonical(step.path));
      not_linted.push_back(std::move(step));
    }
    for (const fs::path& file : files) {
      if (found.count(file) == 0) {
        throw StopError(Error::Input(fmt::format(
            "{}: not a revision of the Alembic project in {} (not in its version locations); "
            "pass the project directory to lint all of it",
            fs::relative(file).string(), source.dir)));
      }
    }
    groups.push_back(std::move(input.group));
  }
  AddSqlFiles(sql_files, *format, groups);
  if (!f.changed_since.empty()) {
    const std::set<fs::path> changed = ChangedFiles(f.changed_since);
    for (std::size_t i = 0; i < groups.size(); ++i) {
      if (i == stdin_group) continue;  // stdin is always linted
      for (lint::LintUnit& u : groups[i].units) {
        u.report = changed.count(fs::weakly_canonical(u.path)) > 0;
      }
    }
  }
  return groups;
}

// Where the stairway.toml lookup starts (cli/config.h): the folder of the first path given, else
// ./migrations.
std::optional<fs::path> ConfigSearchFrom(const LintFlags& f) {
  std::error_code ec;
  for (const std::string& p : f.paths) {
    if (p == "-") continue;
    if (fs::is_directory(p, ec)) return fs::path(p);
    const fs::path parent = fs::path(p).parent_path();
    return parent.empty() ? fs::path(".") : parent;
  }
  return fs::path("migrations");
}

int Run(const LintFlags& f, const GlobalOptions& global) {
  // Parsing a big file allocates and frees the same large buffers over and over (libpg_query's
  // JSON, per chunk): keep them in the heap instead of handing them back to the kernel and
  // faulting fresh pages in for the next chunk.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  if (!f.explain.empty()) {
    const lint::Rule* r = lint::FindRule(f.explain);
    if (r == nullptr) {
      throw StopError(Error::Input(fmt::format(
          "unknown lint rule '{}'; run `stairway rules` to list the rule ids", f.explain)));
    }
    fmt::print("{}", lint::RuleDoc(*r));
    return 0;
  }
  lint::LintOptions options = LoadConfig(f.config, ConfigSearchFrom(f)).lint;
  if (f.pg_version) options.pg_version = *f.pg_version;
  options.enable.insert(options.enable.end(), f.enable.begin(), f.enable.end());
  options.disable.insert(options.disable.end(), f.disable.begin(), f.disable.end());
  // A rule named by --enable wins over a disable from the config file.
  for (const std::string& id : f.enable) std::erase(options.disable, id);
  options.assume_in_transaction = options.assume_in_transaction || f.assume_in_transaction;
  lint::ValidateOptions(options).ThrowIfError();

  const std::vector<ReportOutput> outputs = f.report_flags.Resolve();
  const std::optional<Severity> fail = ParseFailLevel(f.fail_level);

  // The parse trees are left to the process exit, never freed: on a big file freeing them
  // node by node costs a quarter of what the rules do.
  auto* scratch = new lint::LintScratch();  // NOLINT: deliberately leaked
  std::vector<report::Step> not_linted;
  const std::vector<lint::LintGroup> groups = CollectInputs(f, not_linted);
  report::Report rep = lint::Lint(groups, options, scratch).ValueOrThrow();
  for (report::Step& step : not_linted) rep.steps.push_back(std::move(step));
  WriteReports(rep, outputs, global.no_color);
  return fail && rep.Count(*fail) > 0 ? static_cast<int>(ExitCode::kFindings) : 0;
}

}  // namespace

RunFn SetupLint(CLI::App& sub, GlobalOptions& global) {
  auto f = std::make_shared<LintFlags>();
  sub.add_option("paths", f->paths,
                 "Migration directories, .sql files, or - for stdin (default: migrations)");
  f->report_flags.Add(
      sub, "Output format, repeatable: text, json, sarif, github, junit, markdown, codequality");
  sub.add_option("--fail-level", f->fail_level,
                 "Exit 1 on findings at or above: error, warning (default), info, none");
  sub.add_option("--pg-version", f->pg_version, "Target PostgreSQL major version (default 15)");
  sub.add_option("--enable", f->enable,
                 "Switch a rule on (repeatable; 'style' for the style profile, 'all')")
      ->allow_extra_args(false);
  sub.add_option("--disable", f->disable, "Switch a rule off (repeatable)")
      ->allow_extra_args(false);
  sub.add_option("--explain", f->explain, "Print the documentation of a rule and exit");
  sub.add_option("--changed-since,--base", f->changed_since,
                 "Only report files changed since this git ref (--base: the same)");
  sub.add_option("--config", f->config,
                 "stairway.toml to read (default: see docs/configuration.md)");
  sub.add_option("--format", f->format, "Migration format of directories (default auto)");
  sub.add_option("--stdin-filename", f->stdin_filename,
                 "Path to report for SQL read from stdin (-), e.g. the file it came from");
  sub.add_flag("--assume-in-transaction", f->assume_in_transaction,
               "Treat loose .sql files as run inside one transaction");
  sub.add_option("--python", f->python,
                 "Alembic projects: the project's Python (else STAIRWAY_PYTHON, [alembic] python, "
                 "$VIRTUAL_ENV, .venv/venv, python3)");
  sub.footer(
      "Findings read path:line:col: severity: message [rule], the source line, a caret and a\n"
      "help line with the safe alternative. Suppress one statement with\n"
      "  -- stairway:ignore rule-id[, rule-id] reason\n"
      "or a whole file with -- stairway:ignore-file rule-id.\n"
      "\n"
      "Alembic projects (alembic.ini here, a directory holding one, or revision .py files)\n"
      "are rendered offline by the project's own Alembic, and each finding points at the op.*\n"
      "call in the .py file; suppress with a `# stairway:ignore rule-id reason` comment on the\n"
      "call's line or the line above. Revisions that cannot be rendered without a database\n"
      "are named, and `stairway verify` lints what they execute.\n"
      "\n"
      "Examples:\n"
      "  stairway lint migrations\n"
      "  stairway lint backend/alembic/versions/3f1c9a2b7d10_create_users.py\n"
      "  stairway lint --report sarif -o lint.sarif --report text migrations\n"
      "  git diff --name-only | stairway lint --changed-since origin/main migrations\n"
      "  stairway lint --explain set-not-null-scan");
  return [f, &global] { return Run(*f, global); };
}

}  // namespace stairway::cli

// Alembic in the CLI; see alembic_support.h.
#include "cli/alembic_support.h"

#include <fmt/format.h>

#include <cstdlib>

#include "cli/config.h"
#include "runner/planner/alembic_plan.h"
#include "runner/source/alembic/project.h"

namespace stairway::cli {

namespace {

std::string Plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

bool IsHead(const source::MigrationSet& set, const std::string& version) {
  for (const std::string& head : set.Heads()) {
    if (head == version) return true;
  }
  return false;
}

}  // namespace

UrlLookup LookupFor(const source::MigrationSet& set) {
  UrlLookup lookup;
  if (!set.alembic) return lookup;
  lookup.project_dir = set.alembic->project_dir;
  lookup.ini_url = set.alembic->sqlalchemy_url;
  if (!set.alembic->config_file.empty()) lookup.ini_path = set.alembic->config_file.string();
  return lookup;
}

source::alembic::PythonHeaderReader HeaderReaderFor(const std::filesystem::path& dir,
                                                    const SourceOptions& source) {
  auto helper = std::make_shared<std::optional<source::alembic::PythonHelper>>();
  return [dir, source,
          helper](const std::filesystem::path& file) -> Expected<source::alembic::RevisionHeader> {
    if (!*helper) {
      ASSIGN_OR_RETURN(std::optional<source::AlembicProject> project,
                       source::alembic::DetectAlembicProject(dir));
      source::alembic::PythonChoice choice;
      if (!source.python.empty()) choice.flag = source.python;
      choice.search_from = project ? project->project_dir : dir;
      ASSIGN_OR_RETURN(
          source::alembic::PythonHelper started,
          source::alembic::PythonHelper::Start(project.value_or(source::AlembicProject{}), choice));
      helper->emplace(std::move(started));
    }
    source::alembic::HelperError error;
    const std::optional<source::alembic::PythonHelper::Header> header =
        (**helper).ReadHeader(file, &error);
    if (!header) {
      const source::alembic::Frame* frame = error.FrameIn(file);
      return Error::Input(fmt::format(
          "{}:{}: the revision header is not plain literals, and running the file to read it "
          "failed: {}; fix the file (its revision, down_revision, branch_labels and depends_on "
          "must be computable when it is imported)",
          file.string(), frame ? frame->line : 1, error.message));
    }
    source::alembic::RevisionHeader out;
    out.revision = header->revision;
    out.down_revisions = header->down_revision;
    out.branch_labels = header->branch_labels;
    out.depends_on = header->depends_on;
    return out;
  };
}

std::optional<std::filesystem::path> ConfiguredAlembicProject(const std::string& config_flag) {
  return LoadConfig(config_flag, std::nullopt).alembic.project;
}

std::unique_ptr<applier::AlembicSteps> StartAlembic(const source::MigrationSet& set,
                                                    const SourceOptions& source) {
  source::alembic::PythonChoice choice;
  if (!source.python.empty()) choice.flag = source.python;
  choice.config =
      LoadConfig(source.config, set.alembic ? set.alembic->project_dir : set.dir).alembic.python;
  choice.search_from = set.alembic ? set.alembic->project_dir : set.dir;
  source::alembic::PythonHelper helper =
      source::alembic::PythonHelper::Start(set.alembic.value_or(source::AlembicProject{}), choice)
          .ValueOrThrow();
  return std::make_unique<applier::AlembicSteps>(std::move(helper));
}

void ConnectAlembic(applier::AlembicSteps& steps, const std::string& url,
                    const applier::Options& options) {
  std::map<std::string, std::string> settings;
  if (options.lock_timeout) settings["lock_timeout"] = *options.lock_timeout;
  if (options.statement_timeout) settings["statement_timeout"] = *options.statement_timeout;
  const char* driver = std::getenv("STAIRWAY_ALEMBIC_DRIVER");
  steps.helper().Connect(url, driver != nullptr ? driver : "", settings).ThrowIfError();
}

void PreloadAlembic(applier::AlembicSteps& steps, const std::vector<applier::PreparedStep>& plan) {
  std::vector<std::filesystem::path> files;
  for (const applier::PreparedStep& s : plan) files.push_back(s.step.section().path);
  applier::PreloadRevisions(steps.helper(), files).ThrowIfError();
}

void PreloadAlembic(applier::AlembicSteps& steps, const source::MigrationSet& set) {
  std::vector<std::filesystem::path> files;
  for (const source::Revision& rev : set.revisions) files.push_back(rev.up.path);
  applier::PreloadRevisions(steps.helper(), files).ThrowIfError();
}

std::string VersionRowsText(const source::MigrationSet& set, const std::vector<std::string>& rows,
                            bool verbose) {
  std::string out;
  for (const std::string& row : rows) {
    const source::Revision* rev = set.Find(row);
    std::string labels;
    if (rev != nullptr && rev->alembic) {
      for (const std::string& label : rev->alembic->branch_labels) labels += " (" + label + ")";
    }
    out += fmt::format("{}{}{}", row, labels, IsHead(set, row) ? " (head)" : "");
    if (verbose && rev != nullptr) {
      out += fmt::format("\n  Path: {}\n  {}", rev->up.path.string(),
                         rev->alembic ? rev->alembic->message : rev->name);
    }
    out += '\n';
  }
  return out;
}

std::string AppliedHeadsText(const source::MigrationSet& set, const planner::AppliedSet& applied) {
  const std::vector<std::string> rows = planner::VersionRows(set, applied);
  if (rows.empty()) return "base";
  std::string out;
  for (const std::string& r : rows) out += (out.empty() ? "" : ", ") + r;
  return out;
}

int RunAlembicMigrate(const GlobalOptions& global, const source::MigrationSet& set,
                      const SourceOptions& source, const applier::Options& options,
                      const std::string& target, planner::Direction direction) {
  const bool up = direction == planner::Direction::kUp;
  // Targets that name revisions are checked before anything starts: a typo costs nothing.
  if (target != "head" && target != "heads" && target != "base" && !target.starts_with('+') &&
      !target.starts_with('-') && target.find('@') == std::string::npos) {
    planner::ResolveRevision(set, target).ValueOrThrow();
  }
  std::unique_ptr<applier::AlembicSteps> code = StartAlembic(set, source);
  const std::string url = ResolveDatabaseUrl(global, LookupFor(set));
  db::Session session = ConnectToUserDatabase(url);
  ConsoleObserver observer(history::Table(options.history_schema).DisplayName());
  applier::Runner runner(session, options, &observer);
  runner.UseAlembic(set, code.get());
  runner.ReadHistory();  // refuses a history table of an unknown format
  const planner::AppliedSet applied = runner.AlembicApplied();
  const planner::Plan plan = (up ? planner::PlanUpgrade(set, applied, target)
                                 : planner::PlanDowngrade(set, applied, target))
                                 .ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  const std::string at = AppliedHeadsText(set, applied);
  if (steps.empty()) {
    fmt::print("Nothing to do: {} is at {}.\n", session.masked_url(), at);
    return 0;
  }
  PreloadAlembic(*code, steps);
  ConnectAlembic(*code, session.url_with_password(), options);
  runner.EnsureHistory();
  // The plan's target label is where the database will be: the version rows, or "base".
  fmt::print("{} {} ({}, Python {} with Alembic {}, SQLAlchemy {}, {}): {}, {} -> {}\n",
             up ? "Upgrading" : "Downgrading", session.masked_url(), runner.table().DisplayName(),
             code->helper().info().python, code->helper().info().alembic,
             code->helper().info().sqlalchemy, code->helper().driver(),
             Plural(steps.size(), "revision"), at, plan.target_label);
  std::chrono::milliseconds total{0};
  try {
    for (const applier::PreparedStep& step : steps) total += runner.RunStep(step);
  } catch (const StopError&) {
    observer.StepFailed();
    throw;
  }
  fmt::print("Done: {} {} in {}; now at {}.\n", Plural(steps.size(), "revision"),
             up ? "applied" : "undone", FormatMs(total), plan.target_label);
  return 0;
}

int RunAlembicOffline(const source::MigrationSet& set, const SourceOptions& source,
                      const applier::Options& options, const std::string& target,
                      const std::string& from, planner::Direction direction) {
  const bool up = direction == planner::Direction::kUp;
  // Where the database is assumed to stand: --from (revisions, comma separated), else base for
  // upgrade and every head for downgrade.
  std::vector<std::string> from_rows;
  if (!from.empty() && from != "base") {
    std::string_view rest = from;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string part(rest.substr(0, comma));
      from_rows.push_back(planner::ResolveRevision(set, part).ValueOrThrow()->version);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  } else if (from.empty() && !up) {
    from_rows = set.Heads();
  }
  const planner::AppliedSet applied =
      planner::AppliedFromVersionRows(set, from_rows).ValueOrThrow();
  const planner::Plan plan = (up ? planner::PlanUpgrade(set, applied, target)
                                 : planner::PlanDowngrade(set, applied, target))
                                 .ValueOrThrow();
  std::unique_ptr<applier::AlembicSteps> code = StartAlembic(set, source);
  const history::AlembicVersionTable version_table(set.alembic.value_or(source::AlembicProject{}));
  const history::Table table(options.history_schema);
  const std::string applied_by = history::AppliedByExpr("");
  std::string out = fmt::format(
      "-- stairway {} {} --sql: {} -> {} ({}, alembic format; rendered offline by Alembic {} "
      "with SQLAlchemy {}, Python {})\n",
      up ? "upgrade" : "downgrade", target, AppliedHeadsText(set, applied), plan.target_label,
      Plural(plan.steps.size(), "revision"), code->helper().info().alembic,
      code->helper().info().sqlalchemy, code->helper().info().python);
  out += "-- Generated by stairway without connecting. Run with: psql -v ON_ERROR_STOP=1 -f FILE\n";
  planner::AppliedSet after = applied;
  std::vector<std::string> not_rendered;
  if (!plan.steps.empty() && up) {
    out += "\n-- history table and Alembic's version table (created on first upgrade)\n";
    for (const std::string& sql : table.CreateSql()) out += sql + ";\n";
    std::string create = version_table.CreateSql();
    const std::string prefix = "CREATE TABLE ";
    if (create.starts_with(prefix)) create.insert(prefix.size(), "IF NOT EXISTS ");
    out += create + ";\n";
  }
  for (const planner::Step& step : plan.steps) {
    const source::Revision& rev = *step.revision;
    const source::Section& section = step.section();
    if (up) {
      after.insert(rev.version);
    } else {
      after.erase(rev.version);
    }
    out += fmt::format("\n-- {} {} ({}:{})\n", up ? "up" : "down", rev.Label(),
                       section.path.string(), section.first_line);
    source::alembic::HelperError error;
    const std::optional<std::string> sql = code->helper().Render(section.path, up, &error);
    if (!sql) {
      const source::alembic::Frame* frame = error.FrameIn(section.path);
      const std::string where =
          frame ? fmt::format("{}:{}", frame->file, frame->line) : section.path.string();
      std::string why = error.message;
      if (const std::size_t nl = why.rfind('\n', why.size() > 1 ? why.size() - 2 : 0);
          nl != std::string::npos) {
        why = why.substr(nl + 1);
      }
      out += fmt::format(
          "-- NOT RENDERED: {} cannot be rendered without a database ({}: {}).\n"
          "-- Run it online (`stairway upgrade`), or render it by hand.\n",
          rev.Label(), where, why);
      not_rendered.push_back(fmt::format("{} ({}: {})", rev.Label(), where, why));
      continue;
    }
    out += "BEGIN;\n";
    if (options.lock_timeout) {
      out += fmt::format("SET LOCAL lock_timeout = {};\n", db::QuoteLiteral(*options.lock_timeout));
    }
    if (options.statement_timeout) {
      out += fmt::format("SET LOCAL statement_timeout = {};\n",
                         db::QuoteLiteral(*options.statement_timeout));
    }
    out += *sql;
    out += version_table.ReplaceRowsSql(planner::VersionRows(set, after)) + ";\n";
    out += table.DeleteSql(rev.version) + ";\n";
    if (up) out += table.InsertAppliedSql(rev, std::nullopt, applied_by, "sql script") + ";\n";
    out += "COMMIT;\n";
  }
  if (plan.steps.empty()) out += "-- Nothing to do.\n";
  fmt::print("{}", out);
  std::fflush(stdout);
  if (!not_rendered.empty()) {
    fmt::print(stderr,
               "error: {} not rendered (they need a live database connection); the script "
               "names them where they would run: {}\n",
               Plural(not_rendered.size(), "revision"), fmt::join(not_rendered, "; "));
    return static_cast<int>(ExitCode::kFindings);
  }
  return 0;
}

}  // namespace stairway::cli

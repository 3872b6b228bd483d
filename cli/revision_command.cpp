// `stairway revision`: a new Alembic revision file, made by the project's own Alembic as
// `alembic revision` makes it; with --autogenerate, diffed on a throwaway database and reviewed.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <memory>

#include "cli/alembic_support.h"
#include "cli/config.h"
#include "cli/connect_wait.h"
#include "cli/report_flags.h"
#include "cli/runner_support.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/lint/alembic_lint.h"
#include "verifier/lint/config.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"
#include "verifier/roundtrip/roundtrip_report.h"

namespace stairway::cli {

namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;
using source::alembic::HelperError;
using source::alembic::PythonHelper;

struct RevisionArgs {
  SourceOptions source;
  PythonHelper::RevisionRequest request;
  std::string model;  // --model module:attr; empty: env.py's target_metadata
  std::string fail_level = "warning";
  std::string server_url;
  bool no_review = false;
};

// "file:line: " of the innermost project frame of a helper failure, else "".
std::string Where(const HelperError& error) {
  if (error.frames.empty()) return "";
  const source::alembic::Frame& f = error.frames.back();
  return fmt::format("{}:{}: ", f.file, f.line);
}

// The last line of a Python exception text ("KeyError: 'x'"), the part worth one line.
std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  const std::size_t nl = text.rfind('\n');
  return nl == std::string::npos ? text : text.substr(nl + 1);
}

PythonHelper::Revisions MakeRevision(PythonHelper& helper,
                                     const PythonHelper::RevisionRequest& request) {
  HelperError error;
  std::optional<PythonHelper::Revisions> made = helper.MakeRevision(request, &error);
  if (made) return *made;
  if (error.stage == "command") {
    // Alembic's own refusal: several heads without --head, a non-head without --splice...
    throw StopError(
        Error::Input(fmt::format("Alembic refused the new revision: {}", error.message)));
  }
  if (error.stage == "env") {
    throw StopError(Error::Input(fmt::format(
        "{}alembic.ini sets revision_environment = true, and running env.py offline to read "
        "its configure() options failed: {}; fix env.py so it also runs without a database "
        "(context.is_offline_mode())",
        Where(error), LastLine(error.message))));
  }
  if (!error.traceback.empty()) fmt::print(stderr, "{}", error.traceback);
  throw StopError(Error::Input(
      fmt::format("{}Alembic could not write the new revision: {}; the traceback is above",
                  Where(error), LastLine(error.message))));
}

void PrintGenerated(const PythonHelper::Revisions& made) {
  for (const PythonHelper::NewRevision& f : made.files) {
    fmt::print("Generated {} (revision {})\n", f.path.string(), f.revision);
  }
  std::fflush(stdout);
}

// Applies every revision of `set` to the heads on `session` (a throwaway database) through the
// helper `code`, as `stairway upgrade heads` does, and leaves the helper connected there.
void MigrateToHeads(db::Session& session, const source::MigrationSet& set,
                    applier::AlembicSteps& code) {
  applier::Options options;
  applier::Runner runner(session, options, nullptr);
  runner.UseAlembic(set, &code);
  runner.ReadHistory();
  const planner::Plan plan =
      planner::PlanUpgrade(set, runner.AlembicApplied(), "heads").ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  PreloadAlembic(code, steps);
  ConnectAlembic(code, session.url_with_password(), options);
  runner.EnsureHistory();
  for (const applier::PreparedStep& step : steps) runner.RunStep(step);
}

// What the review finds in a new revision, run on a fresh throwaway database of `box`: the
// revisions before it go up, then it goes up, down and up again with the catalog compared after
// each step (a downgrade that leaves an enum type or anything else behind, a re-up that fails).
// Review() merges it with the lint.
report::Report RoundtripReview(sandbox::Sandbox& box, const source::MigrationSet& set,
                               const source::Revision& rev, const SourceOptions& source) {
  roundtrip::Options options;
  options.only = std::vector<std::string>{rev.version};
  options.code_steps = [&](db::Session& session) -> std::unique_ptr<applier::CodeSteps> {
    std::unique_ptr<applier::AlembicSteps> steps = StartAlembic(set, source);
    PreloadAlembic(*steps, set);
    ConnectAlembic(*steps, session.url_with_password(), options.applier);
    return steps;
  };
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  db::Session session = db::Session::Connect(database->url());
  const roundtrip::Result result = roundtrip::Run(session, set, options);
  report::Report out = roundtrip::ToReport(result, set);
  // Only the new revision: the ones before it went up only (an earlier one that failed to go
  // up stays reported: the review did not happen).
  const std::string path = rev.up.path.string();
  std::erase_if(out.findings, [&](const report::Finding& f) {
    return f.path != path && f.rule != "roundtrip-step-failed";
  });
  std::erase_if(out.steps, [&](const report::Step& s) { return s.path != path; });
  for (report::Finding& f : out.findings) {
    if (f.rule != "roundtrip-down-leftover" || !f.help.empty()) continue;
    f.help = "make downgrade() undo exactly what upgrade() does";
    if (f.message.find("(enum ") != std::string::npos) {
      f.help +=
          ": an autogenerated drop_table() leaves the enum types its table used; add "
          "sa.Enum(name=\"...\").drop(op.get_bind()) after it";
    }
  }
  return out;
}

// The Alembic lint (verifier/lint/alembic_lint.h) of the new revision: each finding at the op.*
// call in the new file (a foreign key without ON DELETE, an index on an existing table without
// CONCURRENTLY, NOT NULL added to an existing table...). The revisions before it are rendered
// and replayed for context (which tables already exist) but not reported.
report::Report OpLineLint(PythonHelper& helper, const source::MigrationSet& set,
                          const source::Revision& rev) {
  lint::AlembicLintInput input = lint::AlembicLintOffline(helper, set);
  for (lint::LintUnit& unit : input.group.units) unit.report = unit.revision == rev.Label();
  std::erase_if(input.not_linted, [&](const report::Step& step) {
    return step.path != rev.up.path.lexically_normal().string();
  });
  // Alembic revisions carry no SET lock_timeout/statement_timeout: the runner sets them
  // (--lock-timeout), so those two rules would fire on every statement.
  lint::LintOptions options = LoadConfig("", set.alembic ? set.alembic->project_dir : set.dir).lint;
  options.disable.insert(options.disable.begin(),
                         {"require-lock-timeout", "require-statement-timeout"});
  lint::ValidateOptions(options).ThrowIfError();
  return lint::LintAlembic(std::move(input), options);
}

report::Report Review(sandbox::Sandbox& box, PythonHelper& helper, const source::MigrationSet& set,
                      const source::Revision& rev, const SourceOptions& source) {
  report::Report review;
  review.command = "revision";
  review.Merge(OpLineLint(helper, set, rev));
  review.Merge(RoundtripReview(box, set, rev, source));
  review.Sort();
  return review;
}

int RunRevision(const RevisionArgs& args) {
  const std::optional<Severity> fail = ParseFailLevel(args.fail_level);
  if (args.request.message.empty()) {
    throw StopError(Error::Input("a new revision needs a message: pass -m \"what it does\""));
  }
  const source::MigrationSet set = LoadSet(args.source);
  if (!IsAlembic(set)) {
    throw StopError(Error::Input(fmt::format(
        "{} is not an Alembic project (no alembic.ini or pyproject.toml [tool.alembic] found): "
        "`stairway revision` writes Alembic revisions; for SQL migrations create the file with "
        "`stairway new NAME`",
        set.dir.string())));
  }
  // Declared before the helper so they outlive it: the helper stays connected to the first
  // throwaway database until it quits (it renders the SQL the review lints).
  std::unique_ptr<sandbox::Sandbox> box;
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
  std::unique_ptr<applier::AlembicSteps> code = StartAlembic(set, args.source);
  if (!args.request.autogenerate) {
    PrintGenerated(MakeRevision(code->helper(), args.request));
    return 0;
  }

  // --autogenerate: the model first, so a model that cannot be imported costs no database.
  HelperError error;
  const std::optional<PythonHelper::Model> model = code->helper().LoadModel(args.model, &error);
  if (!model) {
    throw StopError(Error::Input(fmt::format(
        "{}cannot load the model ({}): {}; autogenerate compares the database with env.py's "
        "target_metadata, or with --model MODULE:ATTR",
        Where(error), args.model.empty() ? "env.py's target_metadata" : args.model,
        LastLine(error.message))));
  }
  // A Base whose model modules were never imported has no tables: autogenerate would drop them all.
  for (const std::string& warning : model->warnings) fmt::print(stderr, "warning: {}\n", warning);
  sandbox::Options sandbox_options;
  if (!args.server_url.empty()) sandbox_options.server_url = args.server_url;
  sandbox_options.connect_server = ConnectWaiting;  // --wait
  box = sandbox::OpenSandbox(sandbox_options);
  PythonHelper::Revisions made;
  {
    database = box->CreateDatabase();
    db::Session session = db::Session::Connect(database->url());
    fmt::print(
        "Migrating a throwaway database to the heads ({} revisions), comparing it with "
        "the model ({} tables)\n",
        set.revisions.size(), model->tables.size());
    std::fflush(stdout);
    MigrateToHeads(session, set, *code);
    PythonHelper::RevisionRequest request = args.request;
    request.exclude.emplace_back(history::kDefaultSchema, history::kTableName);
    // Alembic leaves out the version table env.py names; the project's may be named elsewhere
    // (an env.py that passes version_table only when online).
    if (set.alembic && set.alembic->version_table != "alembic_version") {
      request.exclude.emplace_back(set.alembic->version_table_schema.empty()
                                       ? std::string(history::kDefaultSchema)
                                       : set.alembic->version_table_schema,
                                   set.alembic->version_table);
    }
    made = MakeRevision(code->helper(), request);
  }
  PrintGenerated(made);
  if (made.empty) {
    fmt::print(
        "No changes detected: the model matches the migrations at head (the file has "
        "empty upgrade() and downgrade())\n");
  }
  if (args.no_review || made.files.empty()) return 0;

  const source::MigrationSet after = LoadSet(args.source);
  report::Report review;
  review.command = "revision";
  for (const PythonHelper::NewRevision& file : made.files) {
    const source::Revision* rev = after.Find(file.revision);
    if (rev == nullptr) {
      throw StopError(Error::Internal(fmt::format(
          "{}: the new revision {} is not in the migration set read back; review it with "
          "`stairway verify --roundtrip`",
          file.path.string(), file.revision)));
    }
    fmt::print("Reviewing {}: up, down, up on a throwaway database\n", rev->Label());
    std::fflush(stdout);
    review.Merge(Review(*box, code->helper(), after, *rev, args.source));
  }
  if (review.findings.empty()) {
    fmt::print("Review: no findings\n");
  } else {
    fmt::print("{}", report::Write(review, report::Format::kText));
    fmt::print(
        "The file is written either way: fix it, then check it with `stairway verify "
        "--roundtrip`\n");
  }
  if (fail && review.Count(*fail) > 0) return static_cast<int>(ExitCode::kFindings);
  return 0;
}

}  // namespace

RunFn SetupRevision(CLI::App& sub, GlobalOptions&) {
  auto args = std::make_shared<RevisionArgs>();
  AddSourceOptions(sub, args->source);
  PythonHelper::RevisionRequest& r = args->request;
  sub.add_option("-m,--message", r.message, "What the revision does (required)");
  sub.add_flag("--autogenerate", r.autogenerate,
               "Fill the revision by comparing the model with the migrations at head, on a\n"
               "throwaway database; then review the new file there");
  sub.add_option("--head", r.head, "The revision to build on (default: head)");
  sub.add_flag("--splice", r.splice, "Allow --head to name a revision that is not a head");
  sub.add_option("--branch-label", r.branch_label, "Branch label of the new revision");
  sub.add_option("--rev-id", r.rev_id, "Revision id to use instead of a generated one");
  sub.add_option("--version-path", r.version_path,
                 "Which of version_locations gets the file (default: Alembic's choice)");
  sub.add_option("--depends-on", r.depends_on, "Revision the new one depends on");
  sub.add_option("--model", args->model,
                 "--autogenerate: the model as MODULE:ATTR (a MetaData or declarative Base)\n"
                 "instead of env.py's target_metadata");
  sub.add_option("--fail-level", args->fail_level,
                 "Exit 1 on review findings at or above: error, warning (default), info, none");
  sub.add_flag("--no-review", args->no_review, "--autogenerate: write the file, skip the review");
  sub.add_option("--server-url", args->server_url,
                 "Use temporary databases on this server instead of a private cluster");
  sub.footer(
      "Writes the file from the project's script.py.mako and file_template with the project's\n"
      "own Alembic, as `alembic revision` does. --autogenerate needs no database of yours: the\n"
      "revisions run to the heads on a throwaway database (a private PostgreSQL cluster), the\n"
      "model is compared with it under env.py's configure() options, and the new file goes up,\n"
      "down and up there, the catalog compared after each step.\n"
      "\n"
      "Examples:\n"
      "  stairway revision -m \"add orders\"\n"
      "  stairway revision --autogenerate -m \"add orders\"\n"
      "  stairway revision -m \"start billing\" --head base --branch-label billing\n"
      "\n"
      "Exit codes: 0 written (and reviewed clean), 1 review findings at --fail-level (the file\n"
      "is written either way), 2 bad input or not an Alembic project, 3 a revision failed on the\n"
      "throwaway database or it could not start.");
  return [args] { return RunRevision(*args); };
}

}  // namespace stairway::cli

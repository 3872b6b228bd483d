// `stairway drift`: compares a model's DDL (--model) or a live database (--against, read-only)
// with what the migrations build; one line per difference (or a --report), exit 1 on drift.
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>

#include "cli/alembic_model.h"
#include "cli/alembic_support.h"
#include "cli/connect_wait.h"
#include "cli/report_flags.h"
#include "cli/runner_support.h"
#include "runner/common/file.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/drift/drift.h"

namespace stairway::cli {

namespace {

namespace drift = verifier::drift;

struct DriftArgs {
  SourceOptions source;
  std::string model;
  std::string against;
  std::string server_url;
  std::string history_schema = std::string(history::kDefaultSchema);
  bool keep = false;
  bool ignore_owners = true;
  ReportFlags report_flags;
};

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

int RunDrift(const GlobalOptions& global, const DriftArgs& args) {
  if (!args.model.empty() && !args.against.empty()) {
    throw StopError(Error::Input(
        "drift needs exactly one of --model or --against URL; see stairway drift --help"));
  }
  // An Alembic project's model is Python (env.py's target_metadata, or --model module:attr);
  // a --model ending in .sql is DDL in any project.
  const bool sql_model = EndsWith(args.model, ".sql");
  // The --report flags are checked before any work.
  const std::vector<ReportOutput> outputs = args.report_flags.Resolve();
  const source::MigrationSet set = LoadSet(args.source);
  const bool alembic_model = IsAlembic(set) && args.against.empty() && !sql_model;
  if (!alembic_model && args.model.empty() && args.against.empty()) {
    throw StopError(Error::Input(
        "drift needs exactly one of --model FILE.sql or --against URL; see stairway drift --help"));
  }
  std::string model_sql;
  if (sql_model || (!alembic_model && !args.model.empty())) {
    std::optional<std::string> text = ReadWholeFile(args.model);
    if (!text) {
      throw StopError(Error::Input(fmt::format(
          "{}: cannot read the model DDL; pass an existing .sql file to --model", args.model)));
    }
    model_sql = std::move(*text);
  }
  sandbox::Options sandbox_options;
  if (!args.server_url.empty()) sandbox_options.server_url = args.server_url;
  sandbox_options.connect_server = ConnectWaiting;  // --wait
  sandbox_options.keep = args.keep;
  schema::SnapshotOptions snapshot;
  snapshot.owners = args.ignore_owners ? schema::Owners::kIgnore : schema::Owners::kCompare;
  // alembic_version is Alembic's bookkeeping: never a difference.
  if (IsAlembic(set)) snapshot = WithoutAlembicVersion(set, snapshot);

  const auto started = std::chrono::steady_clock::now();
  drift::Result result;
  std::unique_ptr<sandbox::Sandbox> box;
  if (alembic_model) {
    // The model is found before any database starts: a wrong spec costs nothing.
    std::optional<AlembicModel> model = LoadAlembicModel(set, args.source, args.model, true);
    box = sandbox::OpenSandbox(sandbox_options);
    result = CheckAlembicModel(*model, set, args.source, *box, snapshot);
  } else if (!args.model.empty()) {
    box = sandbox::OpenSandbox(sandbox_options);
    drift::ModelOptions options;
    options.snapshot = snapshot;
    if (IsAlembic(set)) options.code_steps = AlembicCodeSteps(set, args.source);
    result = drift::CheckModel(*box, set, args.model, model_sql, options);
  } else {
    // Connect first: a wrong URL fails before a cluster starts.
    db::Session live = ConnectToUserDatabase(args.against);
    box = sandbox::OpenSandbox(sandbox_options);
    drift::AgainstOptions options;
    options.snapshot = snapshot;
    options.table = history::Table(args.history_schema);
    // Alembic: the record is alembic_version, and the revisions run in the project's Python.
    if (IsAlembic(set)) options.code_steps = AlembicCodeSteps(set, args.source);
    result = drift::CheckAgainst(live, *box, set, options);
  }
  if (result.note) fmt::print(stderr, "note: {}\n", *result.note);
  if (args.keep) fmt::print(stderr, "Kept the throwaway databases:\n{}\n", box->ConnectHelp());

  // Text on stdout is the drift's own listing; every other output is the check report.
  bool listing = false;
  std::vector<ReportOutput> reports;
  for (const ReportOutput& output : outputs) {
    if (output.format == report::Format::kText && output.to_stdout()) {
      listing = true;
    } else {
      reports.push_back(output);
    }
  }
  if (!reports.empty()) {
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started)
            .count();
    // A finding without a place of its own points at the model file, or (--against, an Alembic
    // model) at the migrations directory: CI annotations need a file.
    const std::string path = !args.model.empty() && !alembic_model ? args.model : set.dir.string();
    report::Report rep = drift::ToReport(
        result, fmt::format("drift {} vs {}", result.other_label, result.migrations_label), ms,
        path);
    rep.command = "drift";
    WriteReports(rep, reports, global.no_color);
  }
  if (!result.HasDrift()) {
    if (!global.quiet) {
      fmt::print(stderr, "no drift: {} matches {}\n", result.other_label, result.migrations_label);
    }
    return 0;
  }
  if (listing) {
    fmt::print("drift between {} and {}:\n", result.migrations_label, result.other_label);
    for (const drift::Finding& finding : result.findings) {
      fmt::print("  {}\n", drift::Line(finding));
    }
    std::fflush(stdout);
  }
  fmt::print(stderr, "{} difference{}\n", result.findings.size(),
             result.findings.size() == 1 ? "" : "s");
  return static_cast<int>(ExitCode::kFindings);
}

}  // namespace

RunFn SetupDrift(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<DriftArgs>();
  AddSourceOptions(sub, args->source, DirArgument::kPositional);
  sub.add_option("--model", args->model,
                 "A .sql file with the whole schema's DDL; in an Alembic project also "
                 "module:attr (a SQLAlchemy MetaData or declarative Base)");
  sub.add_option("--against", args->against,
                 "A live database URL, read inside a READ ONLY transaction only");
  sub.add_option("--history-schema", args->history_schema,
                 "Schema of the live database's stairway_history table")
      ->envname("STAIRWAY_HISTORY_SCHEMA")
      ->capture_default_str();
  sub.add_option("--server-url", args->server_url,
                 "Use temporary databases on this server instead of a private cluster");
  sub.add_flag("--keep", args->keep, "Keep the throwaway databases and print how to connect");
  sub.add_flag("!--compare-owners", args->ignore_owners,
               "Also compare object owners (off by default: a model never names them)");
  args->report_flags.Add(sub,
                         "Output format, repeatable: text (default: one line per difference), "
                         "json, sarif, github, junit, markdown, codequality");
  sub.footer(
      "--model: runs the DDL on one throwaway database and the migrations up to head on another,\n"
      "then compares the full catalogs. --against: reads the database's history table and\n"
      "catalog inside BEGIN TRANSACTION READ ONLY (a role with only SELECT is enough), builds\n"
      "the migrations up to the revision the history records, compares, and also reports\n"
      "applied revisions whose files were edited since (checksums). In an Alembic project the\n"
      "record is alembic_version (env.py's version_table): the revisions its rows name and\n"
      "their ancestors run in the project's Python; a row without a file is a finding.\n"
      "\n"
      "Alembic projects: without flags the model is the target_metadata env.py hands Alembic\n"
      "(env.py is run offline with its configure() call intercepted; nothing connects), or\n"
      "--model module:attr. It is created with metadata.create_all on one throwaway database,\n"
      "the revisions run up to head on another, and the catalogs are compared; a difference in\n"
      "a table the model defines names the class's file:line. alembic_version is never one.\n"
      "\n"
      "Examples:\n"
      "  stairway drift --model model.sql migrations\n"
      "  stairway drift --against postgresql://readonly@prod/app migrations\n"
      "  stairway drift                            (in an Alembic project: env.py's model)\n"
      "  stairway drift --model app.models:Base    (in an Alembic project)\n"
      "  stairway drift --against \"$URL\" migrations --report sarif -o drift.sarif\n"
      "\n"
      "--report writes the findings as verify's reports do (docs/drift.md); --report text on\n"
      "stdout is the listing above.\n"
      "\n"
      "Exit codes: 0 no drift, 1 drift, 2 bad input (model DDL fails, no such dir), 3 database.");
  return [&global, args] { return RunDrift(global, *args); };
}

}  // namespace stairway::cli

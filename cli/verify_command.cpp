// `stairway verify DIR`: every check available on a migration set (roundtrip on a throwaway
// database, lint, drift against a configured model), written as one combined report.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/alembic_lint.h"
#include "cli/alembic_model.h"
#include "cli/alembic_support.h"
#include "cli/config.h"
#include "cli/report_flags.h"
#include "cli/runner_support.h"
#include "runner/common/file.h"
#include "runner/common/git.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/drift/drift.h"
#include "verifier/lint/config.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"
#include "verifier/roundtrip/roundtrip_report.h"

namespace stairway::cli {

namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;
namespace drift = verifier::drift;

struct VerifyArgs {
  SourceOptions source;
  bool roundtrip = false;
  bool lint = false;
  bool drift = false;
  ReportFlags report_flags;
  std::string fail_level = "warning";
  std::string model;
  std::string from;
  std::string changed_since;
  std::vector<std::string> skip;
  std::string min_downgrade;
  std::string fixtures;
  std::string server_url;
  bool keep = false;
  bool allow_irreversible = false;
  bool full_snapshots = false;
  bool allow_multiple_heads = false;
  int jobs = 0;  // 0: two databases when the machine has two cores and the set is big enough
};

// Versions whose files changed since `ref` (committed, staged, unstaged or untracked).
std::vector<std::string> ChangedVersions(const source::MigrationSet& set, const std::string& ref) {
  const std::set<fs::path> changed =
      git::ChangedFiles(set.dir, ref, "--changed-since").ValueOrThrow();
  std::vector<std::string> versions;
  for (const source::Revision& rev : set.revisions) {
    bool hit = changed.count(fs::weakly_canonical(rev.up.path)) > 0;
    if (rev.down) hit = hit || changed.count(fs::weakly_canonical(rev.down->path)) > 0;
    if (hit) versions.push_back(rev.version);
  }
  return versions;
}

// A step's time, "FAILED" for the step that failed, "-" for steps that did not run.
std::string StepCell(const roundtrip::RevisionResult& r,
                     const std::optional<std::chrono::milliseconds>& ms, std::string_view step) {
  if (ms) return FormatMs(*ms);
  return r.failure && r.failed_step == step ? "FAILED" : "-";
}

// The per-revision table on stdout (text report to stdout only) and, when stderr is a terminal,
// a progress line there: revision n/N, the revision, elapsed time.
class RoundtripPrinter : public roundtrip::ProgressListener {
 public:
  RoundtripPrinter(std::size_t width, bool table, bool progress)
      : width_(width), table_(table), progress_(progress) {}
  void RevisionDone(const roundtrip::RevisionResult& r, int index, int total) override {
    if (progress_) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started_);
      fmt::print(stderr, "\r\x1b[Kroundtrip: revision {}/{} {} done (up, down, re-up), {}",
                 index + 1, total, r.label, FormatMs(elapsed));
      if (index + 1 == total || r.failure) fmt::print(stderr, "\n");
      std::fflush(stderr);
    }
    if (table_) {
      std::string verdict = "ok";
      if (r.failure) {
        verdict = fmt::format("FAILED at {}", r.failed_step);
      } else if (!r.findings.empty()) {
        verdict = fmt::format("{} finding{}", r.findings.size(), r.findings.size() == 1 ? "" : "s");
      } else if (r.up_only) {
        verdict = fmt::format("up only: {}", r.up_only_reason);
      } else if (r.irreversible_marker) {
        verdict = "intentionally irreversible";
      } else if (r.irreversible) {
        verdict = "irreversible (no down section)";
      }
      fmt::print("  [{:>{}}/{}] {:<{}}  up {:>8}  down {:>8}  up {:>8}  {}\n", index + 1,
                 std::to_string(total).size(), total, r.label, width_, StepCell(r, r.up, "up"),
                 StepCell(r, r.down, "down"), StepCell(r, r.reup, "re-up"), verdict);
      for (const std::string& finding : r.findings) fmt::print("      {}\n", finding);
      for (const std::string& soft : r.soft_findings) fmt::print("      warning: {}\n", soft);
      std::fflush(stdout);
    }
    if (r.failure) fmt::print(stderr, "{}\n", *r.failure);
  }

 private:
  std::size_t width_;
  bool table_;
  bool progress_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

double MsOf(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since)
      .count();
}

int RunVerify(const GlobalOptions& global, const VerifyArgs& args) {
  // Everything the user typed is checked before a database starts.
  const std::vector<ReportOutput> outputs = args.report_flags.Resolve();
  if (args.keep && args.jobs == 2) {
    throw StopError(Error::Input(
        "--keep keeps one database, and --jobs 2 uses two: drop one of the two options"));
  }
  const std::optional<Severity> fail = ParseFailLevel(args.fail_level);
  const Config config = LoadConfig(args.source.config, fs::path(args.source.dir));
  const source::MigrationSet set = LoadSet(args.source);
  std::optional<fs::path> model;
  if (!args.model.empty()) {
    model = args.model;
  } else if (config.verify.model) {
    model = config.verify.model;
  }
  const bool any_selected = args.roundtrip || args.lint || args.drift;
  const bool run_roundtrip = any_selected ? args.roundtrip : true;
  // Alembic revisions are linted as the project's Alembic renders them (cli/alembic_lint.h).
  const bool run_lint = any_selected ? args.lint : true;
  // An Alembic project's model is its SQLAlchemy metadata: env.py's target_metadata, or
  // --model module:attr (a --model ending in .sql stays DDL). Without --drift or --model, a
  // project whose env.py names no target_metadata simply has no model drift.
  const bool alembic_sql_model = IsAlembic(set) && args.model.ends_with(".sql");
  if (IsAlembic(set) && !alembic_sql_model) model.reset();  // [verify] model is for SQL projects
  std::optional<AlembicModel> alembic_model;
  if (IsAlembic(set) && !alembic_sql_model && (any_selected ? args.drift : true)) {
    alembic_model =
        LoadAlembicModel(set, args.source, args.model, args.drift || !args.model.empty());
  }
  const bool run_drift = any_selected ? args.drift : model.has_value() || alembic_model.has_value();
  if (run_drift && !model && !alembic_model) {
    throw StopError(Error::Input(
        "--drift needs a model: pass --model FILE.sql or set model = \"path.sql\" under [verify] "
        "in stairway.toml"));
  }
  std::string model_sql;
  if (run_drift && model) {
    std::optional<std::string> text = ReadWholeFile(*model);
    if (!text) {
      throw StopError(Error::Input(fmt::format(
          "{}: cannot read the drift model; fix --model or [verify] model", model->string())));
    }
    model_sql = std::move(*text);
  }

  roundtrip::Options options;
  options.irreversible =
      args.allow_irreversible ? roundtrip::Irreversible::kAllow : roundtrip::Irreversible::kFail;
  if (args.full_snapshots) options.snapshots = roundtrip::Options::Snapshots::kFull;
  if (!args.from.empty()) options.from = args.from;
  options.skip = args.skip;
  if (!args.min_downgrade.empty()) options.min_downgrade = args.min_downgrade;
  if (!args.fixtures.empty()) {
    if (!fs::is_directory(args.fixtures)) {
      throw StopError(Error::Input(
          fmt::format("--fixtures {}: no such directory of data fixtures", args.fixtures)));
    }
    options.data_fixtures = args.fixtures;
  } else if (config.verify.fixtures) {
    if (!fs::is_directory(*config.verify.fixtures)) {
      throw StopError(
          Error::Input(fmt::format("{}: [verify] fixtures names {}, which is not a directory",
                                   config.file->string(), config.verify.fixtures->string())));
    }
    options.data_fixtures = *config.verify.fixtures;
  } else if (fs::is_directory(set.dir / "fixtures")) {
    options.data_fixtures = set.dir / "fixtures";
  }
  if (!args.changed_since.empty()) options.only = ChangedVersions(set, args.changed_since);
  // Alembic: each database the roundtrip uses gets its own helper in the project's Python,
  // connected to that database. The first is started now, so a project whose Python cannot be
  // found or whose revisions cannot be imported fails before any database is made.
  std::unique_ptr<applier::AlembicSteps> first_helper;
  std::mutex helper_mutex;
  // Alembic lint: every revision rendered offline now; the ones that cannot be rendered without
  // a database are linted from what they execute in the roundtrip (`capture`).
  std::vector<AlembicSection> alembic_sections;
  auto capture = std::make_shared<applier::StatementCapture>();
  if (IsAlembic(set) && (run_roundtrip || run_lint)) {
    first_helper = StartAlembic(set, args.source);
    PreloadAlembic(*first_helper, set);
  }
  if (IsAlembic(set) && run_lint) {
    alembic_sections = RenderAlembicSections(first_helper->helper(), set);
    for (const AlembicSection& s : alembic_sections) {
      if (!s.rendered.ok) {
        capture->Want(s.file(), s.up);
      }
    }
  }
  if (IsAlembic(set) && run_roundtrip) {
    options.code_steps = [&](db::Session& session) -> std::unique_ptr<applier::CodeSteps> {
      std::unique_ptr<applier::AlembicSteps> steps;
      {
        std::lock_guard lock(helper_mutex);
        steps = std::move(first_helper);
      }
      if (!steps) steps = StartAlembic(set, args.source);
      ConnectAlembic(*steps, session.url_with_password(), options.applier);
      steps->CaptureInto(capture);
      return steps;
    };
  }

  lint::LintOptions lint_options;
  if (run_lint) {
    lint_options = config.lint;
    lint::ValidateOptions(lint_options).ThrowIfError();
  }

  const bool text_to_stdout = [&] {
    for (const ReportOutput& output : outputs) {
      if (output.to_stdout() && output.format == report::Format::kText) return true;
    }
    return false;
  }();
  const bool progress = isatty(STDERR_FILENO) == 1 && !global.quiet;

  report::Report combined;
  combined.command = "verify";
  if (IsAlembic(set)) {
    const std::vector<std::string> heads = set.Heads();
    if (heads.size() > 1) {
      report::Finding f;
      f.check = "roundtrip";
      f.rule = "alembic-multiple-heads";
      f.severity = args.allow_multiple_heads ? Severity::kInfo : Severity::kError;
      std::string names;
      for (const std::string& h : heads) {
        const source::Revision* rev = set.Find(h);
        names += fmt::format("{}{} ({})", names.empty() ? "" : ", ", h,
                             rev ? rev->up.path.string() : "?");
      }
      f.message = fmt::format("{} heads: {}", heads.size(), names);
      f.help = fmt::format(
          "`alembic upgrade head` refuses several heads: merge them (`alembic merge -m \"merge "
          "heads\" {}`), or pass --allow-multiple-heads if the branches are meant to stay apart",
          fmt::join(heads, " "));
      combined.findings.push_back(std::move(f));
    }
  }
  if (run_lint && !IsAlembic(set)) {
    const auto started = std::chrono::steady_clock::now();
    if (progress) fmt::print(stderr, "lint: {}\n", set.dir.string());
    report::Report lint_report =
        lint::Lint({lint::GroupFromMigrationSet(set)}, lint_options).ValueOrThrow();
    (void)started;
    combined.Merge(std::move(lint_report));
  }

  sandbox::Options sandbox_options;
  if (!args.server_url.empty()) sandbox_options.server_url = args.server_url;
  sandbox_options.keep = args.keep;
  std::unique_ptr<sandbox::Sandbox> box;
  std::unique_ptr<sandbox::ThrowawayDatabase> database;
  bool roundtrip_failed = false;
  int roundtrip_exit = 0;
  if (run_roundtrip) {
    const auto started = std::chrono::steady_clock::now();
    // A second database takes the later half of the round trips when it pays off (--jobs).
    const int jobs = args.jobs > 0                                          ? args.jobs
                     : args.keep || std::thread::hardware_concurrency() < 2 ? 1
                                                                            : 2;
    const int cut = jobs == 2 ? roundtrip::SplitPoint(set, options) : 0;
    box = sandbox::OpenSandbox(sandbox_options);
    database = box->CreateDatabase();
    const auto setup_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    if (text_to_stdout) {
      fmt::print(
          "Roundtrip of {} ({} format, {} revisions) on {}: up, down, up for each revision\n",
          set.dir.string(), source::FormatName(set.format), set.revisions.size(),
          args.server_url.empty() ? "a private PostgreSQL cluster"
                                  : db::MaskPassword(args.server_url));
      if (cut > 0) {
        fmt::print(
            "Two databases at once: the second applies the revisions before {} up only and "
            "round-trips the rest (--jobs 1: one database)\n",
            set.revisions[cut].Label());
      }
    }
    std::size_t width = 8;
    for (const source::Revision& rev : set.revisions) width = std::max(width, rev.Label().size());
    RoundtripPrinter printer(width, text_to_stdout, progress);
    roundtrip::Result result;
    {
      db::Session session = db::Session::Connect(database->url());
      if (cut > 0) {
        // Made on the second database's thread while the first one already works.
        std::unique_ptr<sandbox::ThrowawayDatabase> second_database;
        std::optional<db::Session> second;
        const auto open_second = [&]() -> db::Session& {
          try {
            second_database = box->CreateDatabase();
            return second.emplace(db::Session::Connect(second_database->url()));
          } catch (const StopError& e) {
            Error error = e.error();
            error.message += " (the second throwaway database; --jobs 1 uses only one)";
            throw StopError(std::move(error));
          }
        };
        result = roundtrip::RunSplit(session, open_second, set, options, cut, &printer);
      } else {
        result = roundtrip::Run(session, set, options, {}, &printer);
      }
    }
    roundtrip_failed = result.failed;
    roundtrip_exit = result.ExitCode(options.irreversible);
    if (!result.snapshots_fallback.empty()) {
      fmt::print(stderr,
                 "note: the catalog was read in full after every step: {}; with a superuser "
                 "--server-url only what each step touched is re-read (docs/roundtrip.md)\n",
                 result.snapshots_fallback);
    }
    if (text_to_stdout) {
      // Each revision counted once: skipped (--skip), up only (--from, --min-downgrade,
      // --changed-since), irreversible, or reversible (it went up, down and up).
      int skipped = 0, up_only = 0;
      for (const roundtrip::RevisionResult& r : result.revisions) {
        if (r.irreversible) continue;  // in result.irreversible
        if (r.skipped) {
          ++skipped;
        } else if (r.up_only) {
          ++up_only;
        }
      }
      const int reversible =
          static_cast<int>(result.revisions.size()) - result.irreversible - skipped - up_only;
      fmt::print(
          "{}: {} of {} revisions checked, {} reversible, {} irreversible{}{}{} in {} (setup "
          "{})\n",
          result.failed ? "FAILED" : "Total", result.revisions.size(), set.revisions.size(),
          reversible, result.irreversible, up_only > 0 ? fmt::format(", {} up only", up_only) : "",
          skipped > 0 ? fmt::format(", {} skipped", skipped) : "",
          result.findings > 0 ? fmt::format(", {} findings", result.findings) : "",
          FormatMs(result.total), FormatMs(setup_ms));
      if (result.irreversible > 0 && !args.allow_irreversible && !result.failed) {
        fmt::print(
            "Irreversible revisions fail the check: add a down section, or pass "
            "--allow-irreversible if they are meant to be one-way.\n");
      }
      std::fflush(stdout);
    }
    report::Report rt = roundtrip::ToReport(result, set);
    rt.command = "verify";
    for (report::Finding& f : rt.findings) {
      // Allowed irreversible revisions stay in the report as notes, not failures.
      if (f.rule == "roundtrip-irreversible" && args.allow_irreversible) {
        f.severity = Severity::kInfo;
      }
    }
    combined.Merge(std::move(rt));
  }

  if (run_lint && IsAlembic(set)) {
    // After the roundtrip: it captured what the revisions that need a database executed.
    if (progress) fmt::print(stderr, "lint: {}\n", set.dir.string());
    report::Report lint_report = LintAlembic(
        AlembicLintGroup(alembic_sections, capture.get(),
                         run_roundtrip ? "the roundtrip did not run it"
                                       : "`stairway verify --roundtrip --lint` lints what it "
                                         "executes on a throwaway database"),
        lint_options);
    if (text_to_stdout) {
      int skipped = 0;
      for (const report::Step& step : lint_report.steps) skipped += step.skipped ? 1 : 0;
      fmt::print("Lint of {} Alembic revision files: {} finding{}{}\n",
                 lint_report.steps.size() - skipped, lint_report.findings.size(),
                 lint_report.findings.size() == 1 ? "" : "s",
                 skipped > 0 ? fmt::format(", {} not linted (below)", skipped) : "");
    }
    combined.Merge(std::move(lint_report));
  }

  bool drifted = false;
  if (run_drift) {
    const auto started = std::chrono::steady_clock::now();
    const std::string model_name = model ? model->string() : alembic_model->model.origin;
    if (progress) fmt::print(stderr, "drift: {} vs {} at head\n", model_name, set.dir.string());
    if (!box) box = sandbox::OpenSandbox(sandbox_options);
    drift::ModelOptions drift_options;
    drift_options.snapshot.owners = schema::Owners::kIgnore;
    if (IsAlembic(set)) {
      drift_options.snapshot = WithoutAlembicVersion(set, drift_options.snapshot);
      drift_options.code_steps = AlembicCodeSteps(set, args.source);
    }
    const drift::Result result =
        alembic_model
            ? CheckAlembicModel(*alembic_model, set, args.source, *box, drift_options.snapshot)
            : drift::CheckModel(*box, set, *model, model_sql, drift_options);
    drifted = result.HasDrift();
    report::Report dr = drift::ToReport(
        result, fmt::format("drift {} vs {}", model_name, result.migrations_label), MsOf(started));
    if (model) {
      for (report::Finding& f : dr.findings) f.path = model->string();
      dr.steps.front().path = model->string();
    }
    if (text_to_stdout) {
      fmt::print("Drift of {} against {}: {}\n", result.other_label, result.migrations_label,
                 drifted ? fmt::format("{} difference{}", result.lines.size(),
                                       result.lines.size() == 1 ? "" : "s")
                         : "no drift");
      std::fflush(stdout);
    }
    combined.Merge(std::move(dr));
  }

  WriteReports(combined, outputs, global.no_color);
  if (args.keep && box) {
    fmt::print(stderr, "Kept database {}:\n{}\n",
               database ? database->name() : std::string("(drift only)"), box->ConnectHelp());
  }
  // Roundtrip findings (a failing step included) and drift always fail; lint at the fail level.
  // Exit 3 is only for a check that could not run: those throw StopError before this point.
  if (roundtrip_failed || roundtrip_exit != 0 || drifted)
    return static_cast<int>(ExitCode::kFindings);
  if (fail && combined.Count(*fail) > 0) return static_cast<int>(ExitCode::kFindings);
  return 0;
}

}  // namespace

RunFn SetupVerify(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<VerifyArgs>();
  AddSourceOptions(sub, args->source, DirArgument::kPositional);
  sub.add_flag("--roundtrip", args->roundtrip,
               "Run the roundtrip check: up, down, up for each revision, full catalog compared");
  sub.add_flag("--lint", args->lint, "Run the linter on the migration set");
  sub.add_flag("--drift", args->drift,
               "Compare the model DDL (--model or [verify] model) with the migrations at head");
  args->report_flags.Add(
      sub, "Report format, repeatable: text (default), json, sarif, github, junit, markdown");
  sub.add_option("--fail-level", args->fail_level,
                 "Exit 1 on lint findings at or above: error, warning (default), info, none");
  sub.add_option("--config", args->source.config,
                 "stairway.toml to read (default: see docs/configuration.md)");
  sub.add_option("--model", args->model,
                 "Model DDL for the drift check (overrides the config); in an Alembic project "
                 "also module:attr");
  sub.add_option("--from", args->from, "Round-trip from this revision; earlier ones go up only");
  sub.add_option("--changed-since", args->changed_since,
                 "Round-trip only revisions whose files changed since this git ref");
  sub.add_option("--skip", args->skip, "Apply this revision up only (repeatable)")
      ->allow_extra_args(false);
  sub.add_option("--min-downgrade", args->min_downgrade,
                 "Do not down-test revisions before this one");
  sub.add_option("--fixtures", args->fixtures,
                 "Data fixtures directory (default: <DIR>/fixtures or [verify] fixtures)");
  sub.add_option("--server-url", args->server_url,
                 "Use temporary databases on this server instead of a private cluster");
  sub.add_flag("--keep", args->keep,
               "Keep the throwaway database and print how to connect (implies --jobs 1)");
  sub.add_option("--jobs", args->jobs,
                 "Throwaway databases for the roundtrip: 1, or 2 (the second round-trips the\n"
                 "later revisions while the first does the earlier ones). Default: 2 on a machine\n"
                 "with two or more cores when 16 or more revisions are round-tripped")
      ->check(CLI::Range(1, 2).description(""))
      ->type_name("1|2");
  sub.add_flag("--allow-irreversible", args->allow_irreversible,
               "Do not fail on revisions without a down section");
  sub.add_flag("--allow-multiple-heads", args->allow_multiple_heads,
               "Alembic: several heads are a note, not an error (the default fails them, as a "
               "single-head CI gate does)");
  sub.add_flag("--full-snapshots", args->full_snapshots,
               "Read the whole catalog after every step instead of only what the step touched\n"
               "(slower; see docs/roundtrip.md)");
  sub.footer(
      "Without --roundtrip/--lint/--drift every available check runs: roundtrip, lint, and\n"
      "drift when a model is configured (in an Alembic project: when env.py hands Alembic a\n"
      "target_metadata). Needs nothing running: starts a private PostgreSQL\n"
      "cluster in a temp directory ($TMPDIR, else /dev/shm when it has 1 GiB free, else /tmp)\n"
      "and removes it on exit, error, Ctrl-C and SIGTERM.\n"
      "\n"
      "Examples:\n"
      "  stairway verify migrations\n"
      "  stairway verify --roundtrip migrations --keep          inspect the result afterwards\n"
      "  stairway verify migrations --report junit -o verify.xml --report text\n"
      "  stairway verify migrations --changed-since origin/main --report github\n"
      "\n"
      "Exit codes: 0 ok; 1 findings: lint at or above --fail-level, roundtrip findings (an up,\n"
      "down or re-up that fails included), irreversible revisions, drift; 2 bad input or usage;\n"
      "3 the check could not run (cluster could not start, server unreachable); 4 internal error\n"
      "(docs/exit-codes.md).");
  return [&global, args] { return RunVerify(global, *args); };
}

}  // namespace stairway::cli

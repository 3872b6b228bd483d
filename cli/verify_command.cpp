// `stairway verify DIR`: every check available on a migration set (roundtrip on a throwaway
// database, lint, drift against a configured model), written as one combined report.
#include <fmt/format.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "cli/alembic_model.h"
#include "cli/alembic_support.h"
#include "cli/config.h"
#include "cli/connect_wait.h"
#include "cli/report_flags.h"
#include "cli/runner_support.h"
#include "cli/verify_setup.h"
#include "cli/verify_shard.h"
#include "runner/common/file.h"
#include "runner/sandbox/sandbox.h"
#include "verifier/drift/drift.h"
#include "verifier/lint/config.h"
#include "verifier/lint/linter.h"
#include "verifier/report/report.h"
#include "verifier/roundtrip/roundtrip.h"
#include "verifier/verify/pipeline.h"

namespace stairway::cli {

namespace {

namespace fs = std::filesystem;
namespace roundtrip = verifier::roundtrip;
namespace drift = verifier::drift;
namespace verify = verifier::verify;

struct VerifyArgs {
  SourceOptions source;
  bool roundtrip = false;
  bool lint = false;
  bool drift = false;
  bool lock_trace = false;  // --lock-trace
  ReportFlags report_flags;
  std::string fail_level = "warning";
  std::string model;
  std::string from;
  std::string base;  // --base, alias --changed-since: the PR checks (verifier/verify/pr_checks.h)
  std::vector<std::string> allow_edit;
  std::vector<std::string> skip;
  std::string min_downgrade;
  std::string fixtures;
  std::vector<std::string> data_change;  // --data-change REV=REASON
  std::string setup;
  std::string server_url;
  bool keep = false;
  bool allow_irreversible = false;
  bool full_snapshots = false;
  bool allow_multiple_heads = false;
  bool fail_fast = false;
  int jobs = 0;       // 0: two databases when the machine has two cores and the set is big enough
  std::string shard;  // --shard I/N
};

// A step's time, "FAILED" for the step that failed, "-" for steps that did not run.
std::string StepCell(const roundtrip::RevisionResult& r,
                     const std::optional<std::chrono::milliseconds>& ms, std::string_view step) {
  if (ms) return FormatMs(*ms);
  return r.failure && r.failed_step == step ? "FAILED" : "-";
}

// A finding under its revision's row; the lines of a multi-line one (a diff of two function
// bodies) indented alike.
void PrintIndented(std::string_view prefix, std::string_view text) {
  std::string_view indent = "      ";
  for (std::size_t pos = 0; pos <= text.size();) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    fmt::print("{}{}{}\n", indent, prefix, text.substr(pos, end - pos));
    prefix = pos == 0 ? std::string_view("  ") : prefix;
    pos = end + 1;
  }
}

// The per-revision table on stdout (text report to stdout only) and, when stderr is a terminal,
// a progress line there: revision n/N, the revision, elapsed time.
class RoundtripPrinter : public roundtrip::ProgressListener {
 public:
  RoundtripPrinter(std::size_t width, bool table, bool progress, const source::MigrationSet& set)
      : width_(width), table_(table), progress_(progress), set_(set) {}
  void RevisionDone(const roundtrip::RevisionResult& r, int index, int total) override {
    if (progress_) {
      const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
          std::chrono::steady_clock::now() - started_);
      fmt::print(stderr, "\r\x1b[Kroundtrip: revision {}/{} {} done (up, down, re-up), {}",
                 index + 1, total, r.label, FormatMs(elapsed));
      if (index + 1 == total) fmt::print(stderr, "\n");
      std::fflush(stderr);
    }
    if (table_) {
      std::string verdict = "ok";
      if (r.failure) {
        verdict = fmt::format("FAILED at {}{}", r.failed_step,
                              r.rebuilt ? " (database built again to go on)" : "");
      } else if (!r.skipped_because.empty()) {
        verdict = fmt::format("skipped: builds on {}, whose up failed", r.skipped_because);
      } else if (const int findings = r.FindingCount(); findings > 0) {
        verdict = fmt::format("{} finding{}", findings, findings == 1 ? "" : "s");
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
      // Errors, then warnings, then notes, each in the order the checks recorded them.
      for (const auto& [severity, prefix] : {std::pair{Severity::kError, ""},
                                             {Severity::kWarning, "warning: "},
                                             {Severity::kInfo, "note: "}}) {
        for (const std::string& line : r.Messages(severity)) PrintIndented(prefix, line);
      }
      std::fflush(stdout);
    }
    if (r.failure) {
      // Clears the progress line first: the run goes on after a failed step.
      fmt::print(stderr, "{}{}\n", progress_ ? "\r\x1b[K" : "", *r.failure);
      for (const source::Revision& rev : set_.revisions) {
        if (rev.Label() != r.label) continue;
        for (const source::UnrunnableMigration* m : set_.UnrunnableBefore(rev.version)) {
          fmt::print(stderr, "note: {}; this failure may come from it\n", m->Describe());
        }
      }
    }
  }

 private:
  std::size_t width_;
  bool table_;
  bool progress_;
  const source::MigrationSet& set_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

// The text report and the progress lines of a verify run, as the pipeline reports progress.
class VerifyPrinter : public verify::Listener {
 public:
  VerifyPrinter(const source::MigrationSet& set, const VerifyArgs& args, bool text, bool progress)
      : set_(set),
        args_(args),
        text_(text),
        progress_(progress),
        revisions_(Width(set), text, progress, set) {}

  void PrSelected(const verify::PrSelection& pr) override {
    if (!text_) return;
    fmt::print("PR checks against {} ({}): {} of {} revisions changed or added\n", pr.base_name,
               pr.base_commit.substr(0, 12), pr.changed.size(), set_.revisions.size());
  }
  void LintStarting() override {
    if (progress_) fmt::print(stderr, "lint: {}\n", set_.dir.string());
  }
  void RoundtripStarting(int cut) override {
    if (!text_) return;
    fmt::print("Roundtrip of {} ({} format, {} revisions) on {}: up, down, up for each revision\n",
               set_.dir.string(), source::FormatName(set_.format), set_.revisions.size(),
               args_.server_url.empty() ? "a private PostgreSQL cluster"
                                        : db::MaskPassword(args_.server_url));
    if (shard_) {
      fmt::print(
          "Shard {}/{}: round-trips revisions {} to {} ({} of {}), applies the {} before them up "
          "only\n",
          shard_->index, shard_->count, set_.revisions[slice_.begin].Label(),
          set_.revisions[slice_.end - 1].Label(), slice_.end - slice_.begin, set_.revisions.size(),
          slice_.begin);
    }
    if (cut > 0) {
      fmt::print(
          "Two databases at once: the second applies the revisions before {} up only and "
          "round-trips the rest (--jobs 1: one database)\n",
          set_.revisions[cut].Label());
    }
  }
  roundtrip::ProgressListener* Revisions() override { return &revisions_; }
  void Shard(const ShardArg& shard, roundtrip::ShardSlice slice) {
    shard_ = shard;
    slice_ = slice;
  }
  void RoundtripDone(const roundtrip::Result& result, std::chrono::milliseconds setup) override {
    if (!result.snapshots_fallback.empty()) {
      fmt::print(stderr,
                 "note: the catalog was read in full after every step: {}; with a superuser "
                 "--server-url only what each step touched is re-read (docs/roundtrip.md)\n",
                 result.snapshots_fallback);
    }
    if (!text_) return;
    // Each revision counted once: skipped (--skip), up only (--from, --min-downgrade, --base),
    // irreversible, or reversible (it went up, down and up); those that build on a failed up
    // did not run.
    int skipped = 0, up_only = 0, not_run = 0, one_way = 0;
    for (const roundtrip::RevisionResult& r : result.revisions) {
      if (r.irreversible) continue;  // in result.irreversible
      if (!r.skipped_because.empty()) {
        ++not_run;
      } else if (r.irreversible_marker) {
        ++one_way;  // -- stairway:irreversible
      } else if (r.skipped) {
        ++skipped;
      } else if (r.up_only) {
        ++up_only;
      }
    }
    const int checked = static_cast<int>(result.revisions.size()) - not_run;
    const int reversible = checked - result.irreversible - skipped - up_only - one_way;
    fmt::print(
        "{}: {} of {} revisions checked, {} reversible, {} irreversible{}{}{}{} in {} (setup "
        "{})\n",
        result.failed ? "FAILED" : "Total", checked, set_.revisions.size(), reversible,
        result.irreversible,
        one_way > 0 ? fmt::format(", {} intentionally irreversible", one_way) : "",
        up_only > 0 ? fmt::format(", {} up only", up_only) : "",
        skipped > 0 ? fmt::format(", {} skipped", skipped) : "",
        result.findings > 0 ? fmt::format(", {} findings", result.findings) : "",
        FormatMs(result.total), FormatMs(setup));
    const std::vector<std::string> failed = result.FailedRevisions();
    if (!failed.empty()) {
      fmt::print("{} revision{} failed: {}\n", failed.size(), failed.size() == 1 ? "" : "s",
                 fmt::join(failed, ", "));
    }
    if (not_run > 0) {
      fmt::print("{} revision{} skipped: they build on a revision whose up failed\n", not_run,
                 not_run == 1 ? "" : "s");
    }
    if (!result.not_run.empty()) {
      fmt::print("{} revision{} not run: {}\n", result.not_run.size(),
                 result.not_run.size() == 1 ? "" : "s", result.not_run_reason);
    }
    if (result.irreversible > 0 && !args_.allow_irreversible && !result.failed) {
      fmt::print(
          "Irreversible revisions fail the check: add a down section, or pass "
          "--allow-irreversible if they are meant to be one-way.\n");
    }
    std::fflush(stdout);
  }
  void AlembicLintDone(const report::Report& lint) override {
    if (!text_) return;
    int skipped = 0;
    for (const report::Step& step : lint.steps) skipped += step.skipped ? 1 : 0;
    fmt::print("Lint of {} Alembic revision files: {} finding{}{}\n", lint.steps.size() - skipped,
               lint.findings.size(), lint.findings.size() == 1 ? "" : "s",
               skipped > 0 ? fmt::format(", {} not linted (below)", skipped) : "");
  }
  void DriftStarting(const std::string& model_name) override {
    if (progress_) fmt::print(stderr, "drift: {} vs {} at head\n", model_name, set_.dir.string());
  }
  void DriftDone(const drift::Result& result) override {
    if (!text_) return;
    fmt::print("Drift of {} against {}: {}\n", result.other_label, result.migrations_label,
               result.HasDrift() ? fmt::format("{} difference{}", result.findings.size(),
                                               result.findings.size() == 1 ? "" : "s")
                                 : "no drift");
    std::fflush(stdout);
  }

 private:
  static std::size_t Width(const source::MigrationSet& set) {
    std::size_t width = 8;
    for (const source::Revision& rev : set.revisions) width = std::max(width, rev.Label().size());
    return width;
  }

  const source::MigrationSet& set_;
  const VerifyArgs& args_;
  std::optional<ShardArg> shard_;
  roundtrip::ShardSlice slice_{0, 0};
  bool text_;
  bool progress_;
  RoundtripPrinter revisions_;
};

// The drift model `args` and stairway.toml name, read, or nullopt when the run has none.
std::optional<verify::Model> ReadModel(const source::MigrationSet& set, const VerifyArgs& args,
                                       const Config& config, bool drift_asked,
                                       std::optional<AlembicModel>& alembic_model) {
  std::optional<fs::path> path;
  if (!args.model.empty()) {
    path = args.model;
  } else if (config.verify.model) {
    path = config.verify.model;
  }
  // An Alembic project's model is its SQLAlchemy metadata: env.py's target_metadata, or
  // --model module:attr (a --model ending in .sql stays DDL). Without --drift or --model, a
  // project whose env.py names no target_metadata simply has no model drift.
  const bool alembic_sql_model = IsAlembic(set) && args.model.ends_with(".sql");
  if (IsAlembic(set) && !alembic_sql_model) path.reset();  // [verify] model is for SQL projects
  if (IsAlembic(set) && !alembic_sql_model && drift_asked) {
    alembic_model =
        LoadAlembicModel(set, args.source, args.model, args.drift || !args.model.empty());
  }
  verify::Model model;
  model.options.snapshot.owners = schema::Owners::kIgnore;
  if (IsAlembic(set)) {
    model.options.snapshot = WithoutAlembicVersion(set, model.options.snapshot);
    model.options.code_steps = AlembicCodeSteps(set, args.source);
  }
  if (alembic_model) {
    model.name = alembic_model->model.origin;
    return model;
  }
  if (!path) return std::nullopt;
  if (!drift_asked) return std::nullopt;
  std::optional<std::string> text = ReadWholeFile(*path);
  if (!text) {
    throw StopError(Error::Input(fmt::format(
        "{}: cannot read the drift model; fix --model or [verify] model", path->string())));
  }
  model.name = path->string();
  model.path = *path;
  model.sql = std::move(*text);
  return model;
}

int RunVerify(const GlobalOptions& global, const VerifyArgs& args) {
  // Everything the user typed is checked before a database starts.
  const std::vector<ReportOutput> outputs = args.report_flags.Resolve();
  if (args.keep && args.jobs == 2) {
    throw StopError(Error::Input(
        "--keep keeps one database, and --jobs 2 uses two: drop one of the two options"));
  }
  verify::Request request;
  request.fail_level = ParseFailLevel(args.fail_level);
  const std::optional<ShardArg> shard = ParseShard(args.shard);
  const Config config = LoadConfig(args.source.config, fs::path(args.source.dir));
  const source::MigrationSet set = LoadSet(args.source);
  request.set = &set;
  const bool any_selected = args.roundtrip || args.lint || args.drift;
  request.checks.roundtrip = any_selected ? args.roundtrip : true;
  request.checks.lint = any_selected ? args.lint : true;
  // Without --drift, drift runs when a model is configured (an Alembic project: when env.py
  // hands Alembic a target_metadata).
  std::optional<AlembicModel> alembic_model;
  request.model = ReadModel(set, args, config, any_selected ? args.drift : true, alembic_model);
  request.checks.drift = any_selected ? args.drift : request.model.has_value();
  request.checks.lock_trace = args.lock_trace;

  roundtrip::Options& options = request.roundtrip;
  options.irreversible =
      args.allow_irreversible ? roundtrip::Irreversible::kAllow : roundtrip::Irreversible::kFail;
  request.allow_irreversible = args.allow_irreversible;
  request.allow_multiple_heads = args.allow_multiple_heads;
  request.jobs = args.jobs;
  options.fail_fast = args.fail_fast;
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
  // --base: the PR checks against the base commit run first in the pipeline, before any
  // database starts.
  if (!args.base.empty()) {
    verify::PrOptions pr;
    pr.base = args.base;
    pr.allow_edit = args.allow_edit;
    request.pr = std::move(pr);
  } else if (!args.allow_edit.empty()) {
    throw StopError(
        Error::Input("--allow-edit needs --base REF: it allows an edit the PR checks "
                     "against REF would report"));
  }
  // Intended data changes: [verify.data_change], then --data-change (which wins per revision).
  options.data_changes = config.verify.data_change;
  for (const std::string& spec : args.data_change) {
    const std::size_t eq = spec.find('=');
    const std::string version = spec.substr(0, eq);
    const std::string reason = eq == std::string::npos ? "" : spec.substr(eq + 1);
    if (version.empty() || reason.find_first_not_of(" \t") == std::string::npos) {
      throw StopError(Error::Input(fmt::format(
          "--data-change {}: give the revision and why its data changes on purpose, e.g. "
          "--data-change 0005=\"backfill upper-case names\"",
          spec)));
    }
    options.data_changes[version] = reason;
  }
  // Checked here too (the roundtrip checks again) so that a typo costs no database.
  for (const auto& [version, reason] : options.data_changes) {
    roundtrip::ResolveOption(set, version, "--data-change");
  }
  if (options.from) roundtrip::ResolveOption(set, *options.from, "--from");
  for (const std::string& revision : options.skip)
    roundtrip::ResolveOption(set, revision, "--skip");
  if (options.min_downgrade) {
    roundtrip::ResolveOption(set, *options.min_downgrade, "--min-downgrade");
  }
  // --shard: this job round-trips and lints its slice of the revisions; drift checks the head
  // once, in shard 1.
  roundtrip::ShardSlice slice{0, static_cast<int>(set.revisions.size())};
  if (shard) {
    // Shard 1's drift check applies every up once more: counted so the slices stay even.
    slice =
        roundtrip::SliceForShard(roundtrip::RevisionCosts(set, options), shard->index, shard->count,
                                 request.checks.drift ? static_cast<int>(set.revisions.size()) : 0);
    options.share_begin = slice.begin;
    options.share_end = slice.end;
  }
  const bool run_roundtrip = request.checks.roundtrip, run_lint = request.checks.lint,
             run_drift = request.checks.drift;
  request.checks.roundtrip = run_roundtrip && slice.begin < slice.end;
  request.checks.drift = run_drift && (!shard || shard->index == 1);
  // Each shard traces its slice's revisions: inside its roundtrip, or (without one) in an apply
  // of its own whose findings KeepShard cuts to the slice.
  request.checks.lock_trace = args.lock_trace && slice.begin < slice.end;
  // Setup SQL for each throwaway database. Made before the pipeline's sandbox, so it outlives
  // the databases: the roles it made on a --server-url server are dropped after them.
  std::optional<VerifySetup> setup;
  if (!args.setup.empty()) {
    setup.emplace(args.setup);
  } else if (config.verify.setup) {
    setup.emplace(*config.verify.setup);
  }
  if (setup) {
    request.prepare_database = [&setup, &args](db::Session& session, sandbox::Sandbox& box,
                                               bool first) {
      // Cluster-wide objects the setup makes outlive the throwaway database on a user's
      // server; a private cluster goes away whole.
      if (first && !args.server_url.empty()) {
        setup->TrackRoles(session, box.AdminUrl(), args.keep);
      }
      setup->Run(session);
    };
  }
  if (IsAlembic(set)) {
    verify::AlembicProject project;
    project.start_helper = [&set, &args] {
      std::unique_ptr<applier::AlembicSteps> helper = StartAlembic(set, args.source);
      PreloadAlembic(*helper, set);
      return helper;
    };
    // The request is moved into the pipeline: the applier options come from there.
    project.connect = [](applier::AlembicSteps& steps, const std::string& url,
                         const applier::Options& applier) { ConnectAlembic(steps, url, applier); };
    if (alembic_model) {
      project.check_model = [&](sandbox::Sandbox& box, const schema::SnapshotOptions& snapshot) {
        return CheckAlembicModel(*alembic_model, set, args.source, box, snapshot);
      };
    }
    request.alembic = std::move(project);
  }
  if (request.checks.lint) {
    request.lint = config.lint;
    lint::ValidateOptions(request.lint).ThrowIfError();
  }
  if (!args.server_url.empty()) request.sandbox.server_url = args.server_url;
  request.sandbox.keep = args.keep;
  request.sandbox.connect_server = ConnectWaiting;  // --wait

  const bool text_to_stdout = [&] {
    for (const ReportOutput& output : outputs) {
      if (output.to_stdout() && output.format == report::Format::kText) return true;
    }
    return false;
  }();
  const bool progress = isatty(STDERR_FILENO) == 1 && !global.quiet;
  VerifyPrinter printer(set, args, text_to_stdout, progress);
  if (shard) printer.Shard(*shard, slice);
  verify::Outcome outcome = verify::Run(std::move(request), printer);
  report::Report& combined = outcome.report;
  if (shard) {
    KeepShard(combined, set, slice, *shard);
    combined.shard = report::ShardInfo{shard->index, shard->count, slice.begin, slice.end, {}};
    for (const auto& [check, ran] :
         {std::pair{"roundtrip", run_roundtrip}, {"lint", run_lint}, {"drift", run_drift}}) {
      if (ran) combined.shard->checks.push_back(check);
    }
    if (text_to_stdout && slice.begin == slice.end) {
      fmt::print("Shard {}/{}: no revisions to round-trip (more shards than the history needs)\n",
                 shard->index, shard->count);
    }
  }
  // The verdict goes into the JSON report, so `report merge` judges shards the same way; a
  // shard's lint findings are those of its slice.
  const std::optional<Severity> fail = ParseFailLevel(args.fail_level);
  report::Verdict verdict{fail ? std::string(SeverityName(*fail)) : "none", outcome.failed_checks,
                          0};
  verdict.exit_code = verdict.failed_checks || (fail && combined.Count(*fail) > 0)
                          ? static_cast<int>(ExitCode::kFindings)
                          : 0;
  combined.set = DescribeSet(set);
  combined.verdict = verdict;
  WriteReports(combined, outputs, global.no_color);
  if (args.keep && outcome.box) {
    fmt::print(stderr, "Kept database {}:\n{}\n",
               outcome.database ? outcome.database->name() : std::string("(drift only)"),
               outcome.box->ConnectHelp());
  }
  const int exit_code = verdict.exit_code;
  return exit_code;
}

}  // namespace

RunFn SetupVerify(CLI::App& sub, GlobalOptions& global) {
  auto args = std::make_shared<VerifyArgs>();
  AddSourceOptions(sub, args->source, DirArgument::kPositional);
  sub.add_flag("--roundtrip", args->roundtrip,
               "Run the roundtrip check: up, down, up for each revision, full catalog compared");
  sub.add_flag("--lint", args->lint, "Run the linter on the migration set");
  sub.add_flag("--lock-trace", args->lock_trace,
               "Trace each revision's statements during the roundtrip's first up (without "
               "--roundtrip: in an apply of its own): locks on tables that existed before, "
               "rewrites, as findings beside the lint (docs/verify.md)");
  sub.add_flag("--drift", args->drift,
               "Compare the model DDL (--model or [verify] model) with the migrations at head");
  args->report_flags.Add(
      sub,
      "Report format, repeatable: text (default), json, sarif, github, junit, markdown, "
      "codequality");
  sub.add_option("--fail-level", args->fail_level,
                 "Exit 1 on lint findings at or above: error, warning (default), info, none");
  sub.add_option("--config", args->source.config,
                 "stairway.toml to read (default: see docs/configuration.md)");
  sub.add_option("--model", args->model,
                 "Model DDL for the drift check (overrides the config); in an Alembic project "
                 "also module:attr");
  sub.add_option("--from", args->from, "Round-trip from this revision; earlier ones go up only");
  sub.add_option("--base,--changed-since", args->base,
                 "PR checks against this git ref (docs/pr-gate.md): edited, deleted or\n"
                 "out-of-order migrations are errors; only revisions changed since it round-trip");
  sub.add_option("--allow-edit", args->allow_edit,
                 "With --base: this already-merged revision was edited on purpose (repeatable)")
      ->allow_extra_args(false);
  sub.add_option("--skip", args->skip,
                 "Apply this revision up only: its version, the label the table prints "
                 "(0003_add_orders) or a unique prefix (repeatable)")
      ->allow_extra_args(false);
  sub.add_option("--min-downgrade", args->min_downgrade,
                 "Do not down-test revisions before this one");
  sub.add_option("--fixtures", args->fixtures,
                 "Data fixtures directory (default: <DIR>/fixtures or [verify] fixtures)");
  sub.add_option("--data-change", args->data_change,
                 "REV=REASON: the revision changes fixture data on purpose (a backfill); the "
                 "fixtures check notes its changes instead of reporting data loss (repeatable; "
                 "or -- stairway:data-change REASON in the file)")
      ->allow_extra_args(false);
  sub.add_option("--setup", args->setup,
                 "SQL run on each throwaway database before the first revision (schemas,\n"
                 "extensions, roles the migrations expect; default: [verify] setup)")
      ->type_name("FILE");
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
  sub.add_flag("--fail-fast", args->fail_fast,
               "Stop the roundtrip at the first failing step (default: report it and go on)");
  sub.add_option("--shard", args->shard,
                 "Check share I of N (1/3, 2/3, 3/3 in N CI jobs): round-trip and lint this job's\n"
                 "slice of the revisions, apply the ones before it up only; join the jobs'\n"
                 "--report json files with `stairway report merge` (docs/roundtrip.md)")
      ->type_name("I/N");
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
      "  stairway verify migrations --base origin/main --report github\n"
      "\n"
      "Exit codes: 0 ok; 1 findings: lint at or above --fail-level, roundtrip findings (an up,\n"
      "down or re-up that fails included), irreversible revisions, drift; 2 bad input or usage;\n"
      "3 the check could not run (cluster could not start, server unreachable); 4 internal error\n"
      "(docs/exit-codes.md).");
  return [&global, args] { return RunVerify(global, *args); };
}

}  // namespace stairway::cli

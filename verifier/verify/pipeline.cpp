// The verify pipeline; see pipeline.h.
#include "verifier/verify/pipeline.h"

#include <fmt/format.h>
#include <sys/resource.h>
#include <unistd.h>

#include <exception>
#include <future>
#include <mutex>
#include <set>
#include <thread>
#include <utility>
#include <vector>

#include "runner/common/error.h"
#include "verifier/lint/alembic_lint.h"
#include "verifier/preflight/lock_trace.h"
#include "verifier/roundtrip/roundtrip_report.h"

namespace stairway::verifier::verify {

namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point since) {
  return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

// An Alembic project with several heads: `alembic upgrade head` refuses it.
std::optional<report::Finding> MultipleHeads(const source::MigrationSet& set, bool allowed) {
  const std::vector<std::string> heads = set.Heads();
  if (heads.size() < 2) return std::nullopt;
  report::Finding f;
  f.check = "roundtrip";
  f.rule = "alembic-multiple-heads";
  f.severity = allowed ? Severity::kInfo : Severity::kError;
  std::string names;
  for (const std::string& h : heads) {
    const source::Revision* rev = set.Find(h);
    names +=
        fmt::format("{}{} ({})", names.empty() ? "" : ", ", h, rev ? rev->up.path.string() : "?");
  }
  f.message = fmt::format("{} heads: {}", heads.size(), names);
  f.help = fmt::format(
      "`alembic upgrade head` refuses several heads: merge them (`alembic merge -m \"merge "
      "heads\" {}`), or pass --allow-multiple-heads if the branches are meant to stay apart",
      fmt::join(heads, " "));
  return f;
}

// A failed step after migrations stairway could not run says so: the failure may come from one
// of them not having run.
void NoteUnrunnableBefore(const source::MigrationSet& set, report::Finding& failed) {
  for (const source::Revision& rev : set.revisions) {
    if (rev.Label() != failed.revision) continue;
    for (const source::UnrunnableMigration* m : set.UnrunnableBefore(rev.version)) {
      failed.message += fmt::format(" (note: {}; this failure may come from it)", m->Describe());
    }
  }
}

// verify --base: lint reports only the revisions changed since the base, as `lint --base` does;
// the others are still read, for what they make (the schema later statements act on).
void ReportChangedOnly(const source::MigrationSet& set,
                       const std::optional<std::vector<std::string>>& versions,
                       lint::LintGroup& group) {
  if (!versions) return;
  std::set<std::string> changed;
  for (const std::string& version : *versions) {
    if (const source::Revision* rev = set.Find(version)) changed.insert(rev->Label());
  }
  for (lint::LintUnit& unit : group.units) unit.report = changed.count(unit.revision) > 0;
}

// For work on a thread of its own that nothing waits for until the end (lint, the rest of the PR
// checks): a lower priority for this thread only (Linux: nice is per thread), so that on a busy
// machine it takes the cores the roundtrip's critical path leaves idle, not its share of them.
void RunInBackground() {
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
}

// Puts `first`'s steps, findings and rules ahead of what `report` holds already.
void PutFirst(report::Report& report, report::Report first) {
  std::swap(report.steps, first.steps);
  std::swap(report.findings, first.findings);
  std::swap(report.rules, first.rules);
  report.Merge(std::move(first));
}

}  // namespace

Outcome Run(Request request, Listener& listener) {
  const source::MigrationSet& set = *request.set;
  const bool alembic = IsAlembic(set) && request.alembic.has_value();
  Outcome outcome;
  report::Report& combined = outcome.report;
  combined.command = "verify";
  if (request.checks.drift && !request.model) {
    throw StopError(Error::Input(
        "--drift needs a model: pass --model FILE.sql or set model = \"path.sql\" under [verify] "
        "in stairway.toml"));
  }

  // The roundtrip's sandbox and first database are made on a thread of their own while the PR
  // checks, lint and the Alembic helper's start run: on a --server-url the CREATE DATABASE alone
  // costs 0.2-0.3 s. A run that stops on an input error first drops them again (the future
  // waits for them when it goes). Not with --keep, which would keep a cluster nobody asked for.
  struct Early {
    std::unique_ptr<sandbox::Sandbox> box;
    std::unique_ptr<sandbox::ThrowawayDatabase> database;  // destroyed first: dropped, then box
    std::optional<db::Session> session;                    // on `database`; closed before it
  };
  std::future<Early> early;
  if (request.checks.roundtrip && !request.sandbox.keep) {
    early = std::async(std::launch::async, [&sandbox_options = request.sandbox] {
      Early made;
      made.box = sandbox::OpenSandbox(sandbox_options);
      made.database = made.box->CreateDatabase();
      made.session.emplace(db::Session::Connect(made.database->url()));
      return made;
    });
  }

  // verify --base: the changed revisions first (git only), then the rest of the PR checks (the
  // base's set loaded and compared) on a thread beside the roundtrip; its report goes first.
  std::optional<PrCheck> pr_check;
  std::optional<std::vector<std::string>> changed;
  std::future<PrResult> pr_rest;
  if (request.pr) {
    PrSelection selection = pr_check.emplace(set, *request.pr).Select().ValueOrThrow();
    listener.PrSelected(selection);
    changed = selection.changed;
    request.roundtrip.only = std::move(selection.changed);
    pr_rest = std::async(std::launch::async, [&pr_check] {
      RunInBackground();
      return pr_check->Finish().ValueOrThrow();
    });
  }
  std::optional<PrResult> pr;
  const auto await_pr = [&] {
    if (!pr_rest.valid()) return;
    pr = pr_rest.get();
    PutFirst(combined, std::move(pr->report));
  };

  // Alembic: each roundtrip database gets its own helper in the project's Python, connected to
  // it. The first starts now on a thread of its own (Python's imports and the revisions' take a
  // second or two), while the database is made and the change watch installed; the lint's
  // offline rendering runs on that helper first. A Python that cannot be found or a revision
  // that cannot be imported is reported before the first step, as an input error.
  std::mutex helper_mutex;
  // Alembic lint: every revision rendered offline; the ones that cannot be rendered without a
  // database are linted from what they execute in the roundtrip (`capture`).
  std::vector<lint::AlembicSection> alembic_sections;
  auto capture = std::make_shared<applier::StatementCapture>();
  std::future<std::unique_ptr<applier::AlembicSteps>> first_start;
  if (alembic && (request.checks.roundtrip || request.checks.lint)) {
    first_start = std::async(std::launch::async, [&, lint = request.checks.lint] {
      std::unique_ptr<applier::AlembicSteps> helper = request.alembic->start_helper();
      if (lint) {
        alembic_sections = lint::RenderAlembicSections(helper->helper(), set);
        for (const lint::AlembicSection& s : alembic_sections) {
          if (!s.rendered.ok) capture->Want(s.file(), s.up);
        }
      }
      return helper;
    });
  }
  // Waits for the first helper (its render done), once; rethrows its failure to every caller.
  std::unique_ptr<applier::AlembicSteps> first_helper;
  std::exception_ptr first_error;
  const auto await_first = [&] {
    std::lock_guard lock(helper_mutex);
    if (first_start.valid()) {
      try {
        first_helper = first_start.get();
      } catch (...) {
        first_error = std::current_exception();
      }
    }
    if (first_error) std::rethrow_exception(first_error);
  };
  roundtrip::Options& options = request.roundtrip;
  options.databases_dropped_after = !request.sandbox.keep;
  // A helper connected to a database: the first one started, else a new one.
  preflight::CodeStepsFor alembic_steps;
  if (alembic) {
    alembic_steps = [&](db::Session& session) -> std::unique_ptr<applier::CodeSteps> {
      await_first();  // also for a second database: the capture must know what to keep first
      std::unique_ptr<applier::AlembicSteps> steps;
      {
        std::lock_guard lock(helper_mutex);
        steps = std::move(first_helper);
      }
      if (!steps) steps = request.alembic->start_helper();
      request.alembic->connect(*steps, session.url_with_password(), options.applier);
      steps->CaptureInto(capture);
      return steps;
    };
  }
  if (alembic && request.checks.roundtrip) options.code_steps = alembic_steps;

  if (IsAlembic(set)) {
    if (std::optional<report::Finding> heads = MultipleHeads(set, request.allow_multiple_heads)) {
      combined.findings.push_back(std::move(*heads));
    }
  }
  // Migrations in code (goose .go, Flyway Java) are named, never left out in silence.
  for (const source::UnrunnableMigration& m : set.unrunnable) {
    report::Finding f;
    f.check = request.checks.roundtrip ? "roundtrip" : "lint";
    f.rule = "not-runnable";
    f.severity = Severity::kInfo;
    f.path = m.path.string();
    f.revision = m.Label();
    f.message = m.Describe() + "; failures after it may come from it";
    f.help =
        "stairway runs SQL migrations only: the revisions after it were checked without what it "
        "does; write its change as SQL, or have the setup file (--setup) do it";
    combined.findings.push_back(std::move(f));
  }
  // SQL lint runs on a thread of its own beside the roundtrip, which mostly waits for the
  // server; its report is merged first all the same, so findings keep their order.
  std::future<report::Report> sql_lint;
  if (request.checks.lint && !IsAlembic(set)) {
    listener.LintStarting();
    lint::LintGroup group = lint::GroupFromMigrationSet(set);
    ReportChangedOnly(set, changed, group);
    sql_lint = std::async(std::launch::async, [group = std::move(group), &request]() mutable {
      RunInBackground();
      return lint::Lint({std::move(group)}, request.lint).ValueOrThrow();
    });
  }
  const auto merge_sql_lint = [&] {
    if (sql_lint.valid()) combined.Merge(sql_lint.get());
  };

  bool roundtrip_failed = false;
  // --lock-trace with the roundtrip: the trace rides on its first up of each revision.
  preflight::FirstUpTraces traces;
  std::set<std::string> traced;  // the revisions the roundtrip reported
  if (request.checks.lock_trace && request.checks.roundtrip) {
    options.trace_first_up = [&traces](db::Session&) { return traces.ForDatabase(); };
  }
  if (request.checks.roundtrip) {
    const Clock::time_point started = Clock::now();
    // A second database takes the later half of the round trips when it pays off (--jobs).
    const int jobs = request.jobs > 0 ? request.jobs
                     : request.sandbox.keep || std::thread::hardware_concurrency() < 2 ? 1
                                                                                       : 2;
    const int cut = jobs == 2 ? roundtrip::SplitPoint(set, options) : 0;
    // Split while the database is being made: the first up comes sooner (200 revisions: 5 ms).
    if (!options.steps) {
      options.steps =
          std::make_shared<const roundtrip::PreparedSteps>(roundtrip::PrepareSteps(set));
    }
    std::optional<db::Session> early_session;
    if (early.valid()) {
      Early made;
      try {
        made = early.get();
      } catch (...) {
        // A helper that cannot start is an input error, and was reported first before.
        if (first_start.valid()) await_first();
        throw;
      }
      outcome.box = std::move(made.box);
      outcome.database = std::move(made.database);
      early_session = std::move(made.session);
    } else {
      outcome.box = sandbox::OpenSandbox(request.sandbox);
      outcome.database = outcome.box->CreateDatabase();
    }
    // After a failed step that leaves the database half-way, the run goes on on a new one.
    sandbox::Sandbox& box = *outcome.box;
    const auto& prepare = request.prepare_database;
    options.fresh_database = [&box, &prepare] {
      std::unique_ptr<sandbox::ThrowawayDatabase> fresh = box.CreateDatabase();
      if (prepare) {
        db::Session session = db::Session::Connect(fresh->url());
        prepare(session, box, false);
      }
      return fresh;
    };
    const auto setup =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
    // A helper that failed already (no Python, say) is reported before the roundtrip's header.
    if (first_start.valid() &&
        first_start.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      await_first();
    }
    listener.RoundtripStarting(cut);
    roundtrip::Result result;
    {
      db::Session session =
          early_session ? std::move(*early_session) : db::Session::Connect(outcome.database->url());
      early_session.reset();
      if (prepare) prepare(session, box, true);
      if (cut > 0) {
        // Made on the second database's thread while the first one already works.
        std::unique_ptr<sandbox::ThrowawayDatabase> second_database;
        std::optional<db::Session> second;
        const auto open_second = [&]() -> db::Session& {
          try {
            second_database = outcome.box->CreateDatabase();
            db::Session& opened = second.emplace(db::Session::Connect(second_database->url()));
            if (prepare) prepare(opened, box, false);
            return opened;
          } catch (const StopError& e) {
            if (e.error().kind == ErrorKind::kInput) throw;  // the setup file's own error
            Error error = e.error();
            error.message += " (the second throwaway database; --jobs 1 uses only one)";
            throw StopError(std::move(error));
          }
        };
        result = roundtrip::RunSplit(session, open_second, set, options, cut, listener.Revisions());
        if (second_database && second_database->LeaveToServerRemoval() && second) {
          second->SkipExitWait();
        }
      } else {
        result = roundtrip::Run(session, set, options, {}, listener.Revisions());
      }
      // Done with: on the private cluster, removed whole at the end, it is not dropped.
      if (outcome.database->LeaveToServerRemoval()) session.SkipExitWait();
    }
    roundtrip_failed = result.ExitCode(options.irreversible) != 0;
    for (const roundtrip::RevisionResult& r : result.revisions) traced.insert(r.label);
    listener.RoundtripDone(result, setup);
    merge_sql_lint();
    report::Report rt = roundtrip::ToReport(result, set);
    rt.command = "verify";
    for (report::Finding& f : rt.findings) {
      if (f.rule == "roundtrip-step-failed") NoteUnrunnableBefore(set, f);
      // Allowed irreversible revisions stay in the report as notes, not failures.
      if (f.rule == "roundtrip-irreversible" && request.allow_irreversible) {
        f.severity = Severity::kInfo;
      }
    }
    combined.Merge(std::move(rt));
  }
  merge_sql_lint();
  await_pr();

  if (first_start.valid() || first_error) await_first();  // lint only: its render; or a failure
  if (request.checks.lint && alembic) {
    // After the roundtrip: it captured what the revisions that need a database executed.
    listener.LintStarting();
    lint::AlembicLintInput input = lint::AlembicLintGroup(
        alembic_sections, capture.get(),
        request.checks.roundtrip ? "the roundtrip did not run it"
                                 : "`stairway verify --roundtrip --lint` lints what it "
                                   "executes on a throwaway database");
    ReportChangedOnly(set, changed, input.group);
    report::Report lint_report = lint::LintAlembic(std::move(input), request.lint);
    listener.AlembicLintDone(lint_report);
    combined.Merge(std::move(lint_report));
  }

  if (request.checks.lock_trace) {
    // The lint's findings, to say where the trace saw what no rule flagged (line 0: anywhere in
    // the file). Paths by their normal form: the roundtrip names an Alembic file
    // "./alembic/versions/a1.py", its lint "alembic/versions/a1.py".
    const auto normal = [](const std::string& p) {
      return std::filesystem::path(p).lexically_normal().string();
    };
    std::set<std::pair<std::string, int>> linted;
    for (const report::Finding& f : combined.findings) {
      if (f.check != "lint") continue;
      linted.insert({normal(f.path), f.line});
      linted.insert({normal(f.path), 0});
    }
    preflight::LintedAt at;
    if (request.checks.lint) {
      at = [&](const std::string& path, int line) {
        return linted.count({normal(path), line}) > 0;
      };
    }
    if (request.checks.roundtrip) {
      // Its duration: the trace's own queries during the roundtrip.
      combined.Merge(preflight::LockTraceReport(traces.Statements(set, traced), at,
                                                "lock trace of each revision's first up",
                                                traces.ReadMs()));
    } else {
      // Without the roundtrip the revisions are applied once, for the trace alone.
      if (!outcome.box) outcome.box = sandbox::OpenSandbox(request.sandbox);
      combined.Merge(
          preflight::TraceRevisions(*outcome.box, set, options.applier, at, alembic_steps));
    }
  }

  bool drifted = false;
  if (request.checks.drift) {
    const Clock::time_point started = Clock::now();
    Model& model = *request.model;
    listener.DriftStarting(model.name);
    if (!outcome.box) outcome.box = sandbox::OpenSandbox(request.sandbox);
    const drift::Result result =
        alembic && request.alembic->check_model
            ? request.alembic->check_model(*outcome.box, model.options.snapshot)
            : drift::CheckModel(*outcome.box, set, model.path.value_or(model.name), model.sql,
                                model.options);
    drifted = result.HasDrift();
    // Findings point at the model file, or (an Alembic model) at the class of the table.
    report::Report dr =
        drift::ToReport(result, fmt::format("drift {} vs {}", model.name, result.migrations_label),
                        MsSince(started), model.path ? model.path->string() : std::string());
    listener.DriftDone(result);
    combined.Merge(std::move(dr));
  }

  // Roundtrip findings (a failing step included), drift and PR-check errors always fail; lint at
  // the fail level. Exit 3 is only for a check that could not run: those throw StopError before
  // this point.
  const bool lint_failed = request.fail_level && combined.Count(*request.fail_level) > 0;
  outcome.failed_checks = roundtrip_failed || drifted || (pr && pr->failed);
  outcome.exit_code =
      outcome.failed_checks || lint_failed ? static_cast<int>(ExitCode::kFindings) : 0;
  return outcome;
}

}  // namespace stairway::verifier::verify

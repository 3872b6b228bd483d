// upgrade/downgrade: plan from the history, then run the steps under the migration lock; or,
// with --sql, print the script without connecting.
#include "cli/migrate.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/alembic_support.h"
#include "cli/output.h"
#include "runner/applier/script.h"

namespace stairway::cli {

namespace {

using planner::Direction;

Expected<planner::Plan> MakePlan(const source::MigrationSet& set,
                                 const planner::AppliedSet& applied, const std::string& target,
                                 Direction direction) {
  return direction == Direction::kUp ? planner::PlanUpgrade(set, applied, target)
                                     : planner::PlanDowngrade(set, applied, target);
}

std::string Plural(std::size_t n, std::string_view word) {
  return fmt::format("{} {}{}", n, word, n == 1 ? "" : "s");
}

int RunOffline(const MigrateArgs& args, Direction direction) {
  const source::MigrationSet set = LoadSet(args.source);
  const bool up = direction == Direction::kUp;
  // Where the database is assumed to stand: --from, else base for upgrade and head for downgrade.
  const source::Revision* from = nullptr;
  if (!args.from.empty() && args.from != "base") {
    from = planner::ResolveRevision(set, args.from).ValueOrThrow();
  } else if (args.from.empty() && !up && !set.revisions.empty()) {
    from = &set.revisions.back();
  }
  const planner::AppliedSet applied = planner::AppliedThrough(set, from);
  const planner::Plan plan = MakePlan(set, applied, args.target, direction).ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  applier::ScriptOptions options;
  const applier::Options checked = MakeApplierOptions(args.apply, args.db);
  options.history_schema = checked.history_schema;
  options.lock_timeout = checked.lock_timeout;
  options.statement_timeout = checked.statement_timeout;
  options.title =
      fmt::format("stairway {} {} --sql: {} -> {} ({}, {} format)", up ? "upgrade" : "downgrade",
                  args.target, from ? from->Label() : "base", plan.target_label,
                  Plural(steps.size(), "revision"), source::FormatName(set.format));
  fmt::print("{}", applier::RenderScript(plan, steps, options));
  return 0;
}

}  // namespace

void AddMigrateOptions(CLI::App& sub, GlobalOptions& global, MigrateArgs& args,
                       Direction direction) {
  const bool up = direction == Direction::kUp;
  if (up) {
    args.target = "head";
    sub.add_option("target", args.target, "head (default), a revision, or +N (the next N)")
        ->capture_default_str();
  } else {
    sub.add_option("target", args.target,
                   "-N (undo the newest N), base (undo all), or a revision to go back to (it "
                   "stays applied)")
        ->required();
  }
  AddSourceOptions(sub, args.source);
  AddDatabaseOptions(sub, global, args.db);
  AddApplyFlags(sub, args.apply);
  sub.add_flag("--sql", args.sql,
               "Print the SQL that would run (transactions and history writes included) "
               "without connecting");
  sub.add_option("--from", args.from,
                 up ? "With --sql: the revision the database is at (default base)"
                    : "With --sql: the revision the database is at (default head)");
}

int RunMigrate(const GlobalOptions& global, const MigrateArgs& args, Direction direction) {
  if (!args.from.empty() && !args.sql) {
    throw StopError(Error::Input("--from only goes with --sql (a live run reads the history)"));
  }
  if (args.sql) {
    const source::MigrationSet set = LoadSet(args.source);
    if (IsAlembic(set)) {
      return RunAlembicOffline(set, args.source, MakeApplierOptions(args.apply, args.db),
                               args.target, args.from, direction);
    }
    return RunOffline(args, direction);
  }
  const bool up = direction == Direction::kUp;
  const source::MigrationSet set = LoadSet(args.source);
  if (IsAlembic(set)) {
    return RunAlembicMigrate(global, set, args.source, MakeApplierOptions(args.apply, args.db),
                             args.target, direction);
  }
  const applier::Options options = MakeApplierOptions(args.apply, args.db);
  // A target naming a revision is checked before connecting: a typo costs no connection.
  if (args.target != "head" && args.target != "base" && !args.target.starts_with('+') &&
      !args.target.starts_with('-')) {
    planner::ResolveRevision(set, args.target).ValueOrThrow();
  }
  const std::string url = ResolveDatabaseUrl(global);
  db::Session session = ConnectToUserDatabase(url);
  ConsoleObserver observer(history::Table(options.history_schema).DisplayName());
  applier::Runner runner(session, options, &observer);
  const std::vector<history::Row> rows = runner.ReadHistory();
  const planner::Reconciled state = planner::Reconcile(set, rows);
  runner.CheckClean(state, args.apply.allow_edited ? applier::EditedPolicy::kAllow
                                                   : applier::EditedPolicy::kRefuse);
  const planner::Plan plan = MakePlan(set, state.applied, args.target, direction).ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  const std::string at = state.current ? state.current->Label() : "base";
  if (steps.empty()) {
    Out(fmt::format("Nothing to do: {} is at {}.\n", session.masked_url(), at));
    return 0;
  }
  if (up) {
    // Migrations in code between where the database is and the target are not run: said before
    // the revisions that may need them, not left out in silence.
    const std::string& last = steps.back().step.revision->version;
    for (const source::UnrunnableMigration& m : set.unrunnable) {
      const bool after_current = state.current == nullptr ||
                                 source::CompareVersions(m.version, state.current->version) > 0;
      if (after_current && source::CompareVersions(m.version, last) < 0) {
        std::fflush(stdout);
        fmt::print(stderr, "note: {}; the revisions after it may need what it does\n",
                   m.Describe());
      }
    }
    runner.EnsureHistory();
  }
  Out(fmt::format("{} {} ({}): {}, {} -> {}\n", up ? "Upgrading" : "Downgrading",
                  session.masked_url(), runner.table().DisplayName(),
                  Plural(steps.size(), "revision"), at, plan.target_label));
  std::chrono::milliseconds total{0};
  try {
    for (std::size_t i = 0; i < steps.size(); ++i) {
      total += runner.RunStep(steps[i]);
      // Output nobody reads any more (`upgrade | head -1`, a full disk): the revision that ran
      // is complete; stop before the next one rather than run on unseen.
      if (!OutFailed()) continue;
      const std::string done = up ? "applied" : "undone";
      // Exit 3, not 2: the database has changed (2 promises it has not).
      if (i + 1 == steps.size()) {
        throw StopError(Error::Database(fmt::format(
            "cannot write to standard output: {}. All {} {} (now at {}, as {} records); only "
            "the output is incomplete",
            OutFailure(), Plural(steps.size(), "revision"),
            steps.size() == 1 ? "was " + done : "were " + done, plan.target_label,
            runner.table().DisplayName())));
      }
      throw StopError(Error::Database(fmt::format(
          "cannot write to standard output: {}. Stopped after {} of {} revisions: {} was the last "
          "one {} (complete, and recorded in {}); {} and the rest did not run. Run the same "
          "command again to go on",
          OutFailure(), i + 1, steps.size(), steps[i].step.revision->Label(), done,
          runner.table().DisplayName(), steps[i + 1].step.revision->Label())));
    }
  } catch (const StopError&) {
    observer.StepFailed();
    throw;
  }
  Out(fmt::format("Done: {} {} in {}; now at {}.\n", Plural(steps.size(), "revision"),
                  up ? "applied" : "undone", FormatMs(total), plan.target_label));
  return 0;
}

}  // namespace stairway::cli

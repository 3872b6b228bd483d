// The subcommand table. Adding a subcommand = one declaration and one row here, plus its
// <name>_command.cpp defining the setup function.
#include "cli/command.h"

namespace stairway::cli {

// Setup functions, one per cli/<name>_command.cpp; the ones taking a Project get what the row's
// Needs ask for prepared by the setup stage (cli/setup.h).
RunFn SetupUpgrade(CLI::App& sub, GlobalOptions& global);
RunFn SetupDowngrade(CLI::App& sub, GlobalOptions& global);
RunFn SetupCurrent(CLI::App& sub, GlobalOptions& global, Project& project);
RunFn SetupHistory(CLI::App& sub, GlobalOptions& global, Project& project);
RunFn SetupHeads(CLI::App& sub, GlobalOptions& global);
RunFn SetupStatus(CLI::App& sub, GlobalOptions& global, Project& project);
RunFn SetupStamp(CLI::App& sub, GlobalOptions& global, Project& project);
RunFn SetupRepair(CLI::App& sub, GlobalOptions& global, Project& project);
RunFn SetupVerify(CLI::App& sub, GlobalOptions& global);
RunFn SetupPreflight(CLI::App& sub, GlobalOptions& global);
RunFn SetupSnapshot(CLI::App& sub, GlobalOptions& global);
RunFn SetupDiff(CLI::App& sub, GlobalOptions& global);
RunFn SetupDrift(CLI::App& sub, GlobalOptions& global);
RunFn SetupLint(CLI::App& sub, GlobalOptions& global);
RunFn SetupRules(CLI::App& sub, GlobalOptions& global);
RunFn SetupReport(CLI::App& sub, GlobalOptions& global);
RunFn SetupNew(CLI::App& sub, GlobalOptions& global);
RunFn SetupRevision(CLI::App& sub, GlobalOptions& global);

namespace {
// The set, a session and the history rows read without the lock (current, status).
constexpr Needs kReadsHistory{.set = Need::kYes, .session = Need::kYes, .history = true};
// The files and the database only when given: history works with either alone.
constexpr Needs kHistoryCommand{.set = Need::kIfGiven, .session = Need::kIfGiven, .history = true};
// The set and a session: the command reads the history under the migration lock itself
// (applier::Runner), and an Alembic project's stamp goes through alembic_version.
constexpr Needs kWritesHistory{.set = Need::kYes, .session = Need::kYes};
// repair works on stairway's history table for every format, Alembic too.
constexpr Needs kRepair{.set = Need::kYes, .session = Need::kYes, .own_alembic = false};
}  // namespace

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"upgrade", "Apply pending revisions: head (default), a revision, or +N", SetupUpgrade},
      {"downgrade", "Undo applied revisions: -N, base, or back to a revision", SetupDowngrade},
      {"current", "Print the newest applied revision of the database", SetupCurrent, kReadsHistory},
      {"history", "List the history table's rows", SetupHistory, kHistoryCommand},
      {"heads", "Print the newest revision(s) of the migration set", SetupHeads},
      {"status", "Show each revision: applied, pending, edited, failed", SetupStatus,
       kReadsHistory},
      {"new", "Write the next SQL migration file(s) in the directory's format and numbering",
       SetupNew},
      {"revision", "Alembic: write a new revision file (-m MSG; --autogenerate reviews it too)",
       SetupRevision},
      {"stamp", "Record a revision as the newest applied, without running SQL", SetupStamp,
       kWritesHistory},
      {"repair", "Resolve a failed non-transactional revision after fixing it by hand", SetupRepair,
       kRepair},
      {"verify", "Roundtrip (up, down, up on a throwaway database), lint and drift in one report",
       SetupVerify},
      {"preflight",
       "Rehearse a deploy: back up the target, restore it to a throwaway database, apply what "
       "is pending there with a lock trace",
       SetupPreflight},
      {"snapshot", "Print a database's full catalog snapshot as JSON (URL, file or DIR@REV)",
       SetupSnapshot},
      {"diff", "Compare two catalog snapshots (URLs, files or DIR@REV); exit 1 if they differ",
       SetupDiff},
      {"drift", "Compare a model's DDL or a live database with the migrations; exit 1 on drift",
       SetupDrift},
      {"lint", "Check migration SQL for unsafe locks, rewrites and scans (no database)", SetupLint},
      {"rules", "List the lint rules", SetupRules},
      {"report", "report merge: join the JSON reports of `verify --shard I/N` jobs into one",
       SetupReport},
  };
  return kCommands;
}

}  // namespace stairway::cli

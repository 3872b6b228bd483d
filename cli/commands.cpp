// The subcommand table. Adding a subcommand = one declaration and one row here, plus its
// <name>_command.cpp defining the setup function.
#include "cli/command.h"

namespace stairway::cli {

// Setup functions, one per cli/<name>_command.cpp.
RunFn SetupUpgrade(CLI::App& sub, GlobalOptions& global);
RunFn SetupDowngrade(CLI::App& sub, GlobalOptions& global);
RunFn SetupCurrent(CLI::App& sub, GlobalOptions& global);
RunFn SetupHistory(CLI::App& sub, GlobalOptions& global);
RunFn SetupHeads(CLI::App& sub, GlobalOptions& global);
RunFn SetupStatus(CLI::App& sub, GlobalOptions& global);
RunFn SetupStamp(CLI::App& sub, GlobalOptions& global);
RunFn SetupRepair(CLI::App& sub, GlobalOptions& global);
RunFn SetupVerify(CLI::App& sub, GlobalOptions& global);
RunFn SetupSnapshot(CLI::App& sub, GlobalOptions& global);
RunFn SetupDiff(CLI::App& sub, GlobalOptions& global);
RunFn SetupDrift(CLI::App& sub, GlobalOptions& global);
RunFn SetupLint(CLI::App& sub, GlobalOptions& global);
RunFn SetupRules(CLI::App& sub, GlobalOptions& global);
RunFn SetupReport(CLI::App& sub, GlobalOptions& global);
RunFn SetupNew(CLI::App& sub, GlobalOptions& global);
RunFn SetupRevision(CLI::App& sub, GlobalOptions& global);

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      {"upgrade", "Apply pending revisions: head (default), a revision, or +N", SetupUpgrade},
      {"downgrade", "Undo applied revisions: -N, base, or back to a revision", SetupDowngrade},
      {"current", "Print the newest applied revision of the database", SetupCurrent},
      {"history", "List the history table's rows", SetupHistory},
      {"heads", "Print the newest revision(s) of the migration set", SetupHeads},
      {"status", "Show each revision: applied, pending, edited, failed", SetupStatus},
      {"new", "Write the next SQL migration file(s) in the directory's format and numbering",
       SetupNew},
      {"revision", "Alembic: write a new revision file (-m MSG; --autogenerate reviews it too)",
       SetupRevision},
      {"stamp", "Record a revision as the newest applied, without running SQL", SetupStamp},
      {"repair", "Resolve a failed non-transactional revision after fixing it by hand",
       SetupRepair},
      {"verify", "Roundtrip (up, down, up on a throwaway database), lint and drift in one report",
       SetupVerify},
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

// current, heads, history, status and stamp for Alembic projects: alembic_version is what is
// applied (whoever wrote it: stairway or `alembic`); stairway_history adds when, how long and who.
#include <fmt/format.h>

#include <map>
#include <set>

#include "cli/alembic_commands.h"
#include "cli/alembic_support.h"
#include "cli/json_output.h"
#include "runner/history/alembic_version.h"
#include "runner/planner/alembic_plan.h"

namespace stairway::cli {

namespace {

history::AlembicVersionTable VersionTableOf(const source::MigrationSet& set) {
  return history::AlembicVersionTable(set.alembic.value_or(source::AlembicProject{}));
}

// alembic_version's rows, read only; nullopt when the table does not exist.
std::optional<std::vector<std::string>> ReadVersionRows(db::Session& session,
                                                        const source::MigrationSet& set) {
  return VersionTableOf(set).ReadRows(session);
}

bool IsHeadOf(const source::MigrationSet& set, const std::string& version) {
  for (const std::string& h : set.Heads()) {
    if (h == version) return true;
  }
  return false;
}

// Children per revision (down_revision links), for branchpoints.
std::map<std::string, int> ChildCounts(const source::MigrationSet& set) {
  std::map<std::string, int> out;
  for (const source::Revision& rev : set.revisions) {
    for (const std::string& p : rev.parents) ++out[p];
  }
  return out;
}

std::string Parents(const source::Revision& rev) {
  if (rev.parents.empty()) return "<base>";
  if (rev.parents.size() == 1) return rev.parents.front();
  return fmt::format("({})", fmt::join(rev.parents, ", "));
}

std::string Message(const source::Revision& rev) {
  return rev.alembic && !rev.alembic->message.empty() ? rev.alembic->message : rev.name;
}

std::string Marks(const source::MigrationSet& set, const source::Revision& rev,
                  const std::map<std::string, int>& children) {
  std::string out;
  if (rev.alembic) {
    for (const std::string& label : rev.alembic->branch_labels) out += " (" + label + ")";
  }
  if (IsHeadOf(set, rev.version)) out += " (head)";
  auto it = children.find(rev.version);
  if (it != children.end() && it->second > 1) out += " (branchpoint)";
  if (rev.parents.size() > 1) out += " (mergepoint)";
  return out;
}

// --report json: the revisions of the set in order, each with its state from `applied`
// ("unknown" without it), in the shape of the SQL formats' documents (docs/json.md).
nlohmann::json RevisionsJson(const source::MigrationSet& set,
                             const std::optional<planner::AppliedSet>& applied, bool verbose) {
  nlohmann::json out = nlohmann::json::array();
  for (const source::Revision& rev : set.revisions) {
    nlohmann::json r = RevisionJson(rev, verbose);
    r["state"] = !applied ? "unknown" : applied->count(rev.version) ? "applied" : "pending";
    out.push_back(r);
  }
  return out;
}

}  // namespace

int AlembicCurrent(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                   bool json) {
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global, LookupFor(set)));
  const auto rows = ReadVersionRows(session, set);
  if (json) {
    const planner::AppliedSet applied =
        planner::AppliedFromVersionRows(set, rows.value_or(std::vector<std::string>{}))
            .ValueOrThrow();
    std::set<std::string> parents_applied;
    for (const source::Revision& rev : set.revisions) {
      if (!applied.count(rev.version)) continue;
      for (const std::string& p : rev.parents) parents_applied.insert(p);
    }
    nlohmann::json current = nlohmann::json::array();
    std::set<std::string> tips;
    for (const source::Revision& rev : set.revisions) {
      if (applied.count(rev.version) && !parents_applied.count(rev.version)) {
        current.push_back(RevisionJson(rev, verbose));
        tips.insert(rev.version);
      }
    }
    const std::vector<std::string> heads = set.Heads();
    PrintJson({{"schema", "stairway.current/1"},
               {"format", "alembic"},
               {"directory", set.dir.string()},
               {"database", session.masked_url()},
               {"history_table", VersionTableOf(set).DisplayName()},
               {"history_table_exists", rows.has_value()},
               {"current", current},
               {"at_head", tips == std::set<std::string>(heads.begin(), heads.end())},
               {"has_problems", false}});
    return 0;
  }
  if (!rows || rows->empty()) {
    std::fflush(stdout);
    fmt::print(stderr, "nothing applied: {} {}\n", VersionTableOf(set).DisplayName(),
               rows ? "is empty" : "does not exist");
    return 0;
  }
  // Checks the rows against the files (an unknown revision is an input error, exit 2), then
  // prints what `alembic current` prints: the tips of the applied set along down_revision (a
  // revision reached only through depends_on shows too, though it has no row of its own).
  const planner::AppliedSet applied = planner::AppliedFromVersionRows(set, *rows).ValueOrThrow();
  std::set<std::string> parents_applied;
  for (const source::Revision& rev : set.revisions) {
    if (!applied.count(rev.version)) continue;
    for (const std::string& p : rev.parents) parents_applied.insert(p);
  }
  std::vector<std::string> tips;
  for (const source::Revision& rev : set.revisions) {
    if (applied.count(rev.version) && !parents_applied.count(rev.version)) {
      tips.push_back(rev.version);
    }
  }
  fmt::print("{}", VersionRowsText(set, tips, verbose));
  return 0;
}

int AlembicHeads(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                 bool json) {
  if (json) {
    std::optional<db::Session> session = ConnectIfConfigured(global, LookupFor(set));
    std::optional<planner::AppliedSet> applied;
    if (session) {
      const auto rows = ReadVersionRows(*session, set);
      applied = planner::AppliedFromVersionRows(set, rows.value_or(std::vector<std::string>{}))
                    .ValueOrThrow();
    }
    const nlohmann::json all = RevisionsJson(set, applied, verbose);
    nlohmann::json heads = nlohmann::json::array();
    for (const std::string& head : set.Heads()) {
      for (const nlohmann::json& r : all) {
        if (r["version"] == head) heads.push_back(r);
      }
    }
    PrintJson({{"schema", "stairway.heads/1"},
               {"format", "alembic"},
               {"directory", set.dir.string()},
               {"database", session ? nlohmann::json(session->masked_url()) : nlohmann::json()},
               {"heads", heads}});
    return 0;
  }
  const std::map<std::string, int> children = ChildCounts(set);
  for (const std::string& head : set.Heads()) {
    const source::Revision* rev = set.Find(head);
    fmt::print("{}{}\n", head, rev ? Marks(set, *rev, children) : "");
    if (verbose && rev != nullptr) {
      fmt::print("  Path: {}\n  {}\n", rev->up.path.string(), Message(*rev));
    }
  }
  return 0;
}

int AlembicHistory(const GlobalOptions& global, const source::MigrationSet& set, bool verbose,
                   bool json) {
  if (json) {
    std::optional<db::Session> session = ConnectIfConfigured(global, LookupFor(set));
    std::optional<planner::AppliedSet> applied;
    std::optional<std::vector<std::string>> rows;
    if (session) {
      rows = ReadVersionRows(*session, set);
      applied = planner::AppliedFromVersionRows(set, rows.value_or(std::vector<std::string>{}))
                    .ValueOrThrow();
    }
    PrintJson(
        {{"schema", "stairway.history/1"},
         {"format", "alembic"},
         {"directory", set.dir.string()},
         {"database", session ? nlohmann::json(session->masked_url()) : nlohmann::json()},
         {"history_table", VersionTableOf(set).DisplayName()},
         {"history_table_exists", session ? nlohmann::json(rows.has_value()) : nlohmann::json()},
         {"rows", nullptr},
         {"revisions", RevisionsJson(set, applied, verbose)}});
    return 0;
  }
  // The database is optional: without one the graph is listed without applied marks.
  std::optional<planner::AppliedSet> applied;
  std::string note;
  try {
    const std::string url = ResolveDatabaseUrl(global, LookupFor(set));
    db::Session session = ConnectToUserDatabase(url);
    const auto rows = ReadVersionRows(session, set);
    applied = planner::AppliedFromVersionRows(set, rows.value_or(std::vector<std::string>{}))
                  .ValueOrThrow();
  } catch (const StopError& e) {
    if (global.database_url) throw;  // asked for a database explicitly: its failure counts
    note = e.kind() == ErrorKind::kInput && e.error().message.starts_with("no database")
               ? "no database given: applied revisions are not marked"
               : "database not read (" + std::string(e.what()) +
                     "): applied revisions are not "
                     "marked";
  }
  const std::map<std::string, int> children = ChildCounts(set);
  for (auto it = set.revisions.rbegin(); it != set.revisions.rend(); ++it) {
    const source::Revision& rev = *it;
    const std::string state =
        applied ? (applied->count(rev.version) ? " [applied]" : " [pending]") : "";
    if (!verbose) {
      fmt::print("{} -> {}{}, {}{}\n", Parents(rev), rev.version, Marks(set, rev, children),
                 Message(rev), state);
      continue;
    }
    fmt::print("Rev: {}{}{}\n", rev.version, Marks(set, rev, children), state);
    if (rev.parents.size() > 1) {
      fmt::print("Merges: {}\n", fmt::join(rev.parents, ", "));
    } else {
      fmt::print("Parent: {}\n", Parents(rev));
    }
    if (rev.alembic && !rev.alembic->depends_on.empty()) {
      fmt::print("Also depends on: {}\n", fmt::join(rev.alembic->depends_on, ", "));
    }
    fmt::print("Path: {}\n", rev.up.path.string());
    fmt::print("Checksum: {}\n", rev.checksum);
    if (rev.alembic && !rev.alembic->create_date.empty()) {
      fmt::print("Create Date: {}\n", rev.alembic->create_date);
    }
    if (!rev.down) fmt::print("Irreversible: its downgrade() raises or is missing\n");
    fmt::print("\n    {}\n\n", Message(rev));
  }
  if (!note.empty()) {
    std::fflush(stdout);
    fmt::print(stderr, "note: {}\n", note);
  }
  return 0;
}

int AlembicStatus(const GlobalOptions& global, const source::MigrationSet& set,
                  const DatabaseOptions& db, bool json) {
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global, LookupFor(set)));
  const history::AlembicVersionTable version_table = VersionTableOf(set);
  const auto rows = ReadVersionRows(session, set);
  const planner::AppliedSet applied =
      planner::AppliedFromVersionRows(set, rows.value_or(std::vector<std::string>{}))
          .ValueOrThrow();
  const history::Table table(db.history_schema);
  const auto history_rows = ReadHistoryReadOnly(session, table);
  std::map<std::string, const history::Row*> by_version;
  if (history_rows) {
    for (const history::Row& r : *history_rows) by_version[r.version] = &r;
  }
  if (json) {
    nlohmann::json revisions = nlohmann::json::array();
    std::map<std::string, int> counts = {{"applied", 0}, {"edited", 0},  {"failed", 0},
                                         {"pending", 0}, {"running", 0}, {"interrupted", 0},
                                         {"unknown", 0}};
    for (const source::Revision& rev : set.revisions) {
      nlohmann::json r = RevisionJson(rev, true);
      auto it = by_version.find(rev.version);
      const bool is_applied = applied.count(rev.version) > 0;
      const bool by_stairway = is_applied && it != by_version.end();
      // As for the SQL formats: applied from a file that changed since is "edited".
      const std::string state = !is_applied                                           ? "pending"
                                : by_stairway && it->second->checksum != rev.checksum ? "edited"
                                                                                      : "applied";
      r["state"] = state;
      ++counts[state];
      r["history"] = by_stairway ? HistoryRowJson(*it->second) : nlohmann::json();
      r["applied_by"] = !is_applied ? nlohmann::json() : by_stairway ? "stairway" : "alembic";
      r["message"] = nullptr;
      revisions.push_back(r);
    }
    PrintJson({{"schema", "stairway.status/1"},
               {"format", "alembic"},
               {"directory", set.dir.string()},
               {"database", session.masked_url()},
               {"history_table", version_table.DisplayName()},
               {"history_table_exists", rows.has_value()},
               {"revisions", revisions},
               {"unknown", nlohmann::json::array()},
               {"counts", counts},
               {"has_problems", counts["edited"] > 0}});
    return 0;  // as the text: Alembic's status reports, it does not judge
  }
  fmt::print("{} ({}); {} revisions in {} (alembic format)\n", session.masked_url(),
             version_table.DisplayName(), set.revisions.size(), set.dir.string());
  if (!rows) fmt::print("{} does not exist: nothing applied yet\n", version_table.DisplayName());
  int applied_count = 0;
  int pending = 0;
  for (const source::Revision& rev : set.revisions) {
    const bool is_applied = applied.count(rev.version) > 0;
    std::string extra;
    auto it = by_version.find(rev.version);
    if (is_applied && it != by_version.end()) {
      extra = fmt::format(" (by stairway, {} UTC{})", it->second->applied_at,
                          it->second->checksum != rev.checksum ? ", file edited since" : "");
    } else if (is_applied) {
      extra = " (by alembic)";
    }
    fmt::print("  {:<8} {}{}\n", is_applied ? "applied" : "pending", rev.Label(), extra);
    ++(is_applied ? applied_count : pending);
  }
  fmt::print("{} applied, {} pending; at {}\n", applied_count, pending,
             AppliedHeadsText(set, applied));
  return 0;
}

int AlembicStamp(const GlobalOptions& global, const source::MigrationSet& set,
                 const applier::Options& options, const std::vector<std::string>& targets) {
  // Targets are resolved before connecting: a typo costs no connection.
  planner::StampTargets(set, planner::AppliedSet{}, targets).ValueOrThrow();
  db::Session session = ConnectToUserDatabase(ResolveDatabaseUrl(global, LookupFor(set)));
  ConsoleObserver observer(history::Table(options.history_schema).DisplayName());
  applier::Runner runner(session, options, &observer);
  // Stamp runs no revision: the runner needs no Python, only the set and the version table.
  runner.UseAlembic(set, nullptr);
  runner.EnsureHistory();
  const std::vector<std::string> rows =
      planner::StampTargets(set, runner.AlembicApplied(), targets).ValueOrThrow();
  const std::vector<std::string> changes = runner.StampAlembic(rows);
  for (const std::string& change : changes) fmt::print("  {}\n", change);
  fmt::print(
      "{} now holds {}{}.\n", VersionTableOf(set).DisplayName(),
      rows.empty() ? std::string("no rows (base)") : fmt::format("{}", fmt::join(rows, ", ")),
      changes.empty() ? " (nothing changed)" : "");
  return 0;
}

}  // namespace stairway::cli

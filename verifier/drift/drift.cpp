// Drift checks: model DDL vs migrations at head, live database vs migrations at its recorded
// revision (read-only), plus applied-but-edited revisions from the history's checksums.
#include "verifier/drift/drift.h"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>

#include "runner/common/diagnostic.h"
#include "runner/planner/planner.h"
#include "runner/sql/split.h"
#include "verifier/schema/sources.h"

namespace stairway::verifier::drift {

namespace {

std::string ShortSum(const std::string& sum) {
  return sum.substr(0, 12);
}

// Runs the model's statements one by one so a failure names its line.
void ApplyModel(db::Session& session, const std::filesystem::path& path, const std::string& sql) {
  const sql::SplitResult split = sql::SplitStatements(sql);
  const LineIndex lines(sql);
  if (split.error) {
    const SourcePos pos = lines.PosOf(split.error->offset);
    throw StopError(Error::Input(fmt::format("{}:{}:{}: {}; fix the model DDL", path.string(),
                                             pos.line, pos.column, split.error->message)));
  }
  for (const sql::StatementSpan& statement : split.statements) {
    try {
      session.Exec(statement.text);
    } catch (const db::DatabaseError& e) {
      const SourcePos pos = lines.PosOf(statement.offset);
      throw StopError(Error::Input(
          fmt::format("{}:{}: the model statement failed on an empty database: {}; fix the model "
                      "DDL (it must build the whole schema from scratch)",
                      path.string(), pos.line, e.server_message())));
    }
  }
}

schema::Wording WordingFor(const std::string& other) {
  schema::Wording w;
  w.in_a = "in the migrations";
  w.in_b = "in " + other;
  w.only_in_a = "{object} is in the migrations but not in " + other;
  w.only_in_b = "{object} is in " + other + " but not in the migrations";
  return w;
}

// The table a difference's object belongs to (itself for a table), looked up in either side.
std::optional<std::string> TableOf(const schema::Difference& d, const schema::Snapshot& a,
                                   const schema::Snapshot& b) {
  for (const schema::Snapshot* snapshot : {&a, &b}) {
    const schema::Object* object = snapshot->Find(d.kind, d.identity);
    // Parents nest a few levels at most (a table's column); the bound guards a cycle.
    for (int depth = 0; object != nullptr && depth < 8; ++depth) {
      if (object->kind == "table") return object->identity;
      if (object->parent_kind.empty()) break;
      object = snapshot->Find(object->parent_kind, object->parent);
    }
  }
  // A type (an enum) belongs to no table: the first table with a column of it stands for it.
  if (d.kind == "type") {
    for (const schema::Snapshot* snapshot : {&b, &a}) {
      for (const schema::Object& object : snapshot->objects) {
        if (object.kind != "column" || object.parent_kind != "table") continue;
        const std::string* type = object.Text("type");
        if (type != nullptr && (*type == d.identity || *type == d.identity + "[]")) {
          return object.parent;
        }
      }
    }
  }
  return std::nullopt;
}

void Fill(Result& result, const schema::Snapshot& migrations, const schema::Snapshot& other,
          const std::string& other_short, schema::Owners owners,
          const std::map<std::string, std::string>& table_sources = {}) {
  schema::CompareOptions compare;
  compare.owners = owners;
  result.differences = schema::Compare(migrations, other, compare);
  result.lines = schema::RenderAll(result.differences, WordingFor(other_short));
  for (std::size_t i = 0; i < result.differences.size(); ++i) {
    if (!table_sources.empty()) {
      if (std::optional<std::string> table = TableOf(result.differences[i], migrations, other)) {
        auto it = table_sources.find(*table);
        if (it != table_sources.end()) result.lines[i] += " (model: " + it->second + ")";
      }
    }
    if (result.differences[i].severity == schema::Severity::kSoft) result.lines[i] += " [soft]";
  }
  result.lines.insert(result.lines.end(), result.history_findings.begin(),
                      result.history_findings.end());
}

// The migrations applied up to `revision` on a throwaway database, or with an empty `revision`
// the catalog of an empty database of the same server: what "base" looks like (schema public,
// plpgsql), so a comparison with base names only what was added.
schema::Snapshot MigrationsAt(sandbox::Sandbox& box, const source::MigrationSet& set,
                              std::string_view revision, const schema::SnapshotOptions& options) {
  if (!revision.empty()) return schema::SnapshotAtRevision(box, set, revision, options);
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  db::Session session = db::Session::Connect(database->url());
  return schema::TakeSnapshot(session, options);
}

// Alembic: the revisions up to the heads on a throwaway database, each run by the code steps
// `code_steps` connects to it (alembic_version is kept as Alembic keeps it).
schema::Snapshot AlembicAtHeads(sandbox::Sandbox& box, const source::MigrationSet& set,
                                const ModelOptions& options) {
  if (set.revisions.empty()) return MigrationsAt(box, set, "", options.snapshot);
  const planner::Plan plan = planner::PlanUpgrade(set, {}, "heads").ValueOrThrow();
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  db::Session session = db::Session::Connect(database->url());
  {
    std::unique_ptr<applier::CodeSteps> code = options.code_steps(session);
    applier::Runner runner(session, applier::Options{});
    runner.UseAlembic(set, code.get());
    runner.EnsureHistory();
    runner.Run(steps);
  }
  return schema::TakeSnapshot(session, options.snapshot);
}

}  // namespace

Result CheckBuiltModel(sandbox::Sandbox& box, const source::MigrationSet& set,
                       const std::string& model_label, const BuildModel& build,
                       const ModelOptions& options) {
  Result result;
  result.other_label = model_label;
  result.migrations_label = set.dir.string() + " at head";
  // The two databases are independent: the migrations are built on another thread while the
  // model is built here. (A failing model still waits for that thread, in the future's end.)
  std::future<schema::Snapshot> at_head = std::async(std::launch::async, [&] {
    if (options.code_steps) return AlembicAtHeads(box, set, options);
    return MigrationsAt(box, set, set.revisions.empty() ? "" : "head", options.snapshot);
  });
  schema::Snapshot model;
  {
    std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
    db::Session session = db::Session::Connect(database->url());
    build(session);
    model = schema::TakeSnapshot(session, options.snapshot);
  }
  const schema::Snapshot migrations = at_head.get();
  // Owners differ by construction (both databases are built by the same role, but a model never
  // says who owns what): compared only when asked.
  Fill(result, migrations, model, "the model", options.snapshot.owners, options.table_sources);
  return result;
}

Result CheckModel(sandbox::Sandbox& box, const source::MigrationSet& set,
                  const std::filesystem::path& model_path, const std::string& sql,
                  const ModelOptions& options) {
  return CheckBuiltModel(
      box, set, "the model " + model_path.string(),
      [&](db::Session& session) { ApplyModel(session, model_path, sql); }, options);
}

Result CheckAgainst(db::Session& live, sandbox::Sandbox& box, const source::MigrationSet& set,
                    const AgainstOptions& options) {
  Result result;
  result.other_label = "the database " + live.masked_url();
  std::vector<history::Row> rows;
  bool has_history = false;
  live.Exec("BEGIN TRANSACTION READ ONLY");
  try {
    history::Reader reader(live, options.table);
    has_history = reader.Exists();
    if (has_history) {
      reader.FormatVersion().ValueOrThrow();
      rows = reader.Rows();
    }
  } catch (...) {
    live.Rollback();
    throw;
  }

  std::map<std::string, const source::Revision*> by_version;
  std::map<std::string, int> position;
  for (std::size_t i = 0; i < set.revisions.size(); ++i) {
    by_version[set.revisions[i].version] = &set.revisions[i];
    position[set.revisions[i].version] = static_cast<int>(i);
  }
  int newest = -1;
  for (const history::Row& row : rows) {
    auto it = by_version.find(row.version);
    if (it == by_version.end()) {
      result.history_findings.push_back(
          fmt::format("revision {} is recorded in {} but has no file in {}", row.Label(),
                      options.table.DisplayName(), set.dir.string()));
      continue;
    }
    if (row.state != history::State::kApplied) {
      result.history_findings.push_back(
          fmt::format("revision {} is {} in {} (not cleanly applied); run `stairway status`",
                      row.Label(), history::StateName(row.state), options.table.DisplayName()));
    }
    if (!row.checksum.empty() && row.checksum != it->second->checksum) {
      result.history_findings.push_back(fmt::format(
          "revision {} was edited after it was applied: checksum {} in the database, {} in {}",
          it->second->Label(), ShortSum(row.checksum), ShortSum(it->second->checksum),
          it->second->up.path.string()));
    }
    newest = std::max(newest, position[row.version]);
  }
  std::string at_version;  // empty: base
  if (!has_history) {
    result.note = fmt::format(
        "the database has no history table {}: compared with base (no revision applied)",
        options.table.DisplayName());
    result.migrations_label = set.dir.string() + " at base";
  } else if (newest < 0) {
    result.note =
        fmt::format("{} records no revision: compared with base", options.table.DisplayName());
    result.migrations_label = set.dir.string() + " at base";
  } else {
    const source::Revision& at = set.revisions[static_cast<std::size_t>(newest)];
    result.migrations_label = set.dir.string() + " at " + at.Label();
    at_version = at.version;
  }

  // The migrations are built on a throwaway database on another thread while the live database
  // is read here, in the same read-only transaction as its history. (If reading it fails, the
  // future's end still waits for the build.)
  std::future<schema::Snapshot> built = std::async(
      std::launch::async, [&] { return MigrationsAt(box, set, at_version, options.snapshot); });
  schema::Snapshot database;
  try {
    database = schema::TakeSnapshot(live, options.snapshot);
  } catch (...) {
    live.Rollback();
    throw;
  }
  live.Rollback();
  const schema::Snapshot migrations = built.get();
  Fill(result, migrations, database, "the database", options.snapshot.owners);
  return result;
}

report::Report ToReport(const Result& result, std::string_view step_name, double duration_ms) {
  report::Report rep;
  rep.command = "verify";
  report::Step step;
  step.check = "drift";
  step.name = std::string(step_name);
  step.duration_ms = duration_ms;
  rep.steps.push_back(step);
  const std::set<std::string> history(result.history_findings.begin(),
                                      result.history_findings.end());
  for (const std::string& line : result.lines) {
    report::Finding f;
    f.check = "drift";
    const bool edited = history.count(line) > 0;
    f.rule = edited ? "edited-migration" : "drift";
    f.severity = Severity::kError;
    f.message = line;
    f.help = edited ? "restore the applied file, or add a new revision with the change"
                    : fmt::format("make {} and {} agree (the migrations are the source of truth)",
                                  result.other_label, result.migrations_label);
    rep.findings.push_back(std::move(f));
  }
  if (!result.lines.empty()) {
    rep.rules.push_back(
        {"drift", "schema differs from what the migrations build", "", Severity::kError});
    if (!history.empty()) {
      rep.rules.push_back(
          {"edited-migration", "an applied migration was edited afterwards", "", Severity::kError});
    }
  }
  return rep;
}

}  // namespace stairway::verifier::drift

// Drift checks: model DDL vs migrations at head, live database vs migrations at its recorded
// revision (read-only), plus applied-but-edited revisions from the history's checksums.
#include "verifier/drift/drift.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <future>
#include <iterator>
#include <map>
#include <set>

#include "runner/common/diagnostic.h"
#include "runner/history/alembic_version.h"
#include "runner/planner/alembic_plan.h"
#include "runner/planner/planner.h"
#include "runner/sql/split.h"
#include "verifier/schema/sources.h"

namespace stairway::verifier::drift {

namespace {

std::string ShortSum(const std::string& sum) {
  return sum.substr(0, 12);
}

// A finding of a history rule about the revision `label`; the caller words it.
Finding RevisionFinding(std::string rule, std::string label) {
  Finding f;
  f.rule = std::move(rule);
  f.object_kind = "revision";
  f.object = std::move(label);
  return f;
}

// unknown-revision: `record` (stairway_history or alembic_version) names `label`, which has no
// file in the set's directory.
Finding UnknownRevision(const std::string& label, const std::string& record,
                        const source::MigrationSet& set) {
  Finding f = RevisionFinding("unknown-revision", label);
  f.message = fmt::format("revision {} is recorded in {} but has no file in {}", label, record,
                          set.dir.string());
  return f;
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

// Every revision of the set: what is applied at the heads.
planner::AppliedSet AllRevisions(const source::MigrationSet& set) {
  planner::AppliedSet all;
  for (const source::Revision& revision : set.revisions) all.insert(revision.version);
  return all;
}

// Alembic: the revisions of `applied` (closed under ancestors) on a throwaway database, each run
// by the code steps `code_steps` connects to it (alembic_version is kept as Alembic keeps it).
schema::Snapshot AlembicAt(sandbox::Sandbox& box, const source::MigrationSet& set,
                           const planner::AppliedSet& applied, const CodeStepsFactory& code_steps,
                           const schema::SnapshotOptions& options) {
  if (applied.empty()) return MigrationsAt(box, set, "", options);
  // The plan from base to the heads is in topological order; leaving out what is not applied
  // keeps that order, and an applied revision's ancestors are applied too.
  planner::Plan plan = planner::PlanUpgrade(set, {}, "heads").ValueOrThrow();
  std::erase_if(plan.steps, [&applied](const planner::Step& step) {
    return applied.count(step.revision->version) == 0;
  });
  const std::vector<applier::PreparedStep> steps = applier::Prepare(plan).ValueOrThrow();
  std::unique_ptr<sandbox::ThrowawayDatabase> database = box.CreateDatabase();
  db::Session session = db::Session::Connect(database->url());
  {
    std::unique_ptr<applier::CodeSteps> code = code_steps(session);
    applier::Runner runner(session, applier::Options{});
    runner.UseAlembic(set, code.get());
    runner.EnsureHistory();
    runner.Run(steps);
  }
  return schema::TakeSnapshot(session, options);
}

// What the live database records about itself, read inside its read-only transaction.
struct LiveRecord {
  bool has_history = false;
  std::vector<history::Row> rows;  // stairway_history's
  // Alembic: the version table's rows; nullopt when the table does not exist.
  std::optional<std::vector<std::string>> version_rows;
};

LiveRecord ReadLiveRecord(db::Session& live, const source::MigrationSet& set,
                          const history::Table& table) {
  LiveRecord record;
  history::Reader reader(live, table);
  record.has_history = reader.Exists();
  if (record.has_history) {
    reader.FormatVersion().ValueOrThrow();
    record.rows = reader.Rows();
  }
  if (source::IsAlembic(set)) {
    record.version_rows =
        history::AlembicVersionTable(set.alembic.value_or(source::AlembicProject{})).ReadRows(live);
  }
  return record;
}

std::map<std::string, const source::Revision*, std::less<>> ByVersion(
    const source::MigrationSet& set) {
  std::map<std::string, const source::Revision*, std::less<>> by_version;
  for (const source::Revision& revision : set.revisions) by_version[revision.version] = &revision;
  return by_version;
}

// The stairway_history rows that disagree with the files. `applied` (Alembic: what
// alembic_version stands for) limits the checksum check to revisions applied now: a row left
// behind by a plain `alembic downgrade` is not an edit. Rows of a version in `reported` (an
// alembic_version row without a file) were reported already.
std::vector<Finding> HistoryFindings(const source::MigrationSet& set, const history::Table& table,
                                     const std::vector<history::Row>& rows,
                                     const planner::AppliedSet* applied,
                                     const std::set<std::string>& reported) {
  const auto by_version = ByVersion(set);
  std::vector<Finding> out;
  for (const history::Row& row : rows) {
    auto it = by_version.find(row.version);
    if (it == by_version.end()) {
      if (reported.count(row.version) > 0) continue;
      out.push_back(UnknownRevision(row.Label(), table.DisplayName(), set));
      continue;
    }
    const source::Revision& revision = *it->second;
    if (row.state != history::State::kApplied) {
      Finding f = RevisionFinding("unfinished-revision", revision.Label());
      f.message =
          fmt::format("revision {} is {} in {} (not cleanly applied); run `stairway status`",
                      row.Label(), history::StateName(row.state), table.DisplayName());
      f.location = Location{revision.up.path.string(), 0};
      out.push_back(std::move(f));
    }
    const bool counts = applied == nullptr || applied->count(row.version) > 0;
    if (counts && !row.checksum.empty() && row.checksum != revision.checksum) {
      Finding f = RevisionFinding("edited-migration", revision.Label());
      f.message = fmt::format(
          "revision {} was edited after it was applied: checksum {} in the database, {} in {}",
          revision.Label(), ShortSum(row.checksum), ShortSum(revision.checksum),
          revision.up.path.string());
      f.location = Location{revision.up.path.string(), 0};
      out.push_back(std::move(f));
    }
  }
  return out;
}

// stairway's record: the newest revision (in set order) that stairway_history names, or "" for
// base. Sets the label and, at base, the note.
std::string StairwayTarget(const source::MigrationSet& set, const history::Table& table,
                           const LiveRecord& record, Result& result) {
  std::map<std::string, int, std::less<>> position;
  for (std::size_t i = 0; i < set.revisions.size(); ++i) {
    position[set.revisions[i].version] = static_cast<int>(i);
  }
  int newest = -1;
  for (const history::Row& row : record.rows) {
    if (auto it = position.find(row.version); it != position.end()) {
      newest = std::max(newest, it->second);
    }
  }
  result.migrations_label = set.dir.string() + " at base";
  if (!record.has_history) {
    result.note = fmt::format(
        "the database has no history table {}: compared with base (no revision applied)",
        table.DisplayName());
    return "";
  }
  if (newest < 0) {
    result.note = fmt::format("{} records no revision: compared with base", table.DisplayName());
    return "";
  }
  const source::Revision& at = set.revisions[static_cast<std::size_t>(newest)];
  result.migrations_label = set.dir.string() + " at " + at.Label();
  return at.version;
}

// Alembic's record: the revisions the version table's rows stand for (the rows and their
// ancestors). A row that names no file becomes a finding (in `result`) and is left out. Sets the
// label ("DIR at <the rows' labels>") and, at base, the note.
planner::AppliedSet AlembicTarget(const source::MigrationSet& set, const LiveRecord& record,
                                  Result& result, std::set<std::string>& unknown) {
  const history::AlembicVersionTable version_table(set.alembic.value_or(source::AlembicProject{}));
  result.migrations_label = set.dir.string() + " at base";
  if (!record.version_rows) {
    result.note = fmt::format(
        "the database has no version table {}: compared with base (no revision applied)",
        version_table.DisplayName());
    return {};
  }
  const auto by_version = ByVersion(set);
  std::vector<std::string> known;
  std::vector<std::string> labels;
  for (const std::string& row : *record.version_rows) {
    auto it = by_version.find(row);
    if (it == by_version.end()) {
      result.findings.push_back(UnknownRevision(row, version_table.DisplayName(), set));
      unknown.insert(row);
      continue;
    }
    known.push_back(row);
    labels.push_back(it->second->Label());
  }
  if (known.empty()) {
    result.note =
        record.version_rows->empty()
            ? fmt::format("{} records no revision: compared with base", version_table.DisplayName())
            : fmt::format("{} names no revision of {}: compared with base",
                          version_table.DisplayName(), set.dir.string());
    return {};
  }
  result.migrations_label = fmt::format("{} at {}", set.dir.string(), fmt::join(labels, ", "));
  return planner::AppliedFromVersionRows(set, known).ValueOrThrow();
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
    if (options.code_steps) {
      return AlembicAt(box, set, AllRevisions(set), options.code_steps, options.snapshot);
    }
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
  result.findings = CompareSnapshots(migrations, model, "the model", options.snapshot.owners,
                                     options.table_sources);
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
  const bool alembic = source::IsAlembic(set);
  if (alembic && !options.code_steps) {
    throw StopError(Error::Internal("drift of an Alembic project needs its Python helper"));
  }
  Result result;
  result.other_label = "the database " + live.masked_url();
  std::string at_version;       // stairway: empty for base
  planner::AppliedSet applied;  // Alembic
  live.Exec("BEGIN TRANSACTION READ ONLY");
  try {
    const LiveRecord record = ReadLiveRecord(live, set, options.table);
    std::set<std::string> unknown;  // alembic_version rows without a file, reported
    if (alembic) {
      applied = AlembicTarget(set, record, result, unknown);
    } else {
      at_version = StairwayTarget(set, options.table, record, result);
    }
    std::vector<Finding> history =
        HistoryFindings(set, options.table, record.rows, alembic ? &applied : nullptr, unknown);
    result.findings.insert(result.findings.end(), std::make_move_iterator(history.begin()),
                           std::make_move_iterator(history.end()));
  } catch (...) {
    live.Rollback();
    throw;
  }

  // The migrations are built on a throwaway database on another thread while the live database
  // is read here, in the same read-only transaction as its history. (If reading it fails, the
  // future's end still waits for the build.)
  std::future<schema::Snapshot> built = std::async(std::launch::async, [&] {
    if (alembic) return AlembicAt(box, set, applied, options.code_steps, options.snapshot);
    return MigrationsAt(box, set, at_version, options.snapshot);
  });
  schema::Snapshot database;
  try {
    database = schema::TakeSnapshot(live, options.snapshot);
  } catch (...) {
    live.Rollback();
    throw;
  }
  live.Rollback();
  const schema::Snapshot migrations = built.get();
  // The differences first, then what the record said.
  std::vector<Finding> differences =
      CompareSnapshots(migrations, database, "the database", options.snapshot.owners);
  result.findings.insert(result.findings.begin(), std::make_move_iterator(differences.begin()),
                         std::make_move_iterator(differences.end()));
  return result;
}

std::vector<Finding> CompareSnapshots(const schema::Snapshot& migrations,
                                      const schema::Snapshot& other, const std::string& other_short,
                                      schema::Owners owners,
                                      const std::map<std::string, Location>& table_sources) {
  schema::CompareOptions compare;
  compare.owners = owners;
  const schema::Wording wording = WordingFor(other_short);
  std::vector<Finding> out;
  for (schema::Difference& d : schema::Compare(migrations, other, compare)) {
    Finding f;
    f.object_kind = d.kind;
    f.object = d.identity;
    f.message = schema::Render(d, wording);
    f.soft = d.severity == schema::Severity::kSoft;
    if (!table_sources.empty()) {
      if (std::optional<std::string> table = TableOf(d, migrations, other)) {
        auto it = table_sources.find(*table);
        if (it != table_sources.end()) f.location = it->second;
      }
    }
    f.difference = std::move(d);
    out.push_back(std::move(f));
  }
  return out;
}

std::string Line(const Finding& finding) {
  std::string line = finding.message;
  if (finding.rule == "drift" && finding.location) {
    line += finding.location->line > 0
                ? fmt::format(" (model: {}:{})", finding.location->path, finding.location->line)
                : fmt::format(" (model: {})", finding.location->path);
  }
  if (finding.soft) line += " [soft]";
  return line;
}

namespace {

struct RuleText {
  std::string_view id;
  std::string_view summary;
  std::string_view help;  // empty: worded per report (drift names the two sides)
};

constexpr RuleText kRules[] = {
    {"drift", "schema differs from what the migrations build", ""},
    {"edited-migration", "an applied migration was edited afterwards",
     "restore the applied file, or add a new revision with the change"},
    {"unknown-revision", "the history records a revision that has no file",
     "compare with the files the database was migrated from (another branch?), or restore the "
     "revision's file"},
    {"unfinished-revision", "the history records a revision that is not cleanly applied",
     "run `stairway status` on the database and finish or repair the revision, then compare "
     "again"},
};

const RuleText& RuleOf(std::string_view id) {
  for (const RuleText& rule : kRules) {
    if (rule.id == id) return rule;
  }
  return kRules[0];
}

}  // namespace

report::Report ToReport(const Result& result, std::string_view step_name, double duration_ms,
                        const std::string& path) {
  report::Report rep;
  rep.command = "verify";
  report::Step step;
  step.check = "drift";
  step.name = std::string(step_name);
  step.path = path;
  step.duration_ms = duration_ms;
  rep.steps.push_back(step);
  for (const Finding& finding : result.findings) {
    const RuleText& rule = RuleOf(finding.rule);
    report::Finding f;
    f.check = "drift";
    f.rule = finding.rule;
    f.severity = finding.severity;
    // The location is the finding's place, so the text does not repeat it.
    f.message = finding.soft ? finding.message + " [soft]" : finding.message;
    f.help = rule.help.empty()
                 ? fmt::format("make {} and {} agree (the migrations are the source of truth)",
                               result.other_label, result.migrations_label)
                 : std::string(rule.help);
    f.path = finding.location ? finding.location->path : path;
    f.line = finding.location ? finding.location->line : 0;
    f.object_kind = finding.object_kind;
    f.object = finding.object;
    // A finding that points at the model's source still belongs to the drift step.
    f.step = step.name;
    rep.findings.push_back(std::move(f));
  }
  for (const RuleText& rule : kRules) {
    const bool used = std::any_of(result.findings.begin(), result.findings.end(),
                                  [&](const Finding& finding) { return finding.rule == rule.id; });
    if (used) {
      rep.rules.push_back({std::string(rule.id), std::string(rule.summary), std::string(rule.help),
                           Severity::kError});
    }
  }
  return rep;
}

}  // namespace stairway::verifier::drift

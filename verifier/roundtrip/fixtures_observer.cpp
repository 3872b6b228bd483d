// Data fixtures: load after their revision, then compare row counts and per-column hashes.
#include "verifier/roundtrip/fixtures_observer.h"

#include <fmt/format.h>

#include <algorithm>

#include "runner/common/error.h"
#include "runner/common/file.h"
#include "runner/db/session.h"

namespace stairway::verifier::roundtrip {

namespace fs = std::filesystem;

namespace {

// Row counts of every user table, in one query (query_to_xml runs the per-table counts).
std::map<std::string, std::int64_t> CountRows(db::Session& session) {
  const db::QueryResult result = session.Query(R"(
    SELECT format('%I.%I', n.nspname, c.relname),
           (xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM %I.%I',
                                                       n.nspname, c.relname),
                                                false, true, '')))[1]::text
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\_%' AND c.relname NOT LIKE 'stairway\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid AND d.deptype = 'e'))");
  std::map<std::string, std::int64_t> out;
  for (const db::Row& row : result.rows) out[*row[0]] = std::stoll(row[1].value_or("0"));
  return out;
}

// Current state of `table`, or nullopt when it no longer exists.
std::optional<FixturesObserver::TableState> ReadTable(db::Session& session,
                                                      const std::string& table) {
  const db::QueryResult cols = session.Query(
      "SELECT a.attname, quote_ident(a.attname) FROM pg_attribute a "
      "WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped "
      "ORDER BY a.attnum",
      {table});
  if (cols.rows.empty()) {
    const db::QueryResult exists = session.Query("SELECT to_regclass($1) IS NOT NULL", {table});
    if (exists.rows.empty() || exists.rows[0][0] != "t") return std::nullopt;
  }
  std::string sql = "SELECT count(*)";
  for (const db::Row& col : cols.rows) {
    sql += fmt::format(
        ", count({0}), md5(coalesce(string_agg({0}::text, ',' ORDER BY {0}::text), ''))", *col[1]);
  }
  sql += " FROM " + table;
  const db::QueryResult result = session.Query(sql);
  FixturesObserver::TableState state;
  state.rows = std::stoll(result.rows[0][0].value_or("0"));
  for (std::size_t i = 0; i < cols.rows.size(); ++i) {
    state.columns[*cols.rows[i][0]] = {std::stoll(result.rows[0][1 + 2 * i].value_or("0")),
                                       result.rows[0][2 + 2 * i].value_or("")};
  }
  return state;
}

std::string ReadFixture(const fs::path& path) {
  std::optional<std::string> text = ReadWholeFile(path);
  if (!text) {
    throw StopError(
        Error::Input(fmt::format("{}: cannot read data fixture; check the file", path.string())));
  }
  return std::move(*text);
}

}  // namespace

std::optional<fs::path> FindFixture(const fs::path& dir, const source::Revision& revision) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  for (const std::string& stem : {revision.Label(), revision.version}) {
    const fs::path candidate = dir / (stem + ".sql");
    if (fs::is_regular_file(candidate, ec)) return candidate;
  }
  std::vector<fs::path> matches;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".sql") continue;
    const std::string stem = entry.path().stem().string();
    const std::string version = stem.substr(0, stem.find('_'));
    if (source::CompareVersions(version, revision.version) == 0) matches.push_back(entry.path());
  }
  std::sort(matches.begin(), matches.end());
  if (matches.empty()) return std::nullopt;
  return matches.front();
}

void FixturesObserver::Load(PhaseContext& context, const fs::path& file) {
  const std::map<std::string, std::int64_t> before = CountRows(context.session);
  const std::string sql = ReadFixture(file);
  try {
    context.session.Exec(sql);
  } catch (const db::DatabaseError& e) {
    throw StopError(Error::Input(fmt::format(
        "{}: data fixture of {} failed: {}; fix the fixture so it loads on the schema at that "
        "revision",
        file.string(), context.revision.Label(), e.server_message())));
  }
  for (const auto& [table, rows] : CountRows(context.session)) {
    const auto it = before.find(table);
    if (rows > (it == before.end() ? 0 : it->second)) {
      loaded_by_[table] = context.revision.Label();
      if (std::optional<TableState> state = ReadTable(context.session, table)) {
        tables_[table] = std::move(*state);
      }
    }
  }
}

void FixturesObserver::Report(PhaseContext& context, const std::string& what) const {
  const std::string label = context.revision.Label();
  const std::string step = context.phase == Phase::kAfterDown   ? " (down)"
                           : context.phase == Phase::kAfterReUp ? " (re-up)"
                                                                : "";
  const std::string* reason = nullptr;
  if (context.revision.data_change) {
    reason = &*context.revision.data_change;
  } else if (const auto it = declared_.find(context.revision.version); it != declared_.end()) {
    reason = &it->second;
  }
  if (reason != nullptr) {
    context.AddNote("data-change", fmt::format("{}: intended data change{}: {} (data-change: {})",
                                               label, step, what, *reason));
  } else {
    context.Add("data-loss", fmt::format("{}: data loss{}: {}", label, step, what));
  }
}

void FixturesObserver::Check(PhaseContext& context) {
  for (auto it = tables_.begin(); it != tables_.end();) {
    const std::string& table = it->first;
    TableState& was = it->second;
    std::optional<TableState> now = ReadTable(context.session, table);
    if (!now) {
      Report(context, fmt::format("table {} dropped with {} fixture row{}", table, was.rows,
                                  was.rows == 1 ? "" : "s"));
      it = tables_.erase(it);
      continue;
    }
    if (now->rows < was.rows) {
      Report(context, fmt::format("{} of {} fixture rows deleted from {}", was.rows - now->rows,
                                  was.rows, table));
    }
    for (const auto& [column, state] : was.columns) {
      const auto col = now->columns.find(column);
      if (col == now->columns.end()) {
        if (state.non_null > 0) {
          Report(context, fmt::format("{} lost column {} ({} row{} had values)", table, column,
                                      state.non_null, state.non_null == 1 ? "" : "s"));
        }
      } else if (now->rows == was.rows && col->second.hash != state.hash) {
        Report(context, fmt::format("values of {}.{} changed", table, column));
      }
    }
    was = std::move(*now);  // report each change once
    ++it;
  }
}

void FixturesObserver::AtPhase(PhaseContext& context) {
  if (context.phase == Phase::kBefore) return;
  if (!tables_.empty()) Check(context);
  const bool final_up =
      context.round_trip ? context.phase == Phase::kAfterReUp : context.phase == Phase::kAfterUp;
  if (final_up) {
    if (std::optional<fs::path> file = FindFixture(dir_, context.revision)) Load(context, *file);
  }
}

}  // namespace stairway::verifier::roundtrip

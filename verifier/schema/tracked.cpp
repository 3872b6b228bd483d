// TrackedCatalog: the change watch (event triggers logging touched OIDs), the one-round-trip
// refresh function built from the catalog queries, and the cache the refreshes patch.
#include "verifier/schema/tracked.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <span>

#include "runner/common/error.h"
#include "runner/db/session.h"

namespace stairway::schema {
namespace {

// The watch. on_ddl logs the objects of every DDL command (ddl_command_end); on_drop logs dropped
// objects (sql_drop) and, for dropped parts of a table or domain, the table or domain itself,
// whose row may read differently now (DROP SEQUENCE ... CASCADE drops a column default). ENABLE
// ALWAYS: migrations that set session_replication_role = replica are watched too.
constexpr std::string_view kInstallWatch = R"SQL(
DROP EVENT TRIGGER IF EXISTS stairway_watch_ddl;
DROP EVENT TRIGGER IF EXISTS stairway_watch_drop;
DROP SCHEMA IF EXISTS stairway_watch CASCADE;
CREATE SCHEMA stairway_watch;
CREATE UNLOGGED TABLE stairway_watch.log (classid oid, objid oid, tag text);
CREATE UNLOGGED TABLE stairway_watch.state (fingerprint text);
INSERT INTO stairway_watch.state VALUES (NULL);
CREATE FUNCTION stairway_watch.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $watch$
BEGIN
  INSERT INTO stairway_watch.log
    SELECT classid, objid, command_tag FROM pg_catalog.pg_event_trigger_ddl_commands();
END $watch$;
CREATE FUNCTION stairway_watch.on_drop() RETURNS event_trigger LANGUAGE plpgsql AS $watch$
BEGIN
  INSERT INTO stairway_watch.log
    SELECT classid, objid, 'DROP' FROM pg_catalog.pg_event_trigger_dropped_objects();
  INSERT INTO stairway_watch.log
    SELECT parent.classid, parent.objid, 'DROP'
    FROM pg_catalog.pg_event_trigger_dropped_objects() d,
      LATERAL (SELECT CASE WHEN d.object_type = 'domain constraint'
                        THEN 'pg_catalog.pg_type'::pg_catalog.regclass
                        ELSE 'pg_catalog.pg_class'::pg_catalog.regclass END AS classid,
                      CASE WHEN d.object_type = 'domain constraint'
                        THEN pg_catalog.to_regtype(pg_catalog.quote_ident(d.address_names[1])
                               || '.' || pg_catalog.quote_ident(d.address_names[2]))::oid
                        ELSE pg_catalog.to_regclass(pg_catalog.quote_ident(d.address_names[1])
                               || '.' || pg_catalog.quote_ident(d.address_names[2]))::oid
                      END AS objid) parent
    WHERE d.object_type IN ('table column', 'default value', 'table constraint',
                            'domain constraint', 'trigger', 'policy', 'rule')
      AND pg_catalog.cardinality(d.address_names) >= 3 AND parent.objid IS NOT NULL;
END $watch$;
)SQL";

// The watch's event triggers, which start the logging.
constexpr std::string_view kCreateTriggers = R"SQL(
CREATE EVENT TRIGGER stairway_watch_ddl ON ddl_command_end
  EXECUTE FUNCTION stairway_watch.on_ddl();
CREATE EVENT TRIGGER stairway_watch_drop ON sql_drop EXECUTE FUNCTION stairway_watch.on_drop();
ALTER EVENT TRIGGER stairway_watch_ddl ENABLE ALWAYS;
ALTER EVENT TRIGGER stairway_watch_drop ENABLE ALWAYS;
)SQL";

// Prepare's warm-up: a few objects of each kind the database holds now are logged as if a step
// had touched them, so that refresh() plans the scoped re-reads they lead to. One relation of
// each kind (with and without triggers and rules), a few types and functions; no schema, whose
// dependents are every object in it.
constexpr std::string_view kLogSomeObjects = R"SQL(
INSERT INTO stairway_watch.log (classid, objid, tag)
SELECT s.classid, s.objid, 'warm-up' FROM (
  (SELECT DISTINCT ON (c.relkind, c.relhastriggers, c.relhasrules)
     'pg_catalog.pg_class'::pg_catalog.regclass::oid AS classid, c.oid AS objid
   FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'stairway_watch')
     AND c.relname NOT LIKE 'stairway\_%'
   ORDER BY c.relkind, c.relhastriggers, c.relhasrules, c.oid DESC)
  UNION ALL
  (SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::oid, t.oid
   FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'stairway_watch')
     AND t.typtype IN ('e', 'd', 'r') LIMIT 3)
  UNION ALL
  (SELECT 'pg_catalog.pg_proc'::pg_catalog.regclass::oid, p.oid
   FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
   WHERE n.nspname !~ '^pg_' AND n.nspname NOT IN ('information_schema', 'stairway_watch')
   LIMIT 2)) s
)SQL";

// take(p_unwatched) empties the log and returns the OIDs to re-read (`dirty`) with the catalog
// each lives in (`classes`, pg_depend's classid: refresh() runs a group only when the step touched
// its catalog), or NULL when everything must be re-read (the fingerprint below is only computed
// with p_unwatched): a
// command without an object (GRANT, ALTER DEFAULT PRIVILEGES), ALTER SCHEMA (renames every
// identity in it), ALTER EXTENSION, or a change the event triggers never see, compared through a
// fingerprint: roles, tablespaces, event triggers, and invalid or clustered indexes (CLUSTER, a
// failed CREATE INDEX CONCURRENTLY, a direct UPDATE of pg_index). The OIDs are the logged objects,
// the objects that depend on them (a view on a renamed table, a column of a renamed type), and the
// table, domain or publication each of those is part of.
constexpr std::string_view kTakeFunction = R"SQL(
CREATE FUNCTION stairway_watch.take(p_unwatched boolean, OUT dirty oid[], OUT classes oid[])
LANGUAGE plpgsql SET plan_cache_mode TO force_generic_plan AS $watch$
DECLARE
  v_fingerprint text;
  v_changed boolean;
  v_unscoped boolean;
  v_classids oid[];
  v_objids oid[];
  v_touched oid[];
  v_touched_classes oid[];
BEGIN
  v_changed := false;
  IF p_unwatched THEN
    SELECT string_agg(x, ',' ORDER BY x) INTO v_fingerprint FROM (
      SELECT 'role ' || oid || ' ' || rolname FROM pg_catalog.pg_roles
      UNION ALL SELECT 'tablespace ' || oid || ' ' || spcname FROM pg_catalog.pg_tablespace
      UNION ALL SELECT 'event trigger ' || e::text FROM pg_catalog.pg_event_trigger e
      UNION ALL SELECT 'index ' || indexrelid || ' ' || indisvalid || ' ' || indisclustered
        FROM pg_catalog.pg_index WHERE NOT indisvalid OR indisclustered) s(x);
    UPDATE stairway_watch.state SET fingerprint = v_fingerprint
      WHERE fingerprint IS DISTINCT FROM v_fingerprint;
    v_changed := FOUND;
  END IF;
  WITH taken AS (DELETE FROM stairway_watch.log RETURNING classid, objid, tag)
  SELECT bool_or(objid IS NULL OR tag IN ('ALTER SCHEMA', 'ALTER EXTENSION')),
         array_agg(classid), array_agg(objid)
    INTO v_unscoped, v_classids, v_objids FROM taken;
  IF v_changed OR v_unscoped THEN
    RETURN;
  END IF;
  IF v_objids IS NULL THEN
    dirty := '{{}}';
    classes := '{{}}';
    RETURN;
  END IF;
  -- The logged objects and the objects that depend on them, each with its catalog. Every lookup
  -- below goes by OID through an index: joins with a row set would read whole catalogs on every
  -- refresh.
  SELECT array_agg(s.o), array_agg(s.c) INTO v_touched, v_touched_classes FROM (
    SELECT u.o, u.c FROM unnest(v_objids, v_classids) AS u(o, c)
    UNION
    SELECT d.objid, d.classid FROM unnest(v_classids, v_objids) AS u(c, o)
    JOIN pg_catalog.pg_depend d ON d.refclassid = u.c AND d.refobjid = u.o) s;
  -- With the table, domain or publication each is part of, and (the last branch) the sequences
  -- and indexes of every table touched: a serial's sequence is re-read with its table.
  SELECT array_agg(s.o), array_agg(s.c) INTO dirty, classes FROM (
    SELECT t.o, t.c FROM unnest(v_touched, v_touched_classes) AS t(o, c)
    UNION SELECT i.indrelid, {pg_class} FROM pg_catalog.pg_index i
      WHERE i.indexrelid = ANY (v_touched)
    UNION SELECT co.conrelid, {pg_class} FROM pg_catalog.pg_constraint co
      WHERE co.oid = ANY (v_touched) AND co.conrelid <> 0
    UNION SELECT co.contypid, {pg_type} FROM pg_catalog.pg_constraint co
      WHERE co.oid = ANY (v_touched) AND co.contypid <> 0
    UNION SELECT tg.tgrelid, {pg_class} FROM pg_catalog.pg_trigger tg
      WHERE tg.oid = ANY (v_touched)
    UNION SELECT p.polrelid, {pg_class} FROM pg_catalog.pg_policy p WHERE p.oid = ANY (v_touched)
    UNION SELECT r.ev_class, {pg_class} FROM pg_catalog.pg_rewrite r
      WHERE r.oid = ANY (v_touched)
    UNION SELECT a.adrelid, {pg_class} FROM pg_catalog.pg_attrdef a WHERE a.oid = ANY (v_touched)
    UNION SELECT s.stxrelid, {pg_class} FROM pg_catalog.pg_statistic_ext s
      WHERE s.oid = ANY (v_touched)
    UNION SELECT ty.typrelid, {pg_class} FROM pg_catalog.pg_type ty
      WHERE ty.oid = ANY (v_touched) AND ty.typrelid <> 0
    UNION SELECT c.reltype, {pg_type} FROM pg_catalog.pg_class c
      WHERE c.oid = ANY (v_touched) AND c.relkind = 'c'
    UNION SELECT d.refobjid, {pg_class} FROM pg_catalog.pg_depend d
      WHERE d.classid = {pg_class} AND d.objid = ANY (v_touched)
        AND d.refclassid = {pg_class} AND d.deptype IN ('a', 'i')
    UNION SELECT pr.prpubid, {pg_publication} FROM pg_catalog.pg_publication_rel pr
      WHERE pr.oid = ANY (v_touched)
    {publication_namespaces}) s;
  SELECT dirty || coalesce(array_agg(d.objid), '{{}}'),
         classes || coalesce(array_agg({pg_class}), '{{}}')
    INTO dirty, classes
  FROM pg_catalog.pg_depend d
  WHERE d.refclassid = {pg_class} AND d.refobjid = ANY (dirty)
    AND d.classid = {pg_class} AND d.deptype = 'a';
END $watch$;
)SQL";

constexpr std::string_view kRefresh = "SELECT * FROM stairway_watch.refresh($1)";

// The OID of a system catalog, as SQL: the catalog an object lives in (pg_depend's classid).
std::string CatalogOid(std::string_view catalog) {
  return fmt::format("'pg_catalog.{}'::pg_catalog.regclass::oid", catalog);
}

// One branch of the refresh union: the rows of catalog query number `index` (its columns named
// `columns`) as the key columns, the query's number and its attribute columns in one text array.
// A row of one shape for every query keeps the union's plans small: padding every query to the
// union of all their columns (116) cost 10% of a refresh in executor start-up.
std::string Branch(const std::string& sql, const std::vector<std::string>& columns,
                   std::size_t index) {
  std::string values;
  std::string aliases = "k0, k1, k2, k3";
  for (std::size_t i = 4; i < columns.size(); ++i) {
    const std::string name = db::QuoteIdent(columns[i]);
    values += fmt::format("{}q.{}::text", i > 4 ? ", " : "", name);
    aliases += ", " + name;
  }
  return fmt::format("SELECT q.k0, q.k1, q.k2, q.k3, {}, ARRAY[{}]::text[]\nFROM ({}\n) AS q({})",
                     index, values, sql, aliases);
}

std::string Union(const std::vector<std::string>& queries,
                  const std::vector<std::vector<std::string>>& columns) {
  std::string sql;
  for (std::size_t i = 0; i < queries.size(); ++i) {
    if (i > 0) sql += "\nUNION ALL\n";
    sql += Branch(queries[i], columns[i], i);
  }
  return sql;
}

// The scoped re-read in groups by the catalog their root lives in, each group run only when the
// dirty OIDs hold one of its roots: starting a plan for every catalog query costs more than
// running the few that have work.
struct Group {
  std::string_view variable;
  std::string_view catalogs;  // where the group's roots live
  std::vector<CatalogQuery> queries;
};
// Groups whose catalog is a part of a table: the group runs when one of the dirty tables has
// such a part (`rels` then holds the roots), checked by the column naming the table.
struct PartOf {
  std::string_view catalog, column, condition;  // condition: the parts the query reports
};
constexpr std::array<PartOf, 4> kParts = {{
    {"pg_trigger", "tgrelid", "NOT tgisinternal"},
    {"pg_policy", "polrelid", "true"},
    {"pg_rewrite", "ev_class", "rulename <> '_RETURN'"},
    {"pg_statistic_ext", "stxrelid", "true"},
}};
const std::vector<Group>& Groups() {
  using Q = CatalogQuery;
  static const std::vector<Group> groups = {
      {"rels", "pg_class", {Q::kRelations, Q::kColumns, Q::kConstraints, Q::kIndexes}},
      {"seqs", "pg_sequence", {Q::kSequences}},
      {"trgs", "pg_trigger", {Q::kTriggers}},
      {"pols", "pg_policy", {Q::kPolicies}},
      {"ruls", "pg_rewrite", {Q::kRules}},
      {"stxs", "pg_statistic_ext", {Q::kStatistics}},
      {"nsps", "pg_namespace", {Q::kSchemas}},
      {"types", "pg_type", {Q::kTypes}},
      {"procs", "pg_proc", {Q::kFunctions}},
      {"rare",
       "pg_collation pg_operator pg_default_acl pg_extension pg_event_trigger pg_cast "
       "pg_publication pg_foreign_data_wrapper pg_foreign_server",
       {Q::kCollations, Q::kOperators, Q::kDefaultPrivileges, Q::kExtensions, Q::kEventTriggers,
        Q::kCasts, Q::kPublications, Q::kForeignDataWrappers, Q::kForeignServers}},
  };
  return groups;
}

// refresh(): one call per step. Returns a '#full' row and every object when take() says
// everything, else a '#dirty' row (k1: the OIDs re-read) and the objects read with those OIDs.
// The function's SET clauses pin the output settings, as PinnedSettings does for TakeSnapshot.
std::string RefreshFunction(int version, const QueryFilters& filters,
                            const std::vector<std::string>& full,
                            const std::vector<std::vector<std::string>>& columns) {
  const std::string out_columns = "k0 text, k1 text, k2 text, k3 text, q int, v text[]";
  std::string settings;
  for (const auto& [name, value] : kPinnedSettings) {
    settings += fmt::format("\nSET {} TO {}", db::QuoteIdent(name), db::QuoteLiteral(value));
  }
  // One plan per statement, made once: re-planning per call costs more than running them.
  settings += "\nSET plan_cache_mode TO force_generic_plan\nSET random_page_cost TO 1.1";

  // Which groups have work; then each group's queries. A group's roots are the dirty OIDs its
  // queries can report (ReportedRoots), so that it only runs when it has rows to give; and the
  // statement finding them only runs when the step touched the catalog they live in (for the
  // parts of a table: when a table is dirty). Starting a plan costs more than running it.
  std::string declare = "  dirty oid[];\n  classes oid[];\n";
  std::string finds, queries;
  std::string guard, fills, variables;  // the find statement being built: groups with one guard
  const auto flush = [&] {
    if (fills.empty()) return;
    finds += fmt::format("  IF {} THEN\n    SELECT{}\n    INTO {};\n  END IF;\n", guard, fills,
                         variables);
    fills.clear();
    variables.clear();
  };
  for (const Group& group : Groups()) {
    std::string fill, group_guard;
    const auto part = std::find_if(kParts.begin(), kParts.end(),
                                   [&](const PartOf& p) { return p.catalog == group.catalogs; });
    if (part != kParts.end()) {
      fill = fmt::format("SELECT DISTINCT {0} FROM pg_catalog.{1} WHERE {0} = ANY (rels) AND {2}",
                         part->column, part->catalog, part->condition);
      group_guard = "cardinality(rels) > 0";
    } else {
      fill = ReportedRoots(group.queries.front(), "dirty");
      const bool probe = fill.empty();  // no filter: the OIDs found in the group's catalogs
      std::string catalogs;
      for (std::string_view rest = group.catalogs; !rest.empty();) {
        const std::size_t space = rest.find(' ');
        const std::string_view catalog = rest.substr(0, space);
        rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
        if (probe) {
          if (!fill.empty()) fill += " UNION ALL ";
          fill += fmt::format("SELECT oid FROM pg_catalog.{} WHERE oid = ANY (dirty)", catalog);
        }
        // A sequence's OID is its pg_class row's.
        catalogs += fmt::format("{}{}", catalogs.empty() ? "" : ", ",
                                CatalogOid(catalog == "pg_sequence" ? "pg_class" : catalog));
      }
      group_guard = fmt::format("classes && ARRAY[{}]", catalogs);
    }
    if (group_guard != guard) flush();
    guard = group_guard;
    declare += fmt::format("  {} oid[];\n", group.variable);
    fills += fmt::format("{}\n      ARRAY({})", fills.empty() ? "" : ",", fill);
    variables += fmt::format("{}{}", variables.empty() ? "" : ", ", group.variable);

    const std::vector<std::string> group_queries =
        TrackedCatalogQueries(version, filters, group.variable);
    std::string branches;
    for (CatalogQuery query : group.queries) {
      const auto i = static_cast<std::size_t>(query);
      if (i >= group_queries.size()) continue;  // a partial snapshot has no database-level queries
      if (!branches.empty()) branches += "\n    UNION ALL\n";
      branches += Branch(group_queries[i], columns[i], i);
    }
    if (!branches.empty()) {
      queries += fmt::format("  IF cardinality({}) > 0 THEN\n    RETURN QUERY {};\n  END IF;\n",
                             group.variable, branches);
    }
  }
  flush();
  const std::string scoped = finds + queries;
  return fmt::format(R"SQL(
CREATE FUNCTION stairway_watch.refresh(p_unwatched boolean) RETURNS TABLE ({columns})
LANGUAGE plpgsql{settings}
AS $watch$
#variable_conflict use_column
DECLARE
{declare}BEGIN
  SELECT t.dirty, t.classes INTO dirty, classes FROM stairway_watch.take(p_unwatched) t;
  IF dirty IS NULL THEN
    k0 := '#full';
    RETURN NEXT;
    RETURN QUERY {full};
    RETURN;
  END IF;
  k0 := '#dirty';
  k1 := dirty::text;
  RETURN NEXT;
{scoped}END $watch$;
)SQL",
                     fmt::arg("columns", out_columns), fmt::arg("settings", settings),
                     fmt::arg("declare", declare), fmt::arg("full", Union(full, columns)),
                     fmt::arg("scoped", scoped));
}

}  // namespace

TrackedCatalog::TrackedCatalog(int server_version_num) : server_version_num_(server_version_num) {}

bool TrackedCatalog::CanStart(db::Session& session) {
  const db::QueryResult super =
      session.Query("SELECT rolsuper::text FROM pg_catalog.pg_roles WHERE rolname = current_user");
  return !super.rows.empty() && super.rows[0][0].value_or("") == "true";
}

// The rows of refresh(): a '#full' or '#dirty' marker row, then each object as its key columns,
// its query's number and its attributes in a text array, handed on to that query's object sink.
// It keeps its own copy of the options, which its sinks refer to: a TrackedCatalog may be moved.
class TrackedCatalog::RefreshReader : public db::RowSink {
 public:
  RefreshReader(SnapshotOptions options, const std::vector<std::vector<std::string>>& columns)
      : options_(std::move(options)) {
    for (const std::vector<std::string>& names : columns) {
      sinks_.push_back(MakeObjectSink(options_, objects, &oids));
      sinks_.back()->Columns(names, 0);
    }
  }
  const SnapshotOptions& options() const { return options_; }
  // Empties what the last refresh read.
  void Reset() {
    full = false;
    dirty.clear();
    objects.clear();
    oids.clear();
  }
  void Columns(const std::vector<std::string>&, std::size_t) override {}
  void Row(std::span<const db::FieldView> row) override {
    const std::string_view kind = row[0].value_or("");
    if (kind == "#full") {
      full = true;
      return;
    }
    if (kind == "#dirty") {
      for (const std::string& oid : ParseTextArray(row[1].value_or(""))) {
        dirty.push_back(ParseOid(oid));
      }
      return;
    }
    const std::size_t query = ParseOid(row[4].value_or(""));
    if (query >= sinks_.size()) {
      throw StopError(Error::Internal("refresh(): a row of an unknown catalog query"));
    }
    values_ = ParseTextArrayWithNulls(row[5].value_or("{}"));
    fields_.assign(row.begin(), row.begin() + 4);
    for (const std::optional<std::string>& value : values_) {
      fields_.push_back(value ? db::FieldView(*value) : std::nullopt);
    }
    sinks_[query]->Row(fields_);
  }

  bool full = false;
  std::vector<unsigned> dirty;
  std::vector<Object> objects;
  std::vector<ObjectOids> oids;

 private:
  SnapshotOptions options_;
  std::vector<std::unique_ptr<db::RowSink>> sinks_;  // write to objects and oids
  std::vector<std::optional<std::string>> values_;
  std::vector<db::FieldView> fields_;
};

void TrackedCatalog::Install(db::Session& session, const SnapshotOptions& options) {
  full_queries_ = TrackedCatalogQueries(server_version_num_, FiltersFor(options), "");
  session.Exec(kInstallWatch);
  session.Exec(fmt::format(kTakeFunction,
                           fmt::arg("publication_namespaces",
                                    server_version_num_ >= 150000
                                        ? fmt::format("UNION SELECT pn.pnpubid, {} "
                                                      "FROM pg_catalog.pg_publication_namespace pn "
                                                      "WHERE pn.oid = ANY (v_touched)",
                                                      CatalogOid("pg_publication"))
                                        : ""),
                           fmt::arg("pg_class", CatalogOid("pg_class")),
                           fmt::arg("pg_type", CatalogOid("pg_type")),
                           fmt::arg("pg_publication", CatalogOid("pg_publication"))));
}

std::vector<std::vector<std::string>> TrackedCatalog::ReadFull(db::Session& session,
                                                               const SnapshotOptions& options,
                                                               bool keep, Queries which) {
  constexpr auto kRelations = static_cast<std::size_t>(CatalogQuery::kRelations);
  // Query by query: it also names each query's columns for refresh(). The session keeps each
  // query prepared, so a second read parses and plans nothing.
  std::vector<std::vector<std::string>> columns;
  std::vector<Object> objects;
  std::vector<ObjectOids> oids;
  {
    PinnedSettings pinned(session);
    for (std::size_t i = 0; i < full_queries_.size(); ++i) {
      const bool run =
          which == Queries::kAll || (which == Queries::kRelations) == (i == kRelations);
      columns.push_back(run ? ReadObjects(session, full_queries_[i], options, objects, &oids)
                            : std::vector<std::string>{});
    }
  }
  if (keep) {
    AssignPositions(objects);
    for (std::size_t i = 0; i < objects.size(); ++i) Insert(std::move(objects[i]), oids[i]);
    if (which != Queries::kRelations) ++full_reads_;
  }
  return columns;
}

void TrackedCatalog::MakeRefresh(db::Session& session, const SnapshotOptions& options,
                                 const std::vector<std::vector<std::string>>& columns) {
  session.Exec(RefreshFunction(server_version_num_, FiltersFor(options), full_queries_, columns));
  reader_ = std::make_unique<RefreshReader>(options, columns);
}

std::optional<TrackedCatalog> TrackedCatalog::Start(db::Session& session,
                                                    const SnapshotOptions& options) {
  if (!CanStart(session)) return std::nullopt;
  TrackedCatalog catalog(session.server_version_num());
  catalog.Install(session, options);
  session.Exec(kCreateTriggers);
  catalog.watching_ = true;
  const std::vector<std::vector<std::string>> columns =
      catalog.ReadFull(session, options, /*keep=*/true);
  catalog.MakeRefresh(session, options, columns);
  // Resets the fingerprint and empties the log of the watch's own DDL.
  session.Query("SELECT stairway_watch.take(true)");
  return catalog;
}

std::optional<TrackedCatalog> TrackedCatalog::Prepare(db::Session& session,
                                                      const SnapshotOptions& options) {
  if (!CanStart(session)) return std::nullopt;
  // A lock the other session's step holds is not waited for: the preparation fails instead
  // (the caller then starts the watch the usual way), long before a deadlock check could pick
  // the step as its victim.
  session.Exec("SET lock_timeout = '50ms'");
  TrackedCatalog catalog(session.server_version_num());
  catalog.Install(session, options);
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::vector<std::string>> columns = catalog.ReadFull(session, options, false);
  catalog.prepare_read_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  catalog.MakeRefresh(session, options, columns);
  // take() first on its own: the first call always finds the fingerprint new, and refresh()
  // would then re-read everything instead of planning its scoped reads.
  session.Query("SELECT stairway_watch.take(true)");
  try {
    session.Exec(kLogSomeObjects);
    session.QueryPreparedInto(kRefresh, {db::Value("true")}, *catalog.reader_);
  } catch (const StopError&) {
    // Only a warm-up: an object dropped meanwhile by the other session's step, say.
    session.Exec("DELETE FROM stairway_watch.log");
  }
  catalog.reader_->Reset();
  return catalog;
}

void TrackedCatalog::Watch(db::Session& session) {
  session.Exec(kCreateTriggers);
  watching_ = true;
  // The fingerprint of what no event trigger sees, as of now; an empty log.
  session.Query("SELECT stairway_watch.take(true)");
}

void TrackedCatalog::ReadAhead(db::Session& session) {
  ReadFull(session, reader_->options(), /*keep=*/true, Queries::kAllButRelations);
  read_ahead_ = true;
}

void TrackedCatalog::Arm(db::Session& session) {
  session.Exec(watching_ ? std::string("RESET lock_timeout;")
                         : std::string(kCreateTriggers) + "RESET lock_timeout;");
  watching_ = true;
  if (read_ahead_) {
    // The relations ReadAhead left out, then what the steps since Watch touched (a full re-read
    // if they changed what no event trigger sees).
    ReadFull(session, reader_->options(), /*keep=*/true, Queries::kRelations);
    Refresh(session, /*unwatched=*/true);
    return;
  }
  session.Query("SELECT stairway_watch.take(true)");
  ReadFull(session, reader_->options(), /*keep=*/true);  // Prepare kept nothing of its read
}

void TrackedCatalog::Insert(Object object, ObjectOids oids) {
  Key key{object.kind, object.identity};
  by_oid_[oids.oid].push_back(key);
  if (oids.root != oids.oid) by_oid_[oids.root].push_back(key);
  objects_.insert_or_assign(std::move(key), Entry{std::move(object), oids});
}

TrackedCatalog::TrackedCatalog(TrackedCatalog&&) noexcept = default;
TrackedCatalog& TrackedCatalog::operator=(TrackedCatalog&&) noexcept = default;
TrackedCatalog::~TrackedCatalog() = default;

TrackedPatch TrackedCatalog::Refresh(db::Session& session, bool unwatched) {
  TrackedPatch patch;
  RefreshReader& rows = *reader_;
  rows.Reset();
  session.QueryPreparedInto(kRefresh, {db::Value(unwatched ? "true" : "false")}, rows);
  patch.full = rows.full;
  const std::vector<unsigned>& dirty = rows.dirty;
  std::vector<Object>& objects = rows.objects;
  const std::vector<ObjectOids>& oids = rows.oids;
  AssignPositions(objects);

  // The cached objects the re-read replaces: all of them, or those read with a dirty OID.
  std::map<Key, Entry> old;
  if (patch.full) {
    old = std::move(objects_);
    objects_.clear();
    by_oid_.clear();
    ++full_reads_;
  } else {
    for (unsigned oid : dirty) {
      auto keys = by_oid_.find(oid);
      if (keys == by_oid_.end()) continue;
      for (const Key& key : keys->second) {
        auto it = objects_.find(key);
        if (it != objects_.end() && (it->second.oids.oid == oid || it->second.oids.root == oid)) {
          old.insert(objects_.extract(it));
        }
      }
      by_oid_.erase(keys);
    }
  }
  std::map<Key, Entry> fresh;
  for (std::size_t i = 0; i < objects.size(); ++i) {
    Key key{objects[i].kind, objects[i].identity};
    // A cached object under the same name that no dirty OID reached is replaced all the same.
    if (auto it = objects_.find(key); it != objects_.end()) old.insert(objects_.extract(it));
    fresh.insert_or_assign(std::move(key), Entry{std::move(objects[i]), oids[i]});
  }
  for (const auto& [key, entry] : old) {
    auto it = fresh.find(key);
    if (it == fresh.end() || it->second.object != entry.object) {
      patch.removed.push_back(entry.object);
    }
  }
  for (auto& [key, entry] : fresh) {
    auto it = old.find(key);
    if (it == old.end() || it->second.object != entry.object) patch.added.push_back(entry.object);
    Insert(std::move(entry.object), entry.oids);
  }
  return patch;
}

const Object* TrackedCatalog::Find(const std::string& kind, const std::string& identity) const {
  auto it = objects_.find(Key{kind, identity});
  return it == objects_.end() ? nullptr : &it->second.object;
}

Snapshot TrackedCatalog::Current() const {
  Snapshot snapshot;
  snapshot.server_version_num = server_version_num_;
  snapshot.objects.reserve(objects_.size());
  for (const auto& [key, entry] : objects_) snapshot.objects.push_back(entry.object);
  return snapshot;
}

Snapshot TrackedCatalog::ReadAll(db::Session& session, db::Session* second) const {
  SnapshotOptions options = reader_->options();
  options.sessions = Sessions::kOneSession;  // the companion has none of these prepared
  return ReadCatalog(session, full_queries_, options, second);
}

void TrackedCatalog::Stop(db::Session& session) {
  try {
    session.Exec(
        "DROP EVENT TRIGGER IF EXISTS stairway_watch_ddl; "
        "DROP EVENT TRIGGER IF EXISTS stairway_watch_drop; "
        "DROP SCHEMA IF EXISTS stairway_watch CASCADE");
  } catch (const StopError&) {
    // The throwaway database is dropped anyway; a leftover watch only matters with --keep.
  }
}

}  // namespace stairway::schema

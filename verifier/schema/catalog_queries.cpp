// The catalog queries behind TakeSnapshot. Every name in an identity goes through quote_ident, and
// every deparsed text comes from the server's pg_get_* functions under search_path=pg_catalog,
// so names outside pg_catalog are always schema-qualified and no OID leaks into a value.
#include "verifier/schema/catalog_queries.h"

#include <fmt/format.h>

#include <array>

namespace stairway::schema {
namespace {

// Objects created by CREATE EXTENSION (pg_depend deptype 'e'), for one catalog. Asking by
// refclassid uses pg_depend's reference index, so only extension rows are read (a scan of all
// pg_depend costs milliseconds per query on a large schema).
// With f.few_rows (a scoped read of a handful of rows) each row probes pg_depend instead: cheaper
// than building the hashed list of every extension member.
std::string NotExtensionMember(const QueryFilters& f, std::string_view oid_expr,
                               std::string_view catalog) {
  if (f.few_rows) {
    return fmt::format(
        "NOT EXISTS (SELECT FROM pg_catalog.pg_depend xd WHERE xd.classid = '{}'::regclass "
        "AND xd.objid = {} AND xd.deptype = 'e')",
        catalog, oid_expr);
  }
  return fmt::format(
      "{} NOT IN (SELECT objid FROM pg_catalog.pg_depend WHERE refclassid = "
      "'pg_extension'::regclass AND classid = '{}'::regclass AND deptype = 'e')",
      oid_expr, catalog);
}

// Indexes of the index alias `i` that back no PRIMARY KEY, UNIQUE or EXCLUDE constraint. With
// f.few_rows each index is probed through its table's constraints.
std::string NotConstraintIndex(const QueryFilters& f) {
  if (f.few_rows) {
    return "NOT EXISTS (SELECT FROM pg_constraint xc WHERE xc.conrelid = i.indrelid "
           "AND xc.conindid = i.indexrelid AND xc.contype IN ('p', 'u', 'x'))";
  }
  return "i.indexrelid NOT IN (SELECT conindid FROM pg_constraint WHERE contype IN ('p', 'u', "
         "'x'))";
}

std::string CommentJoin(std::string_view alias, std::string_view oid_expr, std::string_view catalog,
                        std::string_view subid = "0") {
  return fmt::format(
      "LEFT JOIN pg_description {0} ON {0}.classoid = '{2}'::regclass AND {0}.objoid = {1} "
      "AND {0}.objsubid = {3}",
      alias, oid_expr, catalog, subid);
}

// Identity and kind of the relation `c` in namespace `n`.
constexpr std::string_view kRelIdentity = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)";
constexpr std::string_view kRelKind =
    "CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' "
    "WHEN 'm' THEN 'materialized view' WHEN 'f' THEN 'foreign table' END";

// The relations the relation and column queries report: tables (plain and partitioned), views,
// materialized views, foreign tables.
constexpr std::string_view kReportedRelkinds = "('r', 'p', 'v', 'm', 'f')";
// The types the Types query reports (on pg_type alias `t`): enums, domains, composite types
// (those of their own, checked apart), ranges and base types, but no array type.
constexpr std::string_view kReportedTyptypes = "('e', 'd', 'c', 'r', 'b')";
constexpr std::string_view kNotAnArrayType =
    "NOT (t.typelem <> 0 AND EXISTS (SELECT 1 FROM pg_type et "
    "WHERE et.oid = t.typelem AND et.typarray = t.oid))";

std::string Schemas(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'schema', quote_ident(n.nspname), '', '',
  pg_get_userbyid(n.nspowner) AS owner,
  pg_get_userbyid(n.nspowner) AS _owner,
  coalesce(n.nspacl, acldefault('n', n.nspowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_namespace n
{comment}
WHERE {ns} AND {ext})SQL",
                     fmt::arg("ns", f.namespace_filter),
                     fmt::arg("comment", CommentJoin("d", "n.oid", "pg_namespace")),
                     fmt::arg("ext", NotExtensionMember(f, "n.oid", "pg_namespace")));
}

std::string Extensions() {
  return R"SQL(
SELECT 'extension', quote_ident(e.extname), '', '',
  e.extversion AS version,
  quote_ident(n.nspname) AS schema,
  d.description AS comment
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
LEFT JOIN pg_description d ON d.classoid = 'pg_extension'::regclass AND d.objoid = e.oid
  AND d.objsubid = 0)SQL";
}

std::string Relations(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT {kind}, {ident},
  CASE WHEN c.relispartition THEN 'table' ELSE 'schema' END,
  CASE WHEN c.relispartition THEN parent.ident ELSE quote_ident(n.nspname) END,
  CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' ELSE 'permanent' END
    AS persistence,
  CASE WHEN c.relkind IN ('r', 'p') THEN c.relrowsecurity::text END AS row_security,
  CASE WHEN c.relkind IN ('r', 'p') THEN c.relforcerowsecurity::text END AS force_row_security,
  {options} AS "options[]",
  ts.spcname AS tablespace,
  CASE WHEN c.relkind IN ('r', 'p', 'm') THEN
    CASE c.relreplident WHEN 'd' THEN 'default' WHEN 'n' THEN 'nothing' WHEN 'f' THEN 'full'
      ELSE 'index ' || (SELECT quote_ident(ic.relname) FROM pg_index i
                        JOIN pg_class ic ON ic.oid = i.indexrelid
                        WHERE i.indrelid = c.oid AND i.indisreplident) END
  END AS replica_identity,
  CASE WHEN c.relkind IN ('r', 'm') AND am.amname <> 'heap' THEN am.amname END AS access_method,
  pg_get_userbyid(c.relowner) AS owner,
  pg_get_userbyid(c.relowner) AS _owner,
  coalesce(c.relacl, acldefault('r', c.relowner))::text[] AS "grants[]",
  d.description AS comment,
  CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partition_key,
  parent.ident AS partition_of,
  CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS partition_bound,
  CASE WHEN NOT c.relispartition THEN inh.parents END AS "inherits[]",
  CASE WHEN c.reloftype <> 0 THEN format_type(c.reloftype, NULL) END AS of_type,
  CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) END AS definition,
  CASE WHEN c.relkind = 'm' THEN c.relispopulated::text END AS populated,
  quote_ident(fs.srvname) AS server,
  {ftoptions} AS "server_options[]"
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_tablespace ts ON ts.oid = c.reltablespace
LEFT JOIN pg_am am ON am.oid = c.relam
LEFT JOIN pg_foreign_table ft ON ft.ftrelid = c.oid
LEFT JOIN pg_foreign_server fs ON fs.oid = ft.ftserver
LEFT JOIN (
  SELECT i.inhrelid, array_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
                               ORDER BY i.inhseqno) AS parents
  FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
  GROUP BY i.inhrelid) inh ON inh.inhrelid = c.oid
LEFT JOIN LATERAL (SELECT inh.parents[1] AS ident WHERE c.relispartition) parent ON true
{comment}
WHERE c.relkind IN {relkinds} AND {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("relkinds", kReportedRelkinds), fmt::arg("kind", kRelKind),
                     fmt::arg("ident", kRelIdentity), fmt::arg("options", "c.reloptions"),
                     fmt::arg("ftoptions", "ft.ftoptions"),
                     fmt::arg("comment", CommentJoin("d", "c.oid", "pg_class")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

// The options of an identity column's sequence, in CREATE TABLE order.
constexpr std::string_view kIdentitySequence = R"SQL(
    (SELECT format('%s START %s INCREMENT %s MINVALUE %s MAXVALUE %s CACHE %s%s',
                   format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
                   s.seqmax, s.seqcache, CASE WHEN s.seqcycle THEN ' CYCLE' ELSE '' END)
     FROM pg_depend dep JOIN pg_sequence s ON s.seqrelid = dep.objid
     WHERE dep.refclassid = 'pg_class'::regclass AND dep.refobjid = c.oid
       AND dep.refobjsubid = a.attnum AND dep.classid = 'pg_class'::regclass
       AND dep.deptype = 'i'))SQL";

// Column comments are few: a hash join on them beats probing pg_description once per column.
constexpr std::string_view kColumnComments =
    "LEFT JOIN (SELECT objoid, objsubid, description FROM pg_description "
    "WHERE classoid = 'pg_class'::regclass AND objsubid > 0) d "
    "ON d.objoid = a.attrelid AND d.objsubid = a.attnum";

// A default never refers to a column, so it is deparsed without its table (relid 0): the server
// then neither opens nor locks the table, nor builds its relation cache entry, which was 40% of a
// cold snapshot's column query (47 -> 28 ms for 1,000 tables). A generated column's expression
// names columns and needs its table.
std::string Columns(int version, const QueryFilters& f) {
  const std::string compression =
      version >= 140000 ? "CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END"
                        : "NULL::text";
  return fmt::format(
      R"SQL(
SELECT 'column', {ident} || '.' || quote_ident(a.attname), {kind}, {ident},
  format_type(a.atttypid, a.atttypmod) AS type,
  a.attnotnull::text AS not_null,
  CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, 0) END AS "default",
  CASE WHEN a.attgenerated = 's' THEN pg_get_expr(ad.adbin, ad.adrelid) END AS generated,
  CASE a.attidentity WHEN 'a' THEN 'ALWAYS' WHEN 'd' THEN 'BY DEFAULT' END AS identity,
  CASE WHEN a.attidentity <> '' THEN {identity_sequence} END AS identity_sequence,
  CASE WHEN a.attcollation <> t.typcollation THEN
    (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co
     JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = a.attcollation) END
    AS collation,
  CASE WHEN a.attstorage <> t.typstorage THEN
    CASE a.attstorage WHEN 'p' THEN 'plain' WHEN 'e' THEN 'external' WHEN 'm' THEN 'main'
      ELSE 'extended' END END AS storage,
  {compression} AS compression,
  CASE WHEN a.attstattarget >= 0 THEN a.attstattarget::text END AS statistics,
  CASE WHEN a.attndims > 0 THEN a.attndims::text END AS array_dims,
  {attoptions} AS "options[]",
  {fdwoptions} AS "server_options[]",
  a.attacl::text[] AS "grants[]",
  CASE WHEN a.attacl IS NOT NULL THEN pg_get_userbyid(c.relowner) END AS _owner,
  d.description AS comment,
  a.attnum AS _attnum
FROM pg_attribute a
JOIN pg_class c ON c.oid = a.attrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
{comment}
WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN {relkinds}
  AND {ns} AND {rel} AND {ext})SQL",
      fmt::arg("relkinds", kReportedRelkinds), fmt::arg("kind", kRelKind),
      fmt::arg("ident", kRelIdentity), fmt::arg("identity_sequence", kIdentitySequence),
      fmt::arg("compression", compression), fmt::arg("attoptions", "a.attoptions"),
      fmt::arg("fdwoptions", "a.attfdwoptions"), fmt::arg("comment", kColumnComments),
      fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
      fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string Constraints(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'constraint', {ident} || '.' || quote_ident(co.conname), {kind}, {ident},
  CASE co.contype WHEN 'p' THEN 'primary key' WHEN 'u' THEN 'unique' WHEN 'f' THEN 'foreign key'
    WHEN 'c' THEN 'check' WHEN 'x' THEN 'exclude' END AS type,
  pg_get_constraintdef(co.oid) AS definition,
  co.convalidated::text AS validated,
  CASE WHEN NOT co.conislocal THEN 'true' END AS inherited,
  d.description AS comment
FROM pg_constraint co
JOIN pg_class c ON c.oid = co.conrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
{comment}
WHERE co.contype IN ('p', 'u', 'f', 'c', 'x') AND {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "co.oid", "pg_constraint")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

// Indexes that back a PRIMARY KEY, UNIQUE or EXCLUDE constraint are reported as the constraint.
std::string Indexes(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'index', quote_ident(n.nspname) || '.' || quote_ident(ic.relname), {kind}, {ident},
  pg_get_indexdef(i.indexrelid) AS definition,
  quote_ident(ic.relname) AS _name,
  i.indisvalid::text AS valid,
  CASE WHEN i.indisclustered THEN 'true' END AS clustered,
  ts.spcname AS tablespace,
  (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname) FROM pg_inherits inh
   JOIN pg_class pc ON pc.oid = inh.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace
   WHERE inh.inhrelid = i.indexrelid) AS partition_of,
  d.description AS comment
FROM pg_index i
JOIN pg_class ic ON ic.oid = i.indexrelid
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_tablespace ts ON ts.oid = ic.reltablespace
{comment}
WHERE c.relkind IN ('r', 'p', 'm') AND {ns} AND {rel} AND {ext}
  AND {backing})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "ic.oid", "pg_class")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")),
                     fmt::arg("backing", NotConstraintIndex(f)));
}

// Sequences owned by a column (serial) belong to that table; identity-column sequences are part
// of the column (identity_sequence) and left out here.
std::string Sequences(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'sequence', {ident},
  CASE WHEN own.tab IS NULL THEN 'schema' ELSE 'table' END,
  coalesce(own.tab, quote_ident(n.nspname)),
  format_type(s.seqtypid, NULL) AS type,
  s.seqstart::text AS start,
  s.seqincrement::text AS increment,
  s.seqmin::text AS minvalue,
  s.seqmax::text AS maxvalue,
  s.seqcache::text AS cache,
  s.seqcycle::text AS cycle,
  own.tab || '.' || own.col AS owned_by,
  CASE c.relpersistence WHEN 'u' THEN 'unlogged' WHEN 't' THEN 'temporary' ELSE 'permanent' END
    AS persistence,
  pg_get_userbyid(c.relowner) AS owner,
  pg_get_userbyid(c.relowner) AS _owner,
  coalesce(c.relacl, acldefault('s', c.relowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_sequence s
JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_depend dep ON dep.classid = 'pg_class'::regclass AND dep.objid = c.oid
  AND dep.refclassid = 'pg_class'::regclass AND dep.deptype IN ('a', 'i') AND dep.refobjsubid > 0
LEFT JOIN LATERAL (
  SELECT tc.relname AS tabname,
         quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) AS tab,
         quote_ident(ta.attname) AS col
  FROM pg_class tc
  JOIN pg_namespace tn ON tn.oid = tc.relnamespace
  JOIN pg_attribute ta ON ta.attrelid = tc.oid AND ta.attnum = dep.refobjsubid
  WHERE tc.oid = dep.refobjid AND dep.deptype = 'a') own ON true
{comment}
WHERE {ns} AND {rel} AND {ext} AND dep.deptype IS DISTINCT FROM 'i'
  AND NOT (coalesce(own.tabname, '') LIKE ANY ({excluded})))SQL",
                     fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "c.oid", "pg_class")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("excluded", f.excluded_array),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string QualifiedCollation(std::string_view oid_expr) {
  return fmt::format(
      "(SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname) FROM pg_collation co "
      "JOIN pg_namespace cn ON cn.oid = co.collnamespace WHERE co.oid = {})",
      oid_expr);
}

// Enums, domains, standalone composite types, ranges and base types. Array types, multiranges
// and the row types of tables are created implicitly and left out.
std::string Types(int version, const QueryFilters& f) {
  const std::string multirange =
      version >= 140000 ? "format_type(r.rngmultitypid, NULL)" : "NULL::text";
  return fmt::format(
      R"SQL(
SELECT 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname), 'schema',
  quote_ident(n.nspname),
  CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite'
    WHEN 'r' THEN 'range' ELSE 'base' END AS type,
  CASE WHEN t.typtype = 'e' THEN coalesce((SELECT array_agg(quote_literal(e.enumlabel)
    ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), ARRAY[]::text[])
    END AS "labels[]",
  CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END AS base_type,
  CASE WHEN t.typtype = 'd' THEN t.typnotnull::text END AS not_null,
  CASE WHEN t.typtype = 'd' THEN pg_get_expr(t.typdefaultbin, 0) END AS "default",
  CASE WHEN t.typtype = 'd' THEN coalesce((SELECT array_agg(quote_ident(co.conname) || ' ' ||
    pg_get_constraintdef(co.oid) ORDER BY co.conname) FROM pg_constraint co
    WHERE co.contypid = t.oid), ARRAY[]::text[]) END AS "constraints[]",
  CASE WHEN t.typtype = 'd' AND t.typcollation <> bt.typcollation THEN {domain_collation}
    WHEN t.typtype = 'r' AND r.rngcollation <> 0 THEN {range_collation} END AS collation,
  CASE WHEN t.typtype = 'c' THEN (SELECT array_agg(quote_ident(a.attname) || ' ' ||
    format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attcollation <> at.typcollation
    THEN ' COLLATE ' || {attribute_collation} ELSE '' END ORDER BY a.attnum)
    FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
    WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) END AS "attributes[]",
  format_type(r.rngsubtype, NULL) AS subtype,
  (SELECT quote_ident(opn.nspname) || '.' || quote_ident(opc.opcname) FROM pg_opclass opc
   JOIN pg_namespace opn ON opn.oid = opc.opcnamespace WHERE opc.oid = r.rngsubopc)
    AS subtype_opclass,
  CASE WHEN r.rngcanonical <> 0 THEN r.rngcanonical::regprocedure::text END AS canonical,
  CASE WHEN r.rngsubdiff <> 0 THEN r.rngsubdiff::regprocedure::text END AS subtype_diff,
  CASE WHEN t.typtype = 'r' THEN {multirange} END AS multirange,
  CASE WHEN t.typtype = 'b' THEN t.typinput::regprocedure::text END AS input,
  CASE WHEN t.typtype = 'b' THEN t.typoutput::regprocedure::text END AS output,
  pg_get_userbyid(t.typowner) AS owner,
  pg_get_userbyid(t.typowner) AS _owner,
  coalesce(t.typacl, acldefault('T', t.typowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_class tc ON tc.oid = t.typrelid
LEFT JOIN pg_range r ON r.rngtypid = t.oid
{comment}
WHERE t.typtype IN {typtypes} AND (t.typtype <> 'c' OR tc.relkind = 'c')
  AND {not_array}
  AND {ns} AND {ext})SQL",
      fmt::arg("typtypes", kReportedTyptypes), fmt::arg("not_array", kNotAnArrayType),
      fmt::arg("domain_collation", QualifiedCollation("t.typcollation")),
      fmt::arg("range_collation", QualifiedCollation("r.rngcollation")),
      fmt::arg("attribute_collation", QualifiedCollation("a.attcollation")),
      fmt::arg("multirange", multirange), fmt::arg("comment", CommentJoin("d", "t.oid", "pg_type")),
      fmt::arg("ns", f.namespace_filter),
      fmt::arg("ext", NotExtensionMember(f, "t.oid", "pg_type")));
}

std::string Functions(int version, const QueryFilters& f) {
  const std::string body = version >= 140000 ? "CASE WHEN p.prosqlbody IS NOT NULL THEN "
                                               "pg_get_function_sqlbody(p.oid) ELSE p.prosrc END"
                                             : "p.prosrc";
  return fmt::format(
      R"SQL(
SELECT CASE p.prokind WHEN 'p' THEN 'procedure' WHEN 'a' THEN 'aggregate' ELSE 'function' END,
  quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '(' ||
    oidvectortypes(p.proargtypes) || ')',
  'schema', quote_ident(n.nspname),
  pg_get_function_arguments(p.oid) AS arguments,
  CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) END AS returns,
  quote_ident(l.lanname) AS language,
  CASE WHEN p.prokind <> 'a' THEN CASE p.provolatile WHEN 'i' THEN 'IMMUTABLE'
    WHEN 's' THEN 'STABLE' ELSE 'VOLATILE' END END AS volatility,
  CASE WHEN p.prokind <> 'a' THEN p.proisstrict::text END AS strict,
  p.prosecdef::text AS security_definer,
  p.proleakproof::text AS leakproof,
  CASE p.proparallel WHEN 's' THEN 'SAFE' WHEN 'r' THEN 'RESTRICTED' ELSE 'UNSAFE' END AS parallel,
  p.proconfig AS "config[]",
  CASE WHEN p.prokind <> 'a' THEN p.procost::text END AS cost,
  CASE WHEN p.proretset THEN p.prorows::text END AS rows,
  CASE WHEN p.prokind = 'w' THEN 'true' END AS "window",
  CASE WHEN p.prokind <> 'a' THEN {body} END AS body,
  p.probin AS library,
  CASE WHEN p.prosupport <> 0 THEN p.prosupport::regprocedure::text END AS support,
  ag.aggtransfn::regprocedure::text AS state_function,
  format_type(ag.aggtranstype, NULL) AS state_type,
  CASE WHEN ag.aggfinalfn <> 0 THEN ag.aggfinalfn::regprocedure::text END AS final_function,
  CASE WHEN ag.aggcombinefn <> 0 THEN ag.aggcombinefn::regprocedure::text END AS combine_function,
  CASE WHEN ag.aggmtransfn <> 0 THEN ag.aggmtransfn::regprocedure::text END
    AS moving_state_function,
  ag.agginitval AS initial_condition,
  CASE WHEN ag.aggsortop <> 0 THEN ag.aggsortop::regoperator::text END AS sort_operator,
  CASE ag.aggkind WHEN 'o' THEN 'ordered-set' WHEN 'h' THEN 'hypothetical' END AS aggregate_kind,
  pg_get_userbyid(p.proowner) AS owner,
  pg_get_userbyid(p.proowner) AS _owner,
  coalesce(p.proacl, acldefault('f', p.proowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_proc p
JOIN pg_namespace n ON n.oid = p.pronamespace
JOIN pg_language l ON l.oid = p.prolang
LEFT JOIN pg_aggregate ag ON ag.aggfnoid = p.oid
{comment}
WHERE {ns} AND {ext}
  AND p.oid NOT IN (SELECT objid FROM pg_depend WHERE classid = 'pg_proc'::regclass
                    AND deptype = 'i'))SQL",
      fmt::arg("body", body), fmt::arg("comment", CommentJoin("d", "p.oid", "pg_proc")),
      fmt::arg("ns", f.namespace_filter),
      fmt::arg("ext", NotExtensionMember(f, "p.oid", "pg_proc")));
}

std::string Triggers(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'trigger', {ident} || '.' || quote_ident(tg.tgname), {kind}, {ident},
  pg_get_triggerdef(tg.oid) AS definition,
  CASE tg.tgenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica'
    WHEN 'A' THEN 'always' END AS status,
  d.description AS comment
FROM pg_trigger tg
JOIN pg_class c ON c.oid = tg.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
{comment}
WHERE NOT tg.tgisinternal AND {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "tg.oid", "pg_trigger")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string Policies(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'policy', {ident} || '.' || quote_ident(pol.polname), {kind}, {ident},
  CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE'
    WHEN 'd' THEN 'DELETE' ELSE 'ALL' END AS command,
  CASE WHEN pol.polpermissive THEN 'PERMISSIVE' ELSE 'RESTRICTIVE' END AS mode,
  (SELECT array_agg(x ORDER BY x) FROM (SELECT CASE WHEN r = 0 THEN 'PUBLIC'
     ELSE quote_ident(pg_get_userbyid(r)) END AS x FROM unnest(pol.polroles) r) roles)
    AS "roles[]",
  pg_get_expr(pol.polqual, pol.polrelid) AS "using",
  pg_get_expr(pol.polwithcheck, pol.polrelid) AS with_check,
  d.description AS comment
FROM pg_policy pol
JOIN pg_class c ON c.oid = pol.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
{comment}
WHERE {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "pol.oid", "pg_policy")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string Rules(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'rule', {ident} || '.' || quote_ident(ru.rulename), {kind}, {ident},
  pg_get_ruledef(ru.oid) AS definition,
  CASE ru.ev_enabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica'
    WHEN 'A' THEN 'always' END AS status,
  d.description AS comment
FROM pg_rewrite ru
JOIN pg_class c ON c.oid = ru.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
{comment}
WHERE ru.rulename <> '_RETURN' AND {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "ru.oid", "pg_rewrite")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string Statistics(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'statistics', quote_ident(sn.nspname) || '.' || quote_ident(st.stxname), {kind}, {ident},
  pg_get_statisticsobjdef(st.oid) AS definition,
  CASE WHEN st.stxstattarget >= 0 THEN st.stxstattarget::text END AS statistics_target,
  pg_get_userbyid(st.stxowner) AS owner,
  d.description AS comment
FROM pg_statistic_ext st
JOIN pg_namespace sn ON sn.oid = st.stxnamespace
JOIN pg_class c ON c.oid = st.stxrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
{comment}
WHERE {ns} AND {rel} AND {ext})SQL",
                     fmt::arg("kind", kRelKind), fmt::arg("ident", kRelIdentity),
                     fmt::arg("comment", CommentJoin("d", "st.oid", "pg_statistic_ext")),
                     fmt::arg("ns", f.namespace_filter), fmt::arg("rel", f.relation_filter),
                     fmt::arg("ext", NotExtensionMember(f, "c.oid", "pg_class")));
}

std::string Collations(int version, const QueryFilters& f) {
  const std::string locale = version >= 170000   ? "co.colllocale"
                             : version >= 150000 ? "co.colliculocale"
                                                 : "NULL::text";
  return fmt::format(R"SQL(
SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(co.collname), 'schema',
  quote_ident(n.nspname),
  CASE co.collprovider WHEN 'c' THEN 'libc' WHEN 'i' THEN 'icu' ELSE 'default' END AS provider,
  co.collcollate AS lc_collate,
  co.collctype AS lc_ctype,
  {locale} AS locale,
  co.collisdeterministic::text AS deterministic,
  pg_get_userbyid(co.collowner) AS owner,
  d.description AS comment
FROM pg_collation co
JOIN pg_namespace n ON n.oid = co.collnamespace
{comment}
WHERE {ns} AND {ext})SQL",
                     fmt::arg("locale", locale),
                     fmt::arg("comment", CommentJoin("d", "co.oid", "pg_collation")),
                     fmt::arg("ns", f.namespace_filter),
                     fmt::arg("ext", NotExtensionMember(f, "co.oid", "pg_collation")));
}

std::string Operators(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'operator', quote_ident(n.nspname) || '.' || o.oprname || '(' ||
    CASE WHEN o.oprleft = 0 THEN 'NONE' ELSE format_type(o.oprleft, NULL) END || ', ' ||
    CASE WHEN o.oprright = 0 THEN 'NONE' ELSE format_type(o.oprright, NULL) END || ')',
  'schema', quote_ident(n.nspname),
  o.oprcode::regprocedure::text AS function,
  format_type(o.oprresult, NULL) AS returns,
  CASE WHEN o.oprcom <> 0 THEN o.oprcom::regoperator::text END AS commutator,
  CASE WHEN o.oprnegate <> 0 THEN o.oprnegate::regoperator::text END AS negator,
  CASE WHEN o.oprrest <> 0 THEN o.oprrest::regprocedure::text END AS restrict,
  CASE WHEN o.oprjoin <> 0 THEN o.oprjoin::regprocedure::text END AS "join",
  o.oprcanhash::text AS hashes,
  o.oprcanmerge::text AS merges,
  pg_get_userbyid(o.oprowner) AS owner,
  d.description AS comment
FROM pg_operator o
JOIN pg_namespace n ON n.oid = o.oprnamespace
{comment}
WHERE {ns} AND {ext})SQL",
                     fmt::arg("comment", CommentJoin("d", "o.oid", "pg_operator")),
                     fmt::arg("ns", f.namespace_filter),
                     fmt::arg("ext", NotExtensionMember(f, "o.oid", "pg_operator")));
}

// ALTER DEFAULT PRIVILEGES: one object per role, schema (or all schemas) and object type.
std::string DefaultPrivileges(const QueryFilters& f) {
  return fmt::format(
      R"SQL(
SELECT 'default privileges',
  'for role ' || quote_ident(pg_get_userbyid(a.defaclrole)) ||
    coalesce(' in schema ' || quote_ident(n.nspname), '') || ' on ' ||
    CASE a.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions'
      WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE a.defaclobjtype::text END,
  CASE WHEN n.oid IS NULL THEN '' ELSE 'schema' END, coalesce(quote_ident(n.nspname), ''),
  a.defaclacl::text[] AS "grants[]"
FROM pg_default_acl a
LEFT JOIN pg_namespace n ON n.oid = a.defaclnamespace
WHERE ({where}))SQL",
      fmt::arg("where", f.database_level ? "n.oid IS NULL OR (" + f.namespace_filter + ")"
                                         : "n.oid IS NOT NULL AND " + f.namespace_filter));
}

std::string EventTriggers(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'event trigger', quote_ident(e.evtname), '', '',
  e.evtevent AS event,
  {tags} AS "tags[]",
  e.evtfoid::regprocedure::text AS function,
  CASE e.evtenabled WHEN 'O' THEN 'enabled' WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica'
    WHEN 'A' THEN 'always' END AS status,
  pg_get_userbyid(e.evtowner) AS owner,
  d.description AS comment
FROM pg_event_trigger e
{comment}
WHERE {evt} AND {ext})SQL",
                     fmt::arg("tags", "e.evttags"),
                     fmt::arg("comment", CommentJoin("d", "e.oid", "pg_event_trigger")),
                     fmt::arg("evt", f.event_trigger_filter),
                     fmt::arg("ext", NotExtensionMember(f, "e.oid", "pg_event_trigger")));
}

// User-defined casts: every cast created by initdb has an OID below FirstNormalObjectId.
std::string Casts(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'cast', '(' || format_type(ca.castsource, NULL) || ' AS ' ||
    format_type(ca.casttarget, NULL) || ')', '', '',
  CASE WHEN ca.castfunc <> 0 THEN ca.castfunc::regprocedure::text END AS function,
  CASE ca.castcontext WHEN 'e' THEN 'explicit' WHEN 'a' THEN 'assignment' ELSE 'implicit' END
    AS context,
  CASE ca.castmethod WHEN 'f' THEN 'function' WHEN 'i' THEN 'inout' ELSE 'binary' END AS method,
  d.description AS comment
FROM pg_cast ca
{comment}
WHERE ca.oid >= 16384 AND {ext}
  AND ca.oid NOT IN (SELECT objid FROM pg_depend WHERE classid = 'pg_cast'::regclass
                     AND deptype = 'i'))SQL",
                     fmt::arg("comment", CommentJoin("d", "ca.oid", "pg_cast")),
                     fmt::arg("ext", NotExtensionMember(f, "ca.oid", "pg_cast")));
}

std::string Publications(int version) {
  const std::string schemas =
      version >= 150000
          ? "(SELECT array_agg(quote_ident(pn.nspname) ORDER BY pn.nspname) "
            "FROM pg_publication_namespace pns JOIN pg_namespace pn ON pn.oid = pns.pnnspid "
            "WHERE pns.pnpubid = p.oid)"
          : "NULL::text[]";
  const std::string table_extras =
      version >= 150000
          ? " || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY "
            "a.attnum)"
            " FROM pg_attribute a WHERE a.attrelid = pr.prrelid"
            " AND a.attnum = ANY(pr.prattrs::int2[])) || ')', '')"
            " || coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', '')"
          : "";
  return fmt::format(R"SQL(
SELECT 'publication', quote_ident(p.pubname), '', '',
  p.puballtables::text AS all_tables,
  array_remove(ARRAY[CASE WHEN p.pubinsert THEN 'insert' END,
    CASE WHEN p.pubupdate THEN 'update' END, CASE WHEN p.pubdelete THEN 'delete' END,
    CASE WHEN p.pubtruncate THEN 'truncate' END], NULL) AS "publish[]",
  p.pubviaroot::text AS via_root,
  (SELECT array_agg(x ORDER BY x) FROM (SELECT quote_ident(rn.nspname) || '.' ||
     quote_ident(rc.relname) {table_extras} AS x
   FROM pg_publication_rel pr JOIN pg_class rc ON rc.oid = pr.prrelid
   JOIN pg_namespace rn ON rn.oid = rc.relnamespace WHERE pr.prpubid = p.oid) t) AS "tables[]",
  {schemas} AS "schemas[]",
  pg_get_userbyid(p.pubowner) AS owner,
  d.description AS comment
FROM pg_publication p
{comment})SQL",
                     fmt::arg("table_extras", table_extras), fmt::arg("schemas", schemas),
                     fmt::arg("comment", CommentJoin("d", "p.oid", "pg_publication")));
}

std::string ForeignDataWrappers(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'foreign data wrapper', quote_ident(w.fdwname), '', '',
  CASE WHEN w.fdwhandler <> 0 THEN w.fdwhandler::regprocedure::text END AS handler,
  CASE WHEN w.fdwvalidator <> 0 THEN w.fdwvalidator::regprocedure::text END AS validator,
  {options} AS "options[]",
  pg_get_userbyid(w.fdwowner) AS owner,
  pg_get_userbyid(w.fdwowner) AS _owner,
  coalesce(w.fdwacl, acldefault('F', w.fdwowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_foreign_data_wrapper w
{comment}
WHERE {ext})SQL",
                     fmt::arg("options", "w.fdwoptions"),
                     fmt::arg("comment", CommentJoin("d", "w.oid", "pg_foreign_data_wrapper")),
                     fmt::arg("ext", NotExtensionMember(f, "w.oid", "pg_foreign_data_wrapper")));
}

std::string ForeignServers(const QueryFilters& f) {
  return fmt::format(R"SQL(
SELECT 'server', quote_ident(s.srvname), 'foreign data wrapper', quote_ident(w.fdwname),
  s.srvtype AS type,
  s.srvversion AS version,
  {options} AS "options[]",
  pg_get_userbyid(s.srvowner) AS owner,
  pg_get_userbyid(s.srvowner) AS _owner,
  coalesce(s.srvacl, acldefault('S', s.srvowner))::text[] AS "grants[]",
  d.description AS comment
FROM pg_foreign_server s
JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
{comment}
WHERE {ext})SQL",
                     fmt::arg("options", "s.srvoptions"),
                     fmt::arg("comment", CommentJoin("d", "s.oid", "pg_foreign_server")),
                     fmt::arg("ext", NotExtensionMember(f, "s.oid", "pg_foreign_server")));
}

// Every catalog query in CatalogQuery order: how it is built, and for TrackedCatalogQueries the
// row's own OID and the OID it is re-read with (its table for columns, constraints, indexes,
// triggers, ...; the owning table of a serial's sequence).
struct QuerySpec {
  CatalogQuery id;
  std::string (*build)(int version, const QueryFilters& f);
  std::string_view oid, root;
};
constexpr std::array<QuerySpec, kCatalogQueryCount> kQuerySpecs = {{
    {CatalogQuery::kSchemas, [](int, const QueryFilters& f) { return Schemas(f); }, "n.oid",
     "n.oid"},
    {CatalogQuery::kRelations, [](int, const QueryFilters& f) { return Relations(f); }, "c.oid",
     "c.oid"},
    {CatalogQuery::kColumns, [](int v, const QueryFilters& f) { return Columns(v, f); }, "c.oid",
     "c.oid"},
    {CatalogQuery::kConstraints, [](int, const QueryFilters& f) { return Constraints(f); },
     "co.oid", "c.oid"},
    {CatalogQuery::kIndexes, [](int, const QueryFilters& f) { return Indexes(f); }, "i.indexrelid",
     "c.oid"},
    {CatalogQuery::kSequences, [](int, const QueryFilters& f) { return Sequences(f); }, "c.oid",
     "coalesce(dep.refobjid, c.oid)"},
    {CatalogQuery::kTypes, [](int v, const QueryFilters& f) { return Types(v, f); }, "t.oid",
     "t.oid"},
    {CatalogQuery::kFunctions, [](int v, const QueryFilters& f) { return Functions(v, f); },
     "p.oid", "p.oid"},
    {CatalogQuery::kTriggers, [](int, const QueryFilters& f) { return Triggers(f); }, "tg.oid",
     "c.oid"},
    {CatalogQuery::kPolicies, [](int, const QueryFilters& f) { return Policies(f); }, "pol.oid",
     "c.oid"},
    {CatalogQuery::kRules, [](int, const QueryFilters& f) { return Rules(f); }, "ru.oid", "c.oid"},
    {CatalogQuery::kStatistics, [](int, const QueryFilters& f) { return Statistics(f); }, "st.oid",
     "c.oid"},
    {CatalogQuery::kCollations, [](int v, const QueryFilters& f) { return Collations(v, f); },
     "co.oid", "co.oid"},
    {CatalogQuery::kOperators, [](int, const QueryFilters& f) { return Operators(f); }, "o.oid",
     "o.oid"},
    {CatalogQuery::kDefaultPrivileges,
     [](int, const QueryFilters& f) { return DefaultPrivileges(f); }, "a.oid", "a.oid"},
    {CatalogQuery::kExtensions, [](int, const QueryFilters&) { return Extensions(); }, "e.oid",
     "e.oid"},
    {CatalogQuery::kEventTriggers, [](int, const QueryFilters& f) { return EventTriggers(f); },
     "e.oid", "e.oid"},
    {CatalogQuery::kCasts, [](int, const QueryFilters& f) { return Casts(f); }, "ca.oid", "ca.oid"},
    {CatalogQuery::kPublications, [](int v, const QueryFilters&) { return Publications(v); },
     "p.oid", "p.oid"},
    {CatalogQuery::kForeignDataWrappers,
     [](int, const QueryFilters& f) { return ForeignDataWrappers(f); }, "w.oid", "w.oid"},
    {CatalogQuery::kForeignServers, [](int, const QueryFilters& f) { return ForeignServers(f); },
     "s.oid", "s.oid"},
}};
constexpr bool InOrder() {
  for (std::size_t i = 0; i < kQuerySpecs.size(); ++i) {
    if (static_cast<std::size_t>(kQuerySpecs[i].id) != i) return false;
  }
  return true;
}
static_assert(InOrder(), "kQuerySpecs must list the queries in CatalogQuery order");

}  // namespace

std::vector<std::string> CatalogQueries(int version, const QueryFilters& filters) {
  const std::size_t count = filters.database_level
                                ? kQuerySpecs.size()
                                : static_cast<std::size_t>(CatalogQuery::kExtensions);
  std::vector<std::string> queries;
  queries.reserve(count);
  for (std::size_t i = 0; i < count; ++i) queries.push_back(kQuerySpecs[i].build(version, filters));
  return queries;
}

std::string ReportedRoots(CatalogQuery query, std::string_view dirty) {
  switch (query) {
    case CatalogQuery::kRelations:
    case CatalogQuery::kColumns:
    case CatalogQuery::kConstraints:
    case CatalogQuery::kIndexes:
      return fmt::format("SELECT oid FROM pg_class WHERE oid = ANY ({}) AND relkind IN {}", dirty,
                         kReportedRelkinds);
    case CatalogQuery::kSequences:
      // Identity sequences are part of their column (the Sequences query leaves them out).
      return fmt::format(
          "SELECT s.seqrelid FROM pg_sequence s WHERE s.seqrelid = ANY ({}) "
          "AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass "
          "AND d.objid = s.seqrelid AND d.refclassid = 'pg_class'::regclass "
          "AND d.deptype = 'i' AND d.refobjsubid > 0)",
          dirty);
    case CatalogQuery::kTypes:
      // The Types query's tests, as scalar subqueries: an EXISTS under OR becomes a hashed
      // subplan that reads all of pg_class (or pg_type) on every call, where the few dirty types
      // need one index lookup each.
      return fmt::format(
          "SELECT t.oid FROM pg_type t WHERE t.oid = ANY ({}) AND t.typtype IN {} "
          "AND (t.typtype <> 'c' OR (SELECT tc.relkind FROM pg_class tc "
          "WHERE tc.oid = t.typrelid) IS NOT DISTINCT FROM 'c') "
          "AND NOT (t.typelem <> 0 AND (SELECT et.typarray FROM pg_type et "
          "WHERE et.oid = t.typelem) IS NOT DISTINCT FROM t.oid)",
          dirty, kReportedTyptypes);
    default:
      return "";
  }
}

std::vector<std::string> TrackedCatalogQueries(int version, const QueryFilters& filters,
                                               std::string_view scope) {
  // The scope holds the roots of everything touched, so a scoped query only asks for its root:
  // an index scan driven by the few OIDs in the scope.
  QueryFilters scoped = filters;
  scoped.few_rows = !scope.empty();
  std::vector<std::string> queries = CatalogQueries(version, scoped);
  for (std::size_t i = 0; i < queries.size(); ++i) {
    std::string& sql = queries[i];
    const QuerySpec& spec = kQuerySpecs[i];
    // Every query's own FROM starts a line; the FROMs of subqueries are indented.
    const std::size_t from = sql.find("\nFROM ");
    if (from == std::string::npos) continue;
    sql.insert(from,
               fmt::format(",\n  ({})::text AS _oid, ({})::text AS _root", spec.oid, spec.root));
    if (scope.empty()) continue;
    // A serial's sequence is asked for by its own OID: the scope holds the sequences of every
    // table in it, so the condition stays an index lookup.
    const std::string condition = fmt::format(
        "{} = ANY ({})", spec.id == CatalogQuery::kSequences ? spec.oid : spec.root, scope);
    // Every WHERE ends its query and has no top-level OR, so the condition can be appended.
    const bool has_where = sql.find("\nWHERE ", from) != std::string::npos;
    sql += (has_where ? " AND " : "\nWHERE ") + condition;
  }
  return queries;
}

}  // namespace stairway::schema

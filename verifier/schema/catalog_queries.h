// The catalog queries behind TakeSnapshot: one SELECT per object kind, each returning rows of
// kind, identity, parent_kind, parent, then one column per attribute (see catalog_queries.cpp).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace stairway::schema {

// Filters spliced into every query (SQL text built by the caller with quoted literals).
struct QueryFilters {
  std::string namespace_filter;      // condition on alias `n` (pg_namespace): user schemas
  std::string relation_filter;       // condition on alias `c` (pg_class): excluded names left out
  std::string excluded_array;        // the excluded LIKE patterns as an SQL text[] expression
  std::string event_trigger_filter;  // condition on alias `e` (pg_event_trigger)
  bool database_level = true;        // false: partial snapshot limited to some schemas
  // A scoped read of a handful of rows (TrackedCatalogQueries): membership tests probe an index
  // per row instead of hashing a whole list first.
  bool few_rows = false;
};

// The catalog queries by name; CatalogQueries returns them in this order, the database-level
// ones (from kExtensions on) only when QueryFilters::database_level is set.
enum class CatalogQuery : std::size_t {
  kSchemas,
  kRelations,
  kColumns,
  kConstraints,
  kIndexes,
  kSequences,
  kTypes,
  kFunctions,
  kTriggers,
  kPolicies,
  kRules,
  kStatistics,
  kCollations,
  kOperators,
  kDefaultPrivileges,
  kExtensions,
  kEventTriggers,
  kCasts,
  kPublications,
  kForeignDataWrappers,
  kForeignServers,
};
inline constexpr std::size_t kCatalogQueryCount =
    static_cast<std::size_t>(CatalogQuery::kForeignServers) + 1;  // the last one

// Column naming convention of the queries: a name ending in "[]" is a text array (a list
// attribute); a name starting with "_" is a helper for post-processing, not an attribute.
// Indexed by CatalogQuery.
std::vector<std::string> CatalogQueries(int server_version_num, const QueryFilters& filters);

// For a scoped re-read: an SQL query returning the OIDs among `dirty` (an oid[] expression) that
// `query` can report rows for (for a table's parts: the tables), with the same conditions as the
// query itself, or "" when every OID of the query's catalog can be one. A table's index, identity
// sequence or row type reads as nothing on its own.
std::string ReportedRoots(CatalogQuery query, std::string_view dirty);

// CatalogQueries with two more helper columns per row, `_oid` (the object's own OID) and `_root`
// (the OID of the object it is read with: a column's or index's table, ...). With a non-empty
// `scope` (an SQL expression of type oid[]), each query returns only rows whose _root is in it;
// the scope must hold the root of every object it holds, and the sequences its tables own
// (TrackedCatalog's take() adds them).
std::vector<std::string> TrackedCatalogQueries(int server_version_num, const QueryFilters& filters,
                                               std::string_view scope);

}  // namespace stairway::schema

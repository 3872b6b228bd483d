// The pieces of TakeSnapshot that the tracked catalog (tracked.h) reuses: query filters, the
// pinned output settings, and the turning of catalog query rows into Objects.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runner/db/session.h"
#include "verifier/schema/catalog_queries.h"
#include "verifier/schema/snapshot.h"

namespace stairway::schema {

// Settings that change how the server deparses names and constants: pinned for the snapshot so
// the text does not depend on the caller's session (search_path decides schema qualification).
// And jit: the catalog queries' estimated costs grow with the schema, and from about 10,000
// tables the types query crossed the JIT thresholds, which compiled it for 1.4 s to run 50 ms.
inline constexpr std::array<std::pair<std::string_view, std::string_view>, 9> kPinnedSettings = {{
    {"search_path", "pg_catalog"},
    {"DateStyle", "ISO, YMD"},
    {"IntervalStyle", "postgres"},
    {"TimeZone", "UTC"},
    {"extra_float_digits", "1"},
    {"bytea_output", "hex"},
    {"quote_all_identifiers", "off"},
    {"standard_conforming_strings", "on"},
    {"jit", "off"},
}};

// Pins kPinnedSettings on a session for its lifetime and restores the caller's values afterwards.
class PinnedSettings {
 public:
  explicit PinnedSettings(db::Session& session);
  ~PinnedSettings();
  PinnedSettings(const PinnedSettings&) = delete;
  PinnedSettings& operator=(const PinnedSettings&) = delete;

 private:
  db::Session& session_;
  std::string write_sql_;
  std::vector<db::Value> saved_;
};

QueryFilters FiltersFor(const SnapshotOptions& options);

// The OIDs a tracked query reports for a row (`_oid`, `_root`; see TrackedCatalogQueries).
struct ObjectOids {
  unsigned oid = 0;
  unsigned root = 0;
  friend bool operator==(const ObjectOids&, const ObjectOids&) = default;
};

// An OID as the server prints it (decimal digits, which is all the catalog queries return).
inline unsigned ParseOid(std::string_view text) {
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

// Runs one catalog query (prepared) and appends one Object per row. With `oids`, also appends
// each row's helper OIDs (0 when the query has none), parallel to the appended objects. Returns
// the query's column names.
std::vector<std::string> ReadObjects(db::Session& session, const std::string& sql,
                                     const SnapshotOptions& options, std::vector<Object>& out,
                                     std::vector<ObjectOids>* oids = nullptr);

// The row sink behind ReadObjects: appends one Object per row of a catalog query whose columns
// were named by Columns() (kind, identity, parent kind, parent, then the attributes), and with
// `oids` the row's helper OIDs. Several sinks may append to the same vectors.
std::unique_ptr<db::RowSink> MakeObjectSink(const SnapshotOptions& options,
                                            std::vector<Object>& out,
                                            std::vector<ObjectOids>* oids = nullptr);

// Turns the attnum each column row carries into its rank among its table's live columns; every
// column of a table must be in `objects`.
void AssignPositions(std::vector<Object>& objects);

// The snapshot `queries` read (TakeSnapshot's catalog queries, or the tracked catalog's, whose
// helper OID columns are left out), under the pinned settings, on the session and, with
// Sessions::kWithCompanion, its companion too; or shared with `second`, another session on the
// same database, when given (neither may have uncommitted writes).
Snapshot ReadCatalog(db::Session& session, const std::vector<std::string>& queries,
                     const SnapshotOptions& options, db::Session* second = nullptr);

}  // namespace stairway::schema

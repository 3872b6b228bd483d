// A catalog snapshot kept current across migration steps at the cost of the objects each step
// touched: event triggers in the (throwaway) database log every DDL command's objects, and a
// refresh re-reads only those objects, the objects that depend on them, and their tables, in one
// round trip. verify --roundtrip uses it instead of three full snapshots per revision.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "verifier/schema/catalog_rows.h"
#include "verifier/schema/snapshot.h"

namespace stairway::schema {

// What one refresh changed: the objects as they were (changed or gone) and as they are (changed
// or new). Unchanged objects that were re-read appear in neither.
struct TrackedPatch {
  std::vector<Object> removed;
  std::vector<Object> added;
  bool full = false;  // the whole catalog was re-read (a command the watch cannot scope)
};

class TrackedCatalog {
 public:
  // Installs the watch (schema stairway_watch with two event triggers and their functions; every
  // stairway_% name is left out of snapshots) and reads the whole catalog once. Returns nullopt
  // when the session's role may not create event triggers (only superusers may).
  static std::optional<TrackedCatalog> Start(db::Session& session,
                                             const SnapshotOptions& options = {});
  // Whether Start would install the watch on `session`: its role may create event triggers.
  static bool CanStart(db::Session& session);
  // The watch made ready ahead of time on a session of its own, while another session still
  // applies the revisions that only go up: everything but the event triggers is installed, and
  // the whole-catalog read and the refresh run once, so that their plans and the server
  // process's catalog caches are warm when they count (what they read is thrown away). Arm()
  // on the same session starts the watch. Waits at most 50 ms for a lock (it must never hold up
  // the other session's steps). nullopt when the role may not create event triggers; throws
  // when a read fails (a step on the other session dropped what it was reading).
  static std::optional<TrackedCatalog> Prepare(db::Session& session,
                                               const SnapshotOptions& options = {});
  // Starts a Prepare()d watch: the event triggers, then the whole catalog read through the
  // prepared queries. Run while no other session changes the catalog. After it, the catalog is
  // as Start leaves it.
  void Arm(db::Session& session);
  // Arm in two halves, for the end of a long run of up-only revisions: Watch starts the event
  // triggers of a Prepare()d watch on its session, called while the other session is between
  // steps (every step it starts after this is logged). ReadAhead then reads the whole catalog
  // into the cache while the other session goes on applying revisions, and Arm only re-reads
  // what those steps touched. Each of ReadAhead's queries sees the catalog at its own moment;
  // whatever changed meanwhile is in the log, so Arm's refresh re-reads it whole. The relations
  // (whose views' definitions lock them) are left to Arm, which reads them first. ReadAhead
  // throws when a read fails (a step dropped what it was reading, a lock held longer than
  // Prepare's lock_timeout); Arm then reads the whole catalog as it would without it.
  void Watch(db::Session& session);
  void ReadAhead(db::Session& session);
  // How long Prepare's whole-catalog read took: about what ReadAhead will take.
  double prepare_read_ms() const { return prepare_read_ms_; }
  // ReadAhead filled the cache (Arm then only refreshed it).
  bool read_ahead() const { return read_ahead_; }
  TrackedCatalog(TrackedCatalog&&) noexcept;
  TrackedCatalog& operator=(TrackedCatalog&&) noexcept;
  ~TrackedCatalog();

  // Re-reads what the steps since the last refresh touched and returns what changed. Commands
  // the watch cannot scope (GRANT, ALTER DEFAULT PRIVILEGES, ALTER SCHEMA, role or event
  // trigger changes) make it re-read everything. Changes no event trigger sees (roles,
  // tablespaces, event triggers, CLUSTER, invalid indexes) are looked for only with
  // `unwatched`: the caller may pass false when the steps since the last refresh ran nothing
  // but DDL the event triggers see (that check reads all of pg_index).
  TrackedPatch Refresh(db::Session& session, bool unwatched = true);

  // The cached object, or nullptr.
  const Object* Find(const std::string& kind, const std::string& identity) const;
  // The whole cached catalog as a snapshot (equal to TakeSnapshot after a Refresh).
  Snapshot Current() const;
  // The whole catalog read afresh, as TakeSnapshot would, through the queries Start read it
  // with: prepared on this session then, nothing is parsed or planned again. What Current()
  // must equal after a Refresh. Run on the session Start was given; with `second` (another
  // idle session on the database), the queries are shared between the two, each on its own
  // thread: `second` parses and plans the ones it takes.
  Snapshot ReadAll(db::Session& session, db::Session* second = nullptr) const;

  // Removes the watch from the database (best effort).
  void Stop(db::Session& session);

  int full_reads() const { return full_reads_; }
  std::size_t size() const { return objects_.size(); }  // objects cached

 private:
  using Key = std::pair<std::string, std::string>;  // kind, identity
  struct Entry {
    Object object;
    ObjectOids oids;
  };

  explicit TrackedCatalog(int server_version_num);
  void Insert(Object object, ObjectOids oids);
  // Start's and Prepare's first steps: the catalog queries for `options`, the watch without its
  // event triggers, and take().
  void Install(db::Session& session, const SnapshotOptions& options);
  // Which of the catalog queries ReadFull runs: the relations query deparses views, which
  // locks each view and its tables (ACCESS SHARE) for the length of the query, so a read beside
  // steps leaves it out (ReadAhead) and Arm runs it while no step runs.
  enum class Queries { kAll, kAllButRelations, kRelations };
  // The whole catalog (or part, `which`) through full_queries_ into the cache (`keep`) or only
  // read (warming); returns each query's column names (empty for a query not run).
  std::vector<std::vector<std::string>> ReadFull(db::Session& session,
                                                 const SnapshotOptions& options, bool keep,
                                                 Queries which = Queries::kAll);
  // Creates refresh() for these columns and the reader of its rows.
  void MakeRefresh(db::Session& session, const SnapshotOptions& options,
                   const std::vector<std::vector<std::string>>& columns);

  // What refresh() rows are read into, made once by Start from each catalog query's columns:
  // setting up a reader per refresh cost more than reading a step's rows.
  class RefreshReader;

  int server_version_num_ = 0;
  std::vector<std::string> full_queries_;  // Start's read, query by query
  std::map<Key, Entry> objects_;
  // OID -> keys of objects read with it (as _oid or _root); may hold stale keys, checked on use.
  std::unordered_map<unsigned, std::vector<Key>> by_oid_;
  int full_reads_ = 0;
  std::unique_ptr<RefreshReader> reader_;
  bool watching_ = false;    // the event triggers are on (Watch, Arm or Start)
  bool read_ahead_ = false;  // ReadAhead filled the cache
  double prepare_read_ms_ = 0;
};

}  // namespace stairway::schema

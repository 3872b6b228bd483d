// Full-catalog snapshot of a PostgreSQL database: plain sorted values keyed by (kind, identity),
// with no OIDs, so two databases built by the same migrations give equal snapshots.
#pragma once

#include <compare>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace stairway::db {
class Session;
}

namespace stairway::schema {

// An attribute: one text ("text", "true", a deparsed expression) or an ordered list of texts
// (enum labels in sort order; grants and options sorted).
using Value = std::variant<std::string, std::vector<std::string>>;

// One catalog object. Identities are built from quote_ident'ed names, so they read like SQL:
//   schema        public
//   table         public.users              (also view, materialized view, foreign table)
//   column        public.users.bio          (also constraint, trigger, policy, rule)
//   index         public.users_email_idx    (indexes and sequences live in the schema)
//   function      public.add(integer, integer)   (also procedure, aggregate)
//   cast          (text AS public.email)
// `parent` is the object this one is dropped with (a column's table, a table's schema, an owned
// sequence's table); a diff reports a missing table once instead of once per column.
struct Object {
  std::string kind;
  std::string identity;
  std::string parent_kind;  // "" for database-level objects (schemas, extensions, ...)
  std::string parent;
  std::map<std::string, Value> attributes;  // absent key = not set (no default, no comment)

  const std::string* Text(std::string_view attribute) const;  // nullptr unless a text value
  friend bool operator==(const Object&, const Object&) = default;
};

// Objects are ordered and looked up by this key.
struct ObjectKey {
  std::string_view kind;
  std::string_view identity;
  friend auto operator<=>(const ObjectKey&, const ObjectKey&) = default;
};
inline ObjectKey KeyOf(const Object& o) {
  return {o.kind, o.identity};
}

struct Snapshot {
  int server_version_num = 0;   // e.g. 150020; informational, not compared
  std::vector<Object> objects;  // sorted by KeyOf, keys unique

  const Object* Find(std::string_view kind, std::string_view identity) const;
  // Sorts `objects` by key (after building or editing the vector by hand).
  void Sort();
  friend bool operator==(const Snapshot& a, const Snapshot& b) { return a.objects == b.objects; }
};

// Whether object owners take part: kIgnore leaves the `owner` attributes out. Grants always
// name the owner as <owner>, so they compare equal across differently named owners.
enum class Owners { kCompare, kIgnore };

// Whether TakeSnapshot may run some of its queries on the session's companion (a second
// connection, see db::Session::Companion) while the session runs the others: the server deparses
// on two cores instead of one. kOneSession keeps everything on the caller's session.
enum class Sessions { kWithCompanion, kOneSession };

struct SnapshotOptions {
  Sessions sessions = Sessions::kWithCompanion;
  // SQL LIKE patterns for relation and event-trigger names left out everywhere (with their
  // columns, indexes, constraints, ...): stairway's own history table and meta tables.
  std::vector<std::string> excluded_names = {"stairway\\_%"};
  // When not empty, only objects in these schemas (plus database-level objects: extensions,
  // casts, event triggers, publications, ...). A partial snapshot for incremental checks.
  std::vector<std::string> schemas;
  Owners owners = Owners::kCompare;
};

// Reads the whole catalog with one query per object kind. Leaves system schemas, extension
// members and excluded names out. Temporarily sets search_path and output settings (DateStyle,
// TimeZone, ...) so deparsed text is the same on every database, and restores them after.
// With Sessions::kWithCompanion the queries are shared with the session's companion connection,
// unless the session's open transaction has written something (the companion would not see it)
// or the companion cannot connect; the result is the same either way.
// Throws db::DatabaseError (a StopError) when a query fails.
Snapshot TakeSnapshot(db::Session& session, const SnapshotOptions& options = {});

// Parses PostgreSQL's text form of a one-dimensional array ({a,"b c",NULL}); NULL elements are
// dropped. Exposed for tests.
std::vector<std::string> ParseTextArray(std::string_view text);
// The same, keeping NULL elements (as nullopt) in their places.
std::vector<std::optional<std::string>> ParseTextArrayWithNulls(std::string_view text);

// Rewrites aclitems ("alice=arw/bob") so the object's owner reads <owner>, then sorts them.
std::vector<std::string> NormalizeGrants(std::vector<std::string> items, std::string_view owner);

}  // namespace stairway::schema

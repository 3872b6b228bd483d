// Differences between two snapshots, object by object, and the one-line rendering of each that
// an engineer can act on ("type public.message_role (enum 'user','assistant') is only in B").
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "verifier/schema/snapshot.h"

namespace stairway::schema {

enum class Change {
  kOnlyInA,  // the object exists in A, not in B
  kOnlyInB,
  kRenamed,  // a constraint or index with the same definition on the same table, other name
  kChanged,  // same object, one attribute differs (one Difference per attribute)
};

// Soft differences (column order, renamed constraints/indexes, function bodies that differ only
// in whitespace and comments) are real but rarely break anything; callers may report them apart
// or not fail on them.
enum class Severity { kSoft, kHard };

struct Difference {
  Change change = Change::kChanged;
  Severity severity = Severity::kHard;
  std::string kind;
  std::string identity;  // in A (in B for kOnlyInB)
  // kChanged: which attribute ("type", "valid", "body"). Column positions are reported per table
  // as "column_order", its values the column names in order.
  std::string attribute;
  std::optional<Value> a, b;  // kChanged: its values; nullopt = not set on that side
  std::string renamed_to;     // kRenamed: the identity in B
  std::string summary;        // kOnlyIn*: short description, e.g. "enum 'user','assistant'"
  std::map<std::string, int> dependents;  // kOnlyIn*: objects that go with it, by kind
  friend bool operator==(const Difference&, const Difference&) = default;
};

struct CompareOptions {
  Owners owners = Owners::kCompare;  // kIgnore: `owner` attributes never differ
};

// Compares two snapshots. Objects missing together with their parent (a dropped table's columns,
// indexes, ...) are folded into the parent's Difference as `dependents`. Columns in another order
// are one "column_order" Difference on their table (only when the columns both sides have are
// ordered differently). A function body that differs only in whitespace and comments (same
// tokens for PostgreSQL's scanner; sql and plpgsql) is soft. Result is sorted by identity, then
// kind, then attribute.
std::vector<Difference> Compare(const Snapshot& a, const Snapshot& b,
                                const CompareOptions& options = {});

// How the two sides are named in rendered lines. `{object}` in the one-sided templates is replaced
// by e.g. "type public.message_role (enum 'user','assistant')". The roundtrip, comparing the
// catalog before an up with the one after its down, would use only_in_b = "left behind {object}"
// and only_in_a = "missing {object}".
struct Wording {
  std::string in_a = "in A";
  std::string in_b = "in B";
  std::string only_in_a = "{object} is only in A";
  std::string only_in_b = "{object} is only in B";
};

// "type public.message_role (enum 'user','assistant')": kind, identity and summary.
std::string DescribeObject(const Difference& d);
// One line, no trailing newline:
//   index public.chat_messages_thread_idx: valid in A, INVALID in B
//   column public.users.bio: type text in A, character varying(200) in B
//   constraint public.t.t_a_key is named public.t.t_a_key1 in B (same definition)
//   columns of table public.t in a different order: in A (a, b, c), in B (a, c, b)
// except for multi-line values (function bodies, view definitions), which are a line naming the
// object, then a unified diff of the two texts ("--- in A", "+++ in B", hunks):
//   function public.f(integer): body differs:
//   --- in A
//   +++ in B
//   @@ -2 +2 @@
//   -  RETURN x;
//   +  RETURN x + 1;
std::string Render(const Difference& d, const Wording& wording = {});
// The attribute change alone, as Render shows it after "<kind> <identity>: " ("type text in A,
// character varying(200) in B"; for multi-line values the line and the diff).
std::string RenderAttributeChange(const Difference& d, const Wording& wording = {});
std::vector<std::string> RenderAll(const std::vector<Difference>& diffs,
                                   const Wording& wording = {});

// A function body that differs only in whitespace and comments (soft).
bool IsLayoutOnly(const Difference& d);

bool HasHardDifference(const std::vector<Difference>& diffs);

}  // namespace stairway::schema

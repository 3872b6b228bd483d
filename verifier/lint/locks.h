// Which table locks a statement takes (PostgreSQL 12-18 lock facts, docs/lint.md).
#pragma once

#include <string_view>
#include <vector>

#include "runner/sql/ast.h"

namespace stairway::lint {

enum class LockMode {
  kNone,
  kAccessShare,
  kRowShare,
  kRowExclusive,
  kShareUpdateExclusive,
  kShare,
  kShareRowExclusive,
  kExclusive,
  kAccessExclusive,
};
std::string_view LockName(LockMode m);  // "ACCESS EXCLUSIVE"
// Conflicts with SELECT, SELECT FOR UPDATE, INSERT, UPDATE, DELETE or MERGE (SHARE and up).
inline bool BlocksDml(LockMode m) {
  return m >= LockMode::kShare;
}

struct LockTaken {
  sql::QualifiedName table;  // table (or index / view) the lock is on
  LockMode mode = LockMode::kNone;
};

// Locks the statement takes on existing relations it names, for the given server version.
std::vector<LockTaken> LocksOf(const sql::Statement& s, int pg_version);

}  // namespace stairway::lint

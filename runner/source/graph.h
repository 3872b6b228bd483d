// The revision graph: parent links, a topological apply order, heads and ancestors. Linear
// formats give each revision one parent; the code accepts several (Alembic merge revisions).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"
#include "runner/source/migration.h"

namespace stairway::source {

// Gives each revision of an ordered list the previous one as its only parent (none for the
// first), replacing whatever parents it had.
void LinkLinear(std::vector<Revision>& revisions);

// Orders revisions so every parent (and, for Alembic, every revision named in depends_on)
// comes before its children (Kahn's algorithm); among the
// revisions ready at the same time the lower version (CompareVersions) goes first, so the order
// is deterministic. Errors (kInput, "<origin>: ...; ..."): two revisions with the same version
// string, a parent or dependency that names no revision, a cycle. `origin` is the directory in
// messages.
Expected<std::vector<Revision>> TopologicalOrder(std::vector<Revision> revisions,
                                                 const std::filesystem::path& origin);

// Versions that no revision names as a parent, in the order of `revisions`.
std::vector<std::string> Heads(const std::vector<Revision>& revisions);

// `version` and every revision it descends from, in the order of `revisions` (parents first
// when `revisions` is topologically ordered). Empty when `version` is unknown.
std::vector<std::string> AncestorsInclusive(const std::vector<Revision>& revisions,
                                            std::string_view version);

}  // namespace stairway::source

// Which BEGIN/COMMIT statements of a migration section stairway's runner leaves out because it
// runs the section in its own transaction (sql::PlanTransactionControl): lint models them as the
// runner runs them, so a BEGIN ... COMMIT wrapper is never a finding.
#pragma once

#include <cstddef>
#include <vector>

#include "verifier/lint/context.h"

namespace stairway::lint {

// Parallel to section.statements: true for the BEGIN and COMMIT of each pair the runner leaves
// out. All false for a section the runner does not wrap, a loose file, and code-rendered SQL
// (Alembic's Python runs its own statements as written).
std::vector<bool> RunnerDroppedPairs(const SectionContext& section);

}  // namespace stairway::lint

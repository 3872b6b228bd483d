// Function volatility as pg_proc.provolatile would say, for defaults that may force a rewrite.
#pragma once

#include <string_view>

#include "runner/sql/ast.h"

namespace stairway::lint {

enum class Volatility { kImmutable, kStable, kVolatile };

// Volatility of a built-in function by name; unknown functions count as volatile.
Volatility FunctionVolatility(std::string_view name);
// The strongest volatility of anything the expression calls. Constants, casts of constants and
// SQL value functions (CURRENT_TIMESTAMP) are not volatile; subqueries are.
Volatility ExprVolatility(const sql::Expr& e);

}  // namespace stairway::lint

// The explicit list of lint rules (no static self-registration: static libraries drop
// unreferenced objects). Adding a rule = one file in rules/ + one line in registry.cpp.
#pragma once

#include <string_view>
#include <vector>

#include "verifier/lint/rule.h"

namespace stairway::lint {

// Every rule, in catalogue order.
const std::vector<const Rule*>& AllRules();
// The rule with this id (or a retired alias of it), or null.
const Rule* FindRule(std::string_view id);

}  // namespace stairway::lint

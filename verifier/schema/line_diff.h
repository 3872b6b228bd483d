// A line diff of two texts (function bodies, view definitions) in the unified format people read
// in code review: the lines that differ, with a few unchanged lines around them.
#pragma once

#include <string>
#include <string_view>

namespace stairway::schema {

// The unified diff of `a` and `b`, line by line: a `--- a_name` and a `+++ b_name` line, then a
// hunk per group of changes ("@@ -3,4 +3,5 @@", then " kept", "-removed", "+added" lines) with
// up to `context` unchanged lines around each change. No trailing newline; empty when the texts
// are equal. The smallest diff for texts of up to a few thousand differing lines; beyond that
// the differing middle is shown as removed and added whole.
std::string UnifiedDiff(std::string_view a, std::string_view b, std::string_view a_name,
                        std::string_view b_name, int context = 3);

}  // namespace stairway::schema

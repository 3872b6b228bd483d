// Renders a rule's documentation page from the fields its rule file declares, so the page in
// docs/rules/ and `stairway lint --explain` can never disagree with the code.
#include <fmt/format.h>

#include "verifier/lint/rule.h"

namespace stairway::lint {

std::string RuleDoc(const Rule& r) {
  std::string out = fmt::format("# {}\n\n{}\n\n", r.id, r.summary);
  out += fmt::format("- Default severity: {}\n", SeverityName(r.severity));
  out += fmt::format("- Profile: {}\n", r.profile == Profile::kStyle
                                            ? "style (opt-in: `enable = [\"style\"]`)"
                                            : "default");
  out += fmt::format("- PostgreSQL versions: {}\n\n", r.versions.empty() ? "all" : r.versions);
  out += fmt::format("## Why\n\n{}\n\n", r.why);
  if (!r.bad.empty()) out += fmt::format("## Flagged\n\n```sql\n{}\n```\n\n", r.bad);
  if (!r.good.empty()) out += fmt::format("## Safe alternative\n\n{}\n\n", r.help);
  if (!r.good.empty()) out += fmt::format("```sql\n{}\n```\n\n", r.good);
  out += fmt::format(
      "## Suppressing\n\n```sql\n-- stairway:ignore {} <reason>\n```\n\nbefore the statement, or "
      "`-- stairway:ignore-file {}` anywhere in the file; or `disable = [\"{}\"]` under `[lint]` "
      "in "
      "stairway.toml.\n",
      r.id, r.id, r.id);
  return out;
}

}  // namespace stairway::lint

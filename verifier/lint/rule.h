// What a lint rule is: an id, a default severity, help text, its documentation page, and the
// checks it runs against the facts the linter computed once (context.h).
#pragma once

#include <string>
#include <string_view>

#include "runner/common/diagnostic.h"

namespace stairway::lint {

class StatementContext;
class SectionContext;

enum class Profile { kDefault, kStyle };

struct Rule {
  std::string_view id;
  Severity severity = Severity::kWarning;
  Profile profile = Profile::kDefault;
  std::string_view summary;  // one line for `stairway rules`
  std::string_view help;     // default "help:" line: the safe alternative
  // The rule's page (docs/rules/<id>.md is generated from these, see RuleDoc): why it
  // matters (lock, rewrite or scan), a bad and a safe example, and the versions it applies to.
  std::string_view why;
  std::string_view bad;
  std::string_view good;
  std::string_view versions;
  // Called once per statement (may be null).
  void (*check)(const StatementContext&) = nullptr;
  // Called after the last statement of a section (may be null).
  void (*finish)(const SectionContext&) = nullptr;
};

// The Markdown page of a rule: what `stairway lint --explain` prints and docs/rules/<id>.md holds.
std::string RuleDoc(const Rule& rule);

}  // namespace stairway::lint

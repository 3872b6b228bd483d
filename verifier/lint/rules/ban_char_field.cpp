// ban-char-field: char(n) columns.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
void Check(const StatementContext& c) {
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (u.column->type.name == "bpchar" || u.column->type.name == "char") {
      c.Report(u.column->location, fmt::format("column {} is char(n)", u.column->name));
    }
  }
}
}  // namespace

extern const Rule kRuleBanCharField{
    .id = "ban-char-field",
    .severity = Severity::kWarning,
    .profile = Profile::kStyle,
    .summary = "char(n) columns",
    .help = "use text (or varchar)",
    .why = "char(n) pads with spaces, compares surprisingly and is no faster than text.",
    .bad = "CREATE TABLE t (code char(3));",
    .good = "CREATE TABLE t (code text CHECK (length(code) = 3));",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// domain-with-check: CHECK constraints on domains.
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
  if (const auto* d = c.stmt().As<sql::CreateDomain>(); d != nullptr && d->has_check) {
    c.Report(fmt::format("domain {} has a CHECK constraint", d->domain.Display()));
  }
  if (const auto* d = c.stmt().As<sql::AlterDomain>(); d != nullptr && d->adds_check) {
    c.Report(fmt::format("adding a CHECK to domain {} validates every column that uses it",
                         d->domain.Display()));
  }
}
}  // namespace

extern const Rule kRuleDomainWithCheck{
    .id = "domain-with-check",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "CHECK constraints on domains",
    .help = "put CHECK constraints on the columns (NOT VALID + VALIDATE) instead of on the domain",
    .why =
        "A domain CHECK is re-validated against every column that uses the domain, in every table, "
        "and changing it later means scanning them all; coercions to the domain can force "
        "rewrites.",
    .bad = "CREATE DOMAIN positive_int AS int CHECK (VALUE > 0);",
    .good = "CREATE TABLE t (qty int CONSTRAINT qty_positive CHECK (qty > 0));",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

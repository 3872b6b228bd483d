// autovacuum-disabled: SET (autovacuum_enabled = false).
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
  const auto* at = c.stmt().As<sql::AlterTable>();
  if (at == nullptr) return;
  for (const sql::AlterTableCmd& cmd : at->cmds) {
    for (const auto& [k, v] : cmd.options) {
      if ((k == "autovacuum_enabled" || k == "toast.autovacuum_enabled") &&
          (v == "false" || v == "off" || v == "0" || v == "no")) {
        c.Report(fmt::format("autovacuum is switched off for {}", at->table.Display()));
      }
    }
  }
}
}  // namespace

extern const Rule kRuleAutovacuumDisabled{
    .id = "autovacuum-disabled",
    .severity = Severity::kWarning,
    .profile = Profile::kDefault,
    .summary = "SET (autovacuum_enabled = false)",
    .help = "keep autovacuum on; tune autovacuum_* thresholds per table instead",
    .why =
        "Without autovacuum the table bloats and, eventually, transaction ID wraparound forces an "
        "emergency vacuum.",
    .bad = "ALTER TABLE events SET (autovacuum_enabled = false);",
    .good = "ALTER TABLE events SET (autovacuum_vacuum_scale_factor = 0.01);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

// column-alignment: Column order in CREATE TABLE that wastes alignment padding.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
// Fixed width (= alignment) of common types; 0 for variable-width ones.
int Width(const std::string& t) {
  if (t == "int8" || t == "float8" || t == "timestamp" || t == "timestamptz" || t == "bigserial" ||
      t == "serial8" || t == "time" || t == "money" || t == "interval")
    return 8;
  if (t == "int4" || t == "float4" || t == "date" || t == "serial" || t == "serial4" || t == "oid")
    return 4;
  if (t == "int2" || t == "smallserial" || t == "serial2") return 2;
  if (t == "bool") return 1;
  return 0;
}

int Padded(const std::vector<int>& widths) {
  int size = 0;
  for (int w : widths) {
    if (w == 0) continue;
    size = (size + w - 1) / w * w + w;
  }
  return size;
}

void Check(const StatementContext& c) {
  const auto* ct = c.stmt().As<sql::CreateTable>();
  if (ct == nullptr) return;
  std::vector<int> widths;
  for (const sql::ColumnDef& col : ct->columns) {
    widths.push_back(col.type.array ? 0 : Width(col.type.name));
  }
  std::vector<int> best = widths;
  std::sort(best.rbegin(), best.rend());
  const int waste = Padded(widths) - Padded(best);
  if (waste >= 4)
    c.Report(ct->table.location,
             fmt::format("column order of {} wastes {} bytes of padding per row",
                         ct->table.Display(), waste));
}
}  // namespace

extern const Rule kRuleColumnAlignment{
    .id = "column-alignment",
    .severity = Severity::kInfo,
    .profile = Profile::kStyle,
    .summary = "Column order in CREATE TABLE that wastes alignment padding",
    .help =
        "order fixed-width columns from widest alignment to narrowest (8-byte, 4, 2, 1), "
        "variable-width ones last",
    .why =
        "Each fixed-width column is aligned to its type's boundary; a 1- or 4-byte column before "
        "an 8-byte one leaves padding in every row.",
    .bad = "CREATE TABLE t (flag boolean, id bigint, n int, at timestamptz);",
    .good = "CREATE TABLE t (id bigint, at timestamptz, n int, flag boolean);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

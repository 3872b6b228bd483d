// Built-in function volatility (from pg_proc.provolatile of PostgreSQL 15, common functions).
#include "verifier/lint/volatility.h"

#include <algorithm>
#include <array>

namespace stairway::lint {
namespace {

// Sorted lists; anything else is treated as volatile, like strong_migrations and squawk do.
constexpr std::array<std::string_view, 11> kVolatile = {
    "clock_timestamp",  "gen_random_uuid",     "nextval",   "random",
    "setval",           "statement_timestamp", "timeofday", "txid_current",
    "uuid_generate_v1", "uuid_generate_v4",    "currval"};

constexpr std::string_view kStable[] = {"age",
                                        "current_database",
                                        "current_schema",
                                        "current_schemas",
                                        "current_setting",
                                        "current_user",
                                        "date_part",
                                        "date_trunc",
                                        "localtime",
                                        "localtimestamp",
                                        "now",
                                        "session_user",
                                        "to_char",
                                        "to_date",
                                        "to_timestamp",
                                        "transaction_timestamp",
                                        "user"};

constexpr std::string_view kImmutable[] = {"abs",
                                           "array_length",
                                           "btrim",
                                           "ceil",
                                           "char_length",
                                           "coalesce",
                                           "concat",
                                           "floor",
                                           "greatest",
                                           "int4",
                                           "int8",
                                           "jsonb_build_array",
                                           "jsonb_build_object",
                                           "least",
                                           "left",
                                           "length",
                                           "lower",
                                           "lpad",
                                           "ltrim",
                                           "make_date",
                                           "make_interval",
                                           "md5",
                                           "mod",
                                           "numeric",
                                           "nullif",
                                           "replace",
                                           "right",
                                           "round",
                                           "rpad",
                                           "rtrim",
                                           "sqrt",
                                           "substr",
                                           "substring",
                                           "text",
                                           "trim",
                                           "trunc",
                                           "upper"};

bool In(std::string_view name, auto& list) {
  return std::find(std::begin(list), std::end(list), name) != std::end(list);
}

Volatility Max(Volatility a, Volatility b) {
  return a > b ? a : b;
}

}  // namespace

Volatility FunctionVolatility(std::string_view name) {
  if (In(name, kVolatile)) return Volatility::kVolatile;
  if (In(name, kImmutable)) return Volatility::kImmutable;
  if (In(name, kStable)) return Volatility::kStable;
  return Volatility::kVolatile;  // kVolatile list and unknown functions alike
}

Volatility ExprVolatility(const sql::Expr& e) {
  using K = sql::Expr::Kind;
  Volatility v = Volatility::kImmutable;
  switch (e.kind) {
    case K::kFunction:
      v = FunctionVolatility(e.name);
      break;
    case K::kSqlValueFunction:
      v = Volatility::kStable;
      break;
    case K::kSubquery:
      v = Volatility::kVolatile;
      break;
    default:
      break;
  }
  for (const sql::Expr& a : e.args) v = Max(v, ExprVolatility(a));
  return v;
}

}  // namespace stairway::lint

// identifier-too-long: Identifiers longer than 63 bytes.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>

#include "runner/sql/parse.h"
#include "verifier/lint/rules/helpers.h"
#include "verifier/lint/rules/rules.h"

namespace stairway::lint {
namespace {
// The parser truncates long identifiers to 63 bytes, so read the name as written.
std::vector<std::string> WrittenName(std::string_view text, std::size_t at) {
  std::vector<std::string> parts;
  while (at < text.size()) {
    std::size_t end = at;
    if (text[at] == '"') {
      end = text.find('"', at + 1);
      if (end == std::string_view::npos) break;
      parts.emplace_back(text.substr(at + 1, end - at - 1));
      ++end;
    } else {
      while (end < text.size() &&
             (std::isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_' ||
              text[end] == '$' || static_cast<unsigned char>(text[end]) >= 0x80)) {
        ++end;
      }
      if (end == at) break;
      parts.emplace_back(text.substr(at, end - at));
    }
    if (end >= text.size() || text[end] != '.') break;
    at = end + 1;
  }
  return parts;
}

void Check(const StatementContext& c) {
  auto check = [&](std::size_t at) {
    for (const std::string& n : WrittenName(c.section().text, at)) {
      if (n.size() > 63)
        c.Report(at,
                 fmt::format("identifier \"{}\" is {} bytes; PostgreSQL keeps 63", n, n.size()));
    }
  };
  if (const auto* ct = c.stmt().As<sql::CreateTable>()) check(ct->table.location);
  // The parser cuts a longer name to 63 bytes (a few less at a character boundary), so only
  // names that long can have been written longer; their tokens are scanned for the location.
  if (const auto* ci = c.stmt().As<sql::CreateIndex>(); ci != nullptr && ci->name.size() >= 60) {
    check(sql::IndexNameLocation(c.stmt()));
  }
  for (const ColumnUse& u : ColumnsOf(c)) {
    if (!u.type_change) check(u.column->location);
  }
}
}  // namespace

extern const Rule kRuleIdentifierTooLong{
    .id = "identifier-too-long",
    .severity = Severity::kWarning,
    .profile = Profile::kStyle,
    .summary = "Identifiers longer than 63 bytes",
    .help = "shorten the name to at most 63 bytes",
    .why =
        "PostgreSQL silently truncates identifiers to 63 bytes, so two long names can collide and "
        "later statements can miss the object.",
    .bad =
        "CREATE TABLE a_table_name_that_goes_on_and_on_and_on_far_beyond_what_postgres_keeps (id "
        "int);",
    .good = "CREATE TABLE a_shorter_name (id int);",
    .versions = "all",
    .check = Check,
    .finish = nullptr,
};

}  // namespace stairway::lint

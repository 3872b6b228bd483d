// Finds psql meta-commands and variable references with PostgreSQL's scanner: quotes, dollar
// quotes and comments are tokens of their own, so a backslash or colon inside them is not seen.
#include "runner/sql/psql.h"

#include "runner/sql/script.h"

namespace stairway::sql {
namespace {

// Token numbers of pg_query.proto's enum Token.
constexpr int kTokColon = ':';
constexpr int kTokBackslash = '\\';
constexpr int kTokIdent = 258;
constexpr int kTokSconst = 261;

std::size_t LineEnd(std::string_view sql, std::size_t from) {
  const std::size_t nl = sql.find('\n', from);
  std::size_t end = nl == std::string_view::npos ? sql.size() : nl;
  if (end > from && sql[end - 1] == '\r') --end;
  return end;
}

// A :name, :'name' or :"name" starting at tokens[i] (the colon), or false.
bool VariableAt(std::string_view text, const std::vector<ScannedToken>& tokens, std::size_t i,
                PsqlVariable& out) {
  if (tokens[i].kind != kTokColon || i + 1 >= tokens.size()) return false;
  const ScannedToken& next = tokens[i + 1];
  if (next.start != tokens[i].end) return false;  // ": name" is no reference
  const std::string_view word = text.substr(next.start, next.end - next.start);
  if (next.kind == kTokIdent && !word.empty() && word.front() == '"') {
    out.kind = PsqlVariable::Kind::kIdentifier;
  } else if (next.kind == kTokIdent) {
    out.kind = PsqlVariable::Kind::kPlain;
  } else if (next.kind == kTokSconst && !word.empty() && word.front() == '\'') {
    out.kind = PsqlVariable::Kind::kLiteral;
  } else {
    return false;
  }
  out.name = std::string(out.kind == PsqlVariable::Kind::kPlain
                             ? word
                             : word.substr(1, word.size() >= 2 ? word.size() - 2 : 0));
  out.offset = tokens[i].start;
  out.length = next.end - tokens[i].start;
  return true;
}

}  // namespace

PsqlScan ScanPsql(std::string_view sql) {
  PsqlScan out;
  std::vector<ScannedToken> tokens;
  std::size_t from = 0;
  // Each meta-command ends its line whatever its arguments hold (a lone quote in \echo), so
  // scanning starts afresh after it.
  while (from < sql.size()) {
    std::string_view rest = sql.substr(from);
    std::size_t error = 0;
    if (!ScanTokens(rest, tokens, error)) {
      // Look for a meta-command before the error: its argument may be what broke the scan.
      rest = rest.substr(0, error);
      if (!ScanTokens(rest, tokens, error)) break;
      bool has_command = false;
      for (const ScannedToken& t : tokens) has_command = has_command || t.kind == kTokBackslash;
      if (!has_command) break;
    }
    bool restarted = false;
    for (std::size_t i = 0; i < tokens.size(); ++i) {
      const ScannedToken& t = tokens[i];
      if (t.kind == kTokBackslash) {
        const std::size_t start = from + t.start;
        const std::size_t end = LineEnd(sql, start);
        out.commands.push_back({start, end});
        from = end;
        restarted = true;
        break;
      }
      PsqlVariable variable;
      if (VariableAt(rest, tokens, i, variable)) {
        variable.offset += from;
        out.variables.push_back(std::move(variable));
        ++i;
      }
    }
    if (!restarted) break;
  }
  return out;
}

}  // namespace stairway::sql

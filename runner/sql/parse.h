// Parsing statements with libpg_query into the typed views of ast.h. A syntax error is reported
// on its statement and does not hide the rest of a script.
#pragma once

#include <string_view>
#include <vector>

#include "runner/sql/ast.h"
#include "runner/sql/script.h"
#include "runner/sql/split.h"

namespace stairway::sql {

// Parses one statement of `script`; offsets in the result are offsets in `script`.
Statement ParseStatement(std::string_view script, const StatementSpan& span);

// Parses every span, on several threads when there are many. Thread-safe.
std::vector<Statement> ParseStatements(std::string_view script,
                                       const std::vector<StatementSpan>& spans);

struct ParseOptions {
  unsigned threads = 1;                 // threads to use, the calling one included
  std::size_t chunk_bytes = 64 * 1024;  // text handed to one pg_query_parse call, at least
};

// A script scanned and parsed: statement spans, comments and lexical error exactly as
// ScanScript reports them, and the typed statements (parallel to scan.statements). Views point
// into the script.
struct ParsedScript {
  ScriptScan scan;
  std::vector<Statement> statements;
};

// Scans and parses a whole script, with the same result as ScanScript + ParseStatements but
// several times faster: the script is cut into chunks at line ends after a ';' and each chunk is
// parsed by one pg_query_parse call (chunks in parallel). From the first chunk libpg_query
// rejects on, statements are split with the scanner and parsed one by one, so one syntax error
// still does not hide the rest. Thread-safe.
ParsedScript ParseScript(std::string_view sql, const ParseOptions& options = {});

// Where the name of a CREATE INDEX is written (offset in the script): the parse tree keeps no
// location for it, so the statement's tokens are scanned (only when a rule asks). The
// statement's offset when it has no name or the name cannot be found.
std::size_t IndexNameLocation(const Statement& s);

// pg_query_parse of the whole text, discarding the result: the floor benchmarks compare the
// linter with. Returns the size of the JSON parse tree (0 on a syntax error).
std::size_t RawParse(std::string_view sql);

}  // namespace stairway::sql

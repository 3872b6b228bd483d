// Parsing statements with libpg_query into the typed views of ast.h. Each statement is parsed
// on its own, so one syntax error does not hide the rest of a script.
#pragma once

#include <string_view>
#include <vector>

#include "runner/sql/ast.h"
#include "runner/sql/split.h"

namespace stairway::sql {

// Parses one statement of `script`; offsets in the result are offsets in `script`.
Statement ParseStatement(std::string_view script, const StatementSpan& span);

// Parses every span, on several threads when there are many. Thread-safe.
std::vector<Statement> ParseStatements(std::string_view script,
                                       const std::vector<StatementSpan>& spans);

// pg_query_parse of the whole text, discarding the result: the floor benchmarks compare the
// linter with. Returns the size of the JSON parse tree (0 on a syntax error).
std::size_t RawParse(std::string_view sql);

}  // namespace stairway::sql

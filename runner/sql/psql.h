// psql's own syntax inside SQL scripts (sqitch runs its scripts with psql): backslash
// meta-commands and :variable references, found with the scanner so quoted text is left alone.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace stairway::sql {

// A backslash meta-command: from the '\' to the end of its line (the line end excluded).
struct PsqlMetaCommand {
  std::size_t offset = 0;
  std::size_t end = 0;
};

// A variable reference outside quotes and comments: :name, :'name' or :"name".
struct PsqlVariable {
  enum class Kind { kPlain, kLiteral, kIdentifier };
  std::size_t offset = 0;  // of the ':'
  std::size_t length = 0;  // through the name (and its closing quote)
  Kind kind = Kind::kPlain;
  std::string name;
};

struct PsqlScan {
  std::vector<PsqlMetaCommand> commands;  // in input order
  std::vector<PsqlVariable> variables;    // in input order, none inside a meta-command
};

// Finds the meta-commands and variable references of `sql`. A lexical error (an unterminated
// quote) ends the scan there: the statement splitter reports it later. Thread-safe.
PsqlScan ScanPsql(std::string_view sql);

}  // namespace stairway::sql

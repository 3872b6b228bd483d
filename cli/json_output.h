// --report json for the read commands (current, heads, history, status): the flag and the
// pieces their JSON documents share. docs/json.md documents the schema field by field.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "cli/runner_support.h"

namespace CLI {
class App;
}  // namespace CLI

namespace stairway::cli {

// --report text|json on `sub` (the flag name verify and lint use; these commands write one
// report to stdout, so there is no -o).
void AddJsonReportFlag(CLI::App& sub, std::string& report);

// {"version", "name", "label"}; with `verbose` also "path", "parents", "checksum" and
// "transaction" ("transaction" or "none").
nlohmann::json RevisionJson(const source::Revision& rev, bool verbose);

// One history table row, every column the text shows (absent values are null).
nlohmann::json HistoryRowJson(const history::Row& row);

// A session on the database the user configured (flag, environment, .env, alembic.ini), or
// nullopt when none is configured anywhere: the caller then reports applied states as
// "unknown". Any other failure (a bad URL, no connection) still throws.
std::optional<db::Session> ConnectIfConfigured(const GlobalOptions& global,
                                               const UrlLookup& lookup = {});

// `doc` indented by two, then a newline, on stdout.
void PrintJson(const nlohmann::json& doc);

}  // namespace stairway::cli

// pg_dump and pg_restore as preflight runs them: found next to the server's major version,
// their version checked against the server's, started with an argument vector and an
// environment that carries the password (never the command line).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/common/expected.h"

namespace stairway::verifier::preflight {

// A database handed to a PostgreSQL program: `conninfo` (key='value' pairs, no password) for
// --dbname, and the environment (MinimalEnvironment plus PGPASSWORD when there is one).
struct ProgramConnection {
  std::string conninfo;
  std::vector<std::string> env;
  std::string dbname;  // for file names
};
Expected<ProgramConnection> ConnectionFor(std::string_view url);

// The major version a PostgreSQL program prints for --version ("pg_dump (PostgreSQL) 15.5
// (Debian ...)" -> 15) and that line. Error(kInput) naming the program when it cannot be run or
// prints something else.
struct ProgramVersion {
  int major = 0;
  std::string line;
};
Expected<ProgramVersion> VersionOf(const std::filesystem::path& program);

// `explicit_path` when given; else the program of the server's major version
// (/usr/lib/postgresql/<major>/bin/<name>), else `sibling`'s folder, else `name` on PATH.
std::filesystem::path FindProgram(std::string_view name,
                                  const std::optional<std::filesystem::path>& explicit_path,
                                  int server_major,
                                  const std::optional<std::filesystem::path>& sibling = {});

// Why pg_dump cannot dump the server (its major version is older), with what to install or
// pass; nullopt when it can.
std::optional<std::string> DumpVersionProblem(const std::filesystem::path& pg_dump,
                                              const ProgramVersion& version, int server_major);

// Runs a program to its end; Error(kDatabase) "<what> failed (exit N): <its stderr>", with
// any password `url` carries scrubbed from that text.
Status RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  std::string_view what, std::string_view url);

}  // namespace stairway::verifier::preflight

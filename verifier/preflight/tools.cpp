// pg_dump and pg_restore; see tools.h.
#include "verifier/preflight/tools.h"

#include <fmt/format.h>

#include <cctype>
#include <system_error>

#include "runner/common/process.h"
#include "runner/db/conninfo.h"
#include "runner/db/session.h"

namespace stairway::verifier::preflight {

namespace fs = std::filesystem;

namespace {

// The last lines of a program's stderr, on one line each, for an error message.
std::string Tail(std::string_view text, std::size_t max_lines = 6) {
  std::vector<std::string_view> lines;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    if (end > pos) lines.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
  if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - max_lines);
  std::string out;
  for (std::string_view line : lines) out += fmt::format("{}{}", out.empty() ? "" : "; ", line);
  return out.empty() ? "no message" : out;
}

}  // namespace

Expected<ProgramConnection> ConnectionFor(std::string_view url) {
  Expected<std::vector<std::pair<std::string, std::string>>> params = db::ConnectionParams(url);
  if (!params.ok()) return params.error();
  ProgramConnection out;
  std::vector<std::string> extra;
  for (const auto& [key, value] : params.value()) {
    if (key == "password") {
      extra.push_back("PGPASSWORD=" + value);
      continue;
    }
    if (key == "dbname") out.dbname = value;
    out.conninfo +=
        fmt::format("{}{}={}", out.conninfo.empty() ? "" : " ", key, db::QuoteConninfoValue(value));
  }
  out.env = process::MinimalEnvironment({}, extra);
  return out;
}

Expected<ProgramVersion> VersionOf(const fs::path& program) {
  process::SpawnOptions options;
  options.argv = {program.string(), "--version"};
  options.env = process::MinimalEnvironment();
  Expected<process::Captured> run = process::Run(options);
  if (!run.ok()) {
    return Error::Input(
        fmt::format("cannot run {}: {}; install the PostgreSQL client programs "
                    "(postgresql-client) or name it with --pg-dump/--pg-restore",
                    program.string(), run.error().message));
  }
  const std::string& out = run.value().out;
  // "pg_dump (PostgreSQL) 15.5 (Debian 15.5-0+deb12u1)": the first number after ") ".
  const std::size_t paren = out.find(") ");
  std::size_t at = paren == std::string::npos ? std::string::npos : paren + 2;
  if (run.value().exit_code != 0 || at >= out.size() ||
      !std::isdigit(static_cast<unsigned char>(out[at]))) {
    return Error::Input(
        fmt::format("{} --version printed \"{}\", not a PostgreSQL program's version; name the "
                    "real one with --pg-dump/--pg-restore",
                    program.string(), out.substr(0, out.find('\n'))));
  }
  ProgramVersion version;
  while (at < out.size() && std::isdigit(static_cast<unsigned char>(out[at]))) {
    version.major = version.major * 10 + (out[at++] - '0');
  }
  version.line = out.substr(0, out.find('\n'));
  return version;
}

fs::path FindProgram(std::string_view name, const std::optional<fs::path>& explicit_path,
                     int server_major, const std::optional<fs::path>& sibling) {
  if (explicit_path) return *explicit_path;
  std::error_code ec;
  if (server_major > 0) {
    const fs::path versioned =
        fs::path(fmt::format("/usr/lib/postgresql/{}/bin", server_major)) / std::string(name);
    if (fs::is_regular_file(versioned, ec)) return versioned;
  }
  if (sibling && sibling->has_parent_path()) {
    const fs::path next_to = sibling->parent_path() / std::string(name);
    if (fs::is_regular_file(next_to, ec)) return next_to;
  }
  return fs::path(std::string(name));
}

std::optional<std::string> DumpVersionProblem(const fs::path& pg_dump,
                                              const ProgramVersion& version, int server_major) {
  if (version.major >= server_major) return std::nullopt;
  return fmt::format(
      "{} is version {} ({}), older than the server (PostgreSQL {}): pg_dump refuses to dump a "
      "newer server. Install the client of version {} or newer (Debian: postgresql-client-{}) "
      "and pass its pg_dump with --pg-dump (e.g. --pg-dump /usr/lib/postgresql/{}/bin/pg_dump)",
      pg_dump.string(), version.major, version.line, server_major, server_major, server_major,
      server_major);
}

Status RunProgram(const std::vector<std::string>& argv, const std::vector<std::string>& env,
                  std::string_view what, std::string_view url) {
  process::SpawnOptions options;
  options.argv = argv;
  options.env = env;
  options.out = process::Stream::kNull;
  Expected<process::Captured> run = process::Run(options);
  if (!run.ok()) return run.error();
  if (run.value().exit_code != 0) {
    return Error::Database(db::ScrubPasswords(
        fmt::format("{} failed (exit {}): {}", what, run.value().exit_code, Tail(run.value().err)),
        url));
  }
  return Status::Ok();
}

}  // namespace stairway::verifier::preflight

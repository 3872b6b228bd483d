// The --report json flag and shared JSON pieces of current, heads, history and status.
#include "cli/json_output.h"

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace stairway::cli {

void AddJsonReportFlag(CLI::App& sub, std::string& report) {
  sub.add_option("--report", report, "Output format: text (default) or json (see docs/json.md)")
      ->check(CLI::IsMember({"text", "json"}))
      ->type_name("FORMAT");
}

nlohmann::json RevisionJson(const source::Revision& rev, bool verbose) {
  nlohmann::json out = {{"version", rev.version}, {"name", rev.name}, {"label", rev.Label()}};
  if (verbose) {
    out["path"] = rev.up.path.string();
    out["parents"] = rev.parents;
    out["checksum"] = rev.checksum;
    out["transaction"] = rev.up.tx_mode == source::TxMode::kTransaction ? "transaction" : "none";
  }
  return out;
}

nlohmann::json HistoryRowJson(const history::Row& row) {
  const auto or_null = [](const std::string& s) {
    return s.empty() ? nlohmann::json() : nlohmann::json(s);
  };
  nlohmann::json out = {{"id", row.id},
                        {"version", row.version},
                        {"name", row.name},
                        {"label", row.Label()},
                        {"checksum", row.checksum},
                        {"state", history::StateName(row.state)},
                        {"direction", history::DirectionName(row.direction)},
                        {"applied_at", row.applied_at},
                        {"duration_ms", nullptr},
                        {"applied_by", row.applied_by},
                        {"statement_index", nullptr},
                        {"error", or_null(row.error)},
                        {"note", or_null(row.note)}};
  if (row.duration_ms) out["duration_ms"] = *row.duration_ms;
  if (row.statement_index) out["statement_index"] = *row.statement_index;
  return out;
}

std::optional<db::Session> ConnectIfConfigured(const GlobalOptions& global,
                                               const UrlLookup& lookup) {
  std::string url;
  try {
    url = ResolveDatabaseUrl(global, lookup);
  } catch (const StopError& e) {
    // Only "configured nowhere" means unknown; a URL that is there but wrong is an error.
    if (e.kind() == ErrorKind::kInput && e.error().message.starts_with("no database")) {
      return std::nullopt;
    }
    throw;
  }
  return ConnectToUserDatabase(url);
}

void PrintJson(const nlohmann::json& doc) {
  fmt::print("{}\n", doc.dump(2));
}

}  // namespace stairway::cli

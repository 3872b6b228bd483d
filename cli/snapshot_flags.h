// Flags shared by `stairway snapshot` and `stairway diff`: which objects a snapshot covers and
// where throwaway databases for DIR@REV come from.
#pragma once

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "cli/connect_wait.h"
#include "runner/source/migration.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/sources.h"

namespace stairway::cli {

struct SnapshotFlags {
  bool ignore_owners = false;
  std::vector<std::string> schemas;
  std::vector<std::string> exclude;
  bool no_default_exclude = false;
  std::string format = "auto";
  std::string server_url;
};

inline void AddSnapshotFlags(CLI::App& sub, SnapshotFlags& flags) {
  sub.add_flag("--ignore-owners", flags.ignore_owners,
               "Leave object owners out (grants still compare, with the owner as <owner>)");
  sub.add_option("--schema", flags.schemas,
                 "Only objects in this schema (repeatable); database-level objects are skipped");
  sub.add_option("--exclude", flags.exclude,
                 "Also leave out tables and event triggers whose name matches this SQL LIKE "
                 "pattern (repeatable)");
  sub.add_flag("--no-default-exclude", flags.no_default_exclude,
               "Include stairway's own tables (names matching stairway\\_%)");
  sub.add_option("--format", flags.format,
                 "Migration format for DIR@REV: auto, stairway (dbmate), golang-migrate, flyway, "
                 "goose")
      ->capture_default_str();
  sub.add_option("--server-url", flags.server_url,
                 "Build DIR@REV in temporary databases on this server instead of a private "
                 "cluster");
}

inline schema::SnapshotOptions MakeSnapshotOptions(const SnapshotFlags& flags) {
  schema::SnapshotOptions options;
  if (flags.no_default_exclude) options.excluded_names.clear();
  for (const std::string& pattern : flags.exclude) options.excluded_names.push_back(pattern);
  options.schemas = flags.schemas;
  options.owners = flags.ignore_owners ? schema::Owners::kIgnore : schema::Owners::kCompare;
  return options;
}

inline source::Format ParseFormatFlag(const SnapshotFlags& flags) {
  auto format = source::ParseFormat(flags.format);
  if (!format) {
    throw StopError(Error::Input("--format " + flags.format +
                                 ": unknown format; use auto, stairway, dbmate, golang-migrate, "
                                 "flyway or goose"));
  }
  return *format;
}

inline sandbox::Options MakeSandboxOptions(const SnapshotFlags& flags) {
  sandbox::Options options;
  if (!flags.server_url.empty()) options.server_url = flags.server_url;
  options.connect_server = ConnectWaiting;  // --wait
  return options;
}

}  // namespace stairway::cli

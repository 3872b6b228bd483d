// Helpers shared by the runner integration tests: run the stairway binary from the source
// root (so messages show repository-relative paths), read the history table and a schema
// fingerprint straight from the database.
#pragma once

#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runner/common/file.h"
#include "runner/db/session.h"
#include "runner/source/migration.h"
#include "tests/support/paths.h"
#include "tests/support/process.h"
#include "tests/support/test_cluster.h"

namespace stairway::testing {

// The good migration set of every format (fixtures/formats/<name>), for parameterized tests.
inline auto AllFormats() {
  return ::testing::Values(std::string("stairway"), std::string("golang-migrate"),
                           std::string("flyway"), std::string("goose"));
}
// A path-like parameter as a gtest name, which allows only letters, digits and '_':
// "golang-migrate" -> "golang_migrate", "fixtures/nontx" -> "fixtures_nontx".
inline std::string PathTestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

// The stairway binary run in the source directory against `url`.
inline ProcessResult Stairway(std::vector<std::string> args, const std::string& url,
                              const Env& env = {}) {
  args.push_back("--database-url");
  args.push_back(url);
  return RunStairway(args, env, SourceDir().string());
}

// Without a database (offline commands, --sql).
inline ProcessResult StairwayOffline(const std::vector<std::string>& args, const Env& env = {}) {
  return RunStairway(args, env, SourceDir().string());
}

inline std::string Describe(const ProcessResult& r) {
  return "exit " + std::to_string(r.exit_code) + "\n--- stdout\n" + r.out + "--- stderr\n" + r.err;
}

// One history row as tests compare it.
struct HistoryEntry {
  std::string version, name, checksum, state;
  bool operator==(const HistoryEntry&) const = default;
};

inline std::ostream& operator<<(std::ostream& os, const HistoryEntry& e) {
  return os << "{" << e.version << ", " << e.name << ", " << e.checksum.substr(0, 12) << ", "
            << e.state << "}";
}

inline bool HistoryTableExists(db::Session& session, const std::string& schema = "public") {
  const db::QueryResult r = session.Query("SELECT to_regclass($1) IS NOT NULL",
                                          {db::QuoteIdent(schema) + ".stairway_history"});
  return r.rows.at(0).at(0) == std::optional<std::string>("t");
}

inline std::vector<HistoryEntry> ReadHistory(db::Session& session,
                                             const std::string& schema = "public") {
  if (!HistoryTableExists(session, schema)) return {};
  const db::QueryResult r =
      session.Query("SELECT version, name, checksum, state FROM " + db::QuoteIdent(schema) +
                    ".stairway_history WHERE state <> 'format' ORDER BY id");
  std::vector<HistoryEntry> out;
  for (const db::Row& row : r.rows) {
    out.push_back(
        {row[0].value_or(""), row[1].value_or(""), row[2].value_or(""), row[3].value_or("")});
  }
  return out;
}

// What the history must hold after the first `count` revisions of `set` were applied.
inline std::vector<HistoryEntry> AppliedEntries(const source::MigrationSet& set,
                                                std::size_t count) {
  std::vector<HistoryEntry> out;
  for (std::size_t i = 0; i < count && i < set.revisions.size(); ++i) {
    const source::Revision& rev = set.revisions[i];
    out.push_back({rev.version, rev.name, rev.checksum, "applied"});
  }
  return out;
}

// Every user-visible object of the database outside the history table, one line each: enough
// to see that a rolled-back revision left nothing behind (the full snapshot is verifier/schema's
// job).
inline std::vector<std::string> SchemaFingerprint(db::Session& session) {
  const db::QueryResult r = session.Query(R"SQL(
    SELECT 'rel ' || c.relkind::text || ' ' || n.nspname || '.' || c.relname || ' ' ||
           coalesce((SELECT string_agg(a.attname || ':' || format_type(a.atttypid, a.atttypmod) ||
                                       CASE WHEN a.attnotnull THEN ' not null' ELSE '' END,
                                       ', ' ORDER BY a.attnum)
                     FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '')
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND c.relname NOT LIKE 'stairway_history%'
    UNION ALL
    SELECT 'type ' || n.nspname || '.' || t.typname || ' ' || t.typtype::text
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND t.typtype IN ('e', 'd', 'c') AND t.typrelid = 0
    UNION ALL
    SELECT 'func ' || n.nspname || '.' || p.proname || '(' ||
           pg_get_function_identity_arguments(p.oid) || ')'
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL
    SELECT 'con ' || conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'public'::regnamespace
      AND conrelid::regclass::text NOT LIKE 'stairway_history%'
    ORDER BY 1)SQL");
  std::vector<std::string> out;
  for (const db::Row& row : r.rows) out.push_back(row[0].value_or(""));
  return out;
}

inline source::MigrationSet LoadFixtureSet(const std::string& relative) {
  Expected<source::MigrationSet> set = source::LoadMigrationSet(SourceDir() / relative);
  EXPECT_TRUE(set.ok()) << (set.ok() ? "" : set.error().message);
  return std::move(set).ValueOrThrow();
}

inline std::string ReadFile(const std::filesystem::path& path) {
  return ReadWholeFile(path).value_or("");
}

inline std::string TrimEnd(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace stairway::testing

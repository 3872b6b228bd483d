// Preflight without a database: lock names and what they block, the connection handed to
// pg_dump (password only in the environment), the reports' escaping, and the file checksum.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "runner/common/checksum.h"
#include "verifier/preflight/render.h"
#include "verifier/preflight/tools.h"
#include "verifier/preflight/trace.h"

namespace stairway::verifier::preflight {
namespace {

TEST(PreflightLocks, NamesStrengthAndWhatTheyBlock) {
  EXPECT_EQ(LockModeName("AccessExclusiveLock"), "ACCESS EXCLUSIVE");
  EXPECT_EQ(LockModeName("ShareUpdateExclusiveLock"), "SHARE UPDATE EXCLUSIVE");
  EXPECT_EQ(LockModeName("RowExclusiveLock"), "ROW EXCLUSIVE");
  EXPECT_LT(LockStrength("SHARE"), LockStrength("ACCESS EXCLUSIVE"));
  EXPECT_LT(LockStrength("ROW EXCLUSIVE"), LockStrength("SHARE UPDATE EXCLUSIVE"));
  EXPECT_EQ(LockStrength("nonsense"), -1);
  LockTaken lock{"ACCESS EXCLUSIVE", "public.users", "table", true, 2300};
  EXPECT_EQ(DescribeLock(lock),
            "ACCESS EXCLUSIVE on public.users for 2.3 s: blocks every read "
            "and write");
  lock.mode = "SHARE";
  lock.held_ms = 12.4;
  EXPECT_EQ(DescribeLock(lock),
            "SHARE on public.users for 12 ms: blocks every write (INSERT, "
            "UPDATE, DELETE); reads go on");
  lock.existed_before = false;
  EXPECT_EQ(DescribeLock(lock),
            "SHARE on public.users for 12 ms: made by this revision, blocks "
            "nobody");
}

TEST(PreflightTools, PasswordGoesToTheEnvironmentNeverTheArguments) {
  const ProgramConnection c =
      ConnectionFor("postgresql://app:s3cr%27t@db.example:5433/shop?sslmode=require")
          .ValueOrThrow();
  EXPECT_EQ(c.conninfo.find("s3cr"), std::string::npos) << c.conninfo;
  EXPECT_NE(c.conninfo.find("host='db.example'"), std::string::npos) << c.conninfo;
  EXPECT_NE(c.conninfo.find("port='5433'"), std::string::npos) << c.conninfo;
  EXPECT_NE(c.conninfo.find("dbname='shop'"), std::string::npos) << c.conninfo;
  EXPECT_NE(c.conninfo.find("sslmode='require'"), std::string::npos) << c.conninfo;
  EXPECT_EQ(c.dbname, "shop");
  int passwords = 0;
  for (const std::string& e : c.env) {
    if (e.starts_with("PGPASSWORD=")) {
      ++passwords;
      EXPECT_EQ(e, "PGPASSWORD=s3cr't");
    }
  }
  EXPECT_EQ(passwords, 1);
  // A quote in a value is escaped for libpq.
  const ProgramConnection q = ConnectionFor("host=/tmp dbname='it\\'s'").ValueOrThrow();
  EXPECT_NE(q.conninfo.find("dbname='it\\'s'"), std::string::npos) << q.conninfo;
}

TEST(PreflightTools, NewerServerThanPgDumpIsNamed) {
  const ProgramVersion v{15, "pg_dump (PostgreSQL) 15.5"};
  EXPECT_FALSE(DumpVersionProblem("/usr/bin/pg_dump", v, 15).has_value());
  EXPECT_FALSE(DumpVersionProblem("/usr/bin/pg_dump", v, 13).has_value());
  const std::optional<std::string> problem = DumpVersionProblem("/usr/bin/pg_dump", v, 16);
  ASSERT_TRUE(problem.has_value());
  EXPECT_NE(problem->find("postgresql-client-16"), std::string::npos) << *problem;
}

Result SampleResult() {
  Result r;
  r.target = "postgresql://app:***@db/shop";
  r.record = "public.stairway_history";
  r.recorded_revision = "0002_x";
  r.pending = {"0003_y"};
  StatementTrace s;
  s.revision = "0003_y";
  s.path = "migrations/0003_y.sql";
  s.line = 3;
  s.text = "UPDATE t SET a = 1 WHERE b < 2 AND c <> '&'";
  s.duration_ms = 5;
  s.locks.push_back({"ACCESS EXCLUSIVE", "public.t", "table", true, 5});
  s.rewritten = {"public.t"};
  r.statements.push_back(s);
  return r;
}

TEST(PreflightRender, HtmlEscapesStatementsAndMarksRewrites) {
  const std::string html = RenderHtml(SampleResult());
  EXPECT_NE(html.find("b &lt; 2 AND c &lt;&gt; '&amp;'"), std::string::npos) << html;
  EXPECT_EQ(html.find("b < 2"), std::string::npos);
  EXPECT_NE(html.find("data-lock=\"ACCESS EXCLUSIVE\" data-rewrite=\"yes\""), std::string::npos);
  EXPECT_NE(html.find("class=\"rewrite\""), std::string::npos);
  EXPECT_NE(html.find("not on production"), std::string::npos);
}

TEST(PreflightRender, JsonIsVersionedAndCarriesTheTrace) {
  const nlohmann::json j = nlohmann::json::parse(RenderJson(SampleResult()));
  EXPECT_EQ(j["stairway_preflight"], kJsonVersion);
  EXPECT_EQ(j["statements"][0]["locks"][0]["summary"],
            "ACCESS EXCLUSIVE on public.t for 5 ms: blocks every read and write");
  EXPECT_EQ(j["statements"][0]["rewrites"][0], "public.t");
  EXPECT_EQ(j["has_findings"], false);
}

TEST(PreflightChecksum, FileDigestEqualsTheBytesDigest) {
  const std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("stairway_sha_" + std::to_string(::getpid()));
  std::string bytes(3 * 1024 * 1024 + 17, 'x');  // more than one read block
  bytes[12345] = '\0';
  std::ofstream(path, std::ios::binary) << bytes;
  EXPECT_EQ(Sha256OfFile(path), Sha256Hex(bytes));
  std::filesystem::remove(path);
  EXPECT_FALSE(Sha256OfFile(path).has_value());
}

}  // namespace
}  // namespace stairway::verifier::preflight

// --report json of current, heads, history and status on a real database: fields and values
// for applied, pending and edited revisions, "unknown" without a database, every document
// checked against docs/schemas/read-commands-1.schema.json, and the text left as it was.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <fstream>

#include "tests/integration/json_schema_util.h"
#include "tests/integration/runner_test_util.h"
#include "tests/support/temp_dir.h"

namespace stairway::testing {
namespace {

namespace fs = std::filesystem;

const std::string kSchema = "docs/schemas/read-commands-1.schema.json";

// The command's stdout as JSON, after checking it against the documented schema.
nlohmann::json Parse(const ProcessResult& r) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "not JSON (" << e.what() << ")\n" << Describe(r);
    return doc;
  }
  for (const std::string& error : JsonSchemaChecker(kSchema).Check(doc)) {
    ADD_FAILURE() << "schema: " << error << "\n" << r.out;
  }
  return doc;
}

class ReportJson : public ::testing::Test {
 protected:
  void SetUp() override {
    unsetenv("DATABASE_URL");
    unsetenv("STAIRWAY_DIR");
    unsetenv("STAIRWAY_HISTORY_SCHEMA");
    fs::copy(SourceDir() / "fixtures/formats/stairway", dir());
    database_ = NewTestDatabase();
  }
  std::string dir() const { return dir_.path().string(); }
  const std::string& url() const { return database_->url(); }

  TempDir dir_{"stairway-json"};
  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
};

TEST_F(ReportJson, AppliedPendingAndEditedRevisions) {
  ASSERT_EQ(Stairway({"upgrade", "+3", "-d", dir()}, url()).exit_code, 0);
  const std::string old_sum = source::LoadMigrationSet(dir()).ValueOrThrow().revisions[1].checksum;
  const fs::path file = dir_.path() / "0002_create_message_role.sql";
  std::string text = ReadFile(file);
  text.insert(text.find("-- migrate:down"), "COMMENT ON TYPE message_role IS 'edited';\n\n");
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  const std::string new_sum = source::LoadMigrationSet(dir()).ValueOrThrow().revisions[1].checksum;

  ProcessResult r = Stairway({"status", "-d", dir(), "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);  // as the text: an edited revision is a finding
  nlohmann::json doc = Parse(r);
  EXPECT_EQ(doc["schema"], "stairway.status/1");
  EXPECT_EQ(doc["format"], "stairway");
  EXPECT_EQ(doc["history_table"], "public.stairway_history");
  EXPECT_EQ(doc["history_table_exists"], true);
  EXPECT_EQ(doc["has_problems"], true);
  EXPECT_EQ(doc["counts"], nlohmann::json({{"applied", 2},
                                           {"edited", 1},
                                           {"failed", 0},
                                           {"pending", 1},
                                           {"running", 0},
                                           {"interrupted", 0},
                                           {"unknown", 0}}));
  ASSERT_EQ(doc["revisions"].size(), 4u) << r.out;
  EXPECT_EQ(doc["revisions"][0]["state"], "applied");
  EXPECT_EQ(doc["revisions"][0]["history"]["state"], "applied");
  EXPECT_EQ(doc["revisions"][1]["label"], "0002_create_message_role");
  EXPECT_EQ(doc["revisions"][1]["state"], "edited");
  EXPECT_EQ(doc["revisions"][1]["checksum"], new_sum);
  EXPECT_EQ(doc["revisions"][1]["history"]["checksum"], old_sum);
  EXPECT_EQ(doc["revisions"][3]["version"], "0004");
  EXPECT_EQ(doc["revisions"][3]["state"], "pending");
  EXPECT_TRUE(doc["revisions"][3]["history"].is_null());

  r = Stairway({"current", "-d", dir(), "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  doc = Parse(r);
  EXPECT_EQ(doc["schema"], "stairway.current/1");
  ASSERT_EQ(doc["current"].size(), 1u) << r.out;
  EXPECT_EQ(doc["current"][0]["label"], "0003_create_messages");
  EXPECT_EQ(doc["at_head"], false);
  EXPECT_EQ(doc["has_problems"], true);

  r = Stairway({"heads", "-d", dir(), "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  doc = Parse(r);
  EXPECT_EQ(doc["schema"], "stairway.heads/1");
  EXPECT_TRUE(doc["database"].is_string()) << r.out;
  ASSERT_EQ(doc["heads"].size(), 1u) << r.out;
  EXPECT_EQ(doc["heads"][0]["version"], "0004");
  EXPECT_EQ(doc["heads"][0]["state"], "pending");

  r = Stairway({"history", "-v", "-d", dir(), "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  doc = Parse(r);
  EXPECT_EQ(doc["schema"], "stairway.history/1");
  ASSERT_EQ(doc["rows"].size(), 3u) << r.out;
  EXPECT_EQ(doc["rows"][0]["version"], "0001");
  EXPECT_EQ(doc["rows"][0]["state"], "applied");
  EXPECT_EQ(doc["rows"][0]["direction"], "up");
  EXPECT_TRUE(doc["rows"][0]["duration_ms"].is_number_integer()) << r.out;
  EXPECT_EQ(doc["rows"][0]["file"], "same");
  EXPECT_EQ(doc["rows"][1]["file"], "edited");
  EXPECT_EQ(doc["rows"][1]["checksum"], old_sum);
  ASSERT_EQ(doc["revisions"].size(), 4u) << r.out;
  EXPECT_EQ(doc["revisions"][1]["state"], "edited");
  EXPECT_EQ(doc["revisions"][3]["state"], "pending");
  // -v: where each revision comes from and how it runs.
  EXPECT_EQ(doc["revisions"][1]["path"], file.string());
  EXPECT_EQ(doc["revisions"][1]["parents"], nlohmann::json::array({"0001"}));
  EXPECT_EQ(doc["revisions"][1]["checksum"], new_sum);
  EXPECT_EQ(doc["revisions"][1]["transaction"], "transaction");

  // Without --report json the text is what it always was.
  r = Stairway({"current", "-d", dir()}, url());
  EXPECT_EQ(r.out, "0003_create_messages\n") << Describe(r);
  r = Stairway({"heads", "-d", dir()}, url());
  EXPECT_EQ(r.out, "0004_index_messages_by_user (head)\n") << Describe(r);
  r = Stairway({"history", "-v", "-d", dir()}, url());
  EXPECT_NE(r.out.find("    path: " + file.string() + "; parents: 0001; checksum: " + new_sum +
                       "; transaction: transaction\n"),
            std::string::npos)
      << Describe(r);
}

TEST_F(ReportJson, FreshDatabaseHasNoHistoryTableAndEverythingPending) {
  ProcessResult r = Stairway({"status", "-d", dir(), "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json doc = Parse(r);
  EXPECT_EQ(doc["history_table_exists"], false);
  EXPECT_EQ(doc["has_problems"], false);
  EXPECT_EQ(doc["counts"]["pending"], 4);
  r = Stairway({"current", "-d", dir(), "--report", "json"}, url());
  doc = Parse(r);
  EXPECT_EQ(doc["current"], nlohmann::json::array()) << r.out;
  EXPECT_EQ(doc["history_table_exists"], false);
  r = Stairway({"history", "-d", dir(), "--report", "json"}, url());
  doc = Parse(r);
  EXPECT_TRUE(doc["rows"].is_null()) << r.out;
  EXPECT_EQ(doc["revisions"][0]["state"], "pending");
}

TEST_F(ReportJson, WithoutADatabaseTheStateIsUnknown) {
  ProcessResult r = StairwayOffline({"heads", "-d", dir(), "--report", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  nlohmann::json doc = Parse(r);
  EXPECT_TRUE(doc["database"].is_null());
  EXPECT_EQ(doc["heads"][0]["state"], "unknown");

  r = StairwayOffline({"history", "-d", "fixtures/nontx", "-v", "--report", "json"});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  doc = Parse(r);
  EXPECT_TRUE(doc["database"].is_null());
  EXPECT_TRUE(doc["rows"].is_null());
  EXPECT_TRUE(doc["history_table_exists"].is_null());
  ASSERT_EQ(doc["revisions"].size(), 2u) << r.out;
  EXPECT_EQ(doc["revisions"][0]["state"], "unknown");
  EXPECT_EQ(doc["revisions"][0]["transaction"], "transaction");
  EXPECT_EQ(doc["revisions"][1]["transaction"], "none");

  r = StairwayOffline({"history", "-d", dir()});
  EXPECT_EQ(r.exit_code, 0) << Describe(r);
  EXPECT_NE(r.out.find("  unknown  0004_index_messages_by_user\n"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("applied state unknown"), std::string::npos) << r.err;

  // Neither files nor database: nothing to show, the usual error.
  r = StairwayOffline({"history", "--report", "json"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
  EXPECT_NE(r.err.find("no database to connect to"), std::string::npos) << r.err;
  r = StairwayOffline({"status", "-d", dir(), "--report", "yaml"});
  EXPECT_EQ(r.exit_code, 2) << Describe(r);
}

TEST_F(ReportJson, AFailedNonTransactionalRevisionIsAFinding) {
  const std::string failing = "fixtures/nontx_failing";
  ASSERT_EQ(Stairway({"upgrade", "-d", failing}, url()).exit_code, 3);
  ProcessResult r = Stairway({"status", "-d", failing, "--report", "json"}, url());
  EXPECT_EQ(r.exit_code, 1) << Describe(r);
  nlohmann::json doc = Parse(r);
  EXPECT_EQ(doc["counts"]["failed"], 1) << r.out;
  EXPECT_EQ(doc["has_problems"], true);
  ASSERT_EQ(doc["revisions"].size(), 2u) << r.out;
  const nlohmann::json& failed = doc["revisions"][1];
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_EQ(failed["transaction"], "none");
  EXPECT_EQ(failed["history"]["statement_index"], 2);
  EXPECT_EQ(failed["history"]["error"], "column \"source\" does not exist");
  ASSERT_TRUE(failed["message"].is_string()) << r.out;
  EXPECT_NE(failed["message"].get<std::string>().find("stairway repair"), std::string::npos);
  EXPECT_TRUE(doc["revisions"][0]["message"].is_null());

  r = Stairway({"history", "--report", "json"}, url());
  doc = Parse(r);
  ASSERT_EQ(doc["rows"].size(), 2u) << r.out;
  EXPECT_EQ(doc["rows"][1]["state"], "failed");
  EXPECT_TRUE(doc["rows"][1]["file"].is_null());  // no -d: not compared with files
  EXPECT_TRUE(doc["revisions"].is_null());
  EXPECT_TRUE(doc["format"].is_null());
}

}  // namespace
}  // namespace stairway::testing

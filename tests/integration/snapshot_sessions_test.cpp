// TakeSnapshot on two connections (the session and its companion): the same bytes as on one; an
// open transaction that has written keeps everything on the session (it sees its own DDL); a
// companion whose backend died costs a retry, never the snapshot.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "runner/common/file.h"
#include "runner/db/session.h"
#include "tests/support/paths.h"
#include "tests/support/test_cluster.h"
#include "verifier/schema/snapshot.h"
#include "verifier/schema/snapshot_json.h"

namespace stairway::testing {
namespace {

// Backends connected to the session's database other than the session itself.
std::vector<std::string> OtherBackends(db::Session& session) {
  const db::QueryResult r = session.Query(
      "SELECT pid::text FROM pg_stat_activity WHERE datname = current_database() "
      "AND backend_type = 'client backend' AND pid <> pg_backend_pid() ORDER BY pid");
  std::vector<std::string> pids;
  for (const db::Row& row : r.rows) pids.push_back(row.at(0).value());
  return pids;
}

std::string Json(db::Session& session, schema::Sessions sessions) {
  schema::SnapshotOptions options;
  options.sessions = sessions;
  return schema::SnapshotToJson(schema::TakeSnapshot(session, options));
}

class SnapshotSessionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    database_ = NewTestDatabase();
    session_ = std::make_unique<db::Session>(db::Session::Connect(database_->url()));
    session_->Exec(ReadWholeFile(FixturesDir() / "schema" / "rich.sql").value());
  }
  std::unique_ptr<sandbox::ThrowawayDatabase> database_;
  std::unique_ptr<db::Session> session_;
};

TEST_F(SnapshotSessionsTest, CompanionGivesTheSameBytesAsOneSession) {
  const std::string alone = Json(*session_, schema::Sessions::kOneSession);
  EXPECT_EQ(OtherBackends(*session_).size(), 0u);
  const std::string shared = Json(*session_, schema::Sessions::kWithCompanion);
  EXPECT_EQ(OtherBackends(*session_).size(), 1u);  // the companion, kept for the next snapshot
  EXPECT_EQ(shared, alone);
  EXPECT_NE(shared.find("\"public.users\""), std::string::npos);
  EXPECT_EQ(Json(*session_, schema::Sessions::kWithCompanion), alone);
  EXPECT_EQ(OtherBackends(*session_).size(), 1u);
}

TEST_F(SnapshotSessionsTest, UncommittedDdlIsSeenBecauseTheSessionWorksAlone) {
  session_->Begin();
  session_->Exec("CREATE TABLE in_flight (id int)");
  const schema::Snapshot snapshot = schema::TakeSnapshot(*session_);
  EXPECT_NE(snapshot.Find("table", "public.in_flight"), nullptr);
  EXPECT_NE(snapshot.Find("column", "public.in_flight.id"), nullptr);
  EXPECT_EQ(OtherBackends(*session_).size(), 0u);  // no companion was needed
  session_->Rollback();
}

TEST_F(SnapshotSessionsTest, ReadOnlyTransactionStillShares) {
  // drift --against reads inside BEGIN READ ONLY: nothing written, so the companion helps.
  const std::string alone = Json(*session_, schema::Sessions::kOneSession);
  session_->Exec("BEGIN TRANSACTION READ ONLY");
  EXPECT_EQ(Json(*session_, schema::Sessions::kWithCompanion), alone);
  session_->Exec("ROLLBACK");
  EXPECT_EQ(OtherBackends(*session_).size(), 1u);
}

TEST_F(SnapshotSessionsTest, DeadCompanionFallsBackToTheSession) {
  const std::string alone = Json(*session_, schema::Sessions::kOneSession);
  ASSERT_EQ(Json(*session_, schema::Sessions::kWithCompanion), alone);
  const std::vector<std::string> companion = OtherBackends(*session_);
  ASSERT_EQ(companion.size(), 1u);
  session_->Query("SELECT pg_terminate_backend($1::int)", {companion[0]});
  for (int i = 0; i < 200 && !OtherBackends(*session_).empty(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(OtherBackends(*session_).size(), 0u);
  EXPECT_EQ(Json(*session_, schema::Sessions::kWithCompanion), alone);
  // The broken companion was closed; the next snapshot opens a new one.
  EXPECT_EQ(Json(*session_, schema::Sessions::kWithCompanion), alone);
  const std::vector<std::string> renewed = OtherBackends(*session_);
  ASSERT_EQ(renewed.size(), 1u);
  EXPECT_NE(renewed[0], companion[0]);
}

}  // namespace
}  // namespace stairway::testing

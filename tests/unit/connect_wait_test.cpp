// --wait's argument handling and which connection failures it waits through.
#include "cli/connect_wait.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stairway::cli {
namespace {

std::vector<std::string> Normalized(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  return NormalizeWaitArgs(static_cast<int>(argv.size()), argv.data());
}

TEST(ConnectWait, WaitAloneBecomesSixtySeconds) {
  EXPECT_EQ(Normalized({"stairway", "upgrade", "head", "--wait"}),
            (std::vector<std::string>{"stairway", "upgrade", "head", "--wait=60s"}));
}

TEST(ConnectWait, TakesTheNextWordOnlyWhenItHasAUnit) {
  EXPECT_EQ(Normalized({"stairway", "upgrade", "--wait", "2m", "head"}),
            (std::vector<std::string>{"stairway", "upgrade", "--wait=2m", "head"}));
  EXPECT_EQ(Normalized({"stairway", "upgrade", "--wait", "500ms"})[2], "--wait=500ms");
  EXPECT_EQ(Normalized({"stairway", "upgrade", "--wait", "0003"}),
            (std::vector<std::string>{"stairway", "upgrade", "--wait=60s", "0003"}));
  EXPECT_EQ(Normalized({"stairway", "upgrade", "--wait", "head"})[2], "--wait=60s");
  EXPECT_EQ(Normalized({"stairway", "upgrade", "--wait=90"})[2], "--wait=90");
}

TEST(ConnectWait, LeavesWordsAfterDoubleDashAlone) {
  EXPECT_EQ(Normalized({"stairway", "new", "--", "--wait"}),
            (std::vector<std::string>{"stairway", "new", "--", "--wait"}));
}

TEST(ConnectWait, TransientFailures) {
  EXPECT_EQ(TransientConnectFailure("cannot connect to postgresql://db/app: connection to server "
                                    "at \"db\" (10.0.0.2), port 5432 failed: Connection refused"),
            "connection refused");
  EXPECT_EQ(TransientConnectFailure("...failed: FATAL:  the database system is starting up"),
            "the database system is starting up");
  EXPECT_EQ(TransientConnectFailure("could not translate host name \"db\" to address: Name or "
                                    "service not known"),
            "the host name does not resolve (yet)");
  EXPECT_EQ(TransientConnectFailure("connection to server on socket \"/run/.s.PGSQL.5432\" "
                                    "failed: No such file or directory"),
            "no server socket file (yet)");
  EXPECT_EQ(TransientConnectFailure("FATAL:  password authentication failed for user \"app\""),
            std::nullopt);
  EXPECT_EQ(TransientConnectFailure("FATAL:  database \"app\" does not exist"), std::nullopt);
}

}  // namespace
}  // namespace stairway::cli

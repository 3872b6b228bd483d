// One private cluster per test process (see test_cluster.h).
#include "tests/support/test_cluster.h"

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>

namespace stairway::testing {
namespace {

std::mutex& ClusterMutex() {
  static std::mutex mutex;
  return mutex;
}

// A function-local static: destroyed at normal exit, which stops the cluster and removes its
// directory. If the process dies instead, the sandbox's keeper process does the same.
std::unique_ptr<sandbox::Sandbox>& ClusterSlot() {
  static std::unique_ptr<sandbox::Sandbox> cluster;
  return cluster;
}

}  // namespace

sandbox::Sandbox& TestSandbox() {
  std::lock_guard<std::mutex> lock(ClusterMutex());
  auto& cluster = ClusterSlot();
  if (!cluster) {
    // STAIRWAY_TEST_KEEP=1 keeps the cluster after the tests, for a look at what they left.
    const char* keep = std::getenv("STAIRWAY_TEST_KEEP");
    sandbox::Options options;
    options.keep = keep != nullptr && std::string(keep) == "1";
    cluster = sandbox::OpenSandbox(options);
    if (options.keep) std::fprintf(stderr, "%s", cluster->ConnectHelp().c_str());
  }
  return *cluster;
}

std::unique_ptr<sandbox::ThrowawayDatabase> NewTestDatabase() {
  return TestSandbox().CreateDatabase();
}

}  // namespace stairway::testing

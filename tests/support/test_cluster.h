// The PostgreSQL every integration test uses: one private cluster per test process, started on
// first use through runner/sandbox and removed when the process exits.
#pragma once

#include <memory>

#include "runner/sandbox/sandbox.h"

namespace stairway::testing {

// The process-wide private cluster, started lazily (about one second) and removed at exit,
// on SIGINT/SIGTERM, or by the keeper process if the test binary dies. STAIRWAY_TEST_KEEP=1 keeps
// it and prints how to connect.
sandbox::Sandbox& TestSandbox();

// A fresh, empty database on TestSandbox(); dropped when the returned object dies.
std::unique_ptr<sandbox::ThrowawayDatabase> NewTestDatabase();

}  // namespace stairway::testing

// What the Alembic integration tests share: which Python stack they run on (Debian 12's, or the
// modern one ci/install-alembic-modern.sh unpacks, named by STAIRWAY_TEST_ALEMBIC_PYTHONPATH).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/process.h"

namespace stairway::testing {

// The environment for stairway and the real alembic CLI: the project's Python is
// /usr/bin/python3, with the modern stack's packages first when the tests run on it.
inline Env AlembicPythonEnv() {
  Env env;
  if (const char* path = std::getenv("STAIRWAY_TEST_ALEMBIC_PYTHONPATH"); path && *path) {
    env["PYTHONPATH"] = path;
  }
  env["STAIRWAY_PYTHON"] = "/usr/bin/python3";
  return env;
}

// Why the tests cannot run on the stack asked for (it is not unpacked here), else nullopt.
inline std::optional<std::string> AlembicStackMissing() {
  const char* path = std::getenv("STAIRWAY_TEST_ALEMBIC_PYTHONPATH");
  if (path == nullptr || *path == '\0' || std::filesystem::is_directory(path)) return std::nullopt;
  return std::string(path) + " does not exist: run ci/install-alembic-modern.sh for this stack";
}

}  // namespace stairway::testing

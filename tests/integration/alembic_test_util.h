// What the Alembic integration tests share: which Python stack they run on (Debian 12's, or the
// modern one ci/install-alembic-modern.sh unpacks, named by STAIRWAY_TEST_ALEMBIC_PYTHONPATH).
#pragma once

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include "tests/support/process.h"

namespace stairway::testing {

// A plain synchronous env.py: DATABASE_URL when set, offline and online modes. stairway runs
// revisions without it; the real alembic CLI needs it.
inline constexpr const char* kSyncEnvPy = R"PY(import os
from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config
url = os.environ.get("DATABASE_URL")
if url:
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))


def run_migrations_offline():
    context.configure(url=config.get_main_option("sqlalchemy.url"), literal_binds=True,
                      dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connectable = engine_from_config(config.get_section(config.config_ini_section),
                                     prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None,
                          transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
)PY";

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

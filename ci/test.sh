#!/usr/bin/env bash
# Quick start, command 2: install, build, and run the whole test suite (unit tests and the
# integration tests, which start their own PostgreSQL through stairway's sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
build_dir=${STAIRWAY_BUILD_DIR:-build}
ci/check-style.sh
# The Alembic tests also run on Alembic 1.13 + SQLAlchemy 2.0 (Debian 13's, unpacked beside).
ci/install-alembic-modern.sh >/dev/null
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"

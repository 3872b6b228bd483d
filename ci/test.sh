#!/usr/bin/env bash
# Quick start, command 2: install, build, and run the whole test suite (unit tests and the
# integration tests, which start their own PostgreSQL through stairway's sandbox).
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
build_dir=${STAIRWAY_BUILD_DIR:-build}
ci/check-style.sh
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"

#!/usr/bin/env bash
# Configures and builds stairway (binary, tests, benchmarks) into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/install-deps.sh"
build_dir=${STAIRWAY_BUILD_DIR:-build}
# Unity sources (a few per folder instead of one object per file) make a from-scratch build
# parse the heavy headers (fmt, CLI11, gtest) far fewer times; STAIRWAY_UNITY_BUILD=OFF gives one
# object per file, which rebuilds less after a one-file edit.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} \
  -DCMAKE_UNITY_BUILD="${STAIRWAY_UNITY_BUILD:-ON}" "$@" >/dev/null
ninja -C "$build_dir"

#!/usr/bin/env bash
# Configures and builds stairway (binary, tests, benchmarks) into ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/install-deps.sh"
build_dir=${STAIRWAY_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${CMAKE_BUILD_TYPE:-RelWithDebInfo} \
  "$@" >/dev/null
ninja -C "$build_dir"

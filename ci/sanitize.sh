#!/usr/bin/env bash
# The whole test suite again, built with AddressSanitizer + UndefinedBehaviorSanitizer
# (-DSTAIRWAY_SANITIZE=ON) in its own build directory (build-asan): memory errors and undefined
# behaviour fail a test, in the tests' own code and in every stairway process they start.
# Extra arguments go to ctest (e.g. -L integration, -E roundtrip). Usage: ci/sanitize.sh [CTEST_ARGS]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
build_dir=${STAIRWAY_ASAN_BUILD_DIR:-build-asan}
# -O0 -g1: instrumented code compiles in less CPU time than the normal -O2 -g build (measured
# on runner/applier/applier.cpp: 7.3 s against 9.5 s; -O1 -g: 30 s), which keeps CI within its
# budget; -g1 still gives file:line in the sanitizers' stack traces.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_FLAGS="-O0 -g1" \
  -DCMAKE_C_FLAGS="-O0 -g1" -DSTAIRWAY_SANITIZE=ON -DSTAIRWAY_BUILD_BENCH=OFF \
  -DCMAKE_UNITY_BUILD="${STAIRWAY_UNITY_BUILD:-ON}" >/dev/null
ninja -C "$build_dir"
# Leak checking is off: some results are left to the process exit on purpose (lint parse trees,
# snapshots; see cli/). A UBSan report stops the process like an ASan one.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"

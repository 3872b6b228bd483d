#!/usr/bin/env bash
# Builds the libFuzzer target with clang and runs it for a short time on the lint fixtures.
# Usage: fuzz/run.sh [SECONDS=60]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DSTAIRWAY_FUZZ=ON -DSTAIRWAY_SANITIZE=ON \
  -DSTAIRWAY_BUILD_TESTS=OFF -DSTAIRWAY_BUILD_BENCH=OFF > /dev/null
ninja -C "$build" -j2 lint_fuzzer
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
for f in "$root"/fixtures/lint/*/*.sql; do
  cp "$f" "$corpus/$(basename "$(dirname "$f")")_$(basename "$f")"
done
"$build/fuzz/lint_fuzzer" -max_total_time="${1:-60}" -max_len=4096 -timeout=10 "$corpus"

#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a short time: lint_fuzzer on the lint
# fixtures, source_fuzzer (migration-directory readers, URL masking) on the format fixtures.
# Usage: fuzz/run.sh [SECONDS=60]   (per target)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-fuzz"
# -O1 -g1 instead of the default -O2 -g: with the sanitizers, -O2 -g costs about twice the
# compile time (30 s against 16 s for runner/applier/applier.cpp with gcc) for little speed.
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=None \
  -DCMAKE_CXX_FLAGS="-O1 -g1" -DCMAKE_C_FLAGS="-O1 -g1" -DSTAIRWAY_FUZZ=ON -DSTAIRWAY_SANITIZE=ON \
  -DSTAIRWAY_BUILD_TESTS=OFF -DSTAIRWAY_BUILD_BENCH=OFF \
  -DCMAKE_UNITY_BUILD="${STAIRWAY_UNITY_BUILD:-ON}" > /dev/null
ninja -C "$build" -j2 lint_fuzzer source_fuzzer
corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
mkdir "$corpus/lint" "$corpus/source"
for f in "$root"/fixtures/lint/*/*.sql; do
  cp "$f" "$corpus/lint/$(basename "$(dirname "$f")")_$(basename "$f")"
done
"$build/fuzz/lint_fuzzer" -max_total_time="${1:-60}" -max_len=4096 -timeout=10 "$corpus/lint"
# One seed per format fixture: its files as "name\ncontent\0" records (source_fuzzer.cpp).
for dir in "$root"/fixtures/formats/*/; do
  seed="$corpus/source/$(basename "$dir")"
  for f in "$dir"*; do
    [[ -f $f ]] || continue
    printf '%s\n' "$(basename "$f")" >>"$seed"
    cat "$f" >>"$seed"
    printf '\0' >>"$seed"
  done
done
printf 'postgresql://user:secret@localhost:5432/db?sslmode=disable' >"$corpus/source/url"
printf "host=localhost password='a b' dbname=x" >"$corpus/source/kv"
"$build/fuzz/source_fuzzer" -max_total_time="${1:-60}" -max_len=8192 -timeout=10 "$corpus/source"

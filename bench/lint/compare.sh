#!/usr/bin/env bash
# Compares `stairway lint` on a generated 20,000-statement (~1 MB) file with the raw
# pg_query_parse floor (lint_bench) and with squawk when installed (npm install squawk-cli).
# Usage: bench/lint/compare.sh [BUILD_DIR=build] [RUNS=5]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="${1:-$root/build}"
runs="${2:-5}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/generate.sh" "$work/big.sql"
echo "input: $(wc -l < "$work/big.sql") statements, $(wc -c < "$work/big.sql") bytes"

# Best wall time in ms of `runs` runs of a command (exit status ignored: findings exit 1).
best_ms() {
  local best=""
  for _ in $(seq "$runs"); do
    local start end ms
    start=$(date +%s%N)
    "$@" > /dev/null 2>&1 || true
    end=$(date +%s%N)
    ms=$(( (end - start) / 1000000 ))
    if [ -z "$best" ] || [ "$ms" -lt "$best" ]; then best=$ms; fi
  done
  echo "$best"
}

if [ -x "$build/bench/lint_bench" ]; then
  "$build/bench/lint_bench" --benchmark_filter='RawParse|Lint$' --benchmark_min_time=0.5 2>/dev/null | grep -E '^BM_'
fi
stairway_ms=$(best_ms "$build/stairway" lint --report json --fail-level none "$work/big.sql")
echo "stairway lint (whole process): ${stairway_ms} ms"
squawk=""
for candidate in "${SQUAWK:-}" "$root/node_modules/@squawk-cli/linux-x64/bin/squawk" \
                 "$(npm root -g 2>/dev/null)/squawk-cli/node_modules/@squawk-cli/linux-x64/bin/squawk" \
                 "$(command -v squawk || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then squawk="$candidate"; break; fi
done
if [ -n "$squawk" ]; then
  squawk_ms=$(best_ms "$squawk" --reporter json "$work/big.sql")
  echo "squawk $("$squawk" --version 2>/dev/null || true): ${squawk_ms} ms"
  echo "speed-up over squawk: $(awk -v a="$squawk_ms" -v b="$stairway_ms" 'BEGIN { printf "%.1fx", a / b }')"
else
  echo "squawk not installed (npm install squawk-cli): skipped"
fi

#!/usr/bin/env bash
# Compares `stairway lint` on a generated 20,000-statement (~1.2 MB) file with the raw
# pg_query_parse floor and with squawk when installed (npm install squawk-cli), in one run.
# Usage: bench/lint/compare.sh [BUILD_DIR=build] [RUNS=10]
# BUILD_DIR needs -DSTAIRWAY_BUILD_BENCH=ON (bench/lint_bench). Prints the in-process Google
# Benchmark figures, then the best wall and CPU (user+sys, both threads) time of whole
# processes, and the ratios. The machine is shared: compare ratios, not absolute times.
# CALLGRIND=1 also counts the instructions of both processes (valgrind; load-independent).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
runs="${2:-10}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$here/generate.sh" "$work/big.sql"
echo "input: $(wc -l < "$work/big.sql") statements, $(wc -c < "$work/big.sql") bytes"

bench="$build/bench/lint_bench"
if [ ! -x "$bench" ]; then
  echo "$bench missing: configure with -DSTAIRWAY_BUILD_BENCH=ON and build lint_bench" >&2
  exit 2
fi
"$bench" --benchmark_filter='RawParse|ParseScript|BM_Lint' --benchmark_min_time=0.5 \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=true 2>/dev/null |
  grep -E '^BM_.*_(median|min)' || true

squawk=""
for candidate in "${SQUAWK:-}" "$root/node_modules/@squawk-cli/linux-x64/bin/squawk" \
                 "$(npm root -g 2>/dev/null)/squawk-cli/node_modules/@squawk-cli/linux-x64/bin/squawk" \
                 "$(command -v squawk || true)"; do
  if [ -n "$candidate" ] && [ -x "$candidate" ]; then squawk="$candidate"; break; fi
done

# Best-of-RUNS wall and CPU time of each command, interleaved so that load hits all alike.
cmds=("$bench --raw-parse $work/big.sql"
      "$build/stairway lint --report json --fail-level none $work/big.sql")
[ -n "$squawk" ] && cmds+=("$squawk --reporter json $work/big.sql")
python3 - "$runs" "${cmds[@]}" <<'PY'
import os, subprocess, sys, time
runs = int(sys.argv[1]); cmds = sys.argv[2:]
names = ["raw pg_query_parse (process)", "stairway lint (process)", "squawk"][:len(cmds)]
wall = [1e9] * len(cmds); cpu = [1e9] * len(cmds)
for _ in range(runs):
    for i, c in enumerate(cmds):
        start = time.perf_counter()
        p = subprocess.Popen(c.split(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(p.pid, 0)
        wall[i] = min(wall[i], time.perf_counter() - start)
        cpu[i] = min(cpu[i], usage.ru_utime + usage.ru_stime)
for n, w, c in zip(names, wall, cpu):
    print(f"{n:30s} wall {w * 1000:7.1f} ms   cpu {c * 1000:7.1f} ms")
print(f"stairway / raw parse:  wall {wall[1] / wall[0]:.2f}x   cpu {cpu[1] / cpu[0]:.2f}x")
if len(cmds) > 2:
    print(f"squawk / stairway:     wall {wall[2] / wall[1]:.1f}x   cpu {cpu[2] / cpu[1]:.1f}x")
else:
    print("squawk not installed (npm install squawk-cli, or set SQUAWK): skipped")
PY

if [ "${CALLGRIND:-0}" = 1 ] && command -v valgrind >/dev/null; then
  count() {  # instructions of the whole process, every thread
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
      sed -n 's/.*Collected : *\([0-9]*\).*/\1/p'
  }
  raw=$(count "$bench" --raw-parse "$work/big.sql")
  lint=$(count "$build/stairway" lint --report json --fail-level none "$work/big.sql")
  awk -v r="$raw" -v l="$lint" 'BEGIN {
    printf "instructions: raw parse %.3f G, stairway lint %.3f G, ratio %.2fx\n", r / 1e9, l / 1e9, l / r
  }'
fi

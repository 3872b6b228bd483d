#!/usr/bin/env bash
# Lock trace benchmark (issue 17 item 7: "the lock trace adds at most 10% to verify --roundtrip
# of the 200-revision bench"). On one private cluster, N generated revisions
# (bench/runner/gen_revisions.sh), interleaved, REPEAT rounds of:
#   rt         stairway verify --roundtrip (--server-url: a database of the same cluster)
#   rt-trace   the same with --lock-trace (the trace rides on the roundtrip's first ups)
#   rt1        --jobs 1 (one database: the trace's own work is not hidden by the second core)
#   rt1-trace  --jobs 1 --lock-trace
# Each round runs the pairs in alternating order (A B, then B A), so a machine that gets busier
# or quieter during the run weighs on both sides alike. Prints the medians of the wall time and
# of the CPU time (stairway and the server), their ratios, and the load (uptime) at the start and
# the end: other processes share the cores, which moves the wall time more than the CPU time.
# Also prints the lock-trace step's duration from the JSON report: the time the trace's own
# queries took, the part of the difference that does not depend on the load.
# STAIRWAY_BEFORE=/path/to/an/older/stairway also times that binary's --roundtrip --lock-trace
# (before: the trace was a second apply of the history) in the same rounds.
# Usage: bench/locktrace/run.sh [N=200] [REPEAT=7]    (needs build/stairway)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-200}
repeat=${2:-7}
stairway=${STAIRWAY:-$root/build/stairway}
source "$root/bench/cluster.sh"
start_bench_cluster stairway-locktrace-bench
"$root/bench/runner/gen_revisions.sh" "$n" "$work/revs"
rm -f "$work"/revs.floor-*.sql
chmod -R a+rX "$work"
server="postgresql:///postgres?host=$work&user=bench"

declare -A samples cpu reads
postmaster=$(head -1 "$work/data/postmaster.pid")
tick_ms=$((1000 / $(getconf CLK_TCK)))
# CPU time in clock ticks: this shell's waited children (stairway) and the server (the
# postmaster's own and its waited children's: the backends of a run have exited when it ends).
cpu_ticks() {
  local client server
  client=$(awk '{print $16 + $17}' /proc/$$/stat)
  server=$(awk '{print $14 + $15 + $16 + $17}' "/proc/$postmaster/stat")
  echo $((client + server))
}
# run NAME BINARY ARGS...: one timed verify of the generated revisions: wall ms, and CPU ms of
# stairway and the server together (less at the mercy of the other processes on the machine).
run() {
  local name=$1 binary=$2
  shift 2
  local start end cpu_start cpu_end
  cpu_start=$(cpu_ticks)
  start=$(now_ms)
  "$binary" verify --roundtrip "$work/revs" --server-url "$server" "$@" --report json \
    -o "$work/report.json" >"$work/out" 2>"$work/err" || {
    cat "$work/out" "$work/err" >&2
    exit 1
  }
  end=$(now_ms)
  cpu_end=$(cpu_ticks)
  samples[$name]+="$((end - start)) "
  cpu[$name]+="$(((cpu_end - cpu_start) * tick_ms)) "
  # The lock-trace step's duration: the trace's own queries, summed over the databases.
  reads[$name]+="$(python3 -c 'import json, sys
steps = [s for s in json.load(open(sys.argv[1]))["steps"] if s["check"] == "lock-trace"]
print(round(steps[0]["duration_ms"]) if steps else 0)' "$work/report.json") "
}
pair() {  # pair ROUND NAME ARGS...: NAME without, then with --lock-trace (reversed every other)
  local round=$1 name=$2
  shift 2
  if ((round % 2 == 0)); then
    run "$name" "$stairway" "$@"
    run "$name-trace" "$stairway" "$@" --lock-trace
  else
    run "$name-trace" "$stairway" "$@" --lock-trace
    run "$name" "$stairway" "$@"
  fi
}

load_start=$(uptime)
run warm "$stairway" # first run: the server's caches
for ((r = 0; r < repeat; r++)); do
  pair "$r" rt
  pair "$r" rt1 --jobs 1
  if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
    run before-trace "$STAIRWAY_BEFORE" --lock-trace
  fi
done
load_end=$(uptime)

line() {  # line LABEL BASE TRACED
  local a b ca cb
  a=$(median "${samples[$2]}")
  b=$(median "${samples[$3]}")
  ca=$(median "${cpu[$2]}")
  cb=$(median "${cpu[$3]}")
  printf '%-40s wall %6d -> %6d ms %sx   CPU %6d -> %6d ms %sx\n' "$1" "$a" "$b" \
    "$(ratio "$b" "$a")" "$ca" "$cb" "$(ratio "$cb" "$ca")"
}
printf 'N=%d revisions, medians of %d interleaved runs, without -> with --lock-trace\n' \
  "$n" "$repeat"
line "verify --roundtrip (two databases)" rt rt-trace
line "verify --roundtrip --jobs 1" rt1 rt1-trace
if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
  line "STAIRWAY_BEFORE --lock-trace vs rt" rt before-trace
fi
for name in rt-trace rt1-trace; do
  printf '%-40s %6d ms in the trace'"'"'s own queries (summed over the databases), %s%% of %s\n' \
    "  $name" "$(median "${reads[$name]}")" \
    "$(awk -v a="$(median "${reads[$name]}")" -v b="$(median "${samples[${name%-trace}]}")" \
      'BEGIN {printf "%.1f", 100 * a / b}')" "${name%-trace}'s wall median"
done
for name in rt rt-trace rt1 rt1-trace ${STAIRWAY_BEFORE:+before-trace}; do
  printf '  %-14s wall %s\n  %-14s CPU  %s\n' "$name" "${samples[$name]}" "" "${cpu[$name]}"
done
echo "load at start: $load_start"
echo "load at end:   $load_end"

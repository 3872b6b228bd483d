#!/usr/bin/env bash
# The Alembic roundtrip benchmark on a generated N-revision project against one throwaway
# cluster (bench/cluster.sh), ratios taken in the same run:
#   (a) the `alembic` CLI spawned per step, up/down/up of each revision (BENCH_CLI=0 skips it:
#       it takes minutes);
#   (b) the floor: one Python process running the same steps through Alembic's API on one
#       connection, no checks (floor.py);
#   (c) `stairway verify --roundtrip --server-url` on the same cluster: the same steps through
#       stairway's helper, plus the full catalog comparison after each step.
# (b) and (c) alternate for ROUNDS rounds (default 3); the medians are compared. The stack is
# what /usr/bin/python3 imports: Debian 12's by default, Alembic 1.13 / SQLAlchemy 2.0 with
# PYTHONPATH from ci/install-alembic-modern.sh.
# STAIRWAY_BEFORE=/path/to/an/older/stairway times that binary's (c) too, in the same rounds.
# BENCH_TRACE=1 also times (d) (c) with --lock-trace (each statement of each revision's first up
# traced on the helper's connection), in the same rounds, and prints (d) / (c).
# Usage: bench/alembic/run.sh [N=100] [ROUNDS=3]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-100}
rounds=${2:-3}
stairway=${STAIRWAY:-$root/build/stairway}

/usr/bin/python3 -c 'import alembic, sqlalchemy
print(f"alembic {alembic.__version__}, sqlalchemy {sqlalchemy.__version__}")'
source "$root/bench/cluster.sh"
start_bench_cluster alembic-bench
project="$work/project"
/usr/bin/python3 "$here/gen_project.py" "$n" "$project" >/dev/null
psql_admin() { "${run_as[@]}" "$bindir/psql" -qX -h "$work" -U bench -d postgres "$@"; }
url() { echo "postgresql+psycopg2://bench@/$1?host=$work"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

if [[ ${BENCH_CLI:-1} != 0 ]]; then
  psql_admin -c "CREATE DATABASE cli"
  "$here/cli_per_step.sh" "$project" "$(url cli)"
fi
floor_ms=()
stairway_ms=()
before_ms=()
trace_ms=()
reads_ms=()
for ((r = 1; r <= rounds; r++)); do
  psql_admin -c "DROP DATABASE IF EXISTS floor" -c "CREATE DATABASE floor"
  start=$(now_ms)
  /usr/bin/python3 "$here/floor.py" "$project" "$(url floor)" >/dev/null
  floor_ms+=($(($(now_ms) - start)))
  start=$(now_ms)
  STAIRWAY_PYTHON=/usr/bin/python3 "$stairway" verify --roundtrip --jobs 1 -d "$project" \
    --server-url "postgresql://bench@/postgres?host=$work" >/dev/null
  stairway_ms+=($(($(now_ms) - start)))
  if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
    start=$(now_ms)
    STAIRWAY_PYTHON=/usr/bin/python3 "$STAIRWAY_BEFORE" verify --roundtrip --jobs 1 -d "$project" \
      --server-url "postgresql://bench@/postgres?host=$work" >/dev/null
    before_ms+=($(($(now_ms) - start)))
  fi
  if [[ ${BENCH_TRACE:-0} != 0 ]]; then
    start=$(now_ms)
    STAIRWAY_PYTHON=/usr/bin/python3 "$stairway" verify --roundtrip --lock-trace --jobs 1 \
      -d "$project" --server-url "postgresql://bench@/postgres?host=$work" \
      --report json -o "$work/trace.json" >/dev/null
    trace_ms+=($(($(now_ms) - start)))
    # The lock-trace step's duration: the trace's own queries (in the helper).
    reads_ms+=($(/usr/bin/python3 -c 'import json, sys
print(round(sum(s["duration_ms"] for s in json.load(open(sys.argv[1]))["steps"]
                if s["check"] == "lock-trace")))' "$work/trace.json"))
  fi
  echo "round $r: floor ${floor_ms[-1]} ms, stairway ${stairway_ms[-1]} ms${before_ms:+, before ${before_ms[-1]} ms}${trace_ms:+, with --lock-trace ${trace_ms[-1]} ms (its queries ${reads_ms[-1]} ms)}"
done
floor=$(printf '%s\n' "${floor_ms[@]}" | median)
ours=$(printf '%s\n' "${stairway_ms[@]}" | median)
awk -v f="$floor" -v s="$ours" -v n="$n" 'BEGIN {
  printf "%d revisions, medians: (b) floor %d ms, (c) stairway verify --roundtrip %d ms: %.2fx the floor\n",
         n, f, s, s / f }'
if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
  before=$(printf '%s\n' "${before_ms[@]}" | median)
  awk -v f="$floor" -v s="$before" 'BEGIN {
    printf "STAIRWAY_BEFORE verify --roundtrip %d ms: %.2fx the floor\n", s, s / f }'
fi
if [[ ${BENCH_TRACE:-0} != 0 ]]; then
  traced=$(printf '%s\n' "${trace_ms[@]}" | median)
  reads=$(printf '%s\n' "${reads_ms[@]}" | median)
  awk -v s="$ours" -v t="$traced" -v q="$reads" 'BEGIN {
    printf "(d) verify --roundtrip --lock-trace %d ms: %.2fx (c); the trace'"'"'s queries %d ms\n",
           t, t / s, q }'
fi

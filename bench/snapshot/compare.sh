#!/usr/bin/env bash
# Snapshot benchmark (issue 3). On one private cluster, a generated schema of N tables (primary
# key, unique, check, foreign key, secondary index each; see generate.sh), then in the same run,
# alternating, REPEAT times each:
#   pg_dump              pg_dump --schema-only of the database (the baseline)
#   stairway snapshot    `stairway snapshot URL` end to end: process start, connect (a cold
#                        backend), every catalog query, JSON on stdout
#   stairway diff        `stairway diff URL URL`: two snapshots and the comparison
# Prints the median of each and the ratios to pg_dump. The in-process figures (warm session,
# as verify --roundtrip uses it) come from build/bench/snapshot_bench.
# With STAIRWAY_BEFORE=/path/to/an/older/stairway, its `snapshot` is timed in the same loop too
# (before/after figures from one run).
# Usage: bench/snapshot/compare.sh [N=1000] [REPEAT=7]     (needs build/stairway)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-1000}
repeat=${2:-7}
stairway=${STAIRWAY:-$root/build/stairway}
source "$root/bench/cluster.sh"
start_bench_cluster stairway-snapbench
"$bindir/psql" -X -q -h "$work" -U bench -d postgres -c "CREATE DATABASE snap" >/dev/null
"$root/bench/snapshot/generate.sh" "$n" |
  "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -1 -h "$work" -U bench -d snap -f - >/dev/null
"$bindir/psql" -X -q -h "$work" -U bench -d snap -c "VACUUM ANALYZE" >/dev/null
url="postgresql:///snap?host=$work&user=bench"

declare -A samples
time_cmd() {
  local name=$1
  shift
  local start end
  start=$(now_ms)
  "$@" >"$work/out" 2>"$work/err" || {
    cat "$work/err" >&2
    exit 1
  }
  end=$(now_ms)
  samples[$name]+="$((end - start)) "
}

for ((r = 0; r < repeat; r++)); do
  time_cmd pg_dump "$bindir/pg_dump" --schema-only -h "$work" -U bench snap
  time_cmd snapshot "$stairway" snapshot --database-url "$url"
  time_cmd diff "$stairway" diff "$url" "$url"
  if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
    time_cmd before "$STAIRWAY_BEFORE" snapshot --database-url "$url"
    time_cmd before_diff "$STAIRWAY_BEFORE" diff "$url" "$url"
  fi
done
objects=$("$stairway" snapshot --database-url "$url" | grep -c '"kind"')

dump=$(median "${samples[pg_dump]}")
snap=$(median "${samples[snapshot]}")
diff=$(median "${samples[diff]}")
printf 'N=%d tables (%d snapshot objects), median of %d runs (ms), load %s\n' "$n" "$objects" \
  "$repeat" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-36s %8d\n' "pg_dump --schema-only (baseline)" "$dump"
printf '%-36s %8d   %sx pg_dump\n' "stairway snapshot (end to end)" "$snap" "$(ratio "$snap" "$dump")"
printf '%-36s %8d   %sx pg_dump\n' "stairway diff URL URL (2 snapshots)" "$diff" "$(ratio "$diff" "$dump")"
if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
  before=$(median "${samples[before]}")
  before_diff=$(median "${samples[before_diff]}")
  printf '%-36s %8d   %sx pg_dump\n' "before: snapshot (end to end)" "$before" "$(ratio "$before" "$dump")"
  printf '%-36s %8d   %sx pg_dump\n' "before: diff URL URL" "$before_diff" "$(ratio "$before_diff" "$dump")"
fi

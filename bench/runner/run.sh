#!/usr/bin/env bash
# Runner benchmark (issue: apply/track core). In one run, on one private cluster:
#   floor-upgrade   psql applies N generated ups, one transaction each
#   upgrade         stairway upgrade head of the same N revisions
#   floor-roundtrip psql runs up, down, up of each revision, one transaction each
#   roundtrip       stairway verify --roundtrip of the same directory (--server-url: same cluster;
#                   the change watch re-reads only what each step touched; two databases at once)
#   roundtrip-1db   the same with --jobs 1 (one database)
#   roundtrip-full  the same with --full-snapshots (the whole catalog after every step)
#   cold-verify     stairway verify --roundtrip migrations/ including its own cluster start
#                   (initdb: the template cache off)
#   cached-verify   the same with the template cache warm (docs/sandbox.md)
# Prints the median of REPEAT runs of each and the ratios to the floors.
# Usage: bench/runner/run.sh [N=200] [REPEAT=3]    (needs build/stairway)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-200}
repeat=${2:-3}
stairway=${STAIRWAY:-$root/build/stairway}
source "$root/bench/cluster.sh"
start_bench_cluster stairway-bench
"$root/bench/runner/gen_revisions.sh" "$n" "$work/revs"
chmod -R a+rX "$work"

url() { echo "postgresql:///$1?host=$work&user=bench"; }
psql_db() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d "$@"; }
# Called in a subshell, so names come from a counter file rather than a variable.
echo 0 >"$work/db_seq"
fresh_db() {
  local seq=$(($(cat "$work/db_seq") + 1))
  echo "$seq" >"$work/db_seq"
  psql_db postgres -c "CREATE DATABASE b$seq" >/dev/null
  echo "b$seq"
}
# time_cmd NAME CMD...: runs CMD on a fresh database (its name replaces @DB@), records ms.
declare -A samples
time_cmd() {
  local name=$1
  shift
  local db
  db=$(fresh_db)
  local args=("${@//@DB@/$db}")
  local start end
  start=$(now_ms)
  "${args[@]}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  end=$(now_ms)
  samples[$name]+="$((end - start)) "
}

# A first start with an empty cache notes the server, the second saves the template.
for _ in 1 2; do
  STAIRWAY_CACHE_DIR="$work/cache" "$stairway" verify --roundtrip "$root/migrations" >/dev/null 2>&1
done
for ((r = 0; r < repeat; r++)); do
  time_cmd floor-upgrade "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d @DB@ \
    -f "$work/revs.floor-upgrade.sql"
  time_cmd upgrade "$stairway" upgrade head -d "$work/revs" --database-url "$(url @DB@)"
  time_cmd floor-roundtrip "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d @DB@ \
    -f "$work/revs.floor-roundtrip.sql"
  time_cmd roundtrip "$stairway" verify --roundtrip "$work/revs" --server-url "$(url postgres)"
  time_cmd roundtrip-1db "$stairway" verify --roundtrip --jobs 1 "$work/revs" \
    --server-url "$(url postgres)"
  time_cmd roundtrip-full "$stairway" verify --roundtrip --full-snapshots "$work/revs" \
    --server-url "$(url postgres)"
  time_cmd cold-verify env STAIRWAY_CACHE_DIR= "$stairway" verify --roundtrip "$root/migrations"
  time_cmd cached-verify env STAIRWAY_CACHE_DIR="$work/cache" "$stairway" verify --roundtrip \
    "$root/migrations"
done

fu=$(median "${samples[floor-upgrade]}")
up=$(median "${samples[upgrade]}")
fr=$(median "${samples[floor-roundtrip]}")
rt=$(median "${samples[roundtrip]}")
rt1=$(median "${samples[roundtrip-1db]}")
rtf=$(median "${samples[roundtrip-full]}")
cold=$(median "${samples[cold-verify]}")
cached=$(median "${samples[cached-verify]}")
printf 'N=%d revisions, median of %d runs (ms)\n' "$n" "$repeat"
printf '%-34s %8d\n' "psql: every up (floor)" "$fu"
printf '%-34s %8d   %sx floor\n' "stairway upgrade head" "$up" "$(ratio "$up" "$fu")"
printf '%-34s %8d\n' "psql: up, down, up (floor)" "$fr"
printf '%-34s %8d   %sx floor\n' "stairway verify --roundtrip" "$rt" "$(ratio "$rt" "$fr")"
printf '%-34s %8d   %sx floor\n' "  ... --jobs 1 (one database)" "$rt1" "$(ratio "$rt1" "$fr")"
printf '%-34s %8d   %sx floor\n' "  ... --full-snapshots" "$rtf" "$(ratio "$rtf" "$fr")"
printf '%-34s %8d   (8 revisions, cluster start with initdb)\n' "cold verify of migrations/" "$cold"
printf '%-34s %8d   (the same, cluster from the template cache)\n' "  ... template cache warm" \
  "$cached"

#!/usr/bin/env bash
# Runner benchmark (issue: apply/track core). In one run, on one private cluster:
#   floor-upgrade   psql applies N generated ups, one transaction each
#   upgrade         stairway upgrade head of the same N revisions
#   floor-roundtrip psql runs up, down, up of each revision, one transaction each
#   roundtrip       stairway verify --roundtrip of the same directory (--server-url: same cluster)
#   cold-verify     stairway verify --roundtrip migrations/ including its own cluster start
# Prints the median of REPEAT runs of each and the ratios to the floors.
# Usage: bench/runner/run.sh [N=200] [REPEAT=3]    (needs build/stairway)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-200}
repeat=${2:-3}
stairway=${STAIRWAY:-$root/build/stairway}
bindir=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
work=$(mktemp -d /tmp/stairway-bench-XXXXXX)
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  chown postgres "$work"
  run_as=(runuser -u postgres --)
fi
cleanup() {
  "${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${run_as[@]}" "$bindir/initdb" --no-sync -A trust -U bench -D "$work/data" >/dev/null
"${run_as[@]}" "$bindir/pg_ctl" -D "$work/data" -l "$work/log" -w \
  -o "-c listen_addresses='' -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
"$root/bench/runner/gen_revisions.sh" "$n" "$work/revs"
chmod -R a+rX "$work"

url() { echo "postgresql:///$1?host=$work&user=bench"; }
psql_db() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d "$@"; }
now_ms() { date +%s%3N; }
db_seq=0
fresh_db() {
  db_seq=$((db_seq + 1))
  psql_db postgres -c "CREATE DATABASE b$db_seq" >/dev/null
  echo "b$db_seq"
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
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
median() { tr ' ' '\n' <<<"$1" | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for ((r = 0; r < repeat; r++)); do
  time_cmd floor-upgrade "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d @DB@ \
    -f "$work/revs.floor-upgrade.sql"
  time_cmd upgrade "$stairway" upgrade head -d "$work/revs" --database-url "$(url @DB@)"
  time_cmd floor-roundtrip "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d @DB@ \
    -f "$work/revs.floor-roundtrip.sql"
  time_cmd roundtrip "$stairway" verify --roundtrip "$work/revs" --server-url "$(url postgres)"
  time_cmd cold-verify "$stairway" verify --roundtrip "$root/migrations"
done

fu=$(median "${samples[floor-upgrade]}")
up=$(median "${samples[upgrade]}")
fr=$(median "${samples[floor-roundtrip]}")
rt=$(median "${samples[roundtrip]}")
cold=$(median "${samples[cold-verify]}")
printf 'N=%d revisions, median of %d runs (ms)\n' "$n" "$repeat"
printf '%-34s %8d\n' "psql: every up (floor)" "$fu"
printf '%-34s %8d   %sx floor\n' "stairway upgrade head" "$up" "$(ratio "$up" "$fu")"
printf '%-34s %8d\n' "psql: up, down, up (floor)" "$fr"
printf '%-34s %8d   %sx floor\n' "stairway verify --roundtrip" "$rt" "$(ratio "$rt" "$fr")"
printf '%-34s %8d   (8 revisions, cluster start included)\n' "cold verify of migrations/" "$cold"

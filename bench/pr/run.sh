#!/usr/bin/env bash
# PR gate benchmark (issue 16, Performance): in one run, on one private cluster, a generated
# history of N revisions in a git repository whose feature branch adds the last CHANGED of them:
#   upgrade        stairway upgrade head of the whole history on an empty database
#   createdb+up    the same with the CREATE DATABASE inside the clock (verify makes its own)
#   verify-base    stairway verify --base main (every check: PR checks, lint, roundtrip of the
#                  changed revisions, the others applied up only) on a temporary database of the
#                  same server (--server-url)
#   verify-rt      the same with --roundtrip only (no lint)
#   pr-only        --base with --lint (PR checks and lint, no database)
# Prints the median of REPEAT runs of each and verify-base / upgrade (the aim: at most 1.3).
# STAIRWAY_BEFORE=/path/to/an/older/stairway also times that binary's verify --base (every
# check, and --roundtrip only) in the same loop, for before/after figures from one run.
# Usage: bench/pr/run.sh [N=200] [CHANGED=2] [REPEAT=5]    (needs build/stairway)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
n=${1:-200}
changed=${2:-2}
repeat=${3:-5}
stairway=${STAIRWAY:-$root/build/stairway}
source "$root/bench/cluster.sh"
start_bench_cluster stairway-pr-bench
repo="$work/repo"
mkdir -p "$repo"
"$root/bench/runner/gen_revisions.sh" "$n" "$repo/migrations"
rm -f "$repo/migrations".floor-*.sql
git_() { git -C "$repo" -c user.email=bench@example.com -c user.name=bench "$@"; }
git_ init -q -b main .
# main has every revision but the last CHANGED; the feature branch adds them.
mapfile -t files < <(cd "$repo" && ls migrations/*.sql | sort)
git_ add -- "${files[@]:0:$((n - changed))}"
git_ commit -qm base
git_ checkout -qb feature
git_ add -A .
git_ commit -qm feature
chmod -R a+rX "$work"

url() { echo "postgresql:///$1?host=$work&user=bench"; }
psql_db() { "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$work" -U bench -d "$@"; }
seq_no=0
declare -A samples
# time_cmd NAME CMD...: records the wall time of CMD in ms; @DB@ becomes a new empty database
# (made before the clock starts). Each command starts on a server with no dirty buffers: the
# CHECKPOINT (outside the clock) flushes what the command before wrote. Without it, a command
# whose CREATE DATABASE ... STRATEGY file_copy follows one that applied the whole history paid
# for flushing that history (its checkpoint: 60-90 ms), and which command that was depended on
# the order of this loop. BENCH_NO_CHECKPOINT=1 leaves it out (the figures before session 14).
time_cmd() {
  local name=$1
  shift
  seq_no=$((seq_no + 1))
  psql_db postgres -c "CREATE DATABASE b$seq_no" >/dev/null
  [[ -n ${BENCH_NO_CHECKPOINT:-} ]] || psql_db postgres -c "CHECKPOINT" >/dev/null
  local args=("${@//@DB@/b$seq_no}")
  local start end
  start=$(now_ms)
  "${args[@]}" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  end=$(now_ms)
  samples[$name]+="$((end - start)) "
}

createdb_upgrade() {
  psql_db postgres -c "CREATE DATABASE $1" >/dev/null
  "$stairway" upgrade head -d migrations --database-url "$(url "$1")"
}

# From the repository, so no stairway.toml of the caller's directory is read.
cd "$repo"
for ((r = 0; r < repeat; r++)); do
  time_cmd upgrade "$stairway" upgrade head -d migrations --database-url "$(url @DB@)"
  time_cmd createdb-upgrade createdb_upgrade "c$r"
  time_cmd verify-base "$stairway" verify migrations --base main --fail-level none \
    --server-url "$(url postgres)"
  time_cmd verify-rt "$stairway" verify --roundtrip migrations --base main \
    --server-url "$(url postgres)"
  time_cmd pr-only "$stairway" verify --lint migrations --base main --fail-level none
  if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
    time_cmd before-base "$STAIRWAY_BEFORE" verify migrations --base main --fail-level none \
      --server-url "$(url postgres)"
    time_cmd before-rt "$STAIRWAY_BEFORE" verify --roundtrip migrations --base main \
      --server-url "$(url postgres)"
  fi
done

up=$(median "${samples[upgrade]}")
cu=$(median "${samples[createdb-upgrade]}")
vb=$(median "${samples[verify-base]}")
vr=$(median "${samples[verify-rt]}")
pr=$(median "${samples[pr-only]}")
printf 'N=%d revisions, %d added on the branch, median of %d runs (ms)\n' "$n" "$changed" "$repeat"
printf '%-44s %8d\n' "stairway upgrade head (empty database)" "$up"
printf '%-44s %8d\n' "  ... CREATE DATABASE included" "$cu"
printf '%-44s %8d   %sx upgrade, %sx with CREATE DATABASE\n' \
  "stairway verify --base main (every check)" "$vb" "$(ratio "$vb" "$up")" "$(ratio "$vb" "$cu")"
printf '%-44s %8d   %sx upgrade\n' "  ... --roundtrip only" "$vr" "$(ratio "$vr" "$up")"
printf '%-44s %8d   (PR checks and lint, no database)\n' "  ... --lint only" "$pr"
if [[ -n ${STAIRWAY_BEFORE:-} ]]; then
  bb=$(median "${samples[before-base]}")
  br=$(median "${samples[before-rt]}")
  printf '%-44s %8d   %sx upgrade\n' "STAIRWAY_BEFORE verify --base main" "$bb" "$(ratio "$bb" "$up")"
  printf '%-44s %8d   %sx upgrade\n' "  ... --roundtrip only" "$br" "$(ratio "$br" "$up")"
fi

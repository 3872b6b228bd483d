#!/usr/bin/env bash
# Alembic lint benchmark: `stairway lint` on a generated N-revision project against its floor,
# in the same run:
#   (b) render_floor.py: Python start + import alembic/sqlalchemy + every revision rendered
#       offline, up and down (no lint);
#   (c) `stairway lint` on the project: the helper renders every revision statement by
#       statement with the call's line, then the linter runs on the result.
# (b) and (c) alternate for ROUNDS rounds (default 5); the medians and their ratio are printed.
# No database is involved. The stack is what /usr/bin/python3 imports (PYTHONPATH from
# ci/install-alembic-modern.sh for Alembic 1.13 / SQLAlchemy 2.0).
# Usage: bench/alembic/lint.sh [N=100] [ROUNDS=5]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-100}
rounds=${2:-5}
stairway=${STAIRWAY:-$root/build/stairway}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
project="$work/project"
/usr/bin/python3 "$here/gen_project.py" "$n" "$project" >/dev/null
/usr/bin/python3 -c 'import alembic, sqlalchemy
print(f"alembic {alembic.__version__}, sqlalchemy {sqlalchemy.__version__}")'
now_ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
floor_ms=()
lint_ms=()
for ((r = 1; r <= rounds; r++)); do
  start=$(now_ms)
  /usr/bin/python3 -B "$here/render_floor.py" "$project" >/dev/null
  floor_ms+=($(($(now_ms) - start)))
  start=$(now_ms)
  # Findings exit 1: the run is what is measured, not its verdict.
  (cd "$project" && STAIRWAY_PYTHON=/usr/bin/python3 "$stairway" lint --report json \
    >"$work/lint.json") || [[ $? == 1 ]]
  lint_ms+=($(($(now_ms) - start)))
done
floor=$(printf '%s\n' "${floor_ms[@]}" | median)
lint=$(printf '%s\n' "${lint_ms[@]}" | median)
findings=$(grep -c '"rule":' "$work/lint.json" || true)
echo "revisions: $n, findings: $findings"
echo "(b) render floor: ${floor} ms (rounds: ${floor_ms[*]})"
echo "(c) stairway lint: ${lint} ms (rounds: ${lint_ms[*]})"
awk -v c="$lint" -v b="$floor" 'BEGIN { printf "(c)/(b) = %.2f (aim: at most 2)\n", c / b }'

#!/usr/bin/env bash
# Benchmark (a): the `alembic` CLI spawned per step, as a shell script or a test without
# connection injection drives it: `upgrade +1`, `downgrade -1`, `upgrade +1` for each revision.
# Usage: cli_per_step.sh PROJECT URL    (URL: SQLAlchemy URL of an empty database, given to the
# project's env.py as DATABASE_URL). $ALEMBIC is the CLI (default: `alembic` on PATH); Debian's
# /usr/bin/alembic runs the stack /usr/bin/python3 imports, so PYTHONPATH picks 1.8 or 1.13.
set -euo pipefail
project=${1:?usage: cli_per_step.sh PROJECT URL}
url=${2:?usage: cli_per_step.sh PROJECT URL}
alembic=${ALEMBIC:-alembic}

n=$(find "$project/alembic/versions" -maxdepth 1 -name '*.py' | wc -l)
cd "$project"
export DATABASE_URL=$url
start=$(date +%s%N)
for ((i = 0; i < n; i++)); do
  "$alembic" -c alembic.ini upgrade +1
  "$alembic" -c alembic.ini downgrade -1
  "$alembic" -c alembic.ini upgrade +1
done
end=$(date +%s%N)
ms=$(((end - start) / 1000000))
echo "cli per step: $n revisions, $((3 * n)) steps, total $ms ms ($((ms / (3 * n))) ms/step)"

#!/usr/bin/env bash
# Runs the Alembic benchmarks (a) and (b) on a generated N-revision project against a throwaway
# cluster (bench/cluster.sh). The stack is what /usr/bin/python3 imports: Debian 12's by default,
# Alembic 1.13 / SQLAlchemy 2.0 with PYTHONPATH from ci/install-alembic-modern.sh.
# Usage: bench/alembic/run.sh [N=100]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
n=${1:-100}

/usr/bin/python3 -c 'import alembic, sqlalchemy
print(f"alembic {alembic.__version__}, sqlalchemy {sqlalchemy.__version__}")'
source "$root/bench/cluster.sh"
start_bench_cluster alembic-bench
project="$work/project"
/usr/bin/python3 "$here/gen_project.py" "$n" "$project" >/dev/null
for db in cli floor; do
  "${run_as[@]}" "$bindir/psql" -qX -h "$work" -U bench -d postgres -c "CREATE DATABASE $db"
done
url() { echo "postgresql+psycopg2://bench@/$1?host=$work"; }

"$here/cli_per_step.sh" "$project" "$(url cli)"
/usr/bin/python3 "$here/floor.py" "$project" "$(url floor)"

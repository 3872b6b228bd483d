#!/usr/bin/env bash
# Checks examples/alembic with the real `alembic` CLI on a throwaway cluster (bench/cluster.sh):
# every revision up, down, up, then head -> base -> head (roundtrip_with_alembic.py).
# Usage: examples/alembic/check.sh   Debian 12's Alembic; with PYTHONPATH from
# ci/install-alembic-modern.sh, Alembic 1.13 / SQLAlchemy 2.0.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
source "$root/bench/cluster.sh"
start_bench_cluster alembic-example
"${run_as[@]}" "$bindir/psql" -qX -h "$work" -U bench -d postgres -c "CREATE DATABASE chat"
/usr/bin/python3 -c 'import alembic, sqlalchemy
print(f"alembic {alembic.__version__}, sqlalchemy {sqlalchemy.__version__}")'
DATABASE_URL="postgresql+asyncpg://bench@/chat?host=$work" \
  /usr/bin/python3 "$root/examples/alembic/roundtrip_with_alembic.py" "$root/examples/alembic/backend"

#!/usr/bin/env bash
# The SQLAlchemy drift recipe of docs/drift.md, as CI runs it: the committed model DDL must be
# what print_ddl.py prints today, and it must match migrations/ at head (stairway drift exit 0).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${STAIRWAY_BUILD_DIR:-build}
stairway=${STAIRWAY:-$build_dir/stairway}
python=/usr/bin/python3

if ! "$python" -c 'import sqlalchemy' 2>/dev/null; then
  echo "installing python3-sqlalchemy (Debian package)" >&2
  apt-get install -y --no-install-recommends python3-sqlalchemy >/dev/null
fi
if [[ ! -x $stairway ]]; then
  echo "error: $stairway not found; run ci/build.sh first or set STAIRWAY=path/to/stairway" >&2
  exit 2
fi

generated=$(mktemp --suffix=.sql)
trap 'rm -f "$generated"' EXIT
"$python" examples/sqlalchemy/print_ddl.py examples/sqlalchemy/model.py >"$generated"
if ! diff -u examples/sqlalchemy/model.sql "$generated"; then
  echo "error: examples/sqlalchemy/model.sql is stale; regenerate it with" >&2
  echo "  $python examples/sqlalchemy/print_ddl.py examples/sqlalchemy/model.py > examples/sqlalchemy/model.sql" >&2
  exit 1
fi
"$stairway" drift --model "$generated" migrations
echo "drift recipe: model.py, model.sql and migrations/ agree"

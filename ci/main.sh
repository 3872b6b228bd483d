#!/usr/bin/env bash
# Quick start, command 1: install, build, and run the main job on the bundled migrations/:
# roundtrip (with full catalog snapshots) + lint + drift against the SQLAlchemy model, on a
# private throwaway PostgreSQL cluster that stairway starts and removes itself; then the same
# backend kept as an Alembic project (examples/alembic/backend), verified from its directory.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
build_dir=${STAIRWAY_BUILD_DIR:-build}
"$build_dir/stairway" verify migrations/
# The same backend as an Alembic project, verified as its team would: from backend/, no
# arguments (the project's Python runs each revision up, down, up on the throwaway cluster).
stairway=$(realpath "$build_dir/stairway")
(cd examples/alembic/backend && "$stairway" verify)
# The documented SQLAlchemy recipe stays true: the model's DDL matches migrations/ at head.
STAIRWAY_BUILD_DIR="$build_dir" ci/drift-recipe.sh

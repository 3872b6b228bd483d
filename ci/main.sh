#!/usr/bin/env bash
# Quick start, command 1: install, build, and run the main job on the bundled migrations:
# roundtrip + lint + drift on a private throwaway PostgreSQL cluster that stairway starts itself.
set -euo pipefail
cd "$(dirname "$0")/.."
ci/build.sh
build_dir=${STAIRWAY_BUILD_DIR:-build}
"$build_dir/stairway" verify --roundtrip migrations/

#!/usr/bin/env bash
# clang-tidy as .clang-tidy configures it, over every stairway source file (runner/, verifier/,
# cli/) in the build's compile_commands.json. Fails when clang-tidy reports an error: a check
# that .clang-tidy lists under WarningsAsErrors, or code it cannot compile. Warnings of the other
# checks are printed. Usage: ci/tidy.sh [BUILD_DIR=build] (run ci/build.sh first).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-${STAIRWAY_BUILD_DIR:-build}}
if [[ ! -f $build_dir/compile_commands.json ]]; then
  echo "error: $build_dir/compile_commands.json not found; run ci/build.sh first" >&2
  exit 2
fi
if ! command -v run-clang-tidy >/dev/null 2>&1; then
  echo "error: run-clang-tidy not found; install the clang-tidy package (ci/install-deps.sh)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files 'runner/*.cpp' 'verifier/*.cpp' 'cli/*.cpp')
# run-clang-tidy takes regexes: the files' absolute paths, anchored.
patterns=()
for f in "${files[@]}"; do patterns+=("^$PWD/${f//./\\.}\$"); done
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
run-clang-tidy -quiet -p "$build_dir" -j "$(nproc)" "${patterns[@]}" >"$log" 2>&1 || status=$?
grep -v -E '^(clang-tidy|Running clang-tidy|[0-9]+ warnings? (and [0-9]+ errors? )?generated|Suppressed [0-9]+ warnings|Use -header-filter)' "$log" || true
echo "clang-tidy: ${#files[@]} files checked (.clang-tidy), exit $status"
exit "$status"

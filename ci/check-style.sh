#!/usr/bin/env bash
# Fails when a C++ file is not clang-formatted (.clang-format at the root).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.h')
if ((${#files[@]})); then
  clang-format --dry-run -Werror "${files[@]}"
fi
echo "check-style: ${#files[@]} files formatted"

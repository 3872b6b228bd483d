#!/usr/bin/env bash
# Builds the linter's libFuzzer target with clang + ASan/UBSan and runs it briefly on the lint
# fixtures: no crash and no leak on arbitrary input. Usage: ci/fuzz.sh [SECONDS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
ci/install-deps.sh
fuzz/run.sh "${1:-30}"

#!/usr/bin/env bash
# Builds the stairway binary for the GitHub Action when no prebuilt one is given: installs the
# build and run dependencies from Debian 12 packages (the job runs in a debian:12 container, see
# docs/ci.md) and builds only the `stairway` target, without tests and benchmarks.
#   STAIRWAY_BUILD_DIR  where to build (default: $RUNNER_TEMP/stairway-build, else ./build-action)
# Prints the binary's path, and writes it to $GITHUB_OUTPUT as `stairway=` when that is set.
set -euo pipefail
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${STAIRWAY_BUILD_DIR:-${RUNNER_TEMP:-$source_dir}/stairway-build}

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libpqxx-dev libpq-dev libpg-query-dev postgresql-server-dev-15 libcli11-dev nlohmann-json3-dev
  libfmt-dev libtomlplusplus-dev libssl-dev
  # verify starts a throwaway cluster (any installed server major version works).
  postgresql-15
  # Alembic projects run their revisions in their own Python; python3 is the fallback.
  python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} > 0)); then
  sudo=()
  if [[ $(id -u) -ne 0 ]]; then sudo=(sudo); fi
  echo "stairway: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  "${sudo[@]}" apt-get update -qq
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S "$source_dir" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DSTAIRWAY_BUILD_TESTS=OFF -DSTAIRWAY_BUILD_BENCH=OFF >/dev/null
ninja -C "$build_dir" stairway >&2
echo "$build_dir/stairway"
if [[ -n ${GITHUB_OUTPUT:-} ]]; then echo "stairway=$build_dir/stairway" >>"$GITHUB_OUTPUT"; fi

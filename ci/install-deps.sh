#!/usr/bin/env bash
# Installs everything stairway needs to build and test, from Debian 12 packages.
# Idempotent: a second run with everything present takes a second.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libpqxx-dev libpq-dev libpg-query-dev postgresql-server-dev-15 libcli11-dev nlohmann-json3-dev libfmt-dev
  libtomlplusplus-dev libssl-dev
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 postgresql-client-15
  clang-format clang-tidy
  clang libclang-rt-14-dev
  python3 python3-sqlalchemy
  python3-jsonschema python3-rfc3987 python3-lxml python3-yaml pre-commit
  python3-alembic python3-psycopg2 python3-asyncpg alembic
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi
echo "ci/install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system cluster on port 5432; stairway never needs it.
if command -v pg_lsclusters >/dev/null 2>&1; then
  $sudo pg_ctlcluster 15 main stop 2>/dev/null || true
fi

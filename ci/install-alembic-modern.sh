#!/usr/bin/env bash
# Puts Alembic 1.13 + SQLAlchemy 2.0 (Debian 13 "trixie" packages) into one folder, next to
# Debian 12's system Python, so the Alembic tests also run against the stack most users have.
# Usage: ci/install-alembic-modern.sh [DIR]   (default /opt/stairway-alembic-modern)
#        DEBIAN_MIRROR=http://mirror.example/debian to use another mirror than deb.debian.org.
# Prints the PYTHONPATH to use with /usr/bin/python3. Idempotent: a second run only checks.
#
# The packages are fetched with `apt-get download` through a private apt configuration whose
# only source is trixie: the system's sources, lists and cache are left untouched and nothing
# is installed into the system. Only pure-Python packages come from trixie; the compiled ones
# (greenlet, markupsafe, psycopg2, asyncpg) stay Debian 12's.
set -euo pipefail

dir=${1:-/opt/stairway-alembic-modern}
site="$dir/usr/lib/python3/dist-packages"
python=/usr/bin/python3
want_alembic=1.13.
want_sqlalchemy=2.0.
from_trixie=(python3-alembic python3-sqlalchemy python3-mako python3-typing-extensions)
# What the trixie packages need at runtime that Debian 12 builds for its own Python.
from_bookworm=(python3 python3-greenlet python3-markupsafe python3-psycopg2 python3-asyncpg)

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

versions() {
  PYTHONPATH="$site" "$python" -c \
    'import alembic, sqlalchemy, greenlet; print(alembic.__version__, sqlalchemy.__version__)' \
    2>/dev/null
}

if [[ $(versions) == "$want_alembic"*" $want_sqlalchemy"* ]]; then
  echo "PYTHONPATH=$site"
  exit 0
fi

# Replaced whole, but only when it is one of ours (or empty): never wipe an unrelated folder.
if [[ -d $dir && -n $(ls -A "$dir") && ! -d $site ]]; then
  echo "ci/install-alembic-modern.sh: $dir exists and is not an earlier install; choose another" \
    "folder or remove it" >&2
  exit 2
fi

missing=()
for p in "${from_bookworm[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian 12's keyring carries the trixie keys from 2023.3+deb12u2 on.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [[ ! -e /usr/share/keyrings/debian-archive-trixie-stable.gpg ]]; then
  missing+=(debian-archive-keyring)
fi
if ((${#missing[@]} > 0)); then
  echo "ci/install-alembic-modern.sh: installing ${missing[*]} (Debian 12)" >&2
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# apt fetches as user _apt when run as root: it must be able to enter the folder.
chmod 755 "$scratch"
mkdir -p "$scratch"/{lists/partial,cache/archives/partial,sources.list.d,preferences.d,debs}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
echo "deb [signed-by=$keyring] $mirror trixie main" >"$scratch/sources.list"
: >"$scratch/preferences"
apt_private=(
  -o "Dir::Etc::SourceList=$scratch/sources.list"
  -o "Dir::Etc::SourceParts=$scratch/sources.list.d"
  -o "Dir::Etc::Preferences=$scratch/preferences"
  -o "Dir::Etc::PreferencesParts=$scratch/preferences.d"
  -o "Dir::State::Lists=$scratch/lists"
  -o "Dir::Cache=$scratch/cache"
)
echo "ci/install-alembic-modern.sh: fetching ${from_trixie[*]} from trixie into $dir" >&2
apt-get "${apt_private[@]}" -qq update
(cd "$scratch/debs" && chmod 777 . &&
  apt-get "${apt_private[@]}" -qq download "${from_trixie[@]/%//trixie}" >/dev/null)

# sudo only when the folder's parent is not ours (the default under /opt).
parent=$(dirname "$dir")
mkdir_sudo=$sudo
if [[ -w $parent ]]; then mkdir_sudo=""; fi
$mkdir_sudo rm -rf "$dir"
$mkdir_sudo mkdir -p "$dir"
for deb in "$scratch"/debs/*.deb; do
  $mkdir_sudo dpkg -x "$deb" "$dir"
done
# Byte-compiled once here, so later runs (as any user) do not recompile on every start.
$mkdir_sudo "$python" -m compileall -q "$site" >/dev/null || true

got=$(versions) || true
if [[ $got != "$want_alembic"*" $want_sqlalchemy"* ]]; then
  echo "ci/install-alembic-modern.sh: $dir imports '${got:-nothing}', expected" \
    "alembic ${want_alembic}x and sqlalchemy ${want_sqlalchemy}x" >&2
  exit 1
fi
echo "PYTHONPATH=$site"

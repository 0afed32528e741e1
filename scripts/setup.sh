#!/usr/bin/env bash
# Installs what Strike Atlas needs on a fresh Debian machine: Python packages in .venv, and with
# --test the Debian packages the test suite uses (Chromium for the browser test, PostgreSQL+PostGIS).
set -euo pipefail
cd "$(dirname "$0")/.."

want_test=0
[ "${1:-}" = "--test" ] && want_test=1

debs=()
if [ "$want_test" = 1 ]; then
  command -v chromium >/dev/null 2>&1 || debs+=(chromium)
  [ -e /usr/share/postgresql/15/extension/postgis.control ] || debs+=(postgresql-15 postgresql-15-postgis-3)
fi
python3 -c 'import venv, ensurepip' 2>/dev/null || debs+=(python3-venv)

if [ "${#debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${debs[*]}"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${debs[@]}" >/dev/null
  else
    echo "setup: please install these Debian packages first: sudo apt-get install ${debs[*]}" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv"
  python3 -m venv .venv
fi
if ! cmp -s requirements.txt .venv/.requirements.installed; then
  echo "setup: installing Python packages from requirements.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.txt
  cp requirements.txt .venv/.requirements.installed
fi
if [ "$want_test" = 1 ] && ! cmp -s requirements-dev.txt .venv/.requirements-dev.installed; then
  echo "setup: installing the checkers from requirements-dev.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements-dev.txt
  cp requirements-dev.txt .venv/.requirements-dev.installed
fi

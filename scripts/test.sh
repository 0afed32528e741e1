#!/usr/bin/env bash
# Sets up and runs the whole test suite (unit, store on SQLite and PostGIS, app, browser).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
exec .venv/bin/python -m pytest -q -ra "$@"

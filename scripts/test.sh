#!/usr/bin/env bash
# Sets up and runs every check: ruff (lint), mypy (types of geo/), then the whole test suite
# (unit, store on SQLite and PostGIS, app, browser). Any failing check fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
echo "checks: ruff"
.venv/bin/ruff check .
echo "checks: mypy"
.venv/bin/mypy
exec .venv/bin/python -m pytest -q -ra "$@"

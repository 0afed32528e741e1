#!/usr/bin/env bash
# Sets up and starts the dashboard on the bundled incidents: http://localhost:8501
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run app.py "$@"

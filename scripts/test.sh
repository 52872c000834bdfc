#!/usr/bin/env bash
# The test command: install what the tests need (where missing), then lint, type-check and run
# the whole suite. The suite itself starts InfluxDB, Mosquitto, PostgreSQL, the app and Chromium
# on 127.0.0.1 with temporary data directories and stops them at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "==> ruff"
ruff check .
echo "==> mypy"
mypy
echo "==> import contracts"
lint-imports
echo "==> pytest"
pytest "$@"

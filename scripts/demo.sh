#!/usr/bin/env bash
# Run the whole chain on embedded defaults (no external service): a demo cooperative in Vĩnh Phúc.
# Usage: scripts/demo.sh [farm demo options, e.g. --port 8080]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup-env.sh --runtime
exec .venv/bin/farm demo "$@"

#!/bin/sh
# The long reliability run (about 15 minutes on 2 cores with the defaults below); results go to
# bench-results/ and are summarised in docs/reliability.md. Loopback only.
#   bench/reliability.sh            # chaos 200 nodes, fuzz, load (shortened), API conformance
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=bench-results
mkdir -p "$OUT"
$PY bench/chaos_run.py --nodes 200 --duration 300 --kills 20 --outage 120 --json "$OUT/chaos.json" || echo "chaos: findings"
$PY bench/fuzz_run.py --runs "${FUZZ_RUNS:-1000000}" | tee "$OUT/fuzz.txt" || echo "fuzz: findings"
$PY bench/load_mixed.py --duration "${LOAD_S:-180}" --users 200 --rate 2000 --workers 2 --json "$OUT/load.json" \
  || echo "load: errors"
$PY -m pytest -q tests/security/test_schemathesis.py tests/chaos tests/fuzz -p no:cacheprovider | tail -5

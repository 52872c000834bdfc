#!/bin/sh
# The long reliability run (about 25 minutes on 2 cores with the defaults below); results go to
# bench-results/ and are summarised in docs/reliability.md. Loopback only.
#   bench/reliability.sh                 # chaos 200 nodes, fuzz, API conformance (5 roles), load
#   FUZZ_MAX_S=60 LOAD_S=240 bench/reliability.sh   # shorter (the load ramp alone is 120 s)
set -eu
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=bench-results
mkdir -p "$OUT"
$PY bench/chaos_run.py --nodes 200 --duration 300 --kills 20 --outage 120 --json "$OUT/chaos.json" \
  > "$OUT/chaos.log" 2>&1 || echo "chaos: findings (see $OUT/chaos.json)"
tail -3 "$OUT/chaos.log"
$PY bench/fuzz_run.py --runs "${FUZZ_RUNS:-1000000}" --max-seconds "${FUZZ_MAX_S:-300}" | tee "$OUT/fuzz.txt" \
  || echo "fuzz: findings"
$PY bench/fuzz_run.py --api --examples "${API_EXAMPLES:-10}" | tee "$OUT/api.txt" || echo "api: findings"
$PY bench/load_mixed.py --duration "${LOAD_S:-600}" --ramp 120 --users 200 --rate 2000 --workers 5 \
  --json "$OUT/load.json" > "$OUT/load.log" 2>&1 || echo "load: errors (see $OUT/load.json)"

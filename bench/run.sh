#!/usr/bin/env bash
# Every benchmark, one command: bench/run.sh [quick|all]. Results print to the terminal and go to
# bench-results/; docs/benchmarks.md summarises them. Servers are started on 127.0.0.1 by the
# benchmarks themselves (temporary data directories) and stopped afterwards.
#   quick (default): firmware air time, gateway intake, app weight + Lighthouse, vision latency (~6 min)
#   all: quick + server ingest and read (~15 min) + the long reliability run (~25 min)
#        + the province: capacity per app core (~3 min) and the fault run with a 10-min cut (~12 min; root)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
OUT=bench-results
mkdir -p "$OUT"
mode=${1:-quick}
run() { local name=$1; shift; echo "==> $*"; "$@" | tee "$OUT/$name.txt"; }
run firmware_airtime $PY bench/firmware_airtime.py
run gateway_throughput $PY bench/gateway_throughput.py
run app_weight $PY bench/app_weight.py
run app_lighthouse $PY bench/app_lighthouse.py
run vision_latency $PY bench/vision_latency.py
if [[ $mode == all ]]; then
  run server_ingest $PY -m bench.server_ingest --workers 3
  run server_read $PY -m bench.server_read --nodes 100 --days 365
  bench/reliability.sh
  run capacity $PY -m bench.capacity --seconds 20
  run cluster $PY -m bench.cluster --nodes 20 --backlog 96 --cut-s 600
fi

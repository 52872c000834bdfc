#!/usr/bin/env bash
# Prepare this machine for Ruộng Số: Debian packages (only what is missing), the Python virtual
# environment from the pinned lock file, and the npm packages from package-lock.json.
# Usage: scripts/setup-env.sh [--runtime]   (--runtime: only what `farm demo` needs)
set -euo pipefail
cd "$(dirname "$0")/.."

runtime_only=false
[[ "${1:-}" == "--runtime" ]] && runtime_only=true

need=()
have() { command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" ]]; }
python3 -c 'import ensurepip, venv' 2>/dev/null || need+=(python3-venv)
have node || need+=(nodejs)
have npm || need+=(npm)
[[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || need+=(fonts-dejavu-core)  # PDF lot reports
if ! $runtime_only; then
  have influxd || need+=(influxdb)
  have mosquitto || need+=(mosquitto)
  have mosquitto_passwd || need+=(mosquitto)
  have mosquitto_pub || need+=(mosquitto-clients)
  have chromium || need+=(chromium)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
  have haproxy || need+=(haproxy)  # the multi-host harness (deploy/cluster, tests/cluster, bench/cluster.py)
fi
if ((${#need[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    echo "Missing Debian packages: ${need[*]} — run this script as root, or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "==> apt-get install ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [[ ! -x .venv/bin/python ]]; then
  echo "==> creating .venv"
  python3 -m venv .venv
fi
if ! cmp -s requirements.lock .venv/.installed-lock 2>/dev/null; then
  echo "==> pip install -r requirements.lock"
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.lock
  .venv/bin/pip install -q --disable-pip-version-check --no-deps -e .
  cp requirements.lock .venv/.installed-lock
fi

# Front-end packages the app serves (Leaflet); the test tools are devDependencies.
if $runtime_only; then
  if [[ ! -f node_modules/leaflet/dist/leaflet.js ]]; then
    echo "==> npm ci --omit=dev"
    npm ci --omit=dev --no-audit --no-fund --loglevel=error
  fi
elif ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  echo "==> npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

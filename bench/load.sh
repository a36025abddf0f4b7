#!/usr/bin/env bash
# Load test: gunicorn on PostgreSQL with a real Redis and two workers, driven by wrk on loopback.
# Prints requests/s and p50/p99 per route beside gunicorn serving a static file in the same run.
#   bench/load.sh            (PostgreSQL and Redis as on this machine; installs Debian's wrk if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null; then
  echo "Installing Debian's wrk..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
export DATABASE_URL="${DATABASE_URL:-postgresql://postgres@127.0.0.1:5432/postgres}"
export REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/14}"
exec .venv/bin/python bench/load.py "$@"

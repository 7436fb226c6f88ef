#!/usr/bin/env bash
# Set up, then run every test, the ones that load the real model included.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest "$@"

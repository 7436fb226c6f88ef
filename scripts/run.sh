#!/usr/bin/env bash
# Set up, build the index of the default knowledge (the bundled demo shop) and start the service.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/suggest build
exec .venv/bin/suggest serve "$@"

#!/usr/bin/env bash
# Create .venv at the repository root and install suggest into it (with the dev tools).
# Idempotent: a second run only installs what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3.11}
command -v "$PYTHON" >/dev/null 2>&1 || PYTHON=python3
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
# torch is pinned to 2.13.0 (CPU build on this machine) in pyproject.toml; install it first so
# no other requirement can pull a CUDA build.
.venv/bin/python -m pip install --quiet "torch==2.13.0"
.venv/bin/python -m pip install --quiet -e ".[dev]"
echo "setup: .venv ready ($(.venv/bin/suggest --version 2>/dev/null || echo suggest))" >&2

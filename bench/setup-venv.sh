#!/usr/bin/env bash
# Creates bench/.venv with what the reference scripts need: numpy, nashpy, pygambit.
set -euo pipefail
cd "$(dirname "$0")"
python3 -m venv .venv
.venv/bin/pip install --quiet numpy nashpy pygambit
echo "ready: bench/.venv/bin/python"

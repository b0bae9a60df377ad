#!/usr/bin/env bash
# Install the wheel in $1 into a fresh virtualenv and check that it imports,
# knows its version and computes (run by wheels.yml on every platform).
set -euo pipefail
dist=$1
python -m venv smoke-venv
if [ -x smoke-venv/Scripts/python.exe ]; then py=$PWD/smoke-venv/Scripts/python.exe; else py=$PWD/smoke-venv/bin/python; fi
"$py" -m pip install -q --disable-pip-version-check --find-links "$dist" --only-binary powerseek powerseek
cd "$(mktemp -d)"
"$py" - <<'PY'
import powerseek
from fractions import Fraction
from importlib.metadata import version

assert powerseek.__version__ == version("powerseek"), (powerseek.__version__, version("powerseek"))
r = powerseek.power(powerseek.gridworld("T.T\n"), gamma=0.0, samples=20_000)
assert abs(r["power"][1] - 0.75) < 4 * r["se"][1], r["power"]
pd = powerseek.game_from_numpy([[[3, 0], [5, 1]], [[3, 5], [0, 1]]])
assert powerseek.equilibria(pd, exact=True) == [[[Fraction(0), Fraction(1)], [Fraction(0), Fraction(1)]]]
print("powerseek", powerseek.__version__, "works")
PY

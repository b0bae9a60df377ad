#!/usr/bin/env bash
# The whole test suite: the Rust tests (cargo test), then the Python package
# built as a wheel, installed into a fresh virtualenv, and tested with pytest
# (including the Ray tests on a local Ray instance).
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20261122}

cargo test --workspace
# The gallery (docs/gallery.md): regenerated with the debug CLI cargo test just
# built, and checked against its sources' numbers (about 20 s).
POWERSEEK_BIN="$PWD/target/debug/powerseek" bash scripts/gallery.sh --check

venv=target/py-test-venv
wheels=target/py-test-wheels
rm -rf "$venv" "$wheels"
python3 -m venv "$venv"
"$venv/bin/pip" install -q "maturin>=1.16,<2" "numpy>=1.21" "pytest>=7" "ray>=2.9"
"$venv/bin/maturin" build --release -q -m crates/powerseek-py/Cargo.toml -o "$wheels"
"$venv/bin/pip" install -q --no-deps "$wheels"/powerseek-*.whl
cd crates/powerseek-py/tests && "../../../$venv/bin/python" -m pytest -q .

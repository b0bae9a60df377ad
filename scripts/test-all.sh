#!/usr/bin/env bash
# The whole test suite: the Rust tests (cargo test), then the Python package
# built as a wheel, installed into a fresh virtualenv, and tested with pytest
# (including the Ray tests on a local Ray instance).
set -euo pipefail
cd "$(dirname "$0")/.."
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20261122}

cargo test --workspace

venv=target/py-test-venv
wheels=target/py-test-wheels
rm -rf "$venv" "$wheels"
python3 -m venv "$venv"
"$venv/bin/pip" install -q "maturin>=1.16,<2"
"$venv/bin/maturin" build --release -q -m crates/powerseek-py/Cargo.toml -o "$wheels"
# The wheel with every extra (the adapters' libraries: gymnasium, minigrid,
# pygambit, OpenSpiel, scipy; tqdm, Ray, matplotlib) and the test tools, so the
# adapter tests run against the real libraries and the wheel's metadata is
# exercised; mypy for stubtest.
wheel=$(ls "$wheels"/powerseek-*.whl)
"$venv/bin/pip" install -q "$wheel[all,test]" "mypy>=1.10"
"$venv/bin/python" -m mypy.stubtest powerseek
cd crates/powerseek-py/tests && "../../../$venv/bin/python" -m pytest -q .

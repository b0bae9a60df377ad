#!/usr/bin/env bash
# The whole test suite: the Rust tests (cargo test), then the Python package
# built as a wheel, installed into a fresh virtualenv, and tested with pytest
# (including the Ray tests on a local Ray instance), its doctests, and the
# documentation site built with its tutorial notebooks executed.
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
"$venv/bin/pip" install -q "maturin>=1.16,<2"
"$venv/bin/maturin" build --release -q -m crates/powerseek-py/Cargo.toml -o "$wheels"
# The wheel with every extra (the adapters' libraries: gymnasium, minigrid,
# pygambit, OpenSpiel, scipy; tqdm, Ray, matplotlib) and the test tools, so the
# adapter tests run against the real libraries and the wheel's metadata is
# exercised; mypy for stubtest; and the optional dependencies of result
# tables and the docs site (pandas, xarray, mkdocs), so their tests run
# rather than skip. One pip call, so dependencies are resolved once.
wheel=$(ls "$wheels"/powerseek-*.whl)
"$venv/bin/pip" install -q "$wheel[all,test]" "mypy>=1.10" pandas xarray ipykernel \
    "mkdocs-material>=9.5" "mkdocstrings[python]>=0.26" "mkdocs-jupyter>=0.25"
"$venv/bin/python" -m mypy.stubtest powerseek --allowlist crates/powerseek-py/stubtest-allowlist.txt
cd crates/powerseek-py/tests && "../../../$venv/bin/python" -m pytest -q .
cd ../../..
# The docstring examples of the installed package (doctests).
(cd target && "../$venv/bin/python" -m pytest -q -p no:cacheprovider --doctest-modules --pyargs powerseek)
# The documentation site: the CLI reference from the CLI's help, then mkdocs,
# which executes every tutorial notebook (docs/tutorials) with the installed
# wheel, cargo off the PATH, and fails on an error in any cell or a broken link.
python3 scripts/cli-reference.py target/debug/powerseek
# A cargo or rustc that a Debian package put in /usr/bin (scripts/test-aarch64.sh
# needs Debian's) must not let a notebook pass that needs one: shims that fail.
nocargo=target/no-cargo-bin
mkdir -p "$nocargo"
for tool in cargo rustc; do
    printf '#!/bin/sh\necho "the documentation must not need %s" >&2\nexit 1\n' "$tool" > "$nocargo/$tool"
    chmod +x "$nocargo/$tool"
done
PATH="$PWD/$nocargo:$PWD/$venv/bin:/usr/bin:/bin" "$venv/bin/mkdocs" build --strict --site-dir target/py-test-site

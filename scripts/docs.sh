#!/usr/bin/env bash
# Builds the documentation site into target/site: the theory reference, the
# command-line reference (generated from the CLI's --help), the Python API
# (from the docstrings), the tutorials (docs/tutorials/*.py, jupytext
# notebooks, executed during the build: a failing cell fails it) and the Rust
# API documentation (cargo doc) at target/site/api-rust.
#
#   bash scripts/docs.sh          # then open target/site/index.html
#
# Installs the Python package and its `docs` extras into target/docs-venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/docs-venv
wheels=target/docs-wheels
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "maturin>=1.16,<2"
rm -rf "$wheels"
"$venv/bin/maturin" build --release -q -m crates/powerseek-py/Cargo.toml -o "$wheels"
whl=$(ls "$wheels"/powerseek-*.whl)
"$venv/bin/pip" install -q --force-reinstall --no-deps "$whl"
"$venv/bin/pip" install -q "$whl[docs]"
cargo build --release -q -p powerseek-cli
python3 scripts/cli-reference.py target/release/powerseek
"$venv/bin/mkdocs" build --strict
cargo doc -q -p powerseek --no-deps
rm -rf target/site/api-rust && cp -r target/doc target/site/api-rust
echo "site written to target/site (open target/site/index.html)"

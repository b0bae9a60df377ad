#!/usr/bin/env bash
# Regenerates every sample output, quoted number and picture README.md shows:
# builds the release CLI, then scripts/figures.py runs the README's commands
# (pictures under docs/, the blocks marked <!-- figures: ... -->, the values
# marked <!--v:name-->...<!--/v-->) and checks the sentences around them.
#
#   bash scripts/figures.sh             # rewrite README.md and docs/
#   bash scripts/figures.sh --check     # exit 1 if README.md (timings aside) or docs/ is out of date
#   bash scripts/figures.sh --keep-going  # write what could be computed even if something failed
#
# Needs a Rust toolchain and python3 (standard library only). About 20 s on
# 2 cores once the CLI is built (the build itself can take minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p powerseek-cli
export POWERSEEK_BIN="$PWD/target/release/powerseek"
exec python3 scripts/figures.py "$@"

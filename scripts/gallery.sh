#!/usr/bin/env bash
# Regenerates docs/gallery.md (figures reproducing published ones, with their
# sources' numbers) and its pictures under docs/gallery/, from the shipped
# examples: scripts/gallery.py runs the CLI and checks every entry against its
# source.
#
#   bash scripts/gallery.sh            # rewrite docs/gallery/ and the numbers in docs/gallery.md
#   bash scripts/gallery.sh --check    # exit 1 if out of date or a number disagrees with its source
#
# Uses $POWERSEEK_BIN when set (the test suite passes its debug build);
# otherwise builds the release CLI first. Needs python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${POWERSEEK_BIN:-}" ]; then
    cargo build --release -q -p powerseek-cli
    export POWERSEEK_BIN="$PWD/target/release/powerseek"
fi
exec python3 scripts/gallery.py "$@"

#!/usr/bin/env bash
# Long fuzzing run: every input format, mutated from the shipped examples and
# test games, parsed and (when it parses) computed on. Failures are saved in
# target/fuzz-failures/ with the seed and case number that reproduce them.
#
#   scripts/fuzz.sh [seconds] [seed]      (default: 600 s, seed from the clock)
set -euo pipefail
cd "$(dirname "$0")/.."
export FUZZ_SECONDS=${1:-600}
if [ -n "${2:-}" ]; then export FUZZ_SEED=$2; fi
exec cargo test --release -p powerseek --test fuzz -- --ignored --nocapture fuzz_long

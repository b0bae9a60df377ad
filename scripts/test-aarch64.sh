#!/usr/bin/env bash
# The NEON kernel path on aarch64, tested on an x86-64 machine: the kernel
# path test (crates/powerseek/tests/kernel_paths.rs: every SIMD path gives the
# portable path's bits) cross-compiled for aarch64-unknown-linux-gnu with
# Debian's Rust, whose aarch64 standard library is a Debian package, and run
# under QEMU's user-mode emulation. Speed under emulation means nothing; this
# checks correctness only.
#
# Needs (Debian 12, as root):
#   dpkg --add-architecture arm64 && apt-get update
#   apt-get install -y rustc-web cargo-web libstd-rust-web-dev:arm64 gcc-aarch64-linux-gnu qemu-user-static
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
[ -x /usr/bin/cargo ] && [ -x /usr/bin/rustc ] || missing+=("Debian's cargo and rustc (cargo-web, rustc-web)")
[ -d /usr/lib/rustlib/aarch64-unknown-linux-gnu/lib ] || missing+=("the aarch64 standard library (libstd-rust-web-dev:arm64)")
command -v aarch64-linux-gnu-gcc >/dev/null || missing+=("the aarch64 linker (gcc-aarch64-linux-gnu)")
command -v qemu-aarch64-static >/dev/null || missing+=("user-mode emulation (qemu-user-static)")
if [ ${#missing[@]} -gt 0 ]; then
    printf 'test-aarch64: missing %s\n' "${missing[@]}" >&2
    sed -n '9,11p' "$0" >&2
    exit 1
fi
# The same random cases as the host run (scripts/test-all.sh), so a failure
# can be replayed; warnings are errors, as clippy makes them on the host.
export PROPTEST_RNG_SEED=${PROPTEST_RNG_SEED:-20261122}
export RUSTFLAGS="${RUSTFLAGS:-} -D warnings"
# Debian's toolchain first on the PATH (rustup's has no aarch64 standard
# library here), its own target folder so the host build is left alone.
PATH=/usr/bin:/bin:$PATH \
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64-static -L /usr/aarch64-linux-gnu" \
    cargo test --target aarch64-unknown-linux-gnu --target-dir target/aarch64 -p powerseek --test kernel_paths

//! The value-iteration kernels: one Gauss–Seidel sweep over a *block* of
//! [`LANES`] reward samples, in explicit SIMD for the CPU found at run time.
//!
//! **Layout.** A block stores, for every state, the values of [`LANES`] = 16
//! reward samples side by side ([`Block`], 128 bytes, aligned), so one
//! backup reads two cache lines per successor and computes 16 samples at
//! once. On AVX-512 that is two 8-lane registers per state — two independent
//! dependency chains, which is what keeps the pipeline full while a
//! Gauss–Seidel sweep waits on the value it has just written for a
//! neighbouring state; on AVX2 it is four 4-lane registers. POWER's whole
//! pipeline (drawing rewards, solving, statistics) works in this layout
//! (`mdp::power`), so nothing is transposed between steps.
//!
//! **Paths.** [`Kernel::Avx512`] (AVX-512F) and [`Kernel::Avx2`] (AVX2) on
//! x86-64 and [`Kernel::Neon`] on aarch64 are written with `std::arch`
//! intrinsics; [`Kernel::Portable`] is plain Rust over `[f64; 16]` arrays,
//! which the compiler vectorises for the build's baseline (SSE2 on x86-64,
//! NEON on aarch64). [`Kernel::Auto`] picks the best path the CPU supports
//! (`is_x86_feature_detected!`, `is_aarch64_feature_detected!`); naming a path
//! the CPU lacks is an error, not a crash. The NEON path is tested for bit
//! equality with the portable one by cross-compiling the kernel tests for
//! aarch64 and running them under user-mode emulation
//! (`scripts/test-aarch64.sh`); its speed has not been measured on aarch64
//! hardware.
//!
//! **Every path computes the same bits.** Each backup is
//! `new = r + γ · max_a Q(s, a)` with `Q(s, a) = Σ_t p_t · V(t)` accumulated
//! from 0 in the stored successor order, using separate multiplies and adds
//! (no fused multiply-add, whose single rounding would differ from the
//! portable code) and the maximum `if x > best { x } else { best }` (what
//! `maxpd` computes with the new value first). So the paths agree bit for bit
//! on the same inputs, and so do the sweeps' largest changes that decide
//! when to stop: outputs do not depend on the machine's instruction set
//! (`tests/kernel_paths.rs` checks every path the machine has).
//!
//! Also here: the same sweep in `f32` ([`Block32`]) for the mixed-precision
//! mode of [`crate::mdp::solve`], and the largest Bellman residual of a block
//! computed in `f64`, which certifies `f32` solutions.
//!
//! Why hand-written intrinsics instead of a SIMD crate: the gain comes from
//! the block width and the two chains per state, which have to be spelled
//! out, and from bit-for-bit agreement with the portable path, which needs
//! exact control of every operation (no FMA contraction).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Run one of the expressions by the resolved `kernel`: `avx512`, `avx2` or
/// `neon` (evaluated in an `unsafe` context) when that path was chosen and the
/// CPU has its feature, else `portable` (`neon` defaults to `portable`:
/// plain Rust on aarch64 is already compiled for NEON). The one place where a
/// path is picked.
///
/// Safety contract for callers: the `avx512`/`avx2`/`neon` expressions may only call
/// functions whose sole requirement beyond their arguments' validity is the
/// named CPU feature, which this dispatch checks.
macro_rules! dispatch {
    ($kernel:expr, avx512: $avx512:expr, avx2: $avx2:expr, portable: $portable:expr $(,)?) => {
        $crate::mdp::kernel::dispatch!($kernel, avx512: $avx512, avx2: $avx2, neon: $portable, portable: $portable)
    };
    ($kernel:expr, avx512: $avx512:expr, avx2: $avx2:expr, neon: $neon:expr, portable: $portable:expr $(,)?) => {
        match $kernel {
            #[cfg(target_arch = "x86_64")]
            $crate::mdp::kernel::Kernel::Avx512 if $crate::mdp::kernel::Kernel::Avx512.is_supported() => {
                // SAFETY: AVX-512F is present (checked in the guard); see the
                // macro's contract.
                #[allow(unused_unsafe)]
                unsafe {
                    $avx512
                }
            }
            #[cfg(target_arch = "x86_64")]
            $crate::mdp::kernel::Kernel::Avx2 if $crate::mdp::kernel::Kernel::Avx2.is_supported() => {
                // SAFETY: as above, for AVX2.
                #[allow(unused_unsafe)]
                unsafe {
                    $avx2
                }
            }
            #[cfg(target_arch = "aarch64")]
            $crate::mdp::kernel::Kernel::Neon if $crate::mdp::kernel::Kernel::Neon.is_supported() => {
                // SAFETY: NEON is present (checked in the guard; it is part
                // of the aarch64 baseline); see the macro's contract.
                #[allow(unused_unsafe)]
                unsafe {
                    $neon
                }
            }
            _ => $portable,
        }
    };
}
pub(crate) use dispatch;

/// Call a plain-Rust function compiled for the instruction set of the
/// resolved `kernel` (the same operations, so the same bits, on every path):
/// `multiversion!(kernel, fn(a: &A, b: B) -> R { body })` defines the body
/// once per path and calls it with the variables `a`, `b` of the caller.
macro_rules! multiversion {
    ($kernel:expr, fn($($arg:ident: $ty:ty),* $(,)?) -> $ret:ty $body:block) => {{
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx512f")]
        fn avx512($($arg: $ty),*) -> $ret $body
        #[cfg(target_arch = "x86_64")]
        #[target_feature(enable = "avx2")]
        fn avx2($($arg: $ty),*) -> $ret $body
        fn portable($($arg: $ty),*) -> $ret $body
        $crate::mdp::kernel::dispatch!(
            $kernel,
            avx512: avx512($($arg),*),
            avx2: avx2($($arg),*),
            portable: portable($($arg),*),
        )
    }};
}
pub(crate) use multiversion;

/// Reward samples per block: the width of every kernel.
pub const LANES: usize = 16;

/// One state's values (or rewards) for the [`LANES`] samples of a block.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Block(pub [f64; LANES]);

impl Block {
    /// All lanes zero.
    pub const ZERO: Block = Block([0.0; LANES]);
}

/// One state's values for the [`LANES`] samples of a block, in `f32`.
#[derive(Clone, Copy, Debug, PartialEq)]
#[repr(C, align(64))]
pub struct Block32(pub [f32; LANES]);

impl Block32 {
    /// All lanes zero.
    pub const ZERO: Block32 = Block32([0.0; LANES]);
}

/// Which kernel runs the sweeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kernel {
    /// The best path this CPU supports (AVX-512, then AVX2, or NEON on
    /// aarch64; then portable).
    #[default]
    Auto,
    /// Plain Rust, vectorised by the compiler for the build's baseline.
    Portable,
    /// AVX2 intrinsics (x86-64).
    Avx2,
    /// AVX-512F intrinsics (x86-64).
    Avx512,
    /// NEON (Advanced SIMD) intrinsics (aarch64).
    Neon,
}

impl Kernel {
    /// The concrete paths this machine can run, best first.
    pub fn available() -> Vec<Kernel> {
        [Kernel::Avx512, Kernel::Avx2, Kernel::Neon, Kernel::Portable]
            .into_iter()
            .filter(|k| k.is_supported())
            .collect()
    }

    /// Whether this CPU can run the path (`Auto` always can).
    pub fn is_supported(self) -> bool {
        match self {
            Kernel::Auto | Kernel::Portable => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => std::arch::is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512 => std::arch::is_x86_feature_detected!("avx512f"),
            #[cfg(not(target_arch = "x86_64"))]
            Kernel::Avx2 | Kernel::Avx512 => false,
            #[cfg(target_arch = "aarch64")]
            Kernel::Neon => std::arch::is_aarch64_feature_detected!("neon"),
            #[cfg(not(target_arch = "aarch64"))]
            Kernel::Neon => false,
        }
    }

    /// The concrete path to run: `Auto` becomes the best available one; a
    /// path this CPU lacks is an error naming the ones it has.
    pub fn resolve(self) -> Result<Kernel> {
        match self {
            Kernel::Auto => Ok(Kernel::available()[0]),
            k if k.is_supported() => Ok(k),
            k => Err(Error::invalid(format!(
                "kernel: this CPU cannot run the {k} kernel; available: {}",
                Kernel::available()
                    .iter()
                    .map(|k| k.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kernel::Auto => "auto",
            Kernel::Portable => "portable",
            Kernel::Avx2 => "avx2",
            Kernel::Avx512 => "avx512",
            Kernel::Neon => "neon",
        })
    }
}

impl FromStr for Kernel {
    type Err = Error;
    fn from_str(s: &str) -> Result<Kernel> {
        match s {
            "auto" => Ok(Kernel::Auto),
            "portable" => Ok(Kernel::Portable),
            "avx2" => Ok(Kernel::Avx2),
            "avx512" => Ok(Kernel::Avx512),
            "neon" => Ok(Kernel::Neon),
            _ => Err(Error::invalid(format!(
                "kernel: '{s}' is not one of auto, portable, avx2, avx512, neon"
            ))),
        }
    }
}

/// An MDP's transitions in compressed sparse rows, as the kernels read them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Csr<'a> {
    /// Actions of state `s`: `action_start[s]..action_start[s + 1]`.
    pub action_start: &'a [usize],
    /// Successors of action `a`: `succ_start[a]..succ_start[a + 1]`.
    pub succ_start: &'a [usize],
    /// Successor states.
    pub succ_state: &'a [u32],
    /// Their probabilities.
    pub succ_prob: &'a [f64],
    /// Every action has one successor (then `succ_state[a]` is action `a`'s).
    pub deterministic: bool,
}

impl Csr<'_> {
    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.action_start.len() - 1
    }

    /// Whether the arrays are what the kernels' unchecked reads assume: row
    /// starts rising from 0 to the end of the next array, successors in range.
    /// [`crate::mdp::Mdp`] guarantees it; the kernels check it anyway, once.
    fn is_valid(&self) -> bool {
        let n = self.n_states();
        let rows = |start: &[usize], len: usize| {
            start.first() == Some(&0) && start.last() == Some(&len) && start.windows(2).all(|w| w[0] <= w[1])
        };
        let sa = self.succ_start.len().saturating_sub(1);
        rows(self.action_start, sa)
            && rows(self.succ_start, self.succ_state.len())
            && self.succ_prob.len() == self.succ_state.len()
            && self.succ_state.iter().all(|&t| (t as usize) < n)
            && (!self.deterministic || self.succ_state.len() == sa)
    }
}

/// A kernel bound to one MDP, its discount and one path, checked once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Sweeper<'a> {
    csr: Csr<'a>,
    kernel: Kernel,
    /// The most successors of any action.
    max_row: usize,
}

impl<'a> Sweeper<'a> {
    /// Bind the resolved `kernel` (see [`Kernel::resolve`]) to `csr`.
    pub fn new(csr: Csr<'a>, kernel: Kernel) -> Result<Self> {
        if !csr.is_valid() {
            return Err(Error::invalid("internal: inconsistent transition arrays"));
        }
        let kernel = kernel.resolve()?;
        let max_row = csr.succ_start.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(1);
        Ok(Sweeper { csr, kernel, max_row })
    }

    /// The concrete path the sweeps run on.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// A bound on the rounding error of [`Sweeper::certify`]'s residual, in
    /// units of `f64::EPSILON · max |V|`: a row of `k` successors sums `k`
    /// rounded products (`k + 1` roundings of `ε/2 · |V|` each, the
    /// probabilities summing to 1), and the backup `|r + γ · best − V|` adds
    /// three more roundings of at most `|r| + 2|V|`; `k + 8` covers both with
    /// room for `|r|` up to `2 |V|`.
    pub fn certificate_margin(&self) -> f64 {
        (self.max_row + 8) as f64
    }

    /// One in-place Gauss–Seidel sweep `V(s) ← r(s) + γ max_a Q(s, a)` over
    /// all states, in increasing order when `forward`, else decreasing;
    /// returns the largest change `|new − old|` over states and lanes.
    pub fn sweep(&self, gamma: f64, r: &[Block], v: &mut [Block], forward: bool) -> f64 {
        let n = self.csr.n_states();
        assert!(r.len() == n && v.len() == n, "block of the wrong size");
        // The intrinsics paths need only their feature (checked by the
        // dispatch): `csr` was validated in `new` and both blocks have one
        // entry per state.
        dispatch!(
            self.kernel,
            avx512: x86::sweep_avx512(&self.csr, gamma, r, v, forward),
            avx2: x86::sweep_avx2(&self.csr, gamma, r, v, forward),
            neon: arm::sweep_neon(&self.csr, gamma, r, v, forward),
            portable: portable::sweep(&self.csr, gamma, r, v, forward),
        )
    }

    /// The same sweep in `f32` (`gamma` rounded to `f32` by the caller).
    pub fn sweep32(&self, gamma: f32, r: &[Block32], v: &mut [Block32], forward: bool) -> f32 {
        let n = self.csr.n_states();
        assert!(r.len() == n && v.len() == n, "block of the wrong size");
        // As in `sweep`.
        dispatch!(
            self.kernel,
            avx512: x86::sweep32_avx512(&self.csr, gamma, r, v, forward),
            avx2: x86::sweep32_avx2(&self.csr, gamma, r, v, forward),
            neon: arm::sweep32_neon(&self.csr, gamma, r, v, forward),
            portable: portable::sweep32(&self.csr, gamma, r, v, forward),
        )
    }

    /// The start of the `f32` sweeps: `r32 = r` and `v32 = r · forever`,
    /// each rounded to `f32` (the same bits on every path).
    pub fn start32(&self, forever: f64, r: &[Block], r32: &mut [Block32], v32: &mut [Block32]) {
        assert!(r.len() == r32.len() && r.len() == v32.len(), "block of the wrong size");
        // Explicit per-state vectors: left to itself, the compiler vectorises
        // this loop across states with gathers and scatters, which measured
        // as slow as the sweeps on maze100.
        dispatch!(
            self.kernel,
            avx512: x86::start32_avx512(forever, r, r32, v32),
            avx2: x86::start32_avx2(forever, r, r32, v32),
            neon: arm::start32_neon(forever, r, r32, v32),
            portable: portable::start32(forever, r, r32, v32),
        )
    }

    /// Certify `f32` values in one read-only Jacobi pass: the largest
    /// Bellman residual `|r(s) + γ max_a Q(s, a) − V(s)|` over states and the
    /// first `width` lanes, computed in `f64` (non-finite values give `∞`),
    /// and the largest `|V(s)|` over all lanes; the same pass writes the
    /// values widened to `f64` into `out`.
    pub fn certify(&self, gamma: f64, r: &[Block], v: &[Block32], width: usize, out: &mut [Block]) -> Certificate {
        let n = self.csr.n_states();
        assert!(
            r.len() == n && v.len() == n && out.len() == n,
            "block of the wrong size"
        );
        let csr = &self.csr;
        multiversion!(self.kernel, fn(csr: &Csr, gamma: f64, r: &[Block], v: &[Block32], width: usize, out: &mut [Block]) -> Certificate {
            portable::certify(csr, gamma, r, v, width, out)
        })
    }
}

/// What [`Sweeper::certify`] measures of `f32` values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Certificate {
    /// The largest Bellman residual, in `f64` (`∞` for non-finite values).
    pub residual: f64,
    /// The largest value in magnitude.
    pub bound: f64,
}

/// `max` as the kernels compute it: `x` when it is larger, else `best`
/// (`maxpd` with the new value first).
#[inline(always)]
fn max_first<T: PartialOrd>(x: T, best: T) -> T {
    if x > best {
        x
    } else {
        best
    }
}

/// Iterate `$s` over `0..$n` forwards or backwards, running `$body`: the
/// state order of a Gauss–Seidel sweep, shared by every path.
macro_rules! states {
    ($n:expr, $forward:expr, |$s:ident| $body:block) => {
        if $forward {
            for $s in 0..$n $body
        } else {
            for $s in (0..$n).rev() $body
        }
    };
}

/// One Gauss–Seidel sweep in explicit SIMD registers of `$per` lanes of
/// `$elem`, `LANES / $per` independent chains per state: every intrinsics
/// path (AVX-512, AVX2, NEON; f64 and f32) is this one body over its own
/// register type and operations, which must be exactly the portable ones
/// (`$max(x, best)` is `if x > best { x } else { best }`, `$abs` clears the
/// sign bit, no fused multiply-add). The function it defines requires the
/// target feature, a validated [`Csr`] and blocks of one per state.
macro_rules! simd_sweep {
    ($(#[$doc:meta])* $name:ident, $feature:literal, $block:ty, $elem:ty, $per:expr,
     $dup:ident, $load:ident, $store:ident, $add:ident, $mul:ident, $sub:ident, $abs:ident, $max:ident) => {
        $(#[$doc])*
        #[target_feature(enable = $feature)]
        pub unsafe fn $name(csr: &Csr, gamma: $elem, r: &[$block], v: &mut [$block], forward: bool) -> $elem {
            const R: usize = LANES / $per;
            let (astart, sstart, next, prob) = (csr.action_start, csr.succ_start, csr.succ_state, csr.succ_prob);
            let vp = v.as_mut_ptr() as *mut $elem;
            let rp = r.as_ptr() as *const $elem;
            let g = $dup(gamma);
            let mut d = [$dup(0.0); R];
            states!(r.len(), forward, |s| {
                let (a0, a1) = (*astart.get_unchecked(s), *astart.get_unchecked(s + 1));
                let mut b = [$dup(<$elem>::NEG_INFINITY); R];
                if csr.deterministic {
                    for a in a0..a1 {
                        let x = vp.add(*next.get_unchecked(a) as usize * LANES);
                        for (j, bj) in b.iter_mut().enumerate() {
                            *bj = $max($load(x.add($per * j)), *bj);
                        }
                    }
                } else {
                    for a in a0..a1 {
                        let mut q = [$dup(0.0); R];
                        for k in *sstart.get_unchecked(a)..*sstart.get_unchecked(a + 1) {
                            let x = vp.add(*next.get_unchecked(k) as usize * LANES);
                            let p = $dup(*prob.get_unchecked(k) as $elem);
                            for (j, qj) in q.iter_mut().enumerate() {
                                *qj = $add(*qj, $mul(p, $load(x.add($per * j))));
                            }
                        }
                        for j in 0..R {
                            b[j] = $max(q[j], b[j]);
                        }
                    }
                }
                let (rs, vs) = (rp.add(s * LANES), vp.add(s * LANES));
                for j in 0..R {
                    let new = $add($load(rs.add($per * j)), $mul(g, b[j]));
                    d[j] = $max($abs($sub(new, $load(vs.add($per * j)))), d[j]);
                    $store(vs.add($per * j), new);
                }
            });
            let mut lanes = [0.0 as $elem; LANES];
            for (j, dj) in d.iter().enumerate() {
                $store(lanes.as_mut_ptr().add($per * j), *dj);
            }
            lanes.iter().fold(0.0, |a, &b| $crate::mdp::kernel::max_first(b, a))
        }
    };
}

mod portable {
    use super::{max_first, Block, Block32, Certificate, Csr, LANES};

    /// `max_a Q(s, a)` for every lane of a block, in lanes of type `$t`
    /// (the values are widened to `$t` as they are read: `f32` values in
    /// `f64` for the certificate, else the identity).
    macro_rules! best_backup {
        ($csr:expr, $v:expr, $s:expr, $t:ty, $neg_inf:expr) => {{
            let csr = $csr;
            let mut best = [$neg_inf; LANES];
            let acts = csr.action_start[$s]..csr.action_start[$s + 1];
            if csr.deterministic {
                for &t in &csr.succ_state[acts] {
                    let x = &$v[t as usize].0;
                    for i in 0..LANES {
                        best[i] = max_first(<$t>::from(x[i]), best[i]);
                    }
                }
            } else {
                for a in acts {
                    let mut q = [0.0 as $t; LANES];
                    for k in csr.succ_start[a]..csr.succ_start[a + 1] {
                        let (x, p) = (&$v[csr.succ_state[k] as usize].0, csr.succ_prob[k] as $t);
                        for i in 0..LANES {
                            q[i] += p * <$t>::from(x[i]);
                        }
                    }
                    for i in 0..LANES {
                        best[i] = max_first(q[i], best[i]);
                    }
                }
            }
            best
        }};
    }

    /// One sweep in `f64`; see [`super::Sweeper::sweep`].
    pub fn sweep(csr: &Csr, gamma: f64, r: &[Block], v: &mut [Block], forward: bool) -> f64 {
        let mut delta = [0.0f64; LANES];
        states!(r.len(), forward, |s| {
            let best = best_backup!(csr, v, s, f64, f64::NEG_INFINITY);
            let (rs, old) = (&r[s].0, &mut v[s].0);
            for i in 0..LANES {
                let new = rs[i] + gamma * best[i];
                delta[i] = max_first((new - old[i]).abs(), delta[i]);
                old[i] = new;
            }
        });
        delta.iter().fold(0.0, |a, &b| max_first(b, a))
    }

    /// One sweep in `f32`; see [`super::Sweeper::sweep32`].
    pub fn sweep32(csr: &Csr, gamma: f32, r: &[Block32], v: &mut [Block32], forward: bool) -> f32 {
        let mut delta = [0.0f32; LANES];
        states!(r.len(), forward, |s| {
            let best = best_backup!(csr, v, s, f32, f32::NEG_INFINITY);
            let (rs, old) = (&r[s].0, &mut v[s].0);
            for i in 0..LANES {
                let new = rs[i] + gamma * best[i];
                delta[i] = max_first((new - old[i]).abs(), delta[i]);
                old[i] = new;
            }
        });
        delta.iter().fold(0.0, |a, &b| max_first(b, a))
    }

    /// See [`super::Sweeper::start32`].
    pub fn start32(forever: f64, r: &[Block], r32: &mut [Block32], v32: &mut [Block32]) {
        for ((rs, r32), v32) in r.iter().zip(r32).zip(v32) {
            for i in 0..LANES {
                r32.0[i] = rs.0[i] as f32;
                v32.0[i] = (rs.0[i] * forever) as f32;
            }
        }
    }

    /// See [`super::Sweeper::certify`].
    #[inline(always)]
    pub fn certify(csr: &Csr, gamma: f64, r: &[Block], v: &[Block32], width: usize, out: &mut [Block]) -> Certificate {
        let mask: [f64; LANES] = std::array::from_fn(|i| (i < width) as u8 as f64);
        let mut worst = [0.0f64; LANES];
        let mut bound = [0.0f64; LANES];
        for s in 0..r.len() {
            let best = best_backup!(csr, v, s, f64, f64::NEG_INFINITY);
            for i in 0..LANES {
                // A NaN gap (from infinities) must not hide: `max_first`
                // keeps the gap only when it compares larger, so test it.
                let wide = f64::from(v[s].0[i]);
                let gap = (r[s].0[i] + gamma * best[i] - wide).abs() * mask[i];
                worst[i] = if gap > worst[i] || gap.is_nan() { gap } else { worst[i] };
                bound[i] = bound[i].max(wide.abs());
                out[s].0[i] = wide;
            }
        }
        let worst = worst
            .iter()
            .fold(0.0f64, |a, &b| if b > a || b.is_nan() { b } else { a });
        Certificate {
            residual: if worst.is_finite() { worst } else { f64::INFINITY },
            bound: bound.iter().fold(0.0f64, |a, &b| a.max(b)),
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    //! The x86-64 paths. Each function requires its target feature; the
    //! sweeps also a validated [`Csr`] whose state count matches both blocks,
    //! and `start32_*` slices of equal length. The callers in
    //! [`super::Sweeper`] check all of it.
    use std::arch::x86_64::*;

    use super::{Block, Block32, Csr, LANES};

    /// `|x|` on AVX2 (the sign bit cleared, as `f64::abs`).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn abs256_pd(x: __m256d) -> __m256d {
        _mm256_andnot_pd(_mm256_set1_pd(-0.0), x)
    }

    /// `|x|` on AVX2 (the sign bit cleared, as `f32::abs`).
    #[inline]
    #[target_feature(enable = "avx2")]
    unsafe fn abs256_ps(x: __m256) -> __m256 {
        _mm256_andnot_ps(_mm256_set1_ps(-0.0), x)
    }

    // `maxpd`/`maxps` return their first operand when it is larger and the
    // second otherwise (ties, NaNs): exactly `max_first`.
    simd_sweep!(
        /// One f64 sweep on AVX-512F: two 8-lane registers (two chains) per state.
        sweep_avx512, "avx512f", Block, f64, 8,
        _mm512_set1_pd, _mm512_load_pd, _mm512_storeu_pd, _mm512_add_pd, _mm512_mul_pd, _mm512_sub_pd, _mm512_abs_pd, _mm512_max_pd
    );
    simd_sweep!(
        /// One f64 sweep on AVX2: four 4-lane registers per state.
        sweep_avx2, "avx2", Block, f64, 4,
        _mm256_set1_pd, _mm256_load_pd, _mm256_storeu_pd, _mm256_add_pd, _mm256_mul_pd, _mm256_sub_pd, abs256_pd, _mm256_max_pd
    );
    simd_sweep!(
        /// One f32 sweep on AVX-512F: one 16-lane register per state.
        sweep32_avx512, "avx512f", Block32, f32, 16,
        _mm512_set1_ps, _mm512_load_ps, _mm512_storeu_ps, _mm512_add_ps, _mm512_mul_ps, _mm512_sub_ps, _mm512_abs_ps, _mm512_max_ps
    );
    simd_sweep!(
        /// One f32 sweep on AVX2: two 8-lane registers per state.
        sweep32_avx2, "avx2", Block32, f32, 8,
        _mm256_set1_ps, _mm256_load_ps, _mm256_storeu_ps, _mm256_add_ps, _mm256_mul_ps, _mm256_sub_ps, abs256_ps, _mm256_max_ps
    );

    /// [`super::Sweeper::start32`] in registers of `$per` f64 lanes: each
    /// state's 16 rewards in `LANES / $per` loads, each narrowed twice.
    macro_rules! start32 {
        ($(#[$doc:meta])* $name:ident, $feature:literal, $per:expr, $set1:ident, $load:ident, $mul:ident, $cvt:ident, $store:ident) => {
            $(#[$doc])*
            #[target_feature(enable = $feature)]
            pub unsafe fn $name(forever: f64, r: &[Block], r32: &mut [Block32], v32: &mut [Block32]) {
                let f = $set1(forever);
                for ((rs, r32), v32) in r.iter().zip(r32).zip(v32) {
                    let (x, y) = (rs.0.as_ptr(), (r32.0.as_mut_ptr(), v32.0.as_mut_ptr()));
                    for q in 0..LANES / $per {
                        let lanes = $load(x.add($per * q));
                        $store(y.0.add($per * q), $cvt(lanes));
                        $store(y.1.add($per * q), $cvt($mul(lanes, f)));
                    }
                }
            }
        };
    }

    start32!(
        /// [`super::Sweeper::start32`] on AVX-512F.
        start32_avx512, "avx512f", 8, _mm512_set1_pd, _mm512_load_pd, _mm512_mul_pd, _mm512_cvtpd_ps, _mm256_storeu_ps
    );
    start32!(
        /// [`super::Sweeper::start32`] on AVX2.
        start32_avx2, "avx2", 4, _mm256_set1_pd, _mm256_load_pd, _mm256_mul_pd, _mm256_cvtpd_ps, _mm_storeu_ps
    );
}

#[cfg(target_arch = "aarch64")]
mod arm {
    //! The aarch64 path: NEON's 2-lane `f64` and 4-lane `f32` registers,
    //! eight (`f64`) or four (`f32`) independent chains per state. NEON's own
    //! `fmax` treats signed zeros and NaNs differently from the portable
    //! `max_first`, so the maximum is a compare and a bitwise select, which is
    //! exactly `if x > best { x } else { best }`. The sweeps require a
    //! validated [`Csr`] whose state count matches both blocks, and
    //! `start32_neon` slices of equal length (checked by the callers in
    //! [`super::Sweeper`]); NEON itself is baseline on aarch64.
    use std::arch::aarch64::*;

    use super::{Block, Block32, Csr, LANES};

    /// `max_first(x, best)` lane by lane.
    #[inline(always)]
    unsafe fn max_f64(x: float64x2_t, best: float64x2_t) -> float64x2_t {
        vbslq_f64(vcgtq_f64(x, best), x, best)
    }

    /// `max_first(x, best)` lane by lane.
    #[inline(always)]
    unsafe fn max_f32(x: float32x4_t, best: float32x4_t) -> float32x4_t {
        vbslq_f32(vcgtq_f32(x, best), x, best)
    }

    /// [`super::Sweeper::start32`].
    #[target_feature(enable = "neon")]
    pub unsafe fn start32_neon(forever: f64, r: &[Block], r32: &mut [Block32], v32: &mut [Block32]) {
        let f = vdupq_n_f64(forever);
        for ((rs, r32), v32) in r.iter().zip(r32).zip(v32) {
            let (x, y) = (rs.0.as_ptr(), (r32.0.as_mut_ptr(), v32.0.as_mut_ptr()));
            for q in 0..LANES / 4 {
                let (lo, hi) = (vld1q_f64(x.add(4 * q)), vld1q_f64(x.add(4 * q + 2)));
                vst1q_f32(y.0.add(4 * q), vcvt_high_f32_f64(vcvt_f32_f64(lo), hi));
                let (lo, hi) = (vmulq_f64(lo, f), vmulq_f64(hi, f));
                vst1q_f32(y.1.add(4 * q), vcvt_high_f32_f64(vcvt_f32_f64(lo), hi));
            }
        }
    }

    simd_sweep!(
        /// One f64 sweep: eight 2-lane registers per state.
        sweep_neon, "neon", Block, f64, 2,
        vdupq_n_f64, vld1q_f64, vst1q_f64, vaddq_f64, vmulq_f64, vsubq_f64, vabsq_f64, max_f64
    );

    simd_sweep!(
        /// One f32 sweep: four 4-lane registers per state.
        sweep32_neon, "neon", Block32, f32, 4,
        vdupq_n_f32, vld1q_f32, vst1q_f32, vaddq_f32, vmulq_f32, vsubq_f32, vabsq_f32, max_f32
    );
}

//! Retargetable decision-makers and orbit tendencies (docs/theory.md §6).
//!
//! Outcomes are `d`-dimensional vectors (by default the unit vectors
//! `e_1..e_d`); a parameter is a utility vector `u ∈ ℝ^d`, and a permutation
//! `φ` acts on it by permuting coordinates, `(φ·u)_i = u_{φ⁻¹(i)}`. A
//! [`DecisionMaker`] turns the outcomes' utilities into choice probabilities,
//! so `p(X | u)` is the probability that the chosen outcome lies in `X`.
//!
//! For outcome sets `A`, `B`, the orbit tendency counts the distinct elements
//! `u'` of the orbit of `u` with `p(B|u') > p(A|u')`, `=`, `<` (probabilities
//! within 1e-12 are equal); `B ≥_most^n A` holds on that orbit when
//! `#> ≥ n · #<`. Orbits under the full symmetric group are streamed as the
//! distinct permutations of the multiset of `u`'s entries, in parallel,
//! without being stored; orbits under a subgroup given by generators are built
//! by closing the generators.
//!
//! ```
//! use powerseek::retarget::{orbit_size, orbit_tendency, Builtin, Comparison, Outcomes};
//!
//! // Three outcomes e_1, e_2, e_3; is B = {e_2, e_3} more likely than A = {e_1}
//! // for most utility vectors in the orbit of u = (1, 2, 3)?
//! let outcomes = Outcomes::unit(3);
//! let cmp = Comparison { outcomes: &outcomes, a: &[0], b: &[1, 2] };
//! let u = [1.0, 2.0, 3.0];
//! assert_eq!(orbit_size(&u), Some(6));
//!
//! // Argmax chooses B whenever the largest entry lands on e_2 or e_3: 4 of
//! // the 6 permutations; A in the other 2.
//! let argmax: Builtin = "argmax".parse().unwrap();
//! let t = orbit_tendency(&argmax, cmp, &u);
//! assert_eq!((t.b_more, t.equal, t.a_more), (4, 0, 2));
//! // So B ≥_most^2 A holds on this orbit (4 ≥ 2·2), but not B ≥_most^3 A.
//! assert!(t.holds(2) && !t.holds(3));
//! ```

mod analysis;
pub mod compatible;
pub mod definition;
pub mod learn;
pub mod trained;

pub use analysis::{
    check, default_decision_makers, default_n, learned, mdp_tendency, mean_dominance, most_cycle, orbit,
    parse_decision_makers, pomdp_tendency, CheckReport, CheckRequest, CycleReport, CycleRequest, FirstMoves,
    LearnedReport, LearnedRequest, MdpTendencyReport, MdpTendencyRequest, MeanReport, MeanRequest, MeanRow,
    OrbitReport, OrbitRequest, OrbitRow, PolicyClass, PomdpTendencyReport, PomdpTendencyRequest, Shares,
    SharesInterval, DEFAULT_TREE_HORIZON, MAX_ENUMERATED_DIMENSION, MAX_MEMORYLESS_POLICIES, MAX_POLICY_TREES,
    MAX_VISIT_DISTRIBUTIONS,
};

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::Ordering::Relaxed;

use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::progress::{NoProgress, Progress};
use crate::stats::wilson;

/// Decisions between two polls for cancellation inside an orbit (a Python
/// decision-maker takes microseconds per decision).
const DECISIONS_PER_POLL: u64 = 64;

/// Probabilities within this distance are treated as equal.
pub const EQUAL: f64 = 1e-12;

/// Anything that chooses among outcomes given their utilities.
pub trait DecisionMaker: Sync {
    /// Probability of choosing each outcome, given each outcome's utility `u · c`.
    fn choice_probabilities(&self, utilities: &[f64]) -> Vec<f64>;
    /// A short name for reports (for builtins, the spec they parse from, e.g. `boltzmann:2`).
    fn name(&self) -> String;
}

/// The decision-makers of docs/theory.md §6.2.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Builtin {
    /// Expected-utility maximiser; ties split uniformly.
    Argmax,
    /// Expected-utility minimiser; ties split uniformly.
    Argmin,
    /// `p ∝ exp(β u)`.
    Boltzmann(f64),
    /// Draw `k` outcomes iid uniformly, choose uniformly among the best drawn.
    BestOfK(usize),
    /// Uniform over the outcomes with utility ≥ t (nothing when none reaches t).
    Satisficer(f64),
    /// Top-`q` quantile of the uniform base distribution by utility; the
    /// boundary utility level counted fractionally, split evenly within it.
    Quantilizer(f64),
    /// Every outcome with probability `1/d`, whatever the utilities (ignores the parameter).
    Uniform,
}

impl fmt::Display for Builtin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Builtin::Argmax => write!(f, "argmax"),
            Builtin::Argmin => write!(f, "argmin"),
            Builtin::Boltzmann(b) => write!(f, "boltzmann:{b}"),
            Builtin::BestOfK(k) => write!(f, "best-of:{k}"),
            Builtin::Satisficer(t) => write!(f, "satisficer:{t}"),
            Builtin::Quantilizer(q) => write!(f, "quantilizer:{q}"),
            Builtin::Uniform => write!(f, "uniform"),
        }
    }
}

impl FromStr for Builtin {
    type Err = Error;
    /// `argmax`, `argmin`, `boltzmann:β`, `best-of:k`, `satisficer:t`, `quantilizer:q`, `uniform`.
    fn from_str(s: &str) -> Result<Self> {
        let (name, arg) = s.split_once(':').unwrap_or((s, ""));
        let err = |m: &str| Error::invalid(format!("decision-maker '{s}': {m}"));
        let num = || {
            arg.trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite())
                .ok_or_else(|| err("expected a number after ':'"))
        };
        Ok(match name.trim() {
            "argmax" => Builtin::Argmax,
            "argmin" => Builtin::Argmin,
            "uniform" => Builtin::Uniform,
            "boltzmann" => Builtin::Boltzmann(num()?),
            "satisficer" => Builtin::Satisficer(num()?),
            "quantilizer" => {
                let q = num()?;
                if !(q > 0.0 && q <= 1.0) {
                    return Err(err("q must be in (0, 1]"));
                }
                Builtin::Quantilizer(q)
            }
            "best-of" => Builtin::BestOfK(arg.trim().parse().ok().filter(|&k: &usize| k >= 1).ok_or_else(|| err("k must be a positive integer"))?),
            other => {
                return Err(err(&format!(
                    "unknown decision-maker '{other}' (expected argmax, argmin, boltzmann:β, best-of:k, satisficer:t, quantilizer:q, uniform)"
                )))
            }
        })
    }
}

/// Check a decision-maker's answer (for decision-makers written elsewhere,
/// such as in Python): one probability per outcome, each finite and
/// non-negative, summing to at most 1 (within 1e-9; a satisficer may choose
/// nothing). NaN would otherwise count as "equally likely".
pub fn check_choice_probabilities(p: &[f64], outcomes: usize) -> Result<()> {
    if p.len() != outcomes {
        return Err(Error::invalid(format!(
            "the decision-maker returned {} probabilities for {outcomes} outcomes",
            p.len()
        )));
    }
    if let Some((i, x)) = p.iter().enumerate().find(|(_, x)| !(x.is_finite() && **x >= 0.0)) {
        return Err(Error::invalid(format!(
            "the decision-maker returned probability {x} for outcome {i}: probabilities must be finite and ≥ 0"
        )));
    }
    let total: f64 = p.iter().sum();
    if total > 1.0 + 1e-9 {
        return Err(Error::invalid(format!(
            "the decision-maker's probabilities sum to {total}, more than 1"
        )));
    }
    Ok(())
}

/// Uniform over the indices where `keep` holds.
fn uniform_over(u: &[f64], keep: impl Fn(f64) -> bool) -> Vec<f64> {
    let count = u.iter().filter(|&&x| keep(x)).count();
    u.iter()
        .map(|&x| if count > 0 && keep(x) { 1.0 / count as f64 } else { 0.0 })
        .collect()
}

impl DecisionMaker for Builtin {
    fn choice_probabilities(&self, u: &[f64]) -> Vec<f64> {
        let n = u.len() as f64;
        match *self {
            Builtin::Argmax => {
                let top = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                uniform_over(u, |x| x == top)
            }
            Builtin::Argmin => {
                let bottom = u.iter().copied().fold(f64::INFINITY, f64::min);
                uniform_over(u, |x| x == bottom)
            }
            Builtin::Uniform => vec![1.0 / n; u.len()],
            Builtin::Satisficer(t) => uniform_over(u, |x| x >= t),
            Builtin::Boltzmann(beta) => {
                let top = u.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let w: Vec<f64> = u.iter().map(|&x| (beta * (x - top)).exp()).collect();
                let total: f64 = w.iter().sum();
                w.into_iter().map(|x| x / total).collect()
            }
            Builtin::BestOfK(k) => {
                // P(best drawn level = v) = (n_≤v / n)^k − (n_<v / n)^k, split evenly within the level.
                u.iter()
                    .map(|&x| {
                        let at_most = u.iter().filter(|&&y| y <= x).count() as f64;
                        let below = u.iter().filter(|&&y| y < x).count() as f64;
                        let level = at_most - below;
                        ((at_most / n).powi(k as i32) - (below / n).powi(k as i32)) / level
                    })
                    .collect()
            }
            Builtin::Quantilizer(q) => {
                // Mass (1/n each) taken from the top utility levels down until q is used up.
                u.iter()
                    .map(|&x| {
                        let above = u.iter().filter(|&&y| y > x).count() as f64 / n;
                        let level_count = u.iter().filter(|&&y| y == x).count() as f64;
                        let taken = (q - above).clamp(0.0, level_count / n);
                        taken / level_count / q
                    })
                    .collect()
            }
        }
    }

    fn name(&self) -> String {
        self.to_string()
    }
}

/// The outcomes: one vector per outcome, all of dimension `d`.
#[derive(Clone, Debug)]
pub struct Outcomes {
    /// `vectors[k]`: outcome `k`'s vector `c_k` (all of the same length `d`).
    pub vectors: Vec<Vec<f64>>,
}

impl Outcomes {
    /// The unit vectors `e_1..e_d`.
    pub fn unit(d: usize) -> Self {
        Outcomes {
            vectors: (0..d)
                .map(|i| (0..d).map(|j| (i == j) as u8 as f64).collect())
                .collect(),
        }
    }
    /// The dimension `d` of the outcome vectors (and of parameters); 0 with no outcomes.
    pub fn dimension(&self) -> usize {
        self.vectors.first().map_or(0, Vec::len)
    }
    /// `u · c` for every outcome `c`, summed in an order that depends only on
    /// the terms `c_i u_i` (see [`canonical_dot`]), so outcomes that are
    /// permutations of each other under a symmetry of `u` get exactly equal
    /// utilities: a true tie stays a tie for the decision-makers.
    pub fn utilities(&self, u: &[f64]) -> Vec<f64> {
        self.vectors.iter().map(|c| canonical_dot(c, u)).collect()
    }
}

/// `c · u` with its non-zero terms added in increasing order (one or two
/// terms need no sorting: addition commutes). The sum of the same multiset
/// of terms is then the same float whatever their positions: with a plain
/// left-to-right sum, two visit distributions that a symmetry of the reward
/// maps onto each other (`s → x → y → x …` against `s → y → x → y …` with
/// `u_x = u_y`) could differ in the last bit, and argmax then chose one of
/// them instead of splitting the tie.
pub fn canonical_dot(c: &[f64], u: &[f64]) -> f64 {
    let mut first = [0.0; 2];
    let mut count = 0;
    for (a, b) in c.iter().zip(u) {
        let x = a * b;
        if x != 0.0 {
            if count < 2 {
                first[count] = x;
            }
            count += 1;
        }
    }
    if count <= 2 {
        return first[0] + first[1];
    }
    let mut terms: Vec<f64> = c.iter().zip(u).map(|(a, b)| a * b).filter(|x| *x != 0.0).collect();
    terms.sort_by(f64::total_cmp);
    terms.iter().sum()
}

/// `p(X | u)`.
pub fn probability(dm: &dyn DecisionMaker, outcomes: &Outcomes, u: &[f64], set: &[usize]) -> f64 {
    let p = dm.choice_probabilities(&outcomes.utilities(u));
    set.iter().map(|&i| p[i]).sum()
}

/// What an orbit tendency compares: outcome set `B` against `A` (indices
/// into `outcomes`).
#[derive(Clone, Copy, Debug)]
pub struct Comparison<'a> {
    /// The outcomes the decision-maker chooses among.
    pub outcomes: &'a Outcomes,
    /// Outcome set `A`, as indices into `outcomes.vectors`.
    pub a: &'a [usize],
    /// Outcome set `B`, as indices into `outcomes.vectors`.
    pub b: &'a [usize],
}

impl Comparison<'_> {
    /// `(p(A | u), p(B | u))` from one evaluation of the decision-maker.
    pub fn probabilities(&self, dm: &dyn DecisionMaker, u: &[f64]) -> (f64, f64) {
        let p = dm.choice_probabilities(&self.outcomes.utilities(u));
        let sum = |set: &[usize]| set.iter().map(|&i| p[i]).sum();
        (sum(self.a), sum(self.b))
    }
}

/// Random permutations in place of a whole orbit: how many, and the seed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Sampling {
    /// Number of uniformly random permutations drawn (with repetition).
    pub samples: u64,
    /// Seed of the permutations' random streams (one per chunk of [`TENDENCY_CHUNK`]).
    pub seed: u64,
}

/// Counts over an orbit (or a sample of it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Tendency {
    /// `p(B) > p(A)`.
    pub b_more: u64,
    /// `p(B) = p(A)` within [`EQUAL`].
    pub equal: u64,
    /// `p(B) < p(A)`.
    pub a_more: u64,
}

impl Tendency {
    /// Parameters counted: the orbit's distinct elements, or the samples drawn.
    pub fn total(&self) -> u64 {
        self.b_more + self.equal + self.a_more
    }
    /// Fraction of the orbit (or sample) where `p(B) > p(A)` (0 when empty).
    pub fn fraction(&self) -> f64 {
        self.b_more as f64 / self.total().max(1) as f64
    }
    /// `B ≥_most^n A`: `#> ≥ n · #<`.
    pub fn holds(&self, n: u64) -> bool {
        self.b_more >= n * self.a_more
    }
    pub(crate) fn add(self, o: Tendency) -> Tendency {
        Tendency {
            b_more: self.b_more + o.b_more,
            equal: self.equal + o.equal,
            a_more: self.a_more + o.a_more,
        }
    }
    pub(crate) fn record(&mut self, pa: f64, pb: f64) {
        if pb > pa + EQUAL {
            self.b_more += 1;
        } else if pa > pb + EQUAL {
            self.a_more += 1;
        } else {
            self.equal += 1;
        }
    }
}

/// The "for every θ" quantifier, estimated: the tendency on each parameter's
/// orbit (exhaustive, or sampled permutations), and the worst one — the
/// orbit with the smallest fraction where `B` is more likely.
pub fn worst_orbit(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    parameters: &[Vec<f64>],
    sampling: Option<Sampling>,
) -> Tendency {
    worst_orbit_with(dm, cmp, parameters, sampling, &NoProgress).expect("NoProgress does not cancel")
}

/// [`worst_orbit`], stopping with [`Error::Cancelled`] when `progress` asks
/// (polled between and inside orbits; from any thread, so pass a relay of
/// [`crate::progress::watch`] when only the calling thread may poll).
pub fn worst_orbit_with(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    parameters: &[Vec<f64>],
    sampling: Option<Sampling>,
    progress: &dyn Progress,
) -> Result<Tendency> {
    let mut worst: Option<Tendency> = None;
    for u in parameters {
        crate::progress::check(progress)?;
        let t = match sampling {
            Some(k) => sampled_tendency_with(dm, cmp, u, k, progress)?.0,
            None => orbit_tendency_with(dm, cmp, u, progress)?,
        };
        if worst.is_none_or(|w| t.fraction().total_cmp(&w.fraction()).is_lt()) {
            worst = Some(t);
        }
    }
    Ok(worst.unwrap_or_default())
}

/// Rearrange `v` to the next lexicographic permutation; false after the last.
fn next_permutation<T: PartialOrd>(v: &mut [T]) -> bool {
    let Some(i) = (1..v.len()).rev().find(|&i| v[i - 1] < v[i]) else {
        return false;
    };
    let j = (i..v.len())
        .rev()
        .find(|&j| v[j] > v[i - 1])
        .expect("a larger element exists");
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

/// The bits of `x` with `−0.0` read as `+0.0`: parameters are told apart by
/// value, and the two zeros are one value (an orbit holding both would
/// otherwise count each of its elements twice).
pub(crate) fn value_bits(x: f64) -> u64 {
    (x + 0.0).to_bits()
}

/// A parameter vector as a hashable key ([`value_bits`] per entry).
pub(crate) fn key(v: &[f64]) -> Vec<u64> {
    v.iter().map(|&x| value_bits(x)).collect()
}

/// Number of distinct permutations of `u` (the orbit size under S_d), if it fits in u64.
pub fn orbit_size(u: &[f64]) -> Option<u64> {
    let mut sorted = u.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut size: u128 = 1;
    let mut i = 0;
    let mut placed: u128 = 0;
    while i < sorted.len() {
        let j = (i..sorted.len())
            .find(|&j| sorted[j] != sorted[i])
            .unwrap_or(sorted.len());
        for k in 1..=(j - i) as u128 {
            placed += 1;
            size = size * placed / k;
        }
        i = j;
    }
    u64::try_from(size).ok()
}

/// Visit every distinct permutation of `u` exactly once, in parallel (split on
/// the first entry), folding with `f` into per-task accumulators merged by
/// `merge`; `Err(Cancelled)` when `progress` asks (polled every few visits).
fn fold_distinct_permutations<T: Send + Default>(
    u: &[f64],
    f: impl Fn(&mut T, &[f64]) + Sync,
    merge: impl Fn(T, T) -> T + Sync + Send,
    progress: &dyn Progress,
) -> Result<T> {
    let stopped = std::sync::atomic::AtomicBool::new(false);
    let mut sorted = u.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut firsts = sorted.clone();
    firsts.dedup();
    let merged = firsts
        .par_iter()
        .map(|&first| {
            let mut rest = sorted.clone();
            let at = rest.iter().position(|&x| x == first).expect("present");
            rest.remove(at);
            let mut buf = vec![first; u.len()];
            let mut acc = T::default();
            let mut visited = 0u64;
            loop {
                buf[1..].copy_from_slice(&rest);
                f(&mut acc, &buf);
                visited += 1;
                if visited.is_multiple_of(DECISIONS_PER_POLL) && (progress.cancelled() || stopped.load(Relaxed)) {
                    stopped.store(true, Relaxed);
                    break;
                }
                if !next_permutation(&mut rest) {
                    break;
                }
            }
            acc
        })
        .reduce(T::default, &merge);
    if stopped.load(Relaxed) {
        return Err(Error::Cancelled);
    }
    Ok(merged)
}

/// Orbit tendency of `B` versus `A` over the whole orbit of `u` under S_d.
pub fn orbit_tendency(dm: &dyn DecisionMaker, cmp: Comparison, u: &[f64]) -> Tendency {
    orbit_tendency_with(dm, cmp, u, &NoProgress).expect("NoProgress does not cancel")
}

/// [`orbit_tendency`], stopping with [`Error::Cancelled`] when `progress`
/// asks (polled by the workers every few decisions).
pub fn orbit_tendency_with(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    u: &[f64],
    progress: &dyn Progress,
) -> Result<Tendency> {
    fold_distinct_permutations(
        u,
        |acc: &mut Tendency, v| {
            let (pa, pb) = cmp.probabilities(dm, v);
            acc.record(pa, pb)
        },
        Tendency::add,
        progress,
    )
}

/// The same by sampling uniformly random permutations (seeded); returns the
/// counts and a 95% Wilson interval for the fraction with `p(B) > p(A)`.
pub fn sampled_tendency(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    u: &[f64],
    sampling: Sampling,
) -> (Tendency, [f64; 2]) {
    sampled_tendency_with(dm, cmp, u, sampling, &NoProgress).expect("NoProgress does not cancel")
}

/// [`sampled_tendency`], stopping with [`Error::Cancelled`] when `progress` asks.
pub fn sampled_tendency_with(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    u: &[f64],
    sampling: Sampling,
    progress: &dyn Progress,
) -> Result<(Tendency, [f64; 2])> {
    let chunks = 0..sampling.samples.div_ceil(TENDENCY_CHUNK);
    let t = sampled_tendency_chunks_with(dm, cmp, u, sampling, chunks, progress)?;
    Ok((t, wilson(t.b_more, t.total())))
}

/// Permutations are drawn in chunks of this many, chunk `c` from its own
/// random stream, so any split of the chunks sums to the same counts.
pub const TENDENCY_CHUNK: u64 = 4096;

/// The counts of [`sampled_tendency`] from chunks `chunks` only (a shard of a
/// distributed run: counts of disjoint chunk ranges add up exactly).
pub fn sampled_tendency_chunks(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    u: &[f64],
    sampling: Sampling,
    chunks: std::ops::Range<u64>,
) -> Tendency {
    sampled_tendency_chunks_with(dm, cmp, u, sampling, chunks, &NoProgress).expect("NoProgress does not cancel")
}

/// [`sampled_tendency_chunks`], stopping with [`Error::Cancelled`] when
/// `progress` asks (polled by the workers every few decisions).
pub fn sampled_tendency_chunks_with(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    u: &[f64],
    sampling: Sampling,
    chunks: std::ops::Range<u64>,
    progress: &dyn Progress,
) -> Result<Tendency> {
    sampled_fold(u, sampling, chunks, progress, |v| Ok(cmp.probabilities(dm, v)))
}

/// Draw the permutations of `u` in chunks `chunks` (as
/// [`sampled_tendency_chunks`] does) and record `p(A), p(B)` from `decide` for
/// each permuted parameter; stops at the first error or cancellation.
pub(crate) fn sampled_fold(
    u: &[f64],
    sampling: Sampling,
    chunks: std::ops::Range<u64>,
    progress: &dyn Progress,
    decide: impl Fn(&[f64]) -> Result<(f64, f64)> + Sync,
) -> Result<Tendency> {
    let Sampling { samples, seed } = sampling;
    let last = samples.div_ceil(TENDENCY_CHUNK);
    // try_reduce stops handing out chunks at the first Err.
    (chunks.start.min(last)..chunks.end.min(last))
        .into_par_iter()
        .map(|c| {
            let mut acc = Tendency::default();
            let mut rng = crate::stats::indexed_rng(seed, 0x0b17, c);
            let mut v = u.to_vec();
            for k in 0..TENDENCY_CHUNK.min(samples - c * TENDENCY_CHUNK) {
                if k.is_multiple_of(DECISIONS_PER_POLL) {
                    crate::progress::check(progress)?;
                }
                for i in (1..v.len()).rev() {
                    v.swap(i, rng.random_range(0..=i));
                }
                let (pa, pb) = decide(&v)?;
                acc.record(pa, pb);
            }
            Ok(acc)
        })
        .try_reduce(Tendency::default, |x, y| Ok(x.add(y)))
}

/// Every distinct permutation of `u` once (as [`orbit_tendency`] does),
/// recording `p(A), p(B)` from `decide`; the first error is returned.
pub(crate) fn orbit_fold(
    u: &[f64],
    progress: &dyn Progress,
    decide: impl Fn(&[f64]) -> Result<(f64, f64)> + Sync,
) -> Result<Tendency> {
    let (t, error) = fold_distinct_permutations(
        u,
        |acc: &mut (Tendency, Option<Error>), v| {
            if acc.1.is_none() {
                match decide(v) {
                    Ok((pa, pb)) => acc.0.record(pa, pb),
                    Err(e) => acc.1 = Some(e),
                }
            }
        },
        |x, y| (x.0.add(y.0), x.1.or(y.1)),
        progress,
    )?;
    error.map_or(Ok(t), Err)
}

/// A permutation group given by generators, closed under composition.
pub fn group_closure(d: usize, generators: &[Vec<usize>], limit: usize) -> Result<Vec<Vec<usize>>> {
    for g in generators {
        let mut seen = vec![false; d];
        if g.len() != d || g.iter().any(|&x| x >= d || std::mem::replace(&mut seen[x], true)) {
            return Err(Error::invalid(format!(
                "generator {g:?} is not a permutation of 0..{d}"
            )));
        }
    }
    let identity: Vec<usize> = (0..d).collect();
    let mut seen: HashSet<Vec<usize>> = HashSet::from([identity.clone()]);
    let mut frontier = vec![identity];
    while let Some(p) = frontier.pop() {
        for g in generators {
            let q: Vec<usize> = (0..d).map(|i| g[p[i]]).collect();
            if seen.insert(q.clone()) {
                if seen.len() > limit {
                    return Err(Error::invalid(format!(
                        "the group has more than {limit} elements; sample instead"
                    )));
                }
                frontier.push(q);
            }
        }
    }
    let mut all: Vec<Vec<usize>> = seen.into_iter().collect();
    all.sort();
    Ok(all)
}

/// `φ·u`, with `(φ·u)_{φ(i)} = u_i`.
pub fn act(phi: &[usize], u: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; u.len()];
    for (i, &x) in u.iter().enumerate() {
        out[phi[i]] = x;
    }
    out
}

/// The distinct elements of the orbit of `u` under a group (given as its elements).
pub fn orbit_under(group: &[Vec<usize>], u: &[f64]) -> Vec<Vec<f64>> {
    let mut seen = HashSet::new();
    group
        .iter()
        .map(|g| act(g, u))
        .filter(|v| seen.insert(key(v)))
        .collect()
}

/// Orbit tendency over an explicit orbit.
pub fn tendency_over(dm: &dyn DecisionMaker, cmp: Comparison, orbit: &[Vec<f64>]) -> Tendency {
    let mut t = Tendency::default();
    for v in orbit {
        let (pa, pb) = cmp.probabilities(dm, v);
        t.record(pa, pb);
    }
    t
}

/// Orbit-mean dominance on one orbit: `Σ p(B|u') − Σ p(A|u')` over the orbit's distinct elements.
pub fn orbit_mean_difference(dm: &dyn DecisionMaker, cmp: Comparison, orbit: &[Vec<f64>]) -> f64 {
    orbit
        .iter()
        .map(|v| {
            let (pa, pb) = cmp.probabilities(dm, v);
            pb - pa
        })
        .sum()
}

/// The result of a retargetability check.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Retargetability {
    /// Permutations `φ_1..φ_n` (as images of 0..d) that witness (A→B) n-retargetability on the tested parameters.
    Witness {
        /// `n` involutions, each as the images of `0..d`.
        permutations: Vec<Vec<usize>>,
    },
    /// No candidate works; a parameter where the first candidate fails.
    Counterexample {
        /// A tested θ with `p(A|θ) > p(B|θ)`.
        parameter: Vec<f64>,
        /// The candidate permutation `φ` for which `p(B|φ·θ) > p(A|φ·θ)` fails at θ.
        permutation: Vec<usize>,
    },
    /// `B` does not contain `n` disjoint copies of `A` (or fewer than `n` candidate permutations exist).
    NoCandidates,
    /// A candidate permutation takes a tested parameter outside the parameter set `Θ`.
    LeavesTheta {
        /// A tested θ with `p(A|θ) > p(B|θ)`.
        parameter: Vec<f64>,
        /// The candidate permutation `φ` with `φ·θ ∉ Θ`.
        permutation: Vec<usize>,
    },
    /// Enough permutations retarget every tested parameter, but no `n` of
    /// them give distinct retargeted parameters: two that clash, with
    /// parameters `θ, θ'` where `φ_1·θ = φ_2·θ'`.
    NotDistinct {
        /// The two clashing permutations.
        permutations: Vec<Vec<usize>>,
        /// `θ` and `θ'` (both with `p(A) > p(B)`).
        parameters: Vec<Vec<f64>>,
    },
}

/// Search for involutions `φ_k` swapping `A` with disjoint `|A|`-subsets of `B`
/// such that whenever `p(A|θ) > p(B|θ)`, `p(B|φ_k θ) > p(A|φ_k θ)` for every
/// tested θ (the given parameters and their orbits' samples).
pub fn check_retargetable(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    n: usize,
    parameters: &[Vec<f64>],
) -> Retargetability {
    check_retargetable_with(dm, cmp, n, parameters, &NoProgress).expect("NoProgress does not cancel")
}

/// [`check_retargetable`], stopping with [`Error::Cancelled`] when
/// `progress` asks (polled every few tested parameters).
pub fn check_retargetable_with(
    dm: &dyn DecisionMaker,
    cmp: Comparison,
    n: usize,
    parameters: &[Vec<f64>],
    progress: &dyn Progress,
) -> Result<Retargetability> {
    let Comparison { outcomes, a, b } = cmp;
    let d = outcomes.dimension();
    let free: Vec<usize> = b.iter().copied().filter(|x| !a.contains(x)).collect();
    if a.is_empty() || n == 0 || free.len() < n * a.len() {
        return Ok(Retargetability::NoCandidates);
    }
    // Candidate: the k-th block of |A| elements of B \ A, in order (and, failing that, other orders).
    let swap = |block: &[usize]| -> Vec<usize> {
        let mut phi: Vec<usize> = (0..d).collect();
        for (&x, &y) in a.iter().zip(block) {
            phi[x] = y;
            phi[y] = x;
        }
        phi
    };
    let candidates: Vec<Vec<Vec<usize>>> = {
        let mut out = Vec::new();
        let mut order = free.clone();
        for _ in 0..free.len().max(1) {
            out.push((0..n).map(|k| swap(&order[k * a.len()..(k + 1) * a.len()])).collect());
            order.rotate_left(1);
        }
        out
    };
    let mut first_failure = None;
    'candidates: for phis in &candidates {
        for (k, theta) in parameters.iter().enumerate() {
            if k.is_multiple_of(DECISIONS_PER_POLL as usize) {
                crate::progress::check(progress)?;
            }
            let (pa, pb) = cmp.probabilities(dm, theta);
            if pa > pb + EQUAL {
                for phi in phis {
                    let (qa, qb) = cmp.probabilities(dm, &act(phi, theta));
                    if qb <= qa + EQUAL {
                        first_failure.get_or_insert((theta.clone(), phi.clone()));
                        continue 'candidates;
                    }
                }
            }
        }
        return Ok(Retargetability::Witness {
            permutations: phis.clone(),
        });
    }
    let (parameter, permutation) = first_failure.expect("a candidate failed");
    Ok(Retargetability::Counterexample { parameter, permutation })
}

/// A cycle `X_0 >_most X_1 >_most … >_most X_0` among outcome sets, where
/// `X >_most Y` means `X ≥_most^1 Y` but not `Y ≥_most^1 X` on every given orbit.
pub fn find_most_cycle(
    dm: &dyn DecisionMaker,
    outcomes: &Outcomes,
    sets: &[Vec<usize>],
    orbits: &[Vec<Vec<f64>>],
) -> Option<Vec<usize>> {
    let m = sets.len();
    let beats = |x: usize, y: usize| {
        orbits.iter().all(|orbit| {
            let cmp = Comparison {
                outcomes,
                a: &sets[y],
                b: &sets[x],
            };
            let t = tendency_over(dm, cmp, orbit);
            // X ≥_most Y (#X-more ≥ #Y-more) and not Y ≥_most X: strictly more.
            t.b_more > t.a_more
        })
    };
    let edges: Vec<Vec<bool>> = (0..m)
        .map(|x| (0..m).map(|y| x != y && beats(x, y)).collect())
        .collect();
    // Depth-first search for a directed cycle.
    fn dfs(v: usize, edges: &[Vec<bool>], state: &mut [u8], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
        state[v] = 1;
        stack.push(v);
        for w in 0..edges.len() {
            if !edges[v][w] {
                continue;
            }
            if state[w] == 1 {
                let at = stack.iter().position(|&x| x == w).expect("on stack");
                return Some(stack[at..].to_vec());
            }
            if state[w] == 0 {
                if let Some(c) = dfs(w, edges, state, stack) {
                    return Some(c);
                }
            }
        }
        state[v] = 2;
        stack.pop();
        None
    }
    let mut state = vec![0u8; m];
    (0..m).find_map(|v| {
        if state[v] == 0 {
            dfs(v, &edges, &mut state, &mut Vec::new())
        } else {
            None
        }
    })
}

/// Fail fast when [`random_parameters`]`(d, count)` (plus their orbit
/// tendencies) would not fit in the memory limit.
pub fn check_parameters(d: usize, count: usize) -> Result<()> {
    crate::resources::check(count as f64 * (48.0 + 8.0 * d as f64), || {
        use crate::resources::format_count as c;
        format!("{} parameters of dimension {}", c(count as f64), c(d as f64))
    })
}

/// Random parameters for "for every θ" checks: iid uniform entries (seeded).
pub fn random_parameters(d: usize, count: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    (0..count)
        .map(|_| (0..d).map(|_| rng.random::<f64>()).collect())
        .collect()
}

/// The discounted visit distributions available from `state` in a
/// deterministic MDP — one per distinct trajectory of a stationary
/// deterministic policy (a path that closes into a cycle) — each with the
/// label of its first action. `f(s') = Σ_t γ^t [s_t = s']`.
pub fn mdp_outcomes(mdp: &crate::mdp::Mdp, state: usize, gamma: f64, limit: usize) -> Result<(Outcomes, Vec<usize>)> {
    if !mdp.is_deterministic() {
        return Err(Error::invalid(
            "visit-distribution outcomes are enumerated for deterministic MDPs only",
        ));
    }
    if !(gamma > 0.0 && gamma < 1.0) {
        return Err(Error::invalid(format!("gamma = {gamma} is outside (0, 1)")));
    }
    let n = mdp.n_states();
    let mut seen: HashSet<Vec<i128>> = HashSet::new();
    let mut vectors = Vec::new();
    let mut first = Vec::new();
    // Depth-first over policies restricted to the states a path visits.
    fn extend(
        mdp: &crate::mdp::Mdp,
        gamma: f64,
        path: &mut Vec<usize>,
        first_label: usize,
        limit: usize,
        out: &mut (HashSet<Vec<i128>>, Vec<Vec<f64>>, Vec<usize>),
    ) -> Result<()> {
        let s = *path.last().expect("non-empty");
        let mut tried = HashSet::new();
        for a in mdp.actions(s) {
            let t = mdp.successor(a);
            let label = if path.len() == 1 {
                mdp.action_label(a)
            } else {
                first_label
            };
            // Another action with the same successor gives the same trajectory;
            // at the start state it still starts with a different first action,
            // so the pair (first action, successor) is what must be new.
            if !tried.insert((label, t)) {
                continue;
            }
            if let Some(at) = path.iter().position(|&x| x == t) {
                // Closes into the cycle path[at..]: f = Σ_{k<at} γ^k e_{path_k} + γ^at/(1−γ^L) Σ_j γ^j e_{cycle_j}.
                let mut f = vec![0.0; mdp.n_states()];
                let mut g = 1.0;
                for &x in &path[..at] {
                    f[x] += g;
                    g *= gamma;
                }
                let cycle = &path[at..];
                let scale = g / (1.0 - gamma.powi(cycle.len() as i32));
                let mut h = 1.0;
                for &x in cycle {
                    f[x] += scale * h;
                    h *= gamma;
                }
                let key = crate::mdp::outcome_key(&f, label);
                if out.0.insert(key) {
                    out.1.push(f);
                    out.2.push(label);
                    if out.1.len() > limit {
                        return Err(Error::invalid(format!(
                            "more than {limit} visit distributions from this state; use a smaller MDP"
                        )));
                    }
                }
            } else {
                path.push(t);
                extend(mdp, gamma, path, label, limit, out)?;
                path.pop();
            }
        }
        Ok(())
    }
    let mut acc = (
        std::mem::take(&mut seen),
        std::mem::take(&mut vectors),
        std::mem::take(&mut first),
    );
    extend(mdp, gamma, &mut vec![state], 0, limit, &mut acc)?;
    let (_, vectors, first) = acc;
    debug_assert!(vectors.iter().all(|v| v.len() == n));
    Ok((Outcomes { vectors }, first))
}

#[cfg(test)]
mod choice_checks {
    use super::*;

    #[test]
    fn foreign_choice_probabilities_are_checked() {
        assert!(check_choice_probabilities(&[0.5, 0.5], 2).is_ok());
        assert!(
            check_choice_probabilities(&[0.0, 0.0], 2).is_ok(),
            "a satisficer may choose nothing"
        );
        for (p, msg) in [
            (vec![f64::NAN, 0.5], "probability NaN for outcome 0"),
            (vec![0.5], "1 probabilities for 2 outcomes"),
            (vec![0.9, 0.9], "sum to 1.8"),
            (vec![-0.1, 1.0], "probability -0.1"),
        ] {
            let e = check_choice_probabilities(&p, 2).unwrap_err().to_string();
            assert!(e.contains(msg), "{e}");
        }
    }
}

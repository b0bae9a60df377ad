//! Optimal values for batches of reward functions.
//!
//! A *batch* holds `B` reward functions laid out state-major with the sample
//! index fastest (`x[s * B + j]`), so the inner loop of every backup runs over
//! `B` contiguous numbers and vectorises. The solvers produce, per sample, a
//! vector `W` such that the action values are `Q(s,a) = Σ_s' T(s'|s,a) W(s')`
//! and `POWER(s) = scale · max_a Q(s,a)` (docs/theory.md §2.2–2.3):
//!
//! | horizon | `W` | `scale` |
//! |---|---|---|
//! | discount `γ` | `V*_R` | `1 − γ` |
//! | `γ → 0` limit | `R` | 1 |
//! | `γ → 1` limit | optimal average reward `g*` | 1 |
//!
//! **Stopping rule (value iteration).** Sweeps are Gauss–Seidel (in place,
//! alternating direction), a `γ`-contraction in the sup norm, so after a sweep
//! that changed no value by more than `δ`, `‖V − V*‖ ≤ γ/(1−γ) · δ`. We stop at
//! `δ ≤ tolerance / γ`, which bounds the error of every sample's POWER at every
//! state, `(1−γ) |max_a Q − max_a Q*| ≤ (1−γ)‖V − V*‖`, by `tolerance`.
//!
//! The sweeps run on blocks of [`LANES`] samples in the kernels of
//! [`crate::mdp::kernel`] (explicit AVX-512 / AVX2 / NEON, or portable code, chosen
//! at run time; every path computes the same bits). A block stops when its
//! slowest lane meets the rule, so a sample's values depend only on its
//! block, never on the batch or the thread that solved it.
//!
//! **`f32` sweeps** ([`Precision::F32`]) halve the memory traffic. Their
//! result is certified per block in `f64`: for any `V`, `‖V − V*‖ ≤
//! ‖TV − V‖ / (1 − γ)` (`T` the Bellman operator, a `γ`-contraction), so
//! every sample's POWER error `(1 − γ) ‖V − V*‖` is at most the largest
//! Bellman residual `‖TV − V‖`, which is computed in `f64` against the
//! original `f64` rewards after the `f32` sweeps (plus a margin for that
//! computation's own rounding: `k + 8` ulps of the largest value, `k` the
//! longest row of successors). A block whose
//! residual exceeds the tolerance continues in `f64` under the usual rule
//! (counted in [`SolveStats::f64_fallbacks`]), so the tolerance holds either
//! way. Storing values in `f32` alone leaves a residual of about
//! `(1 + γ) · 2^-24 · |V|`; requests below twice that ([`f32_tolerance_floor`])
//! are refused up front ([`Solver::check_precision`]).
//!
//! **Policy iteration** (deterministic MDPs) evaluates each policy exactly by
//! following its functional graph to the cycle it ends in, so it is exact up to
//! rounding and its cost does not grow as `γ → 1`.
//!
//! **The `γ → 1` limit** (deterministic MDPs): the best average reward reachable
//! from `s` is the largest mean reward of a cycle reachable from `s`: per
//! strongly connected component, the maximum mean cycle (Karp's algorithm, or
//! simply the largest reward when every state has a self-loop), propagated
//! backwards over the component DAG.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mdp::kernel::{Block, Block32, Certificate, Kernel, Sweeper, LANES};
use crate::mdp::Mdp;

/// Which POWER is asked for: a discount rate, or one of its limits.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Horizon {
    /// A discount rate `γ` strictly inside `(0, 1)`: `POWER(s) = (1 − γ) E[max_a Q*_R(s,a)]`
    /// (docs/theory.md §2.2), normalised so that rewards in `[0, 1]` give POWER in `[0, 1]`.
    Discounted(f64),
    /// `γ → 0`: `POWER(s) = E[max_a Σ T(s'|s,a) R(s')]`.
    ZeroLimit,
    /// `γ → 1`: `POWER(s) = E[best average reward reachable from s]`.
    OneLimit,
}

/// The discount rate used when neither the caller nor the MDP's file gives one.
pub const DEFAULT_GAMMA: f64 = 0.9;

/// The discount rate for `mdp`: `gamma` when given, else the discount
/// written in the MDP's file, else [`DEFAULT_GAMMA`].
pub fn default_gamma(mdp: &Mdp, gamma: Option<f64>) -> f64 {
    gamma.or(mdp.discount()).unwrap_or(DEFAULT_GAMMA)
}

impl Horizon {
    /// The horizon of a discount rate: `0` and `1` are the `γ → 0` and
    /// `γ → 1` limits (computed directly), anything in `(0, 1)` a discount.
    pub fn from_gamma(gamma: f64) -> Result<Horizon> {
        if gamma == 0.0 {
            Ok(Horizon::ZeroLimit)
        } else if gamma == 1.0 {
            Ok(Horizon::OneLimit)
        } else if gamma > 0.0 && gamma < 1.0 {
            Ok(Horizon::Discounted(gamma))
        } else {
            Err(Error::invalid(format!(
                "gamma = {gamma} is outside (0, 1); 0 and 1 give the γ → 0 and γ → 1 limits"
            )))
        }
    }

    /// The horizon for `mdp`: `gamma` when given, else the discount written
    /// in the MDP's file, else [`DEFAULT_GAMMA`] (see [`default_gamma`]).
    pub fn for_mdp(mdp: &Mdp, gamma: Option<f64>) -> Result<Horizon> {
        Horizon::from_gamma(default_gamma(mdp, gamma))
    }

    /// Factor turning `max_a Q` into POWER.
    pub fn scale(&self) -> f64 {
        match self {
            Horizon::Discounted(g) => 1.0 - g,
            _ => 1.0,
        }
    }
}

impl std::fmt::Display for Horizon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Horizon::Discounted(g) => write!(f, "{g}"),
            Horizon::ZeroLimit => write!(f, "0 (limit)"),
            Horizon::OneLimit => write!(f, "1 (limit)"),
        }
    }
}

/// Algorithm for discounted optimal values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// Gauss–Seidel value iteration, stopped by the rule in the module docs;
    /// works for any MDP.
    ValueIteration,
    /// Howard's policy iteration with exact evaluation; deterministic MDPs
    /// only, exact up to rounding, and its cost does not grow as `γ → 1`.
    ///
    /// When it pays (measured, one thread, BENCHMARKS.md §15): where values
    /// must travel far without a self-loop to rest on and `γ ≥ 0.999` — on a
    /// 1 000-cell corridor without `stay` it is 4.4× faster than value
    /// iteration at `γ = 0.999` and 15× at `γ = 0.9999` (even at 0.99). On
    /// gridworlds with `stay`, Gauss–Seidel value iteration converges in
    /// 9–20 sweeps per block whatever `γ`, and policy iteration (one sample at
    /// a time, no SIMD) costs 5.6× (γ = 0.9) to 14× (γ = 0.999) more on maze100.
    PolicyIteration,
}

/// Arithmetic of value iteration's sweeps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Precision {
    /// Every sweep in `f64`.
    #[default]
    F64,
    /// Sweeps in `f32` (half the memory traffic), each block's result then
    /// certified in `f64` and finished in `f64` when the certificate fails;
    /// see the module docs.
    F32,
}

impl std::str::FromStr for Precision {
    type Err = Error;
    fn from_str(s: &str) -> Result<Precision> {
        match s {
            "f64" => Ok(Precision::F64),
            "f32" => Ok(Precision::F32),
            _ => Err(Error::invalid(format!("precision: '{s}' is not f64 or f32"))),
        }
    }
}

impl std::fmt::Display for Precision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Precision::F64 => "f64",
            Precision::F32 => "f32",
        })
    }
}

/// How to solve; see the module docs for what `tolerance` guarantees.
#[derive(Clone, Copy, Debug)]
pub struct SolverOptions {
    /// The algorithm for discounted horizons (the limits have their own).
    pub method: Method,
    /// Bound on the error of each sample's POWER (value iteration only).
    pub tolerance: f64,
    /// Sweeps (value iteration) or improvement steps (policy iteration) after
    /// which an unconverged solve fails with [`Error::Invalid`] instead of
    /// returning inaccurate values.
    pub max_iterations: usize,
    /// Which SIMD path runs the sweeps (every path gives the same bits).
    pub kernel: Kernel,
    /// Arithmetic of value iteration's sweeps.
    pub precision: Precision,
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            method: Method::ValueIteration,
            tolerance: 1e-6,
            max_iterations: 1_000_000,
            kernel: Kernel::Auto,
            precision: Precision::F64,
        }
    }
}

/// `f32`'s unit roundoff, `2^-24`.
const F32_UNIT_ROUNDOFF: f64 = 5.960_464_477_539_063e-8;

/// The smallest tolerance the `f32` mode can certify for values up to
/// `value_bound` in magnitude: storing a value in `f32` moves it by up to
/// `u · |V|`, which shows up in the Bellman residual at about
/// `(1 + γ) · u · |V|`; we ask for twice that. Below it, [`Precision::F32`]
/// is refused rather than run only to fall back to `f64` on every block.
pub fn f32_tolerance_floor(gamma: f64, value_bound: f64) -> f64 {
    2.0 * (1.0 + gamma) * F32_UNIT_ROUNDOFF * value_bound
}

/// What one batch solve did.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolveStats {
    /// Sweeps (value iteration) or improvement steps (policy iteration).
    pub iterations: usize,
    /// State-action-sample backups performed.
    pub updates: u64,
    /// With [`Precision::F32`]: blocks whose `f32` solution was certified.
    #[serde(default)]
    pub f32_certified: u64,
    /// With [`Precision::F32`]: blocks whose certificate failed, finished in `f64`.
    #[serde(default)]
    pub f64_fallbacks: u64,
}

impl SolveStats {
    /// Add `other`'s counts to these.
    pub fn add(&mut self, other: &SolveStats) {
        self.iterations += other.iterations;
        self.updates += other.updates;
        self.f32_certified += other.f32_certified;
        self.f64_fallbacks += other.f64_fallbacks;
    }
}

/// Per-thread buffers of [`Solver::solve_block`], reused across blocks.
#[derive(Debug, Default)]
pub struct BlockScratch {
    r32: Vec<Block32>,
    v32: Vec<Block32>,
    lane_r: Vec<f64>,
    lane_v: Vec<f64>,
}

/// A solver prepared for one MDP and horizon; reusable across batches.
#[derive(Debug)]
pub struct Solver<'a> {
    mdp: &'a Mdp,
    horizon: Horizon,
    options: SolverOptions,
    components: Option<Components>,
    sweeper: Sweeper<'a>,
}

impl<'a> Solver<'a> {
    /// Check that the request makes sense for this MDP and precompute what is
    /// reward-independent.
    pub fn new(mdp: &'a Mdp, horizon: Horizon, options: SolverOptions) -> Result<Self> {
        if let Horizon::Discounted(g) = horizon {
            if !(g > 0.0 && g < 1.0) {
                return Err(Error::invalid(format!(
                    "gamma = {g} is outside (0, 1); 0 and 1 give the γ → 0 and γ → 1 limits"
                )));
            }
            if !(options.tolerance > 0.0 && options.tolerance.is_finite()) {
                return Err(Error::invalid(format!(
                    "tolerance {} must be positive",
                    options.tolerance
                )));
            }
            if options.method == Method::PolicyIteration && !mdp.is_deterministic() {
                return Err(Error::invalid(
                    "policy iteration is implemented for deterministic MDPs; use value iteration for stochastic ones",
                ));
            }
            if options.precision == Precision::F32 && options.method == Method::PolicyIteration {
                return Err(Error::invalid(
                    "precision f32 applies to value iteration; policy iteration is exact up to f64 rounding",
                ));
            }
        } else if options.precision == Precision::F32 {
            return Err(Error::invalid(
                "precision f32 applies to value iteration at a discount in (0, 1); the limits are computed directly",
            ));
        }
        let components = match horizon {
            Horizon::OneLimit if !mdp.is_deterministic() => {
                return Err(Error::invalid(
                    "the γ → 1 limit is computed directly only for deterministic MDPs; \
                     for a stochastic MDP use a γ close to 1 (e.g. 0.999)",
                ))
            }
            Horizon::OneLimit => Some(Components::new(mdp)),
            _ => None,
        };
        let sweeper = Sweeper::new(mdp.csr(), options.kernel)?;
        Ok(Solver {
            mdp,
            horizon,
            options,
            components,
            sweeper,
        })
    }

    /// The kernel path the sweeps run on (see [`Kernel::resolve`]).
    pub fn kernel(&self) -> Kernel {
        self.sweeper.kernel()
    }

    /// The options this solver was prepared with.
    pub fn options(&self) -> &SolverOptions {
        &self.options
    }

    /// With [`Precision::F32`]: refuse a request whose tolerance `f32`
    /// cannot certify for rewards of magnitude up to `reward_bound`
    /// (values up to `reward_bound / (1 − γ)`); see [`f32_tolerance_floor`].
    pub fn check_precision(&self, reward_bound: f64) -> Result<()> {
        let (Precision::F32, Horizon::Discounted(g)) = (self.options.precision, self.horizon) else {
            return Ok(());
        };
        let floor = f32_tolerance_floor(g, reward_bound / (1.0 - g));
        if floor > self.options.tolerance || floor.is_nan() {
            return Err(Error::invalid(format!(
                "precision f32 cannot guarantee tolerance {} at gamma = {g} for rewards up to {reward_bound}: \
                 f32 rounding alone gives errors up to about {floor:.1e}; ask for tolerance {floor:.0e} or more, or use precision f64",
                self.options.tolerance
            )));
        }
        Ok(())
    }

    /// The horizon this solver was prepared for.
    pub fn horizon(&self) -> Horizon {
        self.horizon
    }

    /// Two action values closer than this are treated as tied: it is twice the
    /// solver's worst-case error on a single `Q(s,a)`.
    pub fn tie_tolerance(&self) -> f64 {
        match (self.horizon, self.options.method) {
            (Horizon::Discounted(g), Method::ValueIteration) => 2.0 * self.options.tolerance / (1.0 - g),
            (Horizon::Discounted(g), Method::PolicyIteration) => 1e-9 / (1.0 - g),
            _ => 1e-12,
        }
    }

    /// Solve a batch: `rewards` and `values` are `n_states × batch`, state-major
    /// (`x[s * batch + j]`). The batch is solved in blocks of [`LANES`] samples
    /// by [`Solver::solve_block`].
    pub fn solve(&self, rewards: &[f64], batch: usize, values: &mut [f64]) -> Result<SolveStats> {
        let n = self.mdp.n_states();
        assert_eq!(rewards.len(), n * batch);
        assert_eq!(values.len(), n * batch);
        let mut r = vec![Block::ZERO; n];
        let mut v = vec![Block::ZERO; n];
        let mut scratch = BlockScratch::default();
        let mut stats = SolveStats::default();
        for first in (0..batch).step_by(LANES) {
            let width = LANES.min(batch - first);
            for (s, rs) in r.iter_mut().enumerate() {
                *rs = Block::ZERO;
                rs.0[..width].copy_from_slice(&rewards[s * batch + first..s * batch + first + width]);
            }
            stats.add(&self.solve_block(&r, width, &mut v, &mut scratch)?);
            for (s, vs) in v.iter().enumerate() {
                values[s * batch + first..s * batch + first + width].copy_from_slice(&vs.0[..width]);
            }
        }
        Ok(stats)
    }

    /// Solve one block of reward samples: `r` holds every state's rewards for
    /// the block's lanes, of which the first `width` are samples (the rest
    /// must be zero); `v` receives the `W` of the module docs for every lane.
    pub fn solve_block(
        &self,
        r: &[Block],
        width: usize,
        v: &mut [Block],
        scratch: &mut BlockScratch,
    ) -> Result<SolveStats> {
        let n = self.mdp.n_states();
        assert!(r.len() == n && v.len() == n && width <= LANES);
        match self.horizon {
            Horizon::ZeroLimit => {
                v.copy_from_slice(r);
                Ok(SolveStats::default())
            }
            Horizon::OneLimit => {
                let comps = self.components.as_ref().expect("prepared in new");
                for j in 0..width {
                    let rj: Vec<f64> = r.iter().map(|b| b.0[j]).collect();
                    for (vs, g) in v.iter_mut().zip(comps.best_average_reward(self.mdp, &rj)) {
                        vs.0[j] = g;
                    }
                }
                Ok(SolveStats::default())
            }
            Horizon::Discounted(g) => match (self.options.method, self.options.precision) {
                (Method::ValueIteration, Precision::F64) => {
                    // Start from the value of collecting the current reward
                    // forever (a multiply, not a division per lane: this is
                    // a sizeable part of a block's time when it converges fast).
                    let forever = 1.0 / (1.0 - g);
                    for (vs, rs) in v.iter_mut().zip(r) {
                        vs.0 = rs.0.map(|x| x * forever);
                    }
                    self.value_iteration(g, r, width, v, 0)
                }
                (Method::ValueIteration, Precision::F32) => self.value_iteration_f32(g, r, width, v, scratch),
                (Method::PolicyIteration, _) => {
                    let BlockScratch { lane_r, lane_v, .. } = scratch;
                    let mut stats = SolveStats::default();
                    for j in 0..width {
                        lane_r.clear();
                        lane_r.extend(r.iter().map(|b| b.0[j]));
                        lane_v.resize(n, 0.0);
                        stats.add(&policy_iteration(self.mdp, g, lane_r, 1, lane_v, &self.options)?);
                        for (vs, &x) in v.iter_mut().zip(lane_v.iter()) {
                            vs.0[j] = x;
                        }
                    }
                    for vs in v.iter_mut() {
                        vs.0[width..].fill(0.0);
                    }
                    Ok(stats)
                }
            },
        }
    }

    /// Alternating Gauss–Seidel sweeps on `v` until the stopping rule of the
    /// module docs holds for every lane; `done` sweeps were already made
    /// (they count towards `max_iterations`).
    fn value_iteration(
        &self,
        gamma: f64,
        r: &[Block],
        width: usize,
        v: &mut [Block],
        done: usize,
    ) -> Result<SolveStats> {
        let threshold = self.options.tolerance / gamma;
        let mut stats = SolveStats::default();
        for iteration in done + 1..=self.options.max_iterations {
            // Alternate directions so values flow both ways through the state order.
            let delta = self.sweeper.sweep(gamma, r, v, iteration % 2 == 1);
            stats.iterations += 1;
            stats.updates += (self.mdp.n_state_actions() * width) as u64;
            if !delta.is_finite() {
                return Err(diverged());
            }
            if delta <= threshold {
                return Ok(stats);
            }
        }
        Err(Error::invalid(format!(
            "max_iterations: value iteration did not reach tolerance {} within {} sweeps; allow more sweeps, \
             or use policy iteration (method pi) on a deterministic MDP",
            self.options.tolerance, self.options.max_iterations
        )))
    }

    /// Sweeps in `f32` until they stop improving or reach half the
    /// tolerance, then the `f64` certificate of the module docs; a block that
    /// fails it continues in `f64` from the `f32` values.
    fn value_iteration_f32(
        &self,
        gamma: f64,
        r: &[Block],
        width: usize,
        v: &mut [Block],
        scratch: &mut BlockScratch,
    ) -> Result<SolveStats> {
        let n = r.len();
        let BlockScratch { r32, v32, .. } = scratch;
        r32.resize(n, Block32::ZERO);
        v32.resize(n, Block32::ZERO);
        let forever = 1.0 / (1.0 - gamma);
        self.sweeper.start32(forever, r, r32, v32);
        let (g32, target) = (gamma as f32, 0.5 * self.options.tolerance);
        let mut stats = SolveStats::default();
        let (mut best, mut stalled) = (f32::INFINITY, 0);
        while stats.iterations < self.options.max_iterations {
            let delta = self.sweeper.sweep32(g32, r32, v32, stats.iterations % 2 == 0);
            stats.iterations += 1;
            stats.updates += (self.mdp.n_state_actions() * width) as u64;
            if !delta.is_finite() {
                return Err(diverged());
            }
            if (delta as f64) <= target {
                break;
            }
            // At f32's rounding floor the change stops shrinking.
            (best, stalled) = if delta < best { (delta, 0) } else { (best, stalled + 1) };
            if stalled >= 3 {
                break;
            }
        }
        let Certificate { residual, bound } = self.sweeper.certify(gamma, r, v32, width, v);
        // The residual's own f64 rounding, which grows with the row length.
        if residual + self.sweeper.certificate_margin() * f64::EPSILON * bound <= self.options.tolerance {
            stats.f32_certified = 1;
            return Ok(stats);
        }
        stats.f64_fallbacks = 1;
        let done = stats.iterations;
        stats.add(&self.value_iteration(gamma, r, width, v, done)?);
        Ok(stats)
    }
}

fn diverged() -> Error {
    Error::invalid("value iteration diverged (non-finite values): check the rewards")
}

/// `out[j] = Σ_s' T(s'|s,a) W(s', j)` for global action `a`.
#[inline]
pub fn action_values(mdp: &Mdp, w: &[f64], batch: usize, a: usize, out: &mut [f64]) {
    let (next, prob) = mdp.successors(a);
    if let ([t], [_]) = (next, prob) {
        let t = *t as usize;
        out.copy_from_slice(&w[t * batch..(t + 1) * batch]);
        return;
    }
    out.fill(0.0);
    for (&t, &p) in next.iter().zip(prob) {
        let wt = &w[t as usize * batch..(t as usize + 1) * batch];
        for (o, &x) in out.iter_mut().zip(wt) {
            *o += p * x;
        }
    }
}

/// Exact policy iteration for deterministic MDPs, one sample at a time.
fn policy_iteration(
    mdp: &Mdp,
    gamma: f64,
    rewards: &[f64],
    batch: usize,
    values: &mut [f64],
    opts: &SolverOptions,
) -> Result<SolveStats> {
    let n = mdp.n_states();
    let mut r = vec![0.0; n];
    let mut v = vec![0.0; n];
    let mut policy: Vec<usize> = vec![0; n];
    let mut eval = FunctionalGraph::new(n);
    let mut stats = SolveStats::default();
    for j in 0..batch {
        for s in 0..n {
            r[s] = rewards[s * batch + j];
        }
        // Greedy start: move to the best-rewarded successor.
        for s in 0..n {
            policy[s] = mdp
                .actions(s)
                .max_by(|&a, &b| r[mdp.successor(a)].total_cmp(&r[mdp.successor(b)]))
                .unwrap_or(0);
        }
        let mut converged = false;
        for _ in 0..opts.max_iterations {
            eval.evaluate(|s| mdp.successor(policy[s]), &r, gamma, &mut v);
            stats.iterations += 1;
            stats.updates += mdp.n_state_actions() as u64;
            let mut changed = false;
            for s in 0..n {
                let current = v[mdp.successor(policy[s])];
                let margin = 1e-12 * current.abs().max(1.0);
                for a in mdp.actions(s) {
                    if v[mdp.successor(a)] > v[mdp.successor(policy[s])] + margin {
                        policy[s] = a;
                        changed = true;
                    }
                }
            }
            if !changed {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(Error::invalid(format!(
                "policy iteration did not converge within {} steps",
                opts.max_iterations
            )));
        }
        for s in 0..n {
            values[s * batch + j] = v[s];
        }
    }
    Ok(stats)
}

/// Exact evaluation of a deterministic stationary policy: each state's path
/// ends in a cycle, whose discounted value has a closed form.
struct FunctionalGraph {
    state: Vec<u8>, // 0 new, 1 on the current path, 2 done
    path: Vec<usize>,
}

impl FunctionalGraph {
    fn new(n: usize) -> Self {
        FunctionalGraph {
            state: vec![0; n],
            path: Vec::new(),
        }
    }

    fn evaluate(&mut self, next: impl Fn(usize) -> usize, r: &[f64], gamma: f64, v: &mut [f64]) {
        self.state.fill(0);
        for start in 0..r.len() {
            if self.state[start] == 2 {
                continue;
            }
            self.path.clear();
            let mut s = start;
            while self.state[s] == 0 {
                self.state[s] = 1;
                self.path.push(s);
                s = next(s);
            }
            let mut tail_end = self.path.len();
            if self.state[s] == 1 {
                // `s` starts a cycle that occupies the end of the path.
                let at = self.path.iter().position(|&x| x == s).expect("on path");
                let cycle = &self.path[at..];
                let (mut sum, mut discount) = (0.0, 1.0);
                for &c in cycle {
                    sum += discount * r[c];
                    discount *= gamma;
                }
                v[s] = sum / (1.0 - discount);
                for &c in cycle[1..].iter().rev() {
                    v[c] = r[c] + gamma * v[next(c)];
                }
                for &c in cycle {
                    self.state[c] = 2;
                }
                tail_end = at;
            }
            for &c in self.path[..tail_end].iter().rev() {
                v[c] = r[c] + gamma * v[next(c)];
                self.state[c] = 2;
            }
        }
    }
}

/// Strongly connected components of a deterministic MDP's transition graph,
/// in reverse topological order (every edge leaving a component points to an
/// earlier one).
#[derive(Debug)]
struct Components {
    of_state: Vec<usize>,
    members: Vec<Vec<usize>>,
    /// Per component that needs a cycle mean: its edges in local indices
    /// (offsets, successors); empty otherwise.
    local_edges: Vec<(Vec<usize>, Vec<usize>)>,
    /// Every member has a self-loop action.
    all_self_loops: Vec<bool>,
    has_cycle: Vec<bool>,
}

impl Components {
    fn new(mdp: &Mdp) -> Self {
        let n = mdp.n_states();
        let succ = |s: usize| mdp.actions(s).map(move |a| mdp.successor(a));
        // Iterative Tarjan (no recursion: state spaces reach millions).
        let mut index = vec![usize::MAX; n];
        let mut low = vec![0; n];
        let mut on_stack = vec![false; n];
        let mut stack = Vec::new();
        let mut of_state = vec![usize::MAX; n];
        let mut members = Vec::new();
        let mut counter = 0;
        let mut call: Vec<(usize, usize)> = Vec::new(); // (state, next action offset)
        for root in 0..n {
            if index[root] != usize::MAX {
                continue;
            }
            call.push((root, 0));
            while let Some(&mut (s, ref mut k)) = call.last_mut() {
                if *k == 0 {
                    index[s] = counter;
                    low[s] = counter;
                    counter += 1;
                    stack.push(s);
                    on_stack[s] = true;
                }
                let acts = mdp.actions(s);
                if *k < acts.len() {
                    let t = mdp.successor(acts.start + *k);
                    *k += 1;
                    if index[t] == usize::MAX {
                        call.push((t, 0));
                    } else if on_stack[t] {
                        low[s] = low[s].min(index[t]);
                    }
                    continue;
                }
                call.pop();
                if let Some(&(parent, _)) = call.last() {
                    low[parent] = low[parent].min(low[s]);
                }
                if low[s] == index[s] {
                    let id = members.len();
                    let mut comp = Vec::new();
                    while let Some(x) = stack.pop() {
                        on_stack[x] = false;
                        of_state[x] = id;
                        comp.push(x);
                        if x == s {
                            break;
                        }
                    }
                    members.push(comp);
                }
            }
        }
        let self_loop = |s: usize| succ(s).any(|t| t == s);
        let all_self_loops: Vec<bool> = members.iter().map(|c| c.iter().all(|&s| self_loop(s))).collect();
        let has_cycle: Vec<bool> = members.iter().map(|c| c.len() > 1 || self_loop(c[0])).collect();
        let mut local = vec![0; n];
        for comp in &members {
            for (i, &s) in comp.iter().enumerate() {
                local[s] = i;
            }
        }
        let local_edges = members
            .iter()
            .enumerate()
            .map(|(c, comp)| {
                let (mut start, mut next) = (vec![0], Vec::new());
                if has_cycle[c] && !all_self_loops[c] {
                    for &s in comp {
                        next.extend(succ(s).filter(|&t| of_state[t] == c).map(|t| local[t]));
                        start.push(next.len());
                    }
                }
                (start, next)
            })
            .collect();
        Components {
            of_state,
            members,
            local_edges,
            all_self_loops,
            has_cycle,
        }
    }

    /// `g*(s)`: the largest mean reward of a cycle reachable from `s`.
    fn best_average_reward(&self, mdp: &Mdp, r: &[f64]) -> Vec<f64> {
        let mut best = vec![f64::NEG_INFINITY; self.members.len()];
        for (c, comp) in self.members.iter().enumerate() {
            let mut g = if !self.has_cycle[c] {
                f64::NEG_INFINITY
            } else if self.all_self_loops[c] {
                comp.iter().map(|&s| r[s]).fold(f64::NEG_INFINITY, f64::max)
            } else {
                self.max_mean_cycle(c, r)
            };
            for &s in comp {
                for a in mdp.actions(s) {
                    let d = self.of_state[mdp.successor(a)];
                    if d != c {
                        g = g.max(best[d]);
                    }
                }
            }
            best[c] = g;
        }
        self.of_state.iter().map(|&c| best[c]).collect()
    }

    /// The maximum mean cycle within component `c` (edge weight = reward of
    /// its tail), by Howard's policy iteration ([`super::mean_payoff`]).
    fn max_mean_cycle(&self, c: usize, r: &[f64]) -> f64 {
        let (start, succ) = &self.local_edges[c];
        let reward: Vec<f64> = self.members[c].iter().map(|&s| r[s]).collect();
        super::mean_payoff::max_mean_cycle(&super::mean_payoff::Component {
            start,
            succ,
            reward: &reward,
        })
    }
}

/// Optimal values `V*_R` of a single reward function (convenience wrapper).
pub fn optimal_values(mdp: &Mdp, gamma: f64, rewards: &[f64], options: SolverOptions) -> Result<Vec<f64>> {
    let solver = Solver::new(mdp, Horizon::Discounted(gamma), options)?;
    let mut v = vec![0.0; rewards.len()];
    solver.solve(rewards, 1, &mut v)?;
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdp::{gridworld, MdpBuilder};

    fn chain(n: usize) -> Mdp {
        // 0 → 1 → ... → n-1 (absorbing)
        let mut b = MdpBuilder::with_states(n);
        for s in 0..n {
            b.add_action(s, "next", &[((s + 1).min(n - 1), 1.0)]).unwrap();
        }
        b.build().unwrap()
    }

    #[test]
    fn chain_values_have_closed_form() {
        let m = chain(4);
        let r = [1.0, 2.0, 3.0, 4.0];
        let g = 0.5;
        for method in [Method::ValueIteration, Method::PolicyIteration] {
            let v = optimal_values(
                &m,
                g,
                &r,
                SolverOptions {
                    method,
                    tolerance: 1e-12,
                    ..Default::default()
                },
            )
            .unwrap();
            let v3 = 4.0 / (1.0 - g);
            let expected = [
                1.0 + g * (2.0 + g * (3.0 + g * v3)),
                2.0 + g * (3.0 + g * v3),
                3.0 + g * v3,
                v3,
            ];
            for (a, b) in v.iter().zip(expected) {
                assert!((a - b).abs() < 1e-10, "{method:?}: {v:?}");
            }
        }
    }

    #[test]
    fn one_limit_is_best_reachable_cycle_mean() {
        // A 2-cycle 0 ↔ 1 with no self-loops, a branch 0 → 2 (absorbing).
        let mut b = MdpBuilder::with_states(3);
        b.add_action(0, "a", &[(1, 1.0)]).unwrap();
        b.add_action(0, "b", &[(2, 1.0)]).unwrap();
        b.add_action(1, "a", &[(0, 1.0)]).unwrap();
        b.add_action(2, "stay", &[(2, 1.0)]).unwrap();
        let m = b.build().unwrap();
        let s = Solver::new(&m, Horizon::OneLimit, SolverOptions::default()).unwrap();
        let mut out = vec![0.0; 3];
        s.solve(&[1.0, 0.0, 0.4], 1, &mut out).unwrap();
        assert_eq!(out, vec![0.5, 0.5, 0.4]);
        s.solve(&[1.0, 0.0, 0.7], 1, &mut out).unwrap();
        assert_eq!(out, vec![0.7, 0.7, 0.7]);
    }

    #[test]
    fn discounted_values_approach_the_limits() {
        let m = gridworld::parse("stay = false\n...\n.#.\n..T\n", "g").unwrap();
        let r: Vec<f64> = (0..m.n_states()).map(|s| ((s * 37) % 11) as f64 / 11.0).collect();
        let opts = SolverOptions {
            method: Method::PolicyIteration,
            tolerance: 1e-12,
            ..Default::default()
        };
        let near_one = optimal_values(&m, 1.0 - 1e-7, &r, opts).unwrap();
        let s = Solver::new(&m, Horizon::OneLimit, opts).unwrap();
        let mut g = vec![0.0; r.len()];
        s.solve(&r, 1, &mut g).unwrap();
        for (v, g) in near_one.iter().zip(&g) {
            assert!((v * 1e-7 - g).abs() < 1e-5, "{v} vs {g}");
        }
    }

    #[test]
    fn bad_gamma_is_an_error() {
        let m = chain(2);
        for g in [0.0, 1.0, -0.5, f64::NAN] {
            assert!(Solver::new(&m, Horizon::Discounted(g), SolverOptions::default()).is_err());
        }
    }
}

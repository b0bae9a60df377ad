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
//! **Policy iteration** (deterministic MDPs) evaluates each policy exactly by
//! following its functional graph to the cycle it ends in, so it is exact up to
//! rounding and its cost does not grow as `γ → 1`.
//!
//! **The `γ → 1` limit** (deterministic MDPs): the best average reward reachable
//! from `s` is the largest mean reward of a cycle reachable from `s`: per
//! strongly connected component, the maximum mean cycle (Karp's algorithm, or
//! simply the largest reward when every state has a self-loop), propagated
//! backwards over the component DAG.

use crate::error::{Error, Result};
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
    /// only, exact up to rounding and fast as `γ → 1`.
    PolicyIteration,
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
}

impl Default for SolverOptions {
    fn default() -> Self {
        SolverOptions {
            method: Method::ValueIteration,
            tolerance: 1e-6,
            max_iterations: 1_000_000,
        }
    }
}

/// What one batch solve did.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SolveStats {
    /// Sweeps (value iteration) or improvement steps (policy iteration).
    pub iterations: usize,
    /// State-action-sample backups performed.
    pub updates: u64,
}

/// A solver prepared for one MDP and horizon; reusable across batches.
#[derive(Debug)]
pub struct Solver<'a> {
    mdp: &'a Mdp,
    horizon: Horizon,
    options: SolverOptions,
    components: Option<Components>,
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
        Ok(Solver {
            mdp,
            horizon,
            options,
            components,
        })
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

    /// Solve a batch: `rewards` and `values` are `n_states × batch`, state-major.
    pub fn solve(&self, rewards: &[f64], batch: usize, values: &mut [f64]) -> Result<SolveStats> {
        let n = self.mdp.n_states();
        assert_eq!(rewards.len(), n * batch);
        assert_eq!(values.len(), n * batch);
        match self.horizon {
            Horizon::ZeroLimit => {
                values.copy_from_slice(rewards);
                Ok(SolveStats::default())
            }
            Horizon::OneLimit => {
                let comps = self.components.as_ref().expect("prepared in new");
                for j in 0..batch {
                    let r: Vec<f64> = (0..n).map(|s| rewards[s * batch + j]).collect();
                    let g = comps.best_average_reward(self.mdp, &r);
                    for s in 0..n {
                        values[s * batch + j] = g[s];
                    }
                }
                Ok(SolveStats::default())
            }
            Horizon::Discounted(g) => match self.options.method {
                Method::ValueIteration => value_iteration(self.mdp, g, rewards, batch, values, &self.options),
                Method::PolicyIteration => policy_iteration(self.mdp, g, rewards, batch, values, &self.options),
            },
        }
    }
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

/// Samples solved together by the value-iteration kernel: one cache line of f64.
const LANES: usize = 8;

/// The values of one state for [`LANES`] samples, aligned to a cache line so a
/// backup touches exactly one line per successor.
#[derive(Clone, Copy, Debug)]
#[repr(C, align(64))]
struct Lanes([f64; LANES]);

impl Lanes {
    const NEG_INFINITY: Lanes = Lanes([f64::NEG_INFINITY; LANES]);
    #[inline(always)]
    fn max_assign(&mut self, other: &Lanes) {
        for (b, &x) in self.0.iter_mut().zip(&other.0) {
            // `if` rather than f64::max: compiles to a plain vector max.
            *b = if x > *b { x } else { *b };
        }
    }
}

/// `max_a Σ_s' T(s'|s,a) V(s')` for one state, all lanes at once.
#[inline(always)]
fn best_backup(mdp: &Mdp, det: Option<&[u32]>, v: &[Lanes], s: usize) -> Lanes {
    let mut best = Lanes::NEG_INFINITY;
    match det {
        Some(next) => {
            for &t in &next[mdp.actions(s)] {
                best.max_assign(&v[t as usize]);
            }
        }
        None => {
            for a in mdp.actions(s) {
                let (next, prob) = mdp.successors(a);
                let mut q = Lanes([0.0; LANES]);
                for (&t, &p) in next.iter().zip(prob) {
                    for (o, &x) in q.0.iter_mut().zip(&v[t as usize].0) {
                        *o += p * x;
                    }
                }
                best.max_assign(&q);
            }
        }
    }
    best
}

/// One Gauss–Seidel sweep over `order`; returns the largest change.
#[inline(always)]
fn sweep(
    mdp: &Mdp,
    det: Option<&[u32]>,
    gamma: f64,
    r: &[Lanes],
    v: &mut [Lanes],
    order: impl Iterator<Item = usize>,
) -> f64 {
    let mut delta = Lanes([0.0; LANES]);
    for s in order {
        let best = best_backup(mdp, det, v, s);
        let (old, r) = (&mut v[s].0, &r[s].0);
        for i in 0..LANES {
            let new = r[i] + gamma * best.0[i];
            let diff = (new - old[i]).abs();
            delta.0[i] = if diff > delta.0[i] { diff } else { delta.0[i] };
            old[i] = new;
        }
    }
    delta.0.iter().fold(0.0, |a, &b| a.max(b))
}

fn value_iteration(
    mdp: &Mdp,
    gamma: f64,
    rewards: &[f64],
    batch: usize,
    values: &mut [f64],
    opts: &SolverOptions,
) -> Result<SolveStats> {
    let n = mdp.n_states();
    let threshold = opts.tolerance / gamma;
    let det = mdp.deterministic_successors();
    let mut stats = SolveStats::default();
    // Solve blocks of LANES samples, each in its own state × lane layout that
    // stays in cache; missing lanes of the last block are padded with zeros.
    let mut r = vec![Lanes([0.0; LANES]); n];
    let mut v = vec![Lanes([0.0; LANES]); n];
    for first in (0..batch).step_by(LANES) {
        let width = LANES.min(batch - first);
        for s in 0..n {
            r[s] = Lanes([0.0; LANES]);
            r[s].0[..width].copy_from_slice(&rewards[s * batch + first..s * batch + first + width]);
            // Start from the value of collecting the current reward forever:
            // exact for states whose best move is to stay.
            for i in 0..LANES {
                v[s].0[i] = r[s].0[i] / (1.0 - gamma);
            }
        }
        let mut converged = false;
        for iteration in 1..=opts.max_iterations {
            // Alternate directions so values flow both ways through the state order.
            let delta = if iteration % 2 == 1 {
                sweep(mdp, det, gamma, &r, &mut v, 0..n)
            } else {
                sweep(mdp, det, gamma, &r, &mut v, (0..n).rev())
            };
            stats.iterations += 1;
            stats.updates += (mdp.n_state_actions() * width) as u64;
            if !delta.is_finite() {
                return Err(Error::invalid(
                    "value iteration diverged (non-finite values): check the rewards",
                ));
            }
            if delta <= threshold {
                converged = true;
                break;
            }
        }
        if !converged {
            return Err(Error::invalid(format!(
                "max_iterations: value iteration did not reach tolerance {} within {} sweeps; allow more sweeps, \
                 or use policy iteration (method pi) on a deterministic MDP",
                opts.tolerance, opts.max_iterations
            )));
        }
        for s in 0..n {
            values[s * batch + first..s * batch + first + width].copy_from_slice(&v[s].0[..width]);
        }
    }
    Ok(stats)
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

//! Values at a belief for one reward function (docs/theory.md §12.2–12.3).
//!
//! Rewards are per state, received on entering it: the value of a policy is
//! `E[Σ_{u≥0} γ^u R(s_{u+1})]`, so action `a` from belief `b` earns
//! `(bT_a) · R` in expectation, and the Bellman equation is
//! `W(b) = max_a [ (bT_a) · R + γ Σ_o P(o | b, a) W(b'_{a,o}) ]`.
//!
//! - [`BeliefTree`]: the beliefs reachable from a start belief within a
//!   number of steps, with their observation probabilities. Beliefs of one
//!   depth whose entries all round to the same multiple of
//!   [`MERGE_GRID`] are merged (a change of the value by at most
//!   `|S| · MERGE_GRID` times the largest value, per depth).
//! - Finite horizon ([`finite_values`]): backward induction over the whole
//!   tree, exact up to rounding and merging.
//! - Discounted ([`Bracket`]): a lower bound from point-based value
//!   iteration (every α-vector is the value of a conditional plan, so it is
//!   below the optimum) and an upper bound from the fast informed bound,
//!   both improved by backing them up through the tree from the leaves.

use crate::error::{Error, Result};
use crate::progress::{self, Progress};

use super::{split, Pomdp};

/// Beliefs of one depth that agree on every entry after rounding to a multiple
/// of this are merged into one node.
pub const MERGE_GRID: f64 = 1e-12;

/// A bound at a belief, used at the leaves of [`BeliefTree::back_up`].
pub type LeafValue<'a> = &'a dyn Fn(&[f64]) -> f64;

/// Per action: `bT_a` and the `(P(o | b, a), posterior)` of each observation of positive probability.
type Steps = Vec<(Vec<f64>, Vec<(f64, Vec<f64>)>)>;

/// One belief of a [`BeliefTree`].
#[derive(Clone, Debug)]
pub struct Node {
    /// The belief.
    pub belief: Vec<f64>,
    /// Its depth (steps from the start belief).
    pub depth: usize,
    /// Per action `a`, the next-state distribution `bT_a`.
    pub next: Vec<Vec<f64>>,
    /// Per action, `(observation, P(o | b, a), child node)` for the
    /// observations of positive probability; empty at the last depth.
    pub children: Vec<Vec<(usize, f64, usize)>>,
}

/// The beliefs reachable from a start belief in `0..=depth` steps.
#[derive(Clone, Debug)]
pub struct BeliefTree {
    /// Nodes in order of depth; node 0 is the start belief.
    pub nodes: Vec<Node>,
    /// The deepest level built (its nodes have no children).
    pub depth: usize,
    /// Whether two beliefs were ever merged by [`MERGE_GRID`] rounding
    /// without being bit-for-bit equal.
    pub merged: bool,
}

fn key(b: &[f64]) -> Vec<i64> {
    b.iter().map(|x| (x / MERGE_GRID).round() as i64).collect()
}

impl BeliefTree {
    /// Expand `start` for `depth` steps. More than `max_nodes` beliefs is an
    /// error naming the depth reached (before the memory is used), unless
    /// `truncate`: then the tree stops at the last depth that fits (but has
    /// depth 1 at least when `depth ≥ 1`, whatever its size).
    pub fn build(
        m: &Pomdp,
        start: &[f64],
        depth: usize,
        max_nodes: usize,
        truncate: bool,
        progress: &dyn Progress,
    ) -> Result<Self> {
        let (n, na, k) = (m.n_states(), m.n_actions(), m.n_observations());
        let node_bytes = 8.0 * (n as f64 * (na as f64 + 1.0)) + 24.0 * (na * k) as f64;
        let leaf = |belief: Vec<f64>, depth: usize| Node {
            next: (0..na).map(|a| m.predict(&belief, a)).collect(),
            children: vec![Vec::new(); na],
            belief,
            depth,
        };
        let mut nodes = vec![leaf(start.to_vec(), 0)];
        let mut merged = false;
        let mut level = 0..1;
        let mut reached = 0;
        for d in 0..depth {
            progress::check(progress)?;
            if level.is_empty() {
                break;
            }
            let upper = nodes.len() as f64 + level.len() as f64 * (na * k) as f64;
            crate::resources::check(upper * node_bytes, || {
                format!("the beliefs reachable in {} steps (up to {upper:.0})", d + 1)
            })?;
            let mut index: std::collections::HashMap<Vec<i64>, usize> = std::collections::HashMap::new();
            let first_new = nodes.len();
            for i in level.clone() {
                for a in 0..na {
                    let outcomes = split(m, &nodes[i].next[a], a);
                    for (o, out) in outcomes.into_iter().enumerate() {
                        let Some((p, post)) = out else { continue };
                        let child = match index.get(&key(&post)) {
                            Some(&c) => {
                                merged |= nodes[c].belief != post;
                                c
                            }
                            None => {
                                if nodes.len() >= max_nodes && !(truncate && d == 0) {
                                    if truncate {
                                        return Ok(Self::cut(nodes, reached, merged));
                                    }
                                    return Err(Error::invalid(format!(
                                        "more than {max_nodes} beliefs are reachable within {} steps; \
                                         ask for a shorter horizon or depth, or allow more beliefs",
                                        d + 1
                                    )));
                                }
                                index.insert(key(&post), nodes.len());
                                nodes.push(leaf(post, d + 1));
                                nodes.len() - 1
                            }
                        };
                        nodes[i].children[a].push((o, p, child));
                    }
                }
            }
            level = first_new..nodes.len();
            reached = d + 1;
        }
        Ok(BeliefTree {
            nodes,
            depth: reached,
            merged,
        })
    }

    /// The tree of `nodes` up to depth `depth` (deeper nodes and links to them dropped).
    fn cut(mut nodes: Vec<Node>, depth: usize, merged: bool) -> Self {
        nodes.retain(|n| n.depth <= depth);
        for node in nodes.iter_mut().filter(|n| n.depth == depth) {
            node.children.iter_mut().for_each(Vec::clear);
        }
        BeliefTree { nodes, depth, merged }
    }

    /// Back values up from the deepest level to the start belief: a node's
    /// action values are `(bT_a) · R + γ Σ_o P(o) W(child)`; `W` of a node is
    /// `combine(node, max_a Q)` (leaves: `combine(node, max_a (bT_a)·R)` when
    /// `leaf` is `None`, else `leaf(node)`). Returns the start belief's action values.
    pub fn back_up(
        &self,
        reward: &[f64],
        gamma: f64,
        leaf: Option<LeafValue>,
        combine: &dyn Fn(&[f64], f64) -> f64,
    ) -> Vec<f64> {
        let mut w = vec![0.0; self.nodes.len()];
        let mut root = Vec::new();
        for i in (0..self.nodes.len()).rev() {
            let node = &self.nodes[i];
            if node.depth == self.depth {
                if let Some(f) = leaf {
                    w[i] = f(&node.belief);
                    continue;
                }
            }
            let q: Vec<f64> = node
                .next
                .iter()
                .zip(&node.children)
                .map(|(next, kids)| dot(next, reward) + gamma * kids.iter().map(|&(_, p, c)| p * w[c]).sum::<f64>())
                .collect();
            w[i] = combine(&node.belief, q.iter().copied().fold(f64::NEG_INFINITY, f64::max));
            if i == 0 {
                root = q;
            }
        }
        root
    }
}

/// `Σ x_i y_i`.
pub fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

/// The finite-horizon action values at the tree's start belief:
/// `Q_H(b, a) = max over policies of E[Σ_{u<H} γ^u R(s_{u+1})]` after first
/// taking `a`, for `H = tree.depth + 1`.
pub fn finite_values(tree: &BeliefTree, reward: &[f64], gamma: f64) -> Vec<f64> {
    tree.back_up(reward, gamma, None, &|_, v| v)
}

/// Expected next reward of each state and action: `r_a(s) = Σ_{s'} T(s' | s, a) R(s')`, as `[a][s]`.
pub fn state_action_rewards(m: &Pomdp, reward: &[f64]) -> Vec<Vec<f64>> {
    (0..m.n_actions())
        .map(|a| (0..m.n_states()).map(|s| dot(m.transition_row(a, s), reward)).collect())
        .collect()
}

/// `M[a][o][s][s'] = T(s' | s, a) O(o | s', a)`, flattened as `((a·k + o)·n + s)·n + s'`.
pub fn joint(m: &Pomdp) -> Vec<f64> {
    let (n, na, k) = (m.n_states(), m.n_actions(), m.n_observations());
    let mut out = vec![0.0; na * k * n * n];
    for a in 0..na {
        for o in 0..k {
            for s in 0..n {
                for (t, &p) in m.transition_row(a, s).iter().enumerate() {
                    out[((a * k + o) * n + s) * n + t] = p * m.observation_row(a, t)[o];
                }
            }
        }
    }
    out
}

/// `Σ_{s'} M[a][o][s][s'] α(s')` for every `s`.
fn project(joint: &[f64], n: usize, k: usize, a: usize, o: usize, alpha: &[f64]) -> Vec<f64> {
    (0..n)
        .map(|s| dot(&joint[((a * k + o) * n + s) * n..((a * k + o) * n + s + 1) * n], alpha))
        .collect()
}

/// Point-based backups between two evaluations of the lower bound at the start belief.
const CHECK_EVERY: usize = 5;

/// Options of the discounted bracket.
#[derive(Clone, Debug)]
pub struct BracketOptions {
    /// Stop when `(1 − γ)(upper − lower)` at the start belief is at most this.
    pub tolerance: f64,
    /// Most point-based backups (and fast-informed-bound sweeps).
    pub max_iterations: usize,
    /// Beliefs used as points of the point-based backups (the shallowest of the tree).
    pub points: usize,
}

/// Lower and upper bounds on the optimal discounted values at the start belief.
#[derive(Clone, Debug, PartialEq)]
pub struct Bounds {
    /// Per action: lower bound on `Q*(b, a)`.
    pub lower: Vec<f64>,
    /// Per action: upper bound on `Q*(b, a)`.
    pub upper: Vec<f64>,
    /// Point-based backups done.
    pub iterations: usize,
}

impl Bounds {
    /// Lower bound on `W*(b) = max_a Q*(b, a)`.
    pub fn value_lower(&self) -> f64 {
        self.lower.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
    /// Upper bound on `W*(b)`.
    pub fn value_upper(&self) -> f64 {
        self.upper.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// The reward-independent parts of the discounted bracket of one POMDP and start belief.
pub struct Bracket<'a> {
    m: &'a Pomdp,
    tree: &'a BeliefTree,
    joint: Vec<f64>,
    points: Vec<Vec<f64>>,
    /// Per point and action: `bT_a` and the `(P(o | b, a), posterior)` of each possible observation.
    point_steps: Vec<Steps>,
    gamma: f64,
    opts: BracketOptions,
}

/// The sawtooth upper bound at `b` from upper bounds `corner[s] ≥ W*(e_s)`
/// and `values[i] ≥ W*(points[i])`: the least, over the points, of the
/// corner interpolation lowered by the point's excess scaled by
/// `min_s b(s) / points[i](s)` (the largest multiple of the point inside `b`).
fn sawtooth(b: &[f64], corner: &[f64], points: &[Vec<f64>], values: &[f64], point_corner: &[f64]) -> f64 {
    let base = dot(b, corner);
    let mut best = base;
    for ((p, &v), &pc) in points.iter().zip(values).zip(point_corner) {
        let ratio = p
            .iter()
            .zip(b)
            .filter(|(&x, _)| x > 0.0)
            .map(|(&x, &y)| y / x)
            .fold(f64::INFINITY, f64::min);
        if ratio.is_finite() {
            best = best.min(base + ratio * (v - pc));
        }
    }
    best
}

impl<'a> Bracket<'a> {
    /// Prepare the bracket at discount `gamma ∈ (0, 1)` over the lookahead
    /// `tree`; the points of the backups are the first `opts.points` beliefs
    /// reachable from the tree's start belief, nearest first.
    pub fn new(
        m: &'a Pomdp,
        tree: &'a BeliefTree,
        gamma: f64,
        opts: BracketOptions,
        progress: &dyn Progress,
    ) -> Result<Self> {
        let start = &tree.nodes[0].belief;
        let reach = BeliefTree::build(m, start, usize::MAX, opts.points.max(2), true, progress)?;
        let points: Vec<Vec<f64>> = reach
            .nodes
            .iter()
            .take(opts.points.max(1))
            .map(|n| n.belief.clone())
            .collect();
        let point_steps = points
            .iter()
            .map(|b| {
                (0..m.n_actions())
                    .map(|a| {
                        let next = m.predict(b, a);
                        let kids = split(m, &next, a).into_iter().flatten().collect();
                        (next, kids)
                    })
                    .collect()
            })
            .collect();
        Ok(Bracket {
            m,
            tree,
            joint: joint(m),
            points,
            point_steps,
            gamma,
            opts,
        })
    }

    /// Fast informed bound: `Q(s, a) = r_a(s) + γ Σ_o max_{a'} Σ_{s'} T(s'|s,a) O(o|s',a) Q(s', a')`,
    /// iterated down from `max r / (1 − γ)`; every iterate is an upper bound on `Q*`. As `[a][s]`.
    pub fn fast_informed_bound(&self, r: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let (n, na, k, g) = (
            self.m.n_states(),
            self.m.n_actions(),
            self.m.n_observations(),
            self.gamma,
        );
        let top = r.iter().flatten().copied().fold(f64::NEG_INFINITY, f64::max) / (1.0 - g);
        let mut q = vec![vec![top; n]; na];
        let scale = r
            .iter()
            .flatten()
            .fold(0.0f64, |m, x| m.max(x.abs()))
            .max(f64::MIN_POSITIVE);
        for _ in 0..self.opts.max_iterations.max(1) {
            let proj: Vec<Vec<Vec<f64>>> = (0..na)
                .map(|a| {
                    (0..k)
                        .map(|o| (0..na).flat_map(|b| project(&self.joint, n, k, a, o, &q[b])).collect())
                        .collect()
                })
                .collect();
            let mut change = 0.0f64;
            let mut new = vec![vec![0.0; n]; na];
            for a in 0..na {
                for s in 0..n {
                    let future: f64 = (0..k)
                        .map(|o| (0..na).map(|b| proj[a][o][b * n + s]).fold(f64::NEG_INFINITY, f64::max))
                        .sum();
                    // Never above the previous iterate (the sequence decreases; this keeps rounding from raising it).
                    new[a][s] = (r[a][s] + g * future).min(q[a][s]);
                    change = change.max(q[a][s] - new[a][s]);
                }
            }
            q = new;
            if g * change <= 1e-3 * self.opts.tolerance * scale.min(1.0) {
                break;
            }
        }
        q
    }

    /// Bracket `Q*(b, ·)` at the start belief for the state rewards `reward`.
    pub fn solve(&self, reward: &[f64], progress: &dyn Progress) -> Result<Bounds> {
        let (n, na, g) = (self.m.n_states(), self.m.n_actions(), self.gamma);
        let r = state_action_rewards(self.m, reward);
        let fib = self.fast_informed_bound(&r);
        let fib_at = |b: &[f64]| (0..na).map(|a| dot(b, &fib[a])).fold(f64::NEG_INFINITY, f64::max);
        // Sawtooth: corners and point values start at the fast informed bound.
        let corner: Vec<f64> = (0..n)
            .map(|s| (0..na).map(|a| fib[a][s]).fold(f64::NEG_INFINITY, f64::max))
            .collect();
        let point_corner: Vec<f64> = self.points.iter().map(|p| dot(p, &corner)).collect();
        let mut values: Vec<f64> = self.points.iter().map(|p| fib_at(p)).collect();
        let bottom = r.iter().flatten().copied().fold(f64::INFINITY, f64::min) / (1.0 - g);
        let mut alphas: Vec<Vec<f64>> = vec![vec![bottom; n]];
        let mut lower = vec![f64::NEG_INFINITY; na];
        let mut upper = vec![f64::INFINITY; na];
        let target = self.opts.tolerance / (1.0 - g);
        let mut iterations = 0;
        let mut last_gap = f64::INFINITY;
        loop {
            let upper_at = |b: &[f64]| fib_at(b).min(sawtooth(b, &corner, &self.points, &values, &point_corner));
            let now = self.tree.back_up(reward, g, Some(&upper_at), &|_, v| v);
            for (u, x) in upper.iter_mut().zip(now) {
                *u = u.min(x);
            }
            let lower_at = |b: &[f64]| alphas.iter().map(|al| dot(b, al)).fold(f64::NEG_INFINITY, f64::max);
            let now = self.tree.back_up(reward, g, Some(&lower_at), &|_, v| v);
            for (l, x) in lower.iter_mut().zip(now) {
                *l = l.max(x);
            }
            let gap = max(&upper) - max(&lower);
            // Stop at the tolerance, the budget, or when a round of backups no longer narrows the gap.
            if gap <= target || iterations >= self.opts.max_iterations || last_gap - gap <= 1e-3 * target {
                break;
            }
            last_gap = gap;
            progress::check(progress)?;
            for _ in 0..CHECK_EVERY.min(self.opts.max_iterations - iterations) {
                alphas = self.backup(&alphas, &r);
                self.upper_backup(reward, &corner, &point_corner, &mut values, &fib_at);
                iterations += 1;
            }
        }
        Ok(Bounds {
            lower,
            upper,
            iterations,
        })
    }

    /// One sweep of upper-bound backups at every point (Gauss–Seidel):
    /// `v_i ← min(v_i, max_a [(b_iT_a)·R + γ Σ_o P(o) U(b'_{a,o})])` with `U`
    /// the smaller of the fast informed bound and the sawtooth.
    fn upper_backup(
        &self,
        reward: &[f64],
        corner: &[f64],
        point_corner: &[f64],
        values: &mut [f64],
        fib_at: &dyn Fn(&[f64]) -> f64,
    ) {
        for i in 0..self.points.len() {
            let best = self.point_steps[i]
                .iter()
                .map(|(next, kids)| {
                    dot(next, reward)
                        + self.gamma
                            * kids
                                .iter()
                                .map(|(p, post)| {
                                    p * fib_at(post).min(sawtooth(post, corner, &self.points, values, point_corner))
                                })
                                .sum::<f64>()
                })
                .fold(f64::NEG_INFINITY, f64::max);
            values[i] = values[i].min(best);
        }
    }

    /// One point-based backup of the α-vectors at every point.
    fn backup(&self, alphas: &[Vec<f64>], r: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let (n, na, k, g) = (
            self.m.n_states(),
            self.m.n_actions(),
            self.m.n_observations(),
            self.gamma,
        );
        // proj[(a * k + o) * |Γ| + i] = Σ_{s'} M[a][o][·][s'] α_i(s')
        let proj: Vec<Vec<f64>> = (0..na)
            .flat_map(|a| (0..k).flat_map(move |o| alphas.iter().map(move |al| (a, o, al))))
            .map(|(a, o, al)| project(&self.joint, n, k, a, o, al))
            .collect();
        let mut out: Vec<Vec<f64>> = Vec::new();
        for b in &self.points {
            let mut best: Option<(f64, Vec<f64>)> = None;
            for a in 0..na {
                let mut v = r[a].clone();
                for o in 0..k {
                    let row = &proj[(a * k + o) * alphas.len()..(a * k + o + 1) * alphas.len()];
                    let mut pick = &row[0];
                    let mut pick_value = f64::NEG_INFINITY;
                    for x in row {
                        let value = dot(b, x);
                        if value > pick_value {
                            (pick, pick_value) = (x, value);
                        }
                    }
                    v.iter_mut().zip(pick).for_each(|(x, p)| *x += g * p);
                }
                let value = dot(b, &v);
                if best.as_ref().is_none_or(|(bv, _)| value > *bv) {
                    best = Some((value, v));
                }
            }
            let (_, v) = best.expect("at least one action");
            if !out.contains(&v) {
                out.push(v);
            }
        }
        out
    }
}

fn max(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

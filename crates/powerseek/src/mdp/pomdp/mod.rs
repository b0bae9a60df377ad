//! Partially observable MDPs: an [`Mdp`] whose state the agent does not see,
//! only an observation drawn from `O(o | s', a)` after each step, and a start
//! belief (docs/theory.md §12).
//!
//! The model is dense (small POMDPs: every table is `|A| × |S| × |S|` and
//! `|A| × |S| × |O|`), every state offers the same actions (as in Cassandra's
//! format) and beliefs are probability vectors over states. The solvers live
//! in [`solve`]; POWER at a belief in [`power`]; observation-based policies
//! and their outcomes for retargetability in [`policies`].

pub mod policies;
pub mod power;
pub mod solve;

use std::path::Path;

use super::cassandra::{self, ObservationTable};
use super::{Mdp, ROW_SUM_TOLERANCE};
use crate::error::{Error, Result};

/// A POMDP: the fully observed part, the observation model and the start belief.
#[derive(Clone, Debug)]
pub struct Pomdp {
    mdp: Mdp,
    observation_names: Vec<String>,
    /// `trans[(a * n + s) * n + s'] = T(s' | s, a)`.
    trans: Vec<f64>,
    /// `obs[(a * n + s') * k + o] = O(o | s', a)`.
    obs: Vec<f64>,
    start: Vec<f64>,
    n_actions: usize,
}

/// Bytes of the dense tables of a POMDP, to check against the memory limit first.
fn table_bytes(n: usize, actions: usize, observations: usize) -> f64 {
    8.0 * (n as f64) * (actions as f64) * (n as f64 + observations as f64)
}

impl Pomdp {
    /// A POMDP from its fully observed part, `O(o | s', a)` and a start belief.
    /// Every state of `mdp` must offer every action (each label of
    /// [`Mdp::action_names`] once); the belief must be a distribution over states.
    pub fn new(mdp: Mdp, observations: ObservationTable, start: Vec<f64>) -> Result<Pomdp> {
        let n = mdp.n_states();
        let a_count = mdp.action_names().len();
        let k = observations.names.len();
        for s in 0..n {
            let mut labels: Vec<usize> = mdp.actions(s).map(|a| mdp.action_label(a)).collect();
            labels.sort_unstable();
            if labels != (0..a_count).collect::<Vec<_>>() {
                return Err(Error::invalid(format!(
                    "state '{}' does not offer every action ({}) once: a POMDP needs the same actions in every state",
                    mdp.state_name(s),
                    mdp.action_names().join(", ")
                )));
            }
        }
        if observations.probs.len() != a_count * n * k || k == 0 {
            return Err(Error::invalid(format!(
                "observation table has {} entries, expected {a_count} actions × {n} states × {k} observations",
                observations.probs.len()
            )));
        }
        crate::resources::check(table_bytes(n, a_count, k), || {
            format!("a POMDP with {n} states, {a_count} actions and {k} observations (dense tables)")
        })?;
        check_belief(&start, n, "start belief")?;
        let mut trans = vec![0.0; a_count * n * n];
        for s in 0..n {
            for g in mdp.actions(s) {
                let a = mdp.action_label(g);
                let (to, p) = mdp.successors(g);
                for (&t, &q) in to.iter().zip(p) {
                    trans[(a * n + s) * n + t as usize] += q;
                }
            }
        }
        Ok(Pomdp {
            mdp,
            observation_names: observations.names,
            trans,
            obs: observations.probs,
            start,
            n_actions: a_count,
        })
    }

    /// The fully observed POMDP of `mdp`: one observation per state, seen
    /// with certainty (`O(o | s', a) = [o = s']`). The start belief is the
    /// point mass on the MDP's start state, or uniform when it has none.
    pub fn fully_observed(mdp: &Mdp) -> Result<Pomdp> {
        let n = mdp.n_states();
        let a_count = mdp.action_names().len();
        crate::resources::check(table_bytes(n, a_count, n), || {
            format!("the fully observed POMDP of {n} states (dense tables)")
        })?;
        let mut probs = vec![0.0; a_count * n * n];
        for a in 0..a_count {
            for s in 0..n {
                probs[(a * n + s) * n + s] = 1.0;
            }
        }
        let start = match mdp.start() {
            Some(s) => point(n, s),
            None => vec![1.0 / n as f64; n],
        };
        let table = ObservationTable {
            names: mdp.state_names().to_vec(),
            probs,
        };
        Pomdp::new(mdp.clone(), table, start)
    }

    /// A POMDP from Cassandra text; a file without `observations:` is fully
    /// observed ([`Pomdp::fully_observed`]). The start belief is the file's
    /// `start` statement, else uniform (pomdp-solve's default).
    pub fn parse(text: &str, origin: &str) -> Result<Pomdp> {
        Self::from_parsed(cassandra::parse_full(text, origin)?)
    }

    /// Load a `.pomdp`/`.mdp` file (see [`Pomdp::parse`]); any other MDP
    /// file ([`crate::mdp::load`]) is fully observed.
    pub fn load(path: &Path) -> Result<Pomdp> {
        match crate::input::extension(path).as_str() {
            "mdp" | "pomdp" => Self::from_parsed(cassandra::load_full(path)?),
            _ => Pomdp::fully_observed(&super::load(path)?),
        }
    }

    fn from_parsed(parsed: cassandra::Parsed) -> Result<Pomdp> {
        let n = parsed.mdp.n_states();
        let start = parsed.start_belief.unwrap_or_else(|| vec![1.0 / n as f64; n]);
        match parsed.observations {
            Some(table) => Pomdp::new(parsed.mdp, table, start),
            None => Pomdp::fully_observed(&parsed.mdp)?.with_start_belief(start),
        }
    }

    /// The same POMDP starting from `belief` (one probability per state, summing to 1).
    pub fn with_start_belief(mut self, belief: Vec<f64>) -> Result<Pomdp> {
        check_belief(&belief, self.n_states(), "belief")?;
        self.start = belief;
        Ok(self)
    }

    /// The fully observed part (states, actions, transitions, discount).
    pub fn mdp(&self) -> &Mdp {
        &self.mdp
    }
    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.mdp.n_states()
    }
    /// Number of actions (the same in every state).
    pub fn n_actions(&self) -> usize {
        self.n_actions
    }
    /// Number of observations.
    pub fn n_observations(&self) -> usize {
        self.observation_names.len()
    }
    /// The observation names.
    pub fn observation_names(&self) -> &[String] {
        &self.observation_names
    }
    /// The action names, indexed by action.
    pub fn action_names(&self) -> &[String] {
        self.mdp.action_names()
    }
    /// The start belief.
    pub fn start_belief(&self) -> &[f64] {
        &self.start
    }
    /// `T(· | s, a)`, dense over end states.
    pub fn transition_row(&self, a: usize, s: usize) -> &[f64] {
        let n = self.n_states();
        &self.trans[(a * n + s) * n..(a * n + s + 1) * n]
    }
    /// `O(· | s', a)`, one probability per observation.
    pub fn observation_row(&self, a: usize, end: usize) -> &[f64] {
        let (n, k) = (self.n_states(), self.n_observations());
        &self.obs[(a * n + end) * k..(a * n + end + 1) * k]
    }
    /// Every observation is the end state itself, seen with certainty.
    pub fn is_fully_observed(&self) -> bool {
        let (n, k) = (self.n_states(), self.n_observations());
        n == k && (0..self.n_actions).all(|a| (0..n).all(|s| self.observation_row(a, s)[s] == 1.0))
    }

    /// The distribution of the next state after action `a` from belief `b`:
    /// `(bT_a)(s') = Σ_s b(s) T(s' | s, a)`.
    pub fn predict(&self, b: &[f64], a: usize) -> Vec<f64> {
        let n = self.n_states();
        let mut next = vec![0.0; n];
        for (s, &w) in b.iter().enumerate() {
            if w != 0.0 {
                for (x, &t) in next.iter_mut().zip(self.transition_row(a, s)) {
                    *x += w * t;
                }
            }
        }
        next
    }

    /// Bayes' rule after action `a` and observation `o` from belief `b`:
    /// `P(o | b, a) = Σ_{s'} O(o | s', a) (bT_a)(s')` and the posterior
    /// `b'(s') = O(o | s', a) (bT_a)(s') / P(o | b, a)`; `None` when `o`
    /// has probability 0.
    pub fn update(&self, b: &[f64], a: usize, o: usize) -> Option<(f64, Vec<f64>)> {
        split(self, &self.predict(b, a), a).into_iter().nth(o).flatten()
    }
}

/// The observations after action `a` that led to the next-state distribution
/// `next`: per observation its probability and the posterior belief (`None`
/// for observations of probability 0).
pub(crate) fn split(m: &Pomdp, next: &[f64], a: usize) -> Vec<Option<(f64, Vec<f64>)>> {
    (0..m.n_observations())
        .map(|o| {
            let post: Vec<f64> = next
                .iter()
                .enumerate()
                .map(|(s, &x)| x * m.observation_row(a, s)[o])
                .collect();
            let p: f64 = post.iter().sum();
            (p > 0.0).then(|| (p, post.iter().map(|x| x / p).collect()))
        })
        .collect()
}

/// The point mass on state `s` of `n`.
pub(crate) fn point(n: usize, s: usize) -> Vec<f64> {
    let mut b = vec![0.0; n];
    b[s] = 1.0;
    b
}

/// `belief` has one finite non-negative probability per state and sums to 1
/// (within [`ROW_SUM_TOLERANCE`]); `what` names it in the error.
pub fn check_belief(belief: &[f64], n: usize, what: &str) -> Result<()> {
    if belief.len() != n {
        return Err(Error::invalid(format!(
            "{what}: {} probabilities given, expected one per state ({n})",
            belief.len()
        )));
    }
    if let Some(bad) = belief.iter().find(|x| !(x.is_finite() && **x >= 0.0)) {
        return Err(Error::invalid(format!(
            "{what}: probability {bad} is not a finite non-negative number"
        )));
    }
    let total: f64 = belief.iter().sum();
    if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
        return Err(Error::invalid(format!("{what}: probabilities sum to {total}, not 1")));
    }
    Ok(())
}

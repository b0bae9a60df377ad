//! Learned policies as decision-makers (docs/theory.md §7): Q-learning with an
//! ε-greedy behaviour policy and a fixed budget, seeded, maps a reward
//! function to a policy; its greedy first action at a state is the decision.
//! The action values are a table ([`Learner::Tabular`]) or linear in features
//! of the state's reward and the action's successor distribution
//! ([`Learner::Linear`], §7.1).
//! Training many agents on reward functions drawn from the orbit of a base
//! reward estimates how often the learner picks each first move across the
//! orbit, with a confidence interval.

use rand::RngExt;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::FirstMoves;
use crate::error::{Error, Result};
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::wilson;

/// How the learner represents its action values.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Learner {
    /// One value per state-action pair.
    #[default]
    Tabular,
    /// `Q(s,a) = w · x(s,a)`, `x(s,a) = (R(s), M · T(·|s,a))`: the reward of
    /// the state and a (possibly random, lower-dimensional) linear image `M`
    /// of the successor distribution, trained by semi-gradient Q-learning
    /// (docs/theory.md §7.1).
    Linear,
}

impl std::str::FromStr for Learner {
    type Err = Error;
    /// `tabular` or `linear`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "tabular" => Ok(Learner::Tabular),
            "linear" => Ok(Learner::Linear),
            other => Err(Error::invalid(format!(
                "unknown learner '{other}' (expected tabular or linear)"
            ))),
        }
    }
}

/// The training procedure.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct QLearning {
    /// Table or linear function approximation (default: table).
    pub learner: Learner,
    /// For [`Learner::Linear`]: the dimension `k` of the successor features,
    /// a Gaussian random projection of the successor distribution drawn per
    /// learner (None: `k` = the number of states and `M` the identity, so the
    /// optimal action values are exactly representable).
    pub features: Option<usize>,
    /// Training episodes per learner, at least 1 (default 300).
    pub episodes: usize,
    /// Steps per episode (every episode starts at the given state).
    pub horizon: usize,
    /// Probability in `[0, 1]` of a uniformly random action at each step
    /// (otherwise greedy, ties broken at random); default 0.3.
    pub epsilon: f64,
    /// Learning rate.
    pub alpha: f64,
    /// Discount of the learned values, in `(0, 1)` (default 0.9).
    pub gamma: f64,
}

impl Default for QLearning {
    fn default() -> Self {
        QLearning {
            learner: Learner::Tabular,
            features: None,
            episodes: 300,
            horizon: 30,
            epsilon: 0.3,
            alpha: 0.5,
            gamma: 0.9,
        }
    }
}

impl QLearning {
    /// Check the settings: at least one episode of one step, `epsilon` in
    /// `[0, 1]`, `alpha` in `(0, 1]`, `gamma` in `(0, 1)`; the error names the rule.
    pub fn validate(&self) -> Result<()> {
        if self.episodes == 0 || self.horizon == 0 {
            return Err(Error::invalid(
                "Q-learning needs at least one episode of at least one step",
            ));
        }
        let valid = (0.0..=1.0).contains(&self.epsilon)
            && self.alpha > 0.0
            && self.alpha <= 1.0
            && self.gamma > 0.0
            && self.gamma < 1.0;
        if !valid {
            return Err(Error::invalid(
                "Q-learning: epsilon must be in [0, 1], alpha in (0, 1], gamma in (0, 1)",
            ));
        }
        if self.features == Some(0) {
            return Err(Error::invalid("linear Q-learning needs at least 1 feature"));
        }
        if self.features.is_some() && self.learner != Learner::Linear {
            return Err(Error::invalid(
                "features: only the linear learner takes a feature dimension",
            ));
        }
        Ok(())
    }
}

fn rng_for(seed: u64, stream: u64) -> rand_pcg::Pcg64 {
    crate::stats::indexed_rng(seed, 0x1ea2, stream)
}

/// Action values that a Q-learner reads and updates.
trait QFunction {
    /// `Q(s, a)` of global action `a` taken in state `s`.
    fn value(&self, s: usize, a: usize) -> f64;
    /// Move `Q(s, a)` towards `target` with step `alpha`.
    fn update(&mut self, s: usize, a: usize, target: f64, alpha: f64);
    /// Whether every parameter is still a finite number.
    fn finite(&self) -> bool;
}

/// One value per global action.
struct Table(Vec<f64>);

impl QFunction for Table {
    fn value(&self, _: usize, a: usize) -> f64 {
        self.0[a]
    }
    fn update(&mut self, _: usize, a: usize, target: f64, alpha: f64) {
        self.0[a] += alpha * (target - self.0[a]);
    }
    fn finite(&self) -> bool {
        true
    }
}

/// `Q(s,a) = w · (R(s), M · T(·|s,a))` with the successor features
/// `M · T(·|s,a)` precomputed per global action.
struct Linear<'a> {
    rewards: &'a [f64],
    /// `features[a * k..(a + 1) * k]`: `M · T(·|s,a)` of global action `a`.
    features: Vec<f64>,
    k: usize,
    /// `w[0]` weighs the reward, `w[1..]` the successor features.
    w: Vec<f64>,
}

impl<'a> Linear<'a> {
    fn new(mdp: &Mdp, rewards: &'a [f64], k: Option<usize>, rng: &mut rand_pcg::Pcg64) -> Self {
        let n = mdp.n_states();
        // The projection M (k × n): the identity, or iid N(0, 1/k) entries.
        let projection: Option<Vec<f64>> = k.map(|k| {
            let scale = 1.0 / (k as f64).sqrt();
            (0..k * n)
                .map(|_| scale * rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, rng))
                .collect()
        });
        let k = k.unwrap_or(n);
        let mut features = vec![0.0; mdp.n_state_actions() * k];
        for a in 0..mdp.n_state_actions() {
            let row = &mut features[a * k..(a + 1) * k];
            let (next, prob) = mdp.successors(a);
            for (&t, &p) in next.iter().zip(prob) {
                match &projection {
                    None => row[t as usize] += p,
                    Some(m) => row
                        .iter_mut()
                        .enumerate()
                        .for_each(|(j, x)| *x += m[j * n + t as usize] * p),
                }
            }
        }
        Linear {
            rewards,
            features,
            k,
            w: vec![0.0; k + 1],
        }
    }
}

impl QFunction for Linear<'_> {
    fn value(&self, s: usize, a: usize) -> f64 {
        let x = &self.features[a * self.k..(a + 1) * self.k];
        self.w[0] * self.rewards[s] + x.iter().zip(&self.w[1..]).map(|(x, w)| x * w).sum::<f64>()
    }
    fn update(&mut self, s: usize, a: usize, target: f64, alpha: f64) {
        let step = alpha * (target - self.value(s, a));
        self.w[0] += step * self.rewards[s];
        let x = &self.features[a * self.k..(a + 1) * self.k];
        self.w[1..].iter_mut().zip(x).for_each(|(w, x)| *w += step * x);
    }
    fn finite(&self) -> bool {
        self.w.iter().all(|w| w.is_finite())
    }
}

/// `max_a Q(s, a)`.
fn best(mdp: &Mdp, q: &impl QFunction, s: usize) -> f64 {
    mdp.actions(s).map(|a| q.value(s, a)).fold(f64::NEG_INFINITY, f64::max)
}

/// The ε-greedy Q-learning loop of docs/theory.md §7 on any action-value
/// representation; an error when the values stop being finite numbers
/// (semi-gradient Q-learning with function approximation can diverge).
fn run_episodes(
    mdp: &Mdp,
    start: usize,
    rewards: &[f64],
    opts: &QLearning,
    rng: &mut rand_pcg::Pcg64,
    q: &mut impl QFunction,
) -> Result<()> {
    let diverged = || {
        Error::invalid(format!(
            "linear Q-learning diverged (its weights overflowed) with alpha = {}: use a smaller alpha",
            opts.alpha
        ))
    };
    for _ in 0..opts.episodes {
        let mut s = start;
        for _ in 0..opts.horizon {
            let acts = mdp.actions(s);
            let a = if rng.random::<f64>() < opts.epsilon {
                acts.start + rng.random_range(0..acts.len())
            } else {
                // Greedy with random tie-breaking, so untried actions get tried.
                let top = best(mdp, q, s);
                let ties: Vec<usize> = acts.filter(|&a| q.value(s, a) == top).collect();
                if ties.is_empty() {
                    return Err(diverged());
                }
                ties[rng.random_range(0..ties.len())]
            };
            let (next, prob) = mdp.successors(a);
            let t = if next.len() == 1 {
                next[0] as usize
            } else {
                let mut x = rng.random::<f64>();
                let k = prob.iter().position(|&p| {
                    x -= p;
                    x < 0.0
                });
                next[k.unwrap_or(next.len() - 1)] as usize
            };
            let target = rewards[s] + opts.gamma * best(mdp, q, t);
            q.update(s, a, target, opts.alpha);
            s = t;
        }
        if !q.finite() {
            return Err(diverged());
        }
    }
    Ok(())
}

/// Train on state rewards `rewards` from `start`; returns Q per global action.
/// Linear weights that leave the finite numbers (semi-gradient Q-learning
/// with function approximation can diverge) are an error.
pub fn train(
    mdp: &Mdp,
    start: usize,
    rewards: &[f64],
    opts: &QLearning,
    rng: &mut rand_pcg::Pcg64,
) -> Result<Vec<f64>> {
    match opts.learner {
        Learner::Tabular => {
            let mut q = Table(vec![0.0; mdp.n_state_actions()]);
            run_episodes(mdp, start, rewards, opts, rng, &mut q)?;
            Ok(q.0)
        }
        Learner::Linear => {
            let mut q = Linear::new(mdp, rewards, opts.features, rng);
            run_episodes(mdp, start, rewards, opts, rng, &mut q)?;
            Ok((0..mdp.n_states())
                .flat_map(|s| mdp.actions(s).map(move |a| (s, a)))
                .map(|(s, a)| q.value(s, a))
                .collect())
        }
    }
}

/// The greedy first move of action values `q` at `state`: a probability per
/// action label (indices into [`Mdp::action_names`]), ties split evenly.
pub fn greedy_first_move(mdp: &Mdp, state: usize, q: &[f64]) -> Vec<f64> {
    let top = mdp.actions(state).map(|x| q[x]).fold(f64::NEG_INFINITY, f64::max);
    let ties: Vec<usize> = mdp.actions(state).filter(|&x| q[x] == top).collect();
    let mut p = vec![0.0; mdp.action_names().len()];
    for &x in &ties {
        p[mdp.action_label(x)] += 1.0 / ties.len() as f64;
    }
    p
}

/// How agents trained across an orbit chose their first move.
#[derive(Clone, Debug, Serialize)]
pub struct LearnedTendency {
    /// Learners trained.
    pub agents: usize,
    /// Agents whose greedy first action was in B, in A, or neither (ties split evenly).
    pub chose_b: f64,
    /// Agents (fractionally, for ties) whose greedy first action was A's.
    pub chose_a: f64,
    /// Agents (fractionally, for ties) whose greedy first action was neither A's nor B's.
    pub chose_other: f64,
    /// Fraction choosing B among agents choosing A or B, with a 95% Wilson interval.
    pub fraction_b: f64,
    /// The 95% Wilson interval of `fraction_b`.
    pub ci95: [f64; 2],
}

/// How many learners, trained how, from which seed.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct LearnedOptions {
    /// How each learner is trained.
    pub training: QLearning,
    /// Number of learners, each on its own permutation of the base reward (default 400).
    pub agents: usize,
    /// Seed of the permutations and the learners' exploration; learner `k`
    /// has its own stream, so results do not depend on the thread count.
    pub seed: u64,
}

impl Default for LearnedOptions {
    fn default() -> Self {
        LearnedOptions {
            training: QLearning::default(),
            agents: 400,
            seed: 0,
        }
    }
}

/// Train `opts.agents` Q-learners, agent `k` on the reward `φ_k · base` for
/// a uniformly random permutation `φ_k` (all seeded by `opts.seed` and `k`),
/// and count their greedy first actions at `moves.state` with labels
/// `moves.a` or `moves.b`.
pub fn learned_tendency(
    mdp: &Mdp,
    moves: &FirstMoves,
    base: &[f64],
    opts: &LearnedOptions,
    progress: &dyn Progress,
) -> Result<LearnedTendency> {
    let &FirstMoves { state: start, a, b } = moves;
    let (agents, seed) = (opts.agents, opts.seed);
    let opts = &opts.training;
    opts.validate()?;
    if base.len() != mdp.n_states() || agents == 0 {
        return Err(Error::invalid(
            "learned tendency: need one base reward per state and at least one agent",
        ));
    }
    // Each agent's choice is kept until the end, and one Q-table per thread.
    crate::resources::check(24.0 * agents as f64, || {
        format!("{} agents", crate::resources::format_count(agents as f64))
    })?;
    progress.set_total(agents as u64);
    // Workers poll a relay of `progress` before each agent.
    let choices: Vec<[f64; 3]> = crate::progress::watch(progress, |progress| {
        (0..agents)
            .into_par_iter()
            .map(|k| {
                crate::progress::check(progress)?;
                let mut rng = rng_for(seed, k as u64);
                let mut u = base.to_vec();
                for i in (1..u.len()).rev() {
                    u.swap(i, rng.random_range(0..=i));
                }
                let p = greedy_first_move(mdp, start, &train(mdp, start, &u, opts, &mut rng)?);
                let other: f64 = (0..p.len()).filter(|&l| l != a && l != b).map(|l| p[l]).sum();
                let c = [p[b], p[a], other];
                progress.advance(1);
                Ok(c)
            })
            .collect::<Result<_>>()
    })?;
    let (chose_b, chose_a, chose_other) = choices
        .iter()
        .fold((0.0, 0.0, 0.0), |acc, c| (acc.0 + c[0], acc.1 + c[1], acc.2 + c[2]));
    let decided = chose_a + chose_b;
    let fraction_b = if decided > 0.0 { chose_b / decided } else { f64::NAN };
    let ci95 = wilson(chose_b.round() as u64, decided.round() as u64);
    Ok(LearnedTendency {
        agents,
        chose_b,
        chose_a,
        chose_other,
        fraction_b,
        ci95,
    })
}

//! Learned policies as decision-makers (docs/theory.md §7): tabular Q-learning with an
//! ε-greedy behaviour policy and a fixed budget, seeded, maps a reward
//! function to a policy; its greedy first action at a state is the decision.
//! Training many agents on reward functions drawn from the orbit of a base
//! reward estimates how often the learner picks each first move across the
//! orbit, with a confidence interval.

use rand::RngExt;
use rayon::prelude::*;
use serde::Serialize;

use super::FirstMoves;
use crate::error::{Error, Result};
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::wilson;

/// The training procedure.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct QLearning {
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
        Ok(())
    }
}

fn rng_for(seed: u64, stream: u64) -> rand_pcg::Pcg64 {
    crate::stats::indexed_rng(seed, 0x1ea2, stream)
}

/// Train on state rewards `rewards` from `start`; returns Q per global action.
pub fn train(mdp: &Mdp, start: usize, rewards: &[f64], opts: &QLearning, rng: &mut rand_pcg::Pcg64) -> Vec<f64> {
    let mut q = vec![0.0; mdp.n_state_actions()];
    let best = |q: &[f64], s: usize| mdp.actions(s).map(|a| q[a]).fold(f64::NEG_INFINITY, f64::max);
    for _ in 0..opts.episodes {
        let mut s = start;
        for _ in 0..opts.horizon {
            let acts = mdp.actions(s);
            let a = if rng.random::<f64>() < opts.epsilon {
                acts.start + rng.random_range(0..acts.len())
            } else {
                // Greedy with random tie-breaking, so untried actions get tried.
                let top = best(&q, s);
                let ties: Vec<usize> = acts.filter(|&a| q[a] == top).collect();
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
            let target = rewards[s] + opts.gamma * best(&q, t);
            q[a] += opts.alpha * (target - q[a]);
            s = t;
        }
    }
    q
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
                let q = train(mdp, start, &u, opts, &mut rng);
                let top = mdp.actions(start).map(|x| q[x]).fold(f64::NEG_INFINITY, f64::max);
                let ties: Vec<usize> = mdp.actions(start).filter(|&x| q[x] == top).collect();
                let share = 1.0 / ties.len() as f64;
                let mut c = [0.0; 3];
                for x in ties {
                    let l = mdp.action_label(x);
                    c[if l == b {
                        0
                    } else if l == a {
                        1
                    } else {
                        2
                    }] += share;
                }
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

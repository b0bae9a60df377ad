//! The training-compatible goal set of Krakovna and Kramár (docs/theory.md
//! §7.3): rewards drawn from a prior, kept when their optimal policy agrees
//! with the behaviour observed in training, and the probability that the
//! kept rewards' optimal choice in a new situation is the power-seeking one.
//! Estimated by rejection sampling, with the acceptance rate and Wilson
//! intervals; the same draws without the condition give the prior's
//! probability, for comparison.

use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::analysis::FirstMoves;
use super::Tendency;
use crate::error::{Error, Result};
use crate::mdp::reward::RewardDistribution;
use crate::mdp::solve::{default_gamma, Horizon, Method, Solver, SolverOptions};
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::Proportion;

/// Reward samples per parallel chunk (each chunk has its own buffers).
const CHUNK: u64 = 1024;

/// One observed training choice: the action the agent took in a state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observed {
    /// The state, by name.
    pub state: String,
    /// The action taken there, by name.
    pub action: String,
}

impl FromStr for Observed {
    type Err = Error;
    /// `state=action`.
    fn from_str(s: &str) -> Result<Self> {
        let (state, action) = s
            .split_once('=')
            .ok_or_else(|| Error::invalid(format!("observed choice '{s}': expected state=action")))?;
        Ok(Observed {
            state: state.trim().to_string(),
            action: action.trim().to_string(),
        })
    }
}

/// A training-compatible goal request (`retarget compatible`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CompatibleRequest {
    /// The behaviour observed in training: in each listed state, the action
    /// the agent took (which must be optimal for a compatible reward). Empty:
    /// every reward is compatible.
    pub training: Vec<Observed>,
    /// The new situation's state, by name (default: the MDP's start state).
    pub state: Option<String>,
    /// The choice that gives up options there (e.g. shutting down), by name.
    pub a: String,
    /// The power-seeking choice there (e.g. avoiding shutdown), by name.
    pub b: String,
    /// The prior over reward functions, as `power --dist` (default: iid uniform on [0, 1]).
    pub dist: Option<String>,
    /// Discount in (0, 1) (default: the file's, else 0.9).
    pub gamma: Option<f64>,
    /// Rewards drawn from the prior (default 20 000).
    pub samples: u64,
    /// Seed of the reward draws (sample `k` from its own stream; default 0).
    pub seed: u64,
}

impl Default for CompatibleRequest {
    fn default() -> Self {
        CompatibleRequest {
            training: Vec::new(),
            state: None,
            a: String::new(),
            b: String::new(),
            dist: None,
            gamma: None,
            samples: 20_000,
            seed: 0,
        }
    }
}

/// The result of [`compatible`].
#[derive(Clone, Debug, Serialize)]
pub struct CompatibleReport {
    /// The observed training behaviour.
    pub training: Vec<Observed>,
    /// The new situation's state, by name.
    pub state: String,
    /// The option-reducing choice, by name.
    pub a: String,
    /// The power-seeking choice, by name.
    pub b: String,
    /// The reward prior.
    pub dist: String,
    /// The discount.
    pub gamma: f64,
    /// Rewards drawn.
    pub samples: u64,
    /// The seed used.
    pub seed: u64,
    /// Drawn rewards compatible with the training behaviour, as a share of
    /// the draws (the acceptance rate), with its SE and 95% Wilson interval.
    pub acceptance: Proportion,
    /// Among the compatible rewards: whose optimal choice at the new state is
    /// likelier `b` than `a`, equally likely, likelier `a` (optimal actions
    /// tied within the solver's tolerance share the choice evenly).
    pub compatible: Tendency,
    /// Share of the compatible rewards whose optimal choice is likelier `b`:
    /// the probability of power-seeking given the training behaviour.
    pub power_seeking: Proportion,
    /// The same counts over all drawn rewards (no conditioning).
    pub prior: Tendency,
    /// Share of all drawn rewards whose optimal choice is likelier `b`.
    pub prior_power_seeking: Proportion,
}

/// The observed choices as (state, action label) after checking them against `mdp`.
fn resolve_training(mdp: &Mdp, training: &[Observed]) -> Result<Vec<(usize, usize)>> {
    training
        .iter()
        .enumerate()
        .map(|(k, o)| {
            let s = mdp
                .state_index(&o.state)
                .ok_or_else(|| Error::invalid(format!("training[{k}]: no state named '{}'", o.state)))?;
            let label = mdp
                .actions(s)
                .map(|x| mdp.action_label(x))
                .find(|&l| mdp.action_names()[l] == o.action)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "training[{k}]: action '{}' is not available in state '{}'",
                        o.action, o.state
                    ))
                })?;
            Ok((s, label))
        })
        .collect()
}

/// Share of the optimal actions at `s` (for sample `j` of a batch) that carry each label in `labels`.
fn optimal_shares(mdp: &Mdp, w: &[f64], batch: usize, j: usize, s: usize, tie: f64, labels: &[usize]) -> Vec<f64> {
    // Q(s, x) = Σ_s' T(s'|s,x) W(s') (the solver's W, docs/theory.md §2.3).
    let values: Vec<(usize, f64)> = mdp
        .actions(s)
        .map(|x| {
            let (next, prob) = mdp.successors(x);
            let q = next
                .iter()
                .zip(prob)
                .map(|(&t, &p)| p * w[t as usize * batch + j])
                .sum();
            (mdp.action_label(x), q)
        })
        .collect();
    let best = values.iter().map(|v| v.1).fold(f64::NEG_INFINITY, f64::max);
    let optimal: Vec<usize> = values.iter().filter(|v| v.1 >= best - tie).map(|v| v.0).collect();
    labels
        .iter()
        .map(|&l| optimal.iter().filter(|&&o| o == l).count() as f64 / optimal.len() as f64)
        .collect()
}

/// Rejection-sample the training-compatible goal set and estimate the
/// probability that its rewards' optimal choice in the new situation is `b`.
pub fn compatible(mdp: &Mdp, request: &CompatibleRequest, progress: &dyn Progress) -> Result<CompatibleReport> {
    let r = request;
    let moves = FirstMoves::resolve(mdp, r.state.as_deref(), &r.a, &r.b)?;
    let training = resolve_training(mdp, &r.training)?;
    if r.samples == 0 {
        return Err(Error::invalid("samples must be at least 1 reward"));
    }
    let gamma = default_gamma(mdp, r.gamma);
    if !(gamma > 0.0 && gamma < 1.0) {
        return Err(Error::invalid(format!("gamma = {gamma} is outside (0, 1)")));
    }
    let horizon = Horizon::Discounted(gamma);
    let dist = match &r.dist {
        Some(spec) => RewardDistribution::parse_for(spec, mdp)?,
        None => RewardDistribution::uniform(),
    };
    dist.validate(mdp.n_states(), false)?;
    dist.check_scale(horizon)?;
    let options = SolverOptions {
        method: if mdp.is_deterministic() {
            Method::PolicyIteration
        } else {
            Method::ValueIteration
        },
        tolerance: 1e-10,
        ..SolverOptions::default()
    };
    let solver = Solver::new(mdp, horizon, options)?;
    let tie = solver.tie_tolerance();
    let n = mdp.n_states();
    crate::resources::check(
        16.0 * (n as f64) * CHUNK as f64 * rayon::current_num_threads() as f64,
        || format!("reward chunks of {CHUNK} samples over {n} states"),
    )?;
    progress.set_total(r.samples);
    let (compatible, prior) = crate::progress::watch(progress, |progress| {
        (0..r.samples.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| -> Result<(Tendency, Tendency)> {
                crate::progress::check(progress)?;
                let first = c * CHUNK;
                let count = CHUNK.min(r.samples - first) as usize;
                let mut rewards = vec![0.0; n * count];
                dist.fill(r.seed, first as usize, count, false, &mut rewards);
                let mut w = vec![0.0; n * count];
                solver.solve(&rewards, count, &mut w)?;
                let (mut kept, mut all) = (Tendency::default(), Tendency::default());
                for j in 0..count {
                    let p = optimal_shares(mdp, &w, count, j, moves.state, tie, &[moves.a, moves.b]);
                    all.record(p[0], p[1]);
                    let agrees = training
                        .iter()
                        .all(|&(s, l)| optimal_shares(mdp, &w, count, j, s, tie, &[l])[0] > 0.0);
                    if agrees {
                        kept.record(p[0], p[1]);
                    }
                }
                progress.advance(count as u64);
                Ok((kept, all))
            })
            .try_reduce(
                || (Tendency::default(), Tendency::default()),
                |x, y| Ok((x.0.add(y.0), x.1.add(y.1))),
            )
    })?;
    Ok(CompatibleReport {
        training: r.training.clone(),
        state: mdp.state_name(moves.state).to_string(),
        a: r.a.clone(),
        b: r.b.clone(),
        dist: dist.to_string(),
        gamma,
        samples: r.samples,
        seed: r.seed,
        acceptance: Proportion::new(compatible.total(), r.samples),
        power_seeking: Proportion::new(compatible.b_more, compatible.total()),
        compatible,
        prior_power_seeking: Proportion::new(prior.b_more, prior.total()),
        prior,
    })
}

//! POWER at a belief of a small POMDP by Monte Carlo over reward functions
//! (docs/theory.md §12.4).
//!
//! Reward sample `k` is the same draw as sample `k` of
//! [`estimate_power`](crate::mdp::power::estimate_power) with the same seed
//! (one random stream per sample), so a fully observed POMDP gives the MDP's
//! numbers. Per sample, the optimal value at the belief comes from
//! [`finite_values`] (finite horizon: exact up to rounding and belief
//! merging) or from the [`Bracket`] (discounted: certified lower and upper
//! bounds); the report averages each with its standard error.

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::solve::{finite_values, BeliefTree, Bracket, BracketOptions, MERGE_GRID};
use super::Pomdp;
use crate::error::{Error, Result};
use crate::mdp::reward::RewardDistribution;
use crate::mdp::solve::{default_gamma, Horizon};
use crate::progress::{self, Progress};
use crate::stats::{t_quantile_975, Estimate, Moments};

/// A request for POWER at a belief (`powerseek pomdp power`, Python `pomdp_power`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PomdpPowerRequest {
    /// Finite horizon `H ≥ 1` (exact); `None`: discounted (bracketed).
    pub horizon: Option<usize>,
    /// Discount: in `(0, 1)` for the discounted value, in `(0, 1]` with a
    /// horizon. Default: with a horizon 1, else the file's discount, else 0.9.
    pub gamma: Option<f64>,
    /// The belief (one probability per state); default the file's start belief.
    pub belief: Option<Vec<f64>>,
    /// Reward distribution over states (as `powerseek power --dist`); default `uniform`.
    pub dist: String,
    /// Reward samples (at least 2); default 1000.
    pub samples: usize,
    /// Seed of the reward streams.
    pub seed: u64,
    /// Discounted: stop a sample's bounds when their POWER gap
    /// `(1 − γ)(upper − lower)` is at most this; default `1e-3`.
    pub tolerance: f64,
    /// Discounted: most point-based backups per sample (and sweeps of the
    /// fast informed bound); default 500.
    pub max_iterations: usize,
    /// Discounted: beliefs used as points of the point-based backups; default 64.
    pub points: usize,
    /// Discounted: most beliefs of the lookahead tree through which both
    /// bounds are backed up; default 200.
    pub lookahead: usize,
    /// Finite horizon: most reachable beliefs (more is an error); default 200 000.
    pub max_beliefs: usize,
}

impl Default for PomdpPowerRequest {
    fn default() -> Self {
        PomdpPowerRequest {
            horizon: None,
            gamma: None,
            belief: None,
            dist: "uniform".into(),
            samples: 1000,
            seed: 0,
            tolerance: 1e-3,
            max_iterations: 500,
            points: 64,
            lookahead: 200,
            max_beliefs: 200_000,
        }
    }
}

/// Per first action at the belief.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct FirstAction {
    /// The action's name.
    pub action: String,
    /// Fraction of samples in which the action is certainly optimal (finite
    /// horizon: optimal, ties within `1e-9` of the value scale counted for
    /// each tied action; discounted: its lower bound is at least every
    /// other action's upper bound).
    pub optimal_lower: f64,
    /// Fraction of samples in which it may be optimal (finite horizon: the
    /// same as `optimal_lower`; discounted: its upper bound reaches the best lower bound).
    pub optimal_upper: f64,
}

/// POWER at a belief.
#[derive(Clone, Debug, Serialize)]
pub struct PomdpPowerReport {
    /// State names.
    pub states: Vec<String>,
    /// Action names.
    pub actions: Vec<String>,
    /// Observation names.
    pub observations: Vec<String>,
    /// Every observation reveals the end state.
    pub fully_observed: bool,
    /// The belief.
    pub belief: Vec<f64>,
    /// The finite horizon, or null for the discounted value.
    pub horizon: Option<usize>,
    /// The discount.
    pub gamma: f64,
    /// The reward distribution.
    pub distribution: String,
    /// Reward samples drawn.
    pub samples: usize,
    /// The seed.
    pub seed: u64,
    /// Finite horizon: each sample's POWER is exact up to `error_bound`.
    pub exact: bool,
    /// POWER: finite horizon, exact per sample; discounted, the midpoint of each sample's bracket.
    pub power: Estimate,
    /// The mean of the samples' lower bounds (finite horizon: equal to `power`).
    pub power_lower: Estimate,
    /// The mean of the samples' upper bounds.
    pub power_upper: Estimate,
    /// The largest gap `upper − lower` of one sample's POWER (0 for finite horizons).
    pub max_gap: f64,
    /// The requested largest gap (discounted; 0 for finite horizons).
    pub tolerance: f64,
    /// Every sample's gap is at most the tolerance (always true for finite horizons).
    pub reached: bool,
    /// Finite horizon: a bound on each sample's POWER error from merging
    /// beliefs that agree within the merge grid (0 when none were merged), rounding aside.
    pub error_bound: f64,
    /// Beliefs in the tree (finite horizon: every reachable one; discounted: the lookahead).
    pub beliefs: usize,
    /// Depth of that tree.
    pub depth: usize,
    /// Discounted: the most point-based backups one sample needed.
    pub iterations: usize,
    /// Per first action.
    pub first_actions: Vec<FirstAction>,
}

/// One sample's result: POWER bounds and per-action lower/upper Q.
struct SampleResult {
    lower: f64,
    upper: f64,
    q_lower: Vec<f64>,
    q_upper: Vec<f64>,
    iterations: usize,
}

/// Check `request` against `m`: the discount, the sample count and options.
fn validate(m: &Pomdp, request: &PomdpPowerRequest) -> Result<f64> {
    if request.samples < 2 {
        return Err(Error::invalid(format!(
            "samples: {}; a standard error needs at least 2 reward samples",
            request.samples
        )));
    }
    let gamma = match request.horizon {
        Some(0) => return Err(Error::invalid("horizon: must be at least 1 step")),
        Some(_) => {
            let g = request.gamma.unwrap_or(1.0);
            if !(g > 0.0 && g <= 1.0) {
                return Err(Error::invalid(format!(
                    "gamma = {g}: with a horizon it must be in (0, 1]"
                )));
            }
            g
        }
        None => {
            let g = default_gamma(m.mdp(), request.gamma);
            if !(g > 0.0 && g < 1.0) {
                return Err(Error::invalid(format!(
                    "gamma = {g}: the discounted value needs γ in (0, 1); give a --horizon for γ = 1"
                )));
            }
            if !(request.tolerance > 0.0 && request.tolerance.is_finite()) {
                return Err(Error::invalid(format!(
                    "tolerance: {} must be a positive number",
                    request.tolerance
                )));
            }
            if request.points == 0 || request.lookahead == 0 {
                return Err(Error::invalid("points and lookahead: must be at least 1 belief"));
            }
            g
        }
    };
    Ok(gamma)
}

/// POWER at a belief of `m` (docs/theory.md §12.4).
pub fn pomdp_power(m: &Pomdp, request: &PomdpPowerRequest, progress: &dyn Progress) -> Result<PomdpPowerReport> {
    let gamma = validate(m, request)?;
    let m = match &request.belief {
        Some(b) => &m.clone().with_start_belief(b.clone())?,
        None => m,
    };
    let n = m.n_states();
    let dist = RewardDistribution::parse_for(&request.dist, m.mdp())?;
    dist.validate(n, false)?;
    dist.check_scale(match request.horizon {
        Some(_) => Horizon::ZeroLimit,
        None => Horizon::Discounted(gamma),
    })?;
    let belief = m.start_belief().to_vec();
    let tree = match request.horizon {
        Some(h) => BeliefTree::build(m, &belief, h - 1, request.max_beliefs, false, progress)?,
        None => {
            // Deep enough that the leaves' gap is multiplied by at most the tolerance.
            let depth = (request.tolerance.ln() / gamma.ln()).ceil().clamp(1.0, 10_000.0) as usize;
            BeliefTree::build(m, &belief, depth, request.lookahead, true, progress)?
        }
    };
    let opts = BracketOptions {
        tolerance: request.tolerance,
        max_iterations: request.max_iterations,
        points: request.points,
    };
    let bracket = Bracket::new(m, &tree, gamma, opts, progress)?;
    let norm = match request.horizon {
        Some(h) => (0..h).map(|u| gamma.powi(u as i32)).sum::<f64>(),
        None => 1.0 / (1.0 - gamma),
    };
    progress.set_total(request.samples as u64);
    // Workers poll a relay of `progress` that any thread may read (see `progress::watch`).
    let one = |k: usize, progress: &dyn Progress| -> Result<SampleResult> {
        progress::check(progress)?;
        let mut reward = vec![0.0; n];
        dist.fill(request.seed, k, 1, false, &mut reward);
        let result = match request.horizon {
            Some(_) => {
                let q = finite_values(&tree, &reward, gamma);
                let v = q.iter().copied().fold(f64::NEG_INFINITY, f64::max) / norm;
                SampleResult {
                    lower: v,
                    upper: v,
                    q_lower: q.clone(),
                    q_upper: q,
                    iterations: 0,
                }
            }
            None => {
                let b = bracket.solve(&reward, progress)?;
                SampleResult {
                    lower: b.value_lower() / norm,
                    upper: b.value_upper() / norm,
                    iterations: b.iterations,
                    q_lower: b.lower,
                    q_upper: b.upper,
                }
            }
        };
        progress.advance(1);
        Ok(result)
    };
    let results: Vec<SampleResult> = progress::watch(progress, |p| {
        (0..request.samples)
            .into_par_iter()
            .map(|k| one(k, p))
            .collect::<Result<_>>()
    })?;
    Ok(summarise(m, request, gamma, &tree, &dist, results))
}

fn summarise(
    m: &Pomdp,
    request: &PomdpPowerRequest,
    gamma: f64,
    tree: &BeliefTree,
    dist: &RewardDistribution,
    results: Vec<SampleResult>,
) -> PomdpPowerReport {
    let count = results.len();
    let t = t_quantile_975(count - 1);
    let column = |f: &dyn Fn(&SampleResult) -> f64| {
        let x: Vec<f64> = results.iter().map(f).collect();
        Moments::from_samples(&x, count).estimate(0, t)
    };
    let exact = request.horizon.is_some();
    let scale = dist.reward_bound().max(f64::MIN_POSITIVE);
    let tie = 1e-9 * scale * request.horizon.unwrap_or(1) as f64;
    let first_actions = m
        .action_names()
        .iter()
        .enumerate()
        .map(|(a, name)| {
            let share =
                |f: &dyn Fn(&SampleResult) -> bool| results.iter().filter(|r| f(r)).count() as f64 / count as f64;
            let others_upper = |r: &SampleResult| {
                r.q_upper
                    .iter()
                    .enumerate()
                    .filter(|&(b, _)| b != a)
                    .map(|(_, &x)| x)
                    .fold(f64::NEG_INFINITY, f64::max)
            };
            let best_lower = |r: &SampleResult| r.q_lower.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let (lower, upper) = if exact {
                let s = share(&|r| r.q_lower[a] >= best_lower(r) - tie);
                (s, s)
            } else {
                (
                    share(&|r| r.q_lower[a] >= others_upper(r)),
                    share(&|r| r.q_upper[a] >= best_lower(r)),
                )
            };
            FirstAction {
                action: name.clone(),
                optimal_lower: lower,
                optimal_upper: upper,
            }
        })
        .collect();
    let max_gap = results.iter().map(|r| r.upper - r.lower).fold(0.0, f64::max);
    let horizon = request.horizon.unwrap_or(0);
    PomdpPowerReport {
        states: m.mdp().state_names().to_vec(),
        actions: m.action_names().to_vec(),
        observations: m.observation_names().to_vec(),
        fully_observed: m.is_fully_observed(),
        belief: m.start_belief().to_vec(),
        horizon: request.horizon,
        gamma,
        distribution: dist.to_string(),
        samples: count,
        seed: request.seed,
        exact,
        power: column(&|r| 0.5 * (r.lower + r.upper)),
        power_lower: column(&|r| r.lower),
        power_upper: column(&|r| r.upper),
        max_gap,
        tolerance: if exact { 0.0 } else { request.tolerance },
        reached: exact || max_gap <= request.tolerance,
        error_bound: if exact && tree.merged {
            horizon as f64 * m.n_states() as f64 * MERGE_GRID * scale
        } else {
            0.0
        },
        beliefs: tree.nodes.len(),
        depth: tree.depth,
        iterations: results.iter().map(|r| r.iterations).max().unwrap_or(0),
        first_actions,
    }
}

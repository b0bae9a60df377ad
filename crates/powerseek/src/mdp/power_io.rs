//! POWER for front ends: a request with every option's default
//! ([`PowerRequest`], resolved against an MDP into the estimator's options),
//! and the report with the MDP's state and action names ([`PowerView`]): the
//! one serialisation of a POWER estimate (the command line's JSON and the
//! fields Python returns).

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mdp::kernel::Kernel;
use crate::mdp::map::MapView;
use crate::mdp::power::{PowerOptions, PowerReport, SampleSize};
use crate::mdp::reward::RewardDistribution;
use crate::mdp::solve::{Horizon, Method, Precision, SolverOptions};
use crate::mdp::Mdp;
use crate::stats::Estimate;

/// With a target standard error, sampling starts with this many reward
/// functions (or the maximum, when smaller).
pub const MIN_SAMPLES_FOR_TARGET: usize = 1_000;

/// The sample limit with a target standard error, unless one is given.
pub const DEFAULT_MAX_SAMPLES: usize = 10_000_000;

/// The options of a POWER estimate as plain data.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PowerRequest {
    /// Discount rate; 0 and 1 are the limits (default: the file's discount, else 0.9).
    pub gamma: Option<f64>,
    /// Reward distribution, as [`RewardDistribution::parse_for`] reads it (default `uniform`).
    pub dist: String,
    /// Reward functions to sample (default 10 000), unless `target_se` is given.
    pub samples: usize,
    /// Sample until every state's standard error is at most this.
    pub target_se: Option<f64>,
    /// Upper bound on samples with `target_se` (default
    /// [`DEFAULT_MAX_SAMPLES`]); an error without `target_se`, where it would do nothing.
    pub max_samples: Option<usize>,
    /// Seed of the reward samples (default 0); equal seeds give identical estimates.
    pub seed: u64,
    /// Draw rewards in antithetic pairs.
    pub antithetic: bool,
    /// `vi` (value iteration, default) or `pi` (policy iteration, deterministic MDPs).
    pub method: SolveMethod,
    /// Error bound on each sample's POWER (default 10^-6).
    pub tolerance: f64,
    /// Sweeps or improvement steps before an unconverged solve is an error (default 1 000 000).
    pub max_iterations: usize,
    /// Reward samples per parallel task (default: sized to the MDP and the
    /// threads); it never changes the results.
    pub batch: Option<usize>,
    /// Arithmetic of value iteration's sweeps: `f64` (default) or `f32`
    /// (certified per block in `f64`; see [`Precision`]).
    pub precision: Precision,
    /// SIMD path of the sweeps: `auto` (default), `portable`, `avx2`,
    /// `avx512`, `neon` (every path gives the same bits).
    pub kernel: Kernel,
}

/// The solver, by its short name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SolveMethod {
    /// Value iteration (Gauss–Seidel), any MDP.
    Vi,
    /// Exact policy iteration, deterministic MDPs.
    Pi,
}

impl Default for PowerRequest {
    fn default() -> Self {
        let solver = SolverOptions::default();
        PowerRequest {
            gamma: None,
            dist: "uniform".into(),
            samples: 10_000,
            target_se: None,
            max_samples: None,
            seed: 0,
            antithetic: false,
            method: SolveMethod::Vi,
            tolerance: solver.tolerance,
            max_iterations: solver.max_iterations,
            batch: None,
            precision: solver.precision,
            kernel: solver.kernel,
        }
    }
}

impl PowerRequest {
    /// The reward distribution and estimator options for `mdp`.
    pub fn resolve(&self, mdp: &Mdp) -> Result<(RewardDistribution, PowerOptions)> {
        // Its errors name the distribution already.
        let dist = RewardDistribution::parse_for(&self.dist, mdp)?;
        let samples = match (self.target_se, self.max_samples) {
            (Some(target), max) => {
                let max = max.unwrap_or(DEFAULT_MAX_SAMPLES);
                SampleSize::StandardError {
                    target,
                    min: MIN_SAMPLES_FOR_TARGET.min(max),
                    max,
                }
            }
            (None, Some(_)) => {
                return Err(Error::invalid(
                    "max_samples: only applies with a target standard error (target_se); \
                     without one, give the number of samples",
                ))
            }
            (None, None) => SampleSize::Count(self.samples),
        };
        let options = PowerOptions {
            horizon: Horizon::for_mdp(mdp, self.gamma)?,
            solver: SolverOptions {
                method: match self.method {
                    SolveMethod::Vi => Method::ValueIteration,
                    SolveMethod::Pi => Method::PolicyIteration,
                },
                tolerance: self.tolerance,
                max_iterations: self.max_iterations,
                kernel: self.kernel,
                precision: self.precision,
            },
            samples,
            seed: self.seed,
            antithetic: self.antithetic,
            batch: self.batch,
        };
        Ok((dist, options))
    }
}

/// With `f32` sweeps: how the blocks' results were certified.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct F32Blocks {
    /// Blocks whose `f32` solution met the tolerance's `f64` certificate.
    pub certified: u64,
    /// Blocks that did not and were finished in `f64`.
    pub finished_in_f64: u64,
}

/// [`PowerReport`] per named state and action.
#[derive(Clone, Debug, Serialize)]
pub struct PowerView<'a> {
    /// The discount rate, or `0 (limit)` / `1 (limit)`.
    pub gamma: &'a str,
    /// The reward distribution in spec syntax (e.g. `"uniform:0,1"`).
    pub distribution: &'a str,
    /// The seed the samples were drawn with.
    pub seed: u64,
    /// Whether samples were drawn in mirrored pairs.
    pub antithetic: bool,
    /// Reward functions drawn.
    pub samples: usize,
    /// With a target standard error: the target, and whether every state
    /// reached it (`false`: the sample limit stopped sampling first).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_se: Option<f64>,
    /// See `target_se`; absent for a fixed sample count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target_reached: Option<bool>,
    /// Reward samples per parallel task (does not change the results).
    pub batch: usize,
    /// Solver sweeps summed over blocks of 16 samples.
    pub solver_iterations: u64,
    /// State-action-sample backups performed.
    pub updates: u64,
    /// The SIMD path of the sweeps (`avx512`, `avx2`, `neon`, `portable`).
    pub kernel: &'a str,
    /// Arithmetic of the sweeps: `f64`, or `f32` certified per block.
    pub precision: &'a str,
    /// With `f32`: blocks certified in `f32`, and blocks finished in `f64`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub f32_blocks: Option<F32Blocks>,
    /// Wall-clock time of the estimate, in seconds.
    pub seconds: f64,
    /// Every state, in the MDP's order.
    pub states: Vec<StateView<'a>>,
    /// For a gridworld: where each state sits (absent for other MDPs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<MapView>,
}

/// One state of a [`PowerView`].
#[derive(Clone, Debug, Serialize)]
pub struct StateView<'a> {
    /// The state's name in the MDP.
    pub name: &'a str,
    /// `POWER(s)` with standard error and 95% interval.
    pub power: Estimate,
    /// Probability that several actions are optimal at once.
    pub tie_probability: f64,
    /// The state's actions, in the MDP's order.
    pub actions: Vec<ActionView<'a>>,
}

/// One action of a [`StateView`].
#[derive(Clone, Debug, Serialize)]
pub struct ActionView<'a> {
    /// The action's name.
    pub action: &'a str,
    /// Probability that the action is optimal.
    pub optimal: f64,
    /// The same with ties split evenly.
    pub optimal_share: f64,
    /// `E_{s'~T(s,a)} POWER(s')`: POWER expected after taking the action.
    pub successor_power: Estimate,
    /// Actions at the same state whose successor POWER is significantly lower
    /// (see [`PowerReport::seeks_power_over`]).
    pub seeks_power_over: Vec<&'a str>,
}

impl PowerReport {
    /// This report with `mdp`'s state and action names (the MDP it was estimated on).
    pub fn view<'a>(&'a self, mdp: &'a Mdp) -> PowerView<'a> {
        let states = (0..mdp.n_states())
            .map(|s| StateView {
                name: mdp.state_name(s),
                power: self.power[s],
                tie_probability: self.tie_probability[s],
                actions: mdp
                    .actions(s)
                    .map(|a| ActionView {
                        action: mdp.action_name(a),
                        optimal: self.actions[a].optimal,
                        optimal_share: self.actions[a].optimal_share,
                        successor_power: self.actions[a].successor_power,
                        seeks_power_over: self
                            .seeks_power_over(mdp, a)
                            .into_iter()
                            .map(|b| mdp.action_name(b))
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        PowerView {
            gamma: &self.horizon,
            distribution: &self.distribution,
            seed: self.seed,
            antithetic: self.antithetic,
            samples: self.samples,
            target_se: self.target_se,
            target_reached: self.target_reached,
            batch: self.batch,
            solver_iterations: self.iterations,
            updates: self.updates,
            kernel: &self.kernel,
            precision: &self.precision,
            f32_blocks: (self.precision == "f32").then_some(F32Blocks {
                certified: self.f32_certified_blocks,
                finished_in_f64: self.f64_fallback_blocks,
            }),
            seconds: self.seconds,
            states,
            layout: MapView::of(mdp),
        }
    }
}

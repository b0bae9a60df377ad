//! POWER of every player of a stochastic game at a profile — an equilibrium
//! computed per reward sample, or a fixed profile — with total regret and the
//! exploitability certificate, estimated over reward samples (docs/theory.md §11.3).
//!
//! Per sample `t` (a reward profile known to all players), the profile
//! `σ(t)` comes from [`Method`]; then `POWER_i(s) = (1 − γ) max_π V_i^{π,
//! σ_{−i}(t)}(s)` and the value `(1 − γ) V_i^{σ(t)}(s)` (finite horizons:
//! normalised by `1/Σ_{u<H} γ^u`, in exact arithmetic), and the total regret
//! is `Σ_i (POWER_i − value_i) ≥ 0`. Means over samples carry standard
//! errors; a finite set of type profiles is averaged exactly by its prior
//! instead (standard error 0).
//!
//! Samples are solved in parallel and merged in sample order, so results do
//! not depend on the thread count.

use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::finite::{self, FiniteHorizon};
use super::reward::{exact_values, stage_rewards, stage_rewards_exact, to_f64, RewardModel, TypeProfiles};
use super::solve::{self, certify, nash_value_iteration, shapley, Iteration, Profile, Selection};
use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::Rational;
use crate::progress::Progress;
use crate::stats::{t_quantile_975, Estimate, Moments};

/// Discounted or finite horizon.
#[derive(Clone, Debug, PartialEq)]
pub enum Horizon {
    /// Discount rate in `(0, 1)`; floating point with the bounds of [`solve`].
    Discounted(f64),
    /// A finite number of steps; exact arithmetic.
    Finite(FiniteHorizon),
}

impl std::fmt::Display for Horizon {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Horizon::Discounted(g) => write!(f, "discounted, γ = {g}"),
            Horizon::Finite(h) => write!(f, "{} steps, discount {}", h.steps, h.discount),
        }
    }
}

/// Where each sample's profile comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// An equilibrium: finite horizons by exact backward induction;
    /// discounted two-player constant-sum rewards by Shapley's value
    /// iteration; other discounted games by Nash value iteration.
    Equilibrium,
    /// Shapley's value iteration (two players, constant-sum rewards).
    Shapley,
    /// Nash value iteration with the selection rule.
    NashValueIteration,
    /// Every player uniformly random (a fixed profile, not an equilibrium).
    Uniform,
    /// A fixed stationary profile (discounted horizons).
    Given(Profile),
}

/// Where the reward profiles come from.
#[derive(Clone, Debug)]
pub enum Rewards {
    /// Random profiles, one per sample.
    Random(RewardModel),
    /// A finite set of type profiles with a prior, averaged exactly.
    Types(TypeProfiles),
}

impl Rewards {
    /// The exact constant the players' rewards sum to at every site, if any.
    fn constant_sum(&self, n_players: usize) -> Option<f64> {
        match self {
            Rewards::Random(m) => m.constant_sum(n_players),
            Rewards::Types(t) => t.constant_sum().map(|c| to_f64(&c)),
        }
    }
}

/// Options of [`stochastic_power`].
#[derive(Clone, Debug)]
pub struct StochasticOptions {
    /// Discounted (default `γ = 0.9`) or finite.
    pub horizon: Horizon,
    /// How each sample's profile arises; default [`Method::Equilibrium`].
    pub method: Method,
    /// Stage-equilibrium selection (Nash value iteration, backward induction).
    pub selection: Selection,
    /// Random reward samples (ignored for type profiles); at least 2.
    pub samples: usize,
    /// Seed of the reward samples.
    pub seed: u64,
    /// Discounted: bound on the error of every POWER and value (see [`solve`]).
    pub tolerance: f64,
    /// Discounted: most sweeps of an iteration.
    pub max_iterations: usize,
    /// The exploitability certificate every equilibrium sample should reach;
    /// samples above it are counted as not reached.
    pub target_exploitability: f64,
    /// Shapley: every matrix game by the exact LP instead of the checked
    /// floating-point simplex (see [`solve::FLOAT_GAP`]).
    pub exact_stages: bool,
}

impl Default for StochasticOptions {
    fn default() -> Self {
        StochasticOptions {
            horizon: Horizon::Discounted(0.9),
            method: Method::Equilibrium,
            selection: Selection::MaxWelfare,
            samples: 1_000,
            seed: 0,
            tolerance: 1e-7,
            max_iterations: 10_000,
            target_exploitability: 1e-5,
            exact_stages: false,
        }
    }
}

/// One sample's results.
#[derive(Clone, Debug)]
pub struct SampleResult {
    /// `power[i][s]`.
    pub power: Vec<Vec<f64>>,
    /// `value[i][s]`.
    pub value: Vec<Vec<f64>>,
    /// The certified exploitability bound (0 for exact equilibria).
    pub exploitability: f64,
    /// The equilibrium iteration met its stopping rule (true for fixed profiles).
    pub converged: bool,
    /// Computed in exact arithmetic with exact stage equilibria.
    pub exact: bool,
    /// Finite horizons: the exact results.
    pub exact_power: Option<finite::ExactPower>,
}

/// POWER, values, total POWER and total regret per state, averaged over
/// reward profiles, with the certificate of the profiles.
#[derive(Clone, Debug, Serialize)]
pub struct StochasticPowerReport {
    /// The players' names.
    pub players: Vec<String>,
    /// The states' names.
    pub states: Vec<String>,
    /// The horizon, as text.
    pub horizon: String,
    /// The reward distribution, as text.
    pub rewards: String,
    /// How the profiles arose (the solver that ran).
    pub method: String,
    /// Stage-equilibrium selection rule.
    pub selection: &'static str,
    /// Reward profiles averaged (samples, or type profiles).
    pub samples: usize,
    /// Seed of the samples.
    pub seed: u64,
    /// `power[i][s]`: player i's POWER at state s.
    pub power: Vec<Vec<Estimate>>,
    /// `value[i][s]`: player i's normalised value under the profile.
    pub value: Vec<Vec<Estimate>>,
    /// `Σ_i POWER_i` per state.
    pub total_power: Vec<Estimate>,
    /// `Σ_i (POWER_i − value_i)` per state, ≥ 0.
    pub total_regret: Vec<Estimate>,
    /// Each player's POWER averaged uniformly over states.
    pub mean_power: Vec<Estimate>,
    /// `Σ_i` of the state averages.
    pub mean_total_power: Estimate,
    /// The constant the rewards sum to, if the distribution guarantees one.
    pub constant_sum: Option<f64>,
    /// Largest certified exploitability over samples (POWER units).
    pub max_exploitability: f64,
    /// The exploitability asked for.
    pub target_exploitability: f64,
    /// Every sample's profile reached the target (fixed profiles: whether they happen to).
    pub target_reached: bool,
    /// Samples whose equilibrium iteration stopped at the sweep limit.
    pub unconverged_samples: usize,
    /// Every sample was computed exactly (finite horizon, exact stages).
    pub exact: bool,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// The solver [`Method::Equilibrium`] resolves to for this game and reward source.
fn method_name(game: &StochasticGame, rewards: &Rewards, opts: &StochasticOptions) -> &'static str {
    match (&opts.horizon, &opts.method) {
        (_, Method::Uniform) => "uniformly random profile",
        (_, Method::Given(_)) => "given profile",
        (Horizon::Finite(_), _) => "backward induction (exact stage equilibria)",
        (_, Method::Shapley) => "Shapley value iteration (checked simplex per stage)",
        (_, Method::NashValueIteration) => "Nash value iteration",
        (_, Method::Equilibrium) if game.n_players() == 2 && rewards.constant_sum(2).is_some() => {
            "Shapley value iteration (checked simplex per stage)"
        }
        (_, Method::Equilibrium) => "Nash value iteration",
    }
}

fn iteration(gamma: f64, opts: &StochasticOptions) -> Iteration {
    Iteration {
        gamma,
        tolerance: opts.tolerance,
        max_iterations: opts.max_iterations,
        exact_stages: opts.exact_stages,
    }
}

/// Results for one reward profile given as site values (`values[i][site]`).
pub fn solve_sample(
    game: &StochasticGame,
    site: super::reward::Site,
    values: &[Vec<f64>],
    exact_values_in: Option<&[Vec<Rational>]>,
    shapley_ok: bool,
    opts: &StochasticOptions,
) -> Result<SampleResult> {
    match &opts.horizon {
        Horizon::Finite(h) => {
            let exact_in = match exact_values_in {
                Some(v) => v.to_vec(),
                None => exact_values(values)?,
            };
            let r = stage_rewards_exact(game, site, &exact_in);
            let (profile, exact) = match &opts.method {
                Method::Uniform => (finite::uniform_profile(game, h.steps), true),
                Method::Given(_) => {
                    return Err(Error::invalid(
                        "a given stationary profile is supported for discounted horizons",
                    ))
                }
                _ => {
                    let ind = finite::backward_induction(game, &r, h, opts.selection)?;
                    (ind.profile, ind.exact)
                }
            };
            let ep = finite::exact_power(game, &r, &profile, h)?;
            let gain = ep
                .power
                .iter()
                .zip(&ep.value)
                .flat_map(|(p, v)| p.iter().zip(v).map(|(a, b)| a - b))
                .max()
                .unwrap_or_default();
            let f = |m: &Vec<Vec<Rational>>| m.iter().map(|r| r.iter().map(to_f64).collect()).collect();
            Ok(SampleResult {
                power: f(&ep.power),
                value: f(&ep.value),
                exploitability: to_f64(&gain).max(0.0),
                converged: true,
                exact,
                exact_power: Some(ep),
            })
        }
        Horizon::Discounted(gamma) => {
            let r = stage_rewards(game, site, values);
            let it = iteration(*gamma, opts);
            it.validate()?;
            let (cert, converged) = match &opts.method {
                Method::Uniform => (certify(game, &r, &solve::uniform_profile(game), &it)?, true),
                Method::Given(p) => (certify(game, &r, p, &it)?, true),
                Method::Shapley => {
                    let s = shapley(game, &r, &it)?;
                    (s.certificate, s.converged)
                }
                Method::Equilibrium if shapley_ok => {
                    let s = shapley(game, &r, &it)?;
                    (s.certificate, s.converged)
                }
                Method::NashValueIteration | Method::Equilibrium => {
                    let s = nash_value_iteration(game, &r, &it, opts.selection)?;
                    (s.certificate, s.converged)
                }
            };
            Ok(SampleResult {
                power: cert.power,
                value: cert.value,
                exploitability: cert.bound,
                converged,
                exact: false,
                exact_power: None,
            })
        }
    }
}

/// The per-sample row of accumulated quantities (see [`finish`]).
fn row(r: &SampleResult) -> Vec<f64> {
    let n = r.power.len();
    let ns = r.power[0].len();
    let mut out = Vec::with_capacity(2 * n * ns + 2 * ns + n + 1);
    for p in &r.power {
        out.extend_from_slice(p);
    }
    for v in &r.value {
        out.extend_from_slice(v);
    }
    out.extend((0..ns).map(|s| r.power.iter().map(|p| p[s]).sum::<f64>()));
    out.extend((0..ns).map(|s| r.power.iter().zip(&r.value).map(|(p, v)| p[s] - v[s]).sum::<f64>()));
    let means: Vec<f64> = r.power.iter().map(|p| p.iter().sum::<f64>() / ns as f64).collect();
    out.extend_from_slice(&means);
    out.push(means.iter().sum());
    out
}

/// Check the options against the game.
pub fn validate(game: &StochasticGame, rewards: &Rewards, opts: &StochasticOptions) -> Result<()> {
    match rewards {
        Rewards::Random(m) => {
            m.validate(game.n_players())?;
            if opts.samples < 2 {
                return Err(Error::invalid(
                    "samples: at least 2 reward samples are needed for standard errors",
                ));
            }
        }
        Rewards::Types(t) => t.validate(game)?,
    }
    match &opts.horizon {
        Horizon::Discounted(g) => iteration(*g, opts).validate()?,
        Horizon::Finite(h) => h.validate()?,
    }
    if let Method::Given(p) = &opts.method {
        solve::check_profile(game, p)?;
    }
    if matches!(opts.method, Method::Shapley) && (game.n_players() != 2 || rewards.constant_sum(2).is_none()) {
        return Err(Error::invalid(
            "Shapley's value iteration needs 2 players and constant-sum rewards (constant-sum, or ρ = −1)",
        ));
    }
    if opts.target_exploitability.is_nan() || opts.target_exploitability < 0.0 {
        return Err(Error::invalid("target_exploitability must be non-negative"));
    }
    let bytes = game.memory_bytes() as f64 + (game.n_players() * game.n_joint_actions() * 16) as f64;
    crate::resources::check(bytes, || {
        format!(
            "a stochastic game with {} joint actions and {} transitions",
            game.n_joint_actions(),
            game.n_transitions()
        )
    })?;
    Ok(())
}

/// Estimate every player's POWER, value, total POWER and total regret at
/// every state; identical for any number of threads.
pub fn stochastic_power(
    game: &StochasticGame,
    rewards: &Rewards,
    opts: &StochasticOptions,
    progress: &dyn Progress,
) -> Result<StochasticPowerReport> {
    validate(game, rewards, opts)?;
    let start = Instant::now();
    let shapley_ok = game.n_players() == 2 && rewards.constant_sum(2).is_some();
    let (results, weights): (Vec<SampleResult>, Option<Vec<f64>>) = match rewards {
        Rewards::Random(model) => {
            progress.set_total(opts.samples as u64);
            let mut all = Vec::with_capacity(opts.samples);
            let chunk = 2 * rayon::current_num_threads().max(1);
            for wave in (0..opts.samples).collect::<Vec<_>>().chunks(chunk * 4) {
                crate::progress::check(progress)?;
                let got: Vec<Result<SampleResult>> = wave
                    .par_iter()
                    .map(|&k| {
                        let values = model.sample(game, opts.seed, k)?;
                        let exact = match opts.horizon {
                            Horizon::Finite(_) => Some(model.exact_sample(&values)?),
                            Horizon::Discounted(_) => None,
                        };
                        let r = solve_sample(game, model.site, &values, exact.as_deref(), shapley_ok, opts);
                        progress.advance(1);
                        r
                    })
                    .collect();
                for r in got {
                    all.push(r?);
                }
            }
            (all, None)
        }
        Rewards::Types(types) => {
            let mut all = Vec::new();
            for t in &types.profiles {
                crate::progress::check(progress)?;
                let values: Vec<Vec<f64>> = t.rewards.iter().map(|r| r.iter().map(to_f64).collect()).collect();
                all.push(solve_sample(
                    game,
                    types.site,
                    &values,
                    Some(&t.rewards),
                    shapley_ok,
                    opts,
                )?);
            }
            (all, Some(types.profiles.iter().map(|t| to_f64(&t.prior)).collect()))
        }
    };
    Ok(finish(game, rewards, opts, &results, weights.as_deref(), start))
}

fn finish(
    game: &StochasticGame,
    rewards: &Rewards,
    opts: &StochasticOptions,
    results: &[SampleResult],
    weights: Option<&[f64]>,
    start: Instant,
) -> StochasticPowerReport {
    let (n, ns) = (game.n_players(), game.n_states());
    let rows: Vec<Vec<f64>> = results.iter().map(row).collect();
    let width = rows.first().map_or(0, Vec::len);
    let est: Vec<Estimate> = match weights {
        None => {
            let mut m = Moments::new(width);
            for r in &rows {
                m.push(r);
            }
            let t = t_quantile_975(rows.len().max(2) - 1);
            (0..width).map(|i| m.estimate(i, t)).collect()
        }
        Some(w) => (0..width)
            .map(|i| {
                let mean = rows.iter().zip(w).map(|(r, p)| p * r[i]).sum();
                Estimate::with_quantile(mean, 0.0, 0.0)
            })
            .collect(),
    };
    let block = |offset: usize| -> Vec<Vec<Estimate>> {
        (0..n)
            .map(|i| est[offset + i * ns..offset + (i + 1) * ns].to_vec())
            .collect()
    };
    let max_exploitability = results.iter().map(|r| r.exploitability).fold(0.0, f64::max);
    let rewards_text = match rewards {
        Rewards::Random(m) => m.to_string(),
        Rewards::Types(t) => format!("{} type profiles with a prior", t.profiles.len()),
    };
    StochasticPowerReport {
        players: game.players().to_vec(),
        states: game.state_names().to_vec(),
        horizon: opts.horizon.to_string(),
        rewards: rewards_text,
        method: method_name(game, rewards, opts).to_string(),
        selection: opts.selection.name(),
        samples: results.len(),
        seed: opts.seed,
        power: block(0),
        value: block(n * ns),
        total_power: est[2 * n * ns..2 * n * ns + ns].to_vec(),
        total_regret: est[2 * n * ns + ns..2 * n * ns + 2 * ns].to_vec(),
        mean_power: est[2 * n * ns + 2 * ns..2 * n * ns + 2 * ns + n].to_vec(),
        mean_total_power: est[width - 1],
        constant_sum: rewards.constant_sum(n),
        max_exploitability,
        target_exploitability: opts.target_exploitability,
        target_reached: max_exploitability <= opts.target_exploitability,
        unconverged_samples: results.iter().filter(|r| !r.converged).count(),
        exact: results.iter().all(|r| r.exact),
        seconds: start.elapsed().as_secs_f64(),
    }
}

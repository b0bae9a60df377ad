//! Stochastic-game POWER as requests and reports for the front ends: the
//! command line (`powerseek stochastic power`, `stochastic sweep`) and
//! Python (`stochastic_power`, `stochastic_sweep`) fill a
//! [`StochasticRequest`] and call [`power`] or [`sweep`], so the option
//! names, defaults and checks live here once.
//!
//! The sweep is the sequential power-scarcity picture: ΣPOWER against the
//! reward correlation ρ (two players) at an equilibrium computed per sample,
//! next to the POWERplay protocol on the same samples, with 95% intervals.

use serde::{Deserialize, Serialize};

use super::finite::FiniteHorizon;
use super::incomplete::{self, Incomplete, IncompleteHorizon, IncompleteOptions, TypeProfileSource};
use super::power::{stochastic_power, Horizon, Method, Rewards, StochasticOptions, StochasticPowerReport};
use super::respond::{Prepared, Protocol, Responder};
use super::reward::{stage_rewards, Joint, RewardModel, Site, TypeProfile, TypeProfiles};
use super::solve::{uniform_profile, Iteration, Selection};
use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::parse_rational;
use crate::progress::Progress;
use crate::stats::{t_quantile_975, Estimate, Moments};

/// Everything a stochastic-game POWER estimate needs besides the game.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StochasticRequest {
    /// Discount rate in `(0, 1)`; default: the game file's, else 0.9.
    /// Ignored (an error) with `steps`.
    pub gamma: Option<f64>,
    /// A finite horizon of this many steps (exact arithmetic) instead of discounting.
    pub steps: Option<usize>,
    /// `iid`, `correlated:ρ`, `constant-sum[:c]`, `common` or `blend:λ`
    /// (common payoff at λ = 0 to constant-sum at λ = 1; default `iid`).
    pub rewards: String,
    /// `state` (default) or `joint-action`.
    pub reward_on: Site,
    /// The uniform marginals' interval (default `[0, 1]`).
    pub interval: (f64, f64),
    /// `equilibrium` (default), `shapley`, `nash-vi` or `uniform`.
    pub method: String,
    /// `max-welfare` (default), `min-welfare` or `first`.
    pub selection: String,
    /// Reward samples (default 1 000).
    pub samples: usize,
    /// Seed of the samples (default 0).
    pub seed: u64,
    /// Error bound on every POWER and value (discounted; default 1e-7).
    pub tolerance: f64,
    /// Most sweeps of an iteration (default 10 000).
    pub max_iterations: usize,
    /// The exploitability every sample's equilibrium should reach (default 1e-5).
    pub target_exploitability: f64,
    /// Shapley: solve every matrix game by the exact LP (slower).
    pub exact_stages: bool,
}

impl Default for StochasticRequest {
    fn default() -> Self {
        let o = StochasticOptions::default();
        StochasticRequest {
            gamma: None,
            steps: None,
            rewards: "iid".into(),
            reward_on: Site::State,
            interval: (0.0, 1.0),
            method: "equilibrium".into(),
            selection: Selection::default().name().into(),
            samples: o.samples,
            seed: o.seed,
            tolerance: o.tolerance,
            max_iterations: o.max_iterations,
            target_exploitability: o.target_exploitability,
            exact_stages: false,
        }
    }
}

/// Parse a reward construction: `iid`, `correlated:ρ`, `constant-sum[:c]`, `common`, `blend:λ`.
pub fn parse_joint(spec: &str) -> Result<Joint> {
    let number = |x: &str, what: &str| {
        x.trim()
            .parse::<f64>()
            .map_err(|_| Error::invalid(format!("rewards: '{x}' in '{spec}' is not a number ({what})")))
    };
    match spec.trim().split_once(':') {
        Some(("correlated", rho)) => Ok(Joint::Correlated(number(rho, "ρ")?)),
        Some(("constant-sum", c)) => Ok(Joint::ConstantSum(Some(number(c, "the total")?))),
        Some(("blend", l)) => Ok(Joint::Blend(number(l, "λ")?)),
        None if spec.trim() == "iid" => Ok(Joint::Iid),
        None if spec.trim() == "common" => Ok(Joint::Common),
        None if spec.trim() == "constant-sum" => Ok(Joint::ConstantSum(None)),
        _ => Err(Error::invalid(format!(
            "rewards: '{spec}' is not a reward construction; expected iid, correlated:ρ, constant-sum[:c], common or blend:λ"
        ))),
    }
}

impl StochasticRequest {
    /// The reward model and options for `game`, checked.
    pub fn resolve(&self, game: &StochasticGame) -> Result<(RewardModel, StochasticOptions)> {
        let model = RewardModel {
            joint: parse_joint(&self.rewards)?,
            site: self.reward_on,
            lo: self.interval.0,
            hi: self.interval.1,
        };
        let horizon = match (self.steps, self.gamma) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "steps: a finite horizon is undiscounted here; give steps or gamma, not both",
                ))
            }
            (Some(steps), None) => Horizon::Finite(FiniteHorizon::undiscounted(steps)),
            (None, g) => Horizon::Discounted(g.or(game.discount()).unwrap_or(0.9)),
        };
        let method = match self.method.as_str() {
            "equilibrium" => Method::Equilibrium,
            "shapley" => Method::Shapley,
            "nash-vi" => Method::NashValueIteration,
            "uniform" => Method::Uniform,
            other => {
                return Err(Error::invalid(format!(
                    "method: '{other}' is not a method; expected equilibrium, shapley, nash-vi or uniform"
                )))
            }
        };
        let opts = StochasticOptions {
            horizon,
            method,
            selection: self.selection.parse()?,
            samples: self.samples,
            seed: self.seed,
            tolerance: self.tolerance,
            max_iterations: self.max_iterations,
            target_exploitability: self.target_exploitability,
            exact_stages: self.exact_stages,
        };
        super::power::validate(game, &Rewards::Random(model), &opts)?;
        Ok((model, opts))
    }
}

/// POWER of every player at every state for `request`.
pub fn power(
    game: &StochasticGame,
    request: &StochasticRequest,
    progress: &dyn Progress,
) -> Result<StochasticPowerReport> {
    let (model, opts) = request.resolve(game)?;
    stochastic_power(game, &Rewards::Random(model), &opts, progress)
}

/// What a sweep varies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SweepOver {
    /// The reward correlation ρ ∈ [−1, 1] of two players (`correlated:ρ`).
    Rho,
    /// λ ∈ [0, 1] from common payoff to constant-sum (`blend:λ`), any number of players.
    Lambda,
}

/// One type profile as the front ends give it: every number as text, read
/// exactly (an integer, a decimal such as `0.25`, or a fraction such as `1/3`).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypeProfileSpec {
    /// A name for reports (default `t<k>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Prior probability, positive; the priors sum to exactly 1.
    pub prior: String,
    /// `rewards[i][site]`: player `i`'s reward at every site.
    pub rewards: Vec<Vec<String>>,
}

/// A finite set of type profiles with a prior, as the front ends give it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TypesSpec {
    /// `state` (default) or `joint-action`.
    #[serde(default = "state_site")]
    pub site: Site,
    /// The profiles.
    pub profiles: Vec<TypeProfileSpec>,
}

fn state_site() -> Site {
    Site::State
}

impl TypesSpec {
    /// The exact type profiles, checked against `game`; errors name the profile and entry.
    pub fn resolve(&self, game: &StochasticGame) -> Result<TypeProfiles> {
        let profiles = self
            .profiles
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let at = |what: String, e: Error| Error::invalid(format!("types[{k}].{what}: {e}"));
                let rewards = t
                    .rewards
                    .iter()
                    .enumerate()
                    .map(|(i, row)| {
                        row.iter()
                            .enumerate()
                            .map(|(x, v)| parse_rational(v).map_err(|e| at(format!("rewards[{i}][{x}]"), e)))
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<Vec<_>>>()?;
                Ok(TypeProfile {
                    name: t.name.clone().unwrap_or_else(|| format!("t{k}")),
                    prior: parse_rational(&t.prior).map_err(|e| at("prior".into(), e))?,
                    rewards,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let types = TypeProfiles {
            site: self.site,
            profiles,
        };
        types.validate(game)?;
        Ok(types)
    }
}

/// POWER of every player at every state averaged exactly over a finite set
/// of type profiles with their prior (complete information within a profile,
/// docs/theory.md §11.3): `request`'s horizon, method and solver settings
/// apply; its `rewards`, `interval`, `samples` and `seed` do not.
pub fn type_power(
    game: &StochasticGame,
    request: &StochasticRequest,
    types: &TypesSpec,
    progress: &dyn Progress,
) -> Result<StochasticPowerReport> {
    let types = types.resolve(game)?;
    let (_, opts) = request.resolve(game)?;
    stochastic_power(game, &Rewards::Types(types), &opts, progress)
}

/// An incomplete-information run as the front ends give it (docs/theory.md §11.6).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct IncompleteRequest {
    /// Steps of the (undiscounted) finite horizon, exact; default 1 unless `gamma` is given.
    pub steps: Option<usize>,
    /// Discount rate in `(0, 1)` instead of a finite horizon (value iteration
    /// on the belief MDP; stationary strategies with finitely many reachable beliefs).
    pub gamma: Option<f64>,
    /// Discounted: bound on the error of every POWER and value (default 1e-7).
    pub tolerance: f64,
    /// Discounted: most sweeps of value iteration (default 10 000).
    pub max_iterations: usize,
    /// `equilibrium` (one step: a Bayesian equilibrium of every stage game),
    /// `uniform`, or `given` (with `strategies`); default `equilibrium`, or
    /// `given` when strategies are given.
    pub profile: Option<String>,
    /// Which stage equilibrium: `max-welfare` (default), `min-welfare` or `first`.
    pub selection: String,
    /// Stationary type-strategies `[i][θ][s][a]` (the same at every step),
    /// numbers as text read exactly; player `i`'s own types `θ` in the order
    /// they first appear among the type profiles.
    pub strategies: Option<Vec<Vec<Vec<Vec<String>>>>>,
    /// Most (step, state, belief) nodes per player and type (default
    /// [`incomplete::MAX_BELIEF_NODES`]).
    pub max_belief_nodes: usize,
}

impl Default for IncompleteRequest {
    fn default() -> Self {
        let o = StochasticOptions::default();
        IncompleteRequest {
            steps: None,
            gamma: None,
            tolerance: o.tolerance,
            max_iterations: o.max_iterations,
            profile: None,
            selection: Selection::default().name().into(),
            strategies: None,
            max_belief_nodes: incomplete::MAX_BELIEF_NODES,
        }
    }
}

impl IncompleteRequest {
    /// The options for `game` and `types`; errors name the field and entry.
    pub fn resolve(&self, game: &StochasticGame, types: &TypeProfiles) -> Result<IncompleteOptions> {
        let horizon = match (self.steps, self.gamma) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid(
                    "steps: a finite horizon is undiscounted here; give steps or gamma, not both",
                ))
            }
            (steps, None) => IncompleteHorizon::Finite(FiniteHorizon::undiscounted(steps.unwrap_or(1))),
            (None, Some(gamma)) => IncompleteHorizon::Discounted(Iteration {
                gamma,
                tolerance: self.tolerance,
                max_iterations: self.max_iterations,
                exact_stages: false,
            }),
        };
        let steps = horizon.strategy_steps();
        let profile = match (self.profile.as_deref(), &self.strategies) {
            (None | Some("given"), Some(rows)) => {
                let stationary = rows
                    .iter()
                    .enumerate()
                    .map(|(i, by_type)| {
                        by_type
                            .iter()
                            .enumerate()
                            .map(|(theta, states)| {
                                states
                                    .iter()
                                    .enumerate()
                                    .map(|(s, p)| {
                                        p.iter()
                                            .enumerate()
                                            .map(|(a, x)| {
                                                parse_rational(x).map_err(|e| {
                                                    Error::invalid(format!("strategies[{i}][{theta}][{s}][{a}]: {e}"))
                                                })
                                            })
                                            .collect::<Result<Vec<_>>>()
                                    })
                                    .collect::<Result<Vec<_>>>()
                            })
                            .collect::<Result<Vec<_>>>()
                    })
                    .collect::<Result<Vec<_>>>()?;
                incomplete::check_stationary(game, &incomplete::own_types(types, game.n_players()), &stationary)?;
                let sigma = stationary
                    .into_iter()
                    .map(|by_type| by_type.into_iter().map(|one| vec![one; steps]).collect())
                    .collect();
                TypeProfileSource::Given(sigma)
            }
            (Some("given"), None) => {
                return Err(Error::invalid("profile: 'given' needs strategies"));
            }
            (Some(p), Some(_)) => {
                return Err(Error::invalid(format!(
                    "profile: '{p}' and given strategies exclude each other"
                )))
            }
            (None | Some("equilibrium"), None) => TypeProfileSource::StageEquilibrium,
            (Some("uniform"), None) => TypeProfileSource::Uniform,
            (Some(other), None) => {
                return Err(Error::invalid(format!(
                    "profile: '{other}' is not a profile; expected equilibrium, uniform or given"
                )))
            }
        };
        Ok(IncompleteOptions {
            horizon,
            profile,
            selection: self.selection.parse()?,
            max_belief_nodes: self.max_belief_nodes,
        })
    }
}

/// Read a type-profile file (JSON: `site`, `profiles` with `name`, `prior`,
/// `rewards`; numbers as JSON numbers or text such as `"1/3"`, read exactly).
pub fn load_types(path: &std::path::Path) -> Result<TypesSpec> {
    let text = crate::error::read_text(path)?;
    crate::input::from_json_exact(&text, &path.display().to_string(), &["profiles"])
}

/// The strategies of a strategy file (JSON `{"strategies": [player][own
/// type][state][action]}`, numbers read exactly).
pub fn load_strategies(path: &std::path::Path) -> Result<Vec<Vec<Vec<Vec<String>>>>> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct File {
        strategies: Vec<Vec<Vec<Vec<String>>>>,
    }
    let text = crate::error::read_text(path)?;
    let file: File = crate::input::from_json_exact(&text, &path.display().to_string(), &["strategies"])?;
    Ok(file.strategies)
}

/// POWER of every player at every state when each knows only its own
/// reward among a finite set of type profiles (docs/theory.md §11.6).
pub fn incomplete_type_power(
    game: &StochasticGame,
    request: &IncompleteRequest,
    types: &TypesSpec,
    progress: &dyn Progress,
) -> Result<Incomplete> {
    let types = types.resolve(game)?;
    let opts = request.resolve(game, &types)?;
    incomplete::incomplete_power(game, &types, &opts, progress)
}

/// One point of a sweep: POWER averaged over states at the equilibrium and,
/// with two players, under the POWERplay protocol, on the same reward samples.
#[derive(Clone, Debug, Serialize)]
pub struct SweepPoint {
    /// The reward correlation (ρ sweeps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rho: Option<f64>,
    /// λ, from common payoff (0) to constant-sum (1) (λ sweeps).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lambda: Option<f64>,
    /// Each player's POWER averaged over states, at equilibrium.
    pub equilibrium_power: Vec<Estimate>,
    /// ΣPOWER averaged over states, at equilibrium.
    pub equilibrium_total: Estimate,
    /// Each player's POWER averaged over states, POWERplay protocol (two players).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub powerplay_power: Option<Vec<Estimate>>,
    /// ΣPOWER averaged over states, POWERplay protocol (two players).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub powerplay_total: Option<Estimate>,
    /// Largest certified exploitability of the equilibria at this point.
    pub max_exploitability: f64,
    /// Every sample's equilibrium reached the target exploitability.
    pub target_reached: bool,
    /// The solver that ran at this point.
    pub method: String,
}

impl SweepPoint {
    /// The swept value (ρ or λ).
    pub fn at(&self) -> f64 {
        self.rho.or(self.lambda).unwrap_or(f64::NAN)
    }
}

/// The sequential power-scarcity sweep over ρ or λ.
#[derive(Clone, Debug, Serialize)]
pub struct StochasticSweep {
    /// What is swept.
    pub over: SweepOver,
    /// The players' names.
    pub players: Vec<String>,
    /// The horizon, as text.
    pub horizon: String,
    /// Samples per point (the same seeds at every point: common random numbers).
    pub samples: usize,
    /// The exploitability asked for.
    pub target_exploitability: f64,
    /// One point per swept value, in the order given.
    pub points: Vec<SweepPoint>,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// `K ≥ 2` evenly spaced values from `lo` to `hi` (the `steps:K` of a sweep
/// option named `field`).
pub fn sweep_steps(field: &str, k: usize, lo: f64, hi: f64) -> Result<Vec<f64>> {
    if k < 2 {
        return Err(Error::invalid(format!("{field}: steps:{k} needs at least 2 steps")));
    }
    Ok((0..k).map(|i| lo + (hi - lo) * i as f64 / (k - 1) as f64).collect())
}

/// The values of a sweep option named `field`: comma-separated numbers, or
/// `steps:K` for [`sweep_steps`] over `[lo, hi]` (ranges are checked by the caller).
pub fn parse_sweep_values(field: &str, text: &str, lo: f64, hi: f64) -> Result<Vec<f64>> {
    match text.trim().strip_prefix("steps:") {
        Some(k) => sweep_steps(
            field,
            k.trim()
                .parse()
                .map_err(|_| Error::invalid(format!("{field}: steps:{k}: '{k}' is not a count")))?,
            lo,
            hi,
        ),
        None => text
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .map_err(|_| Error::invalid(format!("{field}: '{x}' is not a number")))
            })
            .collect(),
    }
}

/// λ values from text: a comma-separated list in `[0, 1]`, or `steps:K`.
pub fn parse_lambdas(text: &str) -> Result<Vec<f64>> {
    let values = parse_sweep_values("lambdas", text, 0.0, 1.0)?;
    if let Some(bad) = values.iter().find(|l| !(0.0..=1.0).contains(*l)) {
        return Err(Error::invalid(format!(
            "lambdas: {bad} is outside [0, 1] (0 common payoff, 1 constant-sum)"
        )));
    }
    Ok(values)
}

/// ΣPOWER against ρ (two players, discounted) at equilibrium and under the
/// POWERplay protocol (uniformly random seed policies), on common samples.
pub fn sweep(
    game: &StochasticGame,
    request: &StochasticRequest,
    rhos: &[f64],
    progress: &dyn Progress,
) -> Result<StochasticSweep> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "the ρ sweep is defined for 2 players (ρ-correlated rewards); this game has {}",
            game.n_players()
        )));
    }
    if rhos.is_empty() {
        return Err(Error::invalid("rhos: give at least one correlation"));
    }
    sweep_over(game, request, SweepOver::Rho, rhos, progress)
}

/// Each player's POWER and ΣPOWER against λ from common payoff (0) to
/// constant-sum (1) at equilibrium (any number of players, discounted), with
/// the POWERplay protocol alongside for two players, on common samples.
pub fn lambda_sweep(
    game: &StochasticGame,
    request: &StochasticRequest,
    lambdas: &[f64],
    progress: &dyn Progress,
) -> Result<StochasticSweep> {
    if lambdas.is_empty() {
        return Err(Error::invalid("lambdas: give at least one λ"));
    }
    sweep_over(game, request, SweepOver::Lambda, lambdas, progress)
}

fn sweep_over(
    game: &StochasticGame,
    request: &StochasticRequest,
    over: SweepOver,
    values: &[f64],
    progress: &dyn Progress,
) -> Result<StochasticSweep> {
    let start = std::time::Instant::now();
    let quiet = crate::progress::CancelOnly(progress);
    progress.set_total(values.len() as u64);
    let mut points = Vec::with_capacity(values.len());
    let mut horizon = String::new();
    for &x in values {
        let rewards = match over {
            SweepOver::Rho => format!("correlated:{x}"),
            SweepOver::Lambda => format!("blend:{x}"),
        };
        let r = StochasticRequest {
            rewards,
            ..request.clone()
        };
        let (model, opts) = r.resolve(game)?;
        let Horizon::Discounted(gamma) = opts.horizon else {
            return Err(Error::invalid(
                "the sweep compares with the POWERplay protocol, which is discounted: give gamma, not steps",
            ));
        };
        horizon = opts.horizon.to_string();
        let eq = stochastic_power(game, &Rewards::Random(model), &opts, &quiet)?;
        let powerplay = if game.n_players() == 2 {
            let it = Iteration {
                gamma,
                tolerance: opts.tolerance,
                max_iterations: opts.max_iterations,
                exact_stages: opts.exact_stages,
            };
            Some(powerplay_means(game, &model, &opts, &Responder::new(it), progress)?)
        } else {
            None
        };
        points.push(SweepPoint {
            rho: (over == SweepOver::Rho).then_some(x),
            lambda: (over == SweepOver::Lambda).then_some(x),
            equilibrium_power: eq.mean_power.clone(),
            equilibrium_total: eq.mean_total_power,
            powerplay_power: powerplay.map(|p| vec![p[0], p[1]]),
            powerplay_total: powerplay.map(|p| p[2]),
            max_exploitability: eq.max_exploitability,
            target_reached: eq.target_reached,
            method: eq.method,
        });
        progress.advance(1);
    }
    Ok(StochasticSweep {
        over,
        players: game.players().to_vec(),
        horizon,
        samples: request.samples,
        target_exploitability: request.target_exploitability,
        points,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Mean POWER over states of H, A and their sum under the POWERplay
/// protocol (uniform seeds), over the model's samples.
fn powerplay_means(
    game: &StochasticGame,
    model: &RewardModel,
    opts: &StochasticOptions,
    player: &Responder,
    progress: &dyn Progress,
) -> Result<[Estimate; 3]> {
    let seeds = uniform_profile(game);
    let prepared = Prepared::new(game, &seeds, Protocol::PowerPlay, &[*player; 2])?;
    let mut ws = prepared.workspace();
    let mut m = Moments::new(3);
    for k in 0..opts.samples {
        crate::progress::check(progress)?;
        let values = model.sample(game, opts.seed, k)?;
        let rewards = stage_rewards(game, model.site, &values);
        let p = prepared.respond(&rewards, &mut ws)?;
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let (h, a) = (mean(&p[0]), mean(&p[1]));
        m.push(&[h, a, h + a]);
    }
    let t = t_quantile_975(opts.samples - 1);
    Ok([m.estimate(0, t), m.estimate(1, t), m.estimate(2, t)])
}

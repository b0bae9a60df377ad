//! Several agents on one gridworld as requests and reports: each agent's
//! POWER at one reward correlation ([`power`]) and a sweep over correlations
//! ([`sweep`]). The command line (`multi power`, `multi sweep`) and Python
//! (`sequential_power`, `rho_sweep`) both call these, so the response and
//! seed-policy rules, the other agent's cell lookup, the defaults, and which
//! options apply with more than two agents live here once.
//!
//! With two agents, H (agent 0) and A (agent 1), every option applies. With
//! more, the focal agent's POWER is computed against uniformly random
//! others: the options that only make sense for two agents (a response
//! other than `random`, a seed policy, A's discount, a reward correlation,
//! the other agent's cell) are errors rather than ignored.

use serde::{Deserialize, Serialize};

use super::joint::{cell_means, focal_rewards, induced_mdp, uniform_policy, Grid, JointDynamics, JointOptions, Turns};
use super::sequential::{
    per_cell, policy_from_json, rho_sweep, sequential_power, OtherPosition, Response, RewardSite, SeedPolicies,
    SequentialOptions, SequentialReport,
};
use crate::error::{Error, Result};
use crate::mdp::map::MapView;
use crate::mdp::power::{estimate_power, PowerOptions, SampleSize};
use crate::mdp::reward::Marginal;
use crate::mdp::solve::{default_gamma, Horizon, SolverOptions};
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::Estimate;

/// The agents, the grid's rules, the rewards and the other agent's response.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MultiRequest {
    /// Number of agents on the grid (default 2).
    pub agents: usize,
    /// `alternating` (default) or `simultaneous` moves.
    pub turns: Turns,
    /// Two agents may not share a cell.
    pub no_overlap: bool,
    /// Probability that a move is replaced by a uniformly random allowed move.
    pub noise: f64,
    /// How the other agent acts: `random` (default), `fixed` (the seed
    /// policy), `optimal`, `boltzmann:β` or `powerplay` (see [`Response`]).
    pub other: String,
    /// A's seed policy, JSON `{"<joint state>": {"<move>": p}}` (default uniform random).
    pub seed_policy: Option<String>,
    /// Where the seed policy's text came from, for error messages.
    #[serde(skip)]
    pub seed_policy_origin: Option<String>,
    /// Discount of H (and of A unless `gamma_other`); default: the grid
    /// file's discount, else 0.9.
    pub gamma: Option<f64>,
    /// Discount of A, the other agent, when it differs from H's (two agents only).
    pub gamma_other: Option<f64>,
    /// `joint` (one reward per joint state, POWERplay's choice; default) or
    /// `cell` (per grid cell, read at the agent's own cell).
    pub reward_on: RewardSite,
    /// Both agents' rewards are uniform on `[lo, hi]` (default `[0, 1]`).
    pub interval: (f64, f64),
    /// Reward samples (default 1 000; per ρ in a sweep).
    pub samples: usize,
    /// Seed of the reward samples (default 0); a sweep reuses it at every ρ.
    pub seed: u64,
    /// Value-iteration tolerance on each sample's POWER (default 10^-6).
    pub tolerance: f64,
    /// Per-cell summaries with the other agent at this cell (by name, e.g.
    /// `(1,1)`) instead of averaged over its positions.
    pub other_at: Option<String>,
    /// With more than two agents: whose POWER (from 0; default 0).
    pub focal: Option<usize>,
}

impl Default for MultiRequest {
    fn default() -> Self {
        let seq = SequentialOptions::default();
        MultiRequest {
            agents: 2,
            turns: Turns::Alternating,
            no_overlap: false,
            noise: 0.0,
            other: "random".into(),
            seed_policy: None,
            seed_policy_origin: None,
            gamma: None,
            gamma_other: None,
            reward_on: seq.site,
            interval: (seq.lo, seq.hi),
            samples: seq.samples,
            seed: seq.seed,
            tolerance: seq.tolerance,
            other_at: None,
            focal: None,
        }
    }
}

/// `K` evenly spaced correlations from −1 to 1 (`K ≥ 2`).
pub fn rho_steps(k: usize) -> Result<Vec<f64>> {
    crate::stochastic::request::sweep_steps("rhos", k, -1.0, 1.0)
}

/// Correlations from text: comma-separated values, or `steps:K` for
/// [`rho_steps`]`(K)`; each must be in `[−1, 1]`.
pub fn parse_rhos(text: &str) -> Result<Vec<f64>> {
    let rhos = crate::stochastic::request::parse_sweep_values("rhos", text, -1.0, 1.0)?;
    check_rhos(&rhos)?;
    Ok(rhos)
}

/// Every correlation is a number in `[−1, 1]`, and there is at least one.
pub fn check_rhos(rhos: &[f64]) -> Result<()> {
    if rhos.is_empty() {
        return Err(Error::invalid("rhos: no correlation to sweep"));
    }
    if let Some(bad) = rhos.iter().find(|r| !(-1.0..=1.0).contains(*r)) {
        return Err(Error::invalid(format!("rhos: ρ = {bad} is outside [−1, 1]")));
    }
    // A repeated ρ would be swept twice and plotted as two points.
    if let Some((i, r)) = rhos.iter().enumerate().find(|(i, r)| rhos[..*i].contains(r)) {
        return Err(Error::invalid(format!(
            "rhos: ρ = {r} is given twice (entries {} and {})",
            rhos.iter().position(|x| x == r).expect("earlier entry") + 1,
            i + 1
        )));
    }
    Ok(())
}

/// Rewards are uniform on `[lo, hi]` with finite `lo < hi`.
fn check_interval((lo, hi): (f64, f64)) -> Result<()> {
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "interval: need finite lo < hi, got [{lo}, {hi}]"
        )))
    }
}

/// The two-agent setting of a request, checked before computing.
struct TwoAgents {
    grid: Grid,
    dynamics: JointDynamics,
    seeds: SeedPolicies,
    options: SequentialOptions,
    at: OtherPosition,
}

fn joint_options(request: &MultiRequest) -> JointOptions {
    JointOptions {
        agents: request.agents,
        turns: request.turns,
        no_overlap: request.no_overlap,
        noise: request.noise,
    }
}

/// The cell named `name`, for `other_at`.
fn cell_named(grid: &Grid, name: &str) -> Result<usize> {
    grid.names.iter().position(|n| n == name).ok_or_else(|| {
        Error::invalid(format!(
            "other_at: '{name}' is not a cell of the grid (cells are named like {})",
            grid.names.first().map_or("(0,0)", String::as_str)
        ))
    })
}

fn two_agents(base: &Mdp, request: &MultiRequest, rho: f64) -> Result<TwoAgents> {
    let r = request;
    if r.agents != 2 {
        return Err(Error::invalid(format!(
            "agents: responses and reward correlation are defined for two agents (H and A); got {}",
            r.agents
        )));
    }
    if let Some(f) = r.focal.filter(|&f| f != 0) {
        return Err(Error::invalid(format!(
            "focal = {f}: with two agents both agents' POWER is reported; focal picks one agent of more than two"
        )));
    }
    check_interval(r.interval)?;
    let grid = Grid::from_gridworld(base)?;
    // Checked before the (possibly large) joint environment is built.
    let response = Response::resolve(&r.other, r.seed_policy.is_some())?;
    let at = match &r.other_at {
        None => OtherPosition::Uniform,
        Some(name) => OtherPosition::At(cell_named(&grid, name)?),
    };
    let dynamics = JointDynamics::new(&grid, &joint_options(r))?;
    let mut seeds = SeedPolicies::uniform(&dynamics);
    if let Some(text) = &r.seed_policy {
        let origin = r.seed_policy_origin.as_deref().unwrap_or("seed_policy");
        seeds.0[1] = policy_from_json(&dynamics, 1, text, origin)?;
    }
    let gamma = default_gamma(base, r.gamma);
    let options = SequentialOptions {
        gamma: [gamma, r.gamma_other.unwrap_or(gamma)],
        rho,
        lo: r.interval.0,
        hi: r.interval.1,
        site: r.reward_on,
        response,
        samples: r.samples,
        seed: r.seed,
        tolerance: r.tolerance,
    };
    Ok(TwoAgents {
        grid,
        dynamics,
        seeds,
        options,
        at,
    })
}

/// What every two-agent report says about the environment and the run.
#[derive(Clone, Debug, Serialize)]
pub struct TwoAgentSetting {
    /// Number of agents (always 2 here).
    pub agents: usize,
    /// Number of joint states of the environment.
    pub joint_states: usize,
    /// Grid cells by name.
    pub cells: Vec<String>,
    /// Joint states by name (`H's cell|A's cell`).
    pub state_names: Vec<String>,
    /// Per joint state, the cells (indices into `cells`) of H and A.
    pub positions: Vec<[usize; 2]>,
    /// Turn order, as requested.
    pub turns: Turns,
    /// Whether agents may not share a cell.
    pub no_overlap: bool,
    /// Movement noise probability.
    pub noise: f64,
    /// The other agent's response, as given.
    pub other: String,
    /// Discounts of H and A.
    pub gamma: [f64; 2],
    /// Whether rewards are drawn per joint state or per cell.
    pub reward_on: RewardSite,
    /// Both agents' rewards are uniform on `[lo, hi]`.
    pub interval: (f64, f64),
    /// Seed of the reward samples.
    pub seed: u64,
    /// Value-iteration tolerance on each sample's POWER.
    pub tolerance: f64,
    /// The other agent's cell in `per_cell` (null: averaged over its positions).
    pub other_at: Option<String>,
    /// Where each cell (in the order of `cells`) sits on the grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<MapView>,
}

impl TwoAgentSetting {
    fn new(t: &TwoAgents, request: &MultiRequest, grid: &Mdp) -> Self {
        let d = &t.dynamics;
        TwoAgentSetting {
            agents: 2,
            joint_states: d.n_states(),
            cells: t.grid.names.clone(),
            state_names: d.state_names().to_vec(),
            positions: (0..d.n_states())
                .map(|s| [d.position(s, 0), d.position(s, 1)])
                .collect(),
            turns: request.turns,
            no_overlap: request.no_overlap,
            noise: request.noise,
            other: request.other.clone(),
            gamma: t.options.gamma,
            reward_on: t.options.site,
            interval: (t.options.lo, t.options.hi),
            seed: t.options.seed,
            tolerance: t.options.tolerance,
            other_at: request.other_at.clone(),
            layout: MapView::of(grid),
        }
    }
}

/// Both agents' POWER at one reward correlation.
#[derive(Clone, Debug, Serialize)]
pub struct RhoPoint {
    /// The requested correlation (the achieved one is `reward_correlation`).
    pub rho: f64,
    /// `samples`, `power[agent][joint state]`, `total`, `mean_power[agent]`,
    /// `mean_total`, `reward_correlation`, `power_correlation` (see [`SequentialReport`]).
    #[serde(flatten)]
    pub estimate: SequentialReport,
    /// `per_cell[agent][cell]`: mean POWER over the joint states with the
    /// agent at the cell (null where none qualifies).
    pub per_cell: [Vec<f64>; 2],
}

impl RhoPoint {
    fn new(t: &TwoAgents, rho: f64, estimate: SequentialReport) -> Self {
        let means = |i: usize| -> Vec<f64> { estimate.power[i].iter().map(|e| e.mean).collect() };
        let per_cell = [0, 1].map(|i| per_cell(&t.dynamics, i, &means(i), t.at));
        RhoPoint {
            rho,
            estimate,
            per_cell,
        }
    }
}

/// Two agents' POWER at one correlation (`multi power`).
#[derive(Clone, Debug, Serialize)]
pub struct TwoAgentPower {
    /// The environment and run (serialised inline).
    #[serde(flatten)]
    pub setting: TwoAgentSetting,
    /// Both agents' POWER at the correlation asked for (serialised inline).
    #[serde(flatten)]
    pub point: RhoPoint,
}

/// The focal agent's POWER against uniformly random others (more than two agents).
#[derive(Clone, Debug, Serialize)]
pub struct FocalPower {
    /// Number of agents (more than 2).
    pub agents: usize,
    /// Index of the agent whose POWER is reported.
    pub focal: usize,
    /// Number of joint states of the environment.
    pub joint_states: usize,
    /// Grid cells by name.
    pub cells: Vec<String>,
    /// Per joint state, every agent's cell (indices into `cells`).
    pub positions: Vec<Vec<usize>>,
    /// Turn order, as requested.
    pub turns: Turns,
    /// Whether agents may not share a cell.
    pub no_overlap: bool,
    /// Movement noise probability.
    pub noise: f64,
    /// The others' response: always `random` with more than two agents.
    pub other: String,
    /// The focal agent's discount, in `(0, 1)`.
    pub gamma: f64,
    /// Whether rewards are drawn per joint state or per the focal agent's cell.
    pub reward_on: RewardSite,
    /// Rewards are uniform on `[lo, hi]`.
    pub interval: (f64, f64),
    /// Reward samples drawn.
    pub samples: usize,
    /// Seed of the reward samples.
    pub seed: u64,
    /// Value-iteration tolerance on each sample's POWER.
    pub tolerance: f64,
    /// The focal agent's POWER at each joint state.
    pub power: Vec<Estimate>,
    /// Mean over the other agents' positions, per cell of the focal agent.
    pub per_cell: Vec<f64>,
    /// The largest standard error over joint states.
    pub max_se: f64,
    /// Where each cell (in the order of `cells`) sits on the grid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub layout: Option<MapView>,
}

/// The result of [`power`]: two agents, or a focal agent among more.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum MultiPower {
    /// Two agents: both agents' POWER, given the other's response.
    TwoAgents(Box<TwoAgentPower>),
    /// More than two agents: the focal agent's POWER against uniformly random others.
    Focal(Box<FocalPower>),
}

/// Each agent's POWER at every joint state of `grid` (a deterministic
/// gridworld) at reward correlation `rho` (default 0), given how the other
/// agent responds; with more than two agents, the focal agent's POWER
/// against uniformly random others.
pub fn power(grid: &Mdp, request: &MultiRequest, rho: Option<f64>, progress: &dyn Progress) -> Result<MultiPower> {
    if request.agents > 2 {
        return focal_power(grid, request, rho, progress).map(|f| MultiPower::Focal(Box::new(f)));
    }
    let rho = rho.unwrap_or(0.0);
    check_rhos(&[rho])?;
    let t = two_agents(grid, request, rho)?;
    let estimate = sequential_power(&t.dynamics, &t.seeds, &t.options, progress)?;
    Ok(MultiPower::TwoAgents(Box::new(TwoAgentPower {
        setting: TwoAgentSetting::new(&t, request, grid),
        point: RhoPoint::new(&t, rho, estimate),
    })))
}

/// A sweep over reward correlations (`multi sweep`).
#[derive(Clone, Debug, Serialize)]
pub struct RhoSweep {
    /// The environment and run (serialised inline).
    #[serde(flatten)]
    pub setting: TwoAgentSetting,
    /// Reward samples per ρ.
    pub samples: usize,
    /// One entry per ρ, in the order given (same seed: common random numbers).
    pub points: Vec<RhoPoint>,
}

/// Both agents' POWER at each correlation in `rhos` (two agents only).
pub fn sweep(grid: &Mdp, request: &MultiRequest, rhos: &[f64], progress: &dyn Progress) -> Result<RhoSweep> {
    if request.agents != 2 {
        return Err(Error::invalid(format!(
            "agents: ρ sweeps are defined for two agents (H and A); got {}",
            request.agents
        )));
    }
    check_rhos(rhos)?;
    let t = two_agents(grid, request, 0.0)?;
    let results = rho_sweep(&t.dynamics, &t.seeds, &t.options, rhos, progress)?;
    Ok(RhoSweep {
        setting: TwoAgentSetting::new(&t, request, grid),
        samples: t.options.samples,
        points: results
            .into_iter()
            .map(|(rho, estimate)| RhoPoint::new(&t, rho, estimate))
            .collect(),
    })
}

/// More than two agents: options that need two are errors, the rest are used.
fn focal_power(base: &Mdp, request: &MultiRequest, rho: Option<f64>, progress: &dyn Progress) -> Result<FocalPower> {
    let r = request;
    let two_only = |name: &str, given: bool| -> Result<()> {
        if given {
            return Err(Error::invalid(format!(
                "{name}: defined for two agents (H and A); with {} agents the others act uniformly at random",
                r.agents
            )));
        }
        Ok(())
    };
    two_only("other", r.other.trim() != "random")?;
    two_only("seed_policy", r.seed_policy.is_some())?;
    two_only("gamma_other", r.gamma_other.is_some())?;
    two_only("rho", rho.is_some())?;
    two_only("other_at", r.other_at.is_some())?;
    let focal = r.focal.unwrap_or(0);
    if focal >= r.agents {
        return Err(Error::invalid(format!(
            "focal = {focal}: name one of the agents 0..{}",
            r.agents - 1
        )));
    }
    check_interval(r.interval)?;
    let grid = Grid::from_gridworld(base)?;
    let opts = joint_options(r);
    let (mdp, states) = induced_mdp(&grid, &opts, focal, &uniform_policy)?;
    let marginal = Marginal::Uniform {
        lo: r.interval.0,
        hi: r.interval.1,
    };
    let rewards = match r.reward_on {
        RewardSite::OwnCell => focal_rewards(&grid, &states, focal, marginal),
        RewardSite::JointState => crate::mdp::reward::RewardDistribution::Iid(marginal),
    };
    let gamma = default_gamma(base, r.gamma);
    let horizon = match Horizon::from_gamma(gamma)? {
        h @ Horizon::Discounted(_) => h,
        _ => return Err(Error::invalid(format!("gamma = {gamma} is outside (0, 1)"))),
    };
    let po = PowerOptions {
        horizon,
        solver: SolverOptions {
            tolerance: r.tolerance,
            ..Default::default()
        },
        samples: SampleSize::Count(r.samples),
        seed: r.seed,
        ..Default::default()
    };
    let report = estimate_power(&mdp, &rewards, &po, progress)?;
    let means: Vec<f64> = report.power.iter().map(|e| e.mean).collect();
    let per_cell = cell_means(grid.cells, &means, |s| Some(states[s][focal]));
    Ok(FocalPower {
        agents: r.agents,
        focal,
        joint_states: states.len(),
        cells: grid.names.clone(),
        positions: states,
        turns: r.turns,
        no_overlap: r.no_overlap,
        noise: r.noise,
        other: r.other.clone(),
        gamma,
        reward_on: r.reward_on,
        interval: r.interval,
        samples: report.samples,
        seed: r.seed,
        tolerance: r.tolerance,
        max_se: report.max_standard_error(),
        power: report.power,
        per_cell,
        layout: MapView::of(base),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rhos_are_checked() {
        assert_eq!(parse_rhos("-1,0,1").unwrap(), vec![-1.0, 0.0, 1.0]);
        let twice = parse_rhos("1,0.5,1").unwrap_err().to_string();
        assert!(twice.contains("ρ = 1 is given twice (entries 1 and 3)"), "{twice}");
        assert!(parse_rhos("1.5").unwrap_err().to_string().contains("outside"));
        assert!(check_rhos(&[]).is_err());
    }
}

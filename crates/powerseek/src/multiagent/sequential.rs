//! Sequential two-agent POWER with correlated rewards (docs/theory.md §8): agents H
//! (agent 0) and A (agent 1) share a gridworld ([`JointDynamics`]), their
//! rewards are drawn jointly with correlation ρ, and each agent's POWER is its
//! single-agent POWER (docs/theory.md §2) in the MDP induced by the other's policy, per
//! reward sample. This module owns how the other's policy arises
//! ([`Response`]), the per-sample computation ([`sample_powers`]), the
//! estimator ([`sequential_power`]) and the ρ sweep ([`rho_sweep`]).
//!
//! Rewards are uniform on `[lo, hi]` for both agents, correlated by
//! POWERplay's construction ([`correlated_uniform_rewards`]), either one draw
//! per joint state (POWERplay's choice: the reward depends on where both
//! agents are) or one draw per grid cell read at the agent's own cell.
//!
//! Every number comes from the stochastic-game engine: the joint environment
//! is built as a stochastic game ([`JointDynamics::stochastic_game`]) and each
//! sample's responses and POWER are [`crate::stochastic::respond`]'s (see
//! the engine notes below and docs/theory.md §8.3 for alternating turns).
//! Greedy policies split ties evenly among actions whose values are within
//! `2·tolerance/(1 − γ)` of the best; only moves that exist at a state are
//! actions there, so no phantom zero-reward move competes in a maximum.

use rayon::prelude::*;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::mdp::reward::sample_rng;
use crate::multiagent::joint::{cell_means, correlated_uniform_rewards, JointDynamics};
use crate::progress::Progress;
use crate::stats::{t_quantile_975, Estimate, Moments};
use crate::stochastic::respond::{Prepared, Protocol, Responder, Workspace};
use crate::stochastic::reward::{stage_rewards_into, Site};
use crate::stochastic::solve::{Iteration, Profile};
use crate::stochastic::{Play, StochasticGame};

/// One value per joint state for each agent (H, A).
pub type PerAgent = [Vec<f64>; 2];

/// Where an agent's reward is read (`joint` or `cell` as text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub enum RewardSite {
    /// One draw per joint state (both agents' cells), as in POWERplay.
    #[serde(rename = "joint")]
    JointState,
    /// One draw per grid cell, read at the agent's own cell.
    #[serde(rename = "cell")]
    OwnCell,
}

/// How the other agent's policy arises when an agent's POWER is computed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Response {
    /// The other agent follows its seed policy (uniform random or loaded).
    Fixed,
    /// The other agent acts optimally for its own reward against this agent's
    /// seed policy; this agent optimises against that.
    Optimal,
    /// As [`Response::Optimal`], but the other agent is Boltzmann-rational:
    /// `π(b) ∝ exp(β·Q(b))` with `Q` its optimal continuation values.
    Boltzmann(f64),
    /// POWERplay's protocol: H optimises against A's seed policy; A
    /// best-responds to H's policy (A's POWER from that optimisation); H's
    /// POWER evaluates H's policy against A's response.
    PowerPlay,
}

impl std::str::FromStr for Response {
    type Err = Error;
    /// `random` or `fixed` (the seed policy), `optimal`, `boltzmann:β`, `powerplay`.
    fn from_str(s: &str) -> Result<Self> {
        match s.split_once(':') {
            Some(("boltzmann", beta)) => beta
                .parse()
                .map(Response::Boltzmann)
                .map_err(|_| Error::invalid(format!("other: 'boltzmann:{beta}': β is not a number"))),
            _ => match s {
                "random" | "fixed" => Ok(Response::Fixed),
                "optimal" => Ok(Response::Optimal),
                "powerplay" => Ok(Response::PowerPlay),
                _ => Err(Error::invalid(format!(
                    "other: '{s}' is not a response; expected random, fixed, optimal, boltzmann:β or powerplay"
                ))),
            },
        }
    }
}

impl Response {
    /// The response named `other`, given whether A's seed policy was
    /// supplied: `random` means the uniform seed policy (so a supplied one
    /// would be ignored: an error), `fixed` follows the supplied one (so one
    /// is needed); the other responses start from the seed policy either way.
    pub fn resolve(other: &str, has_seed_policy: bool) -> Result<Response> {
        let response = other.trim().parse()?;
        match (other.trim(), has_seed_policy) {
            ("random", true) => Err(Error::invalid(
                "seed_policy: the response 'random' is the uniform policy and would ignore the seed policy; use 'fixed' to follow it",
            )),
            ("fixed", false) => Err(Error::invalid(
                "seed_policy: the response 'fixed' follows A's seed policy, and none was given",
            )),
            _ => Ok(response),
        }
    }
}

/// Everything a sequential POWER estimate needs besides the environment.
#[derive(Clone, Debug)]
pub struct SequentialOptions {
    /// Discount rates of H and A.
    pub gamma: [f64; 2],
    /// Correlation of the agents' rewards, in `[−1, 1]`.
    pub rho: f64,
    /// Both agents' rewards are uniform on `[lo, hi]`: this is `lo`, finite.
    pub lo: f64,
    /// The upper end `hi` of the reward interval; finite, above `lo`.
    pub hi: f64,
    /// Where rewards are drawn: per joint state or per cell.
    pub site: RewardSite,
    /// How the other agent's policy arises.
    pub response: Response,
    /// Reward samples (each a joint draw for both agents); at least 2.
    pub samples: usize,
    /// Seed of the reward samples: sample `k` comes from its own stream, so
    /// results do not depend on the thread count.
    pub seed: u64,
    /// Value-iteration tolerance: each sample's POWER is within it.
    pub tolerance: f64,
}

impl Default for SequentialOptions {
    fn default() -> Self {
        SequentialOptions {
            gamma: [0.9, 0.9],
            rho: 0.0,
            lo: 0.0,
            hi: 1.0,
            site: RewardSite::JointState,
            response: Response::Fixed,
            samples: 1_000,
            seed: 0,
            tolerance: 1e-6,
        }
    }
}

/// Per-agent and total POWER at every joint state, and their averages over
/// joint states, each with standard errors over reward samples.
#[derive(Clone, Debug, Serialize)]
pub struct SequentialReport {
    /// Reward samples drawn.
    pub samples: usize,
    /// `power[i][s]`: agent i's POWER at joint state s.
    pub power: [Vec<Estimate>; 2],
    /// POWER_H + POWER_A at each joint state.
    pub total: Vec<Estimate>,
    /// Each agent's POWER averaged uniformly over joint states.
    pub mean_power: [Estimate; 2],
    /// The sum of the two averages.
    pub mean_total: Estimate,
    /// Pearson correlation of the two agents' rewards pooled over all samples
    /// and draws (the achieved ρ).
    pub reward_correlation: f64,
    /// Pearson correlation over joint states of the two agents' mean POWER:
    /// negative when states good for one agent are bad for the other
    /// (competition for power).
    pub power_correlation: f64,
}

/// Seed policies of H and A (tables over their slots; see [`JointDynamics`]).
#[derive(Clone, Debug)]
pub struct SeedPolicies(pub [Vec<f64>; 2]);

impl SeedPolicies {
    /// Both agents uniformly random.
    pub fn uniform(dynamics: &JointDynamics) -> Self {
        SeedPolicies([dynamics.uniform_policy(0), dynamics.uniform_policy(1)])
    }
}

/// The sequential estimator on the stochastic-game engine: the joint
/// environment as a stochastic game ([`JointDynamics::stochastic_game`]),
/// the seed policies as a stationary profile, and each sample's POWER from
/// [`respond`].
///
/// With simultaneous moves, one step of the game is one step of the joint
/// environment. With alternating turns the game is turn-based and one round
/// (H moves, then A) takes two of its steps, while each agent's POWER counts
/// rounds from its own turn: agent `i`'s reward is read when its turn comes
/// round (on arriving at its turn's states; 0 elsewhere) and its discount per
/// game step is `δ_i = √γ_i`. Its values at its turn's states are then `δ_i`
/// times the per-round values, so its POWER is `(1 + δ_i)/δ_i` times the
/// game's `(1 − δ_i)·V`, and its action values are scaled by `δ_i` (the unit
/// Boltzmann's β is divided by).
struct Engine<'a> {
    dynamics: &'a JointDynamics,
    opts: &'a SequentialOptions,
    game: StochasticGame,
    seeds: Profile,
    protocol: Protocol,
    players: [Responder; 2],
    /// POWER per unit of the game's `(1 − δ)·V`, per agent.
    scale: [f64; 2],
    alternating: bool,
}

impl<'a> Engine<'a> {
    fn new(dynamics: &'a JointDynamics, seeds: &'a SeedPolicies, opts: &'a SequentialOptions) -> Result<Self> {
        validate(dynamics, seeds, opts)?;
        let game = dynamics.stochastic_game()?;
        let alternating = game.play() == Play::TurnBased;
        let n = dynamics.n_states();
        let seeds: Profile = (0..2)
            .map(|i| {
                (0..game.n_states())
                    .map(|g| {
                        if !alternating || g / n == i {
                            seeds.0[i][dynamics.slots(i, g % n)].to_vec()
                        } else {
                            vec![1.0]
                        }
                    })
                    .collect()
            })
            .collect();
        let player = |i: usize| {
            let gamma = opts.gamma[i];
            let step = if alternating { gamma.sqrt() } else { gamma };
            let scale = if alternating { (1.0 + step) / step } else { 1.0 };
            let iteration = Iteration {
                gamma: step,
                // The engine bounds the error of (1 − δ)·V; POWER is `scale` times that.
                tolerance: opts.tolerance / scale,
                max_iterations: MAX_SWEEPS,
                exact_stages: false,
            };
            let unit = if alternating { step } else { 1.0 };
            (
                Responder {
                    iteration,
                    q_unit: unit,
                },
                scale,
            )
        };
        let (p0, s0) = player(0);
        let (p1, s1) = player(1);
        let protocol = match opts.response {
            Response::Fixed => Protocol::Fixed,
            Response::Optimal => Protocol::Optimal,
            Response::Boltzmann(b) => Protocol::Boltzmann(b),
            Response::PowerPlay => Protocol::PowerPlay,
        };
        Ok(Engine {
            dynamics,
            opts,
            game,
            seeds,
            protocol,
            players: [p0, p1],
            scale: [s0, s1],
            alternating,
        })
    }

    /// Both agents' rewards per joint state in sample `k`.
    fn rewards(&self, k: usize) -> Result<[Vec<f64>; 2]> {
        let d = self.dynamics;
        let mut rng = sample_rng(self.opts.seed, k as u64);
        let (o, lo, hi) = (self.opts, self.opts.lo, self.opts.hi);
        Ok(match o.site {
            RewardSite::JointState => {
                let (h, a) = correlated_uniform_rewards(d.n_states(), o.rho, lo, hi, &mut rng)?;
                [h, a]
            }
            RewardSite::OwnCell => {
                let (h, a) = correlated_uniform_rewards(d.cells(), o.rho, lo, hi, &mut rng)?;
                let at = |r: &[f64], agent: usize| (0..d.n_states()).map(|s| r[d.position(s, agent)]).collect();
                [at(&h, 0), at(&a, 1)]
            }
        })
    }

    /// The responses prepared for this game, seeds, protocol and players
    /// (shared by the threads).
    fn prepare(&self) -> Result<Prepared<'_>> {
        Prepared::new(&self.game, &self.seeds, self.protocol, &self.players)
    }

    /// Hand the rewards and POWERs of each sample in `range` to `sink`, in
    /// order (one workspace for the range).
    fn samples(
        &self,
        prepared: &Prepared,
        range: std::ops::Range<usize>,
        sink: &mut dyn FnMut(&PerAgent, &PerAgent),
    ) -> Result<()> {
        let mut ws = Buffers {
            responses: prepared.workspace(),
            stage: Vec::new(),
        };
        for k in range {
            let (r, p) = self.sample(prepared, &mut ws, k)?;
            sink(&r, &p);
        }
        Ok(())
    }

    /// Rewards and both agents' POWER at every joint state in sample `k`.
    fn sample(&self, prepared: &Prepared, ws: &mut Buffers, k: usize) -> Result<(PerAgent, PerAgent)> {
        let r = self.rewards(k)?;
        let n = self.dynamics.n_states();
        // Agent i's reward on arriving at its turn's states (all states when simultaneous).
        let site_values: Vec<Vec<f64>> = if self.alternating {
            vec![
                r[0].iter().copied().chain(std::iter::repeat_n(0.0, n)).collect(),
                std::iter::repeat_n(0.0, n).chain(r[1].iter().copied()).collect(),
            ]
        } else {
            r.to_vec()
        };
        stage_rewards_into(&self.game, Site::State, &site_values, &mut ws.stage);
        let out = prepared.respond(&ws.stage, &mut ws.responses)?;
        let at_turn = |i: usize| -> Vec<f64> {
            let offset = if self.alternating { i * n } else { 0 };
            out[i][offset..offset + n].iter().map(|x| self.scale[i] * x).collect()
        };
        Ok((r, [at_turn(0), at_turn(1)]))
    }
}

/// What one thread reuses across reward samples: the responses' buffers and
/// the stage rewards.
struct Buffers {
    responses: Workspace,
    stage: Vec<Vec<f64>>,
}

/// Most sweeps of one value iteration (γ ≤ 1 − 10^-4 at tolerance 10^-12 needs far fewer).
const MAX_SWEEPS: usize = 1_000_000;

fn validate(dynamics: &JointDynamics, seeds: &SeedPolicies, opts: &SequentialOptions) -> Result<()> {
    if dynamics.agents() != 2 {
        return Err(Error::invalid(format!(
            "sequential POWER with responses is defined for 2 agents (H and A); this environment has {}",
            dynamics.agents()
        )));
    }
    for (i, g) in opts.gamma.iter().enumerate() {
        if !(*g > 0.0 && *g < 1.0) {
            let name = ["gamma", "gamma_other"][i];
            return Err(Error::invalid(format!(
                "{name} = {g} is outside (0, 1) (agent {i}'s discount)"
            )));
        }
    }
    if let Response::Boltzmann(beta) = opts.response {
        if !beta.is_finite() || beta < 0.0 {
            return Err(Error::invalid(format!(
                "Boltzmann β = {beta} must be finite and non-negative"
            )));
        }
    }
    if opts.samples < 2 {
        return Err(Error::invalid("need at least 2 reward samples for standard errors"));
    }
    for agent in 0..2 {
        check_policy(dynamics, agent, &seeds.0[agent])?;
    }
    Ok(())
}

/// A policy table must have one probability per slot, summing to 1 at every state.
fn check_policy(dynamics: &JointDynamics, agent: usize, table: &[f64]) -> Result<()> {
    if table.len() != dynamics.n_slots(agent) {
        return Err(Error::invalid(format!(
            "agent {agent}'s policy has {} entries; its moves over all joint states number {}",
            table.len(),
            dynamics.n_slots(agent)
        )));
    }
    for s in 0..dynamics.n_states() {
        let p = &table[dynamics.slots(agent, s)];
        let total: f64 = p.iter().sum();
        if p.iter().any(|x| !x.is_finite() || *x < 0.0) || (total - 1.0).abs() > 1e-6 {
            return Err(Error::invalid(format!(
                "agent {agent}'s policy at joint state '{}' is not a probability distribution ({p:?})",
                dynamics.state_names()[s]
            )));
        }
    }
    Ok(())
}

/// Both agents' rewards and POWER at every joint state for reward sample `k`
/// (a pure function of the seed and `k`).
pub fn sample_powers(
    dynamics: &JointDynamics,
    seeds: &SeedPolicies,
    opts: &SequentialOptions,
    k: usize,
) -> Result<(PerAgent, PerAgent)> {
    let engine = Engine::new(dynamics, seeds, opts)?;
    let prepared = engine.prepare()?;
    let mut ws = Buffers {
        responses: prepared.workspace(),
        stage: Vec::new(),
    };
    engine.sample(&prepared, &mut ws, k)
}

/// Quantities accumulated per sample: 3 per joint state (H, A, total), then
/// the three joint-state averages.
fn sample_row(n: usize, p: &[Vec<f64>; 2]) -> Vec<f64> {
    let mut row = Vec::with_capacity(3 * n + 3);
    row.extend_from_slice(&p[0]);
    row.extend_from_slice(&p[1]);
    row.extend(p[0].iter().zip(&p[1]).map(|(h, a)| h + a));
    let mean = |x: &[f64]| x.iter().sum::<f64>() / n as f64;
    let (mh, ma) = (mean(&p[0]), mean(&p[1]));
    row.extend([mh, ma, mh + ma]);
    row
}

/// Estimate both agents' POWER at every joint state over `opts.samples`
/// reward samples, in parallel; identical for any number of threads.
pub fn sequential_power(
    dynamics: &JointDynamics,
    seeds: &SeedPolicies,
    opts: &SequentialOptions,
    progress: &dyn Progress,
) -> Result<SequentialReport> {
    let engine = Engine::new(dynamics, seeds, opts)?;
    let prepared = engine.prepare()?;
    let n = dynamics.n_states();
    progress.set_total(opts.samples as u64);
    // Fixed-size chunks merged in chunk order keep the floating-point sums
    // independent of scheduling; waves of chunks bound the memory held at once.
    // Chunks are 16 samples, or 8 (the solver's lane width) when four
    // state-major batches of 16 would pass 256 MiB.
    let chunk_size = if n * 16 * 8 * 4 > 256 << 20 { 8 } else { 16 };
    // Workers poll a relay of `progress` before each chunk.
    let (moments, cross) = crate::progress::watch(progress, |progress| {
        merged_chunks(&engine, &prepared, n, opts.samples, chunk_size, progress)
    })?;
    let draws = (opts.samples * n) as f64;
    let [sh, sa, shh, saa, sha] = cross.map(|v| v / draws);
    let reward_correlation = (sha - sh * sa) / ((shh - sh * sh) * (saa - sa * sa)).sqrt();
    let t = t_quantile_975(opts.samples - 1);
    let est = |i: usize| moments.estimate(i, t);
    Ok(SequentialReport {
        samples: opts.samples,
        power: [(0..n).map(est).collect(), (n..2 * n).map(est).collect()],
        total: (2 * n..3 * n).map(est).collect(),
        mean_power: [est(3 * n), est(3 * n + 1)],
        mean_total: est(3 * n + 2),
        reward_correlation,
        power_correlation: pearson(&moments.mean[..n], &moments.mean[n..2 * n]),
    })
}

/// Chunks of `chunk_size` samples solved in parallel waves and merged in
/// chunk order: the per-joint-state moments and the reward cross sums.
fn merged_chunks(
    engine: &Engine,
    prepared: &Prepared,
    n: usize,
    samples: usize,
    chunk_size: usize,
    progress: &dyn Progress,
) -> Result<(Moments, [f64; 5])> {
    let chunk = |c: usize| -> Result<(Moments, [f64; 5])> {
        crate::progress::check(progress)?;
        let range = c * chunk_size..((c + 1) * chunk_size).min(samples);
        let mut m = Moments::new(3 * n + 3);
        let mut cross = [0.0; 5]; // Σh, Σa, Σh², Σa², Σha
        engine.samples(prepared, range, &mut |r, p| {
            m.push(&sample_row(n, p));
            for (h, a) in r[0].iter().zip(&r[1]) {
                cross = [
                    cross[0] + h,
                    cross[1] + a,
                    cross[2] + h * h,
                    cross[3] + a * a,
                    cross[4] + h * a,
                ];
            }
            progress.advance(1);
        })?;
        Ok((m, cross))
    };
    let all: Vec<usize> = (0..samples.div_ceil(chunk_size)).collect();
    let mut moments = Moments::new(3 * n + 3);
    let mut cross = [0.0; 5];
    for wave in all.chunks(2 * rayon::current_num_threads().max(1)) {
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        let results: Vec<Result<(Moments, [f64; 5])>> = wave.par_iter().map(|&c| chunk(c)).collect();
        for r in results {
            let (m, c) = r?;
            moments.merge(&m);
            for i in 0..5 {
                cross[i] += c[i];
            }
        }
    }
    Ok((moments, cross))
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx) * (a - mx)).sum();
    let vy: f64 = y.iter().map(|b| (b - my) * (b - my)).sum();
    cov / (vx * vy).sqrt()
}

/// [`sequential_power`] at each ρ in `rhos` (same seed, so the sweep uses
/// common random numbers across ρ).
pub fn rho_sweep(
    dynamics: &JointDynamics,
    seeds: &SeedPolicies,
    opts: &SequentialOptions,
    rhos: &[f64],
    progress: &dyn Progress,
) -> Result<Vec<(f64, SequentialReport)>> {
    progress.set_total((opts.samples * rhos.len()) as u64);
    let quiet = Relay(progress);
    rhos.iter()
        .map(|&rho| {
            let o = SequentialOptions { rho, ..opts.clone() };
            Ok((rho, sequential_power(dynamics, seeds, &o, &quiet)?))
        })
        .collect()
}

/// Forwards advances but not totals (the sweep sets one total for all ρ).
struct Relay<'a>(&'a dyn Progress);
impl Progress for Relay<'_> {
    fn advance(&self, samples: u64) {
        self.0.advance(samples);
    }
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

/// Where the other agent is when per-joint-state values are summarised per cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OtherPosition {
    /// Averaged uniformly over the joint states (every position of the other agent).
    Uniform,
    /// The other agent stands at this cell.
    At(usize),
}

/// Per-cell means of per-joint-state values of `agent` (0 or 1), with the
/// other agent's position marginalised as `other` says (NaN where no joint
/// state qualifies).
pub fn per_cell(dynamics: &JointDynamics, agent: usize, values: &[f64], other: OtherPosition) -> Vec<f64> {
    cell_means(dynamics.cells(), values, |s| match other {
        OtherPosition::At(c) if dynamics.position(s, 1 - agent) != c => None,
        _ => Some(dynamics.position(s, agent)),
    })
}

/// A seed policy of `agent` from JSON: `{"<joint state>": {"<move>": p, ...}, ...}`,
/// every joint state present, each distribution over the moves that exist there.
pub fn policy_from_json(dynamics: &JointDynamics, agent: usize, text: &str, origin: &str) -> Result<Vec<f64>> {
    let serde_json::Value::Object(doc) = crate::input::parse_json(text, origin)? else {
        return Err(Error::parse(
            origin,
            1,
            "expected an object of joint state: {move: probability}",
        ));
    };
    let mut table = vec![0.0; dynamics.n_slots(agent)];
    let invalid = |m: String| Error::invalid(format!("{origin}: {m}"));
    for (s, name) in dynamics.state_names().iter().enumerate() {
        let entry = doc.get(name).and_then(|v| v.as_object()).ok_or_else(|| {
            invalid(format!(
                "no policy for joint state '{name}' (an object of move: probability)"
            ))
        })?;
        for (mv, p) in entry {
            let slot = dynamics
                .slots(agent, s)
                .find(|&x| dynamics.move_name(agent, x) == mv)
                .ok_or_else(|| invalid(format!("joint state '{name}': agent {agent} has no move '{mv}' there")))?;
            table[slot] = p.as_f64().ok_or_else(|| {
                invalid(format!(
                    "joint state '{name}', move '{mv}': probability is not a number"
                ))
            })?;
        }
    }
    if let Some(extra) = doc.keys().find(|k| !dynamics.state_names().contains(k)) {
        return Err(invalid(format!("'{extra}' is not a joint state of this environment")));
    }
    check_policy(dynamics, agent, &table).map_err(|e| invalid(e.to_string()))?;
    Ok(table)
}

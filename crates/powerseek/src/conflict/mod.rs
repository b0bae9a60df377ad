//! Conflict and alignment as vectors (docs/theory.md §9): a forward model of
//! when an agent escalates, and Bayesian inference of an agent's alignment
//! and perceived cost of conflict from its escalate/stay decisions.
//!
//! **The model.** Agent `i` has a preference direction `u_i` (a unit vector;
//! input vectors are normalised) and power `p_i ≥ 0`. The status quo is
//! `x = Σ p_i u_i` and agent `j` values an outcome `x` by `u_j · x`. If `i`
//! escalates against `j`:
//!
//! - `i` wins with probability `π = p_i^r / (p_i^r + p_j^r)` (contest exponent `r > 0`);
//! - the winner takes a share `s` of the loser's power;
//! - conflict destroys a fraction `c` of both contestants' power:
//!   if `i` wins, `p_i' = (1−c)(p_i + s p_j)` and `p_j' = (1−c)(1−s) p_j`, and symmetrically.
//!
//! Other agents are untouched. Values are linear in `x`, so `i`'s expected
//! gain from escalating is, with `a = cos(u_i, u_j)`,
//!
//! ```text
//! Δ_i = (1−c)(E_i + a E_j) − (p_i + a p_j)
//! E_i = π (p_i + s p_j) + (1−π)(1−s) p_i,   E_j = π (1−s) p_j + (1−π)(p_j + s p_i)
//! ```
//!
//! `p_i + a p_j` is `i`'s *stake*: what the two contestants' power is worth to
//! `i` now. A deterministic agent escalates when `Δ > 0`; at an exact tie
//! (`Δ = 0`) it escalates only if winning would strictly help it (nothing to
//! lose, something to gain). With logit noise at temperature `T > 0` it
//! escalates with probability `1 / (1 + exp(−Δ/T))`.
//!
//! Consequences worth knowing: perfectly aligned agents (`a = 1`) never
//! escalate when `c > 0` (`Δ = −c (p_i + p_j)`). Escalation becomes rarer as `c`
//! grows whenever the agent's expected post-contest stake `E_i + a E_j` is
//! non-negative; when it is negative (a weak agent facing a strong, opposed
//! one: "little to lose"), destruction hurts the opponent more than the agent
//! and escalation grows with `c` (see [`escalation_gain`] and the tests).
//!
//! ```
//! use powerseek::conflict::{cosine, escalation_gain, simulate, ConflictModel, Scenario};
//!
//! let model = ConflictModel { cost: 0.5, contest_exponent: 1.0, loser_share: 0.5, temperature: 0.0 };
//! // With r = 1 a contest leaves expected powers unchanged (E_i = p_i, E_j = p_j),
//! // so Δ = −c (p_i + a p_j): a weak agent (1/3) opposed (a = −1) to a strong one (1)
//! // has a negative stake, −2/3, and gains c · 2/3 by escalating.
//! let gain = escalation_gain(&model, 1.0 / 3.0, 1.0, -1.0);
//! assert!((gain - 0.5 * 2.0 / 3.0).abs() < 1e-12);
//! assert!((cosine(&[1.0, 0.0], &[1.0, 1.0]) - 0.5f64.sqrt()).abs() < 1e-12);
//!
//! // Aligned agents never escalate when c > 0 (Δ = −c (p_i + p_j)): the play
//! // settles in its first round with the powers untouched.
//! let scenario = Scenario::parse(
//!     r#"
//! rounds = 10
//! [model]
//! cost = 0.2
//! [[agent]]
//! name = "a"
//! preference = [1.0, 0.0]
//! power = 1.0
//! [[agent]]
//! name = "b"
//! preference = [2.0, 0.0]
//! power = 3.0
//! "#,
//!     "aligned.toml",
//! )
//! .unwrap();
//! let trace = simulate(&scenario);
//! assert!(trace.settled && trace.events.is_empty());
//! assert_eq!(trace.rounds_played, 1);
//! assert_eq!(trace.final_powers, vec![1.0, 3.0]);
//! ```

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::progress::Progress;

/// Parameters shared by every contest.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConflictModel {
    /// Fraction `c ∈ [0, 1]` of the contestants' power destroyed by conflict.
    pub cost: f64,
    /// Contest success exponent `r > 0` (1: odds proportional to power).
    #[serde(default = "one")]
    pub contest_exponent: f64,
    /// Share `s ∈ [0, 1]` of the loser's power taken by the winner.
    #[serde(default = "half")]
    pub loser_share: f64,
    /// Logit noise temperature `T ≥ 0` (0: deterministic decisions).
    #[serde(default)]
    pub temperature: f64,
}

fn one() -> f64 {
    1.0
}
fn half() -> f64 {
    0.5
}

impl ConflictModel {
    /// Check every parameter's range (`cost`, `loser_share` in `[0, 1]`,
    /// `contest_exponent > 0`, `temperature ≥ 0`, all finite); the error names
    /// the field (`model.cost = 2: must be in [0, 1]`).
    pub fn validate(&self) -> Result<()> {
        let check = |ok: bool, field: &str, rule: &str, v: f64| {
            if ok {
                Ok(())
            } else {
                Err(Error::invalid(format!("model.{field} = {v}: {rule}")))
            }
        };
        check((0.0..=1.0).contains(&self.cost), "cost", "must be in [0, 1]", self.cost)?;
        check(
            self.contest_exponent > 0.0 && self.contest_exponent.is_finite(),
            "contest_exponent",
            "must be positive",
            self.contest_exponent,
        )?;
        check(
            (0.0..=1.0).contains(&self.loser_share),
            "loser_share",
            "must be in [0, 1]",
            self.loser_share,
        )?;
        check(
            self.temperature >= 0.0 && self.temperature.is_finite(),
            "temperature",
            "must be ≥ 0",
            self.temperature,
        )
    }

    /// The same model with another conflict cost.
    pub fn with_cost(self, cost: f64) -> Self {
        ConflictModel { cost, ..self }
    }
}

/// Probability that an agent with power `p_i` beats one with `p_j`:
/// `p_i^r / (p_i^r + p_j^r)`, computed as `σ(r (ln p_i − ln p_j))` so large
/// exponents or powers do not overflow (`p^r` itself may be infinite).
pub fn win_probability(p_i: f64, p_j: f64, r: f64) -> f64 {
    match (p_i > 0.0, p_j > 0.0) {
        (false, false) => 0.5,
        (true, false) => 1.0,
        (false, true) => 0.0,
        (true, true) => logistic(r * (p_i.ln() - p_j.ln())),
    }
}

/// Largest total power in a scenario or observation: values computed from
/// powers (stakes `p_i + a p_j`, expected powers) then stay finite.
pub const MAX_POWER: f64 = 1e300;

/// Expected powers `(E p_i', E p_j')` after `i` escalates against `j`.
pub fn expected_powers(m: &ConflictModel, p_i: f64, p_j: f64) -> (f64, f64) {
    let pi = win_probability(p_i, p_j, m.contest_exponent);
    let s = m.loser_share;
    let keep = 1.0 - m.cost;
    let e_i = pi * (p_i + s * p_j) + (1.0 - pi) * (1.0 - s) * p_i;
    let e_j = pi * (1.0 - s) * p_j + (1.0 - pi) * (p_j + s * p_i);
    (keep * e_i, keep * e_j)
}

/// `Δ_i`: expected change in `i`'s value from escalating against `j`, for
/// powers `p_i`, `p_j` and alignment `a = cos(u_i, u_j)`.
pub fn escalation_gain(m: &ConflictModel, p_i: f64, p_j: f64, a: f64) -> f64 {
    let (e_i, e_j) = expected_powers(m, p_i, p_j);
    (e_i + a * e_j) - (p_i + a * p_j)
}

/// Change in `i`'s value if it escalates and wins.
pub fn gain_if_won(m: &ConflictModel, p_i: f64, p_j: f64, a: f64) -> f64 {
    let keep = 1.0 - m.cost;
    keep * (p_i + m.loser_share * p_j) + a * keep * (1.0 - m.loser_share) * p_j - (p_i + a * p_j)
}

/// Probability that `i` escalates against `j` (see the module docs for the rule).
pub fn escalation_probability(m: &ConflictModel, p_i: f64, p_j: f64, a: f64) -> f64 {
    let gain = escalation_gain(m, p_i, p_j, a);
    if m.temperature > 0.0 {
        return logistic(gain / m.temperature);
    }
    let scale = 1e-12 * (p_i + p_j).max(1.0);
    if gain > scale {
        1.0
    } else if gain < -scale {
        0.0
    } else {
        (gain_if_won(m, p_i, p_j, a) > scale) as u8 as f64
    }
}

fn logistic(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// `ln σ(z)`, accurate for large |z|.
fn log_logistic(z: f64) -> f64 {
    if z >= 0.0 {
        -(-z).exp().ln_1p()
    } else {
        z - z.exp().ln_1p()
    }
}

/// The alignment `a*` at which `Δ_i` changes sign for the model's cost, if it
/// lies in `[−1, 1]`: `Δ = (1−c)(E_i + a E_j) − (p_i + a p_j)` is linear in `a`.
pub fn boundary_alignment(m: &ConflictModel, p_i: f64, p_j: f64) -> Option<f64> {
    let (e_i, e_j) = expected_powers(m, p_i, p_j);
    let slope = e_j - p_j;
    if slope.abs() < 1e-15 * (p_i + p_j).max(1.0) {
        return None;
    }
    let a = (p_i - e_i) / slope;
    (-1.0..=1.0).contains(&a).then_some(a)
}

// ---------------------------------------------------------------------------
// Agents, scenarios and multi-round play

/// An agent: a name, a preference direction and power.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// The agent's name, distinct within a scenario (reports and targets use it).
    pub name: String,
    /// Preference direction; normalised to unit length on validation.
    pub preference: Vec<f64>,
    /// Power `p ≥ 0`, finite.
    pub power: f64,
}

/// A scenario file: the model, the agents, and how long to play.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// The contest rules.
    pub model: ConflictModel,
    /// At least two agents (`[[agent]]` tables in TOML, `"agent"` in JSON),
    /// all with preferences of the same dimension.
    #[serde(rename = "agent")]
    pub agents: Vec<Agent>,
    /// Most rounds [`simulate`] plays (default 20).
    #[serde(default = "default_rounds")]
    pub rounds: usize,
    /// Seed of the noisy decisions and contest outcomes (default 0).
    #[serde(default)]
    pub seed: u64,
}

fn default_rounds() -> usize {
    20
}

impl Scenario {
    /// Parse TOML (`.toml`) or JSON (anything else) and validate.
    pub fn parse(text: &str, origin: &str) -> Result<Scenario> {
        let mut s: Scenario = crate::input::deserialize(text, origin)?;
        s.validate().map_err(|e| Error::parse(origin, 0, e.to_string()))?;
        Ok(s)
    }

    /// Read and [`Scenario::parse`] a scenario file (`.toml`, or JSON);
    /// errors name the file.
    pub fn load(path: &std::path::Path) -> Result<Scenario> {
        Scenario::parse(&crate::error::read_text(path)?, &path.display().to_string())
    }

    /// Check every field and normalise preference directions.
    pub fn validate(&mut self) -> Result<()> {
        self.model.validate()?;
        if self.agents.len() < 2 {
            return Err(Error::invalid("a scenario needs at least two agents"));
        }
        // Reports and targets name agents: names must tell them apart.
        if let Some((i, name)) = (0..self.agents.len()).find_map(|i| {
            let name = &self.agents[i].name;
            self.agents[..i].iter().any(|a| &a.name == name).then_some((i, name))
        }) {
            return Err(Error::invalid(format!(
                "agent[{i}]: the name '{name}' is already used by another agent; agents need distinct names"
            )));
        }
        let dim = self.agents[0].preference.len();
        for (i, agent) in self.agents.iter_mut().enumerate() {
            let field = format!("agent[{i}] ('{}')", agent.name);
            if agent.preference.len() != dim || dim == 0 {
                return Err(Error::invalid(format!(
                    "{field}.preference has {} components; every agent needs the same positive number ({dim})",
                    agent.preference.len()
                )));
            }
            let norm = agent.preference.iter().map(|x| x * x).sum::<f64>().sqrt();
            if !norm.is_finite() || norm == 0.0 {
                return Err(Error::invalid(format!(
                    "{field}.preference must be a finite non-zero vector"
                )));
            }
            agent.preference.iter_mut().for_each(|x| *x /= norm);
            if !(agent.power >= 0.0 && agent.power.is_finite()) {
                return Err(Error::invalid(format!(
                    "{field}.power = {} must be finite and ≥ 0",
                    agent.power
                )));
            }
        }
        let total: f64 = self.agents.iter().map(|a| a.power).sum();
        if total.is_nan() || total > MAX_POWER {
            return Err(Error::invalid(format!(
                "agents' powers sum to {total:e}, beyond {MAX_POWER:e}: values computed from them would overflow"
            )));
        }
        Ok(())
    }
}

/// `cos(u, v) = u·v / (‖u‖ ‖v‖)`, clamped to `[−1, 1]` against rounding;
/// NaN when either vector is zero.
pub fn cosine(u: &[f64], v: &[f64]) -> f64 {
    let dot: f64 = u.iter().zip(v).map(|(a, b)| a * b).sum();
    let nu = u.iter().map(|x| x * x).sum::<f64>().sqrt();
    let nv = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    (dot / (nu * nv)).clamp(-1.0, 1.0)
}

/// `x = Σ p_i u_i`.
pub fn status_quo(agents: &[Agent]) -> Vec<f64> {
    let mut x = vec![0.0; agents[0].preference.len()];
    for a in agents {
        x.iter_mut().zip(&a.preference).for_each(|(x, u)| *x += a.power * u);
    }
    x
}

/// `u_j · x`: how much agent `j` values outcome `x`.
pub fn value(agent: &Agent, x: &[f64]) -> f64 {
    agent.preference.iter().zip(x).map(|(u, x)| u * x).sum()
}

/// What one agent would do this round.
#[derive(Clone, Debug, Serialize)]
pub struct Assessment {
    /// The agent assessed.
    pub agent: String,
    /// Value of the status quo to this agent.
    pub value: f64,
    /// The opponent with the largest expected gain, if any.
    pub target: Option<String>,
    /// `cos(u_i, u_target)` (1 without a target).
    pub alignment: f64,
    /// `Δ_i` of escalating against the target: expected change in the
    /// agent's value (0 without a target).
    pub gain: f64,
    /// Probability that the agent escalates against the target this round.
    pub escalation_probability: f64,
}

/// Every agent's best escalation target and how likely it is to escalate.
pub fn assess(agents: &[Agent], m: &ConflictModel) -> Vec<Assessment> {
    let x = status_quo(agents);
    agents
        .iter()
        .enumerate()
        .map(|(i, me)| {
            let best = agents
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(j, other)| {
                    let a = cosine(&me.preference, &other.preference);
                    (j, a, escalation_gain(m, me.power, other.power, a))
                })
                .max_by(|x, y| x.2.total_cmp(&y.2));
            match best {
                Some((j, a, gain)) => Assessment {
                    agent: me.name.clone(),
                    value: value(me, &x),
                    target: Some(agents[j].name.clone()),
                    alignment: a,
                    gain,
                    escalation_probability: escalation_probability(m, me.power, agents[j].power, a),
                },
                None => Assessment {
                    agent: me.name.clone(),
                    value: value(me, &x),
                    target: None,
                    alignment: 1.0,
                    gain: 0.0,
                    escalation_probability: 0.0,
                },
            }
        })
        .collect()
}

/// One conflict that happened in [`simulate`].
#[derive(Clone, Debug, Serialize)]
pub struct Event {
    /// The round it happened in, from 1.
    pub round: usize,
    /// The agent that escalated.
    pub attacker: String,
    /// Its target.
    pub defender: String,
    /// Whether the attacker won the contest.
    pub attacker_won: bool,
    /// Every agent's power after the contest, in scenario order.
    pub powers_after: Vec<f64>,
}

/// The course of a multi-round simulation.
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// Every agent's power before the first round, in scenario order.
    pub initial_powers: Vec<f64>,
    /// Every agent's power-scaled preference before the first round, in the
    /// plane of the first two agents' directions (see [`plane_coordinates`]): for drawing.
    pub plane: Vec<[f64; 2]>,
    /// Every agent's assessment before the first round.
    pub initial: Vec<Assessment>,
    /// The conflicts, in the order they happened.
    pub events: Vec<Event>,
    /// Every agent's power at the end, in scenario order.
    pub final_powers: Vec<f64>,
    /// Rounds played, including a final round without escalation.
    pub rounds_played: usize,
    /// True when a round passed with no escalation (a stable power balance).
    pub settled: bool,
}

/// Play rounds: in each, agents in order decide whether to escalate against
/// their best target (sampled with the scenario's seed when decisions are
/// noisy) and contests resolve at once, so later agents see the new balance.
/// Stops after a round without escalation or after `rounds` rounds.
pub fn simulate(scenario: &Scenario) -> Trace {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(scenario.seed);
    let m = &scenario.model;
    let mut agents = scenario.agents.clone();
    let initial_powers = agents.iter().map(|a| a.power).collect();
    let plane = plane_coordinates(&agents).into_iter().map(|(x, y)| [x, y]).collect();
    let initial = assess(&agents, m);
    let mut events = Vec::new();
    let mut settled = false;
    let mut played = 0;
    for round in 1..=scenario.rounds {
        played = round;
        let mut any = false;
        for i in 0..agents.len() {
            let Some(a) = assess(&agents, m).into_iter().nth(i) else {
                continue;
            };
            let Some(target) = a.target else { continue };
            let p = a.escalation_probability;
            let escalate = p >= 1.0 || (p > 0.0 && rng.random::<f64>() < p);
            if !escalate {
                continue;
            }
            any = true;
            let j = agents.iter().position(|x| x.name == target).expect("target exists");
            let (pi, pj) = (agents[i].power, agents[j].power);
            let won = rng.random::<f64>() < win_probability(pi, pj, m.contest_exponent);
            let (s, keep) = (m.loser_share, 1.0 - m.cost);
            let (ni, nj) = if won {
                (keep * (pi + s * pj), keep * (1.0 - s) * pj)
            } else {
                (keep * (1.0 - s) * pi, keep * (pj + s * pi))
            };
            agents[i].power = ni;
            agents[j].power = nj;
            events.push(Event {
                round,
                attacker: agents[i].name.clone(),
                defender: target,
                attacker_won: won,
                powers_after: agents.iter().map(|a| a.power).collect(),
            });
        }
        if !any {
            settled = true;
            break;
        }
    }
    Trace {
        initial_powers,
        plane,
        initial,
        events,
        final_powers: agents.iter().map(|a| a.power).collect(),
        rounds_played: played,
        settled,
    }
}

// ---------------------------------------------------------------------------
// Phase diagram

/// Where the weaker of two agents escalates, over alignment × cost.
#[derive(Clone, Debug, Serialize)]
pub struct PhaseDiagram {
    /// Weaker power / stronger power.
    pub power_ratio: f64,
    /// The alignment axis: evenly spaced on `[−1, 1]`.
    pub alignments: Vec<f64>,
    /// The cost axis: evenly spaced on `[0, 1]`.
    pub costs: Vec<f64>,
    /// `probability[ic * alignments.len() + ia]`: P(weaker agent escalates).
    pub probability: Vec<f64>,
    /// `gain[ic * alignments.len() + ia]`: its expected gain Δ.
    pub gain: Vec<f64>,
    /// `(alignment, cost)` points where Δ changes sign (one per cost on a fine grid).
    pub boundary: Vec<(f64, f64)>,
}

/// `n` evenly spaced points from `lo` to `hi` inclusive.
pub fn linspace(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    match n {
        0 => vec![],
        1 => vec![lo],
        _ => (0..n).map(|i| lo + (hi - lo) * i as f64 / (n - 1) as f64).collect(),
    }
}

/// Phase diagram for a weaker agent of power `ratio` facing one of power 1.
/// The model's own `cost` is ignored (it is the y axis).
pub fn phase_diagram(m: &ConflictModel, ratio: f64, n_alignment: usize, n_cost: usize) -> Result<PhaseDiagram> {
    m.validate()?;
    if !(ratio > 0.0 && ratio <= 1.0) {
        return Err(Error::invalid(format!(
            "ratio = {ratio}: the power ratio (weaker / stronger) must be in (0, 1]"
        )));
    }
    if n_alignment < 2 || n_cost < 2 {
        return Err(Error::invalid("a phase diagram needs at least 2 points per axis"));
    }
    check_grid(n_alignment, n_cost, 16.0, "a phase diagram")?;
    let alignments = linspace(-1.0, 1.0, n_alignment);
    let costs = linspace(0.0, 1.0, n_cost);
    let mut probability = Vec::with_capacity(n_alignment * n_cost);
    let mut gain = Vec::with_capacity(n_alignment * n_cost);
    for &c in &costs {
        let mc = m.with_cost(c);
        for &a in &alignments {
            gain.push(escalation_gain(&mc, ratio, 1.0, a));
            probability.push(escalation_probability(&mc, ratio, 1.0, a));
        }
    }
    let fine = linspace(0.0, 1.0, 401);
    let boundary = fine
        .iter()
        .filter_map(|&c| boundary_alignment(&m.with_cost(c), ratio, 1.0).map(|a| (a, c)))
        .collect();
    Ok(PhaseDiagram {
        power_ratio: ratio,
        alignments,
        costs,
        probability,
        gain,
        boundary,
    })
}

// ---------------------------------------------------------------------------
// Inverse inference

/// One observed decision: an agent of power `own_power` facing one of power
/// `other_power` escalated or stayed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Observation {
    /// The observed agent's power, ≥ 0.
    pub own_power: f64,
    /// Its opponent's power, ≥ 0.
    pub other_power: f64,
    /// Whether the agent escalated (otherwise it stayed).
    pub escalated: bool,
}

/// Observations with the model parameters the observer knows (`cost` is
/// unknown and ignored).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationSet {
    /// The contest rules the observer assumes (its `cost` is ignored: it is inferred).
    pub model: ConflictModel,
    /// The decisions (`[[observation]]` tables in TOML, `"observation"` in JSON).
    #[serde(rename = "observation")]
    pub observations: Vec<Observation>,
}

impl ObservationSet {
    /// Parse TOML (an `origin` ending in `.toml`) or JSON and check the model
    /// and every observation's powers; errors name `origin` and the observation.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let set: ObservationSet = crate::input::deserialize(text, origin)?;
        set.model
            .validate()
            .map_err(|e| Error::parse(origin, 0, e.to_string()))?;
        for (i, o) in set.observations.iter().enumerate() {
            if !(o.own_power >= 0.0 && o.other_power >= 0.0 && o.own_power + o.other_power <= MAX_POWER) {
                return Err(Error::parse(
                    origin,
                    0,
                    format!("observation[{i}]: powers must be ≥ 0 and sum to at most {MAX_POWER:e}"),
                ));
            }
        }
        Ok(set)
    }
}

/// A posterior over (alignment, cost) on a grid. The prior is uniform over the
/// grid: alignment evenly spaced on [−1, 1], cost on [0, 1].
#[derive(Clone, Debug, Serialize)]
pub struct Posterior {
    /// The alignment grid, evenly spaced on `[−1, 1]`.
    pub alignments: Vec<f64>,
    /// The cost grid, evenly spaced on `[0, 1]`.
    pub costs: Vec<f64>,
    /// `density[ic * alignments.len() + ia]`, summing to 1.
    pub density: Vec<f64>,
    /// The marginal posterior of the alignment.
    pub alignment: Summary,
    /// The marginal posterior of the cost.
    pub cost: Summary,
    /// The most probable grid point `(alignment, cost)`.
    pub map: (f64, f64),
}

/// Marginal posterior summary.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Summary {
    /// Posterior mean.
    pub mean: f64,
    /// Posterior standard deviation.
    pub sd: f64,
    /// Equal-tailed 90% credible interval (grid points).
    pub ci90: [f64; 2],
}

fn summarise(grid: &[f64], mass: &[f64]) -> Summary {
    let mean: f64 = grid.iter().zip(mass).map(|(x, p)| x * p).sum();
    let var: f64 = grid.iter().zip(mass).map(|(x, p)| p * (x - mean) * (x - mean)).sum();
    let quantile = |q: f64| {
        let mut acc = 0.0;
        for (x, p) in grid.iter().zip(mass) {
            acc += p;
            if acc >= q - 1e-12 {
                return *x;
            }
        }
        *grid.last().unwrap_or(&f64::NAN)
    };
    Summary {
        mean,
        sd: var.sqrt(),
        ci90: [quantile(0.05), quantile(0.95)],
    }
}

/// Fail fast when a grid of `n_alignment × n_cost` points with `bytes` per
/// point would not fit in the memory limit.
fn check_grid(n_alignment: usize, n_cost: usize, bytes: f64, what: &str) -> Result<()> {
    let points = n_alignment as f64 * n_cost as f64;
    crate::resources::check(points * bytes, || {
        use crate::resources::format_count as c;
        format!(
            "{what} of {} alignments × {} costs",
            c(n_alignment as f64),
            c(n_cost as f64)
        )
    })
}

/// Grid posterior over the observed agent's alignment with its opponents and
/// its perceived cost of conflict. With `temperature = 0` the likelihood is
/// 0/1 (the posterior is uniform on the consistent region).
pub fn infer(set: &ObservationSet, n_alignment: usize, n_cost: usize) -> Result<Posterior> {
    infer_with(set, n_alignment, n_cost, &crate::progress::NoProgress)
}

/// [`infer`], polling `progress` for cancellation once per cost on the grid.
fn infer_with(set: &ObservationSet, n_alignment: usize, n_cost: usize, progress: &dyn Progress) -> Result<Posterior> {
    set.model.validate()?;
    if n_alignment < 2 || n_cost < 2 {
        return Err(Error::invalid("the inference grid needs at least 2 points per axis"));
    }
    check_grid(n_alignment, n_cost, 24.0, "an inference grid")?;
    let alignments = linspace(-1.0, 1.0, n_alignment);
    let costs = linspace(0.0, 1.0, n_cost);
    let mut log_post = Vec::with_capacity(n_alignment * n_cost);
    for &c in &costs {
        crate::progress::check(progress)?;
        let m = set.model.with_cost(c);
        for &a in &alignments {
            let ll: f64 = set
                .observations
                .iter()
                .map(|o| {
                    if m.temperature > 0.0 {
                        let z = escalation_gain(&m, o.own_power, o.other_power, a) / m.temperature;
                        log_logistic(if o.escalated { z } else { -z })
                    } else {
                        let p = escalation_probability(&m, o.own_power, o.other_power, a);
                        if (p >= 0.5) == o.escalated {
                            0.0
                        } else {
                            f64::NEG_INFINITY
                        }
                    }
                })
                .sum();
            log_post.push(ll);
        }
    }
    let top = log_post.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if top == f64::NEG_INFINITY {
        return Err(Error::invalid(
            "no (alignment, cost) on the grid explains every observation without noise; set model.temperature > 0",
        ));
    }
    let mut density: Vec<f64> = log_post.iter().map(|l| (l - top).exp()).collect();
    let total: f64 = density.iter().sum();
    density.iter_mut().for_each(|d| *d /= total);
    let na = alignments.len();
    let mut marginal_a = vec![0.0; na];
    let mut marginal_c = vec![0.0; costs.len()];
    for (k, d) in density.iter().enumerate() {
        marginal_a[k % na] += d;
        marginal_c[k / na] += d;
    }
    let best = density
        .iter()
        .enumerate()
        .max_by(|x, y| x.1.total_cmp(y.1))
        .map_or(0, |(k, _)| k);
    Ok(Posterior {
        alignment: summarise(&alignments, &marginal_a),
        cost: summarise(&costs, &marginal_c),
        map: (alignments[best % na], costs[best / na]),
        alignments,
        costs,
        density,
    })
}

/// Simulate `n` decisions of an agent with the given true alignment and cost,
/// against opponents of random power (own power uniform on [0.2, 1], the
/// opponent's on [0.2, 2]), decisions sampled from the model.
pub fn simulate_observations(
    model: &ConflictModel,
    alignment: f64,
    cost: f64,
    n: usize,
    seed: u64,
) -> Vec<Observation> {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let m = model.with_cost(cost);
    (0..n)
        .map(|_| {
            let own_power = 0.2 + 0.8 * rng.random::<f64>();
            let other_power = 0.2 + 1.8 * rng.random::<f64>();
            let p = escalation_probability(&m, own_power, other_power, alignment);
            Observation {
                own_power,
                other_power,
                escalated: rng.random::<f64>() < p,
            }
        })
        .collect()
}

/// Simulation-based calibration: draw true (alignment, cost) from the grid
/// prior, simulate `n_obs` decisions, and count how often the 90% credible
/// intervals contain the truth. Returns (alignment coverage, cost coverage).
/// Reports replicates to `progress` and stops when it asks.
pub fn calibration(
    model: &ConflictModel,
    grid: usize,
    n_obs: usize,
    replicates: usize,
    seed: u64,
    progress: &dyn Progress,
) -> Result<(f64, f64)> {
    use rand::{RngExt, SeedableRng};
    if replicates == 0 {
        return Err(Error::invalid(
            "replicates: calibration needs at least 1 replicate (coverage over 0 replicates is undefined)",
        ));
    }
    check_grid(grid, grid, 24.0, "an inference grid")?;
    crate::resources::check(n_obs as f64 * std::mem::size_of::<Observation>() as f64, || {
        format!(
            "{} observations per replicate",
            crate::resources::format_count(n_obs as f64)
        )
    })?;
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let (alignments, costs) = (linspace(-1.0, 1.0, grid), linspace(0.0, 1.0, grid));
    let (mut hit_a, mut hit_c) = (0usize, 0usize);
    progress.set_total(replicates as u64);
    for rep in 0..replicates {
        crate::progress::check(progress)?;
        let a = alignments[rng.random_range(0..grid)];
        let c = costs[rng.random_range(0..grid)];
        let observations = simulate_observations(model, a, c, n_obs, seed.wrapping_add(rep as u64 + 1));
        let post = infer_with(
            &ObservationSet {
                model: *model,
                observations,
            },
            grid,
            grid,
            progress,
        )?;
        progress.advance(1);
        hit_a += (post.alignment.ci90[0] <= a && a <= post.alignment.ci90[1]) as usize;
        hit_c += (post.cost.ci90[0] <= c && c <= post.cost.ci90[1]) as usize;
    }
    Ok((hit_a as f64 / replicates as f64, hit_c as f64 / replicates as f64))
}

// ---------------------------------------------------------------------------
// Requests and reports for the front ends (command line and Python)

/// Temperature of the logit decisions when simulating or inferring decisions
/// and none is given (a phase diagram's default is 0: deterministic).
pub const DEFAULT_INFERENCE_TEMPERATURE: f64 = 0.1;

/// A phase diagram request (`conflict phase`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhaseRequest {
    /// Power of the weaker agent relative to the stronger, in (0, 1] (default 1/3).
    pub ratio: f64,
    /// Contest success exponent r (default 1).
    pub contest_exponent: f64,
    /// Share of the loser's power taken by the winner (default 0.5).
    pub loser_share: f64,
    /// Logit noise temperature (default 0: deterministic decisions).
    pub temperature: f64,
    /// Grid points on the alignment and cost axes (default 101 each).
    pub n_alignment: usize,
    /// Grid points on the cost axis (at least 2; default 101).
    pub n_cost: usize,
}

impl Default for PhaseRequest {
    fn default() -> Self {
        PhaseRequest {
            ratio: 1.0 / 3.0,
            contest_exponent: one(),
            loser_share: half(),
            temperature: 0.0,
            n_alignment: 101,
            n_cost: 101,
        }
    }
}

impl PhaseRequest {
    /// The model of the diagram (its cost is the y axis, so 0 here).
    pub fn model(&self) -> ConflictModel {
        ConflictModel {
            cost: 0.0,
            contest_exponent: self.contest_exponent,
            loser_share: self.loser_share,
            temperature: self.temperature,
        }
    }
}

/// Where the weaker of two agents escalates, over alignment × cost.
pub fn phase(request: &PhaseRequest) -> Result<PhaseDiagram> {
    phase_diagram(&request.model(), request.ratio, request.n_alignment, request.n_cost)
}

/// An inference request (`conflict infer`): observed decisions, or decisions
/// simulated from a true alignment and cost.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct InferRequest {
    /// Observed decisions with the model the observer knows (parse them
    /// with [`ObservationSet::parse`]); exactly one of this and `truth`.
    #[serde(skip)]
    pub observations: Option<ObservationSet>,
    /// Simulate decisions of an agent with this true `(alignment, cost)`.
    pub truth: Option<(f64, f64)>,
    /// With `truth`: simulated decisions (default 50), their seed, and the
    /// model (contest exponent 1, loser share 0.5, temperature 0.1 by default).
    pub episodes: usize,
    /// With `truth`: seed of the simulated decisions (default 0).
    pub seed: u64,
    /// With `truth`: the contest success exponent `r` (default 1).
    pub contest_exponent: f64,
    /// With `truth`: the loser's share `s` taken by the winner (default 0.5).
    pub loser_share: f64,
    /// With `truth`: the logit noise temperature of the simulated decisions
    /// and of the likelihood (default [`DEFAULT_INFERENCE_TEMPERATURE`]).
    pub temperature: f64,
    /// Grid points per axis (default 101).
    pub grid: usize,
}

impl Default for InferRequest {
    fn default() -> Self {
        InferRequest {
            observations: None,
            truth: None,
            episodes: 50,
            seed: 0,
            contest_exponent: one(),
            loser_share: half(),
            temperature: DEFAULT_INFERENCE_TEMPERATURE,
            grid: 101,
        }
    }
}

/// The result of [`infer_request`]: the posterior and what it was computed from.
#[derive(Clone, Debug, Serialize)]
pub struct InferReport {
    /// Decisions observed (or simulated), and how many were escalations.
    pub decisions: usize,
    /// How many of the decisions were escalations.
    pub escalations: usize,
    /// The true `(alignment, cost)` when the decisions were simulated.
    pub truth: Option<(f64, f64)>,
    /// The model the observer knows (its cost is what is inferred).
    pub model: ConflictModel,
    /// Grid points per axis.
    pub grid: usize,
    /// `alignments`, `costs`, `density`, `alignment`, `cost`, `map` (see [`Posterior`]).
    #[serde(flatten)]
    pub posterior: Posterior,
}

/// The posterior over an agent's alignment and perceived cost from its
/// decisions, observed or simulated.
pub fn infer_request(request: &InferRequest) -> Result<InferReport> {
    let r = request;
    let set = match (&r.observations, r.truth) {
        (Some(set), None) => set.clone(),
        (None, Some((alignment, cost))) => {
            if !(-1.0..=1.0).contains(&alignment) || !(0.0..=1.0).contains(&cost) {
                return Err(Error::invalid(format!(
                    "truth: alignment must be in [−1, 1] and cost in [0, 1] (got {alignment}, {cost})"
                )));
            }
            let model = ConflictModel {
                cost: 0.0,
                contest_exponent: r.contest_exponent,
                loser_share: r.loser_share,
                temperature: r.temperature,
            };
            model.validate()?;
            ObservationSet {
                model,
                observations: simulate_observations(&model, alignment, cost, r.episodes, r.seed),
            }
        }
        _ => {
            return Err(Error::invalid(
                "truth: give observed decisions or a true alignment and cost to simulate them from, not both",
            ))
        }
    };
    let posterior = infer(&set, r.grid, r.grid)?;
    Ok(InferReport {
        decisions: set.observations.len(),
        escalations: set.observations.iter().filter(|o| o.escalated).count(),
        truth: r.truth,
        model: set.model,
        grid: r.grid,
        posterior,
    })
}

/// A calibration request (`conflict calibrate`).
#[derive(Clone, Copy, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CalibrationRequest {
    /// Grid points per axis (default 41), decisions per simulated agent
    /// (default 30), simulated agents (default 300).
    pub grid: usize,
    /// Decisions simulated per agent (default 30).
    pub episodes: usize,
    /// Simulated agents, each with its own true alignment and cost drawn from the grid prior; at least 1 (default 300).
    pub replicates: usize,
    /// Seed of the true parameters and simulated decisions (default 0).
    pub seed: u64,
    /// The model (contest exponent 1, loser share 0.5, temperature 0.1 by default).
    pub contest_exponent: f64,
    /// Share `s` of the loser's power taken by the winner (default 0.5).
    pub loser_share: f64,
    /// Logit noise temperature of the decisions and the likelihood (default 0.1).
    pub temperature: f64,
}

impl Default for CalibrationRequest {
    fn default() -> Self {
        CalibrationRequest {
            grid: 41,
            episodes: 30,
            replicates: 300,
            seed: 0,
            contest_exponent: one(),
            loser_share: half(),
            temperature: DEFAULT_INFERENCE_TEMPERATURE,
        }
    }
}

/// Coverage of 90% credible intervals over simulated agents.
#[derive(Clone, Debug, Serialize)]
pub struct CalibrationReport {
    /// Simulated agents.
    pub replicates: usize,
    /// Decisions per simulated agent.
    pub episodes: usize,
    /// Grid points per axis.
    pub grid: usize,
    /// The model used (its `cost` is 0: each replicate draws its own).
    pub model: ConflictModel,
    /// Fraction of replicates whose 90% alignment interval contains the true
    /// alignment (about 0.9 when the inference is calibrated).
    pub alignment_coverage: f64,
    /// The same for the cost.
    pub cost_coverage: f64,
    /// Binomial standard deviation of a coverage of 0.9 over the replicates.
    pub binomial_sd: f64,
}

/// Simulation-based calibration of [`infer`] (see [`calibration`]).
pub fn calibrate(request: &CalibrationRequest, progress: &dyn Progress) -> Result<CalibrationReport> {
    let r = request;
    let model = ConflictModel {
        cost: 0.0,
        contest_exponent: r.contest_exponent,
        loser_share: r.loser_share,
        temperature: r.temperature,
    };
    model.validate()?;
    let (a, c) = calibration(&model, r.grid, r.episodes, r.replicates, r.seed, progress)?;
    Ok(CalibrationReport {
        replicates: r.replicates,
        episodes: r.episodes,
        grid: r.grid,
        model,
        alignment_coverage: a,
        cost_coverage: c,
        binomial_sd: (0.09 / r.replicates.max(1) as f64).sqrt(),
    })
}

/// Where [`drawing_plane`] puts each agent's power-scaled preference, and what the axes are.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawingPlane {
    /// `p_i u_i` per agent, in the plane's coordinates.
    pub points: Vec<(f64, f64)>,
    /// What the x coordinate measures.
    pub x_axis: String,
    /// What the y coordinate measures.
    pub y_axis: String,
    /// How the plane was chosen, when it is not the preference space itself.
    pub note: Option<String>,
}

/// The plane to draw the agents' power-scaled preferences in: with two
/// outcome dimensions the preference space itself (x: outcome 1, y: outcome
/// 2, so the picture shows the scenario's own numbers); otherwise the plane
/// of [`plane_coordinates`] (first agent along x), with a note saying so.
pub fn drawing_plane(agents: &[Agent]) -> DrawingPlane {
    if agents.iter().all(|a| a.preference.len() == 2) {
        return DrawingPlane {
            points: agents
                .iter()
                .map(|a| (a.power * a.preference[0], a.power * a.preference[1]))
                .collect(),
            x_axis: "power × preference for outcome 1".into(),
            y_axis: "power × preference for outcome 2".into(),
            note: None,
        };
    }
    let (first, second) = (&agents[0].name, agents.get(1).map_or("", |a| a.name.as_str()));
    DrawingPlane {
        points: plane_coordinates(agents),
        x_axis: format!("power × preference along {first}'s direction"),
        y_axis: format!("perpendicular, towards {second}"),
        note: Some(format!(
            "the plane spanned by {first}'s and {second}'s preferences; components outside it are not drawn"
        )),
    }
}

/// Coordinates of each agent's power-scaled preference `p_i u_i` in the plane
/// spanned by the first two agents' directions (first agent along the x axis),
/// for drawing; other components are dropped.
pub fn plane_coordinates(agents: &[Agent]) -> Vec<(f64, f64)> {
    let e1: Vec<f64> = agents[0].preference.clone();
    let u2 = &agents[1].preference;
    let along: f64 = u2.iter().zip(&e1).map(|(a, b)| a * b).sum();
    let mut e2: Vec<f64> = u2.iter().zip(&e1).map(|(a, b)| a - along * b).collect();
    let norm = e2.iter().map(|x| x * x).sum::<f64>().sqrt();
    if norm > 1e-12 {
        e2.iter_mut().for_each(|x| *x /= norm);
    } else {
        // Collinear directions: any orthogonal axis will do.
        e2 = vec![0.0; e1.len()];
        if e1.len() > 1 {
            e2[0] = -e1[1];
            e2[1] = e1[0];
        }
    }
    let dot = |u: &[f64], e: &[f64]| u.iter().zip(e).map(|(a, b)| a * b).sum::<f64>();
    agents
        .iter()
        .map(|a| (a.power * dot(&a.preference, &e1), a.power * dot(&a.preference, &e2)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trace_starts_from_the_scenarios_powers_and_places_agents_in_the_plane() {
        let text = "[model]\ncost = 0.1\n[[agent]]\nname='a'\npreference=[0.6, 0.8, 0]\npower=2\n\
                    [[agent]]\nname='b'\npreference=[0, 0, 1]\npower=3\n\
                    [[agent]]\nname='c'\npreference=[0.6, 0, 0.8]\npower=0.5\n";
        let scenario = Scenario::parse(text, "s.toml").unwrap();
        let trace = simulate(&scenario);
        assert_eq!(trace.initial_powers, vec![2.0, 3.0, 0.5]);
        // The first agent lies on the x axis, the second (orthogonal to it) on the y axis,
        // each as long as its power; the third is projected: 0.5·(u_c·u_a, u_c·u_b).
        let expect = [[2.0, 0.0], [0.0, 3.0], [0.5 * 0.36, 0.5 * 0.8]];
        for (got, want) in trace.plane.iter().zip(expect) {
            assert!(
                (got[0] - want[0]).abs() < 1e-12 && (got[1] - want[1]).abs() < 1e-12,
                "{got:?} vs {want:?}"
            );
        }
    }

    #[test]
    fn closed_form_gain_matches_the_outcome_vectors() {
        // Δ from the formula equals u_i·(E[x'] − x) computed from explicit vectors.
        let agents = vec![
            Agent {
                name: "i".into(),
                preference: vec![1.0, 0.0, 0.0],
                power: 0.7,
            },
            Agent {
                name: "j".into(),
                preference: vec![0.6, 0.8, 0.0],
                power: 1.9,
            },
            Agent {
                name: "k".into(),
                preference: vec![0.0, 0.0, 1.0],
                power: 1.3,
            },
        ];
        let m = ConflictModel {
            cost: 0.3,
            contest_exponent: 1.7,
            loser_share: 0.4,
            temperature: 0.0,
        };
        let x = status_quo(&agents);
        let pi = win_probability(0.7, 1.9, 1.7);
        let (s, keep) = (0.4, 0.7);
        let outcome = |pi_: f64, pj_: f64| -> Vec<f64> {
            (0..3)
                .map(|d| pi_ * agents[0].preference[d] + pj_ * agents[1].preference[d] + 1.3 * agents[2].preference[d])
                .collect()
        };
        let win = outcome(keep * (0.7 + s * 1.9), keep * (1.0 - s) * 1.9);
        let lose = outcome(keep * (1.0 - s) * 0.7, keep * (1.9 + s * 0.7));
        let expected: Vec<f64> = (0..3).map(|d| pi * win[d] + (1.0 - pi) * lose[d]).collect();
        let direct = value(&agents[0], &expected) - value(&agents[0], &x);
        let a = cosine(&agents[0].preference, &agents[1].preference);
        assert!((escalation_gain(&m, 0.7, 1.9, a) - direct).abs() < 1e-12);
    }

    #[test]
    fn large_exponents_and_powers_give_numbers_not_nan() {
        // p^r overflows for r = 1000; the odds are computed in logs instead.
        assert_eq!(win_probability(10.0, 5.0, 1000.0), 1.0);
        assert!(win_probability(5.0, 10.0, 1000.0) < 1e-300);
        assert!((win_probability(2.0, 1.0, 1.0) - 2.0 / 3.0).abs() < 1e-15);
        assert!((win_probability(1.0, 1.0, 1000.0) - 0.5).abs() < 1e-15);
        assert_eq!(win_probability(0.0, 0.0, 3.0), 0.5);
        let m = ConflictModel {
            cost: 0.1,
            contest_exponent: 1000.0,
            loser_share: 0.5,
            temperature: 0.0,
        };
        // The much stronger, opposed agent escalates (it wins for sure); the weaker does not.
        assert_eq!(escalation_probability(&m, 10.0, 5.0, -1.0), 1.0);
        let g = escalation_gain(&m, 10.0, 5.0, 0.0);
        assert!(g.is_finite(), "{g}");
        let text = r#"{"model": {"cost": 0.2}, "agent": [
            {"name": "blue", "preference": [1, 0], "power": 1e308},
            {"name": "red", "preference": [0, 1], "power": 1e308}]}"#;
        let e = Scenario::parse(text, "big.json").unwrap_err().to_string();
        assert!(e.contains("big.json") && e.contains("powers sum to"), "{e}");
        let twins = text.replace("1e308", "1").replace("\"red\"", "\"blue\"");
        let e = Scenario::parse(&twins, "twins.json").unwrap_err().to_string();
        assert!(
            e.contains("twins.json") && e.contains("agent[1]: the name 'blue' is already used"),
            "{e}"
        );
        let obs = "[model]\ncost = 0.5\n[[observation]]\nown_power = 1e308\nother_power = 1e308\nescalated = true\n";
        let e = ObservationSet::parse(obs, "o.toml").unwrap_err().to_string();
        assert!(e.contains("o.toml") && e.contains("observation[0]"), "{e}");
        let e = calibration(&m, 5, 3, 0, 1, &crate::progress::NoProgress)
            .unwrap_err()
            .to_string();
        assert!(e.contains("at least 1 replicate"), "{e}");
    }

    #[test]
    fn bad_scenarios_are_rejected_with_the_field() {
        let base = r#"{"model": {"cost": 0.2}, "agent": [
            {"name": "blue", "preference": [1, 0], "power": 2},
            {"name": "red", "preference": [0, 1], "power": 1}]}"#;
        assert!(Scenario::parse(base, "s.json").is_ok());
        let cases = [
            (
                base.replace("[0, 1]", "[0, 0]"),
                "agent[1] ('red').preference must be a finite non-zero vector",
            ),
            (
                base.replace("\"power\": 1", "\"power\": -1"),
                "agent[1] ('red').power = -1",
            ),
            (base.replace("0.2", "1.5"), "model.cost = 1.5: must be in [0, 1]"),
            (base.replace("[0, 1]", "[0, 1, 2]"), "same positive number"),
            (base.replace("\"cost\"", "\"costt\""), "unknown field"),
        ];
        for (text, expected) in cases {
            let e = Scenario::parse(&text, "s.json").unwrap_err().to_string();
            assert!(e.contains("s.json") && e.contains(expected), "{e}");
        }
        let e = Scenario::parse("[model]\ncost = 0.5\ntemperature = -1\n[[agent]]\nname='a'\npreference=[1]\npower=1\n[[agent]]\nname='b'\npreference=[1]\npower=1\n", "s.toml").unwrap_err().to_string();
        assert!(e.contains("temperature"), "{e}");
    }
}

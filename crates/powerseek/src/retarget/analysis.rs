//! The retargeting analyses as requests and reports: orbit tendencies of a
//! set of decision-makers ([`orbit`]), the retargetability check
//! ([`check`]), first moves in an MDP ([`mdp_tendency`]) and learned first
//! moves ([`learned`]). The command line and Python both call these, so the
//! default decision-makers, the default `n`, the enumeration bound and every
//! check live here once. Requests are plain data with defaults
//! (`Default`, and missing fields when deserialised, take the values
//! documented on each field).

use serde::{Deserialize, Serialize};

use super::learn::{learned_tendency, LearnedOptions, LearnedTendency, QLearning};
use super::{
    check_parameters, check_retargetable_with, mdp_outcomes, orbit_size, orbit_tendency_with, random_parameters,
    sampled_tendency_chunks_with, sampled_tendency_with, worst_orbit_with, Builtin, Comparison, DecisionMaker,
    Outcomes, Retargetability, Sampling, Tendency,
};
use crate::error::{Error, Result};
use crate::mdp::solve::default_gamma;
use crate::mdp::Mdp;
use crate::progress::{CancelOnly, Progress};
use crate::stats::wilson;

/// Whole orbits are enumerated only for parameters with at most this many
/// entries (20! ≈ 2.4·10^18 permutations at most); beyond it, sample.
pub const MAX_ENUMERATED_DIMENSION: usize = 20;

/// At most this many visit distributions are enumerated from a state.
pub const MAX_VISIT_DISTRIBUTIONS: usize = 100_000;

/// Decision-makers from comma-separated names (see [`Builtin`]'s `FromStr`).
pub fn parse_decision_makers(spec: &str) -> Result<Vec<Builtin>> {
    spec.split(',').map(|x| x.trim().parse()).collect()
}

/// One decision-maker of each kind: argmax, argmin, boltzmann:1, best-of:2,
/// a satisficer at the median of `utilities` (rounded to 3 decimals),
/// quantilizer:0.5 and uniform.
pub fn default_decision_makers(utilities: &[f64]) -> Vec<Builtin> {
    let mut sorted = utilities.to_vec();
    sorted.sort_by(f64::total_cmp);
    let median = sorted
        .get(sorted.len() / 2)
        .map_or(0.0, |m| (m * 1000.0).round() / 1000.0);
    vec![
        Builtin::Argmax,
        Builtin::Argmin,
        Builtin::Boltzmann(1.0),
        Builtin::BestOfK(2),
        Builtin::Satisficer(median),
        Builtin::Quantilizer(0.5),
        Builtin::Uniform,
    ]
}

/// The `n` of `B ≥_most^n A` checked by default: how many disjoint copies of
/// `A` fit in `B \ A` (at least 1).
pub fn default_n(a: &[usize], b: &[usize]) -> u64 {
    let free = b.iter().filter(|x| !a.contains(x)).count();
    ((free / a.len().max(1)) as u64).max(1)
}

/// The decision-makers a request names (or the default set), followed by a
/// caller's own one.
fn decision_makers<'a>(
    names: Option<&str>,
    custom: Option<&'a dyn DecisionMaker>,
    utilities: &[f64],
) -> Result<(Vec<Builtin>, Option<&'a dyn DecisionMaker>)> {
    match (names, custom) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "give decision-maker names or a decision-maker of your own, not both",
        )),
        (Some(spec), None) => Ok((parse_decision_makers(spec)?, None)),
        (None, Some(dm)) => Ok((vec![], Some(dm))),
        (None, None) => Ok((default_decision_makers(utilities), None)),
    }
}

fn all<'a>(builtins: &'a [Builtin], custom: Option<&'a dyn DecisionMaker>) -> Vec<&'a dyn DecisionMaker> {
    builtins.iter().map(|b| b as &dyn DecisionMaker).chain(custom).collect()
}

/// A finite parameter `u`, outcomes of its dimension (default: the unit
/// vectors), and sets `A`, `B` of outcome indices in range.
fn outcomes_for(u: &[f64], outcomes: Option<&[Vec<f64>]>, a: &[usize], b: &[usize]) -> Result<Outcomes> {
    if u.is_empty() {
        return Err(Error::invalid("the parameter u is empty"));
    }
    if let Some((i, x)) = u.iter().enumerate().find(|(_, x)| !x.is_finite()) {
        return Err(Error::invalid(format!("u[{i}] = {x} is not a finite number")));
    }
    let outcomes = match outcomes {
        None => Outcomes::unit(u.len()),
        Some(vectors) => {
            if vectors.is_empty() {
                return Err(Error::invalid("no outcomes given"));
            }
            if let Some(bad) = vectors.iter().position(|c| c.len() != u.len()) {
                return Err(Error::invalid(format!(
                    "outcome {bad} has dimension {}, the parameter u has {}",
                    vectors[bad].len(),
                    u.len()
                )));
            }
            if vectors.iter().flatten().any(|x| !x.is_finite()) {
                return Err(Error::invalid("outcome vectors must be finite"));
            }
            Outcomes {
                vectors: vectors.to_vec(),
            }
        }
    };
    for (name, set) in [("A", a), ("B", b)] {
        if let Some(bad) = set.iter().find(|&&i| i >= outcomes.vectors.len()) {
            return Err(Error::invalid(format!(
                "outcome set {name}: outcome index {bad} is out of range ({} outcomes, indexed from 0)",
                outcomes.vectors.len()
            )));
        }
        // A repeated index would count that outcome's probability twice.
        if let Some(i) = set
            .iter()
            .enumerate()
            .find_map(|(k, i)| set[..k].contains(i).then_some(i))
        {
            return Err(Error::invalid(format!(
                "outcome set {name} lists outcome {i} (indexed from 0; e_{}) twice; a set lists each outcome once",
                i + 1
            )));
        }
    }
    // Utilities u·c of every permutation of u stay finite (inf − inf would be NaN).
    let largest_u = u.iter().fold(0.0_f64, |m, x| m.max(x.abs()));
    let largest_c = outcomes
        .vectors
        .iter()
        .map(|c| c.iter().map(|x| x.abs()).sum::<f64>())
        .fold(0.0_f64, f64::max);
    if (largest_u * largest_c).is_nan() || largest_u * largest_c > 1e300 {
        return Err(Error::invalid(format!(
            "utilities u·c could reach {:e}, beyond 1e300 (they would overflow); rescale u or the outcomes",
            largest_u * largest_c
        )));
    }
    Ok(outcomes)
}

/// Enumerating the whole orbit of a `d`-entry parameter is allowed up to
/// [`MAX_ENUMERATED_DIMENSION`].
fn check_enumerable(d: usize) -> Result<()> {
    if d > MAX_ENUMERATED_DIMENSION {
        return Err(Error::invalid(format!(
            "the parameter has {d} entries; whole orbits are enumerated only up to {MAX_ENUMERATED_DIMENSION} \
             entries (up to {MAX_ENUMERATED_DIMENSION}! permutations): sample random permutations instead"
        )));
    }
    Ok(())
}

fn sampling(samples: Option<u64>, seed: u64) -> Result<Option<Sampling>> {
    match samples {
        Some(0) => Err(Error::invalid("samples must be at least 1 permutation")),
        Some(samples) => Ok(Some(Sampling { samples, seed })),
        None => Ok(None),
    }
}

fn cancelled(progress: &dyn Progress) -> Result<()> {
    if progress.cancelled() {
        Err(Error::Cancelled)
    } else {
        Ok(())
    }
}

/// An orbit-tendency request (`retarget orbit`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrbitRequest {
    /// The utility parameter; its length is the dimension `d`.
    pub u: Vec<f64>,
    /// Outcome sets: indices into the outcomes, from 0. This is `A`.
    pub a: Vec<usize>,
    /// Outcome set `B`, compared against `A`.
    pub b: Vec<usize>,
    /// Outcome vectors of dimension `d` (default: the unit vectors `e_1..e_d`).
    pub outcomes: Option<Vec<Vec<f64>>>,
    /// Comma-separated decision-maker names (default: [`default_decision_makers`]).
    pub decision: Option<String>,
    /// Sample this many random permutations instead of the whole orbit
    /// (required beyond [`MAX_ENUMERATED_DIMENSION`] entries).
    pub samples: Option<u64>,
    /// Seed of the sampled permutations and of the random parameters (default 0).
    pub seed: u64,
    /// Also take the orbits of this many uniform random parameters (seeded)
    /// and report the worst orbit (default 0: the orbit of `u` only).
    pub parameters: usize,
    /// Check `B ≥_most^n A` for this `n` (default: [`default_n`]).
    pub n: Option<u64>,
    /// With `samples`: only permutation chunks `first..end` (of
    /// [`TENDENCY_CHUNK`](super::TENDENCY_CHUNK) each), a shard of a distributed run.
    pub chunks: Option<(u64, u64)>,
}

/// One decision-maker's tendency.
#[derive(Clone, Debug, Serialize)]
pub struct OrbitRow {
    /// The decision-maker's name (e.g. `argmax`, `boltzmann:1`).
    pub decision: String,
    /// Counts of orbit elements (or sampled permutations) with `p(B) > p(A)`, `=`, `<`.
    #[serde(flatten)]
    pub tendency: Tendency,
    /// Orbit elements (or sampled permutations) counted.
    pub total: u64,
    /// Fraction of them with `p(B) > p(A)`.
    pub fraction: f64,
    /// Whether `B ≥_most^n A` holds on them.
    pub holds: bool,
    /// 95% Wilson interval of `fraction` for a sampled single orbit (else null).
    pub ci95: Option<[f64; 2]>,
    /// The whole split: the shares of wins (`p(B) > p(A)`, the same as
    /// `fraction`), ties and losses, summing to 1; ties are counted apart, so a
    /// low `fraction` next to `holds` means many ties, not many losses.
    pub shares: Shares,
    /// 95% Wilson intervals of the three shares, for a sampled single orbit (else null).
    pub shares_ci95: Option<SharesInterval>,
}

/// Shares of an orbit (or sample) where B wins, ties and loses against A.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Shares {
    /// `p(B) > p(A)`.
    pub wins: f64,
    /// `p(B) = p(A)` (within the tolerance of [`Tendency`]).
    pub ties: f64,
    /// `p(B) < p(A)`.
    pub losses: f64,
}

/// 95% Wilson intervals of [`Shares`].
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct SharesInterval {
    /// Interval of the share of wins.
    pub wins: [f64; 2],
    /// Interval of the share of ties.
    pub ties: [f64; 2],
    /// Interval of the share of losses.
    pub losses: [f64; 2],
}

impl Shares {
    /// The shares of `t`'s counts (all 0 for an empty count).
    pub fn of(t: &Tendency) -> Shares {
        let n = t.total().max(1) as f64;
        Shares {
            wins: t.b_more as f64 / n,
            ties: t.equal as f64 / n,
            losses: t.a_more as f64 / n,
        }
    }
}

impl OrbitRow {
    fn new(decision: String, tendency: Tendency, n: u64, ci95: Option<[f64; 2]>) -> Self {
        let total = tendency.total();
        let shares_ci95 = ci95.map(|_| SharesInterval {
            wins: wilson(tendency.b_more, total),
            ties: wilson(tendency.equal, total),
            losses: wilson(tendency.a_more, total),
        });
        OrbitRow {
            decision,
            total,
            fraction: tendency.fraction(),
            holds: tendency.holds(n),
            shares: Shares::of(&tendency),
            tendency,
            ci95,
            shares_ci95,
        }
    }
}

/// The result of [`orbit`].
#[derive(Clone, Debug, Serialize)]
pub struct OrbitReport {
    /// The utility parameter whose orbit was taken.
    pub u: Vec<f64>,
    /// The outcome sets, as indices from 0: this is `A`.
    pub a: Vec<usize>,
    /// Outcome set `B`.
    pub b: Vec<usize>,
    /// The `n` of `B ≥_most^n A`.
    pub n: u64,
    /// Sampled permutations per orbit (null: whole orbits).
    pub samples: Option<u64>,
    /// Seed of the sampled permutations and random parameters.
    pub seed: u64,
    /// Random parameters whose orbits were taken besides `u`'s (worst orbit reported).
    pub parameters: usize,
    /// Distinct elements of `u`'s orbit under `S_d` (null beyond 2^64).
    pub orbit_size: Option<u64>,
    /// One row per decision-maker, in the order named (a custom one last).
    pub results: Vec<OrbitRow>,
}

/// Orbit tendencies of `B` versus `A` for each decision-maker the request
/// names (or the default set), or for `custom` alone: over the orbit of `u`,
/// a sample of it, or the worst of several parameters' orbits.
pub fn orbit(
    request: &OrbitRequest,
    custom: Option<&dyn DecisionMaker>,
    progress: &dyn Progress,
) -> Result<OrbitReport> {
    let r = request;
    let outcomes = outcomes_for(&r.u, r.outcomes.as_deref(), &r.a, &r.b)?;
    let cmp = Comparison {
        outcomes: &outcomes,
        a: &r.a,
        b: &r.b,
    };
    let sampling = sampling(r.samples, r.seed)?;
    if sampling.is_none() {
        check_enumerable(r.u.len())?;
    }
    let chunks = match (r.chunks, sampling) {
        (None, _) => None,
        (Some((first, end)), Some(_)) if r.parameters == 0 && first <= end => Some(first..end),
        (Some(_), _) => {
            return Err(Error::invalid(
                "permutation chunks need sampled permutations of u's orbit alone (samples, no random parameters, first ≤ end)",
            ))
        }
    };
    let (builtins, custom) = decision_makers(r.decision.as_deref(), custom, &outcomes.utilities(&r.u))?;
    let dms = all(&builtins, custom);
    let n = r.n.unwrap_or_else(|| default_n(&r.a, &r.b));
    check_parameters(r.u.len(), r.parameters)?;
    let mut params = vec![r.u.clone()];
    params.extend(random_parameters(r.u.len(), r.parameters, r.seed));
    progress.set_total(dms.len() as u64);
    // Workers poll a relay of `progress` every few decisions (a Python
    // decision-maker's orbit stops within a fraction of a second).
    let results = crate::progress::watch(progress, |progress| -> Result<Vec<OrbitRow>> {
        let stop = CancelOnly(progress);
        let mut results = Vec::with_capacity(dms.len());
        for dm in dms {
            cancelled(progress)?;
            let (t, ci) = match (sampling, &chunks) {
                _ if r.parameters > 0 => (worst_orbit_with(dm, cmp, &params, sampling, &stop)?, None),
                (Some(s), Some(range)) => (
                    sampled_tendency_chunks_with(dm, cmp, &r.u, s, range.clone(), &stop)?,
                    None,
                ),
                (Some(s), None) => {
                    let (t, ci) = sampled_tendency_with(dm, cmp, &r.u, s, &stop)?;
                    (t, Some(ci))
                }
                (None, _) => (orbit_tendency_with(dm, cmp, &r.u, &stop)?, None),
            };
            progress.advance(1);
            results.push(OrbitRow::new(dm.name(), t, n, ci));
        }
        Ok(results)
    })?;
    Ok(OrbitReport {
        u: r.u.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        n,
        samples: r.samples,
        seed: r.seed,
        parameters: r.parameters,
        orbit_size: orbit_size(&r.u),
        results,
    })
}

/// A retargetability check (`retarget check`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CheckRequest {
    /// The utility parameter; its length is the dimension `d`.
    pub u: Vec<f64>,
    /// Outcome sets: indices into the outcomes, from 0. This is `A`.
    pub a: Vec<usize>,
    /// Outcome set `B`, which should hold `n` disjoint copies of `A`.
    pub b: Vec<usize>,
    /// Outcome vectors of dimension `d` (default: the unit vectors).
    pub outcomes: Option<Vec<Vec<f64>>>,
    /// One decision-maker name (default: argmax).
    pub decision: Option<String>,
    /// Check (A→B) n-retargetability for this `n` (default 1).
    pub n: usize,
    /// Random parameters tested besides `u` (seeded; default 200).
    pub parameters: usize,
    /// Seed of the random parameters (uniform on `[0, 1]^d`; default 0).
    pub seed: u64,
}

impl Default for CheckRequest {
    fn default() -> Self {
        CheckRequest {
            u: vec![],
            a: vec![],
            b: vec![],
            outcomes: None,
            decision: None,
            n: 1,
            parameters: 200,
            seed: 0,
        }
    }
}

/// The result of [`check`].
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// The decision-maker checked.
    pub decision: String,
    /// The parameter given.
    pub u: Vec<f64>,
    /// Outcome set `A`, as indices from 0.
    pub a: Vec<usize>,
    /// Outcome set `B`, as indices from 0.
    pub b: Vec<usize>,
    /// The `n` of (A→B) n-retargetability checked.
    pub n: usize,
    /// Parameters tested: `u` and the random ones.
    pub parameters_tested: usize,
    /// `result`: `witness` (with `permutations`), `counterexample` (with
    /// `parameter` and `permutation`) or `no_candidates`; permutations are
    /// the images of `0..d`.
    #[serde(flatten)]
    pub result: Retargetability,
}

/// Search for permutations witnessing (A→B) n-retargetability of one
/// decision-maker (named, default argmax, or `custom`) on `u` and random
/// parameters, or a counterexample.
pub fn check(
    request: &CheckRequest,
    custom: Option<&dyn DecisionMaker>,
    progress: &dyn Progress,
) -> Result<CheckReport> {
    let r = request;
    let outcomes = outcomes_for(&r.u, r.outcomes.as_deref(), &r.a, &r.b)?;
    let named: Option<Builtin> = match (&r.decision, custom) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "give a decision-maker name or a decision-maker of your own, not both",
            ))
        }
        (Some(name), None) => Some(name.trim().parse()?),
        (None, Some(_)) => None,
        (None, None) => Some(Builtin::Argmax),
    };
    let dm: &dyn DecisionMaker = match (&named, custom) {
        (Some(b), _) => b,
        (None, Some(c)) => c,
        (None, None) => unreachable!("a decision-maker is chosen above"),
    };
    check_parameters(r.u.len(), r.parameters)?;
    let mut params = vec![r.u.clone()];
    params.extend(random_parameters(r.u.len(), r.parameters, r.seed));
    cancelled(progress)?;
    let cmp = Comparison {
        outcomes: &outcomes,
        a: &r.a,
        b: &r.b,
    };
    let result = crate::progress::watch(progress, |p| check_retargetable_with(dm, cmp, r.n, &params, p))?;
    Ok(CheckReport {
        decision: dm.name(),
        u: r.u.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        n: r.n,
        parameters_tested: params.len(),
        result,
    })
}

/// A state of an MDP and the labels of two first actions available there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FirstMoves {
    /// The state's index in the MDP.
    pub state: usize,
    /// Action labels (indices into [`Mdp::action_names`]): this is A's first action.
    pub a: usize,
    /// B's first action label (different from `a`).
    pub b: usize,
}

impl FirstMoves {
    /// Resolve the state by name (default: the MDP's start state) and the
    /// actions by name; both actions must be available there.
    pub fn resolve(mdp: &Mdp, state: Option<&str>, a: &str, b: &str) -> Result<FirstMoves> {
        let s = match state {
            Some(name) => mdp
                .state_index(name)
                .ok_or_else(|| Error::invalid(format!("no state named '{name}'")))?,
            None => mdp.start().ok_or_else(|| {
                Error::invalid("the MDP has no start state; name the state to compare first moves at")
            })?,
        };
        let label = |name: &str| -> Result<usize> {
            let l = mdp
                .action_names()
                .iter()
                .position(|n| n == name)
                .ok_or_else(|| Error::invalid(format!("unknown action '{name}'")))?;
            if !mdp.actions(s).any(|x| mdp.action_label(x) == l) {
                return Err(Error::invalid(format!(
                    "action '{name}' is not available in state '{}'",
                    mdp.state_name(s)
                )));
            }
            Ok(l)
        };
        if a == b {
            return Err(Error::invalid(format!(
                "first moves A and B are the same action '{a}': compare two different actions"
            )));
        }
        Ok(FirstMoves {
            state: s,
            a: label(a)?,
            b: label(b)?,
        })
    }
}

/// First moves in an MDP (`retarget mdp`): outcomes are the discounted visit
/// distributions available from a state, `A` and `B` those starting with
/// two given actions.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MdpTendencyRequest {
    /// The state's name (default: the MDP's start state).
    pub state: Option<String>,
    /// First action of set A (the one with fewer options, typically), by name.
    pub a: String,
    /// First action of set B, by name; must differ from `a`.
    pub b: String,
    /// Discount of the visit distributions (default: the file's, else 0.9).
    pub gamma: Option<f64>,
    /// Comma-separated decision-maker names (default: [`default_decision_makers`]
    /// with the satisficer at the median utility under the first parameter).
    pub decision: Option<String>,
    /// Random reward parameters whose orbits are taken (default 5, at least 1).
    pub parameters: usize,
    /// Sample this many permutations per orbit instead of enumerating it.
    pub samples: Option<u64>,
    /// Seed of the random reward parameters and sampled permutations (default 0).
    pub seed: u64,
}

impl Default for MdpTendencyRequest {
    fn default() -> Self {
        MdpTendencyRequest {
            state: None,
            a: String::new(),
            b: String::new(),
            gamma: None,
            decision: None,
            parameters: 5,
            samples: None,
            seed: 0,
        }
    }
}

/// The result of [`mdp_tendency`].
#[derive(Clone, Debug, Serialize)]
pub struct MdpTendencyReport {
    /// The state compared at, by name.
    pub state: String,
    /// A's first action, by name.
    pub a: String,
    /// B's first action, by name.
    pub b: String,
    /// The discount of the visit distributions.
    pub gamma: f64,
    /// Visit distributions starting with `a`.
    pub outcomes_a: usize,
    /// Visit distributions starting with `b`.
    pub outcomes_b: usize,
    /// Random reward parameters whose orbits were taken.
    pub parameters: usize,
    /// Sampled permutations per orbit (null: whole orbits).
    pub samples: Option<u64>,
    /// Seed of the random parameters and sampled permutations.
    pub seed: u64,
    /// Per decision-maker, the worst orbit; `holds` is `b ≥_most a` (n = 1).
    pub worst_orbit: Vec<OrbitRow>,
}

/// The worst orbit, over random reward functions, of how often each
/// decision-maker's visit distribution starts with `b` rather than `a`.
pub fn mdp_tendency(mdp: &Mdp, request: &MdpTendencyRequest, progress: &dyn Progress) -> Result<MdpTendencyReport> {
    let r = request;
    let moves = FirstMoves::resolve(mdp, r.state.as_deref(), &r.a, &r.b)?;
    let gamma = default_gamma(mdp, r.gamma);
    let (outcomes, first) = mdp_outcomes(mdp, moves.state, gamma, MAX_VISIT_DISTRIBUTIONS)?;
    let set_a: Vec<usize> = (0..first.len()).filter(|&k| first[k] == moves.a).collect();
    let set_b: Vec<usize> = (0..first.len()).filter(|&k| first[k] == moves.b).collect();
    let sampling = sampling(r.samples, r.seed)?;
    if sampling.is_none() {
        check_enumerable(mdp.n_states())?;
    }
    check_parameters(mdp.n_states(), r.parameters.max(1))?;
    let us = random_parameters(mdp.n_states(), r.parameters.max(1), r.seed);
    let (builtins, _) = decision_makers(r.decision.as_deref(), None, &outcomes.utilities(&us[0]))?;
    let cmp = Comparison {
        outcomes: &outcomes,
        a: &set_a,
        b: &set_b,
    };
    progress.set_total(builtins.len() as u64);
    let rows = crate::progress::watch(progress, |progress| -> Result<Vec<OrbitRow>> {
        let mut rows = Vec::with_capacity(builtins.len());
        for dm in &builtins {
            cancelled(progress)?;
            let worst = worst_orbit_with(dm, cmp, &us, sampling, &CancelOnly(progress))?;
            rows.push(OrbitRow::new(dm.name(), worst, 1, None));
            progress.advance(1);
        }
        Ok(rows)
    })?;
    Ok(MdpTendencyReport {
        state: mdp.state_name(moves.state).to_string(),
        a: r.a.clone(),
        b: r.b.clone(),
        gamma,
        outcomes_a: set_a.len(),
        outcomes_b: set_b.len(),
        parameters: us.len(),
        samples: r.samples,
        seed: r.seed,
        worst_orbit: rows,
    })
}

/// Learned first moves (`retarget learned`): Q-learners trained on reward
/// functions drawn from the orbit of one random reward.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnedRequest {
    /// The state's name (default: the MDP's start state).
    pub state: Option<String>,
    /// First action A, by name.
    pub a: String,
    /// First action B, by name; must differ from `a`.
    pub b: String,
    /// Learners (default 400).
    pub agents: usize,
    /// Training episodes per learner and steps per episode (defaults 300, 30).
    pub episodes: usize,
    /// Steps per training episode (default 30).
    pub horizon: usize,
    /// Exploration rate and learning rate (defaults 0.3, 0.5).
    pub epsilon: f64,
    /// Learning rate in `(0, 1]` (default 0.5).
    pub alpha: f64,
    /// Discount (default: the file's, else 0.9).
    pub gamma: Option<f64>,
    /// Seed of the base reward, its permutations and the learners' exploration (default 0).
    pub seed: u64,
}

impl Default for LearnedRequest {
    fn default() -> Self {
        let LearnedOptions { training, agents, .. } = LearnedOptions::default();
        LearnedRequest {
            state: None,
            a: String::new(),
            b: String::new(),
            agents,
            episodes: training.episodes,
            horizon: training.horizon,
            epsilon: training.epsilon,
            alpha: training.alpha,
            gamma: None,
            seed: 0,
        }
    }
}

/// The result of [`learned`].
#[derive(Clone, Debug, Serialize)]
pub struct LearnedReport {
    /// The state compared at, by name.
    pub state: String,
    /// First action A, by name.
    pub a: String,
    /// First action B, by name.
    pub b: String,
    /// The seed used.
    pub seed: u64,
    /// The Q-learning settings every learner was trained with.
    pub training: QLearning,
    /// How the learners' greedy first moves split between A, B and others.
    pub result: LearnedTendency,
}

/// Train Q-learners, each on a random permutation of one random reward
/// (seeded), and count how their greedy first move at the state goes.
pub fn learned(mdp: &Mdp, request: &LearnedRequest, progress: &dyn Progress) -> Result<LearnedReport> {
    let r = request;
    let moves = FirstMoves::resolve(mdp, r.state.as_deref(), &r.a, &r.b)?;
    let opts = LearnedOptions {
        training: QLearning {
            episodes: r.episodes,
            horizon: r.horizon,
            epsilon: r.epsilon,
            alpha: r.alpha,
            gamma: default_gamma(mdp, r.gamma),
        },
        agents: r.agents,
        seed: r.seed,
    };
    let base = random_parameters(mdp.n_states(), 1, r.seed).remove(0);
    let result = learned_tendency(mdp, &moves, &base, &opts, progress)?;
    Ok(LearnedReport {
        state: mdp.state_name(moves.state).to_string(),
        a: r.a.clone(),
        b: r.b.clone(),
        seed: r.seed,
        training: opts.training,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::NoProgress;

    #[test]
    fn defaults_and_bounds_live_here() {
        assert_eq!(default_n(&[2], &[0, 1]), 2);
        assert_eq!(default_n(&[0], &[0]), 1);
        let request = |u: Vec<f64>, a, b| OrbitRequest {
            u,
            a,
            b,
            ..Default::default()
        };
        let r = orbit(&request(vec![10.0, 5.0, 0.0], vec![2], vec![0, 1]), None, &NoProgress).unwrap();
        assert_eq!(r.n, 2);
        assert_eq!(r.results.len(), 7);
        assert_eq!(r.results[4].decision, "satisficer:5");
        let big = request((0..25).map(f64::from).collect(), vec![0], vec![1]);
        let e = orbit(&big, None, &NoProgress).unwrap_err().to_string();
        assert!(e.contains("25 entries") && e.contains("sample"), "{e}");
        let sampled = OrbitRequest {
            samples: Some(100),
            ..big
        };
        assert_eq!(orbit(&sampled, None, &NoProgress).unwrap().results[0].total, 100);
        let chunked = OrbitRequest {
            chunks: Some((0, 1)),
            ..request(vec![1.0, 2.0], vec![0], vec![1])
        };
        assert!(orbit(&chunked, None, &NoProgress).is_err(), "chunks need samples");
    }

    #[test]
    fn requests_that_would_mislead_are_errors() {
        let request = |u: Vec<f64>, a, b| OrbitRequest {
            u,
            a,
            b,
            ..Default::default()
        };
        for (r, msg) in [
            (
                request(vec![0.1, f64::NAN, 0.3], vec![0], vec![1]),
                "u[1] = NaN is not a finite number",
            ),
            (
                request(vec![0.1, 0.2, 0.3], vec![0], vec![1, 1]),
                "outcome set B lists outcome 1",
            ),
            (request(vec![0.1, 0.2, 0.3], vec![3], vec![1]), "out of range"),
            (request(vec![1e308, 1e308], vec![0], vec![1]), "would overflow"),
            (
                OrbitRequest {
                    samples: Some(0),
                    ..request(vec![0.1, 0.2], vec![0], vec![1])
                },
                "at least 1 permutation",
            ),
        ] {
            let e = orbit(&r, None, &NoProgress).unwrap_err().to_string();
            assert!(e.contains(msg), "{e}");
        }
        let mdp = crate::mdp::json::parse(
            r#"{"states": ["s", "t"], "start": "s", "transitions": {"s": {"a": "t", "b": "s"}, "t": {"a": "t"}}}"#,
            "m.json",
        )
        .unwrap();
        let e = FirstMoves::resolve(&mdp, None, "a", "a").err().unwrap().to_string();
        assert!(e.contains("the same action 'a'"), "{e}");
    }
}

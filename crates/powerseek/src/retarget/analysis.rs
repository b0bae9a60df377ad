//! The retargeting analyses as requests and reports: orbit tendencies of a
//! set of decision-makers ([`orbit`]), the retargetability check
//! ([`check`]), first moves in an MDP ([`mdp_tendency`]) and learned first
//! moves ([`learned`]). The command line and Python both call these, so the
//! default decision-makers, the default `n`, the enumeration bound and every
//! check live here once. Requests are plain data with defaults
//! (`Default`, and missing fields when deserialised, take the values
//! documented on each field).

use serde::{Deserialize, Serialize};

use super::definition::{
    aggregate, candidates, check_orbit, same_permutations, Aggregator, Condition, Group, OrbitCheck, ThetaSet,
};
use super::learn::{learned_tendency, LearnedOptions, LearnedTendency, Learner, QLearning};
use super::EQUAL;
use super::{
    check_parameters, mdp_outcomes, orbit_size, orbit_tendency_with, random_parameters, sampled_tendency_chunks_with,
    sampled_tendency_with, worst_orbit_with, Builtin, Comparison, DecisionMaker, Outcomes, Retargetability, Sampling,
    Tendency,
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
pub(super) fn check_enumerable(d: usize) -> Result<()> {
    if d > MAX_ENUMERATED_DIMENSION {
        return Err(Error::invalid(format!(
            "the parameter has {d} entries; whole orbits are enumerated only up to {MAX_ENUMERATED_DIMENSION} \
             entries (up to {MAX_ENUMERATED_DIMENSION}! permutations): sample random permutations instead"
        )));
    }
    Ok(())
}

pub(super) fn sampling(samples: Option<u64>, seed: u64) -> Result<Option<Sampling>> {
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
    /// Generators of the group whose orbits are taken, each the images of
    /// `0..d` (0-based; default: all of `S_d`). Orbits are then enumerated
    /// whole (no sampling).
    pub generators: Option<Vec<Vec<usize>>>,
    /// A finite parameter set `Θ` containing `u`: orbits are restricted to it
    /// and its parts in distinct orbits are all taken (worst reported); no
    /// sampling and no random parameters.
    pub theta: Option<Vec<Vec<f64>>>,
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
    pub(super) fn new(decision: String, tendency: Tendency, n: u64, ci95: Option<[f64; 2]>) -> Self {
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
    /// Distinct elements of `u`'s orbit: under `S_d`, or under the given group within `Θ` (null beyond 2^64).
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
    if r.generators.is_some() || r.theta.is_some() {
        return explicit_orbits(r, cmp, &dms, n, progress);
    }
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

/// [`orbit`] under a group given by generators and/or within a parameter
/// set `Θ`: every orbit enumerated whole, the worst one reported.
fn explicit_orbits(
    r: &OrbitRequest,
    cmp: Comparison,
    dms: &[&dyn DecisionMaker],
    n: u64,
    progress: &dyn Progress,
) -> Result<OrbitReport> {
    if r.samples.is_some() || r.chunks.is_some() {
        return Err(Error::invalid(
            "samples: orbits under given generators or within theta are enumerated whole, not sampled",
        ));
    }
    let d = r.u.len();
    let group = group_for(d, r.generators.as_deref())?;
    let theta = r.theta.as_deref().map(|t| ThetaSet::new(t, d)).transpose()?;
    if theta.is_some() && r.parameters > 0 {
        return Err(Error::invalid(
            "parameters: random parameters are not tested with theta",
        ));
    }
    check_parameters(d, r.parameters)?;
    let extra = random_parameters(d, r.parameters, r.seed);
    let (orbits, _) = tested_orbits(&group, &r.u, theta.as_ref(), &extra, true)?;
    progress.set_total(dms.len() as u64);
    let mut results = Vec::with_capacity(dms.len());
    for dm in dms {
        cancelled(progress)?;
        let mut worst: Option<Tendency> = None;
        for o in &orbits {
            let t = super::tendency_over(*dm, cmp, o);
            if worst.is_none_or(|w| t.fraction().total_cmp(&w.fraction()).is_lt()) {
                worst = Some(t);
            }
        }
        progress.advance(1);
        results.push(OrbitRow::new(dm.name(), worst.unwrap_or_default(), n, None));
    }
    Ok(OrbitReport {
        u: r.u.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        n,
        samples: None,
        seed: r.seed,
        parameters: r.parameters,
        orbit_size: orbits.first().map(|o| o.len() as u64),
        results,
    })
}

/// A retargetability check (`retarget check`; docs/theory.md §6.4, §6.7).
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
    /// Random parameters tested besides `u`'s orbit (seeded; default 200,
    /// and 0 with `theta`, where it must not be given).
    pub parameters: Option<usize>,
    /// Seed of the random parameters (uniform on `[0, 1]^d`; default 0).
    pub seed: u64,
    /// Generators of the permutation group `G`, each the images of `0..d`
    /// (0-based; default: all of `S_d`).
    pub generators: Option<Vec<Vec<usize>>>,
    /// The parameter set `Θ` (finite; it must contain `u`): every member is
    /// tested, orbits are restricted to it, and retargeted parameters must
    /// lie in it (default: no restriction).
    pub theta: Option<Vec<Vec<f64>>>,
    /// Check scalar-retargetability (the retargeted parameter favours `B` by
    /// at least as much as `θ` favoured `A`) instead (default false).
    pub scalar: bool,
    /// Require the retargeted parameters to be distinct (default true; false
    /// shows what the clause decides).
    pub distinct: bool,
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
            parameters: None,
            seed: 0,
            generators: None,
            theta: None,
            scalar: false,
            distinct: true,
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
    /// `reversal` (retargetability) or `scalar` (scalar-retargetability).
    pub condition: Condition,
    /// Whether distinct retargeted parameters were required.
    pub distinct: bool,
    /// The order of the group (null beyond 2^64).
    pub group_order: Option<u64>,
    /// Which permutations the same-permutations search tried.
    pub search: String,
    /// Distinct parameters tested: `u`'s whole orbit (within `Θ`) when it has
    /// at most [`MAX_CHECK_ORBIT`](super::definition::MAX_CHECK_ORBIT) elements
    /// (else `u` alone), `Θ` when given, and the random ones.
    pub parameters_tested: usize,
    /// The definition with permutations chosen per parameter, on each orbit
    /// tested whole (reversal only): exact for those orbits.
    pub orbits: Vec<OrbitCheck>,
    /// The same permutations for every tested parameter: `result`:
    /// `witness` (with `permutations`), `counterexample` (with `parameter`
    /// and `permutation`), `leaves_theta`, `not_distinct` (with the two
    /// `permutations` and `parameters`) or `no_candidates`; permutations
    /// are the images of `0..d`.
    #[serde(flatten)]
    pub result: Retargetability,
}

/// The group of a request (default `S_d`), its generators checked.
fn group_for(d: usize, generators: Option<&[Vec<usize>]>) -> Result<Group> {
    Group::new(d, generators).map_err(|e| Error::invalid(format!("generators: {e}")))
}

/// One named decision-maker (default argmax) or the caller's own.
fn one_decision_maker<'a>(
    name: Option<&str>,
    custom: Option<&'a dyn DecisionMaker>,
    storage: &'a mut Option<Builtin>,
) -> Result<&'a dyn DecisionMaker> {
    match (name, custom) {
        (Some(_), Some(_)) => Err(Error::invalid(
            "give a decision-maker name or a decision-maker of your own, not both",
        )),
        (None, Some(c)) => Ok(c),
        (name, None) => {
            *storage = Some(name.map_or(Ok(Builtin::Argmax), |n| n.trim().parse())?);
            Ok(storage.as_ref().expect("just set"))
        }
    }
}

/// Orbits, each as its distinct elements.
type Orbits = Vec<Vec<Vec<f64>>>;

/// The orbits to test: `Θ`'s parts (which must include `u`), or `u`'s orbit
/// (or `u` alone when it is too large, with `whole` false), then `extra`
/// parameters, each alone or (with `whole_orbits`) with its orbit.
fn tested_orbits(
    group: &Group,
    u: &[f64],
    theta: Option<&ThetaSet>,
    extra: &[Vec<f64>],
    whole_orbits: bool,
) -> Result<(Orbits, Vec<bool>)> {
    if let Some(t) = theta {
        if !t.contains(u) {
            return Err(Error::invalid("theta: the parameter set must contain u"));
        }
        let parts = t.orbits(group)?;
        let whole = vec![true; parts.len()];
        return Ok((parts, whole));
    }
    let mut orbits = Vec::new();
    let mut whole = Vec::new();
    for (k, v) in std::iter::once(u).chain(extra.iter().map(Vec::as_slice)).enumerate() {
        if k > 0 && !whole_orbits {
            orbits.push(vec![v.to_vec()]);
            whole.push(false);
            continue;
        }
        match group.orbit(v, None) {
            Ok(o) => {
                orbits.push(o);
                whole.push(true);
            }
            Err(e) if whole_orbits => return Err(e),
            Err(_) => {
                orbits.push(vec![v.to_vec()]);
                whole.push(false);
            }
        }
    }
    Ok((orbits, whole))
}

/// Check (A→B) n-retargetability (or scalar-retargetability) of one
/// decision-maker (named, default argmax, or `custom`): exhaustively with
/// permutations chosen per parameter on every orbit tested whole, and by a
/// search for the same permutations for every tested parameter, with a
/// witness or a counterexample.
pub fn check(
    request: &CheckRequest,
    custom: Option<&dyn DecisionMaker>,
    progress: &dyn Progress,
) -> Result<CheckReport> {
    let r = request;
    let outcomes = outcomes_for(&r.u, r.outcomes.as_deref(), &r.a, &r.b)?;
    let mut storage = None;
    let dm = one_decision_maker(r.decision.as_deref(), custom, &mut storage)?;
    let d = r.u.len();
    let group = group_for(d, r.generators.as_deref())?;
    let theta = r.theta.as_deref().map(|t| ThetaSet::new(t, d)).transpose()?;
    if theta.is_some() && r.parameters.is_some_and(|p| p > 0) {
        return Err(Error::invalid(
            "parameters: random parameters are not tested with theta (every member of Θ is tested)",
        ));
    }
    let random = if theta.is_some() {
        0
    } else {
        r.parameters.unwrap_or(200)
    };
    check_parameters(d, random)?;
    let extra = random_parameters(d, random, r.seed);
    cancelled(progress)?;
    let (orbits, whole) = tested_orbits(&group, &r.u, theta.as_ref(), &extra, false)?;
    let cmp = Comparison {
        outcomes: &outcomes,
        a: &r.a,
        b: &r.b,
    };
    let condition = if r.scalar {
        Condition::Scalar
    } else {
        Condition::Reversal
    };
    let tested: usize = orbits.iter().map(Vec::len).sum();
    let (cands, search) = candidates(&group, &r.a, &r.b, tested);
    let (per_orbit, result) = crate::progress::watch(progress, |p| -> Result<(Vec<OrbitCheck>, Retargetability)> {
        let stop = CancelOnly(p);
        let per_orbit = match condition {
            Condition::Reversal => orbits
                .iter()
                .zip(&whole)
                .filter(|(_, w)| **w)
                .map(|(o, _)| check_orbit(dm, cmp, &group, o, r.n, &stop))
                .collect::<Result<Vec<_>>>()?,
            Condition::Scalar => vec![],
        };
        let result = same_permutations(
            dm,
            cmp,
            &orbits,
            theta.as_ref(),
            &cands,
            (r.n, condition, r.distinct),
            &stop,
        )?;
        Ok((per_orbit, result))
    })?;
    Ok(CheckReport {
        decision: dm.name(),
        u: r.u.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        n: r.n,
        condition,
        distinct: r.distinct,
        group_order: group.order(),
        search: search.into(),
        parameters_tested: tested,
        orbits: per_orbit,
        result,
    })
}

/// Orbit-mean dominance (`retarget mean`): `agg p(B|θ') ≥ agg p(A|θ')` over
/// the orbits of `u` (and random parameters), per decision-maker.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MeanRequest {
    /// The utility parameter; its length is the dimension `d`.
    pub u: Vec<f64>,
    /// Outcome set `A` (indices from 0).
    pub a: Vec<usize>,
    /// Outcome set `B`.
    pub b: Vec<usize>,
    /// Outcome vectors of dimension `d` (default: the unit vectors).
    pub outcomes: Option<Vec<Vec<f64>>>,
    /// Comma-separated decision-maker names (default: [`default_decision_makers`]).
    pub decision: Option<String>,
    /// Generators of the group (images of `0..d`, 0-based; default `S_d`).
    pub generators: Option<Vec<Vec<usize>>>,
    /// The parameter set `Θ` (must contain `u`); orbits are restricted to it.
    pub theta: Option<Vec<Vec<f64>>>,
    /// How values are aggregated over an orbit (default `mean`).
    pub aggregator: Aggregator,
    /// Also the orbits of this many uniform random parameters (default 0; not with `theta`).
    pub parameters: usize,
    /// Seed of the random parameters (default 0).
    pub seed: u64,
}

/// One decision-maker of a [`MeanReport`]: on the worst orbit (smallest
/// `agg_B − agg_A`).
#[derive(Clone, Debug, Serialize)]
pub struct MeanRow {
    /// The decision-maker.
    pub decision: String,
    /// `agg p(A|θ')` over the worst orbit.
    pub aggregate_a: f64,
    /// `agg p(B|θ')` over the worst orbit.
    pub aggregate_b: f64,
    /// `aggregate_b − aggregate_a` on the worst orbit.
    pub difference: f64,
    /// `B ⪰ A`: the difference is ≥ 0 (within 1e-12) on every orbit tested.
    pub dominates: bool,
}

/// The result of [`mean_dominance`].
#[derive(Clone, Debug, Serialize)]
pub struct MeanReport {
    /// The parameter given.
    pub u: Vec<f64>,
    /// Outcome set `A`.
    pub a: Vec<usize>,
    /// Outcome set `B`.
    pub b: Vec<usize>,
    /// The aggregator.
    pub aggregator: Aggregator,
    /// The order of the group (null beyond 2^64).
    pub group_order: Option<u64>,
    /// Orbits tested (each whole).
    pub orbits: usize,
    /// One row per decision-maker.
    pub results: Vec<MeanRow>,
}

/// Orbit-mean dominance of `B` over `A` with the request's aggregator.
pub fn mean_dominance(
    request: &MeanRequest,
    custom: Option<&dyn DecisionMaker>,
    progress: &dyn Progress,
) -> Result<MeanReport> {
    let r = request;
    let outcomes = outcomes_for(&r.u, r.outcomes.as_deref(), &r.a, &r.b)?;
    let d = r.u.len();
    let group = group_for(d, r.generators.as_deref())?;
    let theta = r.theta.as_deref().map(|t| ThetaSet::new(t, d)).transpose()?;
    if theta.is_some() && r.parameters > 0 {
        return Err(Error::invalid(
            "parameters: random parameters are not tested with theta",
        ));
    }
    check_parameters(d, r.parameters)?;
    let extra = random_parameters(d, r.parameters, r.seed);
    let (orbits, _) = tested_orbits(&group, &r.u, theta.as_ref(), &extra, true)?;
    let (builtins, custom) = decision_makers(r.decision.as_deref(), custom, &outcomes.utilities(&r.u))?;
    let cmp = Comparison {
        outcomes: &outcomes,
        a: &r.a,
        b: &r.b,
    };
    let mut results = Vec::new();
    for dm in all(&builtins, custom) {
        cancelled(progress)?;
        let mut worst: Option<(f64, f64)> = None;
        for o in &orbits {
            let (ga, gb) = aggregate(dm, cmp, o, r.aggregator);
            if worst.is_none_or(|(wa, wb)| gb - ga < wb - wa) {
                worst = Some((ga, gb));
            }
        }
        let (ga, gb) = worst.unwrap_or((0.0, 0.0));
        results.push(MeanRow {
            decision: dm.name(),
            aggregate_a: ga,
            aggregate_b: gb,
            difference: gb - ga,
            dominates: gb - ga >= -EQUAL,
        });
    }
    Ok(MeanReport {
        u: r.u.clone(),
        a: r.a.clone(),
        b: r.b.clone(),
        aggregator: r.aggregator,
        group_order: group.order(),
        orbits: orbits.len(),
        results,
    })
}

/// The `≥_most` cycle search (`retarget cycle`): among outcome sets, a cycle
/// `X_0 >_most X_1 >_most … >_most X_0` on every tested orbit.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CycleRequest {
    /// The utility parameter; its length is the dimension `d`.
    pub u: Vec<f64>,
    /// The outcome sets (indices from 0), at least two.
    pub sets: Vec<Vec<usize>>,
    /// Outcome vectors of dimension `d` (default: the unit vectors).
    pub outcomes: Option<Vec<Vec<f64>>>,
    /// One decision-maker name (default argmax).
    pub decision: Option<String>,
    /// Generators of the group (images of `0..d`, 0-based; default `S_d`).
    pub generators: Option<Vec<Vec<usize>>>,
    /// The parameter set `Θ` (must contain `u`); orbits are restricted to it.
    pub theta: Option<Vec<Vec<f64>>>,
    /// Also the orbits of this many uniform random parameters (default 0; not with `theta`).
    pub parameters: usize,
    /// Seed of the random parameters (default 0).
    pub seed: u64,
}

/// The result of [`most_cycle`].
#[derive(Clone, Debug, Serialize)]
pub struct CycleReport {
    /// The decision-maker.
    pub decision: String,
    /// The outcome sets, as given.
    pub sets: Vec<Vec<usize>>,
    /// The order of the group (null beyond 2^64).
    pub group_order: Option<u64>,
    /// Orbits tested (each whole).
    pub orbits: usize,
    /// Every `[x, y]` with `sets[x] >_most sets[y]` on every tested orbit.
    pub beats: Vec<[usize; 2]>,
    /// A cycle of set indices (each beats the next, the last beats the first), or null.
    pub cycle: Option<Vec<usize>>,
}

/// Search the request's outcome sets for a `>_most` cycle.
pub fn most_cycle(
    request: &CycleRequest,
    custom: Option<&dyn DecisionMaker>,
    progress: &dyn Progress,
) -> Result<CycleReport> {
    let r = request;
    if r.sets.len() < 2 {
        return Err(Error::invalid("sets: a cycle needs at least two outcome sets"));
    }
    let mut outcomes = None;
    for (k, set) in r.sets.iter().enumerate() {
        outcomes = Some(
            outcomes_for(&r.u, r.outcomes.as_deref(), set, &[])
                .map_err(|e| Error::invalid(format!("sets[{k}]: {e}")))?,
        );
    }
    let outcomes = outcomes.expect("at least two sets");
    let mut storage = None;
    let dm = one_decision_maker(r.decision.as_deref(), custom, &mut storage)?;
    let d = r.u.len();
    let group = group_for(d, r.generators.as_deref())?;
    let theta = r.theta.as_deref().map(|t| ThetaSet::new(t, d)).transpose()?;
    if theta.is_some() && r.parameters > 0 {
        return Err(Error::invalid(
            "parameters: random parameters are not tested with theta",
        ));
    }
    check_parameters(d, r.parameters)?;
    let extra = random_parameters(d, r.parameters, r.seed);
    let (orbits, _) = tested_orbits(&group, &r.u, theta.as_ref(), &extra, true)?;
    cancelled(progress)?;
    let mut beats = Vec::new();
    for x in 0..r.sets.len() {
        for y in 0..r.sets.len() {
            if x == y {
                continue;
            }
            let cmp = Comparison {
                outcomes: &outcomes,
                a: &r.sets[y],
                b: &r.sets[x],
            };
            if orbits.iter().all(|o| {
                let t = super::tendency_over(dm, cmp, o);
                t.b_more > t.a_more
            }) {
                beats.push([x, y]);
            }
        }
    }
    let cycle = super::find_most_cycle(dm, &outcomes, &r.sets, &orbits);
    Ok(CycleReport {
        decision: dm.name(),
        sets: r.sets.clone(),
        group_order: group.order(),
        orbits: orbits.len(),
        beats,
        cycle,
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
#[derive(Clone, Debug, Default, Deserialize)]
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
    /// A reward function over the states (in the MDP's order) whose orbit is
    /// taken first (default: none).
    pub u: Option<Vec<f64>>,
    /// Random reward parameters whose orbits are taken besides `u`'s (default:
    /// 5 without `u`, 0 with it; at least one orbit in all).
    pub parameters: Option<usize>,
    /// Check `b ≥_most^n a` for this `n` (default 1).
    pub n: Option<u64>,
    /// Sample this many permutations per orbit instead of enumerating it.
    pub samples: Option<u64>,
    /// Seed of the random reward parameters and sampled permutations (default 0).
    pub seed: u64,
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
    /// The comparison itself (its fields appear at this level in JSON).
    #[serde(flatten)]
    pub tendency: FirstMoveTendency,
}

/// A first-move comparison over reward orbits, as [`mdp_tendency`] and
/// [`pomdp_tendency`] report it.
#[derive(Clone, Debug, Serialize)]
pub struct FirstMoveTendency {
    /// Outcomes starting with `a`.
    pub outcomes_a: usize,
    /// Outcomes starting with `b`.
    pub outcomes_b: usize,
    /// Reward parameters whose orbits were taken (`u`, if given, and the random ones).
    pub parameters: usize,
    /// The given reward parameter `u`, if any.
    pub u: Option<Vec<f64>>,
    /// The `n` of `b ≥_most^n a`.
    pub n: u64,
    /// Sampled permutations per orbit (null: whole orbits).
    pub samples: Option<u64>,
    /// Seed of the random parameters and sampled permutations.
    pub seed: u64,
    /// Per decision-maker, the worst orbit; `holds` is `b ≥_most^n a`.
    pub worst_orbit: Vec<OrbitRow>,
}

/// The reward functions whose orbits are taken: `u` (checked: one finite
/// reward per state of a model with `d` states), if given, then `parameters`
/// random ones (seeded; default 5 without `u`, 0 with it; at least one orbit
/// in all).
pub(super) fn reward_parameters(
    d: usize,
    u: Option<&[f64]>,
    parameters: Option<usize>,
    seed: u64,
) -> Result<Vec<Vec<f64>>> {
    if let Some(u) = u {
        if u.len() != d {
            return Err(Error::invalid(format!(
                "u has {} entries; the model has {d} states (one reward per state)",
                u.len()
            )));
        }
        if let Some((i, x)) = u.iter().enumerate().find(|(_, x)| !x.is_finite()) {
            return Err(Error::invalid(format!("u[{i}] = {x} is not a finite number")));
        }
    }
    let random = parameters.unwrap_or(if u.is_some() { 0 } else { 5 });
    let random = if u.is_none() { random.max(1) } else { random };
    check_parameters(d, random + 1)?;
    let mut us: Vec<Vec<f64>> = u.iter().map(|u| u.to_vec()).collect();
    us.extend(random_parameters(d, random, seed));
    Ok(us)
}

/// The options shared by first-move comparisons ([`mdp_tendency`], [`pomdp_tendency`]).
struct FirstMoveOptions<'a> {
    decision: Option<&'a str>,
    u: Option<&'a [f64]>,
    parameters: Option<usize>,
    n: Option<u64>,
    samples: Option<u64>,
    seed: u64,
}

/// Per decision-maker, the worst orbit of how often its outcome starts with
/// action `b` rather than `a`, over `u`'s orbit and random ones (dimension
/// `d`, one reward per state). Returns the comparison as reported.
fn first_move_tendency(
    outcomes: &Outcomes,
    first: &[usize],
    (a, b): (usize, usize),
    d: usize,
    r: &FirstMoveOptions,
    progress: &dyn Progress,
) -> Result<FirstMoveTendency> {
    let set_a: Vec<usize> = (0..first.len()).filter(|&k| first[k] == a).collect();
    let set_b: Vec<usize> = (0..first.len()).filter(|&k| first[k] == b).collect();
    let sampling = sampling(r.samples, r.seed)?;
    if sampling.is_none() {
        check_enumerable(d)?;
    }
    let us = reward_parameters(d, r.u, r.parameters, r.seed)?;
    let n = r.n.unwrap_or(1);
    let (builtins, _) = decision_makers(r.decision, None, &outcomes.utilities(&us[0]))?;
    let cmp = Comparison {
        outcomes,
        a: &set_a,
        b: &set_b,
    };
    progress.set_total(builtins.len() as u64);
    let rows = crate::progress::watch(progress, |progress| -> Result<Vec<OrbitRow>> {
        let mut rows = Vec::with_capacity(builtins.len());
        for dm in &builtins {
            cancelled(progress)?;
            let worst = worst_orbit_with(dm, cmp, &us, sampling, &CancelOnly(progress))?;
            rows.push(OrbitRow::new(dm.name(), worst, n, None));
            progress.advance(1);
        }
        Ok(rows)
    })?;
    Ok(FirstMoveTendency {
        outcomes_a: set_a.len(),
        outcomes_b: set_b.len(),
        parameters: us.len(),
        u: r.u.map(|u| u.to_vec()),
        n,
        samples: r.samples,
        seed: r.seed,
        worst_orbit: rows,
    })
}

/// The worst orbit, over random reward functions, of how often each
/// decision-maker's visit distribution starts with `b` rather than `a`.
pub fn mdp_tendency(mdp: &Mdp, request: &MdpTendencyRequest, progress: &dyn Progress) -> Result<MdpTendencyReport> {
    let r = request;
    let moves = FirstMoves::resolve(mdp, r.state.as_deref(), &r.a, &r.b)?;
    let gamma = default_gamma(mdp, r.gamma);
    let (outcomes, first) = mdp_outcomes(mdp, moves.state, gamma, MAX_VISIT_DISTRIBUTIONS)?;
    let options = FirstMoveOptions {
        decision: r.decision.as_deref(),
        u: r.u.as_deref(),
        parameters: r.parameters,
        n: r.n,
        samples: r.samples,
        seed: r.seed,
    };
    let tendency = first_move_tendency(
        &outcomes,
        &first,
        (moves.a, moves.b),
        mdp.n_states(),
        &options,
        progress,
    )?;
    Ok(MdpTendencyReport {
        state: mdp.state_name(moves.state).to_string(),
        a: r.a.clone(),
        b: r.b.clone(),
        gamma,
        tendency,
    })
}

/// Most observation-based policy trees built at one depth by [`pomdp_tendency`].
pub const MAX_POLICY_TREES: usize = 200_000;

/// Most memoryless policies `observation → action` enumerated by [`pomdp_tendency`].
pub const MAX_MEMORYLESS_POLICIES: usize = 100_000;

/// The observation-based policies whose outcomes [`pomdp_tendency`] compares
/// (docs/theory.md §12.5).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PolicyClass {
    /// Every policy tree of `horizon` steps
    /// ([`crate::mdp::pomdp::policies::pomdp_outcomes`]).
    #[default]
    Trees,
    /// Every first action followed by a deterministic memoryless policy
    /// `observation → action`, discounted over the infinite horizon
    /// ([`crate::mdp::pomdp::policies::pomdp_memoryless_outcomes`]); the
    /// horizon is not used.
    Memoryless,
}

impl std::str::FromStr for PolicyClass {
    type Err = Error;
    /// `trees` or `memoryless`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim() {
            "trees" => Ok(PolicyClass::Trees),
            "memoryless" => Ok(PolicyClass::Memoryless),
            other => Err(Error::invalid(format!(
                "unknown policy class '{other}' (expected trees or memoryless)"
            ))),
        }
    }
}

/// First moves at a belief of a POMDP (`retarget pomdp`): outcomes are the
/// discounted state occupancies of every observation-based policy tree of a
/// finite horizon, or of every memoryless observation-based policy
/// (docs/theory.md §12.5).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PomdpTendencyRequest {
    /// First action of set A, by name.
    pub a: String,
    /// First action of set B, by name; must differ from `a`.
    pub b: String,
    /// Steps of the policy trees (default [`DEFAULT_TREE_HORIZON`]); an error
    /// with memoryless policies, which have none.
    pub horizon: Option<usize>,
    /// Policy trees of `horizon` steps (default) or memoryless policies.
    pub policies: PolicyClass,
    /// Per-step discount in `(0, 1]`, `(0, 1)` for memoryless policies
    /// (default: the file's, else 0.9).
    pub gamma: Option<f64>,
    /// The belief (default: the file's start belief).
    pub belief: Option<Vec<f64>>,
    /// Comma-separated decision-maker names (as [`MdpTendencyRequest::decision`]).
    pub decision: Option<String>,
    /// A reward function over the states whose orbit is taken first.
    pub u: Option<Vec<f64>>,
    /// Random reward parameters whose orbits are taken besides `u`'s (default: 5 without `u`, 0 with it).
    pub parameters: Option<usize>,
    /// Check `b ≥_most^n a` for this `n` (default 1).
    pub n: Option<u64>,
    /// Sample this many permutations per orbit instead of enumerating it.
    pub samples: Option<u64>,
    /// Seed of the random reward parameters and sampled permutations.
    pub seed: u64,
}

/// Steps of the policy trees when a request names none.
pub const DEFAULT_TREE_HORIZON: usize = 2;

impl Default for PomdpTendencyRequest {
    fn default() -> Self {
        PomdpTendencyRequest {
            a: String::new(),
            b: String::new(),
            horizon: None,
            policies: PolicyClass::Trees,
            gamma: None,
            belief: None,
            decision: None,
            u: None,
            parameters: None,
            n: None,
            samples: None,
            seed: 0,
        }
    }
}

/// The result of [`pomdp_tendency`].
#[derive(Clone, Debug, Serialize)]
pub struct PomdpTendencyReport {
    /// The belief compared at.
    pub belief: Vec<f64>,
    /// A's first action, by name.
    pub a: String,
    /// B's first action, by name.
    pub b: String,
    /// The policies compared.
    pub policies: PolicyClass,
    /// Steps of the policy trees (null for memoryless policies).
    pub horizon: Option<usize>,
    /// The per-step discount.
    pub gamma: f64,
    /// The comparison itself (its fields appear at this level in JSON).
    #[serde(flatten)]
    pub tendency: FirstMoveTendency,
}

/// The worst orbit, over random reward functions, of how often each
/// decision-maker's policy (tree, or memoryless) starts with `b` rather than `a`.
pub fn pomdp_tendency(
    m: &crate::mdp::pomdp::Pomdp,
    request: &PomdpTendencyRequest,
    progress: &dyn Progress,
) -> Result<PomdpTendencyReport> {
    let r = request;
    let m = match &r.belief {
        Some(b) => &m.clone().with_start_belief(b.clone())?,
        None => m,
    };
    let label = |name: &str| {
        m.action_names()
            .iter()
            .position(|x| x == name)
            .ok_or_else(|| Error::invalid(format!("unknown action '{name}'")))
    };
    let (a, b) = (label(&r.a)?, label(&r.b)?);
    if a == b {
        return Err(Error::invalid(format!(
            "first moves A and B are the same action '{}': compare two different actions",
            r.a
        )));
    }
    let gamma = default_gamma(m.mdp(), r.gamma);
    let horizon = match (r.policies, r.horizon) {
        (PolicyClass::Trees, h) => Some(h.unwrap_or(DEFAULT_TREE_HORIZON)),
        (PolicyClass::Memoryless, None) => None,
        (PolicyClass::Memoryless, Some(_)) => {
            return Err(Error::invalid(
                "horizon: memoryless policies have no horizon (they are discounted over the infinite horizon)",
            ))
        }
    };
    let (vectors, first) = match horizon {
        Some(h) => crate::mdp::pomdp::policies::pomdp_outcomes(m, h, gamma, MAX_POLICY_TREES)?,
        None => crate::mdp::pomdp::policies::pomdp_memoryless_outcomes(m, gamma, MAX_MEMORYLESS_POLICIES)?,
    };
    let options = FirstMoveOptions {
        decision: r.decision.as_deref(),
        u: r.u.as_deref(),
        parameters: r.parameters,
        n: r.n,
        samples: r.samples,
        seed: r.seed,
    };
    let outcomes = Outcomes { vectors };
    let tendency = first_move_tendency(&outcomes, &first, (a, b), m.n_states(), &options, progress)?;
    Ok(PomdpTendencyReport {
        belief: m.start_belief().to_vec(),
        a: r.a.clone(),
        b: r.b.clone(),
        policies: r.policies,
        horizon,
        gamma,
        tendency,
    })
}

/// Learned first moves (`retarget learned`): Q-learners trained on reward
/// functions drawn from the orbit of one random reward.
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LearnedRequest {
    /// The state's name (default: the MDP's start state).
    pub state: Option<String>,
    /// Tabular or linear Q-learning (default: tabular).
    pub learner: Learner,
    /// Successor-feature dimension of the linear learner (default: one per
    /// state, the successor distribution itself; see [`QLearning::features`]).
    pub features: Option<usize>,
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
            learner: training.learner,
            features: training.features,
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
            learner: r.learner,
            features: r.features,
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

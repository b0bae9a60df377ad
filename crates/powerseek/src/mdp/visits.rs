//! Visit distributions, their non-dominated subset, recurrent state
//! distributions and exact POWER for small MDPs (docs/theory.md §2.7).
//!
//! For a state `s` and a rational discount `γ ∈ (0, 1)`, [`visit_distributions`]
//! enumerates `F(s)`, the discounted visit distributions
//! `f^π = Σ_t γ^t P_π(s_t = ·)` of the deterministic stationary policies, in
//! exact rationals: policies are enumerated only on the states they reach
//! (two policies that agree there have the same `f`), each `f^π` solves
//! `(I − γ P_π)ᵀ f = e_s` exactly, and equal vectors are merged, keeping the
//! first actions that lead to them. Transition probabilities are read as the
//! shortest decimals of the stored floats and each row is renormalised
//! exactly. In deterministic MDPs each `f` also has its recurrent state
//! distribution `lim_{γ→1} (1 − γ) f`: uniform on the cycle the trajectory
//! ends in.
//!
//! `ND(F(s))` keeps the `f` that are the unique optimum for some reward
//! function (an exact LP per element, [`polytope::strictly_optimal`]). For
//! iid uniform rewards the probability that `f` is optimal is the volume of
//! its region of the reward cube, and POWER is
//! `(1 − γ)/γ · Σ_{f ∈ ND} ∫_{region of f} (f − e_s)·r dr`, both exact
//! ([`polytope::regions`]); for finite-support rewards every reward
//! function is enumerated. [`exact_power`] does this for every state, within
//! the stated limits ([`MAX_EXACT_DISTRIBUTIONS`], [`polytope::MAX_REGION_VERTICES`],
//! [`MAX_EXACT_WORK`]).

use std::collections::HashMap;

use num_traits::{One, Signed, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::exact::{format_rational, parse_rational, Rational};
use crate::mdp::polytope;
use crate::mdp::reward::{Marginal, RewardDistribution};
use crate::mdp::solve::default_gamma;
use crate::mdp::Mdp;
use crate::progress::Progress;

/// At most this many visit distributions are enumerated exactly from one state.
pub const MAX_EXACT_DISTRIBUTIONS: usize = 20_000;

/// For finite-support rewards, at most this many steps (reward functions
/// times visit distributions) per state. (Uniform rewards are bounded by
/// [`polytope::MAX_REGION_VERTICES`].)
pub const MAX_EXACT_WORK: f64 = 2e6;

/// The exact discount of a request: `gamma` as written (a decimal or `p/q`),
/// else the file's discount (as its shortest decimal), else 9/10; in `(0, 1)`.
pub fn exact_gamma(mdp: &Mdp, gamma: Option<&str>) -> Result<Rational> {
    let g = match gamma {
        Some(text) => parse_rational(text).map_err(|e| Error::invalid(format!("gamma: {e}")))?,
        None => parse_rational(&default_gamma(mdp, None).to_string())?,
    };
    if !(g.is_positive() && g < Rational::one()) {
        return Err(Error::invalid(format!(
            "gamma = {} is outside (0, 1): exact visit distributions need a discount strictly between 0 and 1",
            format_rational(&g)
        )));
    }
    Ok(g)
}

/// A float as the rational of its shortest decimal (`0.1` is `1/10`).
pub fn decimal(x: f64) -> Result<Rational> {
    parse_rational(&x.to_string())
}

/// The transition rows of an MDP in exact rationals (each row renormalised to sum to 1).
fn exact_rows(mdp: &Mdp) -> Result<Vec<Vec<(usize, Rational)>>> {
    (0..mdp.n_state_actions())
        .map(|a| {
            let (succ, prob) = mdp.successors(a);
            let mut row = Vec::with_capacity(succ.len());
            for (&t, &p) in succ.iter().zip(prob) {
                row.push((t as usize, decimal(p)?));
            }
            let total: Rational = row.iter().map(|(_, p)| p.clone()).sum();
            for (_, p) in &mut row {
                *p = &*p / &total;
            }
            Ok(row)
        })
        .collect()
}

/// `F(s)` with the first actions of each element.
#[derive(Clone, Debug)]
pub struct VisitSet {
    /// The state the distributions start from.
    pub state: usize,
    /// The discount.
    pub gamma: Rational,
    /// `vectors[k][s']`: expected discounted visits to `s'` (one entry per state of the MDP).
    pub vectors: Vec<Vec<Rational>>,
    /// `first[k]`: the action labels (indices into [`Mdp::action_names`]) at
    /// `state` whose policies give `vectors[k]`, in increasing order.
    pub first: Vec<Vec<usize>>,
    /// In deterministic MDPs, `lim_{γ→1} (1 − γ) vectors[k]` (uniform on the final cycle).
    pub recurrent: Option<Vec<Vec<Rational>>>,
}

impl VisitSet {
    /// The states some policy reaches from `state` (where any `f` is non-zero), in increasing order.
    pub fn reachable(&self) -> Vec<usize> {
        let n = self.vectors.first().map_or(0, Vec::len);
        (0..n)
            .filter(|&s| self.vectors.iter().any(|f| !f[s].is_zero()))
            .collect()
    }
}

/// Enumerate `F(state)` exactly at discount `gamma` (see the module doc);
/// more than `limit` distinct distributions is an error.
pub fn visit_distributions(
    mdp: &Mdp,
    state: usize,
    gamma: &Rational,
    limit: usize,
    progress: &dyn Progress,
) -> Result<VisitSet> {
    if state >= mdp.n_states() {
        return Err(Error::invalid(format!("state {state} is out of range")));
    }
    let rows = exact_rows(mdp)?;
    let mut e = Enumeration {
        mdp,
        rows: &rows,
        gamma,
        limit,
        progress,
        choice: vec![None; mdp.n_states()],
        reached: vec![state],
        index: HashMap::new(),
        root_labels: vec![],
        set: VisitSet {
            state,
            gamma: gamma.clone(),
            vectors: vec![],
            first: vec![],
            recurrent: mdp.is_deterministic().then(Vec::new),
        },
    };
    e.extend(0)?;
    Ok(e.set)
}

struct Enumeration<'a> {
    mdp: &'a Mdp,
    rows: &'a [Vec<(usize, Rational)>],
    gamma: &'a Rational,
    limit: usize,
    progress: &'a dyn Progress,
    /// The global action chosen at each reached state (so far).
    choice: Vec<Option<usize>>,
    /// States reached by the partial policy, in the order reached.
    reached: Vec<usize>,
    index: HashMap<Vec<Rational>, usize>,
    /// The labels of the start state's current action group.
    root_labels: Vec<usize>,
    set: VisitSet,
}

impl Enumeration<'_> {
    /// Choose actions for the reached states from `reached[next]` on.
    fn extend(&mut self, next: usize) -> Result<()> {
        let Some(&s) = self.reached.get(next) else {
            return self.record();
        };
        // Actions with the same successor row give the same futures: try one
        // per row (at the start state, all of them label the result).
        let mut groups: Vec<(usize, Vec<usize>)> = Vec::new();
        for a in self.mdp.actions(s) {
            match groups.iter_mut().find(|(b, _)| self.rows[*b] == self.rows[a]) {
                Some((_, labels)) => labels.push(self.mdp.action_label(a)),
                None => groups.push((a, vec![self.mdp.action_label(a)])),
            }
        }
        for (a, labels) in groups {
            if next == 0 {
                crate::progress::check(self.progress)?;
            }
            self.choice[s] = Some(a);
            let before = self.reached.len();
            for (t, _) in &self.rows[a] {
                if !self.reached.contains(t) {
                    self.reached.push(*t);
                }
            }
            if next == 0 {
                self.root_labels = labels;
            }
            self.extend(next + 1)?;
            self.reached.truncate(before);
            self.choice[s] = None;
        }
        Ok(())
    }

    fn record(&mut self) -> Result<()> {
        let m = self.reached.len();
        let pos: HashMap<usize, usize> = self.reached.iter().enumerate().map(|(i, &s)| (s, i)).collect();
        // (I − γ Pᵀ) f = e_start over the reached states.
        let mut a = vec![vec![Rational::zero(); m]; m];
        for (i, &s) in self.reached.iter().enumerate() {
            a[i][i] += Rational::one();
            let act = self.choice[s].expect("every reached state has an action");
            for (t, p) in &self.rows[act] {
                a[pos[t]][i] -= self.gamma * p;
            }
        }
        let mut b = vec![Rational::zero(); m];
        b[0] = Rational::one();
        let f_local = polytope::solve(a, b).expect("I − γP is invertible for γ < 1");
        let mut f = vec![Rational::zero(); self.mdp.n_states()];
        for (i, &s) in self.reached.iter().enumerate() {
            f[s] = f_local[i].clone();
        }
        let labels = self.root_labels.clone();
        if let Some(&k) = self.index.get(&f) {
            let first = &mut self.set.first[k];
            first.extend(labels);
            first.sort_unstable();
            first.dedup();
            return Ok(());
        }
        if self.set.vectors.len() >= self.limit {
            return Err(Error::invalid(format!(
                "more than the limit of {} visit distributions from state '{}'; exact enumeration is for small MDPs",
                self.limit,
                self.mdp.state_name(self.set.state)
            )));
        }
        if self.mdp.is_deterministic() {
            let d = self.cycle_distribution();
            if let Some(rec) = self.set.recurrent.as_mut() {
                rec.push(d);
            }
        }
        self.index.insert(f.clone(), self.set.vectors.len());
        self.set.vectors.push(f);
        let mut labels = labels;
        labels.sort_unstable();
        self.set.first.push(labels);
        Ok(())
    }

    /// Deterministic MDPs: uniform on the cycle the policy's trajectory ends in.
    fn cycle_distribution(&self) -> Vec<Rational> {
        let mut path = vec![self.set.state];
        loop {
            let s = *path.last().expect("non-empty");
            let act = self.choice[s].expect("reached");
            let t = self.rows[act][0].0;
            if let Some(at) = path.iter().position(|&x| x == t) {
                let len = path.len() - at;
                let mut d = vec![Rational::zero(); self.mdp.n_states()];
                for &x in &path[at..] {
                    d[x] = Rational::new(1.into(), (len as u64).into());
                }
                return d;
            }
            path.push(t);
        }
    }
}

/// The coordinates `coords` of each vector.
fn project(vectors: &[Vec<Rational>], coords: &[usize]) -> Vec<Vec<Rational>> {
    vectors
        .iter()
        .map(|f| coords.iter().map(|&c| f[c].clone()).collect())
        .collect()
}

/// `ND(F)`: for each vector, whether it is the unique optimum for some reward
/// function (exact LP; see [`polytope::strictly_optimal`]). The vectors must
/// have equal coordinate sums (visit distributions at one discount do).
pub fn non_dominated(vectors: &[Vec<Rational>]) -> Vec<bool> {
    let n = vectors.first().map_or(0, Vec::len);
    let coords: Vec<usize> = (0..n)
        .filter(|&c| vectors.iter().any(|f| f[c] != vectors[0][c]))
        .collect();
    let w = project(vectors, &coords);
    (0..w.len()).map(|i| polytope::strictly_optimal(&w, i)).collect()
}

/// The reward distributions with exact POWER: iid uniform on `[lo, hi]`, or
/// iid with finite support (Bernoulli included), parameters read as their
/// shortest decimals.
#[derive(Clone, Debug, PartialEq)]
pub enum ExactDistribution {
    /// Each state's reward uniform on `[lo, hi]`.
    Uniform {
        /// Lower end.
        lo: Rational,
        /// Upper end, above `lo`.
        hi: Rational,
    },
    /// Each state's reward is `values[i]` with probability `probs[i]` (renormalised to sum to 1).
    Finite {
        /// The possible rewards.
        values: Vec<Rational>,
        /// Their probabilities, positive.
        probs: Vec<Rational>,
    },
}

impl ExactDistribution {
    /// The exact form of `dist`, or an error naming what exact POWER supports.
    pub fn of(dist: &RewardDistribution) -> Result<Self> {
        let unsupported = || {
            Error::invalid(
                "exact POWER supports iid rewards that are uniform or have a finite support \
                 (uniform, uniform:lo,hi, bernoulli:p, finite:…); use Monte Carlo for the others",
            )
        };
        let RewardDistribution::Iid(m) = dist else {
            return Err(unsupported());
        };
        Ok(match m {
            Marginal::Uniform { lo, hi } => ExactDistribution::Uniform {
                lo: decimal(*lo)?,
                hi: decimal(*hi)?,
            },
            Marginal::Bernoulli { p } => {
                let p = decimal(*p)?;
                let pairs = [(Rational::zero(), Rational::one() - &p), (Rational::one(), p)];
                let (values, probs) = pairs.into_iter().filter(|(_, q)| q.is_positive()).unzip();
                ExactDistribution::Finite { values, probs }
            }
            Marginal::Finite { values, probs } => {
                let mut vs = Vec::new();
                let mut ps = Vec::new();
                for (v, p) in values.iter().zip(probs) {
                    let p = decimal(*p)?;
                    if p.is_positive() {
                        vs.push(decimal(*v)?);
                        ps.push(p);
                    }
                }
                let total: Rational = ps.iter().cloned().sum();
                ExactDistribution::Finite {
                    values: vs,
                    probs: ps.into_iter().map(|p| p / &total).collect(),
                }
            }
            _ => return Err(unsupported()),
        })
    }
}

/// Exact optimality probabilities and POWER at one state.
#[derive(Clone, Debug)]
pub struct StateAnalysis {
    /// Per visit distribution: `P(f is optimal)` (ties count as optimal for each tied `f`).
    pub optimal: Vec<Rational>,
    /// Per requested set of visit distributions: `P(some member is optimal)`.
    pub sets: Vec<Rational>,
    /// Per action label available at the state: `P(the action is optimal)`, ties counted for each.
    pub action_optimal: HashMap<usize, Rational>,
    /// Per action label: the optimality probability with ties split evenly among the tied actions.
    pub action_share: HashMap<usize, Rational>,
    /// `POWER(s, γ)`, exactly.
    pub power: Rational,
}

/// Exact optimality probabilities (of each distribution, of each set in
/// `sets`, of each first action) and POWER at `set.state`, given `nd`
/// ([`non_dominated`] of `set.vectors`).
pub fn analyse(set: &VisitSet, nd: &[bool], dist: &ExactDistribution, sets: &[Vec<usize>]) -> Result<StateAnalysis> {
    let coords = set.reachable();
    let k = set.vectors.len();
    if let Some(bad) = sets.iter().flatten().find(|&&i| i >= k) {
        return Err(Error::invalid(format!(
            "visit distribution {bad} is out of range ({k} distributions, indexed from 0)"
        )));
    }
    let s = set.state;
    let gamma = &set.gamma;
    let scale = (Rational::one() - gamma) / gamma;
    // (f − e_s) restricted to the reachable states.
    let future: Vec<Vec<Rational>> = set
        .vectors
        .iter()
        .map(|f| {
            coords
                .iter()
                .map(|&c| if c == s { &f[c] - Rational::one() } else { f[c].clone() })
                .collect()
        })
        .collect();
    let mut out = StateAnalysis {
        optimal: vec![Rational::zero(); k],
        sets: vec![Rational::zero(); sets.len()],
        action_optimal: HashMap::new(),
        action_share: HashMap::new(),
        power: Rational::zero(),
    };
    for labels in &set.first {
        for &l in labels {
            out.action_optimal.insert(l, Rational::zero());
            out.action_share.insert(l, Rational::zero());
        }
    }
    match dist {
        ExactDistribution::Uniform { lo, hi } => {
            let members: Vec<usize> = (0..k).filter(|&i| nd[i]).collect();
            // Coordinates on which all members agree do not shape the regions:
            // each region is a product with [0, 1] there (first moment vol/2).
            let varying: Vec<usize> = (0..coords.len())
                .filter(|&c| members.iter().any(|&i| future[i][c] != future[members[0]][c]))
                .collect();
            let w: Vec<Vec<Rational>> = members
                .iter()
                .map(|&i| varying.iter().map(|&c| future[i][c].clone()).collect())
                .collect();
            let regions = polytope::regions(&w)?;
            let half = Rational::new(1.into(), 2.into());
            let mut power01 = Rational::zero();
            for (reg, &i) in regions.iter().zip(&members) {
                out.optimal[i] = reg.volume.clone();
                for c in 0..coords.len() {
                    let m = match varying.iter().position(|&v| v == c) {
                        Some(p) => reg.moment[p].clone(),
                        None => &reg.volume * &half,
                    };
                    power01 += &future[i][c] * m;
                }
                let labels = &set.first[i];
                let share = &reg.volume / Rational::from_integer((labels.len() as u64).into());
                for l in labels {
                    *out.action_optimal.get_mut(l).expect("inserted") += &reg.volume;
                    *out.action_share.get_mut(l).expect("inserted") += &share;
                }
            }
            for (j, members) in sets.iter().enumerate() {
                out.sets[j] = members.iter().map(|&i| out.optimal[i].clone()).sum();
            }
            // Rewards lo + (hi − lo)·u: each (f − e_s) has total mass γ/(1 − γ).
            out.power = lo + (hi - lo) * scale * power01;
        }
        ExactDistribution::Finite { values, probs } => {
            let n = coords.len();
            let work = (values.len() as f64).powi(n as i32) * k.max(1) as f64;
            if work > MAX_EXACT_WORK {
                return Err(Error::invalid(format!(
                    "exact POWER over {} reward values on {n} reachable states and {k} visit distributions \
                     needs about {work:.3e} steps, more than the limit of {MAX_EXACT_WORK:.1e}; use Monte Carlo",
                    values.len()
                )));
            }
            let mut digits = vec![0usize; n];
            loop {
                let r: Vec<&Rational> = digits.iter().map(|&d| &values[d]).collect();
                let p: Rational = digits.iter().map(|&d| probs[d].clone()).product();
                let v: Vec<Rational> = future
                    .iter()
                    .map(|f| f.iter().zip(&r).map(|(x, y)| x * *y).sum())
                    .collect();
                let best = v.iter().max().cloned().unwrap_or_else(Rational::zero);
                let tied: Vec<usize> = (0..k).filter(|&i| v[i] == best).collect();
                out.power += &p * &best;
                for &i in &tied {
                    out.optimal[i] += &p;
                }
                for (j, members) in sets.iter().enumerate() {
                    if members.iter().any(|i| tied.contains(i)) {
                        out.sets[j] += &p;
                    }
                }
                let mut labels: Vec<usize> = tied.iter().flat_map(|&i| set.first[i].iter().copied()).collect();
                labels.sort_unstable();
                labels.dedup();
                let share = &p / Rational::from_integer((labels.len() as u64).into());
                for l in &labels {
                    *out.action_optimal.get_mut(l).expect("inserted") += &p;
                    *out.action_share.get_mut(l).expect("inserted") += &share;
                }
                // Next reward function (odometer).
                let Some(pos) = digits.iter().position(|&d| d + 1 < values.len()) else {
                    break;
                };
                digits[pos] += 1;
                for d in &mut digits[..pos] {
                    *d = 0;
                }
            }
            out.power *= scale;
        }
    }
    Ok(out)
}

/// `exact_power`'s request (`powerseek power --exact`, Python `power(..., exact=True)`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExactPowerRequest {
    /// The discount, exactly (`"0.9"`, `"9/10"`; default: the file's discount, else 9/10).
    pub gamma: Option<String>,
    /// Reward distribution spec (default `uniform`); see [`ExactDistribution`].
    pub dist: String,
}

impl Default for ExactPowerRequest {
    fn default() -> Self {
        ExactPowerRequest {
            gamma: None,
            dist: "uniform".into(),
        }
    }
}

/// One action of an [`ExactStateRow`].
#[derive(Clone, Debug, Serialize)]
pub struct ExactActionRow {
    /// The action's name.
    pub name: String,
    /// `P(the action is optimal)`, exactly; ties count for each tied action.
    #[serde(serialize_with = "crate::exact::ser")]
    pub optimal: Rational,
    /// The optimality probability with ties split evenly (these sum to 1 at a state).
    #[serde(serialize_with = "crate::exact::ser")]
    pub optimal_share: Rational,
    /// `E_{s' ~ T(s, a)} POWER(s')`, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub successor_power: Rational,
}

/// One state of an [`ExactPowerReport`].
#[derive(Clone, Debug, Serialize)]
pub struct ExactStateRow {
    /// The state's name.
    pub name: String,
    /// `POWER(s, γ)`, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub power: Rational,
    /// `POWER(s, γ)` rounded to the nearest float, for tables and plots.
    pub power_float: f64,
    /// `|F(s)|`.
    pub visit_distributions: usize,
    /// `|ND(F(s))|`.
    pub non_dominated: usize,
    /// The state's actions, in the MDP's order.
    pub actions: Vec<ExactActionRow>,
}

/// The result of [`exact_power`]: every number is exact.
#[derive(Clone, Debug, Serialize)]
pub struct ExactPowerReport {
    /// The discount.
    #[serde(serialize_with = "crate::exact::ser")]
    pub gamma: Rational,
    /// The reward distribution, as given.
    pub distribution: String,
    /// `"exact"`: no sampling, no tolerance.
    pub method: &'static str,
    /// Every state, in the MDP's order.
    pub states: Vec<ExactStateRow>,
}

/// POWER and optimality probabilities of every state exactly (see the module
/// doc), for small MDPs: at most [`MAX_EXACT_DISTRIBUTIONS`] visit
/// distributions per state, [`polytope::MAX_REGION_VERTICES`] vertices per
/// region (uniform rewards) and [`MAX_EXACT_WORK`] steps (finite supports).
pub fn exact_power(mdp: &Mdp, request: &ExactPowerRequest, progress: &dyn Progress) -> Result<ExactPowerReport> {
    let gamma = exact_gamma(mdp, request.gamma.as_deref())?;
    let dist = ExactDistribution::of(&RewardDistribution::parse_for(&request.dist, mdp)?)?;
    let n = mdp.n_states();
    progress.set_total(n as u64);
    let mut analyses = Vec::with_capacity(n);
    let mut sizes = Vec::with_capacity(n);
    for s in 0..n {
        crate::progress::check(progress)?;
        let set = visit_distributions(mdp, s, &gamma, MAX_EXACT_DISTRIBUTIONS, progress)?;
        let nd = non_dominated(&set.vectors);
        let a = analyse(&set, &nd, &dist, &[])
            .map_err(|e| Error::invalid(format!("state '{}': {e}", mdp.state_name(s))))?;
        sizes.push((set.vectors.len(), nd.iter().filter(|&&x| x).count()));
        analyses.push(a);
        progress.advance(1);
    }
    let rows = exact_rows(mdp)?;
    let states = (0..n)
        .map(|s| ExactStateRow {
            name: mdp.state_name(s).to_string(),
            power: analyses[s].power.clone(),
            power_float: analyses[s].power.to_f64().unwrap_or(f64::NAN),
            visit_distributions: sizes[s].0,
            non_dominated: sizes[s].1,
            actions: mdp
                .actions(s)
                .map(|a| {
                    let l = mdp.action_label(a);
                    ExactActionRow {
                        name: mdp.action_name(a).to_string(),
                        optimal: analyses[s]
                            .action_optimal
                            .get(&l)
                            .cloned()
                            .unwrap_or_else(Rational::zero),
                        optimal_share: analyses[s].action_share.get(&l).cloned().unwrap_or_else(Rational::zero),
                        successor_power: rows[a].iter().map(|(t, p)| p * &analyses[*t].power).sum(),
                    }
                })
                .collect(),
        })
        .collect();
    Ok(ExactPowerReport {
        gamma,
        distribution: request.dist.clone(),
        method: "exact",
        states,
    })
}

/// A request for the visit distributions at one state (`powerseek visits`,
/// Python `visit_distributions`).
#[derive(Clone, Debug, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct VisitRequest {
    /// The state's name (default: the MDP's start state).
    pub state: Option<String>,
    /// The discount, exactly (`"0.9"`, `"9/10"`; default: the file's, else 9/10).
    pub gamma: Option<String>,
    /// Reward distribution of the optimality probabilities and POWER (default
    /// `uniform`); see [`ExactDistribution`].
    pub dist: String,
    /// Compute optimality probabilities, POWER and the orderings (default
    /// true); without them only `F(s)`, `ND(F(s))` and the recurrent
    /// distributions are computed, which is much cheaper.
    pub probabilities: bool,
    /// Sets of visit distributions (indices from 0) whose optimality probability to report.
    pub sets: Vec<Vec<usize>>,
}

impl Default for VisitRequest {
    fn default() -> Self {
        VisitRequest {
            state: None,
            gamma: None,
            dist: "uniform".into(),
            probabilities: true,
            sets: vec![],
        }
    }
}

/// One visit distribution of a [`VisitReport`].
#[derive(Clone, Debug, Serialize)]
pub struct VisitRow {
    /// The first actions whose policies have this visit distribution.
    pub first_actions: Vec<String>,
    /// Expected discounted visits to every state (in the MDP's order), exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub visits: Vec<Rational>,
    /// Whether it is in `ND(F(s))`.
    pub non_dominated: bool,
    /// `P(optimal)` under the request's distribution (ties count for each).
    #[serde(serialize_with = "crate::exact::ser")]
    pub optimal: Option<Rational>,
    /// Deterministic MDPs: `lim_{γ→1} (1 − γ) f`, uniform on the final cycle.
    #[serde(serialize_with = "crate::exact::ser")]
    pub recurrent: Option<Vec<Rational>>,
}

/// One distinct recurrent state distribution of a [`VisitReport`].
#[derive(Clone, Debug, Serialize)]
pub struct RecurrentRow {
    /// The distribution over states, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub distribution: Vec<Rational>,
    /// Whether it is non-dominated among the recurrent distributions (exact LP).
    pub non_dominated: bool,
    /// The visit distributions (indices) that tend to it.
    pub from: Vec<usize>,
}

/// One first action of a [`VisitReport`].
#[derive(Clone, Debug, Serialize)]
pub struct FirstActionRow {
    /// The action's name.
    pub action: String,
    /// Visit distributions starting with it (`|F(s, a)|`).
    pub distributions: usize,
    /// Non-dominated ones among them.
    pub non_dominated: usize,
    /// `P(the action is optimal)`, ties counted for each tied action.
    #[serde(serialize_with = "crate::exact::ser")]
    pub optimal: Option<Rational>,
    /// The optimality probability with ties split evenly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub optimal_share: Option<Rational>,
    /// `E_{s' ~ T(s, a)} POWER(s')`, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub successor_power: Option<Rational>,
}

/// How two first actions compare (docs/theory.md §2.7): which is more
/// probably optimal, and which seeks POWER over the other; `"equal"` when
/// neither.
#[derive(Clone, Debug, Serialize)]
pub struct OrderingRow {
    /// First action `a`.
    pub a: String,
    /// First action `b`.
    pub b: String,
    /// The action with the larger optimality probability, or `"equal"`.
    pub more_probably_optimal: String,
    /// The action with the larger expected successor POWER, or `"equal"`.
    pub seeks_power: String,
}

/// The result of [`visits`]: every number exact.
#[derive(Clone, Debug, Serialize)]
pub struct VisitReport {
    /// The state, by name.
    pub state: String,
    /// The discount.
    #[serde(serialize_with = "crate::exact::ser")]
    pub gamma: Rational,
    /// The MDP's state names: the coordinates of every distribution.
    pub states: Vec<String>,
    /// The reward distribution of the probabilities (null without them).
    pub distribution: Option<String>,
    /// `POWER(s, γ)` under it.
    #[serde(serialize_with = "crate::exact::ser")]
    pub power: Option<Rational>,
    /// `F(s)`, each with its first actions.
    pub distributions: Vec<VisitRow>,
    /// The distinct recurrent state distributions (deterministic MDPs; else null).
    pub recurrent: Option<Vec<RecurrentRow>>,
    /// Per first action at the state, in the MDP's order.
    pub actions: Vec<FirstActionRow>,
    /// Every pair of first actions (empty without probabilities).
    pub orderings: Vec<OrderingRow>,
    /// The optimality probability of each requested set.
    #[serde(serialize_with = "crate::exact::ser")]
    pub sets: Vec<Rational>,
}

fn compare(x: &Rational, y: &Rational, a: &str, b: &str) -> String {
    match x.cmp(y) {
        std::cmp::Ordering::Greater => a.into(),
        std::cmp::Ordering::Less => b.into(),
        std::cmp::Ordering::Equal => "equal".into(),
    }
}

/// `F(s)`, `ND(F(s))`, the recurrent state distributions and (optionally)
/// exact optimality probabilities, POWER and the orderings of first actions.
pub fn visits(mdp: &Mdp, request: &VisitRequest, progress: &dyn Progress) -> Result<VisitReport> {
    let r = request;
    let s = match &r.state {
        Some(name) => mdp
            .state_index(name)
            .ok_or_else(|| Error::invalid(format!("no state named '{name}'")))?,
        None => mdp
            .start()
            .ok_or_else(|| Error::invalid("the MDP has no start state; name the state"))?,
    };
    let gamma = exact_gamma(mdp, r.gamma.as_deref())?;
    let dist = if r.probabilities {
        Some(ExactDistribution::of(&RewardDistribution::parse_for(&r.dist, mdp)?)?)
    } else {
        if !r.sets.is_empty() {
            return Err(Error::invalid(
                "sets: optimality probabilities of sets need probabilities",
            ));
        }
        None
    };
    let set = visit_distributions(mdp, s, &gamma, MAX_EXACT_DISTRIBUTIONS, progress)?;
    let nd = non_dominated(&set.vectors);
    let analysis = match &dist {
        Some(d) => Some(analyse(&set, &nd, d, &r.sets)?),
        None => None,
    };
    // POWER after each action: the successors' exact POWER.
    let rows = exact_rows(mdp)?;
    let mut successor_power: HashMap<usize, Rational> = HashMap::new();
    if let Some(d) = &dist {
        for a in mdp.actions(s) {
            for (t, _) in &rows[a] {
                if !successor_power.contains_key(t) {
                    crate::progress::check(progress)?;
                    let st = visit_distributions(mdp, *t, &gamma, MAX_EXACT_DISTRIBUTIONS, progress)?;
                    let nd_t = non_dominated(&st.vectors);
                    successor_power.insert(*t, analyse(&st, &nd_t, d, &[])?.power);
                }
            }
        }
    }
    let name = |l: usize| mdp.action_names()[l].clone();
    let distributions: Vec<VisitRow> = (0..set.vectors.len())
        .map(|k| VisitRow {
            first_actions: set.first[k].iter().map(|&l| name(l)).collect(),
            visits: set.vectors[k].clone(),
            non_dominated: nd[k],
            optimal: analysis.as_ref().map(|a| a.optimal[k].clone()),
            recurrent: set.recurrent.as_ref().map(|rec| rec[k].clone()),
        })
        .collect();
    let recurrent = set.recurrent.as_ref().map(|rec| {
        let mut distinct: Vec<(Vec<Rational>, Vec<usize>)> = Vec::new();
        for (k, d) in rec.iter().enumerate() {
            match distinct.iter_mut().find(|(x, _)| x == d) {
                Some((_, from)) => from.push(k),
                None => distinct.push((d.clone(), vec![k])),
            }
        }
        let vectors: Vec<Vec<Rational>> = distinct.iter().map(|(d, _)| d.clone()).collect();
        let nd = non_dominated(&vectors);
        distinct
            .into_iter()
            .zip(nd)
            .map(|((distribution, from), non_dominated)| RecurrentRow {
                distribution,
                non_dominated,
                from,
            })
            .collect()
    });
    let actions: Vec<FirstActionRow> = mdp
        .actions(s)
        .map(|a| {
            let l = mdp.action_label(a);
            let mine: Vec<usize> = (0..set.vectors.len()).filter(|&k| set.first[k].contains(&l)).collect();
            FirstActionRow {
                action: name(l),
                distributions: mine.len(),
                non_dominated: mine.iter().filter(|&&k| nd[k]).count(),
                optimal: analysis.as_ref().and_then(|x| x.action_optimal.get(&l).cloned()),
                optimal_share: analysis.as_ref().and_then(|x| x.action_share.get(&l).cloned()),
                successor_power: dist
                    .as_ref()
                    .map(|_| rows[a].iter().map(|(t, p)| p * &successor_power[t]).sum()),
            }
        })
        .collect();
    let mut orderings = Vec::new();
    if dist.is_some() {
        for i in 0..actions.len() {
            for j in i + 1..actions.len() {
                let (x, y) = (&actions[i], &actions[j]);
                let pick = |p: &Option<Rational>, q: &Option<Rational>| match (p, q) {
                    (Some(p), Some(q)) => compare(p, q, &x.action, &y.action),
                    _ => "equal".into(),
                };
                orderings.push(OrderingRow {
                    a: x.action.clone(),
                    b: y.action.clone(),
                    more_probably_optimal: pick(&x.optimal, &y.optimal),
                    seeks_power: pick(&x.successor_power, &y.successor_power),
                });
            }
        }
    }
    Ok(VisitReport {
        state: mdp.state_name(s).to_string(),
        gamma,
        states: mdp.state_names().to_vec(),
        distribution: dist.as_ref().map(|_| r.dist.clone()),
        power: analysis.as_ref().map(|a| a.power.clone()),
        distributions,
        recurrent,
        actions,
        orderings,
        sets: analysis.map(|a| a.sets).unwrap_or_default(),
    })
}

//! Reward profiles of stochastic games (docs/theory.md §11.2): every player's
//! reward function, drawn per sample from a joint distribution across players,
//! or one of finitely many type profiles with a prior.
//!
//! A reward is given per *site*: per state (`R_i(s')`, received on arriving
//! in `s'`, the convention of single-agent POWER) or per state and joint
//! action (`r_i(s, a)`). Solvers work with the expected stage reward of every
//! joint action, `r_i(s, a) = Σ_{s'} T(s'|s,a) R_i(s')` for state rewards
//! ([`stage_rewards`]).
//!
//! Random profiles have uniform marginals on `[lo, hi]` and are drawn site by
//! site; sample `k` comes from its own random stream of the seed, so results
//! do not depend on the thread count.

use num_traits::{FromPrimitive, Zero};
use rand::RngExt;
use serde::Serialize;

use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::Rational;

/// Where a reward is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Site {
    /// One reward per state, received on arriving there.
    State,
    /// One reward per state and joint action.
    JointAction,
}

impl Site {
    /// Number of sites of this kind in `game`.
    pub fn count(self, game: &StochasticGame) -> usize {
        match self {
            Site::State => game.n_states(),
            Site::JointAction => game.n_joint_actions(),
        }
    }
}

/// Mixed into the seed of [`Joint::Blend`]'s second stream (which sites are constant-sum).
const BLEND_STREAM: u64 = 0x9E37_79B9_7F4A_7C15;

/// How the players' rewards are drawn jointly, site by site (marginals
/// uniform on `[lo, hi]` unless said otherwise).
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Joint {
    /// Independent across players and sites.
    Iid,
    /// Two players, correlation `ρ ∈ [−1, 1]` by [`correlated_uniform_rewards`].
    Correlated(f64),
    /// Rewards summing to `c` at every site: two players `r_2 = c − r_1`
    /// (`r_1` uniform); `n ≥ 3` players `r_i = u_i + (c − Σ_j u_j)/n` with
    /// `u_j` iid uniform. `c = None` takes `n·(lo + hi)/2`.
    ConstantSum(Option<f64>),
    /// Every player has the same reward (common payoff).
    Common,
    /// From common payoff (`λ = 0`) to constant-sum (`λ = 1`): per site, a
    /// draw `K` of [`Joint::ConstantSum`]`(None)` (total `n·(lo + hi)/2`);
    /// with probability `λ` the site keeps it (constant-sum there), otherwise
    /// every player gets `K_0` (common payoff there). `λ = 1` is exactly
    /// `ConstantSum(None)` (same draws); with two players `λ = 0` is exactly
    /// [`Joint::Common`], marginals stay uniform, and the players' rewards
    /// correlate `1 − 2λ`. Which sites are constant-sum comes from a second
    /// stream of the same sample.
    Blend(f64),
}

/// A distribution of reward profiles: how players' rewards relate, on which
/// sites, and the interval of the marginals.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct RewardModel {
    /// The joint construction.
    pub joint: Joint,
    /// States or joint actions.
    pub site: Site,
    /// Lower end of the uniform marginals, finite.
    pub lo: f64,
    /// Upper end of the uniform marginals, finite and above `lo`.
    pub hi: f64,
}

impl Default for RewardModel {
    fn default() -> Self {
        RewardModel {
            joint: Joint::Iid,
            site: Site::State,
            lo: 0.0,
            hi: 1.0,
        }
    }
}

impl RewardModel {
    /// Check the model against a game with `n_players`; errors name the option.
    pub fn validate(&self, n_players: usize) -> Result<()> {
        if !(self.lo.is_finite() && self.hi.is_finite() && self.lo < self.hi) {
            return Err(Error::invalid(format!(
                "rewards: need finite lo < hi (got [{}, {}])",
                self.lo, self.hi
            )));
        }
        match self.joint {
            Joint::Correlated(rho) if n_players != 2 => Err(Error::invalid(format!(
                "rewards: ρ-correlated rewards (ρ = {rho}) are defined for 2 players; this game has {n_players}"
            ))),
            Joint::Correlated(rho) if !(-1.0..=1.0).contains(&rho) => {
                Err(Error::invalid(format!("rho = {rho} is outside [−1, 1]")))
            }
            Joint::Blend(l) if !(0.0..=1.0).contains(&l) => Err(Error::invalid(format!(
                "lambda = {l} is outside [0, 1] (0 common payoff, 1 constant-sum)"
            ))),
            Joint::ConstantSum(Some(c)) if !c.is_finite() => {
                Err(Error::invalid(format!("constant-sum total {c} is not a finite number")))
            }
            _ => Ok(()),
        }
    }

    /// The constant every profile's rewards sum to at every site, when the
    /// construction guarantees one.
    pub fn constant_sum(&self, n_players: usize) -> Option<f64> {
        match self.joint {
            Joint::ConstantSum(c) => Some(c.unwrap_or(n_players as f64 * (self.lo + self.hi) / 2.0)),
            Joint::Correlated(-1.0) => Some(self.lo + self.hi),
            Joint::Blend(1.0) => Some(n_players as f64 * (self.lo + self.hi) / 2.0),
            _ => None,
        }
    }

    /// Reward sample `k` of `seed`: `values[i][site]` for every player.
    pub fn sample(&self, game: &StochasticGame, seed: u64, k: usize) -> Result<Vec<Vec<f64>>> {
        let n = game.n_players();
        let sites = self.site.count(game);
        let mut rng = crate::mdp::reward::sample_rng(seed, k as u64);
        let (lo, hi) = (self.lo, self.hi);
        let uniform = |rng: &mut rand_pcg::Pcg64| lo + (hi - lo) * rng.random::<f64>();
        Ok(match self.joint {
            Joint::Iid => (0..n)
                .map(|_| (0..sites).map(|_| uniform(&mut rng)).collect())
                .collect(),
            Joint::Common => {
                let r: Vec<f64> = (0..sites).map(|_| uniform(&mut rng)).collect();
                vec![r; n]
            }
            Joint::Correlated(rho) => {
                let (h, a) = correlated_uniform_rewards(sites, rho, lo, hi, &mut rng)?;
                vec![h, a]
            }
            Joint::Blend(l) => {
                let mut out = RewardModel {
                    joint: Joint::ConstantSum(None),
                    ..*self
                }
                .sample(game, seed, k)?;
                let mut coins = crate::mdp::reward::sample_rng(seed ^ BLEND_STREAM, k as u64);
                for x in 0..sites {
                    if coins.random::<f64>() >= l {
                        let common = out[0][x];
                        out.iter_mut().for_each(|r| r[x] = common);
                    }
                }
                out
            }
            Joint::ConstantSum(c) => {
                let c = c.unwrap_or(n as f64 * (lo + hi) / 2.0);
                let mut out = vec![vec![0.0; sites]; n];
                for x in 0..sites {
                    if n == 2 {
                        let u = uniform(&mut rng);
                        out[0][x] = u;
                        out[1][x] = c - u;
                    } else {
                        let u: Vec<f64> = (0..n).map(|_| uniform(&mut rng)).collect();
                        let shift = (c - u.iter().sum::<f64>()) / n as f64;
                        for i in 0..n {
                            out[i][x] = u[i] + shift;
                        }
                    }
                }
                out
            }
        })
    }
}

impl RewardModel {
    /// `values` (a sample of this model) as exact rationals; when the
    /// construction guarantees a constant sum `c`, the last player's rewards
    /// are recomputed as `c − Σ others` exactly (they differ from the floats
    /// by rounding at most), so exact solvers see an exactly constant-sum game.
    pub fn exact_sample(&self, values: &[Vec<f64>]) -> Result<Vec<Vec<Rational>>> {
        let mut exact = exact_values(values)?;
        let n = exact.len();
        if let (Some(c), true) = (self.constant_sum(n), n >= 2) {
            let c =
                Rational::from_f64(c).ok_or_else(|| Error::invalid(format!("constant-sum total {c} is not finite")))?;
            for x in 0..exact[0].len() {
                let others: Rational = exact[..n - 1].iter().map(|r| r[x].clone()).sum();
                exact[n - 1][x] = &c - others;
            }
        }
        Ok(exact)
    }
}

impl std::fmt::Display for RewardModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let site = match self.site {
            Site::State => "per state",
            Site::JointAction => "per joint action",
        };
        let joint = match self.joint {
            Joint::Iid => "iid".to_string(),
            Joint::Correlated(rho) => format!("ρ-correlated (ρ = {rho})"),
            Joint::ConstantSum(Some(c)) => format!("constant-sum (c = {c})"),
            Joint::ConstantSum(None) => "constant-sum".to_string(),
            Joint::Common => "common payoff".to_string(),
            Joint::Blend(l) => format!("common payoff to constant-sum (λ = {l})"),
        };
        write!(f, "{joint} uniform [{}, {}] {site}", self.lo, self.hi)
    }
}

/// One profile of a finite type set: every player's rewards and its prior probability.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeProfile {
    /// A name for reports.
    pub name: String,
    /// Prior probability, exact, in `(0, 1]`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub prior: Rational,
    /// `rewards[i][site]`, exact.
    #[serde(serialize_with = "crate::exact::ser")]
    pub rewards: Vec<Vec<Rational>>,
}

/// A finite set of type profiles with a prior (priors sum to exactly 1).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeProfiles {
    /// States or joint actions.
    pub site: Site,
    /// The profiles.
    pub profiles: Vec<TypeProfile>,
}

impl TypeProfiles {
    /// Check shapes and the prior against `game`.
    pub fn validate(&self, game: &StochasticGame) -> Result<()> {
        if self.profiles.is_empty() {
            return Err(Error::invalid("types: at least one type profile is needed"));
        }
        let sites = self.site.count(game);
        let mut total = Rational::zero();
        for (k, t) in self.profiles.iter().enumerate() {
            if t.prior <= Rational::zero() {
                return Err(Error::invalid(format!(
                    "types[{k}] ('{}').prior must be positive",
                    t.name
                )));
            }
            total += t.prior.clone();
            if t.rewards.len() != game.n_players() || t.rewards.iter().any(|r| r.len() != sites) {
                return Err(Error::invalid(format!(
                    "types[{k}] ('{}').rewards: expected {} lists (one per player) of {sites} rewards",
                    t.name,
                    game.n_players()
                )));
            }
        }
        if total != Rational::from_integer(1.into()) {
            return Err(Error::invalid(format!("types: priors sum to {total}, not 1")));
        }
        Ok(())
    }

    /// The common exact sum of all players' rewards at every site of every
    /// profile, if there is one.
    pub fn constant_sum(&self) -> Option<Rational> {
        let mut c: Option<Rational> = None;
        for t in &self.profiles {
            for x in 0..t.rewards.first().map_or(0, Vec::len) {
                let s: Rational = t.rewards.iter().map(|r| r[x].clone()).sum();
                match &c {
                    None => c = Some(s),
                    Some(v) if *v != s => return None,
                    _ => {}
                }
            }
        }
        c
    }
}

/// Per-sample rewards from `model` in exact form (every float is a dyadic rational).
pub fn exact_values(values: &[Vec<f64>]) -> Result<Vec<Vec<Rational>>> {
    values
        .iter()
        .map(|r| {
            r.iter()
                .map(|&x| Rational::from_f64(x).ok_or_else(|| Error::invalid(format!("reward {x} is not finite"))))
                .collect()
        })
        .collect()
}

/// Expected stage rewards `r_i(ja)` of every global joint action from site
/// values `values[i][site]` (state rewards averaged over the successors).
pub fn stage_rewards(game: &StochasticGame, site: Site, values: &[Vec<f64>]) -> Vec<Vec<f64>> {
    let mut out = Vec::new();
    stage_rewards_into(game, site, values, &mut out);
    out
}

/// [`stage_rewards`] written into `out`, reusing its buffers (many reward
/// samples of one game).
pub fn stage_rewards_into(game: &StochasticGame, site: Site, values: &[Vec<f64>], out: &mut Vec<Vec<f64>>) {
    out.resize_with(values.len(), Vec::new);
    for (r, o) in values.iter().zip(out.iter_mut()) {
        o.clear();
        match site {
            Site::JointAction => o.extend_from_slice(r),
            Site::State => o.extend((0..game.n_joint_actions()).map(|ja| {
                let (next, prob) = game.successors(ja);
                next.iter().zip(prob).map(|(&t, p)| p * r[t as usize]).sum::<f64>()
            })),
        }
    }
}

/// [`stage_rewards`] in exact arithmetic.
pub fn stage_rewards_exact(game: &StochasticGame, site: Site, values: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
    match site {
        Site::JointAction => values.to_vec(),
        Site::State => values
            .iter()
            .map(|r| {
                (0..game.n_joint_actions())
                    .map(|ja| {
                        let (next, prob) = game.successors_exact(ja);
                        next.iter().zip(prob).map(|(&t, p)| p * &r[t as usize]).sum()
                    })
                    .collect()
            })
            .collect(),
    }
}

pub(crate) use crate::exact::to_f64;

/// Per-site rewards of two agents with correlation `rho ∈ [−1, 1]`, both
/// marginals uniform on `[lo, hi]` (POWERplay's construction): for each site,
/// H's reward is uniform; with probability `|ρ|` A's reward is H's (ρ ≥ 0) or
/// its reflection `lo + hi − R_H` (ρ < 0), otherwise an independent draw. The
/// marginals stay uniform and `Corr(R_H, R_A) = ρ` exactly in expectation.
pub fn correlated_uniform_rewards(
    cells: usize,
    rho: f64,
    lo: f64,
    hi: f64,
    rng: &mut rand_pcg::Pcg64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let valid = (-1.0..=1.0).contains(&rho) && lo.is_finite() && hi.is_finite() && lo < hi;
    if !valid {
        return Err(Error::invalid(format!(
            "correlated rewards: need ρ in [−1, 1] and lo < hi (got ρ = {rho}, [{lo}, {hi}])"
        )));
    }
    let mut h = Vec::with_capacity(cells);
    let mut a = Vec::with_capacity(cells);
    for _ in 0..cells {
        let x = lo + (hi - lo) * rng.random::<f64>();
        let tied = rng.random::<f64>() < rho.abs();
        let independent = lo + (hi - lo) * rng.random::<f64>();
        h.push(x);
        a.push(match (tied, rho >= 0.0) {
            (true, true) => x,
            (true, false) => lo + hi - x,
            (false, _) => independent,
        });
    }
    Ok((h, a))
}

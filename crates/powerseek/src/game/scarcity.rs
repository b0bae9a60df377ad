//! Power-scarcity experiments (docs/theory.md §5): how does alignment relate
//! to the total POWER players have at equilibrium?
//!
//! Random games are drawn along an alignment axis λ ∈ [−1, 1]: for every
//! (type profile and) action profile, `u_1 = z` and, for each other player,
//! `u_i = λ z + sqrt(1 − λ²) ε_i` with `z, ε_i` iid standard normal, rounded
//! to multiples of 1/100 so the games are exact. λ = 1 is a common-payoff
//! game; with two players λ = −1 is zero-sum and λ = 0 has independent
//! payoffs. Types, when asked for, are independent and uniform.
//!
//! Each game is solved for its equilibria — all extreme equilibria exactly for
//! two players (through the induced normal form for Bayesian games); for
//! more, every pure equilibrium of the agent form, or one certified logit
//! equilibrium when there is none (not `equilibrium::solve`'s pure + logit,
//! which would run logit on every game) — and the sweep
//! records per game: α and the coordination gap (on the induced normal form),
//! `Σ_i POWER(i, σ)` averaged over the equilibria found, and the best-case
//! `Σ_i POWER` (each player's POWER if the others played to help it). Per λ it
//! reports means with their standard errors and 95% confidence intervals over games. Game `k` at λ index
//! `j` is drawn from its own random stream, so results are identical for any
//! number of threads.

use rand_distr::{Distribution, StandardNormal};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::game::alignment;
use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::equilibrium::{self, bimatrix};
use crate::game::power;
use crate::game::{Rational, Scalar};
use crate::progress::Progress;
use crate::stats::{t_quantile_975, Estimate, Moments};

/// What to sweep. Front ends may give any subset of the fields (the rest
/// take their defaults, unknown fields are errors).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScarcityOptions {
    /// Players per game, at least 2 (default 2).
    pub players: usize,
    /// Actions per player, at least 1 (default 3).
    pub actions: usize,
    /// Types per player (1: ordinary normal-form games).
    pub types: usize,
    /// Games per λ.
    pub games: usize,
    /// The alignment values λ to sweep, each in `[−1, 1]` (default −1, −0.8, …, 1).
    pub lambdas: Vec<f64>,
    /// Seed of the games' random streams (default 0).
    pub seed: u64,
}

impl Default for ScarcityOptions {
    fn default() -> Self {
        ScarcityOptions {
            players: 2,
            actions: 3,
            types: 1,
            games: 200,
            lambdas: (0..=10).map(|k| -1.0 + 0.2 * k as f64).collect(),
            seed: 0,
        }
    }
}

/// One random game's numbers.
#[derive(Clone, Debug, Serialize)]
pub struct GameRecord {
    /// The λ the game was drawn at.
    pub lambda: f64,
    /// The game's index `k` among the games at this λ (its random stream).
    pub game: usize,
    /// Number of equilibria found (distinct behaviours; at least 1).
    pub equilibria: usize,
    /// α of the game's (induced) normal form with unit weights, ≤ 0.
    pub alpha: f64,
    /// `max_a w(a) − E_σ[w]`, averaged over the equilibria.
    pub coordination_gap: f64,
    /// `Σ_i POWER(i, σ)`, averaged over the equilibria (and its extremes).
    pub total_power: f64,
    /// The smallest `Σ_i POWER(i, σ)` over the equilibria found.
    pub total_power_min: f64,
    /// The largest `Σ_i POWER(i, σ)` over the equilibria found.
    pub total_power_max: f64,
    /// `Σ_i` best-case POWER.
    pub best_case_power: f64,
    /// `max_a w(a)` with unit weights: the best ex-ante sum of payoffs.
    pub max_welfare: f64,
}

/// Means over the games at one λ, with 95% confidence intervals.
#[derive(Clone, Debug, Serialize)]
pub struct LambdaSummary {
    /// The λ summarised.
    pub lambda: f64,
    /// Number of games drawn at this λ.
    pub games: usize,
    /// Mean of [`GameRecord::alpha`] over the games.
    pub alpha: Estimate,
    /// Mean of [`GameRecord::coordination_gap`] over the games.
    pub coordination_gap: Estimate,
    /// Mean of [`GameRecord::total_power`] (equilibrium `Σ_i POWER`) over the games.
    pub total_power: Estimate,
    /// Mean of [`GameRecord::best_case_power`] over the games.
    pub best_case_power: Estimate,
    /// Mean of [`GameRecord::max_welfare`] over the games.
    pub max_welfare: Estimate,
    /// Average number of equilibria found per game.
    pub mean_equilibria: f64,
}

/// The whole sweep.
#[derive(Clone, Debug, Serialize)]
pub struct ScarcityResult {
    /// One summary per λ swept, in the order of the λ indices asked for.
    pub summaries: Vec<LambdaSummary>,
    /// Every game's record, grouped by λ (in the same order) and by game index within it.
    pub games: Vec<GameRecord>,
    /// Wall-clock time of the sweep, in seconds.
    pub seconds: f64,
}

fn rounded(x: f64) -> Rational {
    Rational::new(((x * 100.0).round() as i64).into(), 100.into())
}

/// The random game for λ index `j`, game `k`.
pub fn random_game(opts: &ScarcityOptions, j: usize, k: usize) -> Result<BayesianGame> {
    let lambda = opts.lambdas[j];
    let stream = ((j as u64) << 32) | k as u64;
    let mut rng = crate::stats::indexed_rng(opts.seed, 0x5ca1_ab1e, stream);
    let n = opts.players;
    let n_types = opts.types.pow(n as u32);
    let n_actions = opts.actions.pow(n as u32);
    let other = (1.0 - lambda * lambda).max(0.0).sqrt();
    let mut payoffs = Vec::with_capacity(n_types * n_actions * n);
    for _ in 0..n_types * n_actions {
        let z: f64 = StandardNormal.sample(&mut rng);
        let u1 = rounded(z);
        payoffs.push(u1.clone());
        for _ in 1..n {
            let e: f64 = StandardNormal.sample(&mut rng);
            // For λ = ±1 the others' payoffs are exactly ±u_1 (after rounding).
            payoffs.push(if other == 0.0 {
                u1.clone() * Rational::from_integer((lambda.signum() as i64).into())
            } else {
                rounded(lambda * f64::from_rational(&u1) + other * e)
            });
        }
    }
    let names = |prefix: &str, k: usize| (1..=k).map(|x| format!("{prefix}{x}")).collect::<Vec<_>>();
    let prior = vec![Rational::new(1.into(), (n_types as i64).into()); n_types];
    BayesianGame::new(
        format!("λ = {lambda}, game {k}"),
        names("P", n),
        vec![names("t", opts.types); n],
        vec![names("a", opts.actions); n],
        prior,
        payoffs,
    )
}

/// `Σ_i` best-case POWER: each type's best action value when the others play,
/// type by type, whatever helps it most (exact for two players; an upper bound
/// with more, where the others cannot coordinate on `t_{−i}`).
fn best_case_power(b: &BayesianGame) -> Rational {
    let n = b.n_players();
    let n_actions: Vec<usize> = (0..n).map(|i| b.actions(i).len()).collect();
    let n_types: Vec<usize> = (0..n).map(|i| b.types(i).len()).collect();
    let split = crate::game::mixed_radix_digits;
    let mut total = Rational::from_integer(0.into());
    for i in 0..n {
        for ti in 0..n_types[i] {
            let mut best: Option<Rational> = None;
            for ai in 0..n_actions[i] {
                // Σ_{t: t_i = ti} Ω(t) max_{a_{−i}} r_i(t, (ai, a_{−i})).
                let mut value = Rational::from_integer(0.into());
                for t in 0..b.n_type_profiles() {
                    if split(t, &n_types)[i] != ti {
                        continue;
                    }
                    let top = (0..b.n_action_profiles())
                        .filter(|&a| split(a, &n_actions)[i] == ai)
                        .map(|a| b.payoff(t, a, i).clone())
                        .max();
                    value += b.prior(t) * top.unwrap_or_else(|| Rational::from_integer(0.into()));
                }
                if best.as_ref().is_none_or(|b| value > *b) {
                    best = Some(value);
                }
            }
            total += best.unwrap_or_else(|| Rational::from_integer(0.into()));
        }
    }
    total
}

/// Solve one game and measure it.
fn measure(opts: &ScarcityOptions, j: usize, k: usize, progress: &dyn Progress) -> Result<GameRecord> {
    let b = random_game(opts, j, k)?;
    let n = b.n_players();
    let (nf, equilibria): (_, Vec<Behaviour<Rational>>) = if n == 2 {
        let nf = b.induced_normal_form()?;
        let eqs = bimatrix::enumerate_extreme_with(&nf, &crate::progress::CancelOnly(progress))?
            .equilibria
            .iter()
            .map(|e| b.behaviour_from_induced(&e.strategies))
            .collect();
        (nf, eqs)
    } else {
        let agents = b.agent_form()?;
        let mut eqs: Vec<Behaviour<Rational>> = equilibrium::pure_equilibria(&agents)
            .iter()
            .map(|e| b.behaviour_from_agents(&e.strategies))
            .collect();
        if eqs.is_empty() {
            let logit = equilibrium::logit::logit_equilibrium(&agents, &Default::default())?;
            eqs.push(b.behaviour_from_agents(&logit.exact.strategies));
        }
        (b.induced_normal_form()?, eqs)
    };
    if equilibria.is_empty() {
        return Err(Error::invalid(format!("no equilibrium found for {}", b.title)));
    }
    let weights = vec![Rational::from_integer(1.into()); n];
    let al = alignment::alignment(&nf, &weights);
    let powers: Vec<f64> = equilibria
        .iter()
        .map(|s| f64::from_rational(&power::bayesian_power(&b, s).total_power))
        .collect();
    // Coordination gap at each equilibrium: max ex-ante welfare − expected welfare.
    let gaps: Vec<f64> = equilibria
        .iter()
        .map(|s| {
            let welfare = b
                .expected_payoffs(s)
                .into_iter()
                .fold(Rational::from_integer(0.into()), |a, x| a + x);
            f64::from_rational(&(&al.max_welfare - welfare))
        })
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    Ok(GameRecord {
        lambda: opts.lambdas[j],
        game: k,
        equilibria: equilibria.len(),
        alpha: f64::from_rational(&al.alpha),
        coordination_gap: mean(&gaps),
        total_power: mean(&powers),
        total_power_min: powers.iter().copied().fold(f64::INFINITY, f64::min),
        total_power_max: powers.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        best_case_power: f64::from_rational(&best_case_power(&b)),
        max_welfare: f64::from_rational(&al.max_welfare),
    })
}

fn estimate(values: &[f64]) -> Estimate {
    let m = Moments::from_samples(values, values.len());
    let t = if values.len() >= 2 {
        t_quantile_975(values.len() - 1)
    } else {
        f64::NAN
    };
    m.estimate(0, t)
}

/// Run the sweep on all cores.
pub fn scarcity_sweep(opts: &ScarcityOptions, progress: &dyn Progress) -> Result<ScarcityResult> {
    let all: Vec<usize> = (0..opts.lambdas.len()).collect();
    scarcity_sweep_at(opts, &all, progress)
}

/// The sweep restricted to the λ values at `indices` (a shard of a
/// distributed sweep): each λ's games depend only on the seed and λ's index,
/// so shards concatenated in index order equal the whole sweep.
pub fn scarcity_sweep_at(opts: &ScarcityOptions, indices: &[usize], progress: &dyn Progress) -> Result<ScarcityResult> {
    if let Some(bad) = indices.iter().find(|&&j| j >= opts.lambdas.len()) {
        return Err(Error::invalid(format!(
            "λ index {bad} is out of range ({} values)",
            opts.lambdas.len()
        )));
    }
    if opts.players < 2 || opts.actions < 1 || opts.types < 1 || opts.games < 2 || opts.lambdas.is_empty() {
        return Err(Error::invalid(
            "scarcity sweep: need ≥ 2 players, ≥ 1 action and type, ≥ 2 games, and some λ values",
        ));
    }
    if let Some(l) = opts.lambdas.iter().find(|l| !(-1.0..=1.0).contains(*l)) {
        return Err(Error::invalid(format!("λ = {l} is outside [−1, 1]")));
    }
    let size = (opts.types * opts.actions)
        .checked_pow(opts.players as u32)
        .filter(|&s| s <= 100_000);
    if size.is_none() {
        return Err(Error::invalid(
            "scarcity sweep: games this large are not supported (induced normal form over 10^5 profiles)",
        ));
    }
    // Every game's record is kept (and a job per game).
    let games = opts.games as f64 * indices.len() as f64;
    crate::resources::check(games * (std::mem::size_of::<GameRecord>() + 16) as f64, || {
        format!(
            "{} games × {} λ values",
            crate::resources::format_count(opts.games as f64),
            indices.len()
        )
    })?;
    let started = std::time::Instant::now();
    progress.set_total((opts.games * indices.len()) as u64);
    let jobs: Vec<(usize, usize)> = indices
        .iter()
        .flat_map(|&j| (0..opts.games).map(move |k| (j, k)))
        .collect();
    // Workers poll a relay of `progress` between (and inside) games and stop
    // early on cancellation.
    let games: Vec<GameRecord> = crate::progress::watch(progress, |progress| {
        jobs.par_iter()
            .map(|&(j, k)| {
                crate::progress::check(progress)?;
                let r = measure(opts, j, k, progress);
                progress.advance(1);
                r
            })
            .collect::<Result<_>>()
    })?;
    let summaries = indices
        .iter()
        .enumerate()
        .map(|(pos, &j)| {
            let lambda = opts.lambdas[j];
            let rows: Vec<&GameRecord> = games[pos * opts.games..(pos + 1) * opts.games].iter().collect();
            let col = |f: fn(&GameRecord) -> f64| rows.iter().map(|r| f(r)).collect::<Vec<f64>>();
            LambdaSummary {
                lambda,
                games: rows.len(),
                alpha: estimate(&col(|r| r.alpha)),
                coordination_gap: estimate(&col(|r| r.coordination_gap)),
                total_power: estimate(&col(|r| r.total_power)),
                best_case_power: estimate(&col(|r| r.best_case_power)),
                max_welfare: estimate(&col(|r| r.max_welfare)),
                mean_equilibria: col(|r| r.equilibria as f64).iter().sum::<f64>() / rows.len() as f64,
            }
        })
        .collect();
    Ok(ScarcityResult {
        summaries,
        games,
        seconds: started.elapsed().as_secs_f64(),
    })
}

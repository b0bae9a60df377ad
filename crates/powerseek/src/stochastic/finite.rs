//! Finite-horizon stochastic games in exact arithmetic (docs/theory.md §11.4):
//! backward induction with an exact stage-game equilibrium at every state and
//! step, chosen by a [`Selection`] rule, and the exact POWER, values and
//! total regret of any (time-dependent, Markov) profile.
//!
//! With `H` steps and discount `γ` (1 for undiscounted sums), values are
//! `V_i^t(s) = E[Σ_{u=t}^{H−1} γ^{u−t} r_i(s_u, a_u)]` and POWER is
//! normalised by `1/Σ_{u<H} γ^u`, so rewards in `[lo, hi]` give POWER in
//! `[lo, hi]` as in the discounted case (a one-step game is exactly its stage game).

use num_traits::{One, Zero};
use serde::Serialize;

use super::solve::{stage_equilibrium, Selection};
use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::Rational;
use crate::game::NormalFormGame;

/// `profile[t][i][s][a]`: player `i`'s probability of action `a` at state `s`
/// with `t` steps done (`t = 0` is the first decision).
pub type ExactProfile = Vec<Vec<Vec<Vec<Rational>>>>;

/// A finite horizon: the number of decisions and the per-step discount.
#[derive(Clone, Debug, PartialEq)]
pub struct FiniteHorizon {
    /// Decisions per episode, at least 1.
    pub steps: usize,
    /// Discount per step in `(0, 1]`, exact (1: undiscounted sums).
    pub discount: Rational,
}

impl FiniteHorizon {
    /// `steps` undiscounted decisions.
    pub fn undiscounted(steps: usize) -> Self {
        FiniteHorizon {
            steps,
            discount: Rational::one(),
        }
    }
    /// Check the horizon.
    pub fn validate(&self) -> Result<()> {
        if self.steps == 0 {
            return Err(Error::invalid("horizon: at least one step is needed"));
        }
        if self.discount <= Rational::zero() || self.discount > Rational::one() {
            return Err(Error::invalid(format!("discount {} is outside (0, 1]", self.discount)));
        }
        Ok(())
    }
    /// `1 / Σ_{u<H} γ^u`, the factor turning values into POWER.
    pub fn normaliser(&self) -> Rational {
        let mut total = Rational::zero();
        let mut g = Rational::one();
        for _ in 0..self.steps {
            total += g.clone();
            g *= self.discount.clone();
        }
        total.recip()
    }
}

/// Weight of every local joint action at `s` at step `t`, leaving out `skip`.
fn weights(game: &StochasticGame, p: &[Vec<Vec<Rational>>], s: usize, skip: Option<usize>) -> Vec<Rational> {
    let n = game.n_players();
    (0..game.joint_actions(s).len())
        .map(|local| {
            let mut w = Rational::one();
            let mut x = local;
            for i in 0..n {
                let k = game.n_actions(s, i);
                if Some(i) != skip {
                    w *= p[i][s][x % k].clone();
                }
                x /= k;
            }
            w
        })
        .collect()
}

fn expect(game: &StochasticGame, ja: usize, v: &[Rational]) -> Rational {
    let (next, prob) = game.successors_exact(ja);
    next.iter().zip(prob).map(|(&t, p)| p * &v[t as usize]).sum()
}

/// The continuation payoff `r_i(ja) + γ Σ T V_i` of every player and local joint action at `s`.
fn stage_payoffs(
    game: &StochasticGame,
    r: &[Vec<Rational>],
    v: &[Vec<Rational>],
    s: usize,
    g: &Rational,
) -> Vec<Vec<Rational>> {
    (0..game.n_players())
        .map(|i| {
            game.joint_actions(s)
                .map(|ja| &r[i][ja] + g * expect(game, ja, &v[i]))
                .collect()
        })
        .collect()
}

/// What backward induction returns.
#[derive(Clone, Debug)]
pub struct Induction {
    /// The subgame-perfect profile, step by step.
    pub profile: ExactProfile,
    /// Every stage equilibrium was exact (false only for logit stages of
    /// games with three or more players and no pure stage equilibrium).
    pub exact: bool,
    /// Largest exact regret of a selected stage equilibrium (0 when `exact`).
    pub max_stage_regret: Rational,
}

/// Backward induction: at every step from the last, every state's stage game
/// (continuation payoffs) solved by [`stage_equilibrium`] with `rule`.
/// `r[i][ja]` are exact expected stage rewards.
pub fn backward_induction(
    game: &StochasticGame,
    r: &[Vec<Rational>],
    h: &FiniteHorizon,
    rule: Selection,
) -> Result<Induction> {
    h.validate()?;
    let n = game.n_players();
    let ns = game.n_states();
    let mut v = vec![vec![Rational::zero(); ns]; n];
    let mut profile: ExactProfile = vec![Vec::new(); h.steps];
    let (mut exact, mut worst) = (true, Rational::zero());
    for t in (0..h.steps).rev() {
        let mut next = vec![vec![Rational::zero(); ns]; n];
        let mut step = vec![vec![Vec::new(); ns]; n];
        for s in 0..ns {
            let q = stage_payoffs(game, r, &v, s, &h.discount);
            let mut payoffs = Vec::with_capacity(q[0].len() * n);
            for local in 0..q[0].len() {
                for qi in &q {
                    payoffs.push(qi[local].clone());
                }
            }
            let stage = NormalFormGame::new(
                game.state_names()[s].clone(),
                game.players().to_vec(),
                (0..n).map(|i| game.actions(s, i).to_vec()).collect(),
                payoffs,
            )?;
            let sol = stage_equilibrium(&stage, rule)?;
            exact &= sol.exact;
            if sol.max_regret > worst {
                worst = sol.max_regret.clone();
            }
            for i in 0..n {
                next[i][s] = sol.equilibrium.payoffs[i].clone();
                step[i][s] = sol.equilibrium.strategies[i].clone();
            }
        }
        v = next;
        profile[t] = step;
    }
    Ok(Induction {
        profile,
        exact,
        max_stage_regret: worst,
    })
}

/// Every player's value at step 0 under `profile` (unnormalised sums).
pub fn evaluate(
    game: &StochasticGame,
    r: &[Vec<Rational>],
    profile: &ExactProfile,
    h: &FiniteHorizon,
) -> Vec<Vec<Rational>> {
    let n = game.n_players();
    let ns = game.n_states();
    let mut v = vec![vec![Rational::zero(); ns]; n];
    for t in (0..h.steps).rev() {
        let mut next = vec![vec![Rational::zero(); ns]; n];
        for s in 0..ns {
            let w = weights(game, &profile[t], s, None);
            let q = stage_payoffs(game, r, &v, s, &h.discount);
            for i in 0..n {
                next[i][s] = w.iter().zip(&q[i]).map(|(a, b)| a * b).sum();
            }
        }
        v = next;
    }
    v
}

/// Player `i`'s optimal value at step 0 against the others' strategies in
/// `profile` (unnormalised), by backward induction on the MDP it faces.
pub fn best_response(
    game: &StochasticGame,
    r: &[Vec<Rational>],
    profile: &ExactProfile,
    i: usize,
    h: &FiniteHorizon,
) -> Vec<Rational> {
    let ns = game.n_states();
    let mut v = vec![Rational::zero(); ns];
    for t in (0..h.steps).rev() {
        let mut next = vec![Rational::zero(); ns];
        for s in 0..ns {
            let w = weights(game, &profile[t], s, Some(i));
            let mut q = vec![Rational::zero(); game.n_actions(s, i)];
            for (local, ja) in game.joint_actions(s).enumerate() {
                if !w[local].is_zero() {
                    q[game.digit(s, local, i)] += &w[local] * (&r[i][ja] + &h.discount * expect(game, ja, &v));
                }
            }
            next[s] = q.into_iter().max().unwrap_or_else(Rational::zero);
        }
        v = next;
    }
    v
}

/// Exact POWER, values and regret of a profile at every state (step 0).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExactPower {
    /// `power[i][s]`: normalised best-response value.
    #[serde(serialize_with = "crate::exact::ser")]
    pub power: Vec<Vec<Rational>>,
    /// `value[i][s]`: normalised value under the profile.
    #[serde(serialize_with = "crate::exact::ser")]
    pub value: Vec<Vec<Rational>>,
    /// `Σ_i (power − value)` per state: the total regret, ≥ 0.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_regret: Vec<Rational>,
    /// `Σ_i power` per state.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_power: Vec<Rational>,
}

/// [`ExactPower`] of `profile`.
pub fn exact_power(
    game: &StochasticGame,
    r: &[Vec<Rational>],
    profile: &ExactProfile,
    h: &FiniteHorizon,
) -> Result<ExactPower> {
    h.validate()?;
    if profile.len() != h.steps {
        return Err(Error::invalid(format!(
            "profile: {} steps for a horizon of {}",
            profile.len(),
            h.steps
        )));
    }
    let norm = h.normaliser();
    let scale = |v: Vec<Rational>| v.into_iter().map(|x| x * &norm).collect::<Vec<_>>();
    let value: Vec<Vec<Rational>> = evaluate(game, r, profile, h).into_iter().map(scale).collect();
    let power: Vec<Vec<Rational>> = (0..game.n_players())
        .map(|i| scale(best_response(game, r, profile, i, h)))
        .collect();
    let ns = game.n_states();
    let total_power = (0..ns).map(|s| power.iter().map(|p| p[s].clone()).sum()).collect();
    let total_regret = (0..ns)
        .map(|s| power.iter().zip(&value).map(|(p, v)| &p[s] - &v[s]).sum())
        .collect();
    Ok(ExactPower {
        power,
        value,
        total_regret,
        total_power,
    })
}

/// The uniformly random profile at every step, exactly.
pub fn uniform_profile(game: &StochasticGame, steps: usize) -> ExactProfile {
    let step: Vec<Vec<Vec<Rational>>> = (0..game.n_players())
        .map(|i| {
            (0..game.n_states())
                .map(|s| {
                    let k = game.n_actions(s, i);
                    vec![Rational::new(1.into(), (k as i64).into()); k]
                })
                .collect()
        })
        .collect();
    vec![step; steps]
}

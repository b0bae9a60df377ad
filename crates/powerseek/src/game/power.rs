//! Multi-agent POWER in Bayesian games (docs/theory.md §3):
//! `POWER(i, σ) = E_{t_i}[max_{a_i} f_i(t_i, a_i, σ_{−i})]`, per type and in
//! expectation, exactly; the total regret `Σ_i POWER(i, σ) − E_σ[Σ_i r_i]`,
//! which is zero exactly at Bayesian Nash equilibria; and the constant-sum
//! conservation law `Σ_i POWER ≥ c`, with equality exactly at equilibria.
//! Normal-form games are the one-type case ([`BayesianGame::from_normal_form`]).

use num_traits::Zero;
use serde::Serialize;

use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::{NormalFormGame, Rational, Scalar};

/// POWER of one player under a profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PlayerPower<T> {
    /// `POWER(i, σ)`.
    pub power: T,
    /// `E_σ[r_i]`: what the player actually expects to get.
    pub expected_payoff: T,
    /// Per type: `max_a f_i(t_i, a, σ_{−i})` (`None` for types of probability zero).
    pub by_type: Vec<Option<T>>,
}

/// POWER of every player, the total regret, and whether σ is an equilibrium.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GamePowerReport<T> {
    pub players: Vec<PlayerPower<T>>,
    /// `Σ_i POWER(i, σ)`.
    pub total_power: T,
    /// `Σ_i POWER(i, σ) − E_σ[Σ_i r_i] ≥ 0`.
    pub total_regret: T,
    /// Total regret is exactly zero (for exact scalars; for floats, ≤ 1e-9 · scale).
    pub is_equilibrium: bool,
}

/// POWER of every player of `game` under behavioural profile `sigma`.
pub fn bayesian_power<T: Scalar>(game: &BayesianGame, sigma: &Behaviour<T>) -> GamePowerReport<T> {
    let players: Vec<PlayerPower<T>> = (0..game.n_players())
        .map(|i| {
            let mut power = T::zero();
            let mut by_type = Vec::with_capacity(game.types(i).len());
            for ti in 0..game.types(i).len() {
                // Ex-ante weighted action values: max of them is P(t_i) · max_a f_i.
                let weighted = game.weighted_action_values(sigma, i, ti);
                let best = max_of(&weighted);
                power = power + best.clone();
                let p = T::from_rational(&game.type_probability(i, ti));
                by_type.push((p != T::zero()).then(|| best / p));
            }
            PlayerPower {
                power,
                expected_payoff: T::zero(),
                by_type,
            }
        })
        .collect();
    let expected = game.expected_payoffs(sigma);
    let players: Vec<PlayerPower<T>> = players
        .into_iter()
        .zip(expected)
        .map(|(p, e)| PlayerPower {
            expected_payoff: e,
            ..p
        })
        .collect();
    let total_power = players.iter().fold(T::zero(), |a, p| a + p.power.clone());
    let total_payoff = players.iter().fold(T::zero(), |a, p| a + p.expected_payoff.clone());
    let total_regret = total_power.clone() - total_payoff;
    let is_equilibrium = is_zero(&total_regret, game);
    GamePowerReport {
        players,
        total_power,
        total_regret,
        is_equilibrium,
    }
}

fn max_of<T: Scalar>(v: &[T]) -> T {
    v.iter()
        .skip(1)
        .fold(v[0].clone(), |b, x| if *x > b { x.clone() } else { b })
}

/// Exactly zero for rationals; within a relative 1e-9 for floats.
fn is_zero<T: Scalar>(x: &T, game: &BayesianGame) -> bool {
    if T::EXACT {
        return *x == T::zero();
    }
    let tolerance =
        T::from_rational(&Rational::new(1.into(), 1_000_000_000.into())) * T::from_rational(&game.payoff_scale());
    *x <= tolerance && T::zero() - x.clone() <= tolerance
}

/// `Some(c)` when `Σ_i r_i(t, a) = c` for every type profile of positive probability and every action profile.
pub fn constant_sum(game: &BayesianGame) -> Option<Rational> {
    let mut value: Option<Rational> = None;
    for t in 0..game.n_type_profiles() {
        if game.prior(t).is_zero() {
            continue;
        }
        for a in 0..game.n_action_profiles() {
            let s = (0..game.n_players()).fold(Rational::zero(), |acc, i| acc + game.payoff(t, a, i));
            match &value {
                None => value = Some(s),
                Some(v) if *v != s => return None,
                _ => {}
            }
        }
    }
    value
}

/// A normal-form game's profile as a one-type behavioural profile.
pub fn behaviour_of<T: Clone>(profile: &[Vec<T>]) -> Behaviour<T> {
    profile.iter().map(|s| vec![s.clone()]).collect()
}

/// POWER of every player of a normal-form game under a mixed profile.
pub fn normal_form_power<T: Scalar>(game: &NormalFormGame, profile: &[Vec<T>]) -> GamePowerReport<T> {
    bayesian_power(&BayesianGame::from_normal_form(game), &behaviour_of(profile))
}

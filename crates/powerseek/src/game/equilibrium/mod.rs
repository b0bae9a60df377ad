//! Nash equilibria of normal-form games.
//!
//! Two players ([`bimatrix`]): every extreme equilibrium exactly by vertex
//! enumeration (degenerate games included, grouped into connected
//! components), support enumeration, Lemke–Howson from every label, and the
//! zero-sum LP — all in exact rational arithmetic. Any number of players
//! ([`pure_equilibria`]): every pure equilibrium. Every equilibrium returned
//! can be checked independently with [`NormalFormGame::regret`] in exact arithmetic.

pub mod bimatrix;
pub mod logit;
mod tableau;

use num_traits::Zero;

use crate::game::{NormalFormGame, Rational};

/// A mixed-strategy profile with each player's expected payoff.
#[derive(Clone, Debug, PartialEq)]
pub struct Equilibrium {
    pub strategies: Vec<Vec<Rational>>,
    pub payoffs: Vec<Rational>,
}

impl Equilibrium {
    /// Largest regret over players, computed afresh from the game (0 for a Nash equilibrium).
    pub fn max_regret(&self, game: &NormalFormGame) -> Rational {
        game.regret(&self.strategies)
            .into_iter()
            .fold(Rational::zero(), |a, b| if b > a { b } else { a })
    }
}

/// Every pure-strategy Nash equilibrium of an n-player game (exhaustive).
pub fn pure_equilibria(game: &NormalFormGame) -> Vec<Equilibrium> {
    let n = game.n_players();
    let mut out = Vec::new();
    'profiles: for idx in 0..game.n_profiles() {
        let profile = game.profile(idx);
        for i in 0..n {
            let mine = game.payoff(idx, i);
            let base = idx - profile[i] * game.stride(i);
            for a in 0..game.n_actions(i) {
                if game.payoff(base + a * game.stride(i), i) > mine {
                    continue 'profiles;
                }
            }
        }
        let strategies = profile
            .iter()
            .enumerate()
            .map(|(i, &a)| {
                (0..game.n_actions(i))
                    .map(|b| Rational::from_integer(((a == b) as i64).into()))
                    .collect()
            })
            .collect();
        out.push(Equilibrium {
            strategies,
            payoffs: (0..n).map(|i| game.payoff(idx, i).clone()).collect(),
        });
    }
    out
}

/// Equilibria for reporting: for two players every extreme equilibrium
/// (exact vertex enumeration); for more, every pure equilibrium plus the one
/// logit path following reaches (rationalised, with its exact regret as
/// certificate) when it is not one of them.
pub fn equilibria(game: &NormalFormGame) -> crate::Result<Vec<Equilibrium>> {
    use crate::exact::Scalar;
    if game.n_players() == 2 {
        return Ok(bimatrix::enumerate_extreme(game)?.equilibria);
    }
    let mut all = pure_equilibria(game);
    let logit = logit::logit_equilibrium(game, &Default::default())?;
    let close = |e: &Equilibrium| {
        e.strategies
            .iter()
            .flatten()
            .zip(logit.exact.strategies.iter().flatten())
            .all(|(a, b)| (f64::from_rational(a) - f64::from_rational(b)).abs() < 1e-9)
    };
    if !all.iter().any(close) {
        all.push(logit.exact);
    }
    Ok(all)
}

/// Bayesian Nash equilibria as behavioural profiles (player × type × action):
/// for two players from the equilibria of the induced normal form, for more
/// from those of the agent form (each type a separate player), duplicates
/// (different mixed strategies with the same behaviour) removed.
pub fn bayesian_equilibria(
    game: &crate::game::bayesian::BayesianGame,
) -> crate::Result<Vec<crate::game::bayesian::Behaviour<Rational>>> {
    let mut seen = std::collections::BTreeSet::new();
    let list: Vec<_> = if game.n_players() == 2 {
        equilibria(&game.induced_normal_form()?)?
            .iter()
            .map(|e| game.behaviour_from_induced(&e.strategies))
            .collect()
    } else {
        equilibria(&game.agent_form()?)?
            .iter()
            .map(|e| game.behaviour_from_agents(&e.strategies))
            .collect()
    };
    Ok(list.into_iter().filter(|s| seen.insert(format!("{s:?}"))).collect())
}

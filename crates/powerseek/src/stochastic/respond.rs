//! The response protocols of two-agent sequential POWER (docs/theory.md
//! §8.3) on the stochastic-game engine: the other agent follows its seed
//! policy (fixed), best-responds to this agent's seed policy (optimal, or
//! Boltzmann-rationally), or POWERplay's protocol. Each is one fixed profile
//! per reward sample evaluated by [`super::solve`]'s best responses and
//! policy evaluation, so these numbers and the equilibrium ones come out of
//! one engine.
//!
//! Greedy policies split their mass evenly over actions whose values are
//! within `2·tolerance/(1 − γ)` of the best (twice the error bound on one
//! action value), as the sequential estimator does.

use serde::Serialize;

use super::solve::{Facing, Iteration, Profile};
use super::StochasticGame;
use crate::error::{Error, Result};

/// How the other agent's policy arises when an agent's POWER is computed.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub enum Protocol {
    /// The other agent follows its seed policy.
    Fixed,
    /// The other agent best-responds (greedily, ties split) to this agent's seed policy.
    Optimal,
    /// As `Optimal`, with `π(b) ∝ exp(β Q(b))`.
    Boltzmann(f64),
    /// H best-responds to A's seed policy (`π_H`); A best-responds to `π_H`
    /// (A's POWER); H's POWER is the value of `π_H` against A's response.
    PowerPlay,
}

/// How one player's values are computed in [`respond`].
#[derive(Clone, Copy, Debug)]
pub struct Responder {
    /// The player's discount and stopping rule.
    pub iteration: Iteration,
    /// Boltzmann responses take `π(a) ∝ exp(β·Q(a)/q_unit)`: the unit of the
    /// player's action values (1, unless the caller's values are a multiple
    /// of the game's, as when one round of play spans several steps).
    pub q_unit: f64,
}

impl Responder {
    /// A player with these iteration settings and unit action values.
    pub fn new(iteration: Iteration) -> Self {
        Responder { iteration, q_unit: 1.0 }
    }
}

/// The greedy (ties within `tie` split evenly) or Boltzmann (`β`) policy of
/// action values `q[s][a]`.
fn policy_of(q: Vec<Vec<f64>>, tie: f64, beta: Option<f64>) -> Vec<Vec<f64>> {
    q.into_iter()
        .map(|mut qs| {
            let best = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            match beta {
                Some(b) => {
                    qs.iter_mut().for_each(|x| *x = (b * (*x - best)).exp());
                    let total: f64 = qs.iter().sum();
                    qs.iter_mut().for_each(|x| *x /= total);
                }
                None => {
                    let tied = qs.iter().filter(|&&x| x >= best - tie).count() as f64;
                    qs.iter_mut()
                        .for_each(|x| *x = if *x >= best - tie { 1.0 / tied } else { 0.0 });
                }
            }
            qs
        })
        .collect()
}

/// Player `i`'s best response to `profile` as a policy (greedy with even
/// ties, or Boltzmann with `beta`), its optimal values, and the MDP it faced.
pub fn best_response_policy(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    i: usize,
    player: &Responder,
    beta: Option<f64>,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let it = &player.iteration;
    let facing = Facing::new(game, &r[i], profile, i);
    let v = facing.optimal(it, vec![0.0; game.n_states()])?;
    let tie = 2.0 * it.tolerance / (1.0 - it.gamma);
    let policy = policy_of(facing.action_values(it.gamma, &v), tie, beta.map(|b| b / player.q_unit));
    Ok((policy, v))
}

/// Both players' POWER per state (`(1 − γ_i)` times the values) under
/// `protocol`, from the seed profile `seeds` (two players), each player's
/// values computed with its own [`Responder`] settings.
pub fn respond(
    game: &StochasticGame,
    r: &[Vec<f64>],
    seeds: &Profile,
    protocol: Protocol,
    players: &[Responder; 2],
) -> Result<[Vec<f64>; 2]> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "response protocols are defined for 2 players; this game has {}",
            game.n_players()
        )));
    }
    let ns = game.n_states();
    let it = |i: usize| &players[i].iteration;
    let scale = |i: usize, v: Vec<f64>| v.into_iter().map(|x| (1.0 - it(i).gamma) * x).collect::<Vec<f64>>();
    let optimal = |i: usize, profile: &Profile| Facing::new(game, &r[i], profile, i).optimal(it(i), vec![0.0; ns]);
    let beta = match protocol {
        Protocol::Boltzmann(b) => Some(b),
        _ => None,
    };
    Ok(match protocol {
        Protocol::Fixed => [scale(0, optimal(0, seeds)?), scale(1, optimal(1, seeds)?)],
        Protocol::Optimal | Protocol::Boltzmann(_) => {
            let (pi_h, _) = best_response_policy(game, r, seeds, 0, &players[0], beta)?;
            let (pi_a, _) = best_response_policy(game, r, seeds, 1, &players[1], beta)?;
            let against_a = vec![seeds[0].clone(), pi_a];
            let against_h = vec![pi_h, seeds[1].clone()];
            [scale(0, optimal(0, &against_a)?), scale(1, optimal(1, &against_h)?)]
        }
        Protocol::PowerPlay => {
            let (pi_h, v_h) = best_response_policy(game, r, seeds, 0, &players[0], None)?;
            let with_h = vec![pi_h, seeds[1].clone()];
            let (pi_a, v_a) = best_response_policy(game, r, &with_h, 1, &players[1], None)?;
            let [pi_h, _] = <[Vec<Vec<f64>>; 2]>::try_from(with_h).expect("two players");
            let against_a = vec![Vec::new(), pi_a];
            let v = Facing::new(game, &r[0], &against_a, 0).evaluate(&pi_h, it(0), v_h)?;
            [scale(0, v), scale(1, v_a)]
        }
    })
}

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

use super::solve::{best_response_values, evaluate, joint_weights, Iteration, Profile};
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

/// Player `i`'s action values `Q_i(s, a_i)` against the others' strategies
/// in `profile`, from its values `v`.
fn action_values(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    i: usize,
    v: &[f64],
    gamma: f64,
) -> Vec<Vec<f64>> {
    (0..game.n_states())
        .map(|s| {
            let w = joint_weights(game, profile, s, Some(i));
            let mut q = vec![0.0; game.n_actions(s, i)];
            for (local, ja) in game.joint_actions(s).enumerate() {
                if w[local] != 0.0 {
                    let (next, prob) = game.successors(ja);
                    let cont: f64 = next.iter().zip(prob).map(|(&t, p)| p * v[t as usize]).sum();
                    q[game.digit(s, local, i)] += w[local] * (r[i][ja] + gamma * cont);
                }
            }
            q
        })
        .collect()
}

/// Player `i`'s best response to `profile` as a policy (greedy with even
/// ties, or Boltzmann with `beta`) and its optimal values.
pub fn best_response_policy(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    i: usize,
    it: &Iteration,
    beta: Option<f64>,
) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let v = best_response_values(game, r, profile, i, it)?;
    let q = action_values(game, r, profile, i, &v, it.gamma);
    let tie = 2.0 * it.tolerance / (1.0 - it.gamma);
    let policy = q
        .iter()
        .map(|qs| match beta {
            Some(b) => {
                let best = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = qs.iter().map(|x| (b * (x - best)).exp()).collect();
                let total: f64 = e.iter().sum();
                e.into_iter().map(|x| x / total).collect()
            }
            None => {
                let best = qs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let tied = qs.iter().filter(|&&x| x >= best - tie).count() as f64;
                qs.iter()
                    .map(|&x| if x >= best - tie { 1.0 / tied } else { 0.0 })
                    .collect()
            }
        })
        .collect();
    Ok((policy, v))
}

/// Both players' POWER per state (`(1 − γ)` times the values) under
/// `protocol`, from the seed profile `seeds` (two players).
pub fn respond(
    game: &StochasticGame,
    r: &[Vec<f64>],
    seeds: &Profile,
    protocol: Protocol,
    it: &Iteration,
) -> Result<[Vec<f64>; 2]> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "response protocols are defined for 2 players; this game has {}",
            game.n_players()
        )));
    }
    let scale = |v: Vec<f64>| v.into_iter().map(|x| (1.0 - it.gamma) * x).collect::<Vec<f64>>();
    let beta = match protocol {
        Protocol::Boltzmann(b) => Some(b),
        _ => None,
    };
    Ok(match protocol {
        Protocol::Fixed => [
            scale(best_response_values(game, r, seeds, 0, it)?),
            scale(best_response_values(game, r, seeds, 1, it)?),
        ],
        Protocol::Optimal | Protocol::Boltzmann(_) => {
            let (pi_h, _) = best_response_policy(game, r, seeds, 0, it, beta)?;
            let (pi_a, _) = best_response_policy(game, r, seeds, 1, it, beta)?;
            let against_a = vec![seeds[0].clone(), pi_a];
            let against_h = vec![pi_h, seeds[1].clone()];
            [
                scale(best_response_values(game, r, &against_a, 0, it)?),
                scale(best_response_values(game, r, &against_h, 1, it)?),
            ]
        }
        Protocol::PowerPlay => {
            let (pi_h, _) = best_response_policy(game, r, seeds, 0, it, None)?;
            let with_h = vec![pi_h.clone(), seeds[1].clone()];
            let (pi_a, v_a) = best_response_policy(game, r, &with_h, 1, it, None)?;
            let v = evaluate(game, r, &vec![pi_h, pi_a], it)?;
            [scale(v[0].clone()), scale(v_a)]
        }
    })
}

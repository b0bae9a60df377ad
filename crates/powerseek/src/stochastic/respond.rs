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
//!
//! Over many reward samples, [`Prepared`] flattens the MDPs the players face
//! against the seed profile once (only their rewards change per sample) and
//! each thread refills one [`Workspace`]: the same numbers as [`respond`],
//! bit for bit, without rebuilding what the samples share.

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

/// Turn action values `q[s][a]` in place into the greedy (ties within `tie`
/// split evenly) or Boltzmann (`β`) policy.
fn policy_of(q: &mut [Vec<f64>], tie: f64, beta: Option<f64>) {
    for qs in q {
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
    }
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
    responding(&Facing::new(game, &r[i], profile, i), player, beta)
}

/// The best response of a player facing `facing` (greedy with even ties,
/// or Boltzmann with `beta`) and its optimal values, from 0.
fn responding(facing: &Facing, player: &Responder, beta: Option<f64>) -> Result<(Vec<Vec<f64>>, Vec<f64>)> {
    let mut policy = Vec::new();
    let v = respond_into(facing, player, beta, &mut policy)?;
    Ok((policy, v))
}

/// [`responding`] with the policy written into `policy` (its buffers reused).
fn respond_into(
    facing: &Facing,
    player: &Responder,
    beta: Option<f64>,
    policy: &mut Vec<Vec<f64>>,
) -> Result<Vec<f64>> {
    let it = &player.iteration;
    let v = facing.optimal(it, vec![0.0; facing.n_states()])?;
    let tie = 2.0 * it.tolerance / (1.0 - it.gamma);
    facing.action_values_into(it.gamma, &v, policy);
    policy_of(policy, tie, beta.map(|b| b / player.q_unit));
    Ok(v)
}

/// Both players' POWER per state (`(1 − γ_i)` times the values) under
/// `protocol`, from the seed profile `seeds` (two players), each player's
/// values computed with its own [`Responder`] settings. For many reward
/// samples, [`Prepared`] gives the same numbers without rebuilding what the
/// samples share.
pub fn respond(
    game: &StochasticGame,
    r: &[Vec<f64>],
    seeds: &Profile,
    protocol: Protocol,
    players: &[Responder; 2],
) -> Result<[Vec<f64>; 2]> {
    let prepared = Prepared::new(game, seeds, protocol, players)?;
    prepared.respond(r, &mut prepared.workspace())
}

/// [`respond`] prepared for many reward samples of one game, seed profile,
/// protocol and pair of players: each player's MDP against the other's seed
/// policy is flattened once (between samples only its rewards change).
/// Shared by the threads; each brings its own [`Workspace`].
#[derive(Clone, Debug)]
pub struct Prepared<'g> {
    game: &'g StochasticGame,
    seeds: [&'g [Vec<f64>]; 2],
    protocol: Protocol,
    players: [Responder; 2],
    /// Player `i`'s MDP against the other's seed strategy (rewards 0), where
    /// the protocol asks for it.
    against_seeds: [Option<Facing>; 2],
}

/// The buffers one thread reuses across the reward samples of a [`Prepared`]
/// response: its MDPs against the seeds (their rewards replaced per sample),
/// one against the other player's per-sample response, and the two
/// responses' policies. Made by [`Prepared::workspace`], and only meaningful
/// with that `Prepared` (its MDPs were flattened against those seeds).
#[derive(Clone, Debug)]
pub struct Workspace {
    against_seeds: [Option<Facing>; 2],
    facing: Facing,
    policies: [Vec<Vec<f64>>; 2],
}

/// Player `i`'s MDP of `facings` (against the seed strategies), given
/// stage rewards `r_i`.
fn with_rewards<'f>(facings: &'f mut [Option<Facing>; 2], game: &StochasticGame, r_i: &[f64], i: usize) -> &'f Facing {
    let facing = facings[i].as_mut().expect("prepared for this protocol");
    facing.set_rewards(game, r_i);
    facing
}

impl<'g> Prepared<'g> {
    /// Check the game has two players and flatten the MDPs against the seeds.
    pub fn new(
        game: &'g StochasticGame,
        seeds: &'g Profile,
        protocol: Protocol,
        players: &[Responder; 2],
    ) -> Result<Self> {
        if game.n_players() != 2 {
            return Err(Error::invalid(format!(
                "response protocols are defined for 2 players; this game has {}",
                game.n_players()
            )));
        }
        if seeds.len() != 2 {
            return Err(Error::invalid(format!(
                "response protocols need a seed profile of 2 players; got {}",
                seeds.len()
            )));
        }
        let seeds = [seeds[0].as_slice(), seeds[1].as_slice()];
        // H's MDP against A's seed policy serves every protocol; A's, all but POWERplay.
        let zero = vec![0.0; game.n_joint_actions()];
        let against_seeds = [0, 1].map(|i| {
            (i == 0 || protocol != Protocol::PowerPlay).then(|| {
                let mut facing = Facing::default();
                facing.rebuild(game, &zero, &seeds, i);
                facing
            })
        });
        Ok(Prepared {
            game,
            seeds,
            protocol,
            players: *players,
            against_seeds,
        })
    }

    /// Fresh buffers for one thread.
    pub fn workspace(&self) -> Workspace {
        Workspace {
            against_seeds: self.against_seeds.clone(),
            facing: Facing::default(),
            policies: [Vec::new(), Vec::new()],
        }
    }

    /// Both players' POWER per state for stage rewards `r` (as [`respond`]).
    pub fn respond(&self, r: &[Vec<f64>], ws: &mut Workspace) -> Result<[Vec<f64>; 2]> {
        let (game, seeds) = (self.game, &self.seeds);
        let it = |i: usize| &self.players[i].iteration;
        let scale = |i: usize, v: Vec<f64>| v.into_iter().map(|x| (1.0 - it(i).gamma) * x).collect::<Vec<f64>>();
        let zeros = || vec![0.0; game.n_states()];
        let beta = match self.protocol {
            Protocol::Boltzmann(b) => Some(b),
            _ => None,
        };
        Ok(match self.protocol {
            Protocol::Fixed => {
                let v_h = with_rewards(&mut ws.against_seeds, game, &r[0], 0).optimal(it(0), zeros())?;
                let v_a = with_rewards(&mut ws.against_seeds, game, &r[1], 1).optimal(it(1), zeros())?;
                [scale(0, v_h), scale(1, v_a)]
            }
            Protocol::Optimal | Protocol::Boltzmann(_) => {
                let [pi_h, pi_a] = &mut ws.policies;
                let seed_h = with_rewards(&mut ws.against_seeds, game, &r[0], 0);
                respond_into(seed_h, &self.players[0], beta, pi_h)?;
                let seed_a = with_rewards(&mut ws.against_seeds, game, &r[1], 1);
                respond_into(seed_a, &self.players[1], beta, pi_a)?;
                ws.facing.rebuild(game, &r[0], &[seeds[0], pi_a], 0);
                let v_h = ws.facing.optimal(it(0), zeros())?;
                ws.facing.rebuild(game, &r[1], &[pi_h, seeds[1]], 1);
                let v_a = ws.facing.optimal(it(1), zeros())?;
                [scale(0, v_h), scale(1, v_a)]
            }
            Protocol::PowerPlay => {
                let [pi_h, pi_a] = &mut ws.policies;
                let seed_h = with_rewards(&mut ws.against_seeds, game, &r[0], 0);
                let v_h = respond_into(seed_h, &self.players[0], None, pi_h)?;
                ws.facing.rebuild(game, &r[1], &[pi_h, seeds[1]], 1);
                let v_a = respond_into(&ws.facing, &self.players[1], None, pi_a)?;
                // H's policy is evaluated, not optimised: only its own actions are needed.
                ws.facing.rebuild_for(game, &r[0], &[seeds[0], pi_a], 0, pi_h);
                let v = ws.facing.evaluate(pi_h, it(0), v_h)?;
                [scale(0, v), scale(1, v_a)]
            }
        })
    }
}

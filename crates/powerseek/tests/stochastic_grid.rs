//! Joint gridworlds as stochastic games: the response protocols of
//! sequential POWER (fixed, optimal, Boltzmann, POWERplay's) computed on the
//! stochastic-game engine reproduce the sequential estimator's per-sample
//! POWER on POWERplay's 3×3 grid, prepared responses and MDPs refilled in
//! place are bit for bit the fresh ones, and the equilibrium of a
//! constant-sum gridworld game conserves POWER.

#![allow(clippy::needless_range_loop)]

use powerseek::mdp::gridworld;
use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
use powerseek::multiagent::sequential::{sample_powers, Response, SeedPolicies, SequentialOptions};
use powerseek::stochastic::respond::{respond, Protocol, Responder};
use powerseek::stochastic::reward::{stage_rewards, Site};
use powerseek::stochastic::solve::{self, shapley, Iteration};
use powerseek::stochastic::Play;

fn grid(text: &str, turns: Turns) -> JointDynamics {
    let grid = Grid::from_gridworld(&gridworld::parse(text, "g").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns,
        no_overlap: false,
        noise: 0.0,
    };
    JointDynamics::new(&grid, &opts).unwrap()
}

#[test]
fn response_protocols_match_the_sequential_estimator() {
    let dynamics = grid("...\n...\n...\n", Turns::Simultaneous);
    let game = dynamics.stochastic_game().unwrap();
    assert_eq!(game.n_states(), 81);
    assert_eq!(game.play(), Play::Simultaneous);
    let seeds = SeedPolicies::uniform(&dynamics);
    let uniform = solve::uniform_profile(&game);
    let cases = [
        (Response::Fixed, Protocol::Fixed),
        (Response::Optimal, Protocol::Optimal),
        (Response::Boltzmann(3.0), Protocol::Boltzmann(3.0)),
        (Response::PowerPlay, Protocol::PowerPlay),
    ];
    for (response, protocol) in cases {
        for rho in [-1.0, 0.0, 0.5] {
            let opts = SequentialOptions {
                gamma: [0.2, 0.2],
                rho,
                response,
                samples: 2,
                seed: 11,
                tolerance: 1e-10,
                ..Default::default()
            };
            for k in 0..3 {
                let (rewards, powers) = sample_powers(&dynamics, &seeds, &opts, k).unwrap();
                let r = stage_rewards(&game, Site::State, &rewards);
                let it = Iteration {
                    gamma: 0.2,
                    tolerance: 1e-10,
                    max_iterations: 100_000,
                    ..Default::default()
                };
                let ours = respond(&game, &r, &uniform, protocol, &[Responder::new(it); 2]).unwrap();
                for agent in 0..2 {
                    for s in 0..81 {
                        let d = (ours[agent][s] - powers[agent][s]).abs();
                        assert!(d < 1e-7, "{response:?} ρ={rho} sample {k} agent {agent} state {s}: {d}");
                    }
                }
            }
        }
    }
}

#[test]
fn constant_sum_gridworld_equilibrium_conserves_power() {
    for turns in [Turns::Simultaneous, Turns::Alternating] {
        let dynamics = grid("..\n.#\n", turns);
        let game = dynamics.stochastic_game().unwrap();
        let n = game.n_states();
        // r_A = 1 − r_H per state, H's reward a fixed pattern.
        let h: Vec<f64> = (0..n).map(|s| ((s * 7) % 5) as f64 / 4.0).collect();
        let a: Vec<f64> = h.iter().map(|x| 1.0 - x).collect();
        let r = stage_rewards(&game, Site::State, &[h, a]);
        let it = Iteration {
            gamma: 0.9,
            tolerance: 1e-9,
            max_iterations: 100_000,
            ..Default::default()
        };
        let s = shapley(&game, &r, &it).unwrap();
        assert!(
            s.converged && s.certificate.bound < 1e-6,
            "{turns:?}: {}",
            s.certificate.bound
        );
        for st in 0..n {
            let total = s.certificate.power[0][st] + s.certificate.power[1][st];
            assert!(
                (total - 1.0).abs() <= s.certificate.bound,
                "{turns:?} state {st}: {total}"
            );
        }
    }
}

/// The MDP `agent` faces when the other follows `other_policy`
/// ([`JointDynamics::induced`]: the other's moves folded into its
/// transitions) and its optimal values by the single-agent MDP solver.
fn induced(
    d: &JointDynamics,
    agent: usize,
    other_policy: &[f64],
    gamma: f64,
    r: &[f64],
) -> (powerseek::mdp::Mdp, Vec<f64>) {
    use powerseek::mdp::solve::{optimal_values, SolverOptions};
    let empty: &[f64] = &[];
    let policies: Vec<&[f64]> = if agent == 0 {
        vec![empty, other_policy]
    } else {
        vec![other_policy, empty]
    };
    let mdp = d.induced(agent, &policies).unwrap();
    let opts = SolverOptions {
        tolerance: 1e-11,
        ..Default::default()
    };
    let v = optimal_values(&mdp, gamma, r, opts).unwrap();
    (mdp, v)
}

/// Reference by a different route: each agent's POWER as single-agent POWER
/// `(1 − γ)/γ·(V − r)` in the MDP it faces.
fn induced_power(d: &JointDynamics, agent: usize, other_policy: &[f64], gamma: f64, r: &[f64]) -> Vec<f64> {
    let (_, v) = induced(d, agent, other_policy, gamma, r);
    v.iter().zip(r).map(|(v, r)| (1.0 - gamma) / gamma * (v - r)).collect()
}

/// The greedy policy table of `agent` (ties within 1e-9 split) in the MDP
/// against `other_policy`.
fn induced_greedy(d: &JointDynamics, agent: usize, other_policy: &[f64], gamma: f64, r: &[f64]) -> Vec<f64> {
    let (mdp, v) = induced(d, agent, other_policy, gamma, r);
    let mut table = vec![0.0; mdp.n_state_actions()];
    for s in 0..mdp.n_states() {
        let q: Vec<f64> = mdp
            .actions(s)
            .map(|a| {
                let (next, prob) = mdp.successors(a);
                next.iter().zip(prob).map(|(&t, p)| p * v[t as usize]).sum()
            })
            .collect();
        let best = q.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let tied = q.iter().filter(|&&x| x >= best - 1e-9).count() as f64;
        for (a, x) in mdp.actions(s).zip(&q) {
            table[a] = if *x >= best - 1e-9 { 1.0 / tied } else { 0.0 };
        }
    }
    table
}

#[test]
fn alternating_turns_with_two_discounts_match_the_induced_mdps() {
    for turns in [Turns::Alternating, Turns::Simultaneous] {
        let d = grid("..\n..\n", turns);
        let seeds = SeedPolicies::uniform(&d);
        let gamma = [0.6, 0.85];
        for response in [Response::Fixed, Response::Optimal] {
            let opts = SequentialOptions {
                gamma,
                rho: 0.3,
                response,
                samples: 2,
                seed: 5,
                tolerance: 1e-10,
                ..Default::default()
            };
            for k in 0..3 {
                let (r, p) = sample_powers(&d, &seeds, &opts, k).unwrap();
                let others = match response {
                    Response::Fixed => [seeds.0[1].clone(), seeds.0[0].clone()],
                    _ => [
                        induced_greedy(&d, 1, &seeds.0[0], gamma[1], &r[1]),
                        induced_greedy(&d, 0, &seeds.0[1], gamma[0], &r[0]),
                    ],
                };
                for agent in 0..2 {
                    let want = induced_power(&d, agent, &others[agent], gamma[agent], &r[agent]);
                    for s in 0..d.n_states() {
                        let diff = (p[agent][s] - want[s]).abs();
                        assert!(
                            diff < 1e-8,
                            "{turns:?} {response:?} sample {k} agent {agent} state {s}: {diff}"
                        );
                    }
                }
            }
        }
    }
}

/// A seed profile of `game` with some zero probabilities: at every state each
/// player skips its first action when it has several.
fn sparse_profile(game: &powerseek::stochastic::StochasticGame) -> solve::Profile {
    (0..2)
        .map(|i| {
            (0..game.n_states())
                .map(|s| {
                    let k = game.n_actions(s, i);
                    (0..k)
                        .map(|a| {
                            if k == 1 {
                                1.0
                            } else if a == 0 {
                                0.0
                            } else {
                                1.0 / (k - 1) as f64
                            }
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

#[test]
fn prepared_responses_and_refilled_mdps_are_bit_for_bit_the_fresh_ones() {
    use powerseek::stochastic::respond::Prepared;
    use powerseek::stochastic::solve::Facing;
    let it = Iteration {
        gamma: 0.6,
        tolerance: 1e-9,
        max_iterations: 100_000,
        ..Default::default()
    };
    for turns in [Turns::Simultaneous, Turns::Alternating] {
        let mut dynamics = grid("..\n..\n", turns);
        if turns == Turns::Simultaneous {
            // Noise gives several successors per joint action.
            let g = Grid::from_gridworld(&gridworld::parse("..\n..\n", "g").unwrap()).unwrap();
            let opts = JointOptions {
                agents: 2,
                turns,
                no_overlap: false,
                noise: 0.2,
            };
            dynamics = JointDynamics::new(&g, &opts).unwrap();
        }
        let game = dynamics.stochastic_game().unwrap();
        let ns = game.n_states();
        let rewards = |k: usize| -> Vec<Vec<f64>> {
            let values: Vec<Vec<f64>> = (0..2)
                .map(|i| (0..ns).map(|s| ((s * 7 + k * 13 + i * 5) % 11) as f64 / 10.0).collect())
                .collect();
            stage_rewards(&game, Site::State, &values)
        };
        for seeds in [solve::uniform_profile(&game), sparse_profile(&game)] {
            for protocol in [
                Protocol::Fixed,
                Protocol::Optimal,
                Protocol::Boltzmann(2.0),
                Protocol::PowerPlay,
            ] {
                let players = [Responder::new(it); 2];
                let prepared = Prepared::new(&game, &seeds, protocol, &players).unwrap();
                let mut ws = prepared.workspace();
                for k in [0, 1, 2, 1, 0] {
                    let r = rewards(k);
                    let fresh = respond(&game, &r, &seeds, protocol, &players).unwrap();
                    let reused = prepared.respond(&r, &mut ws).unwrap();
                    assert_eq!(fresh, reused, "{turns:?} {protocol:?} sample {k}");
                }
            }
            // An MDP refilled in place, or given new rewards, is the one built afresh.
            let strategies: Vec<&[Vec<f64>]> = seeds.iter().map(Vec::as_slice).collect();
            for i in 0..2 {
                let mut refilled = Facing::new(&game, &rewards(5)[i], &seeds, i);
                refilled.set_rewards(&game, &rewards(3)[i]);
                let fresh = Facing::new(&game, &rewards(3)[i], &seeds, i);
                let v = fresh.optimal(&it, vec![0.0; ns]).unwrap();
                assert_eq!(refilled.optimal(&it, vec![0.0; ns]).unwrap(), v);
                assert_eq!(refilled.action_values(it.gamma, &v), fresh.action_values(it.gamma, &v));
                // Restricted to the support of a policy, its evaluation is unchanged.
                let own = &sparse_profile(&game)[i];
                let mut restricted = Facing::default();
                restricted.rebuild_for(&game, &rewards(3)[i], &strategies, i, own);
                assert_eq!(
                    restricted.evaluate(own, &it, vec![0.0; ns]).unwrap(),
                    fresh.evaluate(own, &it, vec![0.0; ns]).unwrap()
                );
            }
        }
    }
}

//! Joint gridworlds as stochastic games: the response protocols of
//! sequential POWER (fixed, optimal, Boltzmann, POWERplay's) computed on the
//! stochastic-game engine reproduce the sequential estimator's per-sample
//! POWER on POWERplay's 3×3 grid, and the equilibrium of a constant-sum
//! gridworld game conserves POWER.

#![allow(clippy::needless_range_loop)]

use powerseek::mdp::gridworld;
use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
use powerseek::multiagent::sequential::{sample_powers, Response, SeedPolicies, SequentialOptions};
use powerseek::stochastic::respond::{respond, Protocol};
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
                let ours = respond(&game, &r, &uniform, protocol, &it).unwrap();
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

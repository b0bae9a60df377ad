//! POWER at equilibrium in stochastic games: two agents on a gridworld moving
//! simultaneously, constant-sum rewards per joint state (`r_A = 1 − r_H`),
//! Shapley's value iteration per reward sample with its exploitability
//! certificate; and POWERplay's reward-correlation run (3×3 grid with stay,
//! 81 joint states, γ = 0.2, ρ = 0) under POWERplay's protocol on the same
//! engine. Run with
//! `cargo bench -p powerseek --bench stochastic [-- --size 5 --samples 1000 --gamma 0.9]`.

use std::time::Instant;

use powerseek::mdp::gridworld;
use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
use powerseek::stochastic::power::{stochastic_power, Horizon, Method, Rewards, StochasticOptions};
use powerseek::stochastic::respond::{Prepared, Protocol, Responder};
use powerseek::stochastic::reward::{stage_rewards, Joint, RewardModel, Site};
use powerseek::stochastic::solve::{uniform_profile, Iteration};
use powerseek::NoProgress;

fn square(size: usize) -> JointDynamics {
    let text: String = (0..size).map(|_| ".".repeat(size) + "\n").collect();
    let grid = Grid::from_gridworld(&gridworld::parse(&text, "grid").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns: Turns::Simultaneous,
        no_overlap: false,
        noise: 0.0,
    };
    JointDynamics::new(&grid, &opts).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str, default: &str| -> String {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
            .unwrap_or_else(|| default.to_string())
    };
    let size: usize = value("--size", "5").parse().unwrap();
    let samples: usize = value("--samples", "1000").parse().unwrap();
    let gamma: f64 = value("--gamma", "0.9").parse().unwrap();

    let game = square(size).stochastic_game().unwrap();
    let model = RewardModel {
        joint: Joint::ConstantSum(None),
        site: Site::State,
        ..Default::default()
    };
    let opts = StochasticOptions {
        horizon: Horizon::Discounted(gamma),
        method: Method::Equilibrium,
        samples,
        tolerance: 1e-7,
        ..Default::default()
    };
    let t = Instant::now();
    let rep = stochastic_power(&game, &Rewards::Random(model), &opts, &NoProgress).unwrap();
    let worst_sum = rep.total_power.iter().map(|e| (e.mean - 1.0).abs()).fold(0.0, f64::max);
    println!(
        "{size}x{size} grid, {} joint states, γ = {gamma}, {samples} constant-sum samples, {}: {:.2} s; \
         max exploitability {:.2e} (target {:.0e}, reached: {}); max |ΣPOWER − 1| {:.2e}; unconverged {}",
        game.n_states(),
        rep.method,
        t.elapsed().as_secs_f64(),
        rep.max_exploitability,
        rep.target_exploitability,
        rep.target_reached,
        worst_sum,
        rep.unconverged_samples
    );

    // POWERplay's reward-correlation run on the same engine.
    let dynamics = square(3);
    let game = dynamics.stochastic_game().unwrap();
    let model = RewardModel {
        joint: Joint::Correlated(0.0),
        site: Site::State,
        ..Default::default()
    };
    let it = Iteration {
        gamma: 0.2,
        tolerance: 1e-6,
        max_iterations: 100_000,
        ..Default::default()
    };
    let seeds = uniform_profile(&game);
    let t = Instant::now();
    let prepared = Prepared::new(&game, &seeds, Protocol::PowerPlay, &[Responder::new(it); 2]).unwrap();
    let mut ws = prepared.workspace();
    let mut mean = [0.0; 2];
    for k in 0..1000 {
        let values = model.sample(&game, 0, k).unwrap();
        let r = stage_rewards(&game, Site::State, &values);
        let p = prepared.respond(&r, &mut ws).unwrap();
        for i in 0..2 {
            mean[i] += p[i].iter().sum::<f64>() / p[i].len() as f64 / 1000.0;
        }
    }
    println!(
        "POWERplay protocol, 3x3 with stay (81 joint states), γ = 0.2, ρ = 0, 1000 samples: {:.3} s; mean POWER H {:.4}, A {:.4}",
        t.elapsed().as_secs_f64(),
        mean[0],
        mean[1]
    );
}

//! Joint gridworld environments: the focal agent's induced MDP against a
//! hand-built one, and basic invariants of the construction.

use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::Marginal;
use powerseek::mdp::solve::Horizon;
use powerseek::mdp::{gridworld, MdpBuilder};
use powerseek::multiagent::joint::{
    focal_rewards, induced_mdp, joint_states, uniform_policy, Grid, JointOptions, Turns,
};
use powerseek::progress::NoProgress;

#[test]
fn random_other_agent_matches_the_hand_built_induced_mdp() {
    // Two agents in a 1×3 corridor with stay, alternating turns, no overlap;
    // A moves uniformly at random among the moves it is allowed.
    let grid = Grid::from_gridworld(&gridworld::parse("...\n", "corridor").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns: Turns::Alternating,
        no_overlap: true,
        noise: 0.0,
    };
    let (mdp, states) = induced_mdp(&grid, &opts, 0, &uniform_policy).unwrap();
    // By hand: states (h, a) with h ≠ a, h fastest.
    let pairs: Vec<(usize, usize)> = (0..9).map(|i| (i % 3, i / 3)).filter(|(h, a)| h != a).collect();
    assert_eq!(states, pairs.iter().map(|&(h, a)| vec![h, a]).collect::<Vec<_>>());
    let moves = |c: usize| -> Vec<(&str, usize)> {
        let mut m = Vec::new();
        if c > 0 {
            m.push(("left", c - 1));
        }
        if c < 2 {
            m.push(("right", c + 1));
        }
        m.push(("stay", c));
        m
    };
    let id = |h: usize, a: usize| pairs.iter().position(|&p| p == (h, a)).unwrap();
    let mut b = MdpBuilder::new(mdp.state_names().to_vec());
    for (s, &(h, a)) in pairs.iter().enumerate() {
        for (label, h2) in moves(h).into_iter().filter(|&(_, t)| t == h || t != a) {
            let options: Vec<usize> = moves(a)
                .into_iter()
                .map(|m| m.1)
                .filter(|&t| t == a || t != h2)
                .collect();
            let row: Vec<(usize, f64)> = options
                .iter()
                .map(|&a2| (id(h2, a2), 1.0 / options.len() as f64))
                .collect();
            b.add_action(s, label, &row).unwrap();
        }
    }
    let by_hand = b.build().unwrap();
    let rewards = focal_rewards(&grid, &states, 0, Marginal::Uniform { lo: 0.0, hi: 1.0 });
    let po = PowerOptions {
        horizon: Horizon::Discounted(0.8),
        samples: SampleSize::Count(2_000),
        seed: 3,
        ..Default::default()
    };
    let ours = estimate_power(&mdp, &rewards, &po, &NoProgress).unwrap();
    let theirs = estimate_power(&by_hand, &rewards, &po, &NoProgress).unwrap();
    assert_eq!(ours.power, theirs.power, "exact match for the same seed");
    // H in the middle with A at an end has more POWER than H cornered by A.
    let (middle, cornered) = (ours.power[id(1, 0)].mean, ours.power[id(0, 1)].mean);
    assert!(middle > cornered, "{middle} vs {cornered}");
}

#[test]
fn simultaneous_moves_with_noise_give_valid_mdps() {
    let grid = Grid::from_gridworld(&gridworld::parse("..\n..\n", "room").unwrap()).unwrap();
    for (turns, no_overlap) in [
        (Turns::Simultaneous, true),
        (Turns::Simultaneous, false),
        (Turns::Alternating, false),
    ] {
        let opts = JointOptions {
            agents: 2,
            turns,
            no_overlap,
            noise: 0.2,
        };
        let (mdp, states) = induced_mdp(&grid, &opts, 1, &uniform_policy).unwrap();
        assert_eq!(states.len(), if no_overlap { 12 } else { 16 });
        assert_eq!(mdp.n_states(), states.len());
        // MdpBuilder validated every row; no joint state puts both agents on one cell with no-overlap.
        assert!(!no_overlap || states.iter().all(|s| s[0] != s[1]));
    }
    assert_eq!(
        joint_states(
            &grid,
            &JointOptions {
                agents: 3,
                turns: Turns::Alternating,
                no_overlap: true,
                noise: 0.0
            }
        )
        .unwrap()
        .len(),
        24
    );
}

#[test]
fn shared_cell_rewards_equal_one_hot_features() {
    use powerseek::mdp::reward::RewardDistribution;
    use powerseek::mdp::Features;
    let grid = Grid::from_gridworld(&gridworld::parse("...\n", "corridor").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns: Turns::Alternating,
        no_overlap: false,
        noise: 0.1,
    };
    let (mdp, states) = induced_mdp(&grid, &opts, 1, &uniform_policy).unwrap();
    let marginal = Marginal::Normal { mean: 0.0, sd: 1.0 };
    let shared = focal_rewards(&grid, &states, 1, marginal.clone());
    let mut values = vec![0.0; states.len() * grid.cells];
    for (i, s) in states.iter().enumerate() {
        values[i * grid.cells + s[1]] = 1.0;
    }
    let one_hot = RewardDistribution::Features {
        weights: marginal,
        features: Features {
            names: grid.names.clone(),
            values,
        },
    };
    let po = PowerOptions {
        horizon: Horizon::Discounted(0.7),
        samples: SampleSize::Count(500),
        seed: 1,
        antithetic: true,
        ..Default::default()
    };
    let a = estimate_power(&mdp, &shared, &po, &NoProgress).unwrap();
    let b = estimate_power(&mdp, &one_hot, &po, &NoProgress).unwrap();
    assert_eq!(a.power, b.power);
}

#[test]
fn correlated_rewards_achieve_the_requested_correlation() {
    use powerseek::multiagent::joint::correlated_uniform_rewards;
    use rand::SeedableRng;
    let mut rng = rand_pcg::Pcg64::seed_from_u64(4);
    let n = 200_000;
    for rho in [-1.0, -0.5, 0.0, 0.3, 1.0] {
        let (h, a) = correlated_uniform_rewards(n, rho, 0.0, 1.0, &mut rng).unwrap();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        let (mh, ma) = (mean(&h), mean(&a));
        let cov = h.iter().zip(&a).map(|(x, y)| (x - mh) * (y - ma)).sum::<f64>() / n as f64;
        let var = |v: &[f64], m: f64| v.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / n as f64;
        let corr = cov / (var(&h, mh) * var(&a, ma)).sqrt();
        // Marginals stay uniform: mean 1/2, variance 1/12 (a few SE).
        assert!(
            (ma - 0.5).abs() < 0.005 && (var(&a, ma) - 1.0 / 12.0).abs() < 0.002,
            "ρ = {rho}"
        );
        assert!((corr - rho).abs() < 0.01, "ρ = {rho}: achieved {corr}");
    }
    assert!(correlated_uniform_rewards(3, 1.5, 0.0, 1.0, &mut rng).is_err());
}

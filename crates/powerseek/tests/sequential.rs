//! Sequential two-agent POWER: the POWERplay protocol's per-sample
//! invariants, the ρ sweep's ordering, and consistency between response modes.

#![allow(clippy::needless_range_loop)]

use powerseek::mdp::gridworld;
use powerseek::multiagent::joint::{Grid, JointDynamics, JointOptions, Turns};
use powerseek::multiagent::sequential::{
    per_cell, policy_from_json, rho_sweep, sample_powers, sequential_power, OtherPosition, Response, RewardSite,
    SeedPolicies, SequentialOptions,
};
use powerseek::progress::NoProgress;

/// POWERplay's reward-correlation environment: two agents on a 3×3 grid with
/// stay moves, simultaneous moves, overlap allowed (81 joint states).
fn powerplay_3x3() -> JointDynamics {
    let grid = Grid::from_gridworld(&gridworld::parse("...\n...\n...\n", "3x3").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns: Turns::Simultaneous,
        no_overlap: false,
        noise: 0.0,
    };
    JointDynamics::new(&grid, &opts).unwrap()
}

fn protocol(rho: f64) -> SequentialOptions {
    SequentialOptions {
        gamma: [0.6, 0.6],
        rho,
        response: Response::PowerPlay,
        samples: 40,
        seed: 7,
        tolerance: 1e-9,
        ..Default::default()
    }
}

#[test]
fn identical_rewards_give_identical_power_per_sample() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    for k in 0..20 {
        let (r, p) = sample_powers(&d, &seeds, &protocol(1.0), k).unwrap();
        assert_eq!(r[0], r[1]);
        for s in 0..d.n_states() {
            assert!(
                (p[0][s] - p[1][s]).abs() < 1e-7,
                "sample {k}, state {s}: {} vs {}",
                p[0][s],
                p[1][s]
            );
        }
    }
}

#[test]
fn opposed_rewards_give_power_summing_to_one_per_sample() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    for k in 0..20 {
        let (r, p) = sample_powers(&d, &seeds, &protocol(-1.0), k).unwrap();
        assert!(r[0].iter().zip(&r[1]).all(|(h, a)| (h + a - 1.0).abs() < 1e-15));
        for s in 0..d.n_states() {
            let total = p[0][s] + p[1][s];
            assert!((total - 1.0).abs() < 1e-7, "sample {k}, state {s}: sum {total}");
        }
    }
}

#[test]
fn total_power_is_largest_when_aligned_and_smallest_when_opposed() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    let rhos = [-1.0, -0.5, 0.0, 0.5, 1.0];
    let opts = SequentialOptions {
        samples: 200,
        tolerance: 1e-6,
        ..protocol(0.0)
    };
    let sweep = rho_sweep(&d, &seeds, &opts, &rhos, &NoProgress).unwrap();
    let totals: Vec<f64> = sweep.iter().map(|(_, r)| r.mean_total.mean).collect();
    let (lo, hi) = (totals[0], totals[4]);
    assert!(totals.iter().all(|&t| t >= lo && t <= hi), "{totals:?}");
    assert!(hi - lo > 0.1, "{totals:?}");
    // At ρ = −1 the sum is exactly 1 at every state, so its mean is 1 with no spread.
    assert!((lo - 1.0).abs() < 1e-6);
    // The achieved correlation of the rewards matches ρ within sampling error
    // (81 × 200 draws: sd of the sample correlation ≈ 1/√16200 ≈ 0.008).
    for (rho, report) in &sweep {
        assert!(
            (report.reward_correlation - rho).abs() < 0.04,
            "{rho}: {}",
            report.reward_correlation
        );
    }
}

#[test]
fn fixed_policies_ignore_the_correlation_and_zero_temperature_is_uniform() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    let fixed = |rho: f64| SequentialOptions {
        response: Response::Fixed,
        ..protocol(rho)
    };
    // H's rewards are the same draws for every ρ (common random numbers), so
    // against a fixed A its POWER does not move with ρ.
    let (_, a) = sample_powers(&d, &seeds, &fixed(-0.7), 3).unwrap();
    let (_, b) = sample_powers(&d, &seeds, &fixed(0.4), 3).unwrap();
    assert_eq!(a[0], b[0]);
    // A Boltzmann opponent with β = 0 is the uniform seed policy.
    let boltzmann0 = SequentialOptions {
        response: Response::Boltzmann(0.0),
        ..protocol(0.4)
    };
    let (_, c) = sample_powers(&d, &seeds, &boltzmann0, 3).unwrap();
    for s in 0..d.n_states() {
        assert!((b[0][s] - c[0][s]).abs() < 1e-9 && (b[1][s] - c[1][s]).abs() < 1e-9);
    }
    // An optimal opponent with the same reward helps: H's POWER rises on average.
    let optimal = |rho: f64| SequentialOptions {
        response: Response::Optimal,
        samples: 100,
        ..protocol(rho)
    };
    let aligned = sequential_power(&d, &seeds, &optimal(1.0), &NoProgress).unwrap();
    let against_random = sequential_power(&d, &seeds, &fixed(1.0), &NoProgress).unwrap();
    assert!(aligned.mean_power[0].mean > against_random.mean_power[0].mean);
}

#[test]
fn estimates_do_not_depend_on_the_thread_count() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    let opts = SequentialOptions {
        samples: 50,
        site: RewardSite::OwnCell,
        ..protocol(0.3)
    };
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| sequential_power(&d, &seeds, &opts, &NoProgress).unwrap())
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.power[0], two.power[0]);
    assert_eq!(one.mean_total, two.mean_total);
}

#[test]
fn seed_policies_load_from_json_with_clear_errors() {
    let d = powerplay_3x3();
    let uniform = |s: usize| {
        let slots = d.slots(1, s);
        let p = 1.0 / slots.len() as f64;
        let moves: Vec<String> = slots.map(|x| format!("\"{}\": {p}", d.move_name(1, x))).collect();
        format!("\"{}\": {{{}}}", d.state_names()[s], moves.join(", "))
    };
    let all: Vec<String> = (0..d.n_states()).map(uniform).collect();
    let text = format!("{{{}}}", all.join(",\n"));
    let table = policy_from_json(&d, 1, &text, "seed.json").unwrap();
    let expected = d.uniform_policy(1);
    assert!(table.iter().zip(&expected).all(|(a, b)| (a - b).abs() < 1e-15));

    let missing = format!("{{{}}}", all[1..].join(",\n"));
    let err = policy_from_json(&d, 1, &missing, "seed.json").unwrap_err().to_string();
    assert!(err.contains("seed.json") && err.contains(&d.state_names()[0]), "{err}");
    let bad_move = text.replacen("\"stay\"", "\"jump\"", 1);
    let err = policy_from_json(&d, 1, &bad_move, "seed.json").unwrap_err().to_string();
    assert!(err.contains("no move 'jump'"), "{err}");
    let not_normalised = text.replacen("\"stay\": 0.", "\"stay\": 1.", 1);
    let err = policy_from_json(&d, 1, &not_normalised, "seed.json")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a probability distribution"), "{err}");
    let err = policy_from_json(&d, 1, "{", "seed.json").unwrap_err().to_string();
    assert!(err.starts_with("seed.json:"), "{err}");
}

#[test]
fn bad_options_are_rejected() {
    let d = powerplay_3x3();
    let seeds = SeedPolicies::uniform(&d);
    for bad in [
        SequentialOptions {
            gamma: [1.0, 0.5],
            ..Default::default()
        },
        SequentialOptions {
            rho: 1.5,
            ..Default::default()
        },
        SequentialOptions {
            response: Response::Boltzmann(f64::NAN),
            ..Default::default()
        },
    ] {
        assert!(sequential_power(&d, &seeds, &bad, &NoProgress).is_err());
    }
}

#[test]
fn per_cell_summaries_place_the_other_agent_as_asked() {
    let grid = Grid::from_gridworld(&gridworld::parse("...\n...\n", "2x3").unwrap()).unwrap();
    let opts = JointOptions {
        agents: 2,
        turns: Turns::Alternating,
        no_overlap: true,
        noise: 0.0,
    };
    let d = JointDynamics::new(&grid, &opts).unwrap();
    // A value that encodes both positions: 10·(H's cell) + (A's cell).
    let values: Vec<f64> = (0..d.n_states())
        .map(|s| (10 * d.position(s, 0) + d.position(s, 1)) as f64)
        .collect();
    let at = per_cell(&d, 0, &values, OtherPosition::At(4));
    for c in 0..6 {
        if c == 4 {
            assert!(at[c].is_nan(), "no-overlap: H is never on A's cell");
        } else {
            assert_eq!(at[c], (10 * c + 4) as f64);
        }
    }
    let uniform = per_cell(&d, 1, &values, OtherPosition::Uniform);
    // A at cell 2: H is on any of the other 5 cells, mean of 10·h over them.
    let expected = [0, 1, 3, 4, 5].iter().map(|&h| (10 * h + 2) as f64).sum::<f64>() / 5.0;
    assert!((uniform[2] - expected).abs() < 1e-12);
}

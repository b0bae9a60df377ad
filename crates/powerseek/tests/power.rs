//! POWER against independent references: closed forms, brute-force
//! enumeration with a naive scalar solver, and the properties in docs/theory.md §2.
#![allow(clippy::needless_range_loop)]

use powerseek::mdp::power::{estimate_power, PowerOptions, PowerReport, SampleSize};
use powerseek::mdp::reward::{Marginal, RewardDistribution};
use powerseek::mdp::solve::{Horizon, Method, SolverOptions};
use powerseek::mdp::{gridworld, Mdp, MdpBuilder};
use powerseek::progress::NoProgress;

/// State 0 chooses among `k` absorbing children.
fn k_children(k: usize) -> Mdp {
    let mut b = MdpBuilder::with_states(k + 1);
    for c in 1..=k {
        b.add_action(0, &format!("to{c}"), &[(c, 1.0)]).unwrap();
        b.add_action(c, "stay", &[(c, 1.0)]).unwrap();
    }
    b.build().unwrap()
}

fn run(mdp: &Mdp, dist: &RewardDistribution, horizon: Horizon, samples: usize, seed: u64) -> PowerReport {
    let opts = PowerOptions {
        horizon,
        samples: SampleSize::Count(samples),
        seed,
        ..Default::default()
    };
    estimate_power(mdp, dist, &opts, &NoProgress).unwrap()
}

fn within(est: &powerseek::stats::Estimate, exact: f64, what: &str) {
    assert!(
        (est.mean - exact).abs() <= 4.0 * est.se + 1e-9,
        "{what}: {} ± {} vs exact {exact}",
        est.mean,
        est.se
    );
}

#[test]
fn k_absorbing_children_give_k_over_k_plus_one_at_every_gamma() {
    for k in [1, 2, 5] {
        let m = k_children(k);
        for h in [
            Horizon::ZeroLimit,
            Horizon::Discounted(0.3),
            Horizon::Discounted(0.95),
            Horizon::OneLimit,
        ] {
            let r = run(&m, &RewardDistribution::uniform(), h, 20_000, 1);
            within(&r.power[0], k as f64 / (k as f64 + 1.0), &format!("k={k}, γ={h}"));
            within(&r.power[1], 0.5, "child");
            // Each child is optimal with probability 1/k by symmetry.
            for a in m.actions(0) {
                assert!((r.actions[a].optimal - 1.0 / k as f64).abs() < 0.03);
            }
        }
    }
}

#[test]
fn negative_rewards_terminal_state_has_power_equal_to_mean_reward() {
    // A terminal state has one action (stay); its POWER is E[R] = 0 under U[-1, 1],
    // not the 0.25 a phantom zero-reward move would give.
    let m = gridworld::parse("T\n", "terminal").unwrap();
    let d = RewardDistribution::Iid("uniform:-1,1".parse().unwrap());
    for h in [
        Horizon::ZeroLimit,
        Horizon::Discounted(0.5),
        Horizon::Discounted(0.99),
        Horizon::OneLimit,
    ] {
        let r = run(&m, &d, h, 20_000, 3);
        within(&r.power[0], 0.0, &format!("γ={h}"));
        assert!(r.power[0].se < 0.01);
    }
}

#[test]
fn chain_power_is_the_mean_reward() {
    // 0 → 1 → 2 ↺: POWER(s) = (1−γ)E[V*(next)] = E[R] whatever γ.
    let mut b = MdpBuilder::with_states(3);
    b.add_action(0, "next", &[(1, 1.0)]).unwrap();
    b.add_action(1, "next", &[(2, 1.0)]).unwrap();
    b.add_action(2, "stay", &[(2, 1.0)]).unwrap();
    let m = b.build().unwrap();
    let d = RewardDistribution::Iid("beta:2,5".parse().unwrap());
    let r = run(&m, &d, Horizon::Discounted(0.7), 20_000, 5);
    for s in 0..3 {
        within(&r.power[s], 2.0 / 7.0, "chain");
    }
}

/// Naive scalar value iteration: the reference solver for brute force.
fn naive_values(m: &Mdp, g: f64, r: &[f64]) -> Vec<f64> {
    let mut v = vec![0.0; m.n_states()];
    loop {
        let new: Vec<f64> = (0..m.n_states())
            .map(|s| {
                let best = m
                    .actions(s)
                    .map(|a| {
                        let (next, p) = m.successors(a);
                        next.iter().zip(p).map(|(&t, &p)| p * v[t as usize]).sum::<f64>()
                    })
                    .fold(f64::NEG_INFINITY, f64::max);
                r[s] + g * best
            })
            .collect();
        let diff = new.iter().zip(&v).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
        v = new;
        if diff < 1e-13 {
            return v;
        }
    }
}

/// Exact POWER by enumerating every reward vector of a finite-support distribution.
fn brute_force_power(m: &Mdp, g: f64, values: &[f64], probs: &[f64]) -> Vec<f64> {
    let n = m.n_states();
    let mut total = vec![0.0; n];
    let combos = values.len().pow(n as u32);
    for mut code in 0..combos {
        let mut r = vec![0.0; n];
        let mut p = 1.0;
        for s in 0..n {
            r[s] = values[code % values.len()];
            p *= probs[code % values.len()];
            code /= values.len();
        }
        let v = naive_values(m, g, &r);
        for s in 0..n {
            total[s] += p * (1.0 - g) / g * (v[s] - r[s]);
        }
    }
    total
}

/// A small random MDP with stochastic and deterministic actions.
fn random_mdp(n: usize, seed: u64) -> Mdp {
    let mut x = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let mut next = |m: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % m
    };
    let mut b = MdpBuilder::with_states(n);
    for s in 0..n {
        let acts = 1 + next(3) as usize;
        for a in 0..acts {
            let t1 = next(n as u64) as usize;
            if next(2) == 0 {
                b.add_action(s, &format!("a{a}"), &[(t1, 1.0)]).unwrap();
            } else {
                let t2 = next(n as u64) as usize;
                b.add_action(s, &format!("a{a}"), &[(t1, 0.3), (t2, 0.7)]).unwrap();
            }
        }
    }
    b.build().unwrap()
}

#[test]
fn monte_carlo_matches_brute_force_enumeration() {
    let values = [0.0, 0.5, 2.0];
    let probs = [0.5, 0.3, 0.2];
    let d = RewardDistribution::Iid(Marginal::Finite {
        values: values.to_vec(),
        probs: probs.to_vec(),
    });
    for seed in 0..4 {
        let m = random_mdp(5, seed);
        let g = 0.8;
        let exact = brute_force_power(&m, g, &values, &probs);
        let r = run(&m, &d, Horizon::Discounted(g), 40_000, seed);
        for s in 0..m.n_states() {
            within(&r.power[s], exact[s], &format!("mdp {seed}, state {s}"));
        }
    }
}

#[test]
fn fork_branch_with_more_options_has_more_power() {
    let m = powerseek::mdp::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/fork.json"
    )))
    .unwrap();
    let r = run(&m, &RewardDistribution::uniform(), Horizon::Discounted(0.9), 20_000, 11);
    let idx = |name: &str| m.state_index(name).unwrap();
    assert!(r.power[idx("many")].mean > r.power[idx("one")].mean + 4.0 * r.power[idx("many")].se);
    let start = idx("start");
    let to = |name: &str| m.actions(start).find(|&a| m.action_name(a) == name).unwrap();
    assert!(
        r.actions[to("right")].optimal > 0.5,
        "the branch with more options is optimal for most rewards"
    );
    assert!(r.seeks_power_over(&m, to("right")).contains(&to("left")));
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let m = gridworld::parse("....\n.#..\n...T\n", "g").unwrap();
    let opts = PowerOptions {
        samples: SampleSize::Count(3_000),
        seed: 9,
        batch: Some(64),
        ..Default::default()
    };
    let go = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap())
    };
    let (one, two) = (go(1), go(2));
    assert_eq!(one.power, two.power);
    assert_eq!(
        one.actions.iter().map(|a| a.optimal).collect::<Vec<_>>(),
        two.actions.iter().map(|a| a.optimal).collect::<Vec<_>>()
    );
}

#[test]
fn many_batches_stream_identically_for_any_thread_count() {
    // 1 250 batches of 8: many waves, each merged as it finishes; the report
    // must not depend on the thread count or on how partials are grouped.
    use powerseek::mdp::power::{finish_power, power_partials};
    let m = gridworld::parse("...\n.#.\n..T\n", "g").unwrap();
    let dist = RewardDistribution::uniform();
    let opts = PowerOptions {
        samples: SampleSize::Count(10_000),
        seed: 4,
        batch: Some(8),
        ..Default::default()
    };
    let go = |threads| {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| estimate_power(&m, &dist, &opts, &NoProgress).unwrap())
    };
    let (one, two, three) = (go(1), go(2), go(3));
    let partials = power_partials(&m, &dist, &opts, 0..10_000, &NoProgress).unwrap();
    let merged = finish_power(&m, &dist, &opts, &partials).unwrap();
    for other in [&two, &three, &merged] {
        assert_eq!(one.power, other.power);
        assert_eq!(one.tie_probability, other.tie_probability);
        let optimal = |r: &PowerReport| {
            r.actions
                .iter()
                .map(|a| (a.optimal, a.optimal_share))
                .collect::<Vec<_>>()
        };
        assert_eq!(optimal(&one), optimal(other));
    }
    assert_eq!(one.samples, 10_000);
}

#[test]
fn antithetic_sampling_agrees_and_reduces_variance() {
    let m = k_children(4);
    let plain = run(&m, &RewardDistribution::uniform(), Horizon::Discounted(0.9), 20_000, 2);
    let opts = PowerOptions {
        horizon: Horizon::Discounted(0.9),
        samples: SampleSize::Count(20_000),
        seed: 2,
        antithetic: true,
        ..Default::default()
    };
    let anti = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    let (a, p) = (anti.power[0], plain.power[0]);
    assert!((a.mean - p.mean).abs() < 4.0 * (a.se * a.se + p.se * p.se).sqrt());
    within(&a, 0.8, "antithetic k=4");
    assert!(a.se < p.se, "antithetic se {} should beat plain {}", a.se, p.se);
}

#[test]
fn target_standard_error_is_reached() {
    let m = k_children(3);
    let opts = PowerOptions {
        samples: SampleSize::StandardError {
            target: 0.002,
            min: 200,
            max: 1_000_000,
        },
        ..Default::default()
    };
    let r = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    assert!(r.max_standard_error() <= 0.002, "{}", r.max_standard_error());
    assert!(r.samples > 200 && r.samples < 100_000, "{}", r.samples);
}

#[test]
fn policy_iteration_matches_value_iteration_near_gamma_one() {
    let m = gridworld::parse("stay = false\n.....\n.#.#.\n.....\n", "g").unwrap();
    let mk = |method| PowerOptions {
        horizon: Horizon::Discounted(0.99),
        solver: SolverOptions {
            method,
            tolerance: 1e-8,
            ..Default::default()
        },
        samples: SampleSize::Count(500),
        seed: 4,
        batch: Some(100),
        ..Default::default()
    };
    let vi = estimate_power(
        &m,
        &RewardDistribution::uniform(),
        &mk(Method::ValueIteration),
        &NoProgress,
    )
    .unwrap();
    let pi = estimate_power(
        &m,
        &RewardDistribution::uniform(),
        &mk(Method::PolicyIteration),
        &NoProgress,
    )
    .unwrap();
    for (a, b) in vi.power.iter().zip(&pi.power) {
        assert!((a.mean - b.mean).abs() < 1e-8, "{} vs {}", a.mean, b.mean);
    }
}

#[test]
fn one_hot_features_reproduce_iid_rewards_exactly() {
    // R = w·φ with φ(s) = e_s and iid weights is the iid distribution, draw for draw.
    let m = gridworld::parse(".T\n..\n", "g").unwrap();
    let n = m.n_states();
    let values = (0..n * n).map(|i| if i % (n + 1) == 0 { 1.0 } else { 0.0 }).collect();
    let features = powerseek::mdp::Features {
        names: (0..n).map(|f| format!("f{f}")).collect(),
        values,
    };
    let m = m.with_features(features).unwrap();
    let iid = run(
        &m,
        &RewardDistribution::Iid("normal:0.2,1".parse().unwrap()),
        Horizon::Discounted(0.8),
        2_000,
        8,
    );
    let feat = run(
        &m,
        &RewardDistribution::parse_for("features:normal:0.2,1", &m).unwrap(),
        Horizon::Discounted(0.8),
        2_000,
        8,
    );
    assert_eq!(iid.power, feat.power);
}

#[test]
fn shipped_examples_load_and_validate() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    let expect = [
        ("fork.json", 7, true),
        ("rooms.grid", 61, true),
        ("maze100.grid", 8443, true),
        ("slippery.mdp", 5, false),
        ("powerplay3x3.grid", 9, true),
    ];
    for (file, states, deterministic) in expect {
        let m = powerseek::mdp::load(&dir.join(file)).unwrap();
        assert_eq!((m.n_states(), m.is_deterministic()), (states, deterministic), "{file}");
    }
}

#[test]
fn partials_from_any_split_merge_into_the_same_report() {
    use powerseek::mdp::power::{finish_power, power_partials, shard_alignment};
    let mdp = gridworld::parse("S..#\n.#..\n...T\n", "small").unwrap();
    let dist = RewardDistribution::uniform();
    let opts = PowerOptions {
        samples: SampleSize::Count(1000),
        batch: Some(16),
        seed: 5,
        ..Default::default()
    };
    let whole = estimate_power(&mdp, &dist, &opts, &NoProgress).unwrap();
    assert_eq!(shard_alignment(), 256);
    // Shards 0..512, 512..768, 768..1000 computed separately, handed over in reverse order.
    let mut partials = Vec::new();
    for range in [768..1000, 512..768, 0..512] {
        partials.extend(power_partials(&mdp, &dist, &opts, range, &NoProgress).unwrap());
    }
    let merged = finish_power(&mdp, &dist, &opts, &partials).unwrap();
    assert_eq!(merged.power, whole.power, "bit for bit");
    assert_eq!(merged.tie_probability, whole.tie_probability);
    assert_eq!(merged.actions.len(), whole.actions.len());
    // Misaligned or incomplete shards are rejected.
    assert!(power_partials(&mdp, &dist, &opts, 5..20, &NoProgress).is_err());
    assert!(finish_power(&mdp, &dist, &opts, &partials[1..]).is_err());
}

#[test]
fn shard_ranges_cover_the_run_on_chunk_boundaries() {
    use powerseek::mdp::power::{finish_power, power_partials, shard_alignment, shard_ranges};
    let mdp = gridworld::parse("S..#\n.#..\n...T\n", "small").unwrap();
    let dist = RewardDistribution::uniform();
    for (samples, antithetic, shards) in [(1000, false, 3), (1001, true, 2), (100, false, 8), (2560, false, 4)] {
        let opts = PowerOptions {
            samples: SampleSize::Count(samples),
            antithetic,
            seed: 9,
            ..Default::default()
        };
        let ranges = shard_ranges(&opts, shards).unwrap();
        assert!(ranges.len() <= shards && !ranges.is_empty());
        let drawn = samples + if antithetic { samples % 2 } else { 0 };
        assert_eq!(ranges[0].start, 0);
        assert_eq!(ranges.last().unwrap().end, drawn);
        for w in ranges.windows(2) {
            assert_eq!(w[0].end, w[1].start);
            assert_eq!(w[1].start % shard_alignment(), 0);
        }
        let mut partials = Vec::new();
        for r in ranges {
            partials.extend(power_partials(&mdp, &dist, &opts, r, &NoProgress).unwrap());
        }
        let whole = estimate_power(&mdp, &dist, &opts, &NoProgress).unwrap();
        assert_eq!(finish_power(&mdp, &dist, &opts, &partials).unwrap().power, whole.power);
    }
    let opts = PowerOptions::default();
    assert!(shard_ranges(&opts, 0).is_err());
    let target = PowerOptions {
        samples: SampleSize::StandardError {
            target: 0.01,
            min: 10,
            max: 100,
        },
        ..Default::default()
    };
    assert!(shard_ranges(&target, 2).is_err());
}

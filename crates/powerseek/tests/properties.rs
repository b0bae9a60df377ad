//! Property tests over random MDPs (proptest): the solvers agree with each
//! other and with themselves under relabelling and batching, and the parsers
//! never panic.

use powerseek::mdp::solve::{Horizon, Method, Solver, SolverOptions};
use powerseek::mdp::{cassandra, gridworld, json, Mdp};
use proptest::prelude::*;

mod common;
use common::{arb_mdp_shaped, MdpShape};

/// A random MDP: 2–6 states, 1–3 actions each, deterministic or
/// two-successor rows.
fn arb_mdp(deterministic: bool) -> impl Strategy<Value = Mdp> {
    let shape = MdpShape {
        states: 2..7,
        actions: 1..4,
        quarters: false,
    };
    arb_mdp_shaped(shape, deterministic)
}

fn solve(m: &Mdp, horizon: Horizon, method: Method, rewards: &[f64], batch: usize) -> Vec<f64> {
    let opts = SolverOptions {
        method,
        tolerance: 1e-10,
        ..Default::default()
    };
    let mut v = vec![0.0; rewards.len()];
    Solver::new(m, horizon, opts)
        .unwrap()
        .solve(rewards, batch, &mut v)
        .unwrap();
    v
}

/// Rewards for `batch` samples, state-major, from a simple deterministic formula.
fn rewards(n: usize, batch: usize, salt: u64) -> Vec<f64> {
    (0..n * batch)
        .map(|i| (((i as u64 + 1) * 2654435761 + salt * 97) % 1000) as f64 / 1000.0 - 0.3)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn value_and_policy_iteration_agree(m in arb_mdp(true), g in 0.05f64..0.99, salt in 0u64..1000) {
        let r = rewards(m.n_states(), 3, salt);
        let vi = solve(&m, Horizon::Discounted(g), Method::ValueIteration, &r, 3);
        let pi = solve(&m, Horizon::Discounted(g), Method::PolicyIteration, &r, 3);
        for (a, b) in vi.iter().zip(&pi) {
            // VI's value error bound: γ/(1−γ) · tolerance/γ.
            prop_assert!((a - b).abs() <= 1e-10 / (1.0 - g) + 1e-9 * b.abs(), "{} vs {}", a, b);
        }
    }

    #[test]
    fn batch_equals_one_at_a_time(m in arb_mdp(false), g in 0.05f64..0.95, batch in 1usize..20, salt in 0u64..1000) {
        let n = m.n_states();
        let r = rewards(n, batch, salt);
        let together = solve(&m, Horizon::Discounted(g), Method::ValueIteration, &r, batch);
        for j in 0..batch {
            let single: Vec<f64> = (0..n).map(|s| r[s * batch + j]).collect();
            let alone = solve(&m, Horizon::Discounted(g), Method::ValueIteration, &single, 1);
            for s in 0..n {
                prop_assert!((together[s * batch + j] - alone[s]).abs() <= 2e-10 / (1.0 - g));
            }
        }
    }

    #[test]
    fn relabelling_states_permutes_the_values(m in arb_mdp(false), g in 0.05f64..0.95, salt in 0u64..1000, seed in any::<u64>()) {
        let n = m.n_states();
        // A permutation from the seed (Fisher–Yates with a tiny LCG).
        let mut perm: Vec<usize> = (0..n).collect();
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            perm.swap(i, (x >> 33) as usize % (i + 1));
        }
        let relabelled = m.relabel_states(&perm).unwrap();
        let r = rewards(n, 1, salt);
        let mut r_perm = vec![0.0; n];
        for s in 0..n {
            r_perm[perm[s]] = r[s];
        }
        let v = solve(&m, Horizon::Discounted(g), Method::ValueIteration, &r, 1);
        let w = solve(&relabelled, Horizon::Discounted(g), Method::ValueIteration, &r_perm, 1);
        for s in 0..n {
            prop_assert!((v[s] - w[perm[s]]).abs() <= 2e-10 / (1.0 - g));
        }
        // The γ → 1 limit is a pure graph computation: relabelling must permute it exactly.
        if m.is_deterministic() {
            let a = solve(&m, Horizon::OneLimit, Method::ValueIteration, &r, 1);
            let b = solve(&relabelled, Horizon::OneLimit, Method::ValueIteration, &r_perm, 1);
            for s in 0..n {
                prop_assert!((a[s] - b[perm[s]]).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn one_limit_matches_discounted_values_near_one(m in arb_mdp(true), salt in 0u64..1000) {
        let r = rewards(m.n_states(), 1, salt);
        let g = 1.0 - 1e-6;
        let v = solve(&m, Horizon::Discounted(g), Method::PolicyIteration, &r, 1);
        let limit = solve(&m, Horizon::OneLimit, Method::ValueIteration, &r, 1);
        for (v, l) in v.iter().zip(&limit) {
            // (1−γ)V_γ = g* + O(1−γ) with a constant bounded by the reward range times the state count.
            prop_assert!(((1.0 - g) * v - l).abs() < 1e-4, "{} vs {}", (1.0 - g) * v, l);
        }
    }

    #[test]
    fn parsers_never_panic(text in "\\PC{0,200}") {
        let _ = gridworld::parse(&text, "fuzz.grid");
        let _ = json::parse(&text, "fuzz.json");
        let _ = cassandra::parse(&text, "fuzz.mdp");
    }

    #[test]
    fn cassandra_parser_never_panics_on_near_valid_input(lines in proptest::collection::vec(
        prop_oneof![
            Just("states: 3".to_string()), Just("actions: a b".to_string()), Just("T: a identity".to_string()),
            Just("T: * : 1 : 2 0.5".to_string()), Just("T: b : 0".to_string()), Just("0.5 0.5 0".to_string()),
            Just("T: b uniform".to_string()), Just("start: 1".to_string()), Just("discount: 2".to_string()),
            Just("R: * : * : * : * 1".to_string()), Just(":".to_string()), Just("T:".to_string()),
        ], 0..12)) {
        let _ = cassandra::parse(&lines.join("\n"), "fuzz.mdp");
    }
}

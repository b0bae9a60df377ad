//! Visit distributions, ND(F(s)) and exact POWER (docs/theory.md §2.7):
//! closed forms, a brute-force non-domination test, and agreement with the
//! Monte Carlo estimator on random small MDPs.

use num_traits::{ToPrimitive, Zero};
use powerseek::exact::{parse_rational, Rational};
use powerseek::mdp::polytope;
use powerseek::mdp::visits::{
    analyse, exact_power, non_dominated, visit_distributions, ExactDistribution, ExactPowerRequest,
};
use powerseek::mdp::{json, Mdp, MdpBuilder};
use powerseek::{estimate_power, Horizon, NoProgress, PowerOptions, RewardDistribution, SampleSize};
use proptest::prelude::*;

mod common;
use common::{arb_mdp_shaped, MdpShape};

fn q(text: &str) -> Rational {
    parse_rational(text).unwrap()
}

fn exact(m: &Mdp, gamma: &str, dist: &str) -> powerseek::mdp::visits::ExactPowerReport {
    let request = ExactPowerRequest {
        gamma: Some(gamma.into()),
        dist: dist.into(),
    };
    exact_power(m, &request, &NoProgress).unwrap()
}

fn fork() -> Mdp {
    json::parse(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/fork.json")).unwrap(),
        "fork.json",
    )
    .unwrap()
}

/// A state with `k` actions, each to its own absorbing state.
fn star(k: usize) -> Mdp {
    let mut b = MdpBuilder::with_states(k + 1);
    for i in 1..=k {
        b.add_action(0, &format!("to{i}"), &[(i, 1.0)]).unwrap();
        b.add_action(i, "stay", &[(i, 1.0)]).unwrap();
    }
    b.build().unwrap()
}

/// Every state can move to every state, itself included.
fn complete(n: usize) -> Mdp {
    let mut b = MdpBuilder::with_states(n);
    for s in 0..n {
        for t in 0..n {
            b.add_action(s, &format!("to{t}"), &[(t, 1.0)]).unwrap();
        }
    }
    b.build().unwrap()
}

#[test]
fn k_absorbing_children_have_power_k_over_k_plus_1() {
    for k in 1..=4 {
        for gamma in ["1/2", "0.9", "1/7"] {
            let r = exact(&star(k), gamma, "uniform");
            assert_eq!(
                r.states[0].power,
                Rational::new((k as i64).into(), (k as i64 + 1).into()),
                "k = {k}, γ = {gamma}"
            );
            // Each move is optimal with probability 1/k; the absorbing states have POWER 1/2.
            for a in &r.states[0].actions {
                assert_eq!(a.optimal, Rational::new(1.into(), (k as i64).into()));
                assert_eq!(a.successor_power, q("1/2"));
            }
            assert_eq!(r.states[1].power, q("1/2"));
        }
    }
}

#[test]
fn complete_graphs_with_self_loops_have_power_n_over_n_plus_1() {
    for n in 1..=4 {
        let r = exact(&complete(n), "3/4", "uniform");
        for s in &r.states {
            assert_eq!(
                s.power,
                Rational::new((n as i64).into(), (n as i64 + 1).into()),
                "n = {n}"
            );
        }
    }
}

#[test]
fn uniform_on_an_interval_is_an_affine_image() {
    // lo + (hi − lo)·3/4 for the middle of three absorbing children.
    let r = exact(&star(3), "0.9", "uniform:-1,3");
    assert_eq!(r.states[0].power, q("2"));
}

#[test]
fn finite_support_is_enumerated_exactly() {
    // Bernoulli(1/2): the best of k absorbing children is 1 unless all are 0.
    for k in 1..=3 {
        let r = exact(&star(k), "1/2", "bernoulli:0.5");
        let expected = Rational::from_integer(1.into()) - Rational::new(1.into(), (1i64 << k).into());
        assert_eq!(r.states[0].power, expected);
        // Ties count for every tied action; shares sum to 1.
        let shares: Rational = r.states[0].actions.iter().map(|a| a.optimal_share.clone()).sum();
        assert_eq!(shares, q("1"));
    }
}

#[test]
fn fork_optimality_probabilities_against_gamma() {
    let m = fork();
    let start = m.state_index("start").unwrap();
    let mut previous: Option<Rational> = None;
    for gamma in ["1/100", "1/10", "1/4", "1/2", "3/4", "9/10", "99/100"] {
        let r = exact(&m, gamma, "uniform");
        let left = &r.states[start].actions[0];
        let right = &r.states[start].actions[1];
        assert_eq!(left.name, "left");
        assert_eq!(&left.optimal + &right.optimal, q("1"), "γ = {gamma}");
        // More options on the right: it is optimal more often, more so as γ grows (1/2 → 1/4 for left).
        assert!(
            left.optimal < q("1/2") && left.optimal > q("1/4"),
            "γ = {gamma}: {}",
            left.optimal
        );
        if let Some(p) = previous {
            assert!(left.optimal < p, "left's optimality probability falls with γ");
        }
        previous = Some(left.optimal.clone());
        assert!(right.successor_power > left.successor_power, "right seeks POWER");
    }
}

#[test]
fn fork_at_one_half_matches_an_independent_integral() {
    // At γ = 1/2 the left and right returns after `start` are, up to the common
    // factor 1/2, x + y and z + max(w1, w2, w3) with all iid U(0,1): P(left)
    // = P(x + y > z + M). Checked against a fine 1-D quadrature of the
    // density of x + y − z against the law of M, to 1e-6.
    let r = exact(&fork(), "1/2", "uniform");
    let left = r.states[0].actions[0].optimal.to_f64().unwrap();
    // P(S > M) with S = x + y − z ∈ [−1, 2]: ∫ P(M < s) f_S(s) ds, P(M < s) = clamp(s)^3.
    let steps = 200_000;
    let mut total = 0.0;
    for i in 0..steps {
        let s = -1.0 + 3.0 * (i as f64 + 0.5) / steps as f64;
        // Density of x + y − z: convolution of the triangle on [0, 2] with U(−1, 0).
        let tri = |t: f64| {
            if (0.0..=1.0).contains(&t) {
                t * t / 2.0
            } else if (1.0..=2.0).contains(&t) {
                1.0 - (2.0 - t) * (2.0 - t) / 2.0
            } else if t > 2.0 {
                1.0
            } else {
                0.0
            }
        };
        let density = tri(s + 1.0) - tri(s);
        total += s.clamp(0.0, 1.0).powi(3) * density * 3.0 / steps as f64;
    }
    assert!((left - total).abs() < 1e-6, "{left} vs {total}");
}

/// Brute force: `f` is strictly optimal for some reward iff its region of the
/// cube (found by vertex enumeration, not by the LP) is full-dimensional.
fn brute_force_nd(vectors: &[Vec<Rational>]) -> Vec<bool> {
    let n = vectors[0].len();
    let coords: Vec<usize> = (0..n).filter(|&c| vectors.iter().any(|f| !f[c].is_zero())).collect();
    let w: Vec<Vec<Rational>> = vectors
        .iter()
        .map(|f| coords.iter().map(|&c| f[c].clone()).collect())
        .collect();
    polytope::regions(&w)
        .unwrap()
        .iter()
        .map(|r| !r.volume.is_zero())
        .collect()
}

/// A random small MDP: up to `max_states` states, 1–2 actions each,
/// deterministic or two-successor rows split in quarters.
fn arb_mdp(max_states: usize, deterministic: bool) -> impl Strategy<Value = Mdp> {
    let shape = MdpShape {
        states: 2..max_states + 1,
        actions: 1..3,
        quarters: true,
    };
    arb_mdp_shaped(shape, deterministic)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn nd_equals_brute_force(m in arb_mdp(5, false), s in 0usize..5) {
        let s = s % m.n_states();
        let set = visit_distributions(&m, s, &q("3/5"), 10_000, &NoProgress).unwrap();
        prop_assert_eq!(non_dominated(&set.vectors), brute_force_nd(&set.vectors));
        // Every f has total mass 1/(1 − γ).
        for f in &set.vectors {
            prop_assert_eq!(f.iter().cloned().sum::<Rational>(), q("5/2"));
        }
    }

    #[test]
    fn exact_power_equals_monte_carlo(m in arb_mdp(4, false)) {
        let r = exact(&m, "0.8", "uniform");
        let opts = PowerOptions {
            horizon: Horizon::Discounted(0.8),
            samples: SampleSize::Count(4_000),
            ..Default::default()
        };
        let mc = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
        for (s, row) in r.states.iter().enumerate() {
            let e = mc.power[s];
            let x = row.power.to_f64().unwrap();
            prop_assert!((x - e.mean).abs() <= 4.0 * e.se + 1e-6, "state {}: exact {} vs {} ± {}", s, x, e.mean, e.se);
            let shares: Rational = row.actions.iter().map(|a| a.optimal_share.clone()).sum();
            prop_assert_eq!(shares, q("1"));
        }
    }
}

#[test]
fn optimality_of_sets_of_visit_distributions() {
    let m = star(3);
    let set = visit_distributions(&m, 0, &q("1/2"), 100, &NoProgress).unwrap();
    let nd = non_dominated(&set.vectors);
    let dist = ExactDistribution::Uniform { lo: q("0"), hi: q("1") };
    let a = analyse(&set, &nd, &dist, &[vec![0, 1], vec![], vec![0, 1, 2]]).unwrap();
    assert_eq!(a.sets, vec![q("2/3"), q("0"), q("1")]);
    assert!(analyse(&set, &nd, &dist, &[vec![7]]).is_err());
}

#[test]
fn recurrent_distributions_are_uniform_on_the_final_cycle() {
    // 0 → {1, 2}; 1 ↔ 2 cycle, 2 can also stay.
    let m = json::parse(
        r#"{"states": ["s", "a", "b"], "transitions": {"s": {"x": "a"}, "a": {"x": "b"}, "b": {"x": "a", "y": "b"}}}"#,
        "cycle.json",
    )
    .unwrap();
    let set = visit_distributions(&m, 0, &q("1/2"), 100, &NoProgress).unwrap();
    let mut rec = set.recurrent.clone().unwrap();
    rec.sort();
    assert_eq!(
        rec,
        vec![vec![q("0"), q("0"), q("1")], vec![q("0"), q("1/2"), q("1/2")]]
    );
}

#[test]
fn limits_are_stated_errors() {
    let e = exact_power(
        &complete(9),
        &ExactPowerRequest {
            gamma: Some("1/2".into()),
            dist: "uniform".into(),
        },
        &NoProgress,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("more than") && e.contains("limit"), "{e}");
    for (gamma, dist, msg) in [
        ("1", "uniform", "outside (0, 1)"),
        ("1/2", "normal:0,1", "exact POWER supports"),
    ] {
        let e = exact_power(
            &star(2),
            &ExactPowerRequest {
                gamma: Some(gamma.into()),
                dist: dist.into(),
            },
            &NoProgress,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(msg), "{e}");
    }
}

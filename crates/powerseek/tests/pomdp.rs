//! POMDPs (docs/theory.md §12): the belief update, finite-horizon values
//! against brute force over every policy tree, the discounted bracket against
//! long finite horizons, the fully observed case against the MDP estimator,
//! and the observation model changing POWER.

use powerseek::mdp::cassandra;
use powerseek::mdp::pomdp::power::{pomdp_power, PomdpPowerRequest};
use powerseek::mdp::pomdp::solve::{finite_values, BeliefTree, Bracket, BracketOptions};
use powerseek::mdp::pomdp::Pomdp;
use powerseek::{estimate_power, Horizon, NoProgress, PowerOptions, RewardDistribution, SampleSize};
use proptest::prelude::*;

fn tiger_text() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/tiger.pomdp")).unwrap()
}

fn tiger() -> Pomdp {
    Pomdp::parse(&tiger_text(), "tiger.pomdp").unwrap()
}

/// The tiger problem with perfect hearing: the same file but for the listening observations.
fn tiger_perfect_hearing() -> Pomdp {
    let text = tiger_text().replace("0.85 0.15\n0.15 0.85\n", "1 0\n0 1\n");
    assert_ne!(text, tiger_text());
    Pomdp::parse(&text, "tiger-perfect.pomdp").unwrap()
}

/// A `.pomdp` text with the given rows (each row normalised here).
fn pomdp_text(n: usize, na: usize, k: usize, t: &[f64], o: &[f64]) -> String {
    let mut text = format!("states: {n}\nactions: {na}\nobservations: {k}\nstart: uniform\n");
    let row = |w: &[f64]| {
        let total: f64 = w.iter().sum();
        w.iter()
            .map(|x| format!("{:.17}", x / total))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for a in 0..na {
        for s in 0..n {
            text += &format!("T: {a} : {s}\n{}\n", row(&t[(a * n + s) * n..(a * n + s + 1) * n]));
            text += &format!("O: {a} : {s}\n{}\n", row(&o[(a * n + s) * k..(a * n + s + 1) * k]));
        }
    }
    text
}

/// Brute force: the α-vector of every policy tree of depth `h`,
/// `α(s) = Σ_{s'} T(s'|s,a) [R(s') + γ Σ_o O(o|s',a) α_o(s')]`, from the raw tables.
fn policy_tree_vectors(m: &Pomdp, reward: &[f64], gamma: f64, h: usize) -> Vec<Vec<f64>> {
    let (n, na, k) = (m.n_states(), m.n_actions(), m.n_observations());
    if h == 0 {
        return vec![vec![0.0; n]];
    }
    let sub = policy_tree_vectors(m, reward, gamma, h - 1);
    let mut out = Vec::new();
    for a in 0..na {
        // Every assignment of a subtree to each observation.
        let mut pick = vec![0usize; k];
        loop {
            let alpha: Vec<f64> = (0..n)
                .map(|s| {
                    (0..n)
                        .map(|t| {
                            let cont: f64 = (0..k).map(|o| m.observation_row(a, t)[o] * sub[pick[o]][t]).sum();
                            m.transition_row(a, s)[t] * (reward[t] + gamma * cont)
                        })
                        .sum()
                })
                .collect();
            out.push(alpha);
            let mut i = 0;
            while i < k && pick[i] + 1 == sub.len() {
                pick[i] = 0;
                i += 1;
            }
            if i == k {
                break;
            }
            pick[i] += 1;
        }
    }
    out
}

fn best_tree_value(m: &Pomdp, b: &[f64], reward: &[f64], gamma: f64, h: usize) -> f64 {
    policy_tree_vectors(m, reward, gamma, h)
        .iter()
        .map(|al| al.iter().zip(b).map(|(x, y)| x * y).sum::<f64>())
        .fold(f64::NEG_INFINITY, f64::max)
}

fn max(x: &[f64]) -> f64 {
    x.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

prop_compose! {
    fn small_pomdp()(n in 2usize..=3, na in 1usize..=2, k in 1usize..=2)
        (t in proptest::collection::vec(0.05f64..1.0, na * n * n),
         o in proptest::collection::vec(0.05f64..1.0, na * n * k),
         b in proptest::collection::vec(0.01f64..1.0, n),
         r in proptest::collection::vec(0.0f64..1.0, n),
         zero_t in proptest::collection::vec(proptest::bool::weighted(0.3), na * n * n),
         n in Just(n), na in Just(na), k in Just(k))
        -> (Pomdp, Vec<f64>, Vec<f64>) {
        // Some transitions impossible (but never a whole row).
        let t: Vec<f64> = t.iter().zip(&zero_t).enumerate()
            .map(|(i, (&x, &z))| if z && i % n != 0 { 0.0 } else { x }).collect();
        let m = Pomdp::parse(&pomdp_text(n, na, k, &t, &o), "random.pomdp").unwrap();
        let total: f64 = b.iter().sum();
        (m, b.iter().map(|x| x / total).collect(), r)
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Backward induction over the reachable beliefs = the best of every policy tree.
    #[test]
    fn finite_horizon_values_are_the_best_policy_tree((m, b, r) in small_pomdp(), h in 1usize..=3, gamma in 0.5f64..=1.0) {
        let tree = BeliefTree::build(&m, &b, h - 1, 10_000, false, &NoProgress).unwrap();
        let got = max(&finite_values(&tree, &r, gamma));
        let want = best_tree_value(&m, &b, &r, gamma, h);
        prop_assert!((got - want).abs() <= 1e-12 * h as f64, "{got} vs brute force {want}");
    }

    /// Bayes' rule: observation probabilities sum to 1, posteriors are
    /// distributions, and they average back to the predicted next state.
    #[test]
    fn belief_updates_are_distributions_that_average_to_the_prediction((m, b, _r) in small_pomdp()) {
        for a in 0..m.n_actions() {
            let next = m.predict(&b, a);
            let mut total = 0.0;
            let mut mix = vec![0.0; m.n_states()];
            for o in 0..m.n_observations() {
                if let Some((p, post)) = m.update(&b, a, o) {
                    total += p;
                    prop_assert!((post.iter().sum::<f64>() - 1.0).abs() < 1e-12);
                    prop_assert!(post.iter().all(|&x| x >= 0.0));
                    mix.iter_mut().zip(&post).for_each(|(x, y)| *x += p * y);
                }
            }
            prop_assert!((total - 1.0).abs() < 1e-12, "P(o) sums to {total}");
            for (x, y) in mix.iter().zip(&next) {
                prop_assert!((x - y).abs() < 1e-12);
            }
        }
    }

    /// The discounted bracket contains the optimum, which lies within
    /// `γ^H / (1 − γ)` above the value of horizon `H` (rewards in [0, 1]).
    #[test]
    fn bracket_contains_long_horizon_values((m, b, r) in small_pomdp(), lookahead in prop_oneof![Just(1usize), Just(50)]) {
        let gamma: f64 = 0.2;
        let h = 6;
        let long = BeliefTree::build(&m, &b, h - 1, 200_000, false, &NoProgress).unwrap();
        let w = max(&finite_values(&long, &r, gamma));
        let tail = gamma.powi(h as i32) / (1.0 - gamma);
        let tree = BeliefTree::build(&m, &b, 30, lookahead, true, &NoProgress).unwrap();
        let opts = BracketOptions { tolerance: 1e-6, max_iterations: 300, points: 32 };
        let bounds = Bracket::new(&m, &tree, gamma, opts, &NoProgress).unwrap().solve(&r, &NoProgress).unwrap();
        prop_assert!(bounds.value_lower() <= w + tail + 1e-9, "lower {} above {w} + {tail}", bounds.value_lower());
        prop_assert!(bounds.value_upper() >= w - 1e-9, "upper {} below {w}", bounds.value_upper());
    }
}

#[test]
fn tiger_bracket_holds_the_long_horizon_value_and_closes() {
    let m = tiger();
    let gamma: f64 = 0.9;
    let h = 150;
    let b = m.start_belief().to_vec();
    let long = BeliefTree::build(&m, &b, h - 1, 500_000, false, &NoProgress).unwrap();
    let tail = gamma.powi(h as i32) / (1.0 - gamma);
    for (lookahead, points) in [(1, 64), (2000, 64)] {
        let tree = BeliefTree::build(&m, &b, 200, lookahead, true, &NoProgress).unwrap();
        let opts = BracketOptions {
            tolerance: 1e-4,
            max_iterations: 1000,
            points,
        };
        let bracket = Bracket::new(&m, &tree, gamma, opts, &NoProgress).unwrap();
        for r in [[0.0, 1.0], [0.3, 0.8], [0.9, 0.1], [0.5, 0.5]] {
            let w = max(&finite_values(&long, &r, gamma));
            let bounds = bracket.solve(&r, &NoProgress).unwrap();
            let (lo, hi) = (bounds.value_lower(), bounds.value_upper());
            assert!(
                lo <= w + tail + 1e-9 && hi >= w - 1e-9,
                "{lookahead}: [{lo}, {hi}] vs {w}"
            );
            // With the lookahead tree the bracket closes to the tolerance.
            if lookahead > 1 {
                assert!((1.0 - gamma) * (hi - lo) <= 1e-4, "gap {}", hi - lo);
            }
        }
    }
}

/// A fully observed POMDP (a file without observations) of a small stochastic MDP.
const CHAIN: &str = "discount: 0.9\nstates: a b c d\nactions: left right\nstart: b\n\
T: left : a\n0.8 0.2 0 0\nT: left : b\n0.7 0.1 0.2 0\nT: left : c\n0 0.6 0.4 0\nT: left : d\n0 0 0.5 0.5\n\
T: right : a\n0.3 0.7 0 0\nT: right : b\n0 0.2 0.8 0\nT: right : c\n0 0 0.1 0.9\nT: right : d\n0 0 0 1\n";

#[test]
fn fully_observed_pomdp_gives_the_mdp_power() {
    let mdp = cassandra::parse(CHAIN, "chain.mdp").unwrap();
    let m = Pomdp::parse(CHAIN, "chain.mdp").unwrap();
    assert!(m.is_fully_observed());
    let samples = 400;
    let seed = 7;
    // γ → 0 of the MDP estimator is the horizon-1 POWER.
    let opts = PowerOptions {
        horizon: Horizon::ZeroLimit,
        samples: SampleSize::Count(samples),
        seed,
        ..Default::default()
    };
    let mdp_report = estimate_power(&mdp, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    let request = PomdpPowerRequest {
        horizon: Some(1),
        samples,
        seed,
        ..Default::default()
    };
    let r = pomdp_power(&m, &request, &NoProgress).unwrap();
    let want = mdp_report.power[1];
    assert!(
        (r.power.mean - want.mean).abs() < 1e-12,
        "{} vs {}",
        r.power.mean,
        want.mean
    );
    assert!((r.power.se - want.se).abs() < 1e-12);
    // Discounted: the bracket holds the MDP's POWER (value iteration within 1e-6).
    let samples = 40;
    let opts = PowerOptions {
        horizon: Horizon::Discounted(0.9),
        samples: SampleSize::Count(samples),
        seed,
        ..Default::default()
    };
    let want = estimate_power(&mdp, &RewardDistribution::uniform(), &opts, &NoProgress)
        .unwrap()
        .power[1];
    let request = PomdpPowerRequest {
        samples,
        seed,
        tolerance: 1e-5,
        points: 16,
        ..Default::default()
    };
    let r = pomdp_power(&m, &request, &NoProgress).unwrap();
    assert!(r.reached, "gap {}", r.max_gap);
    assert!(
        r.power_lower.mean <= want.mean + 1e-6 && want.mean <= r.power_upper.mean + 1e-6,
        "{r:?} vs {want:?}"
    );
    assert!(
        (r.power.mean - want.mean).abs() <= 1e-5 + 1e-6,
        "{} vs {}",
        r.power.mean,
        want.mean
    );
}

#[test]
fn fully_observed_finite_horizon_is_mdp_backward_induction() {
    let mdp = cassandra::parse(CHAIN, "chain.mdp").unwrap();
    let m = Pomdp::parse(CHAIN, "chain.mdp").unwrap();
    let (samples, seed, h, gamma) = (50, 3, 6, 0.95);
    let request = PomdpPowerRequest {
        horizon: Some(h),
        gamma: Some(gamma),
        samples,
        seed,
        ..Default::default()
    };
    let r = pomdp_power(&m, &request, &NoProgress).unwrap();
    let norm: f64 = (0..h).map(|u| gamma.powi(u as i32)).sum();
    let dist = RewardDistribution::uniform();
    let mut total = 0.0;
    for k in 0..samples {
        let mut reward = vec![0.0; 4];
        dist.fill(seed, k, 1, false, &mut reward);
        // V_h(s) = max_a Σ T(s'|s,a) (R(s') + γ V_{h-1}(s')), V_0 = 0.
        let mut v = vec![0.0; 4];
        for _ in 0..h {
            v = (0..4)
                .map(|s| {
                    mdp.actions(s)
                        .map(|a| {
                            let (to, p) = mdp.successors(a);
                            to.iter()
                                .zip(p)
                                .map(|(&t, &q)| q * (reward[t as usize] + gamma * v[t as usize]))
                                .sum::<f64>()
                        })
                        .fold(f64::NEG_INFINITY, f64::max)
                })
                .collect();
        }
        total += v[1] / norm;
    }
    assert!(
        (r.power.mean - total / samples as f64).abs() < 1e-12,
        "{} vs {}",
        r.power.mean,
        total / samples as f64
    );
    assert_eq!(r.error_bound, 0.0);
}

#[test]
fn hearing_the_tiger_better_raises_power_sample_by_sample() {
    let (noisy, perfect) = (tiger(), tiger_perfect_hearing());
    assert!(!noisy.is_fully_observed());
    assert_eq!(perfect.observation_row(0, 0), &[1.0, 0.0]);
    let b = noisy.start_belief().to_vec();
    let h = 6;
    let t_noisy = BeliefTree::build(&noisy, &b, h - 1, 100_000, false, &NoProgress).unwrap();
    let t_perfect = BeliefTree::build(&perfect, &b, h - 1, 100_000, false, &NoProgress).unwrap();
    let dist = RewardDistribution::uniform();
    let mut strictly = 0;
    for k in 0..200 {
        let mut r = vec![0.0; 2];
        dist.fill(1, k, 1, false, &mut r);
        let (x, y) = (
            max(&finite_values(&t_noisy, &r, 1.0)),
            max(&finite_values(&t_perfect, &r, 1.0)),
        );
        assert!(y >= x - 1e-12, "information never hurts: {y} < {x}");
        strictly += usize::from(y > x + 1e-9);
    }
    assert!(strictly > 150, "{strictly}");
    // And the reports differ.
    let request = PomdpPowerRequest {
        horizon: Some(h),
        samples: 200,
        seed: 1,
        ..Default::default()
    };
    let a = pomdp_power(&noisy, &request, &NoProgress).unwrap();
    let b = pomdp_power(&perfect, &request, &NoProgress).unwrap();
    assert!(
        b.power.mean > a.power.mean + 3.0 * a.power.se.max(b.power.se) / 10.0,
        "{} vs {}",
        b.power.mean,
        a.power.mean
    );
}

#[test]
fn requests_are_checked() {
    let m = tiger();
    for (request, msg) in [
        (
            PomdpPowerRequest {
                samples: 1,
                ..Default::default()
            },
            "at least 2",
        ),
        (
            PomdpPowerRequest {
                horizon: Some(0),
                ..Default::default()
            },
            "at least 1 step",
        ),
        (
            PomdpPowerRequest {
                gamma: Some(1.0),
                ..Default::default()
            },
            "give a --horizon",
        ),
        (
            PomdpPowerRequest {
                belief: Some(vec![0.5, 0.4]),
                ..Default::default()
            },
            "sum to 0.9",
        ),
        (
            PomdpPowerRequest {
                belief: Some(vec![1.0]),
                ..Default::default()
            },
            "expected one per state",
        ),
        (
            PomdpPowerRequest {
                horizon: Some(40),
                max_beliefs: 100,
                ..Default::default()
            },
            "more than 100 beliefs",
        ),
    ] {
        let e = pomdp_power(&m, &request, &NoProgress).unwrap_err().to_string();
        assert!(e.contains(msg), "{e}");
    }
}

#[test]
fn first_action_tendencies_over_policy_trees() {
    use powerseek::mdp::pomdp::policies::pomdp_outcomes;
    use powerseek::retarget::{pomdp_tendency, PomdpTendencyRequest};
    let (noisy, perfect) = (tiger(), tiger_perfect_hearing());
    // Hearing perfectly gives the listening trees outcomes noisy hearing cannot reach.
    let (on, fnoisy) = pomdp_outcomes(&noisy, 2, 0.9, 100_000).unwrap();
    let (op, fperfect) = pomdp_outcomes(&perfect, 2, 0.9, 100_000).unwrap();
    assert_ne!(
        on.iter()
            .zip(&fnoisy)
            .filter(|(_, &a)| a == 0)
            .map(|(v, _)| v.clone())
            .collect::<Vec<_>>(),
        op.iter()
            .zip(&fperfect)
            .filter(|(_, &a)| a == 0)
            .map(|(v, _)| v.clone())
            .collect::<Vec<_>>()
    );
    let request = PomdpTendencyRequest {
        a: "open-left".into(),
        b: "listen".into(),
        horizon: Some(2),
        ..Default::default()
    };
    let r = pomdp_tendency(&noisy, &request, &NoProgress).unwrap();
    assert!(r.tendency.outcomes_b > r.tendency.outcomes_a);
    let argmax = r
        .tendency
        .worst_orbit
        .iter()
        .find(|row| row.decision == "argmax")
        .unwrap();
    // From the uniform belief, listening and opening both leave the next state uniform, so
    // every outcome that opens first is also one that listens first (then acts the same
    // whatever it hears): an optimiser never strictly prefers opening first.
    assert!(argmax.holds, "{argmax:?}");
    for (a, b, msg) in [
        ("listen", "listen", "the same action"),
        ("jump", "listen", "unknown action 'jump'"),
    ] {
        let bad = PomdpTendencyRequest {
            a: a.into(),
            b: b.into(),
            ..Default::default()
        };
        let e = pomdp_tendency(&noisy, &bad, &NoProgress).unwrap_err().to_string();
        assert!(e.contains(msg), "{e}");
    }
}

#[test]
fn cancellation_stops_the_samples() {
    struct Stop;
    impl powerseek::Progress for Stop {
        fn cancelled(&self) -> bool {
            true
        }
    }
    for horizon in [Some(3), None] {
        let request = PomdpPowerRequest {
            horizon,
            samples: 50,
            ..Default::default()
        };
        let e = pomdp_power(&tiger(), &request, &Stop).unwrap_err();
        assert!(matches!(e, powerseek::Error::Cancelled), "{e}");
    }
}

/// Brute force: the occupancy `Σ_{u<h} γ^u P(s_{u+1})` of first action `a0`
/// followed by the memoryless policy `pi` (one action per observation), by
/// pushing the exact distribution of (state, latest observation) forward.
// Index loops: the brute force reads as the formula.
#[allow(clippy::needless_range_loop)]
fn memoryless_occupancy(m: &Pomdp, a0: usize, pi: &[usize], gamma: f64, h: usize) -> Vec<f64> {
    let (n, k) = (m.n_states(), m.n_observations());
    let b = m.start_belief();
    let mut mu = vec![vec![0.0; k]; n];
    for s in 0..n {
        for t in 0..n {
            for o in 0..k {
                mu[t][o] += b[s] * m.transition_row(a0, s)[t] * m.observation_row(a0, t)[o];
            }
        }
    }
    let mut f = vec![0.0; n];
    let mut g = 1.0;
    for _ in 0..h {
        for t in 0..n {
            f[t] += g * mu[t].iter().sum::<f64>();
        }
        g *= gamma;
        let mut next = vec![vec![0.0; k]; n];
        for s in 0..n {
            for o in 0..k {
                let a = pi[o];
                for t in 0..n {
                    for o2 in 0..k {
                        next[t][o2] += mu[s][o] * m.transition_row(a, s)[t] * m.observation_row(a, t)[o2];
                    }
                }
            }
        }
        mu = next;
    }
    f
}

/// Every (first action, memoryless policy) pair's brute-force occupancy over `h` steps.
fn all_memoryless(m: &Pomdp, gamma: f64, h: usize) -> Vec<(Vec<f64>, usize)> {
    let (na, k) = (m.n_actions(), m.n_observations());
    let mut out = Vec::new();
    for a0 in 0..na {
        for code in 0..na.pow(k as u32) {
            let pi: Vec<usize> = (0..k).map(|o| code / na.pow(o as u32) % na).collect();
            out.push((memoryless_occupancy(m, a0, &pi, gamma, h), a0));
        }
    }
    out
}

/// Every (vector, first action) of `xs` is within `tol` of one of `ys` with the same first action.
fn covered(xs: &[(Vec<f64>, usize)], ys: &[(Vec<f64>, usize)], tol: f64) -> bool {
    xs.iter().all(|(x, a)| {
        ys.iter()
            .any(|(y, b)| a == b && x.iter().zip(y).all(|(p, q)| (p - q).abs() < tol))
    })
}

fn pairs(outcomes: (Vec<Vec<f64>>, Vec<usize>)) -> Vec<(Vec<f64>, usize)> {
    outcomes.0.into_iter().zip(outcomes.1).collect()
}

/// Steps after which `γ^h` is below 1e-14: the truncated sum is then the limit within 1e-9.
fn long_horizon(gamma: f64) -> usize {
    (1e-14f64.ln() / gamma.ln()).ceil() as usize
}

#[test]
fn memoryless_outcomes_of_a_fully_observed_pomdp_are_mdp_visit_distributions() {
    use powerseek::mdp::pomdp::policies::pomdp_memoryless_outcomes;
    use powerseek::retarget::mdp_outcomes;
    // Deterministic: the stationary visit distributions from each state are the memoryless
    // outcomes whose first action is the policy's own, shifted by one step.
    let text = "states: a b c\nactions: stay go\nT: stay identity\n\
        T: go : a : b 1\nT: go : b : c 1\nT: go : c : a 1\n";
    let m = Pomdp::parse(text, "cycle.mdp").unwrap();
    assert!(m.is_fully_observed() && m.mdp().is_deterministic());
    let gamma = 0.8;
    for s in 0..3 {
        let ms = m.clone().with_start_belief(powerseek_point(3, s)).unwrap();
        let memoryless = pairs(pomdp_memoryless_outcomes(&ms, gamma, 1000).unwrap());
        let brute = all_memoryless(&ms, gamma, long_horizon(gamma));
        assert!(covered(&memoryless, &brute, 1e-9) && covered(&brute, &memoryless, 1e-9));
        let (visits, first) = mdp_outcomes(m.mdp(), s, gamma, 1000).unwrap();
        let shifted: Vec<(Vec<f64>, usize)> = visits
            .vectors
            .iter()
            .zip(&first)
            .map(|(v, &a)| {
                let f = (0..3).map(|x| (v[x] - f64::from(u8::from(x == s))) / gamma).collect();
                (f, a)
            })
            .collect();
        assert_eq!(shifted.len(), 4, "stay, or go once, twice or forever");
        assert!(covered(&shifted, &memoryless, 1e-9), "state {s}");
        // Each outcome is a discounted occupancy from step 1 on: it sums to 1/(1 − γ).
        assert!(memoryless
            .iter()
            .all(|(f, _)| (f.iter().sum::<f64>() - 1.0 / (1.0 - gamma)).abs() < 1e-9));
    }
    // Stochastic, identity observations: exactly the (first action, stationary policy) occupancies.
    let t = [
        0.5, 0.3, 0.2, 0.0, 0.6, 0.4, 0.7, 0.0, 0.3, 0.1, 0.1, 0.8, 0.9, 0.1, 0.0, 0.2, 0.2, 0.6,
    ];
    let identity = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0];
    let o: Vec<f64> = identity.iter().chain(&identity).copied().collect();
    let m = Pomdp::parse(&pomdp_text(3, 2, 3, &t, &o), "random.pomdp").unwrap();
    assert!(m.is_fully_observed());
    let memoryless = pairs(pomdp_memoryless_outcomes(&m, 0.9, 1000).unwrap());
    let brute = all_memoryless(&m, 0.9, long_horizon(0.9));
    assert!(covered(&memoryless, &brute, 1e-9) && covered(&brute, &memoryless, 1e-9));
}

fn powerseek_point(n: usize, s: usize) -> Vec<f64> {
    (0..n).map(|x| f64::from(u8::from(x == s))).collect()
}

#[test]
fn memoryless_outcomes_of_the_tiger_are_long_horizon_limits() {
    use powerseek::mdp::pomdp::policies::{pomdp_memoryless_outcomes, pomdp_outcomes};
    let m = tiger();
    for gamma in [0.5, 0.95] {
        let memoryless = pairs(pomdp_memoryless_outcomes(&m, gamma, 1000).unwrap());
        let brute = all_memoryless(&m, gamma, long_horizon(gamma));
        assert!(covered(&memoryless, &brute, 1e-9) && covered(&brute, &memoryless, 1e-9));
        // Listening first and then always listening is told apart from opening first.
        assert!(memoryless.len() > 3, "{memoryless:?}");
        // Cut after two steps, each memoryless policy is a policy tree of depth 2.
        let trees = pairs(pomdp_outcomes(&m, 2, gamma, 100_000).unwrap());
        assert!(covered(&all_memoryless(&m, gamma, 2), &trees, 1e-12));
    }
}

#[test]
fn memoryless_outcomes_are_refused_past_the_limit_and_undiscounted() {
    use powerseek::mdp::pomdp::policies::pomdp_memoryless_outcomes;
    use powerseek::retarget::{pomdp_tendency, PolicyClass, PomdpTendencyRequest};
    let m = tiger();
    // 3 actions ^ 2 observations = 9 policies.
    assert!(pomdp_memoryless_outcomes(&m, 0.9, 9).is_ok());
    let e = pomdp_memoryless_outcomes(&m, 0.9, 8).unwrap_err().to_string();
    assert!(
        e.contains("9.000e0 memoryless policies") && e.contains("more than 8"),
        "{e}"
    );
    let e = pomdp_memoryless_outcomes(&m, 1.0, 1000).unwrap_err().to_string();
    assert!(e.contains("(0, 1)"), "{e}");
    let request = PomdpTendencyRequest {
        a: "open-left".into(),
        b: "listen".into(),
        policies: PolicyClass::Memoryless,
        ..Default::default()
    };
    let r = pomdp_tendency(&m, &request, &NoProgress).unwrap();
    assert_eq!((r.policies, r.horizon), (PolicyClass::Memoryless, None));
    let with_horizon = PomdpTendencyRequest {
        horizon: Some(3),
        ..request.clone()
    };
    let e = pomdp_tendency(&m, &with_horizon, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("memoryless policies have no horizon"), "{e}");
    assert!(r.tendency.outcomes_b >= 1 && r.tendency.outcomes_a >= 1);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["policies"], "memoryless");
    let parsed: PomdpTendencyRequest =
        serde_json::from_str(r#"{"a": "listen", "b": "open-left", "policies": "memoryless"}"#).unwrap();
    assert_eq!(parsed.policies, PolicyClass::Memoryless);
}

//! The conflict model's limiting cases, monotonicity, and the calibration of
//! its inverse inference.

use powerseek::conflict::*;
use proptest::prelude::*;

fn model(cost: f64, r: f64, s: f64, t: f64) -> ConflictModel {
    ConflictModel {
        cost,
        contest_exponent: r,
        loser_share: s,
        temperature: t,
    }
}

#[test]
fn aligned_agents_never_escalate_when_conflict_costs_anything() {
    for &c in &[1e-6, 0.01, 0.3, 1.0] {
        for &(pi, pj) in &[(0.1, 5.0), (1.0, 1.0), (5.0, 0.1)] {
            for &r in &[0.3, 1.0, 4.0] {
                let m = model(c, r, 0.7, 0.0);
                assert!(escalation_gain(&m, pi, pj, 1.0) < 0.0);
                assert_eq!(
                    escalation_probability(&m, pi, pj, 1.0),
                    0.0,
                    "c={c} p=({pi},{pj}) r={r}"
                );
            }
        }
    }
}

#[test]
fn anti_aligned_equal_agents_escalate_when_conflict_is_free() {
    for &p in &[0.5, 1.0, 3.0] {
        for &s in &[0.1, 0.5, 1.0] {
            let m = model(0.0, 1.0, s, 0.0);
            assert_eq!(escalation_probability(&m, p, p, -1.0), 1.0);
            // ... whereas aligned ones, with nothing to win, stay.
            assert_eq!(escalation_probability(&m, p, p, 1.0), 0.0);
        }
    }
}

#[test]
fn the_seeds_two_panels() {
    // Blue holds the balance of power (3 vs 1). Left: blue is basically aligned
    // with red and conflict is costly: red stays. Right: blue is very
    // misaligned and red has little to lose: red escalates.
    let scenario = |file: &str| {
        Scenario::load(&std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples")).join(file))
            .unwrap()
    };
    for (file, red_escalates) in [
        ("conflict-much-to-lose.toml", false),
        ("conflict-little-to-lose.toml", true),
    ] {
        let s = scenario(file);
        let a = assess(&s.agents, &s.model);
        let red = a.iter().find(|x| x.agent == "red").unwrap();
        let blue = a.iter().find(|x| x.agent == "blue").unwrap();
        assert_eq!(red.escalation_probability > 0.5, red_escalates, "{file}: {red:?}");
        assert!(
            blue.escalation_probability < 0.5,
            "{file}: blue should keep its advantage: {blue:?}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    /// Escalation is non-increasing in c whenever the agent's expected
    /// post-contest stake is non-negative (see the module docs for the other case).
    #[test]
    fn escalation_becomes_rarer_as_cost_grows(pi in 0.01f64..10.0, pj in 0.01f64..10.0, a in -1.0f64..1.0,
                                              r in 0.1f64..5.0, s in 0.0f64..1.0, t in prop_oneof![Just(0.0), 0.01f64..2.0],
                                              c1 in 0.0f64..1.0, c2 in 0.0f64..1.0) {
        let (lo, hi) = if c1 <= c2 { (c1, c2) } else { (c2, c1) };
        let (ei, ej) = expected_powers(&model(0.0, r, s, t), pi, pj);
        prop_assume!(ei + a * ej >= 0.0);
        let p_lo = escalation_probability(&model(lo, r, s, t), pi, pj, a);
        let p_hi = escalation_probability(&model(hi, r, s, t), pi, pj, a);
        prop_assert!(p_hi <= p_lo + 1e-12, "P(escalate) rose from {} at c={} to {} at c={}", p_lo, lo, p_hi, hi);
    }

    /// The boundary from the phase diagram is where the gain changes sign.
    #[test]
    fn boundary_alignment_is_a_root_of_the_gain(pi in 0.01f64..10.0, pj in 0.01f64..10.0, c in 0.0f64..1.0, r in 0.1f64..5.0, s in 0.0f64..1.0) {
        let m = model(c, r, s, 0.0);
        if let Some(a) = boundary_alignment(&m, pi, pj) {
            prop_assert!(escalation_gain(&m, pi, pj, a).abs() < 1e-9 * (pi + pj));
            // ... and it separates escalation from staying.
            let (left, right) = (escalation_gain(&m, pi, pj, (a - 0.01).max(-1.0)), escalation_gain(&m, pi, pj, (a + 0.01).min(1.0)));
            prop_assert!(left * right <= 1e-18);
        }
    }
}

#[test]
fn little_to_lose_means_destruction_helps() {
    // The documented exception: a weak agent facing a strong, opposed one has a
    // negative stake, and more destruction makes escalation *more* attractive.
    let (pi, pj, a) = (0.5, 3.0, -0.9);
    let m = model(0.0, 1.0, 0.5, 0.0);
    let (ei, ej) = expected_powers(&m, pi, pj);
    assert!(ei + a * ej < 0.0);
    assert!(escalation_gain(&m.with_cost(0.8), pi, pj, a) > escalation_gain(&m.with_cost(0.2), pi, pj, a));
}

#[test]
fn multi_round_play() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    // Much to lose: nobody escalates, play settles in the first round.
    let calm = simulate(&Scenario::load(&dir.join("conflict-much-to-lose.toml")).unwrap());
    assert!(calm.events.is_empty() && calm.settled && calm.rounds_played == 1);
    // Little to lose: red's stake stays negative, so it keeps escalating (a war
    // of attrition); conflict only destroys, so total power never grows.
    let mut s = Scenario::load(&dir.join("conflict-little-to-lose.toml")).unwrap();
    s.rounds = 30;
    let trace = simulate(&s);
    assert!(trace.events.len() >= 30 && !trace.settled);
    let mut total: f64 = s.agents.iter().map(|a| a.power).sum();
    for e in &trace.events {
        let now: f64 = e.powers_after.iter().sum();
        assert!(now <= total + 1e-12);
        total = now;
    }
    // Same seed, same history.
    assert_eq!(format!("{:?}", simulate(&s).events), format!("{:?}", trace.events));
}

#[test]
fn posterior_concentrates_on_the_truth() {
    let m = model(0.0, 1.0, 0.5, 0.05);
    let (a, c) = (-0.4, 0.1);
    let mut previous = f64::INFINITY;
    for n in [10, 100, 1000] {
        let obs = simulate_observations(&m, a, c, n, 7);
        let post = infer(
            &ObservationSet {
                model: m,
                observations: obs,
            },
            81,
            81,
        )
        .unwrap();
        let spread = post.alignment.sd + post.cost.sd;
        assert!(spread < previous, "n={n}: {spread} !< {previous}");
        previous = spread;
        if n == 1000 {
            assert!((post.alignment.mean - a).abs() < 0.1, "{:?}", post.alignment);
            assert!((post.cost.mean - c).abs() < 0.05, "{:?}", post.cost);
            assert!(post.alignment.ci90[0] <= a && a <= post.alignment.ci90[1]);
            assert!(post.cost.ci90[0] <= c && c <= post.cost.ci90[1]);
        }
    }
}

#[test]
fn credible_intervals_are_calibrated() {
    // Truth drawn from the prior: 90% intervals should cover ~90% of the time.
    // 300 replicates: binomial sd ≈ 0.017; discrete grids make intervals slightly conservative.
    let m = model(0.0, 1.0, 0.5, 0.1);
    let (cov_a, cov_c) = calibration(&m, 41, 30, 300, 2024, &powerseek::NoProgress).unwrap();
    assert!((0.85..=0.97).contains(&cov_a), "alignment coverage {cov_a}");
    assert!((0.85..=0.97).contains(&cov_c), "cost coverage {cov_c}");
}

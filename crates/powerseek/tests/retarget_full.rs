//! Retargetability in full (docs/theory.md §6.7): the definition's clauses
//! checked exhaustively on the paper's examples, a case the distinctness
//! clause decides, groups by generators and parameter sets, scalar
//! retargetability implying orbit-mean dominance (property), the `≥_most`
//! cycle search, and first moves in MDPs (`--u`, `--n`, duplicate moves).

use powerseek::mdp::json;
use powerseek::progress::NoProgress;
use powerseek::retarget::definition::{parse_permutations, Aggregator, Group};
use powerseek::retarget::*;
use proptest::prelude::*;

fn check_request(u: &[f64], a: &[usize], b: &[usize], n: usize) -> CheckRequest {
    CheckRequest {
        u: u.to_vec(),
        a: a.to_vec(),
        b: b.to_vec(),
        n,
        parameters: Some(0),
        ..Default::default()
    }
}

#[test]
fn ghost_apple_cherry_is_2_but_not_3_retargetable_and_distinctness_decides() {
    // Outcomes ghost, apple, cherry; u = (10, 5, 0); A = {cherry}, B = {ghost, apple}.
    let two = check(&check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 2), None, &NoProgress).unwrap();
    let o = &two.orbits[0];
    assert_eq!((o.size, o.a_favoured, o.b_favoured), (6, 2, 4));
    assert!(o.retargetable && o.counterexample.is_none());
    // Each A-favoured θ has two distinct retargeted parameters, all four distinct, each φ·θ.
    let mut seen = Vec::new();
    for w in &o.witnesses {
        assert_eq!(w.retargeted.len(), 2);
        for t in &w.retargeted {
            assert_eq!(act(&t.permutation, &w.parameter), t.parameter);
            assert!(!seen.contains(&t.parameter));
            seen.push(t.parameter.clone());
        }
    }
    assert_eq!(seen.len(), 4);
    match &two.result {
        Retargetability::Witness { permutations } => assert_eq!(permutations.len(), 2),
        other => panic!("{other:?}"),
    }
    // n = 3: every A-favoured θ has 4 ≥ 3 B-favoured targets, but 4 < 3·2: only
    // the distinctness clause rules it out.
    let three = check(&check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 3), None, &NoProgress).unwrap();
    let o = &three.orbits[0];
    assert!(!o.retargetable && o.retargetable_without_distinctness);
    assert!(
        matches!(three.result, Retargetability::NotDistinct { .. }),
        "{:?}",
        three.result
    );
    let loose = check(
        &CheckRequest {
            distinct: false,
            ..check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 3)
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert!(
        matches!(loose.result, Retargetability::Witness { .. }),
        "{:?}",
        loose.result
    );
}

/// Always chooses outcome 1 (the "↓" policy).
struct Always(usize);
impl DecisionMaker for Always {
    fn choice_probabilities(&self, u: &[f64]) -> Vec<f64> {
        (0..u.len()).map(|i| (i == self.0) as u8 as f64).collect()
    }
    fn name(&self) -> String {
        "always".into()
    }
}

#[test]
fn montezuma_exactly() {
    // First actions {↑, ↓, ←, →, jump}; A = {↓}, B = the other four; u with distinct entries.
    let u = [0.3, 0.1, 0.9, 0.5, 0.7];
    let (a, b) = ([1], [0, 2, 3, 4]);
    let r = check(&check_request(&u, &a, &b, 4), None, &NoProgress).unwrap();
    assert_eq!(
        (r.orbits[0].size, r.orbits[0].a_favoured, r.orbits[0].b_favoured),
        (120, 24, 96)
    );
    assert!(r.orbits[0].retargetable);
    assert!(matches!(r.result, Retargetability::Witness { .. }));
    assert!(!check(&check_request(&u, &a, &b, 5), None, &NoProgress).unwrap().orbits[0].retargetable);
    // Always-↓ is not retargetable: A wins on the whole orbit.
    let r = check(&check_request(&u, &a, &b, 1), Some(&Always(1)), &NoProgress).unwrap();
    assert_eq!((r.orbits[0].a_favoured, r.orbits[0].b_favoured), (120, 0));
    assert!(!r.orbits[0].retargetable);
    assert!(matches!(r.result, Retargetability::Counterexample { .. }));
    // Uniform: B has 4/5 everywhere, nothing to retarget.
    let r = check(
        &CheckRequest {
            decision: Some("uniform".into()),
            ..check_request(&u, &a, &b, 4)
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!((r.orbits[0].a_favoured, r.orbits[0].b_favoured), (0, 120));
}

#[test]
fn groups_by_generators_and_parameter_sets() {
    let cyclic = parse_permutations("(1 2 3)", 3).unwrap();
    let g = Group::new(3, Some(&cyclic)).unwrap();
    assert_eq!(g.order(), Some(3));
    assert_eq!(Group::new(4, None).unwrap().order(), Some(24));
    // Under the 3-cycle the orbit of (10, 5, 0) has 3 elements; argmax picks cherry on one.
    let r = orbit(
        &OrbitRequest {
            u: vec![10.0, 5.0, 0.0],
            a: vec![2],
            b: vec![0, 1],
            decision: Some("argmax".into()),
            generators: Some(cyclic.clone()),
            ..Default::default()
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.orbit_size, Some(3));
    assert_eq!((r.results[0].tendency.b_more, r.results[0].tendency.a_more), (2, 1));
    // Θ = two of the six orderings: the orbit within Θ has 2 elements, and a
    // permutation leaving Θ is reported.
    let theta = vec![vec![0.0, 5.0, 10.0], vec![10.0, 5.0, 0.0]];
    let r = check(
        &CheckRequest {
            theta: Some(theta.clone()),
            parameters: None,
            ..check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 1)
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert_eq!(r.parameters_tested, 2);
    assert_eq!((r.orbits[0].a_favoured, r.orbits[0].b_favoured), (1, 1));
    assert!(r.orbits[0].retargetable);
    // Only the swap of positions 1 and 3 stays in Θ; it retargets.
    assert!(matches!(&r.result, Retargetability::Witness { permutations } if permutations == &vec![vec![2, 1, 0]]));
    let e = check(
        &CheckRequest {
            theta: Some(vec![vec![1.0, 2.0, 3.0]]),
            parameters: None,
            ..check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 1)
        },
        None,
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.to_string().contains("must contain u"), "{e}");
}

/// The cyclic example: a decision-maker defined by a table over the orbit of a 3-cycle.
struct Table;
impl DecisionMaker for Table {
    fn choice_probabilities(&self, u: &[f64]) -> Vec<f64> {
        let k = (0..3).max_by(|&i, &j| u[i].total_cmp(&u[j])).unwrap_or(0);
        let rows = [[3.0, 1.0, 2.0], [2.0, 3.0, 1.0], [1.0, 2.0, 3.0]];
        rows[k].iter().map(|x| x / 6.0).collect()
    }
    fn name(&self) -> String {
        "table".into()
    }
}

#[test]
fn the_cycle_search_finds_the_cyclic_group_counterexample_to_transitivity() {
    let request = CycleRequest {
        u: vec![1.0, 2.0, 3.0],
        sets: vec![vec![0], vec![1], vec![2]],
        generators: Some(parse_permutations("(1 2 3)", 3).unwrap()),
        ..Default::default()
    };
    let r = most_cycle(&request, Some(&Table), &NoProgress).unwrap();
    let cycle = r.cycle.expect("A < B < C < A");
    assert_eq!(cycle.len(), 3);
    for k in 0..3 {
        assert!(r.beats.contains(&[cycle[k], cycle[(k + 1) % 3]]));
    }
    // Orbit means tie (each set gets 6/6 over the orbit), so the transitive relation has no cycle.
    for (x, y) in [(0, 1), (1, 2), (2, 0)] {
        let m = mean_dominance(
            &MeanRequest {
                u: vec![1.0, 2.0, 3.0],
                a: vec![x],
                b: vec![y],
                generators: request.generators.clone(),
                ..Default::default()
            },
            Some(&Table),
            &NoProgress,
        )
        .unwrap();
        assert!(m.results[0].difference.abs() < 1e-12 && m.results[0].dominates);
    }
    // Under all of S_3 argmax has no cycle among singletons (all tie).
    let r = most_cycle(
        &CycleRequest {
            generators: None,
            ..request
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert!(r.cycle.is_none());
}

#[test]
fn aggregators() {
    let r = mean_dominance(
        &MeanRequest {
            u: vec![10.0, 5.0, 0.0],
            a: vec![2],
            b: vec![0, 1],
            decision: Some("argmax,uniform".into()),
            aggregator: Aggregator::Mean,
            ..Default::default()
        },
        None,
        &NoProgress,
    )
    .unwrap();
    // argmax: B on 4 of 6, A on 2 of 6; uniform 2/3 vs 1/3 everywhere.
    assert!(
        (r.results[0].aggregate_b - 4.0 / 6.0).abs() < 1e-12 && (r.results[0].aggregate_a - 2.0 / 6.0).abs() < 1e-12
    );
    assert!((r.results[1].difference - 1.0 / 3.0).abs() < 1e-12);
    let mut v = [3.0, 1.0, 2.0, 10.0];
    assert_eq!(Aggregator::Median.apply(&mut v), 2.5);
    assert_eq!(Aggregator::Min.apply(&mut v), 1.0);
    assert_eq!(Aggregator::Max.apply(&mut v), 10.0);
}

#[test]
fn scalar_retargetability_example() {
    // argmax, A = {cherry}, B = {ghost, apple}: swapping cherry with ghost turns
    // p(A) − p(B) = 1 into p(B) − p(A) = 1, so it is scalar-retargetable, and
    // orbit-mean dominance follows.
    let r = check(
        &CheckRequest {
            scalar: true,
            ..check_request(&[10.0, 5.0, 0.0], &[2], &[0, 1], 1)
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert!(matches!(r.result, Retargetability::Witness { .. }), "{:?}", r.result);
    // Boltzmann(1) with A = {e1}, B = {e2}, u = (0, 0.5, 3): swapping e1 and e2
    // is scalar; with B = {e2} and A = {e1, e3} nothing is.
    let r = check(
        &CheckRequest {
            scalar: true,
            decision: Some("boltzmann:1".into()),
            ..check_request(&[0.0, 0.5, 3.0], &[0, 2], &[1], 1)
        },
        None,
        &NoProgress,
    )
    .unwrap();
    assert!(!matches!(r.result, Retargetability::Witness { .. }), "{:?}", r.result);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Scalar-retargetability (checked on the whole orbit) implies orbit-mean dominance there.
    #[test]
    fn scalar_retargetability_implies_orbit_mean_dominance(
        d in 3usize..6,
        values in proptest::collection::vec(0u8..4, 6),
        which in 0usize..6,
        split in 1usize..3,
        n in 1usize..3,
    ) {
        let u: Vec<f64> = values[..d].iter().map(|&x| x as f64).collect();
        let dm = ["argmax", "boltzmann:0.7", "best-of:2", "quantilizer:0.4", "argmin", "satisficer:2"][which];
        let a: Vec<usize> = (0..split.min(d - 1)).collect();
        let b: Vec<usize> = (split.min(d - 1)..d).collect();
        let request = CheckRequest {
            scalar: true,
            decision: Some(dm.into()),
            ..check_request(&u, &a, &b, n)
        };
        let r = check(&request, None, &NoProgress).unwrap();
        if matches!(r.result, Retargetability::Witness { .. }) {
            let m = mean_dominance(&MeanRequest {
                u: u.clone(), a: a.clone(), b: b.clone(), decision: Some(dm.into()), ..Default::default()
            }, None, &NoProgress).unwrap();
            prop_assert!(m.results[0].dominates, "{} u = {:?}: {:?}", dm, u, m.results[0]);
        }
    }

    /// The per-parameter definition on a whole orbit is exactly `≥_most^n` there.
    #[test]
    fn orbit_check_matches_the_orbit_tendency(
        values in proptest::collection::vec(0u8..3, 4),
        which in 0usize..4,
        n in 1usize..4,
    ) {
        let u: Vec<f64> = values.iter().map(|&x| x as f64).collect();
        let dm = ["argmax", "boltzmann:2", "best-of:3", "uniform"][which];
        let r = check(&CheckRequest { decision: Some(dm.into()), ..check_request(&u, &[0], &[1, 2, 3], n) }, None, &NoProgress).unwrap();
        let dmb: Builtin = dm.parse().unwrap();
        let t = orbit_tendency(&dmb, Comparison { outcomes: &Outcomes::unit(4), a: &[0], b: &[1, 2, 3] }, &u);
        prop_assert_eq!(r.orbits[0].retargetable, t.holds(n as u64) || t.a_more == 0);
    }
}

fn two_moves_to_one_state() -> powerseek::Mdp {
    json::parse(
        r#"{"states": ["s", "t", "u", "v"], "start": "s",
            "transitions": {"s": {"x": "t", "y": "t", "z": "u"}, "t": {"go": "v", "stay": "t"}, "u": {"stay": "u"}, "v": {"stay": "v"}}}"#,
        "dup.json",
    )
    .unwrap()
}

#[test]
fn two_first_moves_to_the_same_state_both_have_outcomes_and_swapping_mirrors() {
    let mdp = two_moves_to_one_state();
    let run = |a: &str, b: &str| {
        mdp_tendency(
            &mdp,
            &MdpTendencyRequest {
                a: a.into(),
                b: b.into(),
                decision: Some("argmax,boltzmann:1".into()),
                ..Default::default()
            },
            &NoProgress,
        )
        .unwrap()
    };
    let xy = run("x", "y");
    assert_eq!(
        (xy.tendency.outcomes_a, xy.tendency.outcomes_b),
        (2, 2),
        "both moves reach t: the same futures"
    );
    let yx = run("y", "x");
    for (p, q) in xy.tendency.worst_orbit.iter().zip(&yx.tendency.worst_orbit) {
        assert_eq!(
            (p.tendency.b_more, p.tendency.a_more),
            (q.tendency.a_more, q.tendency.b_more)
        );
    }
    // x and y lead to the same futures: neither is likelier on any orbit element.
    assert!(xy
        .tendency
        .worst_orbit
        .iter()
        .all(|r| r.tendency.b_more == 0 && r.tendency.a_more == 0));
    let xz = run("z", "x");
    assert_eq!((xz.tendency.outcomes_a, xz.tendency.outcomes_b), (1, 2));
}

#[test]
fn retarget_mdp_takes_u_and_n() {
    let mdp = two_moves_to_one_state();
    let r = mdp_tendency(
        &mdp,
        &MdpTendencyRequest {
            a: "z".into(),
            b: "x".into(),
            decision: Some("argmax".into()),
            u: Some(vec![0.0, 0.3, 0.6, 0.9]),
            n: Some(2),
            ..Default::default()
        },
        &NoProgress,
    )
    .unwrap();
    assert_eq!((r.tendency.parameters, r.tendency.n), (1, 2));
    // Over the 24 orderings: x's futures (t forever, or t then v) against u's forever.
    let t = r.tendency.worst_orbit[0].tendency;
    assert_eq!(t.total(), 24);
    assert_eq!(r.tendency.worst_orbit[0].holds, t.b_more >= 2 * t.a_more);
    let e = mdp_tendency(
        &mdp,
        &MdpTendencyRequest {
            a: "z".into(),
            b: "x".into(),
            u: Some(vec![0.0, 1.0]),
            ..Default::default()
        },
        &NoProgress,
    )
    .unwrap_err();
    assert!(e.to_string().contains("one reward per state"), "{e}");
}

#[test]
fn visit_distributions_stay_distinct_for_discounts_near_one() {
    // From start, 'go' reaches x, where the two moves enter the cycle a ↔ b at
    // different ends: two visit distributions with the same first action whose
    // cycle entries are ~5e7 at γ = 1 − 1e-8 (they saturated an i64 key).
    let text = r#"{
        "states": ["start", "x", "a", "b"], "start": "start",
        "transitions": {
            "start": { "go": "x" },
            "x": { "to-a": "a", "to-b": "b" },
            "a": { "next": "b" },
            "b": { "next": "a" }
        }
    }"#;
    let mdp = json::parse(text, "cycle.json").unwrap();
    for gamma in [0.9, 1.0 - 1e-8] {
        let (outcomes, first) = mdp_outcomes(&mdp, 0, gamma, 100).unwrap();
        assert_eq!(first.len(), 2, "γ = {gamma}: both entries into the cycle are kept");
        let (f, g) = (&outcomes.vectors[0], &outcomes.vectors[1]);
        // The two differ by γ²/(1 + γ) in each cycle entry: 0.43 at γ = 0.9, about 1/2 near 1.
        assert!(
            (f[2] - g[2]).abs() > 0.4 && (f[3] - g[3]).abs() > 0.4,
            "γ = {gamma}: {f:?} {g:?}"
        );
    }
}

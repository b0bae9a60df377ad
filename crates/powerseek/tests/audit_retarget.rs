//! Retargetability (docs/theory.md §6.3–§6.7) against brute force over every
//! permutation of tiny parameter vectors: orbits, the per-parameter check
//! with and without distinctness, the same-permutations search (every
//! n-subset of the group tried), scalar retargetability, orbit means. The
//! decision-makers' choice probabilities are recomputed here from §6.2.

use powerseek::retarget::definition::{aggregate, check_orbit, same_permutations, Aggregator, Condition, Group};
use powerseek::retarget::{Builtin, Comparison, DecisionMaker, Outcomes, Retargetability};
use powerseek::NoProgress;
use proptest::prelude::*;

/// All permutations of `0..d` (Heap's algorithm would do; recursion is shorter).
fn perms(d: usize) -> Vec<Vec<usize>> {
    if d == 0 {
        return vec![vec![]];
    }
    let mut out = Vec::new();
    for p in perms(d - 1) {
        for pos in 0..=p.len() {
            let mut q = p.clone();
            q.insert(pos, d - 1);
            out.push(q);
        }
    }
    out
}

/// `φ·u` with `(φ·u)_{φ(i)} = u_i` (§6.1).
fn act(phi: &[usize], u: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; u.len()];
    for (i, &x) in u.iter().enumerate() {
        out[phi[i]] = x;
    }
    out
}

fn orbit(group: &[Vec<usize>], u: &[f64]) -> Vec<Vec<f64>> {
    let mut out: Vec<Vec<f64>> = Vec::new();
    for g in group {
        let v = act(g, u);
        if !out.contains(&v) {
            out.push(v);
        }
    }
    out
}

/// §6.2's table, written out again.
fn choice(dm: &str, v: &[f64]) -> Vec<f64> {
    let m = v.len() as f64;
    let uniform_over = |keep: &dyn Fn(f64) -> bool| {
        let c = v.iter().filter(|&&x| keep(x)).count() as f64;
        v.iter()
            .map(|&x| if keep(x) && c > 0.0 { 1.0 / c } else { 0.0 })
            .collect::<Vec<f64>>()
    };
    let top = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    match dm {
        "argmax" => uniform_over(&|x| x == top),
        "satisficer:1.5" => uniform_over(&|x| x >= 1.5),
        "boltzmann:1" => {
            let w: Vec<f64> = v.iter().map(|x| x.exp()).collect();
            let s: f64 = w.iter().sum();
            w.iter().map(|x| x / s).collect()
        }
        "best-of:2" => v
            .iter()
            .map(|&x| {
                let le = v.iter().filter(|&&y| y <= x).count() as f64;
                let lt = v.iter().filter(|&&y| y < x).count() as f64;
                ((le / m).powi(2) - (lt / m).powi(2)) / (le - lt)
            })
            .collect(),
        "quantilizer:0.5" => {
            // Walk down the levels taking base mass 1/m per outcome until 0.5 is used.
            let mut levels: Vec<f64> = v.to_vec();
            levels.sort_by(|a, b| b.total_cmp(a));
            levels.dedup();
            let mut left: f64 = 0.5;
            let mut p = vec![0.0; v.len()];
            for l in levels {
                let at: Vec<usize> = (0..v.len()).filter(|&i| v[i] == l).collect();
                let take = left.min(at.len() as f64 / m);
                for &i in &at {
                    p[i] = take / at.len() as f64 / 0.5;
                }
                left -= take;
            }
            p
        }
        _ => unreachable!(),
    }
}

/// `p(B|u) − p(A|u)` for unit outcomes.
fn diff(dm: &str, u: &[f64], a: &[usize], b: &[usize]) -> f64 {
    let p = choice(dm, u);
    b.iter().map(|&i| p[i]).sum::<f64>() - a.iter().map(|&i| p[i]).sum::<f64>()
}

const DMS: [&str; 5] = [
    "argmax",
    "satisficer:1.5",
    "boltzmann:1",
    "best-of:2",
    "quantilizer:0.5",
];

fn arb_case() -> impl Strategy<Value = (Vec<f64>, Vec<usize>, Vec<usize>, usize, usize, bool)> {
    (3usize..=4).prop_flat_map(|d| {
        (
            proptest::collection::vec(0u8..3, d).prop_map(|v| v.into_iter().map(f64::from).collect()),
            proptest::sample::subsequence((0..d).collect::<Vec<_>>(), 1..=d),
            proptest::sample::subsequence((0..d).collect::<Vec<_>>(), 1..=d),
            0..DMS.len(),
            1usize..=3,
            any::<bool>(),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(120))]

    /// Orbits, counts and both verdicts of the per-parameter check, and the
    /// orbit means, under S_d and under the cyclic group.
    #[test]
    fn orbit_checks_equal_brute_force(case in arb_case()) {
        let (u, a, b, dm_index, n, cyclic) = case;
        let d = u.len();
        let dm_name = DMS[dm_index];
        let dm: Builtin = dm_name.parse().unwrap();
        let outcomes = Outcomes::unit(d);
        let cmp = Comparison { outcomes: &outcomes, a: &a, b: &b };
        // The library's decision-maker against §6.2.
        let p = dm.choice_probabilities(&u);
        for (x, y) in p.iter().zip(choice(dm_name, &u)) {
            prop_assert!((x - y).abs() < 1e-12, "{} at {:?}: {:?}", dm_name, u, p);
        }
        let rotate: Vec<usize> = (0..d).map(|i| (i + 1) % d).collect();
        let (group, elements) = if cyclic {
            let g = Group::new(d, Some(std::slice::from_ref(&rotate))).unwrap();
            let els: Vec<Vec<usize>> = (0..d).map(|k| (0..d).map(|i| (i + k) % d).collect()).collect();
            (g, els)
        } else {
            (Group::new(d, None).unwrap(), perms(d))
        };
        let mine = orbit(&elements, &u);
        let mut theirs = group.orbit(&u, None).unwrap();
        let mut sorted = mine.clone();
        sorted.sort_by(|x, y| x.partial_cmp(y).unwrap());
        theirs.sort_by(|x, y| x.partial_cmp(y).unwrap());
        prop_assert_eq!(&theirs, &sorted);
        let x = mine.iter().filter(|v| diff(dm_name, v, &a, &b) < -1e-12).count();
        let y = mine.iter().filter(|v| diff(dm_name, v, &a, &b) > 1e-12).count();
        let check = check_orbit(&dm, cmp, &group, &mine, n, &NoProgress).unwrap();
        prop_assert_eq!((check.size, check.a_favoured, check.b_favoured), (mine.len(), x, y));
        prop_assert_eq!(check.retargetable, y >= n * x);
        prop_assert_eq!(check.retargetable_without_distinctness, x == 0 || y >= n);
        // Witnesses: each θ A-favoured, each φ·θ B-favoured and reached by its φ, all distinct.
        let mut seen: Vec<Vec<f64>> = Vec::new();
        for w in &check.witnesses {
            prop_assert!(diff(dm_name, &w.parameter, &a, &b) < -1e-12);
            prop_assert_eq!(w.retargeted.len(), n);
            for r in &w.retargeted {
                prop_assert!(diff(dm_name, &r.parameter, &a, &b) > 1e-12);
                prop_assert!(elements.contains(&r.permutation));
                prop_assert_eq!(act(&r.permutation, &w.parameter), r.parameter.clone());
                prop_assert!(!seen.contains(&r.parameter));
                seen.push(r.parameter.clone());
            }
        }
        if let Some(c) = &check.counterexample {
            prop_assert!(!check.retargetable && diff(dm_name, c, &a, &b) < -1e-12);
        }
        // Orbit means.
        let (pa, pb) = aggregate(&dm, cmp, &mine, Aggregator::Mean);
        let k = mine.len() as f64;
        let ma: f64 = mine.iter().map(|v| { let p = choice(dm_name, v); a.iter().map(|&i| p[i]).sum::<f64>() }).sum::<f64>() / k;
        let mb: f64 = mine.iter().map(|v| { let p = choice(dm_name, v); b.iter().map(|&i| p[i]).sum::<f64>() }).sum::<f64>() / k;
        prop_assert!((pa - ma).abs() < 1e-12 && (pb - mb).abs() < 1e-12);
    }

    /// The same-permutations search finds `n` permutations exactly when some
    /// `n`-subset of the group meets every clause on every A-favoured tested
    /// parameter (tried subset by subset here), for the reversal and the
    /// scalar conditions, with and without distinctness.
    #[test]
    fn same_permutations_equal_subset_search(case in arb_case(), extra in proptest::collection::vec(0u8..3, 4), scalar in any::<bool>(), distinct in any::<bool>()) {
        let (u, a, b, dm_index, n, _) = case;
        let n = n.min(2);
        let d = u.len();
        let dm_name = DMS[dm_index];
        let dm: Builtin = dm_name.parse().unwrap();
        let outcomes = Outcomes::unit(d);
        let cmp = Comparison { outcomes: &outcomes, a: &a, b: &b };
        let group = perms(d);
        let other: Vec<f64> = extra[..d].iter().map(|&x| f64::from(x) + 0.5).collect();
        let tested = vec![orbit(&group, &u), orbit(&group, &other)];
        let xs: Vec<&Vec<f64>> = tested.iter().flatten().filter(|v| diff(dm_name, v, &a, &b) < -1e-12).collect();
        let condition = if scalar { Condition::Scalar } else { Condition::Reversal };
        let good: Vec<&Vec<usize>> = group
            .iter()
            .filter(|phi| {
                xs.iter().all(|t| {
                    let e = diff(dm_name, &act(phi, t), &a, &b);
                    if scalar { e >= -diff(dm_name, t, &a, &b) - 1e-12 } else { e > 1e-12 }
                })
            })
            .collect();
        let compatible = |p: &[usize], q: &[usize]| {
            xs.iter().all(|t| xs.iter().all(|t2| act(p, t) != act(q, t2)))
        };
        let exists = match n {
            1 => !good.is_empty(),
            _ => (0..good.len()).any(|i| (i + 1..good.len()).any(|j| !distinct || compatible(good[i], good[j]))),
        };
        let result = same_permutations(&dm, cmp, &tested, None, &group, (n, condition, distinct), &NoProgress).unwrap();
        match &result {
            Retargetability::Witness { permutations } => {
                prop_assert!(exists, "witness {:?} but none exists", permutations);
                prop_assert_eq!(permutations.len(), n);
                for p in permutations {
                    prop_assert!(good.contains(&p));
                }
                if distinct && n == 2 {
                    prop_assert!(compatible(&permutations[0], &permutations[1]));
                }
            }
            other => prop_assert!(!exists, "{:?} but a witness exists", other),
        }
    }
}

/// A deterministic MDP symmetric under swapping `x` and `y`: from `s`, go to
/// `x` or `y`; each can go to the other or to the absorbing `z`.
fn symmetric_mdp() -> powerseek::Mdp {
    use powerseek::mdp::MdpBuilder;
    let mut b = MdpBuilder::new(vec!["s".into(), "x".into(), "y".into(), "z".into()]);
    b.add_action(0, "tx", &[(1, 1.0)]).unwrap();
    b.add_action(0, "ty", &[(2, 1.0)]).unwrap();
    b.add_action(1, "ty", &[(2, 1.0)]).unwrap();
    b.add_action(1, "tz", &[(3, 1.0)]).unwrap();
    b.add_action(2, "tx", &[(1, 1.0)]).unwrap();
    b.add_action(2, "tz", &[(3, 1.0)]).unwrap();
    b.add_action(3, "stay", &[(3, 1.0)]).unwrap();
    b.build().unwrap()
}

/// In the symmetric MDP, rewards with `u_x = u_y` make the first moves `tx`
/// and `ty` exactly equally likely for every decision-maker (the swap maps
/// one's futures onto the other's), and every orbit has as many parameters
/// favouring `tx` as `ty`. With utilities summed left to right, the cycle
/// `x ↔ y` entered at `x` or at `y` differed in the last bit: at
/// `u = (0.1, 0.1, 0.1, 0)` argmax gave `p(tx) = 0`, `p(ty) = 1`.
#[test]
fn symmetric_futures_tie_exactly() {
    let m = symmetric_mdp();
    for gamma in [0.9, 0.5, 0.99] {
        let (outcomes, first) = powerseek::retarget::mdp_outcomes(&m, 0, gamma, 1000).unwrap();
        let tx = m.action_names().iter().position(|n| n == "tx").unwrap();
        let a: Vec<usize> = (0..first.len()).filter(|&k| first[k] == tx).collect();
        let b: Vec<usize> = (0..first.len()).filter(|&k| first[k] != tx).collect();
        let cmp = Comparison {
            outcomes: &outcomes,
            a: &a,
            b: &b,
        };
        for dm in DMS {
            let dm: Builtin = dm.parse().unwrap();
            for i in 0..400 {
                let d = (i % 20) as f64 / 10.0 + 0.1;
                let x = (i / 20) as f64 / 10.0 + 0.1;
                let u = [d, x, x, (i % 7) as f64 / 10.0];
                let (pa, pb) = cmp.probabilities(&dm, &u);
                assert_eq!(pa, pb, "{dm} γ {gamma} u {u:?}");
                let t = powerseek::retarget::orbit_tendency(&dm, cmp, &u);
                assert_eq!(t.a_more, t.b_more, "{dm} γ {gamma} orbit of {u:?}: {t:?}");
            }
        }
    }
}

/// −0.0 and +0.0 are one value: an orbit holding both has the size of the
/// orbit with two +0.0, under S_d and under an explicit group (whose
/// elements were once told apart by their bits, doubling the count).
#[test]
fn signed_zeros_are_one_value() {
    use powerseek::retarget::orbit_size;
    let mixed = [-0.0, 0.0, 1.0];
    let plain = [0.0, 0.0, 1.0];
    assert_eq!(orbit_size(&mixed), Some(3));
    let s3 = Group::new(3, None).unwrap();
    assert_eq!(s3.orbit(&mixed, None).unwrap().len(), 3);
    // S_3 again, as the explicit closure of a transposition and a 3-cycle.
    let generated = Group::new(3, Some(&[vec![1, 0, 2], vec![1, 2, 0]])).unwrap();
    assert_eq!(generated.order(), Some(6));
    assert_eq!(generated.orbit(&plain, None).unwrap().len(), 3);
    assert_eq!(generated.orbit(&mixed, None).unwrap().len(), 3);
    // The group maps the mixed vector to its images whichever zero sits where.
    assert!(s3.mapping(&mixed, &[0.0, 1.0, -0.0]).is_some());
}

//! Orbit tendencies and retargetability (docs/theory.md §6) against hand counts, brute
//! force simulation, and the theorem as a property.

use powerseek::retarget::*;
use proptest::prelude::*;
use rand::{RngExt, SeedableRng};

/// B against A among `outcomes`.
fn cmp<'a>(outcomes: &'a Outcomes, a: &'a [usize], b: &'a [usize]) -> Comparison<'a> {
    Comparison { outcomes, a, b }
}

#[test]
fn hand_computed_argmax_counts() {
    let dm = Builtin::Argmax;
    // d = 3: B = {e2, e3} wins on 4 of the 6 orbit elements of a tie-free u.
    let t = orbit_tendency(&dm, cmp(&Outcomes::unit(3), &[0], &[1, 2]), &[0.3, 0.9, 0.1]);
    assert_eq!(
        t,
        Tendency {
            b_more: 4,
            equal: 0,
            a_more: 2
        }
    );
    // d = 4, C = {e1..e4}: 12 B-more, 6 equal (e4 best), 6 A-more.
    let t = orbit_tendency(&dm, cmp(&Outcomes::unit(4), &[0], &[1, 2]), &[0.3, 0.9, 0.1, 0.5]);
    assert_eq!(
        t,
        Tendency {
            b_more: 12,
            equal: 6,
            a_more: 6
        }
    );
    assert!(t.holds(2) && !t.holds(3));
    // The paper's example: ghost, apple, cherry with u = (10, 5, 0), A = {cherry}, B = {ghost, apple}.
    let t = orbit_tendency(&dm, cmp(&Outcomes::unit(3), &[2], &[0, 1]), &[10.0, 5.0, 0.0]);
    assert_eq!((t.b_more, t.total()), (4, 6));
    // Ties: u = (1, 1, 0) has 3 distinct orbit elements.
    assert_eq!(
        orbit_tendency(&dm, cmp(&Outcomes::unit(3), &[0], &[1, 2]), &[1.0, 1.0, 0.0]).total(),
        3
    );
    assert_eq!(orbit_size(&[1.0, 1.0, 0.0, 2.0]), Some(12));
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
fn montezuma_first_actions() {
    // Actions {up, down, left, right, jump}; A = {down}, B = the other four.
    let c = Outcomes::unit(5);
    let (a, b) = (vec![1], vec![0, 2, 3, 4]);
    let params = random_parameters(5, 20, 1);
    for u in &params {
        let t = orbit_tendency(&Builtin::Uniform, cmp(&c, &a, &b), u);
        assert_eq!(
            (t.b_more, t.total()),
            (120, 120),
            "uniform: 4/5 vs 1/5 for every parameter"
        );
        let t = orbit_tendency(&Builtin::Argmax, cmp(&c, &a, &b), u);
        assert!(t.holds(4), "greedy: B wins on ≥ 4/5 of every orbit: {t:?}");
    }
    assert!(matches!(
        check_retargetable(&Always(1), cmp(&c, &a, &b), 1, &params),
        Retargetability::Counterexample { .. }
    ));
    match check_retargetable(&Builtin::Argmax, cmp(&c, &a, &b), 4, &params) {
        Retargetability::Witness { permutations } => assert_eq!(permutations.len(), 4),
        other => panic!("argmax should be 4-retargetable: {other:?}"),
    }
}

/// Empirical choice frequencies by simulating each decision-maker's definition.
fn simulate(dm: Builtin, u: &[f64], draws: usize, seed: u64) -> Vec<f64> {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let n = u.len();
    let mut counts = vec![0usize; n];
    for _ in 0..draws {
        let pick = match dm {
            Builtin::BestOfK(k) => {
                let drawn: Vec<usize> = (0..k).map(|_| rng.random_range(0..n)).collect();
                let best = drawn.iter().map(|&i| u[i]).fold(f64::NEG_INFINITY, f64::max);
                let top: Vec<usize> = drawn.into_iter().filter(|&i| u[i] == best).collect();
                top[rng.random_range(0..top.len())]
            }
            Builtin::Satisficer(t) => {
                let ok: Vec<usize> = (0..n).filter(|&i| u[i] >= t).collect();
                ok[rng.random_range(0..ok.len())]
            }
            Builtin::Quantilizer(q) => {
                // Order by utility, ties in random order; take the outcome covering a uniform point of [0, q).
                let mut order: Vec<usize> = (0..n).collect();
                for i in (1..n).rev() {
                    order.swap(i, rng.random_range(0..=i));
                }
                order.sort_by(|&x, &y| u[y].total_cmp(&u[x]));
                let point = rng.random::<f64>() * q;
                order[((point * n as f64) as usize).min(n - 1)]
            }
            Builtin::Boltzmann(beta) => {
                let w: Vec<f64> = u.iter().map(|x| (beta * x).exp()).collect();
                let mut x = rng.random::<f64>() * w.iter().sum::<f64>();
                (0..n)
                    .find(|&i| {
                        x -= w[i];
                        x < 0.0
                    })
                    .unwrap_or(n - 1)
            }
            _ => unreachable!(),
        };
        counts[pick] += 1;
    }
    counts.iter().map(|&c| c as f64 / draws as f64).collect()
}

#[test]
fn exact_probabilities_match_simulation() {
    let u = [0.2, 0.9, 0.5, 0.9, 0.1, 0.5];
    let draws = 200_000;
    for dm in [
        Builtin::BestOfK(1),
        Builtin::BestOfK(3),
        Builtin::Satisficer(0.5),
        Builtin::Quantilizer(0.25),
        Builtin::Quantilizer(0.5),
        Builtin::Quantilizer(0.6),
        Builtin::Boltzmann(2.0),
    ] {
        let exact = dm.choice_probabilities(&u);
        assert!((exact.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{dm}");
        let sim = simulate(dm, &u, draws, 3);
        for (e, s) in exact.iter().zip(&sim) {
            let se = (e * (1.0 - e) / draws as f64).sqrt();
            assert!(
                (e - s).abs() <= 5.0 * se + 1e-9,
                "{dm}: exact {exact:?} vs simulated {sim:?}"
            );
        }
    }
    // Closed forms: best-of-1 is uniform; quantilizer with q = 1 is uniform; satisficer below every utility is uniform.
    assert!(Builtin::BestOfK(1)
        .choice_probabilities(&u)
        .iter()
        .all(|p| (p - 1.0 / 6.0).abs() < 1e-15));
    assert!(Builtin::Quantilizer(1.0)
        .choice_probabilities(&u)
        .iter()
        .all(|p| (p - 1.0 / 6.0).abs() < 1e-15));
    assert_eq!(Builtin::Satisficer(2.0).choice_probabilities(&u), vec![0.0; 6]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// B holding n disjoint copies of A makes B ≥_most^n A for every retargetable decision-maker.
    #[test]
    fn retargetable_decision_makers_prefer_more_options(n in 1usize..4, seed in any::<u64>(), which in 0usize..7) {
        let d = n + 2;
        let u = random_parameters(d, 1, seed).remove(0);
        // The EU minimiser is retargetable too (the retargetability paper lists it): it also prefers B.
        let dm = [Builtin::Argmax, Builtin::Boltzmann(3.0), Builtin::BestOfK(2), Builtin::Satisficer(0.5), Builtin::Quantilizer(0.3), Builtin::Uniform, Builtin::Argmin][which];
        let a = vec![0];
        let b: Vec<usize> = (1..=n).collect();
        let t = orbit_tendency(&dm, cmp(&Outcomes::unit(d), &a, &b), &u);
        prop_assert!(t.holds(n as u64), "{}: {:?}", dm, t);
        // And the worst of several random parameters' orbits still satisfies it.
        let params = random_parameters(d, 3, seed ^ 1);
        prop_assert!(worst_orbit(&dm, cmp(&Outcomes::unit(d), &a, &b), &params, None).holds(n as u64));
    }
}

/// The cyclic example of docs/theory.md §6.5: a decision-maker defined by a table over the
/// orbit of a 3-cycle.
struct Table;
impl DecisionMaker for Table {
    fn choice_probabilities(&self, u: &[f64]) -> Vec<f64> {
        // Orbit position: where the largest entry sits.
        let k = (0..3).max_by(|&i, &j| u[i].total_cmp(&u[j])).unwrap();
        let rows = [[3.0, 1.0, 2.0], [2.0, 3.0, 1.0], [1.0, 2.0, 3.0]];
        rows[k].iter().map(|x| x / 6.0).collect()
    }
    fn name(&self) -> String {
        "table".into()
    }
}

#[test]
fn most_is_intransitive_but_orbit_means_are_not() {
    let group = group_closure(3, &[vec![1, 2, 0]], 100).unwrap();
    assert_eq!(group.len(), 3);
    assert_eq!(group_closure(3, &[vec![1, 0, 2], vec![1, 2, 0]], 100).unwrap().len(), 6);
    let orbit = orbit_under(&group, &[1.0, 2.0, 3.0]);
    assert_eq!(orbit.len(), 3);
    let c = Outcomes::unit(3);
    let sets = vec![vec![0], vec![1], vec![2]];
    let cycle = find_most_cycle(&Table, &c, &sets, std::slice::from_ref(&orbit)).expect("A < B < C < A");
    assert_eq!(cycle.len(), 3);
    // Orbit means: every set gets 6/6 over the orbit, so the (transitive) orbit-mean relation ties them.
    for x in 0..3 {
        for y in 0..3 {
            assert!(orbit_mean_difference(&Table, cmp(&c, &sets[x], &sets[y]), &orbit).abs() < 1e-12);
        }
    }
    // Orbit-mean dominance is transitive on random instances (it compares real sums).
    let dm = Builtin::Boltzmann(1.5);
    let c4 = Outcomes::unit(4);
    let o = orbit_under(
        &group_closure(4, &[vec![1, 2, 3, 0]], 100).unwrap(),
        &[0.1, 0.7, 0.3, 0.9],
    );
    let sets = [vec![0], vec![1, 2], vec![3]];
    let m = |x: usize, y: usize| orbit_mean_difference(&dm, cmp(&c4, &sets[y], &sets[x]), &o);
    for (x, y, z) in [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1)] {
        if m(x, y) >= 0.0 && m(y, z) >= 0.0 {
            assert!(m(x, z) >= -1e-12);
        }
    }
}

#[test]
fn sampling_agrees_with_exhaustive_enumeration() {
    let c = Outcomes::unit(7);
    let u = random_parameters(7, 1, 9).remove(0);
    let exact = orbit_tendency(&Builtin::Boltzmann(2.0), cmp(&c, &[0], &[1, 2]), &u);
    let (sampled, ci) = sampled_tendency(
        &Builtin::Boltzmann(2.0),
        cmp(&c, &[0], &[1, 2]),
        &u,
        Sampling {
            samples: 20_000,
            seed: 5,
        },
    );
    let fraction = exact.b_more as f64 / exact.total() as f64;
    assert_eq!(exact.total(), 5040);
    assert!(
        ci[0] <= fraction && fraction <= ci[1],
        "{fraction} not in {ci:?} ({sampled:?})"
    );
}

#[test]
fn first_moves_that_keep_options_open_win_most_orbits() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    for (file, state, more, fewer) in [
        ("fork.json", "start", "right", "left"),
        ("options.grid", "(0,2)", "right", "left"),
    ] {
        let mdp = powerseek::mdp::load(&dir.join(file)).unwrap();
        let s = mdp.state_index(state).unwrap();
        let (outcomes, first) = mdp_outcomes(&mdp, s, 0.9, 10_000).unwrap();
        let label = |name: &str| mdp.action_names().iter().position(|n| n == name).unwrap();
        let a: Vec<usize> = (0..first.len()).filter(|&k| first[k] == label(fewer)).collect();
        let b: Vec<usize> = (0..first.len()).filter(|&k| first[k] == label(more)).collect();
        assert!(b.len() > a.len(), "{file}: {} vs {} outcomes", b.len(), a.len());
        // Every outcome is a discounted visit distribution: total mass 1/(1−γ).
        for f in &outcomes.vectors {
            assert!((f.iter().sum::<f64>() - 10.0).abs() < 1e-9);
        }
        for u in random_parameters(mdp.n_states(), 1, 5) {
            for dm in [
                Builtin::Argmax,
                Builtin::Boltzmann(5.0),
                Builtin::BestOfK(2),
                Builtin::Quantilizer(0.5),
                Builtin::Uniform,
            ] {
                let t = orbit_tendency(&dm, cmp(&outcomes, &a, &b), &u);
                assert!(t.b_more > t.a_more, "{file} {dm}: {t:?}");
            }
        }
    }
}

#[test]
fn q_learners_pick_the_move_that_keeps_options_open() {
    use powerseek::progress::NoProgress;
    use powerseek::retarget::learn::{learned_tendency, LearnedOptions, QLearning};
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples"));
    let mdp = powerseek::mdp::load(&dir.join("options.grid")).unwrap();
    let start = mdp.start().unwrap();
    let label = |name: &str| mdp.action_names().iter().position(|n| n == name).unwrap();
    let base = random_parameters(mdp.n_states(), 1, 1).remove(0);
    let moves = FirstMoves {
        state: start,
        a: label("left"),
        b: label("right"),
    };
    let opts = LearnedOptions {
        training: QLearning::default(),
        agents: 300,
        seed: 7,
    };
    let r = learned_tendency(&mdp, &moves, &base, &opts, &NoProgress).unwrap();
    assert!(r.fraction_b > 0.5 && r.ci95[0] > 0.5, "{r:?}");
    // A symmetric corridor: neither move keeps more options open; the learners split evenly.
    let sym = powerseek::mdp::gridworld::parse("stay = false\n..S..\n", "sym").unwrap();
    let label = |name: &str| sym.action_names().iter().position(|n| n == name).unwrap();
    let base = random_parameters(sym.n_states(), 1, 2).remove(0);
    let moves = FirstMoves {
        state: sym.start().unwrap(),
        a: label("left"),
        b: label("right"),
    };
    let r = learned_tendency(&sym, &moves, &base, &opts, &NoProgress).unwrap();
    assert!(r.ci95[0] < 0.5 && 0.5 < r.ci95[1], "{r:?}");
}

#[test]
fn sampled_tendency_chunks_add_up_to_the_whole_run() {
    let outcomes = Outcomes::unit(6);
    let u = [0.1, 0.2, 0.4, 0.5, 0.8, 0.9];
    let (a, b) = ([0], [1, 2, 3]);
    let n = 3 * TENDENCY_CHUNK + 100;
    let dm = Builtin::Boltzmann(3.0);
    let sampling = Sampling { samples: n, seed: 4 };
    let (whole, _) = sampled_tendency(&dm, cmp(&outcomes, &a, &b), &u, sampling);
    let parts = [0..1, 1..3, 3..4].map(|r| sampled_tendency_chunks(&dm, cmp(&outcomes, &a, &b), &u, sampling, r));
    assert_eq!(parts.iter().map(|t| t.total()).sum::<u64>(), n);
    assert_eq!(parts.iter().map(|t| t.b_more).sum::<u64>(), whole.b_more);
    assert_eq!(parts.iter().map(|t| t.a_more).sum::<u64>(), whole.a_more);
}

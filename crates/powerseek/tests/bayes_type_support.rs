//! Two-player Bayesian games without the induced normal form
//! (`equilibrium::bayes`, the type-support method): on random nondegenerate
//! games its Bayesian Nash equilibria, and each player's POWER per type at
//! them, are exactly those of vertex enumeration on the induced normal form;
//! Gambit's bayes1a gives its published answer; a 3 types × 3 actions game
//! is solved by default without the induced normal form; on degenerate
//! games every extreme equilibrium it reports is the image of one of the
//! induced form's, every pure equilibrium is among them, the components are
//! the same, and equilibria in one component are joined by equilibria; the default's `choice` says why,
//! with the numbers that decided it.

use std::collections::BTreeSet;

use num_traits::Zero;
use powerseek::game::bayesian::{BayesianGame, Behaviour};
use powerseek::game::equilibrium::{self, bayes, Method, SolveOptions};
use powerseek::game::power::bayesian_power;
use powerseek::game::{format_rational, parse_rational, Rational};
use powerseek::progress::NoProgress;
use rand::{RngExt, SeedableRng};

fn key(b: &Behaviour<Rational>) -> String {
    b.iter()
        .flatten()
        .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("|")
}

/// A random two-player Bayesian game: `types` types and `actions` actions
/// each, a full-support correlated prior, payoffs in `[-range, range]`.
fn random_game(seed: u64, types: usize, actions: usize, range: i64) -> BayesianGame {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let weights: Vec<i64> = (0..types * types).map(|_| rng.random_range(1..=9)).collect();
    let total: i64 = weights.iter().sum();
    let prior = weights.iter().map(|&w| Rational::new(w.into(), total.into())).collect();
    let payoffs = (0..types * types * actions * actions * 2)
        .map(|_| Rational::from_integer(rng.random_range(-range..=range).into()))
        .collect();
    let names = |p: &str, k: usize| (0..k).map(|i| format!("{p}{i}")).collect::<Vec<_>>();
    BayesianGame::new(
        format!("random {types}x{actions} #{seed}"),
        vec!["1".into(), "2".into()],
        vec![names("s", types), names("t", types)],
        vec![names("a", actions), names("b", actions)],
        prior,
        payoffs,
    )
    .unwrap()
}

/// A game file (relative to this crate) as a Bayesian game.
fn load(path: &str) -> BayesianGame {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    powerseek::game::load(&path).unwrap().into_bayesian()
}

fn with(method: Method) -> SolveOptions {
    SolveOptions {
        method: Some(method),
        all: true,
        ..Default::default()
    }
}

#[test]
fn the_same_equilibria_and_power_per_type_as_the_induced_normal_form() {
    let mut compared = 0;
    for seed in 0..16 {
        let (types, actions) = if seed % 2 == 0 { (2, 2) } else { (2, 3) };
        let g = random_game(seed, types, actions, 1000);
        let ts = equilibrium::solve_bayesian(&g, &with(Method::TypeSupport)).unwrap();
        let induced = equilibrium::solve_bayesian(&g, &with(Method::Enum)).unwrap();
        assert_eq!(induced.via, "induced normal form");
        let a: BTreeSet<String> = ts.equilibria.iter().map(|e| key(&e.behaviour)).collect();
        let b: BTreeSet<String> = induced.equilibria.iter().map(|e| key(&e.behaviour)).collect();
        assert_eq!(a, b, "seed {seed}");
        for e in &ts.equilibria {
            assert!(e.max_interim_regret.is_zero());
            let other = induced.equilibria.iter().find(|f| f.behaviour == e.behaviour).unwrap();
            assert_eq!(bayesian_power(&g, &e.behaviour), bayesian_power(&g, &other.behaviour));
            assert_eq!(e.payoffs, other.payoffs);
        }
        compared += ts.equilibria.len();
    }
    assert!(compared >= 16, "{compared} equilibria compared");
}

#[test]
fn bayes1a_has_its_published_equilibrium_and_power() {
    let g = load("tests/data/gambit/bayes1a.efg");
    let r = bayes::type_support(&g, &NoProgress).unwrap();
    assert_eq!(r.equilibria.len(), 1);
    let q = |s: &str| parse_rational(s).unwrap();
    let power = bayesian_power(&g, &r.equilibria[0]);
    let p: Vec<Rational> = power.players.iter().map(|p| p.power.clone()).collect();
    assert_eq!(p, vec![q("5"), q("23/6")]);
}

#[test]
fn three_types_by_three_actions_solve_without_the_induced_form() {
    let g = random_game(7, 3, 3, 1000);
    let s = equilibrium::solve_bayesian(&g, &SolveOptions::all()).unwrap();
    assert_eq!(s.method, Method::TypeSupport);
    assert_eq!(s.via, "agent form (vertex enumeration per type)");
    assert_eq!(s.shape, vec![3; 6]);
    assert!(!s.equilibria.is_empty());
    assert!(s.equilibria.iter().all(|e| e.max_interim_regret.is_zero()));
    assert!(s.note.contains("53786 square systems solved"), "{}", s.note);
}

#[test]
fn the_default_says_why_with_the_numbers_that_decided_it() {
    // 3 types × 3 actions: the induced normal form would be 27 × 27, above
    // 16 strategies per player, so vertex enumeration per type.
    let g = random_game(7, 3, 3, 1000);
    let s = equilibrium::solve_bayesian(&g, &SolveOptions::all()).unwrap();
    assert_eq!(s.method, Method::TypeSupport);
    let choice = s.choice.as_deref().unwrap();
    assert!(
        choice.contains("27×27, above 16 strategies per player, so vertex enumeration per type"),
        "{choice}"
    );
    assert!(choice.contains("117649 bases per side"), "{choice}");
    // The same run asked for by name: no reason to give.
    let asked = equilibrium::solve_bayesian(&g, &with(Method::TypeSupport)).unwrap();
    assert_eq!(asked.choice, None);
    assert_eq!(asked.equilibria, s.equilibria);
    // 4 types × 3 actions: 81 strategies, still without the induced form.
    let big = random_game(3, 4, 3, 1000);
    assert_eq!(equilibrium::default_bayesian(&big, true), Method::TypeSupport);
    assert!(equilibrium::default_bayesian_reason(&big, true).contains("81×81, above 16"));
    // 2 types × 2 actions: a 4 × 4 induced normal form, solved there.
    let small = random_game(1, 2, 2, 1000);
    let s = equilibrium::solve_bayesian(&small, &SolveOptions::all()).unwrap();
    assert_eq!((s.via, s.method), ("induced normal form", Method::Enum));
    let choice = s.choice.as_deref().unwrap();
    assert!(
        choice.starts_with("the induced normal form is 4×4, at most 16 strategies per player")
            && choice.contains("vertex enumeration by reverse search"),
        "{choice}"
    );
    let one = equilibrium::solve_bayesian(&small, &SolveOptions::default()).unwrap();
    assert_eq!(one.method, Method::Lh);
    assert!(one.choice.unwrap().ends_with("Lemke–Howson, one exact path"));
    assert_eq!(
        equilibrium::solve_bayesian(&small, &with(Method::Enum)).unwrap().choice,
        None
    );
}

#[test]
fn three_players_say_why_the_agent_form() {
    let g = load("../../examples/games/three-player.nfg");
    let s = equilibrium::solve_bayesian(&g, &SolveOptions::all()).unwrap();
    assert_eq!((s.via, s.method), ("agent form", Method::Poly));
    let choice = s.choice.unwrap();
    assert!(
        choice.starts_with("a 3-player Bayesian game is solved on its agent form (each type a player: 3 agents)")
            && choice.contains("27 support profiles (at most 1024): poly"),
        "{choice}"
    );
}

/// Whether `b` is pure (every type plays one action).
fn pure(b: &Behaviour<Rational>) -> bool {
    b.iter()
        .flatten()
        .all(|s| s.iter().all(|p| p.is_zero() || *p == Rational::from_integer(1.into())))
}

#[test]
fn degenerate_games_get_every_extreme_equilibrium_and_their_components() {
    // Payoffs in {0, 1}: ties everywhere, singular bases, continua of
    // equilibria. The induced normal form's extreme equilibria map onto
    // behaviours that include every extreme behaviour equilibrium (and some
    // that are not extreme in behaviour space), so type-support's set is a
    // subset of theirs containing all pure ones; within a component, the
    // midpoint of two extreme equilibria sharing a player's behaviour is an
    // equilibrium.
    let (mut singular, mut continua) = (0, 0);
    for seed in 0..12 {
        let (types, actions) = if seed % 2 == 0 { (2, 2) } else { (2, 3) };
        let g = random_game(seed, types, actions, 1);
        let ts = equilibrium::solve_bayesian(&g, &with(Method::TypeSupport)).unwrap();
        let induced = equilibrium::solve_bayesian(&g, &with(Method::Enum)).unwrap();
        if !ts.note.contains("(0 singular") {
            singular += 1;
        }
        let a: BTreeSet<String> = ts.equilibria.iter().map(|e| key(&e.behaviour)).collect();
        let b: BTreeSet<String> = induced.equilibria.iter().map(|e| key(&e.behaviour)).collect();
        assert!(a.is_subset(&b), "seed {seed}: {a:?} ⊄ {b:?}");
        for e in &induced.equilibria {
            assert!(e.max_interim_regret.is_zero());
            if pure(&e.behaviour) {
                assert!(
                    a.contains(&key(&e.behaviour)),
                    "seed {seed}: pure {}",
                    key(&e.behaviour)
                );
            }
        }
        // The same components: each of type-support's lies in one of the
        // induced form's, a different one each, and there are as many.
        let mut of = std::collections::BTreeMap::new();
        for (k, c) in induced.components.iter().enumerate() {
            for &e in c {
                of.insert(key(&induced.equilibria[e].behaviour), k);
            }
        }
        let ids: Vec<BTreeSet<usize>> = ts
            .components
            .iter()
            .map(|c| c.iter().map(|&e| of[&key(&ts.equilibria[e].behaviour)]).collect())
            .collect();
        assert!(ids.iter().all(|s| s.len() == 1), "seed {seed}");
        assert_eq!(ids.iter().flatten().collect::<BTreeSet<_>>().len(), ts.components.len());
        assert_eq!(ts.components.len(), induced.components.len(), "seed {seed}");
        let mut covered: Vec<usize> = ts.components.iter().flatten().copied().collect();
        covered.sort_unstable();
        assert_eq!(covered, (0..ts.equilibria.len()).collect::<Vec<_>>(), "seed {seed}");
        let half = Rational::new(1.into(), 2.into());
        for c in &ts.components {
            continua += usize::from(c.len() > 1);
            for &p in c {
                for &q in c {
                    let (x, y) = (&ts.equilibria[p].behaviour, &ts.equilibria[q].behaviour);
                    if p < q && (x[0] == y[0] || x[1] == y[1]) {
                        let mid: Behaviour<Rational> = x
                            .iter()
                            .zip(y)
                            .map(|(u, v)| {
                                u.iter()
                                    .zip(v)
                                    .map(|(s, t)| s.iter().zip(t).map(|(a, b)| (a + b) * &half).collect())
                                    .collect()
                            })
                            .collect();
                        assert!(g.max_interim_regret(&mid).is_zero(), "seed {seed}");
                    }
                }
            }
        }
    }
    assert!(
        singular > 0 && continua > 0,
        "{singular} with singular bases, {continua} continua"
    );
}

/// `cargo test --release -p powerseek --test bayes_type_support -- --ignored --nocapture`:
/// the default on 3 types × 3 actions — vertex enumeration per type, under
/// a second on nondegenerate and degenerate games, against vertex
/// enumeration on the 27 × 27 induced normal form (same equilibria on
/// nondegenerate games; on degenerate ones a subset of its images with the
/// same number of components).
#[test]
#[ignore]
fn bench_bayesian_defaults() {
    for (kind, base, range) in [("nondegenerate", 100, 1_000_000), ("degenerate", 200, 1)] {
        for seed in 0..3 {
            let g = random_game(base + seed, 3, 3, range);
            let started = std::time::Instant::now();
            let s = equilibrium::solve_bayesian(&g, &SolveOptions::all()).unwrap();
            let t = started.elapsed().as_secs_f64();
            let started = std::time::Instant::now();
            let induced = equilibrium::solve_bayesian(&g, &with(Method::Enum)).unwrap();
            let t_induced = started.elapsed().as_secs_f64();
            let a: BTreeSet<String> = s.equilibria.iter().map(|e| key(&e.behaviour)).collect();
            let b: BTreeSet<String> = induced.equilibria.iter().map(|e| key(&e.behaviour)).collect();
            println!(
                "{kind} #{seed}: {} in {t:.3} s ({} equilibria, {} components); induced form {t_induced:.3} s ({} behaviours, {} components)",
                s.method,
                a.len(),
                s.components.len(),
                b.len(),
                induced.components.len()
            );
            assert_eq!(s.method, Method::TypeSupport);
            if range > 1 {
                assert_eq!(a, b);
            } else {
                assert!(a.is_subset(&b));
            }
            assert_eq!(s.components.len(), induced.components.len());
            assert!(t < 1.0, "{t} s");
        }
    }
}

#[test]
fn types_of_probability_zero_are_refused_with_the_reason() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    let prior = ["1/2", "0", "1/2", "0"]
        .iter()
        .map(|x| parse_rational(x).unwrap())
        .collect();
    let g = BayesianGame::new(
        "zero type",
        s(&["1", "2"]),
        vec![s(&["a", "b"]), s(&["c", "d"])],
        vec![s(&["x", "y"]), s(&["u", "v"])],
        prior,
        (0..32).map(|k| Rational::from_integer((k % 5).into())).collect(),
    )
    .unwrap();
    let e = bayes::type_support(&g, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("probability 0") && e.contains("'b'"), "{e}");
}

#[test]
fn huge_support_counts_are_refused_before_allocating() {
    let g = random_game(1, 1, 40, 10);
    let e = bayes::type_support(&g, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("above the limit"), "{e}");
    // A one-type game is a normal-form game: the default stays on it.
    assert_eq!(equilibrium::default_bayesian(&g, true), Method::Enum);
}

//! Simplicial subdivision (`equilibrium::simpdiv`, the simpdiv method) on
//! Gambit's n-player test games (`tests/data/gambit`): every profile it
//! returns is an ε-equilibrium by exact max regret (exact or within 10⁻¹²
//! when refined), each is one of the equilibria Gambit 16.7 lists for the game
//! (`enumpoly`, `gnm`, `enumpure` in `equilibria_by_gambit.json`), and on
//! `2x2x2.nfg` it reaches an equilibrium that logit path following does not.

use num_traits::ToPrimitive;
use powerseek::game::equilibrium::simpdiv::{self, SimpdivOptions};
use powerseek::game::equilibrium::{self, npoly, Method, SolveOptions};
use powerseek::game::{format_rational, nfg, NormalFormGame, Rational};
use powerseek::progress::NoProgress;
use serde_json::Value;

mod common;
use common::{gambit_dir, gambit_profile};

fn load(file: &str) -> NormalFormGame {
    nfg::load(&gambit_dir().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

fn floats(s: &[Vec<Rational>]) -> Vec<Vec<f64>> {
    s.iter()
        .map(|r| r.iter().map(|x| x.to_f64().unwrap()).collect())
        .collect()
}

fn close(a: &[Vec<f64>], b: &[Vec<f64>], tol: f64) -> bool {
    a.iter()
        .flatten()
        .zip(b.iter().flatten())
        .all(|(x, y)| (x - y).abs() < tol)
}

/// Every equilibrium Gambit's enumpoly, gnm and enumpure list for `file`, as floats.
fn gambit_equilibria(file: &str, g: &NormalFormGame) -> Vec<Vec<Vec<f64>>> {
    let refs: Value =
        serde_json::from_str(&std::fs::read_to_string(gambit_dir().join("equilibria_by_gambit.json")).unwrap())
            .unwrap();
    let mut out = vec![];
    for solver in ["enumpoly", "gnm", "enumpure"] {
        for eq in refs[file]["results"][solver]["equilibria"]
            .as_array()
            .into_iter()
            .flatten()
        {
            out.push(gambit_profile(eq, g));
        }
    }
    out
}

fn simpdiv() -> SolveOptions {
    SolveOptions {
        method: Some(Method::Simpdiv),
        all: true,
        ..Default::default()
    }
}

#[test]
fn every_profile_is_certified_and_one_of_gambits_equilibria() {
    let tolerance = simpdiv::regret_tolerance();
    for (file, at_least) in [
        ("2x2x2.nfg", 1),
        ("2x2x2x2.nfg", 2),
        ("3x3x3.nfg", 1),
        ("catalog_ijgt_nau2004_sec4.nfg", 1),
        ("coord333.nfg", 3),
    ] {
        let g = load(file);
        let s = equilibrium::solve(&g, &simpdiv()).unwrap();
        assert_eq!(s.method, Method::Simpdiv);
        assert!(!s.exact);
        assert!(s.equilibria.len() >= at_least, "{file}: {}", s.note);
        let theirs = gambit_equilibria(file, &g);
        assert!(!theirs.is_empty(), "{file}");
        for e in &s.equilibria {
            assert!(
                e.max_regret <= tolerance,
                "{file}: regret {}",
                format_rational(&e.max_regret)
            );
            assert_eq!(
                e.max_regret,
                equilibrium::Equilibrium {
                    strategies: e.strategies.clone(),
                    payoffs: e.payoffs.clone()
                }
                .max_regret(&g)
            );
            let ours = floats(&e.strategies);
            assert!(
                theirs.iter().any(|t| close(&ours, t, 1e-6)),
                "{file}: {ours:?} is none of Gambit's equilibria"
            );
        }
        // Each once.
        for (k, a) in s.equilibria.iter().enumerate() {
            for b in &s.equilibria[..k] {
                assert!(
                    !close(&floats(&a.strategies), &floats(&b.strategies), 1e-6),
                    "{file}: twice"
                );
            }
        }
    }
}

#[test]
fn refined_profiles_are_exact_or_within_the_poly_bound() {
    // nau2004 sec4's unique equilibrium is irrational: refined, its regret is
    // positive but at most 10⁻¹²; 2x2x2's are rational and come out exact.
    let bound = npoly::regret_bound();
    let g = load("catalog_ijgt_nau2004_sec4.nfg");
    let r = simpdiv::equilibria(&g, &SimpdivOptions::default(), &NoProgress).unwrap();
    assert_eq!(r.equilibria.len(), 1);
    assert!(r.refined[0]);
    let regret = r.equilibria[0].max_regret(&g);
    assert!(regret > Rational::from_integer(0.into()) && regret <= bound);
    let g = load("2x2x2.nfg");
    let r = simpdiv::equilibria(&g, &SimpdivOptions::default(), &NoProgress).unwrap();
    assert!(r.refined.iter().all(|x| *x));
    assert!(r
        .equilibria
        .iter()
        .all(|e| e.max_regret(&g) == Rational::from_integer(0.into())));
}

#[test]
fn simpdiv_finds_an_equilibrium_that_logit_does_not_on_2x2x2() {
    let g = load("2x2x2.nfg");
    let logit = equilibrium::solve(
        &g,
        &SolveOptions {
            method: Some(Method::Logit),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(logit.equilibria.len(), 1);
    let theirs = floats(&logit.equilibria[0].strategies);
    let s = equilibrium::solve(&g, &simpdiv()).unwrap();
    let new: Vec<Vec<Vec<f64>>> = s
        .equilibria
        .iter()
        .map(|e| floats(&e.strategies))
        .filter(|e| !close(e, &theirs, 1e-4))
        .collect();
    assert!(!new.is_empty(), "logit {theirs:?}; simpdiv {}", s.note);
    // The one it finds is 2x2x2's totally mixed (2/5, 3/5), (1/2, 1/2), (1/3, 2/3).
    assert!(new
        .iter()
        .any(|e| close(e, &[vec![0.4, 0.6], vec![0.5, 0.5], vec![1.0 / 3.0, 2.0 / 3.0]], 1e-12)));
}

#[test]
fn continua_are_not_certified_but_do_not_fail() {
    // nau2004 sec6's equilibria form a segment: Newton's method is singular
    // there, so walks end uncertified and are dropped; the solve still succeeds.
    let g = load("catalog_ijgt_nau2004_sec6.nfg");
    let opts = SolveOptions {
        simpdiv: SimpdivOptions {
            starts: 3,
            ..Default::default()
        },
        ..simpdiv()
    };
    let s = equilibrium::solve(&g, &opts).unwrap();
    assert!(s.note.contains("3 starting points"), "{}", s.note);
    for e in &s.equilibria {
        assert!(e.max_regret <= simpdiv::regret_tolerance());
    }
}

#[test]
fn the_method_is_named_simpdiv_and_needs_a_start() {
    assert_eq!("simpdiv".parse::<Method>().unwrap(), Method::Simpdiv);
    let g = load("2x2x2.nfg");
    let err = simpdiv::equilibria(
        &g,
        &SimpdivOptions {
            starts: 0,
            ..Default::default()
        },
        &NoProgress,
    )
    .unwrap_err();
    assert!(err.to_string().contains("starting point"), "{err}");
}

#[test]
fn on_random_nondegenerate_bimatrix_games_every_profile_is_an_extreme_equilibrium() {
    // Payoffs in ±10⁶ make ties (degeneracy) unlikely: then every
    // equilibrium is extreme, so each refined simpdiv profile must be
    // exactly one of vertex enumeration's (an independent exact method), or within
    // 10⁻⁹ of one when its denominators are too large to recognise. simpdiv
    // need not find one: near-ties make its walks converge slowly (one of
    // these games ends uncertified from every start), so only most games
    // are required to give one.
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_pcg::Pcg64::seed_from_u64(77);
    let mut refined = 0;
    let mut found = 0;
    for _ in 0..8 {
        let (m, n) = (rng.random_range(2..=3), rng.random_range(2..=3));
        let mut draw = || -> Vec<Vec<Rational>> {
            (0..m)
                .map(|_| {
                    (0..n)
                        .map(|_| Rational::from_integer(rng.random_range(-1_000_000..=1_000_000).into()))
                        .collect()
                })
                .collect()
        };
        let (a, b) = (draw(), draw());
        let g = NormalFormGame::bimatrix(&a, &b).unwrap();
        let opts = SimpdivOptions {
            starts: 6,
            ..Default::default()
        };
        let r = simpdiv::equilibria(&g, &opts, &NoProgress).unwrap();
        found += usize::from(!r.equilibria.is_empty());
        let extreme = equilibrium::bimatrix::enumerate_extreme(&g).unwrap();
        for (e, &was_refined) in r.equilibria.iter().zip(&r.refined) {
            assert!(e.max_regret(&g) <= simpdiv::regret_tolerance());
            if was_refined {
                // Exact, or (denominators beyond 10⁶) a rounding certified to 10⁻¹².
                refined += 1;
                assert!(e.max_regret(&g) <= npoly::regret_bound());
                let ours = floats(&e.strategies);
                assert!(
                    extreme
                        .equilibria
                        .iter()
                        .any(|x| x.strategies == e.strategies || close(&floats(&x.strategies), &ours, 1e-9)),
                    "{a:?} {b:?}: {ours:?}"
                );
            }
        }
    }
    assert!(
        refined >= found && found >= 6,
        "found in {found} of 8 games, {refined} refined"
    );
}

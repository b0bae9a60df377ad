//! Gambit's own test games (`tests/data/gambit`) load unchanged, and the
//! solvers return exactly the equilibria Gambit 16.7 reports for them.

use std::collections::BTreeSet;
use std::path::Path;

use num_traits::Zero;
use powerseek::game::equilibrium::{bimatrix, pure_equilibria};
use powerseek::game::{nfg, NormalFormGame};
use serde_json::Value;

mod common;
use common::{gambit_dir, gambit_key, key};

fn reference(dir: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(dir.join("equilibria_by_gambit.json")).unwrap()).unwrap()
}

fn load(dir: &Path, file: &str) -> NormalFormGame {
    nfg::load(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
}

#[test]
fn every_gambit_game_loads_and_round_trips() {
    let dir = gambit_dir();
    let refs = reference(&dir);
    let mut count = 0;
    for (file, info) in refs.as_object().unwrap() {
        let g = load(&dir, file);
        let shape: Vec<usize> = info["strategies_per_player"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_u64().unwrap() as usize)
            .collect();
        assert_eq!(g.shape(), shape, "{file}");
        assert_eq!(g.title, info["title"].as_str().unwrap(), "{file}");
        assert_eq!(
            g.constant_sum().is_some(),
            info["const_sum"].as_bool().unwrap(),
            "{file}"
        );
        assert_eq!(nfg::parse(&nfg::write(&g), file).unwrap(), g, "{file}");
        count += 1;
    }
    assert_eq!(count, 26);
}

#[test]
fn vertex_enumeration_finds_exactly_gambits_extreme_equilibria() {
    let dir = gambit_dir();
    let refs = reference(&dir);
    let mut checked = 0;
    for (file, info) in refs.as_object().unwrap() {
        let Some(em) = info["results"].get("enummixed") else {
            continue;
        };
        if em.get("equilibria").is_none() {
            continue;
        }
        let g = load(&dir, file);
        let ours = bimatrix::enumerate_extreme(&g).unwrap();
        for e in &ours.equilibria {
            assert!(e.max_regret(&g).is_zero(), "{file}: {e:?}");
            assert_eq!(e.payoffs, g.expected_payoffs(&e.strategies));
        }
        let ours_set: BTreeSet<String> = ours.equilibria.iter().map(key).collect();
        let theirs: BTreeSet<String> = em["equilibria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| gambit_key(e, &g))
            .collect();
        assert_eq!(ours_set, theirs, "{file}");
        assert_eq!(ours.equilibria.len(), em["n_eq"].as_u64().unwrap() as usize, "{file}");
        let in_components: usize = ours.components.iter().map(Vec::len).sum();
        assert_eq!(in_components, ours.equilibria.len());
        checked += 1;
    }
    assert_eq!(checked, 18, "two-player games with Gambit's enummixed results");
}

#[test]
fn pure_equilibria_match_gambits_enumpure() {
    let dir = gambit_dir();
    let refs = reference(&dir);
    for (file, info) in refs.as_object().unwrap() {
        let Some(ep) = info["results"].get("enumpure") else {
            continue;
        };
        let g = load(&dir, file);
        let ours: BTreeSet<String> = pure_equilibria(&g).iter().map(key).collect();
        let theirs: BTreeSet<String> = ep["equilibria"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| gambit_key(e, &g))
            .collect();
        assert_eq!(ours, theirs, "{file}");
    }
}

#[test]
fn lemke_howson_lands_on_extreme_equilibria() {
    let dir = gambit_dir();
    let refs = reference(&dir);
    for (file, info) in refs.as_object().unwrap() {
        if info["n_players"] != 2 {
            continue;
        }
        let g = load(&dir, file);
        let all: BTreeSet<String> = bimatrix::enumerate_extreme(&g)
            .unwrap()
            .equilibria
            .iter()
            .map(key)
            .collect();
        for e in bimatrix::lemke_howson_all(&g).unwrap() {
            assert!(e.max_regret(&g).is_zero(), "{file}");
            assert!(
                all.contains(&key(&e)),
                "{file}: LH returned {} not in the extreme set",
                key(&e)
            );
        }
    }
}

#[test]
fn zero_sum_lp_value_matches_the_equilibrium_payoff() {
    let dir = gambit_dir();
    let refs = reference(&dir);
    let mut checked = 0;
    for (file, info) in refs.as_object().unwrap() {
        if info["n_players"] != 2 || !info["const_sum"].as_bool().unwrap() {
            continue;
        }
        let g = load(&dir, file);
        let lp = bimatrix::zero_sum(&g).unwrap();
        let strategies = vec![lp.row.clone(), lp.column.clone()];
        assert!(
            g.regret(&strategies).iter().all(Zero::is_zero),
            "{file}: LP strategies are not an equilibrium"
        );
        for e in bimatrix::enumerate_extreme(&g).unwrap().equilibria {
            assert_eq!(e.payoffs[0], lp.value, "{file}");
        }
        checked += 1;
    }
    assert!(checked >= 5);
}

#[test]
fn logit_path_following_certifies_an_equilibrium_of_every_game() {
    use powerseek::game::equilibrium::logit::{logit_equilibrium, LogitOptions};
    let dir = gambit_dir();
    let refs = reference(&dir);
    for (file, _) in refs.as_object().unwrap() {
        let g = load(&dir, file);
        let r = logit_equilibrium(&g, &LogitOptions::default()).unwrap();
        let regret: f64 = num_traits::ToPrimitive::to_f64(&r.max_regret).unwrap();
        assert!(
            regret < 1e-9,
            "{file}: max regret {regret} (λ = {}, {} steps, polished {})",
            r.lambda,
            r.steps,
            r.polished
        );
        for s in &r.exact.strategies {
            assert_eq!(
                s.iter().fold(num_rational::BigRational::zero(), |a, b| a + b),
                num_rational::BigRational::from_integer(1.into())
            );
        }
    }
}

#[test]
fn logit_finds_the_irrational_equilibrium_of_nau2004_sec4() {
    use powerseek::game::equilibrium::logit::{logit_equilibrium, LogitOptions};
    let dir = gambit_dir();
    let refs = reference(&dir);
    let file = "catalog_ijgt_nau2004_sec4.nfg";
    let g = load(&dir, file);
    let r = logit_equilibrium(&g, &LogitOptions::default()).unwrap();
    // Gambit's enumpoly reports the unique equilibrium in floating point.
    let eq = &refs[file]["results"]["enumpoly"]["equilibria"][0]["strategies"];
    for (i, p) in g.players().iter().enumerate() {
        for (a, x) in eq[p].as_array().unwrap().iter().enumerate() {
            let theirs = x.as_f64().or_else(|| x.as_str().and_then(|s| s.parse().ok())).unwrap();
            assert!(
                (r.profile[i][a] - theirs).abs() < 1e-6,
                "{p}[{a}]: {} vs {theirs}",
                r.profile[i][a]
            );
        }
    }
}

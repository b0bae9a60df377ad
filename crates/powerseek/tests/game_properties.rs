//! Properties of the exact two-player solvers on random games (proptest).

use std::collections::BTreeSet;

use num_traits::Zero;
use powerseek::game::equilibrium::{bimatrix, Equilibrium};
use powerseek::game::{format_rational, NormalFormGame, Rational};
use proptest::prelude::*;

fn game_from(m: usize, n: usize, values: &[i64], zero_sum: bool) -> NormalFormGame {
    let r = |x: i64| Rational::from_integer(x.into());
    let a: Vec<Vec<Rational>> = (0..m).map(|i| (0..n).map(|j| r(values[i * n + j])).collect()).collect();
    let b: Vec<Vec<Rational>> = (0..m)
        .map(|i| {
            (0..n)
                .map(|j| {
                    if zero_sum {
                        -r(values[i * n + j])
                    } else {
                        r(values[m * n + i * n + j])
                    }
                })
                .collect()
        })
        .collect();
    NormalFormGame::bimatrix(&a, &b).unwrap()
}

fn arb_game(range: i64, zero_sum: bool) -> impl Strategy<Value = NormalFormGame> {
    (1usize..5, 1usize..5).prop_flat_map(move |(m, n)| {
        proptest::collection::vec(-range..=range, 2 * m * n).prop_map(move |v| game_from(m, n, &v, zero_sum))
    })
}

fn keys(eqs: &[Equilibrium]) -> BTreeSet<String> {
    eqs.iter()
        .map(|e| {
            e.strategies
                .iter()
                .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join("|")
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn support_and_vertex_enumeration_agree(g in arb_game(1000, false)) {
        // Payoffs from a wide range make degenerate games vanishingly rare; on
        // nondegenerate games both methods find every equilibrium.
        let vertex = bimatrix::enumerate_extreme(&g).unwrap().equilibria;
        let support = bimatrix::support_enumeration(&g).unwrap();
        prop_assert_eq!(keys(&vertex), keys(&support));
        prop_assert!(!vertex.is_empty(), "every finite game has an equilibrium");
    }

    #[test]
    fn every_returned_profile_has_zero_exact_regret(g in arb_game(10, false)) {
        let all = bimatrix::enumerate_extreme(&g).unwrap();
        prop_assert!(!all.equilibria.is_empty());
        for e in all.equilibria.iter().chain(&bimatrix::lemke_howson_all(&g).unwrap()) {
            prop_assert!(e.max_regret(&g).is_zero());
        }
        // Support enumeration may miss equilibria of degenerate games, never invent them.
        prop_assert!(keys(&bimatrix::support_enumeration(&g).unwrap()).is_subset(&keys(&all.equilibria)));
        prop_assert!(keys(&bimatrix::lemke_howson_all(&g).unwrap()).is_subset(&keys(&all.equilibria)));
    }

    #[test]
    fn zero_sum_lp_value_equals_every_equilibrium_payoff(g in arb_game(10, true)) {
        let lp = bimatrix::zero_sum(&g).unwrap();
        prop_assert!(g.regret(&[lp.row.clone(), lp.column.clone()]).iter().all(Zero::is_zero));
        for e in bimatrix::enumerate_extreme(&g).unwrap().equilibria {
            prop_assert_eq!(&e.payoffs[0], &lp.value);
        }
    }

    #[test]
    fn relabelling_permutes_the_equilibria(g in arb_game(10, false), seed in any::<u64>()) {
        let m = g.n_actions(0);
        // A rotation of the row player's actions, then swapping the players.
        let shift = (seed as usize) % m;
        let order: Vec<usize> = (0..m).map(|k| (k + shift) % m).collect();
        let relabelled = g.permute_actions(0, &order).unwrap().permute_players(&[1, 0]).unwrap();
        let original = bimatrix::enumerate_extreme(&g).unwrap().equilibria;
        let mapped: Vec<Equilibrium> = original
            .iter()
            .map(|e| {
                let rows: Vec<Rational> = order.iter().map(|&old| e.strategies[0][old].clone()).collect();
                Equilibrium { strategies: vec![e.strategies[1].clone(), rows], payoffs: vec![e.payoffs[1].clone(), e.payoffs[0].clone()] }
            })
            .collect();
        prop_assert_eq!(keys(&bimatrix::enumerate_extreme(&relabelled).unwrap().equilibria), keys(&mapped));
    }
}

#[test]
fn huge_payoffs_take_the_bigint_path_and_agree() {
    // Payoffs near 10^30 overflow the fast i128 tableaux; the BigInt fallback
    // must give the equilibria of the unscaled game (a positive affine map).
    let small = game_from(
        3,
        3,
        &[3, -1, 4, 1, -5, 9, 2, 6, -5, 3, 5, -8, 9, 7, -9, 3, 2, 3],
        false,
    );
    let big_factor = Rational::from_integer(num_bigint::BigInt::from(10).pow(30));
    let offset = Rational::from_integer(num_bigint::BigInt::from(7).pow(20));
    let scaled: Vec<Rational> = small.payoffs().iter().map(|p| p * &big_factor + &offset).collect();
    let big = NormalFormGame::from_payoffs(&small.shape(), scaled).unwrap();
    let a = bimatrix::enumerate_extreme(&small).unwrap().equilibria;
    let b = bimatrix::enumerate_extreme(&big).unwrap().equilibria;
    assert_eq!(keys(&a), keys(&b));
    assert_eq!(
        keys(&bimatrix::lemke_howson_all(&small).unwrap()),
        keys(&bimatrix::lemke_howson_all(&big).unwrap())
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn game_parsers_never_panic(text in "\\PC{0,300}") {
        let _ = powerseek::game::nfg::parse(&text, "fuzz.nfg");
        let _ = powerseek::game::json::parse(&text, "fuzz.json");
        let _ = powerseek::game::bayesian::parse_json(&text, "fuzz.json");
        let _ = powerseek::game::efg::parse(&text, "fuzz.efg");
    }

    #[test]
    fn nfg_parser_never_panics_on_near_valid_input(tokens in proptest::collection::vec(
        prop_oneof![
            Just("NFG"), Just("1"), Just("R"), Just("\"t\""), Just("{"), Just("}"), Just("\"a\""), Just("2"),
            Just("3/4"), Just("-1.5"), Just(","), Just("\"\""), Just("0"), Just("1/0"), Just("\"x\\\"y\""),
        ], 0..40)) {
        let _ = powerseek::game::nfg::parse(&tokens.join(" "), "fuzz.nfg");
        let _ = powerseek::game::nfg::parse(&format!("NFG 1 R \"t\" {{ \"a\" \"b\" }} {}", tokens.join(" ")), "fuzz.nfg");
    }
}

/// A random n-player game with rational payoffs `num/den` (a huge `scale`
/// pushes the payoffs past the integer fast path) and a random rational profile.
fn arb_game_and_profile() -> impl Strategy<Value = (NormalFormGame, Vec<Vec<Rational>>)> {
    (proptest::collection::vec(1usize..4, 2..4), any::<bool>(), any::<bool>()).prop_flat_map(|(shape, huge, fine)| {
        let profiles: usize = shape.iter().product();
        let n = shape.len();
        let weights: usize = shape.iter().sum();
        (
            proptest::collection::vec((-20i64..20, 1i64..7), profiles * n),
            proptest::collection::vec(0i64..5, weights),
            proptest::collection::vec(1i64..1_000, weights),
        )
            .prop_map(move |(pay, w, d)| {
                let scale = if huge {
                    num_bigint::BigInt::from(1u8) << 80
                } else {
                    1.into()
                };
                let payoffs = pay
                    .iter()
                    .map(|&(a, b)| Rational::new(num_bigint::BigInt::from(a) * &scale, b.into()))
                    .collect();
                let game = NormalFormGame::from_payoffs(&shape, payoffs).unwrap();
                // Weights over (possibly large, when `fine`) denominators, normalised.
                let mut at = 0;
                let profile = shape
                    .iter()
                    .map(|&k| {
                        let raw: Vec<Rational> = (0..k)
                            .map(|a| {
                                let den = if fine { d[at + a] * 1_000_003 } else { 1 };
                                Rational::new((w[at + a] + i64::from(a == 0)).into(), den.into())
                            })
                            .collect();
                        at += k;
                        let total: Rational = raw.iter().cloned().sum();
                        raw.into_iter().map(|x| x / &total).collect()
                    })
                    .collect();
                (game, profile)
            })
    })
}

/// Action values by the definition, in rationals: `Σ_{pure profiles}
/// Π_{q≠i} σ_q(a_q) · r_i(a)` over every pure profile (player 0 fastest).
fn reference_action_values(game: &NormalFormGame, profile: &[Vec<Rational>], i: usize) -> Vec<Rational> {
    let mut values = vec![Rational::zero(); game.n_actions(i)];
    for idx in 0..game.n_profiles() {
        let pure = game.profile(idx);
        let weight: Rational = (0..game.n_players())
            .filter(|&q| q != i)
            .map(|q| profile[q][pure[q]].clone())
            .product();
        values[pure[i]] += weight * game.payoff(idx, i);
    }
    values
}

proptest! {
    /// The exact action values (integers over common denominators where they
    /// fit, rationals where they must fall back: huge payoffs, large
    /// denominators) equal the definition; the regret and payoffs built on them too.
    #[test]
    fn exact_action_values_match_the_definition((game, profile) in arb_game_and_profile()) {
        let mut regret = Vec::new();
        let mut payoffs = Vec::new();
        for i in 0..game.n_players() {
            let reference = reference_action_values(&game, &profile, i);
            prop_assert_eq!(&game.action_values(&profile, i), &reference);
            let expected: Rational = reference.iter().zip(&profile[i]).map(|(v, p)| v * p).sum();
            regret.push(reference.iter().max().unwrap() - &expected);
            payoffs.push(expected);
        }
        prop_assert_eq!(game.regret_and_payoffs(&profile), (regret.clone(), payoffs.clone()));
        prop_assert_eq!(game.regret(&profile), regret);
        prop_assert_eq!(game.expected_payoffs(&profile), payoffs);
    }
}

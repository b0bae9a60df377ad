//! Bayesian games: the shipped two-type example against Gambit's answer, and
//! the induced normal form and the agent form giving the same equilibria.

use std::collections::BTreeSet;

use num_traits::Zero;
use powerseek::game::bayesian::{self, BayesianGame, Behaviour};
use powerseek::game::equilibrium::{bimatrix, pure_equilibria};
use powerseek::game::{format_rational, parse_rational, Rational};
use proptest::prelude::*;

fn q(s: &str) -> Rational {
    parse_rational(s).unwrap()
}

fn example() -> BayesianGame {
    bayesian::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/games/bayesian-two-type.json"
    )))
    .unwrap()
}

fn key(b: &Behaviour<Rational>) -> String {
    b.iter()
        .map(|p| {
            p.iter()
                .map(|t| t.iter().map(format_rational).collect::<Vec<_>>().join(","))
                .collect::<Vec<_>>()
                .join(";")
        })
        .collect::<Vec<_>>()
        .join("|")
}

/// All Bayesian Nash equilibria (extreme points of the induced normal form, as behaviour).
fn bne_via_induced(g: &BayesianGame) -> Vec<Behaviour<Rational>> {
    let nf = g.induced_normal_form().unwrap();
    let mut seen = BTreeSet::new();
    bimatrix::enumerate_extreme(&nf)
        .unwrap()
        .equilibria
        .iter()
        .map(|e| g.behaviour_from_induced(&e.strategies))
        .filter(|b| seen.insert(key(b)))
        .collect()
}

#[test]
fn two_type_example_matches_gambit() {
    let g = example();
    let bne = bne_via_induced(&g);
    assert_eq!(bne.len(), 1, "Gambit reports a unique equilibrium");
    let b = &bne[0];
    let expected: Behaviour<Rational> = vec![
        vec![vec![q("2/3"), q("1/3")], vec![q("0"), q("1")]],
        vec![vec![q("0"), q("1")], vec![q("2/3"), q("1/3")]],
    ];
    assert_eq!(b, &expected);
    assert_eq!(g.expected_payoffs(b), vec![q("5"), q("23/6")]);
    assert!(g.max_interim_regret(b).is_zero());
    // Interim values at the equilibrium (Gambit's infoset action values).
    assert_eq!(g.interim_values(b, 0, 0).unwrap(), vec![q("10/3"), q("10/3")]);
    assert_eq!(g.interim_values(b, 0, 1).unwrap(), vec![q("8/3"), q("20/3")]);
    assert_eq!(g.interim_values(b, 1, 0).unwrap(), vec![q("10/3"), q("13/3")]);
    // It is a Nash equilibrium of the agent form too.
    let agents = g.agent_form().unwrap();
    let flat: Vec<Vec<Rational>> = b.iter().flatten().cloned().collect();
    assert!(agents.regret(&flat).iter().all(Zero::is_zero));
    // No pure equilibrium in either form (Gambit: enumpure and enumpure_agent find none).
    assert!(pure_equilibria(&agents).is_empty());
    assert!(pure_equilibria(&g.induced_normal_form().unwrap()).is_empty());
}

fn arb_bayesian() -> impl Strategy<Value = BayesianGame> {
    (
        proptest::collection::vec(0u32..4, 4),
        proptest::collection::vec(-5i64..=5, 4 * 4 * 2),
    )
        .prop_map(|(w, pay)| {
            // Correlated prior over 2×2 type profiles (weights, some possibly zero).
            let w: Vec<u32> = if w.iter().all(|&x| x == 0) { vec![1, 0, 0, 0] } else { w };
            let total: u32 = w.iter().sum();
            let prior = w.iter().map(|&x| Rational::new(x.into(), total.into())).collect();
            let payoffs = pay.iter().map(|&x| Rational::from_integer(x.into())).collect();
            let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            BayesianGame::new(
                "random",
                s(&["1", "2"]),
                vec![s(&["a", "b"]), s(&["c", "d"])],
                vec![s(&["x", "y"]), s(&["u", "v"])],
                prior,
                payoffs,
            )
            .unwrap()
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn induced_and_agent_forms_give_the_same_equilibria(g in arb_bayesian()) {
        let agents = g.agent_form().unwrap();
        // Every equilibrium of the induced form is a Bayesian Nash equilibrium
        // and a Nash equilibrium of the agent form.
        for b in bne_via_induced(&g) {
            prop_assert!(g.max_interim_regret(&b).is_zero());
            let flat: Vec<Vec<Rational>> = b.iter().flatten().cloned().collect();
            prop_assert!(agents.regret(&flat).iter().all(Zero::is_zero));
        }
        // Pure equilibria coincide exactly, as behaviour.
        let from_agents: BTreeSet<String> = pure_equilibria(&agents).iter().map(|e| key(&g.behaviour_from_agents(&e.strategies))).collect();
        let nf = g.induced_normal_form().unwrap();
        let from_induced: BTreeSet<String> = pure_equilibria(&nf).iter().map(|e| key(&g.behaviour_from_induced(&e.strategies))).collect();
        // Types of probability zero make agent-form equilibria more numerous
        // (any action is optimal there); compare where every type matters.
        if (0..2).all(|i| (0..2).all(|t| !g.type_probability(i, t).is_zero())) {
            prop_assert_eq!(from_agents, from_induced);
        } else {
            prop_assert!(from_induced.is_subset(&from_agents));
        }
    }
}

#[test]
fn bad_bayesian_files_are_rejected() {
    let good = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/games/bayesian-two-type.json"
    ))
    .unwrap();
    for (from, to, msg) in [
        (
            "[\"1/4\", \"1/4\"],\n            [\"1/4\", \"1/4\"]",
            "[\"1/4\", \"1/4\"],\n            [\"1/4\", \"1/2\"]",
            "sum to 5/4",
        ),
        (
            "[[4, 2], [2, 10]], [[0, 4], [10, 2]]",
            "[[4, 2], [2, 10]], [[0, 4]]",
            "payoffs[1][0][1]",
        ),
        ("\"players\"", "\"playerz\"", "unknown field"),
    ] {
        assert!(good.contains(from), "{from}");
        let e = bayesian::parse_json(&good.replace(from, to), "b.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("b.json") && e.contains(msg), "{e}");
    }
}

mod multiagent_power {
    use super::*;
    use powerseek::game::power::{bayesian_power as power, constant_sum};

    #[test]
    fn gambit_reference_power_of_bayes1a() {
        // bayesian_power_reference.json: at the unique BNE POWER = (5, 23/6);
        // at the uniform profile POWER = (5, 21/4) with expected payoffs (4, 33/8).
        let g = example();
        let bne = &bne_via_induced(&g)[0];
        let r = power(&g, bne);
        assert_eq!(
            r.players.iter().map(|p| p.power.clone()).collect::<Vec<_>>(),
            vec![q("5"), q("23/6")]
        );
        assert!(r.is_equilibrium && r.total_regret.is_zero());
        let half = vec![q("1/2"), q("1/2")];
        let uniform: Behaviour<Rational> = vec![vec![half.clone(), half.clone()], vec![half.clone(), half]];
        let r = power(&g, &uniform);
        assert_eq!(
            r.players.iter().map(|p| p.power.clone()).collect::<Vec<_>>(),
            vec![q("5"), q("21/4")]
        );
        assert_eq!(
            r.players.iter().map(|p| p.expected_payoff.clone()).collect::<Vec<_>>(),
            vec![q("4"), q("33/8")]
        );
        assert_eq!(r.players[1].by_type, vec![Some(q("11/2")), Some(q("5"))]);
        assert!(!r.is_equilibrium);
    }

    fn arb_profile() -> impl Strategy<Value = Behaviour<Rational>> {
        proptest::collection::vec(0u32..5, 8).prop_map(|w| {
            let pair = |a: u32, b: u32| {
                let t = (a + b).max(1);
                if a + b == 0 {
                    vec![q("1/2"), q("1/2")]
                } else {
                    vec![Rational::new(a.into(), t.into()), Rational::new(b.into(), t.into())]
                }
            };
            vec![
                vec![pair(w[0], w[1]), pair(w[2], w[3])],
                vec![pair(w[4], w[5]), pair(w[6], w[7])],
            ]
        })
    }

    /// A constant-sum version of a random game: r_2 = c − r_1.
    fn constant_sum_version(g: &BayesianGame, c: i64) -> BayesianGame {
        let mut payoffs = Vec::new();
        for t in 0..g.n_type_profiles() {
            for a in 0..g.n_action_profiles() {
                let r1 = g.payoff(t, a, 0).clone();
                payoffs.push(r1.clone());
                payoffs.push(Rational::from_integer(c.into()) - r1);
            }
        }
        let prior = (0..g.n_type_profiles()).map(|t| g.prior(t).clone()).collect();
        let s = |v: &[String]| v.to_vec();
        BayesianGame::new(
            "constant-sum",
            s(g.players()),
            vec![s(g.types(0)), s(g.types(1))],
            vec![s(g.actions(0)), s(g.actions(1))],
            prior,
            payoffs,
        )
        .unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn total_regret_is_nonnegative_and_zero_exactly_at_equilibria(g in arb_bayesian(), sigma in arb_profile()) {
            let r = power(&g, &sigma);
            prop_assert!(r.total_regret >= Rational::zero());
            prop_assert_eq!(r.is_equilibrium, g.max_interim_regret(&sigma).is_zero());
            for b in bne_via_induced(&g) {
                prop_assert!(power(&g, &b).is_equilibrium);
            }
        }

        #[test]
        fn constant_sum_games_conserve_power_at_equilibria(g in arb_bayesian(), sigma in arb_profile(), c in -3i64..4) {
            let cs = constant_sum_version(&g, c);
            let constant = constant_sum(&cs).expect("constant-sum by construction");
            prop_assert_eq!(&constant, &Rational::from_integer(c.into()));
            for b in bne_via_induced(&cs) {
                prop_assert_eq!(power(&cs, &b).total_power, constant.clone());
            }
            let r = power(&cs, &sigma);
            prop_assert!(r.total_power >= constant);
            prop_assert_eq!(r.total_power > constant, !r.is_equilibrium);
        }
    }
}

mod gambit_efg {
    use super::*;
    use powerseek::game::efg;
    use powerseek::game::power::bayesian_power as power;

    /// A game shipped in `tests/data/gambit`; a missing file fails the test.
    fn gambit(file: &str) -> std::path::PathBuf {
        let p = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gambit")).join(file);
        assert!(p.is_file(), "the Gambit test game is missing: {}", p.display());
        p
    }

    #[test]
    fn bayes1a_reads_as_the_two_type_example_and_matches_gambits_power() {
        let path = gambit("bayes1a.efg");
        let g = efg::load(&path).unwrap();
        assert_eq!(g.types(0), &["(1,1)".to_string(), "(1,2)".to_string()]);
        let ex = example();
        for t in 0..4 {
            assert_eq!(g.prior(t), ex.prior(t));
            for a in 0..4 {
                for i in 0..2 {
                    assert_eq!(g.payoff(t, a, i), ex.payoff(t, a, i), "t={t} a={a} i={i}");
                }
            }
        }
        let bne = bne_via_induced(&g);
        assert_eq!(bne.len(), 1);
        let r = power(&g, &bne[0]);
        assert_eq!(
            r.players.iter().map(|p| p.power.clone()).collect::<Vec<_>>(),
            vec![q("5"), q("23/6")]
        );
    }

    #[test]
    fn multi_stage_trees_are_rejected_with_the_reason() {
        let path = gambit("bayes2a.efg");
        let e = efg::load(&path).unwrap_err().to_string();
        assert!(e.contains("bayes2a.efg") && e.contains("moves twice"), "{e}");
        let e = efg::parse(
            "EFG 2 R \"x\" { \"a\" }\n\"\"\np \"\" 1 1 \"i\" { \"x\" } 0\nt \"\" 1 \"o\" { 1 }\nt \"\" 2\n",
            "bad.efg",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("bad.efg:"), "{e}");
    }
}

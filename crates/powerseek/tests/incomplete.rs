//! POWER under incomplete information (docs/theory.md §11.6), exactly:
//! against brute force over every history-dependent deterministic strategy
//! on tiny two-step games, a closed form where the other's first action
//! reveals its type, the one-step reduction to Bayesian-game POWER of the
//! stage games, conservation at stage Bayesian equilibria of constant-sum
//! games, and the orderings value ≤ POWER ≤ complete-information POWER.

#![allow(clippy::needless_range_loop)]

use num_traits::{One, Zero};
use proptest::prelude::*;

use powerseek::exact::Rational;
use powerseek::game::power::bayesian_power;
use powerseek::stochastic::finite::{self, FiniteHorizon};
use powerseek::stochastic::incomplete::{
    incomplete_power, own_types, stage_bayesian_game, Incomplete, IncompleteHorizon, IncompleteOptions,
    IncompleteReport, TypeProfileSource, TypeStrategies,
};
use powerseek::stochastic::reward::{stage_rewards_exact, Site, TypeProfile, TypeProfiles};
use powerseek::stochastic::solve::Iteration;
use powerseek::stochastic::StochasticGame;
use powerseek::NoProgress;

fn q(n: i64, d: i64) -> Rational {
    Rational::new(n.into(), d.into())
}

/// A simultaneous two-player game of `states` states and two actions each,
/// written as the JSON format: every joint action moves to two states drawn
/// from `digits` with probabilities `p, 1 − p` (`p` in quarters).
fn game(states: usize, digits: &[u32]) -> StochasticGame {
    let mut it = digits.iter().cycle().copied();
    let mut out = Vec::new();
    for s in 0..states {
        let mut rows = Vec::new();
        for a in ["x", "y"] {
            for b in ["x", "y"] {
                let (t1, t2) = (
                    it.next().unwrap() as usize % states,
                    it.next().unwrap() as usize % states,
                );
                let p = 1 + it.next().unwrap() % 3;
                let row = if t1 == t2 {
                    format!("\"s{t1}\"")
                } else {
                    format!("{{\"s{t1}\": \"{p}/4\", \"s{t2}\": \"{}/4\"}}", 4 - p)
                };
                rows.push(format!("\"{a},{b}\": {row}"));
            }
        }
        out.push(format!(
            "{{\"name\": \"s{s}\", \"actions\": [[\"x\", \"y\"], [\"x\", \"y\"]], \"transitions\": {{{}}}}}",
            rows.join(", ")
        ));
    }
    let text = format!("{{\"players\": [\"A\", \"B\"], \"states\": [{}]}}", out.join(", "));
    StochasticGame::from_json(&text, "test.json").unwrap()
}

/// Type profiles: every player has two candidate reward rows (integers 0..=4
/// per state, or `c − r_A` for B when constant-sum); `profiles` of the four
/// combinations are kept, with priors proportional to 1 + a digit.
fn types(states: usize, digits: &[u32], profiles: usize, constant: Option<i64>) -> TypeProfiles {
    let mut it = digits.iter().cycle().copied();
    let mut row = || {
        (0..states)
            .map(|_| q((it.next().unwrap() % 5) as i64, 1))
            .collect::<Vec<_>>()
    };
    let a = [row(), row()];
    let b = match constant {
        Some(c) => [
            a[0].iter().map(|x| q(c, 1) - x).collect::<Vec<_>>(),
            a[1].iter().map(|x| q(c, 1) - x).collect(),
        ],
        None => [row(), row()],
    };
    // Constant-sum profiles pair A's row with B's mirror; otherwise all four pairs.
    let pairs: Vec<(usize, usize)> = match constant {
        Some(_) => vec![(0, 0), (1, 1)],
        None => vec![(0, 0), (0, 1), (1, 0), (1, 1)],
    };
    let pairs = &pairs[..profiles.min(pairs.len())];
    let weights: Vec<i64> = pairs.iter().map(|_| 1 + (it.next().unwrap() % 3) as i64).collect();
    let total: i64 = weights.iter().sum();
    TypeProfiles {
        site: Site::State,
        profiles: pairs
            .iter()
            .zip(&weights)
            .enumerate()
            .map(|(k, (&(x, y), &w))| TypeProfile {
                name: format!("t{k}"),
                prior: q(w, total),
                rewards: vec![a[x].clone(), b[y].clone()],
            })
            .collect(),
    }
}

/// Type-strategies with every probability in quarters, drawn from `digits`.
fn strategies(game: &StochasticGame, types: &TypeProfiles, steps: usize, digits: &[u32]) -> TypeStrategies {
    let own = own_types(types, 2);
    let mut it = digits.iter().cycle().copied();
    (0..2)
        .map(|i| {
            (0..own.names[i].len())
                .map(|_| {
                    (0..steps)
                        .map(|_| {
                            (0..game.n_states())
                                .map(|_| {
                                    let p = q((it.next().unwrap() % 5) as i64, 4);
                                    vec![p.clone(), Rational::one() - p]
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The exact report of a finite-horizon run.
fn exact(r: powerseek::Result<Incomplete>) -> IncompleteReport<Rational> {
    match r.unwrap() {
        Incomplete::Exact(r) => r,
        Incomplete::Discounted(_) => panic!("a finite horizon gives an exact report"),
    }
}

/// The report of a discounted run.
fn discounted(r: powerseek::Result<Incomplete>) -> IncompleteReport<f64> {
    match r.unwrap() {
        Incomplete::Discounted(r) => r,
        Incomplete::Exact(_) => panic!("a discounted run gives a float report"),
    }
}

fn given(steps: usize, sigma: TypeStrategies) -> IncompleteOptions {
    IncompleteOptions {
        profile: TypeProfileSource::Given(sigma),
        ..IncompleteOptions::new(steps)
    }
}

/// Player `i`'s best two-step value from `s`, of own type `theta`, by trying
/// every deterministic strategy that maps the first action and the observed
/// (others' action, next state) to a second action.
fn brute_force_two_steps(
    game: &StochasticGame,
    types: &TypeProfiles,
    sigma: &TypeStrategies,
    i: usize,
    theta: usize,
    s: usize,
) -> Rational {
    let own = own_types(types, 2);
    let j = 1 - i;
    let members: Vec<usize> = (0..types.profiles.len()).filter(|&k| own.of[i][k] == theta).collect();
    let p_theta: Rational = members.iter().map(|&k| types.profiles[k].prior.clone()).sum();
    let r: Vec<Vec<Vec<Rational>>> = types
        .profiles
        .iter()
        .map(|t| stage_rewards_exact(game, types.site, &t.rewards))
        .collect();
    let ns = game.n_states();
    // Joint action at state u with i playing a and j playing b (player 0's action fastest).
    let ja = |u: usize, a: usize, b: usize| game.joint_actions(u).start + if i == 0 { a + 2 * b } else { b + 2 * a };
    let mut best: Option<Rational> = None;
    for first in 0..2 {
        // The second action for every observation (b, s'): 2 × ns bits.
        for code in 0..(1usize << (2 * ns)) {
            let second = |b: usize, u: usize| (code >> (b * ns + u)) & 1;
            let mut total = Rational::zero();
            for &k in &members {
                let sj = &sigma[j][own.of[j][k]];
                let mut v = Rational::zero();
                for b in 0..2 {
                    let pb = &sj[0][s][b];
                    let now = ja(s, first, b);
                    let (next, prob) = game.successors_exact(now);
                    let mut cont = Rational::zero();
                    for (&u, p) in next.iter().zip(prob) {
                        let u = u as usize;
                        let a2 = second(b, u);
                        for b2 in 0..2 {
                            cont += p * &sj[1][u][b2] * &r[k][i][ja(u, a2, b2)];
                        }
                    }
                    v += pb * (&r[k][i][now] + cont);
                }
                total += &types.profiles[k].prior / &p_theta * v;
            }
            if best.as_ref().is_none_or(|b| total > *b) {
                best = Some(total);
            }
        }
    }
    best.unwrap()
}

fn digits() -> impl Strategy<Value = Vec<u32>> {
    proptest::collection::vec(0u32..1000, 64)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// Backward induction over beliefs equals the best of every
    /// history-dependent deterministic strategy (two steps, type-dependent
    /// mixed strategies, so the other's first action moves the belief).
    #[test]
    fn belief_induction_matches_brute_force(states in 1usize..3, d in digits(), e in digits(), f in digits()) {
        let g = game(states, &d);
        let t = types(states, &e, 4, None);
        let sigma = strategies(&g, &t, 2, &f);
        let rep = exact(incomplete_power(&g, &t, &given(2, sigma.clone()), &NoProgress));
        let half = FiniteHorizon::undiscounted(2).normaliser();
        for i in 0..2 {
            for theta in 0..rep.types.names[i].len() {
                for s in 0..states {
                    let brute = brute_force_two_steps(&g, &t, &sigma, i, theta, s) * &half;
                    prop_assert_eq!(&rep.power_by_type[i][theta][s], &brute);
                }
            }
        }
    }

    /// value ≤ POWER ≤ complete-information POWER for every player and
    /// state; the total regret is ΣPOWER − Σvalue ≥ 0.
    #[test]
    fn information_orders_the_values(states in 1usize..3, steps in 1usize..4, d in digits(), e in digits(), f in digits()) {
        let g = game(states, &d);
        let t = types(states, &e, 4, None);
        let rep = exact(incomplete_power(&g, &t, &given(steps, strategies(&g, &t, steps, &f)), &NoProgress));
        for i in 0..2 {
            for s in 0..states {
                prop_assert!(rep.value[i][s] <= rep.power[i][s]);
                prop_assert!(rep.power[i][s] <= rep.complete_power[i][s]);
                prop_assert_eq!(&rep.information_value[i][s], &(&rep.complete_power[i][s] - &rep.power[i][s]));
            }
        }
        for s in 0..states {
            let values: Rational = (0..2).map(|i| rep.value[i][s].clone()).sum();
            prop_assert_eq!(&rep.total_regret[s], &(&rep.total_power[s] - values));
        }
    }

    /// One step: every state's POWER is the Bayesian-game POWER of its stage
    /// game, at a given profile and at the selected stage equilibrium; in
    /// constant-sum games ΣPOWER = c exactly there and the profile is an equilibrium.
    #[test]
    fn one_step_is_bayesian_game_power(states in 1usize..3, d in digits(), e in digits(), f in digits()) {
        let g = game(states, &d);
        for constant in [None, Some(4)] {
            let t = types(states, &e, 4, constant);
            let own = own_types(&t, 2);
            let r: Vec<_> = t.profiles.iter().map(|p| stage_rewards_exact(&g, t.site, &p.rewards)).collect();
            let at_given = exact(incomplete_power(&g, &t, &given(1, strategies(&g, &t, 1, &f)), &NoProgress));
            let opts = IncompleteOptions { profile: TypeProfileSource::StageEquilibrium, ..IncompleteOptions::new(1) };
            let at_eq = exact(incomplete_power(&g, &t, &opts, &NoProgress));
            prop_assert!(at_eq.equilibrium && at_eq.exact);
            for rep in [&at_given, &at_eq] {
                for s in 0..states {
                    let stage = stage_bayesian_game(&g, &t, &own, &r, s).unwrap();
                    let behaviour: Vec<Vec<Vec<Rational>>> = rep.strategies.iter()
                        .map(|by_type| by_type.iter().map(|p| p[0][s].clone()).collect())
                        .collect();
                    let reference = bayesian_power(&stage, &behaviour);
                    for i in 0..2 {
                        prop_assert_eq!(&rep.power[i][s], &reference.players[i].power);
                        prop_assert_eq!(&rep.value[i][s], &reference.players[i].expected_payoff);
                    }
                }
            }
            if let Some(c) = constant {
                prop_assert_eq!(at_eq.constant_sum.clone(), Some(q(c, 1)));
                for s in 0..states {
                    prop_assert_eq!(&at_eq.total_power[s], &q(c, 1));
                }
            }
        }
    }
}

/// One profile (or one type per player): incomplete-information POWER is
/// the complete-information POWER of finite::exact_power.
#[test]
fn one_type_each_is_complete_information() {
    let g = game(2, &[3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8, 9, 7, 9, 3]);
    let t = types(2, &[2, 7, 1, 8, 2, 8, 1, 8], 1, None);
    let sigma = strategies(&g, &t, 3, &[1, 4, 1, 4, 2, 1, 3, 5]);
    let rep = exact(incomplete_power(&g, &t, &given(3, sigma.clone()), &NoProgress));
    let own = own_types(&t, 2);
    let r = stage_rewards_exact(&g, t.site, &t.profiles[0].rewards);
    let profile = powerseek::stochastic::incomplete::profile_of(&sigma, &own, 0);
    let reference = finite::exact_power(&g, &r, &profile, &FiniteHorizon::undiscounted(3)).unwrap();
    assert_eq!(rep.power, reference.power);
    assert_eq!(rep.complete_power, reference.power);
    assert_eq!(rep.value, reference.value);
    assert!(rep.information_value.iter().flatten().all(Zero::is_zero));
}

/// A guessing game with a closed form: B is of type "x" or "y" (prior 1/2
/// each) and always plays its type; A earns 1 for matching B's action. In
/// one step A guesses: POWER 1/2 (complete information: 1). In two steps A
/// sees B's first action, which reveals its type: (1/2 + 1)/2 = 3/4. In
/// three: (1/2 + 1 + 1)/3 = 5/6.
#[test]
fn revealing_actions_have_a_closed_form() {
    let text = r#"{"players": ["A", "B"], "states": [
        {"name": "s", "actions": [["x", "y"], ["x", "y"]], "transitions": {"*": "s"}}]}"#;
    let g = StochasticGame::from_json(text, "guess.json").unwrap();
    // Rewards on joint actions: A gets 1 on (x,x) and (y,y); B's row tells its type.
    let profile = |name: &str, b_reward: i64| TypeProfile {
        name: name.into(),
        prior: q(1, 2),
        rewards: vec![vec![q(1, 1), q(0, 1), q(0, 1), q(1, 1)], vec![q(b_reward, 1); 4]],
    };
    let t = TypeProfiles {
        site: Site::JointAction,
        profiles: vec![profile("bx", 0), profile("by", 1)],
    };
    for (steps, expected) in [(1, q(1, 2)), (2, q(3, 4)), (3, q(5, 6))] {
        let own = own_types(&t, 2);
        assert_eq!(own.names[0].len(), 1);
        assert_eq!(own.names[0], vec!["only type".to_string()]);
        assert_eq!(own.names[1], vec!["bx".to_string(), "by".to_string()]);
        let pure = |a: usize| {
            vec![
                vec![if a == 0 {
                    vec![q(1, 1), q(0, 1)]
                } else {
                    vec![q(0, 1), q(1, 1)]
                }];
                steps
            ]
        };
        let half = vec![vec![vec![q(1, 2), q(1, 2)]]; steps];
        let sigma: TypeStrategies = vec![vec![half], vec![pure(0), pure(1)]];
        let rep = exact(incomplete_power(&g, &t, &given(steps, sigma), &NoProgress));
        assert_eq!(rep.power[0][0], expected, "{steps} steps");
        assert_eq!(rep.complete_power[0][0], q(1, 1));
        assert_eq!(rep.value[0][0], q(1, 2));
        // Guessing at random is a best response in one step only: later, A should match.
        assert_eq!(rep.equilibrium, steps == 1);
        // B has nothing to gain: its reward does not depend on the actions.
        assert_eq!(rep.power[1][0], rep.value[1][0]);
    }
}

#[test]
fn errors_name_the_problem() {
    let g = game(1, &[0, 0, 0, 0]);
    let t = types(1, &[1, 2, 3, 4], 4, None);
    let opts = IncompleteOptions {
        profile: TypeProfileSource::StageEquilibrium,
        ..IncompleteOptions::new(2)
    };
    let e = incomplete_power(&g, &t, &opts, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("one-step"), "{e}");
    let mut sigma = strategies(&g, &t, 1, &[1]);
    sigma[1][0][0][0] = vec![q(1, 2), q(1, 3)];
    let e = incomplete_power(&g, &t, &given(1, sigma), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("strategies[1][0][0][0]") && e.contains("probability distribution"),
        "{e}"
    );
    let sigma = strategies(&g, &t, 1, &[1]);
    let e = incomplete_power(&g, &t, &given(2, sigma), &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("expected 2 steps"), "{e}");
    let opts = IncompleteOptions {
        max_belief_nodes: 3,
        ..given(4, strategies(&g, &t, 4, &[1, 2, 3]))
    };
    let e = incomplete_power(&g, &t, &opts, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("more than 3") && e.contains("nodes"), "{e}");
}

/// Pure type-strategies (each player's action a function of its type and
/// the state), one step entry: the reachable beliefs are finite.
fn pure_strategies(game: &StochasticGame, types: &TypeProfiles, digits: &[u32]) -> TypeStrategies {
    let own = own_types(types, 2);
    let mut it = digits.iter().cycle().copied();
    (0..2)
        .map(|i| {
            (0..own.names[i].len())
                .map(|_| {
                    vec![(0..game.n_states())
                        .map(|_| {
                            if it.next().unwrap() % 2 == 0 {
                                vec![q(1, 1), q(0, 1)]
                            } else {
                                vec![q(0, 1), q(1, 1)]
                            }
                        })
                        .collect()]
                })
                .collect()
        })
        .collect()
}

fn discounting(gamma: f64, profile: TypeProfileSource) -> IncompleteOptions {
    IncompleteOptions {
        horizon: IncompleteHorizon::Discounted(Iteration {
            gamma,
            tolerance: 1e-10,
            max_iterations: 100_000,
            exact_stages: false,
        }),
        profile,
        ..IncompleteOptions::new(1)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// Discounted POWER on the belief MDP is the limit of the exact
    /// finite-horizon values with the same per-step discount: with γ = 1/2
    /// and 32 steps the two differ by at most 2^-32 · 4 per unit of
    /// normaliser, far below 1e-8. The orderings hold within the tolerance.
    #[test]
    fn discounted_is_the_long_horizon_limit(states in 1usize..3, d in digits(), e in digits(), f in digits()) {
        let g = game(states, &d);
        let t = types(states, &e, 4, None);
        let sigma = pure_strategies(&g, &t, &f);
        let disc = discounted(incomplete_power(&g, &t, &discounting(0.5, TypeProfileSource::Given(sigma.clone())), &NoProgress));
        let long: TypeStrategies = sigma
            .iter()
            .map(|by_type| by_type.iter().map(|p| vec![p[0].clone(); 32]).collect())
            .collect();
        let finite_opts = IncompleteOptions {
            horizon: IncompleteHorizon::Finite(FiniteHorizon { steps: 32, discount: q(1, 2) }),
            profile: TypeProfileSource::Given(long),
            ..IncompleteOptions::new(32)
        };
        let fin = exact(incomplete_power(&g, &t, &finite_opts, &NoProgress));
        let f = |x: &Rational| powerseek::exact::to_f64(x);
        for i in 0..2 {
            for s in 0..states {
                prop_assert!((disc.power[i][s] - f(&fin.power[i][s])).abs() < 1e-8);
                prop_assert!((disc.value[i][s] - f(&fin.value[i][s])).abs() < 1e-8);
                prop_assert!((disc.complete_power[i][s] - f(&fin.complete_power[i][s])).abs() < 1e-8);
                prop_assert!(disc.value[i][s] <= disc.power[i][s] + 2e-10);
                prop_assert!(disc.power[i][s] <= disc.complete_power[i][s] + 2e-10);
            }
        }
        prop_assert_eq!(disc.tolerance, Some(1e-10));
        prop_assert!(!disc.exact);
    }
}

/// The guessing game discounted: A guesses x first (2/3), then knows B's
/// type and matches for ever: POWER (1 − γ)·2/3 + γ.
#[test]
fn discounted_guessing_game_has_a_closed_form() {
    let text = r#"{"players": ["A", "B"], "states": [
        {"name": "s", "actions": [["x", "y"], ["x", "y"]], "transitions": {"*": "s"}}]}"#;
    let g = StochasticGame::from_json(text, "guess.json").unwrap();
    let profile = |name: &str, prior: Rational, likes_x: bool| TypeProfile {
        name: name.into(),
        prior,
        rewards: vec![
            vec![q(1, 1), q(0, 1), q(0, 1), q(1, 1)],
            if likes_x {
                vec![q(1, 1), q(1, 1), q(0, 1), q(0, 1)]
            } else {
                vec![q(0, 1), q(0, 1), q(1, 1), q(1, 1)]
            },
        ],
    };
    let t = TypeProfiles {
        site: Site::JointAction,
        profiles: vec![profile("x", q(2, 3), true), profile("y", q(1, 3), false)],
    };
    let pure = |a: usize| {
        vec![vec![if a == 0 {
            vec![q(1, 1), q(0, 1)]
        } else {
            vec![q(0, 1), q(1, 1)]
        }]]
    };
    let sigma: TypeStrategies = vec![vec![vec![vec![vec![q(1, 2), q(1, 2)]]]], vec![pure(0), pure(1)]];
    for gamma in [0.5, 0.9] {
        let rep = discounted(incomplete_power(
            &g,
            &t,
            &discounting(gamma, TypeProfileSource::Given(sigma.clone())),
            &NoProgress,
        ));
        let expected = (1.0 - gamma) * 2.0 / 3.0 + gamma;
        assert!(
            (rep.power[0][0] - expected).abs() < 1e-9,
            "γ = {gamma}: {} vs {expected}",
            rep.power[0][0]
        );
        assert!((rep.complete_power[0][0] - 1.0).abs() < 1e-9);
        assert!((rep.value[0][0] - 0.5).abs() < 1e-9);
        assert!(!rep.equilibrium);
        // Two beliefs after the first move (x or y revealed) and the prior.
        assert_eq!(rep.belief_nodes, 3);
    }
    // Type-dependent mixed strategies make the beliefs infinite: refused at the node limit.
    let mixed: TypeStrategies = vec![
        vec![vec![vec![vec![q(1, 2), q(1, 2)]]]],
        vec![vec![vec![vec![q(2, 3), q(1, 3)]]], vec![vec![vec![q(1, 3), q(2, 3)]]]],
    ];
    let opts = IncompleteOptions {
        max_belief_nodes: 1_000,
        ..discounting(0.9, TypeProfileSource::Given(mixed))
    };
    let e = incomplete_power(&g, &t, &opts, &NoProgress).unwrap_err().to_string();
    assert!(e.contains("more than 1000") && e.contains("finite horizon"), "{e}");
    let e = incomplete_power(
        &g,
        &t,
        &discounting(0.9, TypeProfileSource::StageEquilibrium),
        &NoProgress,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("one-step") && e.contains("discounted"), "{e}");
}

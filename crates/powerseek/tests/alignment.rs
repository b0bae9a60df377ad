//! Alignment metrics on random games: the Coordination–Alignment inequalities,
//! α ≤ 0, behaviour under positive affine maps, and the Nash bargaining
//! solution's defining properties.

use num_traits::Zero;
use powerseek::game::alignment::*;
use powerseek::game::{NormalFormGame, Rational, Scalar};
use proptest::prelude::*;

fn r(x: i64) -> Rational {
    Rational::from_integer(x.into())
}

fn game_from(m: usize, n: usize, v: &[i64]) -> NormalFormGame {
    let a: Vec<Vec<Rational>> = (0..m).map(|i| (0..n).map(|j| r(v[i * n + j])).collect()).collect();
    let b: Vec<Vec<Rational>> = (0..m)
        .map(|i| (0..n).map(|j| r(v[m * n + i * n + j])).collect())
        .collect();
    NormalFormGame::bimatrix(&a, &b).unwrap()
}

fn arb_game() -> impl Strategy<Value = NormalFormGame> {
    (1usize..4, 1usize..4).prop_flat_map(|(m, n)| {
        proptest::collection::vec(-1000i64..=1000, 2 * m * n).prop_map(move |v| game_from(m, n, &v))
    })
}

fn arb_profile(g: &NormalFormGame) -> Vec<Vec<Rational>> {
    // A deterministic but non-uniform profile from the game's shape.
    g.shape()
        .iter()
        .map(|&k| {
            let total: i64 = (1..=k as i64).sum();
            (1..=k as i64).map(|w| Rational::new(w.into(), total.into())).collect()
        })
        .collect()
}

/// `u_1 → a·u_1 + b`.
fn affine(g: &NormalFormGame, a: i64, b: i64) -> NormalFormGame {
    let payoffs: Vec<Rational> = g
        .payoffs()
        .iter()
        .enumerate()
        .map(|(k, p)| if k % 2 == 0 { p * r(a) + r(b) } else { p.clone() })
        .collect();
    NormalFormGame::from_payoffs(&g.shape(), payoffs).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn coordination_alignment_inequalities_hold(g in arb_game()) {
        let ones = vec![r(1), r(1)];
        let a = alignment(&g, &ones);
        prop_assert!(a.alpha <= Rational::zero());
        let sigma = arb_profile(&g);
        let local = expected_welfare(&g, &ones, &sigma);
        prop_assert!(local <= a.max_welfare && a.max_welfare <= a.ideal_welfare);
        prop_assert_eq!(coordination_gap(&g, &ones, &sigma), &a.max_welfare - &local);
        prop_assert_eq!(a.alpha.is_zero(), !a.unanimous_profiles.is_empty());
    }

    #[test]
    fn metrics_transform_as_stated_under_affine_maps(g in arb_game(), scale in 1i64..5, shift in -20i64..20) {
        let h = affine(&g, scale, shift);
        // α is invariant when the welfare weight of the rescaled player is divided by the scale.
        let ones = vec![r(1), r(1)];
        let reweighted = vec![Rational::new(1.into(), scale.into()), r(1)];
        prop_assert_eq!(alignment(&h, &reweighted).alpha, alignment(&g, &ones).alpha);
        // Covariances scale bilinearly.
        let sigma = arb_profile(&g);
        let (cg, ch) = (covariance(&g, &sigma), covariance(&h, &sigma));
        prop_assert_eq!(&ch[0][1], &(&cg[0][1] * r(scale)));
        prop_assert_eq!(&ch[0][0], &(&cg[0][0] * r(scale * scale)));
        prop_assert_eq!(&ch[1][1], &cg[1][1]);
        // Security levels move with the map.
        let (sg, sh) = (security_levels(&g).unwrap(), security_levels(&h).unwrap());
        prop_assert_eq!(&sh[0].pure_level, &(&sg[0].pure_level * r(scale) + r(shift)));
        prop_assert_eq!(&sh[0].mixed_level, &(&sg[0].mixed_level * r(scale) + r(shift)));
        prop_assert_eq!(&sh[1].mixed_level, &sg[1].mixed_level);
        // Mixed security is at least pure security, and the mixed maxmin strategy guarantees it.
        for (i, s) in sg.iter().enumerate() {
            prop_assert!(s.mixed_level >= s.pure_level);
            let mut profile = arb_profile(&g);
            profile[i] = s.mixed_strategy.clone();
            for other in 0..g.n_actions(1 - i) {
                profile[1 - i] = (0..g.n_actions(1 - i)).map(|b| r((b == other) as i64)).collect();
                prop_assert!(g.expected_payoffs(&profile)[i] >= s.mixed_level);
            }
        }
    }

    #[test]
    fn nash_bargaining_is_rational_efficient_and_invariant(g in arb_game(), scale in 1i64..5, shift in -20i64..20) {
        let sec = security_levels(&g).unwrap();
        let d = threat_point(&sec);
        let nbs = nash_bargaining(&g, &d).unwrap();
        let df: Vec<f64> = d.iter().map(f64::from_rational).collect();
        let scale_f = 1000.0;
        for (x, d) in nbs.payoffs.iter().zip(&df) {
            prop_assert!(*x >= d - 1e-9 * scale_f);
        }
        let total: f64 = nbs.distribution.iter().map(|x| x.probability).sum();
        prop_assert!((total - 1.0).abs() < 1e-9);
        // Pareto efficiency: no point on a segment between two payoff profiles dominates it.
        let points: Vec<(f64, f64)> = (0..g.n_profiles()).map(|k| (f64::from_rational(g.payoff(k, 0)), f64::from_rational(g.payoff(k, 1)))).collect();
        for a in &points {
            for b in &points {
                for step in 0..=100 {
                    let t = step as f64 / 100.0;
                    let y = (a.0 + t * (b.0 - a.0), a.1 + t * (b.1 - a.1));
                    prop_assert!(!(y.0 > nbs.payoffs[0] + 1e-6 * scale_f && y.1 > nbs.payoffs[1] + 1e-6 * scale_f), "{:?} dominates {:?}", y, nbs.payoffs);
                }
            }
        }
        // Invariance: the solution of the transformed game is the transformed solution.
        let h = affine(&g, scale, shift);
        let dh = threat_point(&security_levels(&h).unwrap());
        let nh = nash_bargaining(&h, &dh).unwrap();
        // (Two players: computed exactly, so the map holds exactly.)
        let (x, y) = (nbs.exact_payoffs.unwrap(), nh.exact_payoffs.unwrap());
        if nbs.interior {
            prop_assert_eq!(&y[0], &(&x[0] * r(scale) + r(shift)));
            prop_assert_eq!(&y[1], &x[1]);
        }
        prop_assert_eq!(nbs.interior, nh.interior);
    }
}

#[test]
fn common_payoff_games_are_perfectly_aligned() {
    let v = [3, 1, 4, 1, 5, 9];
    let a: Vec<Vec<Rational>> = (0..2).map(|i| (0..3).map(|j| r(v[i * 3 + j])).collect()).collect();
    let g = NormalFormGame::bimatrix(&a, &a).unwrap();
    let al = alignment(&g, &[r(1), r(1)]);
    assert!(al.alpha.is_zero());
    // The best profile is optimal for each player.
    assert_eq!(al.unanimous_profiles, al.max_welfare_profiles);
    assert_eq!(g.profile(al.max_welfare_profiles[0]), vec![1, 2]);
    // A constant-welfare game has coordination gap 0 at every profile.
    let neg: Vec<Vec<Rational>> = a.iter().map(|row| row.iter().map(|x| r(7) - x).collect()).collect();
    let cw = NormalFormGame::bimatrix(&a, &neg).unwrap();
    let al = alignment(&cw, &[r(1), r(1)]);
    assert!(al.constant_welfare);
    assert!(coordination_gap(&cw, &[r(1), r(1)], &arb_profile(&cw)).is_zero());
}

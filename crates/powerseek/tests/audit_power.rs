//! Independent checks of the exact and Monte Carlo POWER numbers
//! (docs/theory.md §2.2, §2.4, §2.7): every expected value here comes from a
//! derivation of its own — all deterministic stationary policies enumerated
//! over every state and solved in rationals, reward functions of a finite
//! support enumerated one by one, plain sampling over the brute-force visit
//! distributions — never from the library's own enumeration or geometry.

use std::collections::BTreeSet;

use num_traits::{One, Signed, ToPrimitive, Zero};
use powerseek::exact::{parse_rational, Rational};
use powerseek::mdp::visits::{
    analyse, exact_power, non_dominated, visit_distributions, ExactDistribution, ExactPowerRequest,
};
use powerseek::mdp::{Mdp, MdpBuilder};
use powerseek::{estimate_power, Horizon, NoProgress, PowerOptions, RewardDistribution, SampleSize};
use proptest::prelude::*;
use proptest::strategy::ValueTree;

fn q(text: &str) -> Rational {
    parse_rational(text).unwrap()
}

/// An exact transition row: `(successor, probability)`.
type Row = Vec<(usize, Rational)>;

/// A small MDP given by exact rows: `actions[s]` lists `(name, row)`.
#[derive(Clone, Debug)]
struct Inst {
    actions: Vec<Vec<(String, Row)>>,
}

impl Inst {
    fn n(&self) -> usize {
        self.actions.len()
    }

    fn mdp(&self) -> Mdp {
        let mut b = MdpBuilder::with_states(self.n());
        for (s, acts) in self.actions.iter().enumerate() {
            for (name, row) in acts {
                let row: Vec<(usize, f64)> = row.iter().map(|(t, p)| (*t, p.to_f64().unwrap())).collect();
                b.add_action(s, name, &row).unwrap();
            }
        }
        b.build().unwrap()
    }
}

/// Visit distributions, each with the names of the first actions giving it.
type VisitList = Vec<(Vec<Rational>, BTreeSet<String>)>;

/// Solve `A x = b` by Gauss–Jordan elimination (A invertible).
fn gauss(mut a: Vec<Vec<Rational>>, mut b: Vec<Rational>) -> Vec<Rational> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).find(|&r| !a[r][c].is_zero()).expect("invertible");
        a.swap(c, p);
        b.swap(c, p);
        let pivot = a[c].clone();
        for r in 0..n {
            if r != c && !a[r][c].is_zero() {
                let f = &a[r][c] / &pivot[c];
                for (x, y) in a[r].iter_mut().zip(&pivot) {
                    *x -= &f * y;
                }
                let d = &f * &b[c];
                b[r] -= d;
            }
        }
    }
    (0..n).map(|i| &b[i] / &a[i][i]).collect()
}

/// Every deterministic stationary policy (an action at every state, reached
/// or not), its visit distribution from `s` solved over all states, merged
/// by equality; each with the names of the first actions producing it.
fn brute_visits(inst: &Inst, s: usize, gamma: &Rational) -> VisitList {
    let n = inst.n();
    let mut choice = vec![0usize; n];
    let mut out: VisitList = Vec::new();
    loop {
        // (I − γ Pᵀ) f = e_s, P[i][j] = T(j | i, π(i)).
        let mut a = vec![vec![Rational::zero(); n]; n];
        for (i, row) in a.iter_mut().enumerate() {
            row[i] = Rational::one();
        }
        for i in 0..n {
            for (j, p) in &inst.actions[i][choice[i]].1 {
                a[*j][i] -= gamma * p;
            }
        }
        let mut e = vec![Rational::zero(); n];
        e[s] = Rational::one();
        let f = gauss(a, e);
        let name = inst.actions[s][choice[s]].0.clone();
        match out.iter_mut().find(|(g, _)| *g == f) {
            Some((_, names)) => {
                names.insert(name);
            }
            None => out.push((f, [name].into_iter().collect())),
        }
        let Some(pos) = (0..n).find(|&i| choice[i] + 1 < inst.actions[i].len()) else {
            break;
        };
        choice[pos] += 1;
        for c in &mut choice[..pos] {
            *c = 0;
        }
    }
    out.sort();
    out
}

/// The library's `F(s)` in the same form.
fn library_visits(m: &Mdp, s: usize, gamma: &Rational) -> VisitList {
    let set = visit_distributions(m, s, gamma, 100_000, &NoProgress).unwrap();
    let mut out: VisitList = set
        .vectors
        .iter()
        .zip(&set.first)
        .map(|(f, labels)| (f.clone(), labels.iter().map(|&l| m.action_names()[l].clone()).collect()))
        .collect();
    out.sort();
    out
}

/// splitmix64: a tiny deterministic generator for the tests' own sampling.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Probabilities whose binary floats read back (as shortest decimals) as themselves.
const PROBS: [&str; 7] = ["1/4", "1/2", "3/4", "1/5", "2/5", "3/5", "4/5"];

/// A random instance: 2..=max_states states, 1..=3 actions each, rows with
/// one successor (often a self-loop) or two with a probability from `PROBS`;
/// some states are terminal (only a self-loop); some actions duplicate
/// another's row (exact ties of futures).
fn arb_inst(max_states: usize) -> impl Strategy<Value = Inst> {
    (2usize..=max_states).prop_flat_map(|n| {
        let action = (0..n, 0..n, 0..PROBS.len(), 0u8..4);
        let state = (proptest::collection::vec(action, 1..=3), 0u8..5);
        proptest::collection::vec(state, n).prop_map(move |states| {
            let actions = states
                .iter()
                .enumerate()
                .map(|(s, (acts, kind))| {
                    if *kind == 0 {
                        // Terminal: absorbing.
                        return vec![("stay".to_string(), vec![(s, Rational::one())])];
                    }
                    let mut out: Vec<(String, Row)> = Vec::new();
                    for (i, &(t1, t2, p, shape)) in acts.iter().enumerate() {
                        let row = match shape {
                            0 => vec![(s, Rational::one())],
                            1 if !out.is_empty() => out[0].1.clone(),
                            2 if t1 != t2 => {
                                let p = q(PROBS[p]);
                                vec![(t1, p.clone()), (t2, Rational::one() - p)]
                            }
                            _ => vec![(t1, Rational::one())],
                        };
                        out.push((format!("a{i}"), row));
                    }
                    out
                })
                .collect();
            Inst { actions }
        })
    })
}

const GAMMAS: [&str; 6] = ["1/3", "9/10", "1/100", "99/100", "1/2", "0.7"];

/// Exact POWER and action probabilities under a finite reward support, by
/// enumerating every reward function over all states and maximising over the
/// brute-force visit distributions (the definition, §2.2 and §2.4).
struct Brute {
    power: Rational,
    /// P(two or more first actions are optimal).
    tie: Rational,
    /// Per action name at the state: (optimal, tie counted for each; optimal share).
    actions: Vec<(String, Rational, Rational)>,
}

fn brute_finite(inst: &Inst, s: usize, gamma: &Rational, values: &[Rational], probs: &[Rational]) -> Brute {
    let n = inst.n();
    let fs = brute_visits(inst, s, gamma);
    let names: Vec<String> = inst.actions[s].iter().map(|(a, _)| a.clone()).collect();
    let mut optimal = vec![Rational::zero(); names.len()];
    let mut share = vec![Rational::zero(); names.len()];
    let mut power = Rational::zero();
    let mut tie = Rational::zero();
    let mut digits = vec![0usize; n];
    loop {
        let r: Vec<&Rational> = digits.iter().map(|&d| &values[d]).collect();
        let p: Rational = digits.iter().map(|&d| probs[d].clone()).product();
        let v: Vec<Rational> = fs
            .iter()
            .map(|(f, _)| f.iter().zip(&r).map(|(x, y)| x * *y).sum())
            .collect();
        let best = v.iter().max().unwrap().clone();
        power += &p * (&best - r[s]);
        let mut tied: BTreeSet<&String> = BTreeSet::new();
        for (k, (_, first)) in fs.iter().enumerate() {
            if v[k] == best {
                tied.extend(first.iter());
            }
        }
        if tied.len() >= 2 {
            tie += &p;
        }
        for (i, a) in names.iter().enumerate() {
            if tied.contains(a) {
                optimal[i] += &p;
                share[i] += &p / Rational::from_integer((tied.len() as i64).into());
            }
        }
        let Some(pos) = (0..n).find(|&i| digits[i] + 1 < values.len()) else {
            break;
        };
        digits[pos] += 1;
        for d in &mut digits[..pos] {
            *d = 0;
        }
    }
    let scale = (Rational::one() - gamma) / gamma;
    Brute {
        power: power * scale,
        tie,
        actions: names
            .into_iter()
            .zip(optimal)
            .zip(share)
            .map(|((a, o), sh)| (a, o, sh))
            .collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    /// F(s) with first actions equals the brute force over all policies, at
    /// discounts near 0, near 1 and in between; every f has mass 1/(1 − γ).
    #[test]
    fn visit_sets_equal_all_policies(inst in arb_inst(4), g in 0usize..GAMMAS.len()) {
        let gamma = q(GAMMAS[g]);
        let m = inst.mdp();
        for s in 0..inst.n() {
            let lib = library_visits(&m, s, &gamma);
            let brute = brute_visits(&inst, s, &gamma);
            prop_assert_eq!(&lib, &brute, "state {}", s);
            let mass = Rational::one() / (Rational::one() - &gamma);
            for (f, _) in &lib {
                prop_assert_eq!(f.iter().cloned().sum::<Rational>(), mass.clone());
            }
        }
    }

    /// Finite-support exact POWER and action probabilities equal the
    /// enumeration of every reward function (ties included), per state.
    #[test]
    fn finite_support_power_equals_enumeration(inst in arb_inst(4), g in 0usize..GAMMAS.len(), d in 0usize..3) {
        let gamma = q(GAMMAS[g]);
        let (spec, values, probs): (&str, Vec<Rational>, Vec<Rational>) = match d {
            0 => ("bernoulli:0.3", vec![q("0"), q("1")], vec![q("7/10"), q("3/10")]),
            1 => ("finite:0@0.25,0.5@0.25,1@0.5", vec![q("0"), q("1/2"), q("1")], vec![q("1/4"), q("1/4"), q("1/2")]),
            _ => ("finite:-1@0.5,2@0.5", vec![q("-1"), q("2")], vec![q("1/2"), q("1/2")]),
        };
        let m = inst.mdp();
        let report = exact_power(&m, &ExactPowerRequest { gamma: Some(GAMMAS[g].into()), dist: spec.into() }, &NoProgress).unwrap();
        for s in 0..inst.n() {
            let b = brute_finite(&inst, s, &gamma, &values, &probs);
            let row = &report.states[s];
            prop_assert_eq!(&row.power, &b.power, "state {} power", s);
            for (name, opt, share) in &b.actions {
                let a = row.actions.iter().find(|a| &a.name == name).unwrap();
                prop_assert_eq!(&a.optimal, opt, "state {} action {} optimal", s, name);
                prop_assert_eq!(&a.optimal_share, share, "state {} action {} share", s, name);
            }
        }
    }
}

/// Uniform rewards: exact POWER and each f's optimality probability against
/// plain sampling over the brute-force visit distributions (4 SE), and ND
/// against sampled witnesses: a unique argmax for a sampled reward is
/// non-dominated, and a non-dominated f has positive probability.
#[test]
fn uniform_exact_against_own_sampling() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 24,
        ..ProptestConfig::default()
    });
    let mut rng = Rng(20_261_202);
    let strategy = (arb_inst(4), 0usize..GAMMAS.len());
    for _ in 0..24 {
        let (inst, g) = strategy.new_tree(&mut runner).unwrap().current();
        let gamma = q(GAMMAS[g]);
        let gf = gamma.to_f64().unwrap();
        let m = inst.mdp();
        let report = exact_power(
            &m,
            &ExactPowerRequest {
                gamma: Some(GAMMAS[g].into()),
                dist: "uniform:-1,3".into(),
            },
            &NoProgress,
        )
        .unwrap();
        for s in 0..inst.n() {
            let set = visit_distributions(&m, s, &gamma, 100_000, &NoProgress).unwrap();
            let nd = non_dominated(&set.vectors);
            let a = analyse(&set, &nd, &ExactDistribution::Uniform { lo: q("0"), hi: q("1") }, &[]).unwrap();
            let fs: Vec<Vec<f64>> = set
                .vectors
                .iter()
                .map(|f| f.iter().map(|x| x.to_f64().unwrap()).collect())
                .collect();
            let samples = 6_000;
            let (mut sum, mut sq) = (0.0, 0.0);
            let mut wins = vec![0usize; fs.len()];
            for _ in 0..samples {
                let r: Vec<f64> = (0..inst.n()).map(|_| rng.unit()).collect();
                let v: Vec<f64> = fs.iter().map(|f| f.iter().zip(&r).map(|(x, y)| x * y).sum()).collect();
                let best = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let mut top: Vec<usize> = (0..v.len()).filter(|&k| v[k] >= best - 1e-9).collect();
                if top.len() > 1 {
                    // Near ties (at small γ, futures can differ by γ⁶ and less):
                    // decide exactly, the sampled reward read as the rational it is.
                    let rq: Vec<Rational> = r.iter().map(|&x| Rational::from_float(x).unwrap()).collect();
                    let exact: Vec<Rational> = top
                        .iter()
                        .map(|&k| set.vectors[k].iter().zip(&rq).map(|(x, y)| x * y).sum())
                        .collect();
                    let max = exact.iter().max().unwrap().clone();
                    top = top
                        .iter()
                        .zip(&exact)
                        .filter(|(_, e)| **e == max)
                        .map(|(&k, _)| k)
                        .collect();
                }
                if top.len() == 1 {
                    wins[top[0]] += 1;
                    assert!(nd[top[0]], "state {s}: a sampled unique argmax is marked dominated");
                }
                let x = (1.0 - gf) / gf * (best - r[s]);
                sum += x;
                sq += x * x;
            }
            let mean = sum / samples as f64;
            let se = ((sq / samples as f64 - mean * mean).max(0.0) / samples as f64).sqrt();
            let exact01 = a.power.to_f64().unwrap();
            assert!(
                (exact01 - mean).abs() <= 4.0 * se + 1e-9,
                "state {s} γ {}: exact {exact01} vs sampled {mean} ± {se}",
                GAMMAS[g]
            );
            // uniform:-1,3 is the affine image -1 + 4u.
            let affine = q("-1") + q("4") * &a.power;
            assert_eq!(report.states[s].power, affine, "state {s}: uniform:-1,3");
            for k in 0..fs.len() {
                let p = a.optimal[k].to_f64().unwrap();
                let freq = wins[k] as f64 / samples as f64;
                let se = (p * (1.0 - p) / samples as f64).sqrt();
                assert!(
                    (p - freq).abs() <= 4.0 * se + 2e-3,
                    "state {s} f{k}: {p} vs {freq} at γ {}; {inst:?}",
                    GAMMAS[g]
                );
                assert_eq!(nd[k], !a.optimal[k].is_zero(), "state {s} f{k}: ND vs volume");
            }
            let total: Rational = a.optimal.iter().cloned().sum();
            assert_eq!(total, Rational::one());
        }
    }
}

/// Closed forms at several rational discounts: `k` absorbing children give
/// `k/(k + 1)`, a complete graph with self-loops on `n` states gives
/// `n/(n + 1)` at every state, and the absorbing states give `E[R] = 1/2`,
/// under the `(1 − γ)/γ · (V* − R(s))` normalisation of §2.2.
#[test]
fn closed_forms_at_every_discount() {
    for gamma in ["1/3", "9/10", "1/100", "99/100"] {
        for k in 1..=4usize {
            let mut actions = vec![(1..=k)
                .map(|i| (format!("to{i}"), vec![(i, Rational::one())]))
                .collect::<Vec<_>>()];
            for i in 1..=k {
                actions.push(vec![("stay".to_string(), vec![(i, Rational::one())])]);
            }
            let inst = Inst { actions };
            let r = exact_power(
                &inst.mdp(),
                &ExactPowerRequest {
                    gamma: Some(gamma.into()),
                    dist: "uniform".into(),
                },
                &NoProgress,
            )
            .unwrap();
            assert_eq!(
                r.states[0].power,
                Rational::new((k as i64).into(), (k as i64 + 1).into())
            );
            assert_eq!(r.states[1].power, q("1/2"));
        }
        for n in 1..=3usize {
            let inst = Inst {
                actions: (0..n)
                    .map(|_| (0..n).map(|t| (format!("to{t}"), vec![(t, Rational::one())])).collect())
                    .collect(),
            };
            let r = exact_power(
                &inst.mdp(),
                &ExactPowerRequest {
                    gamma: Some(gamma.into()),
                    dist: "uniform".into(),
                },
                &NoProgress,
            )
            .unwrap();
            for st in &r.states {
                assert_eq!(st.power, Rational::new((n as i64).into(), (n as i64 + 1).into()));
            }
        }
    }
}

/// Monte Carlo against exact POWER and exact action probabilities with ties
/// (Bernoulli rewards make them common): POWER within 4 SE, `optimal` and
/// `optimal_share` within 4 binomial SE, with and without antithetic pairs.
#[test]
fn monte_carlo_matches_exact_with_ties() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let strategy = (arb_inst(4), 0usize..4, any::<bool>());
    for case in 0..16 {
        let (inst, g, antithetic) = strategy.new_tree(&mut runner).unwrap().current();
        let gamma = ["1/3", "9/10", "1/2", "0.7"][g];
        let m = inst.mdp();
        for (spec, dist) in [
            (
                "bernoulli:0.3",
                RewardDistribution::parse_for("bernoulli:0.3", &m).unwrap(),
            ),
            ("uniform", RewardDistribution::uniform()),
        ] {
            let exact = exact_power(
                &m,
                &ExactPowerRequest {
                    gamma: Some(gamma.into()),
                    dist: spec.into(),
                },
                &NoProgress,
            )
            .unwrap();
            let samples = 3_000;
            let opts = PowerOptions {
                horizon: Horizon::Discounted(q(gamma).to_f64().unwrap()),
                samples: SampleSize::Count(samples),
                seed: case,
                antithetic,
                ..Default::default()
            };
            let mc = estimate_power(&m, &dist, &opts, &NoProgress).unwrap();
            for s in 0..inst.n() {
                let e = mc.power[s];
                let x = exact.states[s].power.to_f64().unwrap();
                assert!(
                    (x - e.mean).abs() <= 4.0 * e.se + 1e-6,
                    "case {case} {spec} γ {gamma} state {s}: exact {x} vs {} ± {}; {inst:?}",
                    e.mean,
                    e.se
                );
                if spec.starts_with("bernoulli") {
                    let b = brute_finite(&inst, s, &q(gamma), &[q("0"), q("1")], &[q("7/10"), q("3/10")]);
                    let p = b.tie.to_f64().unwrap();
                    let f = mc.tie_probability[s];
                    let se = ((p * (1.0 - p)).max(1.0 / samples as f64) / samples as f64).sqrt() * 1.5;
                    assert!(
                        (p - f).abs() <= 4.0 * se,
                        "case {case} γ {gamma} state {s}: ties {p} vs {f}; {inst:?}"
                    );
                }
                for (i, a) in m.actions(s).enumerate() {
                    let row = &exact.states[s].actions[i];
                    let sp = mc.actions[a].successor_power;
                    let x = row.successor_power.to_f64().unwrap();
                    assert!(
                        (x - sp.mean).abs() <= 4.0 * sp.se + 1e-6,
                        "case {case} {spec} γ {gamma} state {s} action {}: successor POWER {x} vs {} ± {}",
                        row.name,
                        sp.mean,
                        sp.se
                    );
                    let r = &mc.actions[a];
                    for (what, p, f) in [
                        ("optimal", row.optimal.to_f64().unwrap(), r.optimal),
                        ("share", row.optimal_share.to_f64().unwrap(), r.optimal_share),
                    ] {
                        // Antithetic pairs are not independent: allow √2 more. Actions
                        // within the solver's error bound of the best count as tied
                        // (§2.4), so an exact probability of 0 can show a few samples:
                        // the variance is floored at that of one sample in `samples`.
                        let var = (p * (1.0 - p)).max(1.0 / samples as f64);
                        let se = (var / samples as f64).sqrt() * if antithetic { 1.5 } else { 1.0 };
                        assert!(
                            (p - f).abs() <= 4.0 * se + 1e-9,
                            "case {case} {spec} γ {gamma} state {s} action {}: {what} exact {p} vs {f}; {inst:?}",
                            row.name
                        );
                    }
                }
            }
        }
    }
}

/// A fork: `a` to an absorbing state, `b` back to itself.
fn fork2() -> Mdp {
    Inst {
        actions: vec![
            vec![
                ("a".into(), vec![(1, Rational::one())]),
                ("b".into(), vec![(0, Rational::one())]),
            ],
            vec![("stay".into(), vec![(1, Rational::one())])],
        ],
    }
    .mdp()
}

/// `power --gamma lo:hi:K` runs each γ exactly as `power --gamma γ` would:
/// the grid points are the decimals the user reads (0.3, not
/// 0.30000000000000004), and every number equals the separate run's.
#[test]
fn gamma_sweep_equals_separate_runs() {
    use powerseek::mdp::gamma_sweep::{gamma_sweep, parse_gammas, GammaSweepRequest};
    use powerseek::mdp::power_io::PowerRequest;
    let m = fork2();
    for (text, written) in [
        ("0.1:0.9:5", vec!["0.1", "0.3", "0.5", "0.7", "0.9"]),
        ("0:1:6", vec!["0", "0.2", "0.4", "0.6", "0.8", "1"]),
        ("0.9:0.99:4", vec!["0.9", "0.93", "0.96", "0.99"]),
    ] {
        let gammas = parse_gammas(text).unwrap();
        let expected: Vec<f64> = written.iter().map(|w| w.parse().unwrap()).collect();
        assert_eq!(gammas, expected, "{text}");
        let base = PowerRequest {
            samples: 200,
            seed: 7,
            ..Default::default()
        };
        let sweep = gamma_sweep(
            &m,
            &GammaSweepRequest {
                power: base.clone(),
                gammas: gammas.clone(),
                states: vec!["0".into(), "1".into()],
            },
            &NoProgress,
        )
        .unwrap();
        for (point, w) in sweep.points.iter().zip(&written) {
            let single = PowerRequest {
                gamma: Some(w.parse().unwrap()),
                ..base.clone()
            };
            let (dist, opts) = single.resolve(&m).unwrap();
            let report = estimate_power(&m, &dist, &opts, &NoProgress).unwrap();
            assert_eq!(point.horizon, report.horizon, "{text}");
            for (k, s) in [0usize, 1].into_iter().enumerate() {
                assert_eq!(point.states[k].power, report.power[s], "{text} at {w}");
                for (j, a) in m.actions(s).enumerate() {
                    assert_eq!(
                        point.states[k].actions[j].optimal_share,
                        report.actions[a].optimal_share
                    );
                }
            }
        }
    }
}

/// A target standard error with a sample limit that is not a whole number
/// of blocks of 16 stops at the limit (it used to panic), and the report
/// says honestly whether the target was met.
#[test]
fn target_se_with_an_odd_sample_limit_stops_at_the_limit() {
    let m = fork2();
    for (max, antithetic) in [(17usize, false), (1_009, false), (1_010, true), (33, false)] {
        let opts = PowerOptions {
            samples: SampleSize::StandardError {
                target: 1e-9,
                min: 4,
                max,
            },
            antithetic,
            ..Default::default()
        };
        let r = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
        assert_eq!(r.samples, max);
        assert_eq!(r.target_reached, Some(false));
        assert!(r.max_standard_error() > 1e-9);
    }
    // A reachable target: met, and the largest SE is at most it.
    let opts = PowerOptions {
        samples: SampleSize::StandardError {
            target: 0.01,
            min: 4,
            max: 100_001,
        },
        ..Default::default()
    };
    let r = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    assert_eq!(r.target_reached, Some(true));
    assert!(r.max_standard_error() <= 0.01 && r.samples < 100_001);
}

/// Antithetic pairs are the observations of the standard error, so two
/// samples (one pair) cannot give one: an error, not a NaN standard error.
#[test]
fn one_antithetic_pair_is_refused() {
    let m = fork2();
    for samples in [
        SampleSize::Count(2),
        SampleSize::StandardError {
            target: 0.1,
            min: 2,
            max: 2,
        },
    ] {
        let opts = PowerOptions {
            samples,
            antithetic: true,
            ..Default::default()
        };
        let e = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap_err();
        assert!(e.to_string().contains("2 pairs"), "{e}");
    }
    let opts = PowerOptions {
        samples: SampleSize::Count(3),
        antithetic: true,
        ..Default::default()
    };
    let r = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
    assert_eq!(r.samples, 4);
    assert!(r.power.iter().all(|e| e.se.is_finite()));
}

/// Reward sample `k` has its own random stream; the streams must be
/// independent. For each draw position (state) the mean over the first 2 000
/// samples of a seed, standardised, must have variance 1 across seeds
/// (chi-square with 300 degrees of freedom: 1 ± 0.082); streams that
/// differed only in their PCG increment gave 0.47–2.9 here.
#[test]
fn reward_streams_of_consecutive_samples_are_independent() {
    let d = RewardDistribution::uniform();
    let (n, count, seeds) = (8usize, 2_000usize, 300u64);
    let mut out = vec![0.0; n * count];
    let mut var = vec![0.0; n];
    for seed in 0..seeds {
        d.fill(seed, 0, count, false, &mut out);
        for s in 0..n {
            let m: f64 = out[s * count..(s + 1) * count].iter().sum::<f64>() / count as f64;
            let z = (m - 0.5) / (1.0f64 / 12.0 / count as f64).sqrt();
            var[s] += z * z / seeds as f64;
        }
    }
    for (s, v) in var.iter().enumerate() {
        assert!(
            (v - 1.0).abs() < 4.0 * (2.0 / seeds as f64).sqrt(),
            "draw {s}: var(z) = {v}"
        );
    }
}

/// A state with `k` actions to `k` absorbing states.
fn star(k: usize) -> Mdp {
    let mut actions = vec![(1..=k)
        .map(|i| (format!("to{i}"), vec![(i, Rational::one())]))
        .collect::<Vec<_>>()];
    for i in 1..=k {
        actions.push(vec![("stay".to_string(), vec![(i, Rational::one())])]);
    }
    Inst { actions }.mdp()
}

/// Every reward distribution, at γ = 0.9 and at the two limits: an
/// absorbing state has POWER `E[R]` and a state with two absorbing children
/// `E[max(R_1, R_2)]`, whatever the marginal's mean and sign (§2.2's
/// normalisation); each marginal's `E[max]` is derived here in closed form.
#[test]
fn every_marginal_gives_its_closed_forms() {
    let m = star(2);
    let pi = std::f64::consts::PI;
    // (spec, E[R], E[max of two], antithetic allowed)
    let cases: [(&str, f64, f64, bool); 6] = [
        ("uniform:-2,4", 1.0, -2.0 + 6.0 * 2.0 / 3.0, true),
        // E[max of two N(μ, σ²)] = μ + σ/√π.
        ("normal:-1,2", -1.0, -1.0 + 2.0 / pi.sqrt(), true),
        // Beta(2, 2): E[max] = ∫ 1 − F(x)² dx with F(x) = 3x² − 2x³: 1 − 13/35 = 22/35.
        ("beta:2,2", 0.5, 22.0 / 35.0, true),
        // Beta(2, 3): mean 2/5, E[max] = 1 − ∫ F² with F = 6x² − 8x³ + 3x⁴: 1 − 17/35.
        ("beta:2,3", 0.4, 18.0 / 35.0, false),
        ("bernoulli:0.3", 0.3, 1.0 - 0.7 * 0.7, true),
        // Values -1, 0.5, 3 with probabilities 0.2, 0.5, 0.3: P(max ≤ v) = F(v)².
        (
            "finite:-1@0.2,0.5@0.5,3@0.3",
            -0.2 + 0.25 + 0.9,
            -0.04 + 0.5 * (0.49 - 0.04) + 3.0 * (1.0 - 0.49),
            true,
        ),
    ];
    for (spec, mean, top, anti_ok) in cases {
        let dist = RewardDistribution::parse_for(spec, &m).unwrap();
        for horizon in [Horizon::Discounted(0.9), Horizon::ZeroLimit, Horizon::OneLimit] {
            for antithetic in [false, true] {
                if antithetic && !anti_ok {
                    continue;
                }
                let opts = PowerOptions {
                    horizon,
                    samples: SampleSize::Count(4_000),
                    antithetic,
                    seed: 3,
                    ..Default::default()
                };
                let r = estimate_power(&m, &dist, &opts, &NoProgress).unwrap();
                let (p0, p1) = (r.power[0], r.power[1]);
                let what = format!("{spec} {horizon} antithetic {antithetic}");
                assert!(
                    (p0.mean - top).abs() <= 4.0 * p0.se + 1e-6,
                    "{what}: {} ± {} vs {top}",
                    p0.mean,
                    p0.se
                );
                assert!(
                    (p1.mean - mean).abs() <= 4.0 * p1.se + 1e-6,
                    "{what}: {} ± {} vs {mean}",
                    p1.mean,
                    p1.se
                );
                let p2 = r.power[2];
                assert!(
                    (p2.mean - mean).abs() <= 4.0 * p2.se + 1e-6,
                    "{what}: {} ± {} vs {mean}",
                    p2.mean,
                    p2.se
                );
            }
        }
    }
}

/// The limits γ → 0 and γ → 1 of the Monte Carlo estimator against exact
/// POWER at γ = 10⁻⁶ and (deterministic MDPs) at 1 − 10⁻⁶, which differ
/// from the limits by O(10⁻⁶) per step of the MDP.
#[test]
fn monte_carlo_limits_match_exact_near_the_ends() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let strategy = arb_inst(4);
    for case in 0..10u64 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        let m = inst.mdp();
        let mut ends = vec![(Horizon::ZeroLimit, "1/1000000")];
        if m.is_deterministic() {
            ends.push((Horizon::OneLimit, "999999/1000000"));
        }
        for (horizon, gamma) in ends {
            let exact = exact_power(
                &m,
                &ExactPowerRequest {
                    gamma: Some(gamma.into()),
                    dist: "uniform".into(),
                },
                &NoProgress,
            )
            .unwrap();
            let opts = PowerOptions {
                horizon,
                samples: SampleSize::Count(3_000),
                seed: case,
                ..Default::default()
            };
            let mc = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
            for s in 0..inst.n() {
                let x = exact.states[s].power.to_f64().unwrap();
                let e = mc.power[s];
                assert!(
                    (x - e.mean).abs() <= 4.0 * e.se + 1e-4,
                    "case {case} {horizon} state {s}: exact {x} vs {} ± {}; {inst:?}",
                    e.mean,
                    e.se
                );
            }
        }
    }
}

/// `f32` sweeps: every state's mean POWER within twice the tolerance of the
/// `f64` run on the same samples (each sample's error is at most the
/// tolerance either way), with every block either certified or finished in
/// `f64`; near γ = 1 with a tight tolerance, blocks fall back.
#[test]
fn f32_precision_agrees_with_f64_and_falls_back() {
    use powerseek::mdp::solve::{Precision, SolverOptions};
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let strategy = arb_inst(4);
    for case in 0..8u64 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        let m = inst.mdp();
        for (gamma, tolerance) in [(0.9, 1e-5), (0.5, 1e-6), (0.99, 3e-4)] {
            let run = |precision| {
                let opts = PowerOptions {
                    horizon: Horizon::Discounted(gamma),
                    samples: SampleSize::Count(400),
                    seed: case,
                    solver: SolverOptions {
                        tolerance,
                        precision,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap()
            };
            let (a, b) = (run(Precision::F64), run(Precision::F32));
            assert_eq!(b.f32_certified_blocks + b.f64_fallback_blocks, 400 / 16, "γ {gamma}");
            for s in 0..inst.n() {
                assert!(
                    (a.power[s].mean - b.power[s].mean).abs() <= 2.0 * tolerance,
                    "case {case} γ {gamma} state {s}: f64 {} vs f32 {}",
                    a.power[s].mean,
                    b.power[s].mean
                );
            }
        }
    }
}

/// The recurrent distribution of a deterministic policy from `s`: uniform on
/// the cycle its trajectory closes into.
fn brute_recurrent(inst: &Inst, choice: &[usize], s: usize) -> Vec<Rational> {
    let mut path = vec![s];
    loop {
        let x = *path.last().unwrap();
        let t = inst.actions[x][choice[x]].1[0].0;
        if let Some(at) = path.iter().position(|&y| y == t) {
            let len = (path.len() - at) as i64;
            let mut d = vec![Rational::zero(); inst.n()];
            for &y in &path[at..] {
                d[y] = Rational::new(1.into(), len.into());
            }
            return d;
        }
        path.push(t);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    /// `powerseek visits`: POWER, per-action probabilities and successor
    /// POWER agree with `power --exact`; orderings follow the numbers; in
    /// deterministic MDPs each visit distribution's recurrent distribution is
    /// the cycle of every policy producing it, and equals the limit
    /// `(1 − γ) f` as γ → 1 (checked against γ = 1 − 10⁻⁹).
    #[test]
    fn visits_report_agrees_with_exact_power(inst in arb_inst(4), g in 0usize..GAMMAS.len()) {
        use powerseek::mdp::visits::{visits, VisitRequest};
        let m = inst.mdp();
        let gamma = GAMMAS[g];
        let exact = exact_power(&m, &ExactPowerRequest { gamma: Some(gamma.into()), dist: "uniform".into() }, &NoProgress).unwrap();
        for s in 0..inst.n() {
            let r = visits(&m, &VisitRequest { state: Some(s.to_string()), gamma: Some(gamma.into()), ..Default::default() }, &NoProgress).unwrap();
            prop_assert_eq!(r.power.as_ref().unwrap(), &exact.states[s].power);
            for (row, e) in r.actions.iter().zip(&exact.states[s].actions) {
                prop_assert_eq!(&row.action, &e.name);
                prop_assert_eq!(row.optimal.as_ref().unwrap(), &e.optimal);
                prop_assert_eq!(row.optimal_share.as_ref().unwrap(), &e.optimal_share);
                prop_assert_eq!(row.successor_power.as_ref().unwrap(), &e.successor_power);
            }
            for o in &r.orderings {
                let find = |name: &str| r.actions.iter().find(|a| a.action == name).unwrap();
                let (a, b) = (find(&o.a), find(&o.b));
                let expect = |x: &Option<Rational>, y: &Option<Rational>| match x.cmp(y) {
                    std::cmp::Ordering::Greater => o.a.clone(),
                    std::cmp::Ordering::Less => o.b.clone(),
                    std::cmp::Ordering::Equal => "equal".to_string(),
                };
                prop_assert_eq!(&o.more_probably_optimal, &expect(&a.optimal, &b.optimal));
                prop_assert_eq!(&o.seeks_power, &expect(&a.successor_power, &b.successor_power));
            }
            if m.is_deterministic() {
                let near = q("999999999/1000000000");
                let set = visit_distributions(&m, s, &q(gamma), 100_000, &NoProgress).unwrap();
                let near_set = visit_distributions(&m, s, &near, 100_000, &NoProgress).unwrap();
                let rec = set.recurrent.as_ref().unwrap();
                // Every policy: its f at γ is in the set with its cycle as the recurrent distribution.
                let n = inst.n();
                let mut choice = vec![0usize; n];
                loop {
                    let fb = brute_visits(&Inst { actions: (0..n).map(|x| vec![inst.actions[x][choice[x]].clone()]).collect() }, s, &q(gamma));
                    let k = set.vectors.iter().position(|f| *f == fb[0].0).unwrap();
                    prop_assert_eq!(&rec[k], &brute_recurrent(&inst, &choice, s));
                    let Some(pos) = (0..n).find(|&i| choice[i] + 1 < inst.actions[i].len()) else { break };
                    choice[pos] += 1;
                    for c in &mut choice[..pos] { *c = 0; }
                }
                for (f, d) in near_set.vectors.iter().zip(near_set.recurrent.as_ref().unwrap()) {
                    for (x, y) in f.iter().zip(d) {
                        let limit = (Rational::one() - &near) * x;
                        prop_assert!((limit - y).abs() < q("1/10000"));
                    }
                }
            }
        }
    }
}

/// Policy iteration (deterministic MDPs) and value iteration on the same
/// samples: POWER within twice the tolerance, and with Bernoulli rewards
/// (exact ties) the same optimal-action probabilities and tie frequencies.
#[test]
fn policy_iteration_agrees_with_value_iteration() {
    use powerseek::mdp::solve::{Method, SolverOptions};
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let strategy = arb_inst(4);
    let mut checked = 0;
    while checked < 8 {
        let inst = strategy.new_tree(&mut runner).unwrap().current();
        let m = inst.mdp();
        if !m.is_deterministic() {
            continue;
        }
        checked += 1;
        for spec in ["uniform", "bernoulli:0.3"] {
            let dist = RewardDistribution::parse_for(spec, &m).unwrap();
            let run = |method| {
                let opts = PowerOptions {
                    horizon: Horizon::Discounted(0.5),
                    samples: SampleSize::Count(320),
                    seed: checked,
                    solver: SolverOptions {
                        method,
                        ..Default::default()
                    },
                    ..Default::default()
                };
                estimate_power(&m, &dist, &opts, &NoProgress).unwrap()
            };
            let (vi, pi) = (run(Method::ValueIteration), run(Method::PolicyIteration));
            for s in 0..inst.n() {
                assert!(
                    (vi.power[s].mean - pi.power[s].mean).abs() <= 2e-6,
                    "{spec} state {s}; {inst:?}"
                );
                if spec != "uniform" {
                    assert_eq!(
                        vi.tie_probability[s], pi.tie_probability[s],
                        "{spec} state {s}; {inst:?}"
                    );
                }
            }
            if spec != "uniform" {
                for (x, y) in vi.actions.iter().zip(&pi.actions) {
                    assert_eq!((x.optimal, x.optimal_share), (y.optimal, y.optimal_share), "{inst:?}");
                }
            }
        }
    }
}

/// Draws of different states within a sample are independent too: for each
/// pair of states, the standardised fraction of samples where the first
/// draw is larger has variance 1 across seeds.
#[test]
fn reward_draws_within_a_sample_are_independent() {
    let d = RewardDistribution::uniform();
    let (n, count, seeds) = (5usize, 2_000usize, 300u64);
    let mut out = vec![0.0; n * count];
    let mut z2 = vec![vec![0.0; n]; n];
    for seed in 0..seeds {
        d.fill(seed, 0, count, false, &mut out);
        for i in 0..n {
            for j in i + 1..n {
                let c = (0..count).filter(|&k| out[i * count + k] > out[j * count + k]).count() as f64 / count as f64;
                let z = (c - 0.5) / (0.25 / count as f64).sqrt();
                z2[i][j] += z * z / seeds as f64;
            }
        }
    }
    for (i, row) in z2.iter().enumerate() {
        for (j, v) in row.iter().enumerate().skip(i + 1) {
            assert!(
                (v - 1.0).abs() < 4.0 * (2.0 / seeds as f64).sqrt(),
                "draws {i}, {j}: {v}"
            );
        }
    }
}

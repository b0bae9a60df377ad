//! The reverse-search enumeration of extreme equilibria
//! (`game::equilibrium::reverse`) against three references: the
//! vertex-pairing enumerator on many seeded random small games (the same set
//! of exact equilibria, and the same components), lrsnash's own output on
//! larger games (`tests/data/lrsnash`, see its README), and Gambit's
//! `enummixed` answers on Gambit's two-player test games.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

use num_traits::Zero;
use powerseek::game::equilibrium::reverse::{self, Arithmetic, Options, Outer};
use powerseek::game::equilibrium::{bimatrix, Equilibrium};
use powerseek::game::{format_rational, nfg, parse_rational, NormalFormGame, Rational};
use powerseek::progress::Progress;
use rand::{RngExt, SeedableRng};
use serde_json::Value;

mod common;
use common::{gambit_dir, gambit_key, key};

/// The reference: pair every vertex of P with every vertex of Q.
fn oracle(g: &NormalFormGame) -> bimatrix::ExtremeEquilibria {
    bimatrix::enumerate_extreme_by_pairing(g).unwrap()
}

fn keys(eqs: &[Equilibrium]) -> BTreeSet<String> {
    eqs.iter().map(key).collect()
}

/// Components as a set of sets of equilibrium keys (independent of order).
fn component_sets(r: &bimatrix::ExtremeEquilibria) -> BTreeSet<BTreeSet<String>> {
    r.components
        .iter()
        .map(|c| c.iter().map(|&i| key(&r.equilibria[i])).collect())
        .collect()
}

fn game(a: Vec<Vec<i64>>, b: Vec<Vec<i64>>) -> NormalFormGame {
    let r = |m: Vec<Vec<i64>>| -> Vec<Vec<Rational>> {
        m.into_iter()
            .map(|row| row.into_iter().map(|x| Rational::from_integer(x.into())).collect())
            .collect()
    };
    NormalFormGame::bimatrix(&r(a), &r(b)).unwrap()
}

fn random_game(rng: &mut rand_pcg::Pcg64, m: usize, n: usize, lo: i64, hi: i64) -> NormalFormGame {
    let mut draw = || {
        (0..m)
            .map(|_| (0..n).map(|_| rng.random_range(lo..=hi)).collect())
            .collect::<Vec<Vec<i64>>>()
    };
    let (a, b) = (draw(), draw());
    game(a, b)
}

/// Run the reverse search with `opts`, checking what every run must satisfy.
fn run(g: &NormalFormGame, opts: &Options) -> (Vec<Equilibrium>, reverse::Stats) {
    let mut found = Vec::new();
    let stats = reverse::enumerate(
        g,
        opts,
        |e| {
            found.push(e);
            ControlFlow::Continue(())
        },
        &powerseek::progress::NoProgress,
    )
    .unwrap();
    assert!(stats.complete);
    assert_eq!(stats.duplicates, 0, "a complementary vertex was found twice");
    assert_eq!(stats.equilibria as usize, found.len());
    assert_eq!(keys(&found).len(), found.len(), "an equilibrium was reported twice");
    for e in &found {
        assert!(e.max_regret(g).is_zero(), "not an equilibrium: {}", key(e));
        assert_eq!(e.payoffs, g.expected_payoffs(&e.strategies));
    }
    (found, stats)
}

/// Every option combination gives the pairing enumerator's set, and the
/// collected form its components.
fn check_against_oracle(g: &NormalFormGame, what: &str) -> reverse::Stats {
    let expected = oracle(g);
    let want = keys(&expected.equilibria);
    let mut last = None;
    let mut variants = Vec::new();
    for outer in [Outer::Auto, Outer::Row, Outer::Column] {
        for arithmetic in [Arithmetic::Auto, Arithmetic::BigInt] {
            variants.push(Options {
                outer,
                arithmetic,
                cache_levels: None,
            });
        }
    }
    // No cache (always pivot back) and a one-level cache.
    for cache_levels in [Some(0), Some(1)] {
        variants.push(Options {
            cache_levels,
            ..Options::default()
        });
    }
    let mut pivots = Vec::new();
    for opts in &variants {
        let (found, stats) = run(g, opts);
        assert_eq!(keys(&found), want, "{what}, {opts:?}");
        if opts.outer == Outer::Auto && opts.arithmetic == Arithmetic::Auto {
            pivots.push(stats.pivots);
            last = Some(stats);
        }
    }
    // Restoring cached parents saves backtracking pivots (whenever there is a backtrack).
    if last.as_ref().unwrap().outer_bases > 1 {
        assert!(pivots[0] < pivots[1], "{what}: the cache saved no pivot: {pivots:?}");
    }
    let collected = reverse::extreme_equilibria(g).unwrap();
    assert_eq!(
        component_sets(&collected),
        component_sets(&expected),
        "{what}: components"
    );
    last.unwrap()
}

#[test]
fn same_equilibria_as_vertex_pairing_on_random_small_games() {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(20240611);
    let mut games = 0;
    for m in 1..=7usize {
        for n in 1..=7usize {
            let per_shape = if m * n <= 16 { 6 } else { 3 };
            for _ in 0..per_shape {
                let g = random_game(&mut rng, m, n, -10, 10);
                check_against_oracle(&g, &format!("{m}x{n} in [-10, 10]: {g:?}"));
                games += 1;
            }
        }
    }
    assert!(games > 150);
}

#[test]
fn same_equilibria_as_vertex_pairing_on_degenerate_games() {
    // Payoffs in {0, 1} (and {0, 1, 2}): many ties, degenerate vertices, and
    // equilibrium components with several extreme points.
    let mut rng = rand_pcg::Pcg64::seed_from_u64(7_777);
    let mut faces = 0;
    let mut multi_components = 0;
    for m in 1..=7usize {
        for n in 1..=7usize {
            let per_shape = if m * n <= 16 { 8 } else { 3 };
            for k in 0..per_shape {
                let hi = if k % 3 == 2 { 2 } else { 1 };
                let g = random_game(&mut rng, m, n, 0, hi);
                let stats = check_against_oracle(&g, &format!("{m}x{n} in [0, {hi}]: {g:?}"));
                faces += stats.faces_searched;
                multi_components += oracle(&g).components.iter().any(|c| c.len() > 1) as usize;
            }
        }
    }
    // The inner reverse search over faces of positive dimension was exercised.
    assert!(faces > 100, "{faces} faces");
    assert!(
        multi_components > 50,
        "{multi_components} games with a non-singleton component"
    );
}

#[test]
fn big_payoffs_move_to_bigint_mid_search_and_agree() {
    // Payoffs up to 10^9 make i128 entries overflow part way through.
    let mut rng = rand_pcg::Pcg64::seed_from_u64(99);
    let mut moved = 0;
    for size in 3..=6usize {
        for _ in 0..4 {
            let g = random_game(&mut rng, size, size, -1_000_000_000, 1_000_000_000);
            let (_, stats) = run(&g, &Options::default());
            moved += stats.bigint as usize;
            check_against_oracle(&g, &format!("{size}x{size} big payoffs"));
        }
    }
    assert!(moved >= 4, "only {moved} runs needed BigInt");
}

#[test]
fn special_games() {
    // All payoffs equal: every profile is an equilibrium; the extreme ones are the pure profiles.
    let g = game(vec![vec![3; 4]; 3], vec![vec![-2; 4]; 3]);
    let (found, _) = run(&g, &Options::default());
    assert_eq!(found.len(), 12);
    check_against_oracle(&g, "constant game");
    // One strategy for a player.
    let g = game(vec![vec![1, 5, 2]], vec![vec![0, 3, 3]]);
    check_against_oracle(&g, "1x3");
    // Matching pennies: the unique mixed equilibrium.
    let g = game(vec![vec![1, -1], vec![-1, 1]], vec![vec![-1, 1], vec![1, -1]]);
    let (found, _) = run(&g, &Options::default());
    assert_eq!(keys(&found), BTreeSet::from(["1/2,1/2|1/2,1/2".to_string()]));
    // Rational payoffs.
    let r = |s: &str| parse_rational(s).unwrap();
    let a = vec![vec![r("1/3"), r("-2/7")], vec![r("0"), r("5/2")]];
    let b = vec![vec![r("2/9"), r("1/5")], vec![r("1/5"), r("-1/4")]];
    let g = NormalFormGame::bimatrix(&a, &b).unwrap();
    check_against_oracle(&g, "rational payoffs");
}

#[test]
fn stops_when_the_callback_breaks_and_when_cancelled() {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(5);
    let g = random_game(&mut rng, 7, 7, 0, 1);
    let all = oracle(&g).equilibria.len();
    assert!(all > 2);
    let mut seen = 0;
    let stats = reverse::enumerate(
        &g,
        &Options::default(),
        |_| {
            seen += 1;
            if seen == 2 {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        },
        &powerseek::progress::NoProgress,
    )
    .unwrap();
    assert_eq!(seen, 2);
    assert!(!stats.complete);

    struct Cancel;
    impl Progress for Cancel {
        fn cancelled(&self) -> bool {
            true
        }
    }
    let r = reverse::enumerate(&g, &Options::default(), |_| ControlFlow::Continue(()), &Cancel);
    assert!(matches!(r, Err(powerseek::Error::Cancelled)), "{r:?}");
}

#[test]
fn rejects_games_that_are_not_two_player() {
    let names = |k: usize| (0..k).map(|i| format!("p{i}")).collect::<Vec<_>>();
    let actions = vec![names(2), names(2), names(2)];
    let g = NormalFormGame::new("three", names(3), actions, vec![Rational::zero(); 24]).unwrap();
    assert!(reverse::extreme_equilibria(&g).is_err());
}

// ---------------------------------------------------------------------------
// lrsnash.

fn lrs_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/lrsnash"));
    assert!(dir.is_dir(), "the lrsnash test data is missing: {}", dir.display());
    dir
}

/// A game in lrsnash's input format: "m n", player 1's m×n matrix, player 2's.
fn parse_lrs_game(text: &str) -> NormalFormGame {
    let nums: Vec<&str> = text.split_whitespace().collect();
    let (m, n): (usize, usize) = (nums[0].parse().unwrap(), nums[1].parse().unwrap());
    let vals: Vec<Rational> = nums[2..].iter().map(|s| parse_rational(s).unwrap()).collect();
    assert_eq!(vals.len(), 2 * m * n);
    let mat =
        |off: usize| -> Vec<Vec<Rational>> { (0..m).map(|i| vals[off + i * n..off + (i + 1) * n].to_vec()).collect() };
    NormalFormGame::bimatrix(&mat(0), &mat(m * n)).unwrap()
}

/// lrsnash's equilibria: in each blank-line-separated block, lines "2 y.. v"
/// (player 2's strategy, player 1's payoff) and "1 x.. u"; every pair in a
/// block is an equilibrium.
fn parse_lrs_output(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for block in text.split("\n\n") {
        let (mut xs, mut ys) = (Vec::new(), Vec::new());
        for line in block.lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.is_empty() || (parts[0] != "1" && parts[0] != "2") {
                continue;
            }
            let s: Vec<String> = parts[1..parts.len() - 1]
                .iter()
                .map(|p| format_rational(&parse_rational(p).unwrap()))
                .collect();
            if parts[0] == "1" {
                xs.push(s.join(","));
            } else {
                ys.push(s.join(","));
            }
        }
        for x in &xs {
            for y in &ys {
                out.insert(format!("{x}|{y}"));
            }
        }
    }
    out
}

/// The games with a shipped lrsnash output, with their names.
fn lrs_games(filter: impl Fn(&str) -> bool) -> Vec<(String, NormalFormGame, BTreeSet<String>)> {
    let dir = lrs_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".out").map(str::to_string)
        })
        .filter(|n| filter(n))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let read = |ext: &str| std::fs::read_to_string(dir.join(format!("{name}.{ext}"))).unwrap();
            let g = parse_lrs_game(&read("game"));
            let theirs = parse_lrs_output(&read("out"));
            (name, g, theirs)
        })
        .collect()
}

/// `m` and `n` from a name like "r12x08_3".
fn shape(name: &str) -> (usize, usize) {
    let dims = &name[1..name.find('_').unwrap()];
    let (m, n) = dims.split_once('x').unwrap();
    (m.parse().unwrap(), n.parse().unwrap())
}

fn check_lrs(filter: impl Fn(&str) -> bool) -> usize {
    let games = lrs_games(filter);
    for (name, g, theirs) in &games {
        let start = std::time::Instant::now();
        let (found, _) = run(g, &Options::default());
        eprintln!(
            "{name}: {} equilibria in {:.2} s",
            found.len(),
            start.elapsed().as_secs_f64()
        );
        assert_eq!(&keys(&found), theirs, "{name}: not lrsnash's equilibria");
        assert!(!theirs.is_empty(), "{name}");
    }
    games.len()
}

/// Quick enough for a debug build: every game up to 10×10, the rectangular
/// 8×12 and 12×8 ones, and one random and one degenerate 12×12 game.
fn quick(name: &str) -> bool {
    let (m, n) = shape(name);
    m.max(n) <= 10 || (m != n && m.max(n) <= 12) || (m == 12 && name.ends_with("_1"))
}

#[test]
fn same_equilibria_as_lrsnash() {
    let n = check_lrs(quick);
    assert_eq!(n, 32, "games");
}

/// The other games (12×12 to 18×18), slow in a debug build: run them with
/// `cargo test --release -p powerseek --test reverse_search -- --ignored`.
#[test]
#[ignore]
fn same_equilibria_as_lrsnash_larger() {
    let n = check_lrs(|name| !quick(name));
    assert_eq!(n, 24, "games");
}

/// On the degenerate lrsnash games the pairing enumerator agrees too (so the
/// three methods agree where lrsnash's output is interpreted block by block).
#[test]
fn degenerate_lrsnash_games_agree_with_vertex_pairing() {
    let games = lrs_games(|name| name.starts_with("d08"));
    for (name, g, theirs) in &games {
        assert_eq!(&keys(&oracle(g).equilibria), theirs, "{name}");
    }
    assert_eq!(games.len(), 7);
}

// ---------------------------------------------------------------------------
// Gambit.

#[test]
fn same_equilibria_as_gambit_enummixed() {
    let dir: &Path = &gambit_dir();
    let refs: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("equilibria_by_gambit.json")).unwrap()).unwrap();
    let mut checked = 0;
    for (file, info) in refs.as_object().unwrap() {
        let Some(em) = info["results"].get("enummixed") else {
            continue;
        };
        let Some(list) = em.get("equilibria") else {
            continue;
        };
        let g = nfg::load(&dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let theirs: BTreeSet<String> = list.as_array().unwrap().iter().map(|e| gambit_key(e, &g)).collect();
        for outer in [Outer::Row, Outer::Column] {
            let (found, _) = run(
                &g,
                &Options {
                    outer,
                    ..Options::default()
                },
            );
            assert_eq!(keys(&found), theirs, "{file}, outer {outer:?}");
        }
        let collected = reverse::extreme_equilibria(&g).unwrap();
        assert_eq!(component_sets(&collected), component_sets(&oracle(&g)), "{file}");
        checked += 1;
    }
    assert_eq!(checked, 18, "two-player games with Gambit's enummixed results");
}

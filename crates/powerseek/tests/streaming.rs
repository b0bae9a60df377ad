//! Streamed solving (`equilibrium::solve_streaming`): the stream carries the
//! same exact equilibria and components as `solve`, stops when the callback
//! asks (reporting itself incomplete), and stops on cancellation after the
//! equilibria already passed on.

use std::collections::BTreeSet;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use powerseek::game::equilibrium::{self, Method, SolveOptions, SolvedEquilibrium};
use powerseek::game::{format_rational, nfg, NormalFormGame, Rational};
use powerseek::progress::Progress;
use powerseek::Error;
use rand::{RngExt, SeedableRng};

mod common;
use common::gambit_dir;

fn key(e: &SolvedEquilibrium) -> String {
    e.strategies
        .iter()
        .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("|")
}

fn random_game(seed: u64, m: usize, n: usize, hi: i64) -> NormalFormGame {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut draw = || -> Vec<Vec<Rational>> {
        (0..m)
            .map(|_| {
                (0..n)
                    .map(|_| Rational::from_integer(rng.random_range(0..=hi).into()))
                    .collect()
            })
            .collect()
    };
    let (a, b) = (draw(), draw());
    NormalFormGame::bimatrix(&a, &b).unwrap()
}

fn stream_all(g: &NormalFormGame, opts: &SolveOptions) -> (Vec<SolvedEquilibrium>, equilibrium::StreamSummary) {
    let mut seen = Vec::new();
    let mut emit = |e: &SolvedEquilibrium| {
        seen.push(e.clone());
        ControlFlow::Continue(())
    };
    let summary = equilibrium::solve_streaming(g, opts, &mut emit, &powerseek::progress::NoProgress).unwrap();
    (seen, summary)
}

/// Components as sets of equilibrium keys (independent of order).
fn component_sets(eqs: &[SolvedEquilibrium], components: &[Vec<usize>]) -> BTreeSet<BTreeSet<String>> {
    components
        .iter()
        .map(|c| c.iter().map(|&i| key(&eqs[i])).collect())
        .collect()
}

#[test]
fn the_stream_is_the_solution() {
    let mut games: Vec<NormalFormGame> = (0..12).map(|s| random_game(s, 5, 6, 9)).collect();
    // Degenerate ones ({0, 1} payoffs) have components of several extreme equilibria.
    games.extend((0..12).map(|s| random_game(100 + s, 5, 5, 1)));
    games.push(nfg::load(&gambit_dir().join("winkels.nfg")).unwrap());
    let mut joined = 0;
    for g in &games {
        let opts = SolveOptions::all();
        let full = equilibrium::solve(g, &opts).unwrap();
        let (seen, summary) = stream_all(g, &opts);
        assert_eq!(summary.method, Method::Enum);
        assert!(summary.complete);
        assert_eq!(summary.count, seen.len());
        let a: BTreeSet<String> = seen.iter().map(key).collect();
        let b: BTreeSet<String> = full.equilibria.iter().map(key).collect();
        assert_eq!(a, b);
        assert_eq!(a.len(), seen.len(), "an equilibrium streamed twice");
        assert!(seen.iter().all(|e| e.max_regret == Rational::from_integer(0.into())));
        assert_eq!(
            component_sets(&seen, &summary.components),
            component_sets(&full.equilibria, &full.components)
        );
        joined += summary.components.iter().filter(|c| c.len() > 1).count();
    }
    assert!(joined > 0, "no game had a component of several extreme equilibria");
}

#[test]
fn the_callback_stops_the_stream() {
    let g = random_game(3, 7, 7, 1);
    let total = stream_all(&g, &SolveOptions::all()).0.len();
    assert!(total > 3, "{total} equilibria");
    let mut seen = 0;
    let mut emit = |_: &SolvedEquilibrium| {
        seen += 1;
        if seen == 3 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let s =
        equilibrium::solve_streaming(&g, &SolveOptions::all(), &mut emit, &powerseek::progress::NoProgress).unwrap();
    assert_eq!((s.count, s.complete), (3, false));
    assert!(s.components.is_empty());
}

/// Asks to stop once the first equilibrium has been passed on.
struct StopAfterFirst<'a>(&'a AtomicBool);

impl Progress for StopAfterFirst<'_> {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

#[test]
fn cancelling_stops_the_stream_after_what_it_passed_on() {
    let g = random_game(11, 12, 12, 9);
    let flag = AtomicBool::new(false);
    let mut seen = 0;
    let mut emit = |_: &SolvedEquilibrium| {
        seen += 1;
        flag.store(true, Ordering::Relaxed);
        ControlFlow::Continue(())
    };
    let total_before = {
        let r = equilibrium::solve_streaming(&g, &SolveOptions::all(), &mut emit, &StopAfterFirst(&flag));
        assert!(matches!(r, Err(Error::Cancelled)), "{r:?}");
        seen
    };
    assert!(total_before >= 1);
    let total = stream_all(&g, &SolveOptions::all()).0.len();
    assert!(
        total_before < total,
        "{total_before} of {total}: the search did not stop"
    );
}

#[test]
fn other_methods_stream_their_list() {
    let g = nfg::load(&gambit_dir().join("2x2x2.nfg")).unwrap();
    let opts = SolveOptions {
        method: Some(Method::Pure),
        ..Default::default()
    };
    let full = equilibrium::solve(&g, &opts).unwrap();
    let (seen, summary) = stream_all(&g, &opts);
    assert_eq!(seen, full.equilibria);
    assert_eq!(summary.method, Method::Pure);
    assert!(summary.components.is_empty() && summary.complete);
}

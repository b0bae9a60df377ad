//! All extreme equilibria of bimatrix games by reverse search
//! (`game::equilibrium::reverse`): time and peak memory.
//!
//! * `cargo bench -p powerseek --bench reverse_search` — seeded random games
//!   (integer payoffs in [−10, 10]) of a few sizes: seconds per game,
//!   equilibria, and this process' peak resident memory so far.
//! * `… --bench reverse_search -- [--print] [--outer row|column] FILE…` — each
//!   game in lrsnash's input format ("m n", player 1's matrix, player 2's);
//!   with `--print` every equilibrium as a line `x1,x2,…|y1,y2,…`, then a JSON
//!   summary line per game (wall and CPU seconds, count, search statistics,
//!   peak RSS).
//!   `bench/compare_lrsnash.py compare` runs it one game per process.

use std::ops::ControlFlow;
use std::time::Instant;

use powerseek::game::equilibrium::reverse::{self, Options, Outer};
use powerseek::game::{format_rational, parse_rational, NormalFormGame, Rational};
use rand::{RngExt, SeedableRng};

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// CPU time of this (single-threaded) process so far, in seconds, from the
/// scheduler's nanosecond count (finer than getrusage's ticks); `None` off Linux.
fn cpu_seconds() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

fn parse_lrs_game(text: &str) -> NormalFormGame {
    let nums: Vec<&str> = text.split_whitespace().collect();
    let (m, n): (usize, usize) = (nums[0].parse().unwrap(), nums[1].parse().unwrap());
    let vals: Vec<Rational> = nums[2..].iter().map(|s| parse_rational(s).unwrap()).collect();
    assert_eq!(vals.len(), 2 * m * n, "expected two {m}x{n} matrices");
    let mat =
        |off: usize| -> Vec<Vec<Rational>> { (0..m).map(|i| vals[off + i * n..off + (i + 1) * n].to_vec()).collect() };
    NormalFormGame::bimatrix(&mat(0), &mat(m * n)).unwrap()
}

fn random_game(size: usize, seed: u64) -> NormalFormGame {
    let mut rng = rand_pcg::Pcg64::seed_from_u64(seed);
    let mut draw = || {
        (0..size)
            .map(|_| {
                (0..size)
                    .map(|_| Rational::from_integer(rng.random_range(-10i64..=10).into()))
                    .collect()
            })
            .collect::<Vec<Vec<Rational>>>()
    };
    let (a, b) = (draw(), draw());
    NormalFormGame::bimatrix(&a, &b).unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| a != "--bench").collect();
    let print = args.iter().any(|a| a == "--print");
    let mut opts = Options::default();
    let mut files = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--print" => {}
            "--outer" => {
                opts.outer = match it.next().map(String::as_str) {
                    Some("row") => Outer::Row,
                    Some("column") => Outer::Column,
                    other => panic!("--outer row|column, not {other:?}"),
                }
            }
            f => files.push(f.to_string()),
        }
    }
    if files.is_empty() {
        println!("all extreme equilibria of random bimatrix games by reverse search, payoffs in [-10, 10], 1 thread");
        for (size, games) in [(8usize, 20u64), (12, 5), (14, 2)] {
            let set: Vec<NormalFormGame> = (0..games).map(|s| random_game(size, 1000 * size as u64 + s)).collect();
            let start = Instant::now();
            let mut total = 0u64;
            for g in &set {
                total += reverse::enumerate(g, &opts, |_| ControlFlow::Continue(()), &powerseek::NoProgress)
                    .unwrap()
                    .equilibria;
            }
            let secs = start.elapsed().as_secs_f64() / games as f64;
            println!(
                "  {size:>2}x{size:<2}: {secs:.4} s per game ({games} games), {total} equilibria in all, peak RSS {:.1} MB",
                peak_rss_mb()
            );
        }
        return;
    }
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap_or_else(|e| panic!("{f}: {e}"));
        let g = parse_lrs_game(&text);
        let start = Instant::now();
        let cpu_start = cpu_seconds();
        let stats = reverse::enumerate(
            &g,
            &opts,
            |e| {
                if print {
                    let s: Vec<String> = e
                        .strategies
                        .iter()
                        .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
                        .collect();
                    println!("{}", s.join("|"));
                }
                ControlFlow::Continue(())
            },
            &powerseek::NoProgress,
        )
        .unwrap();
        let secs = start.elapsed().as_secs_f64();
        let cpu = cpu_seconds().zip(cpu_start).map(|(b, a)| b - a);
        println!(
            "{}",
            serde_json::json!({
                "file": f,
                "seconds": secs,
                "cpu_seconds": cpu,
                "equilibria": stats.equilibria,
                "outer_player": stats.outer_player,
                "outer_vertices": stats.outer_vertices,
                "outer_bases": stats.outer_bases,
                "faces_searched": stats.faces_searched,
                "inner_bases": stats.inner_bases,
                "pivots": stats.pivots,
                "bigint": stats.bigint,
                "peak_rss_mb": peak_rss_mb(),
            })
        );
    }
}

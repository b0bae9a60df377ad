//! All extreme equilibria of seeded random bimatrix games (integer payoffs in
//! [−10, 10]): games per second by vertex enumeration. Run with
//! `cargo bench -p powerseek --bench equilibria [-- --games N --out DIR]`.
//! With `--out DIR` it also writes each game (`.nfg` and lrsnash input) and
//! the equilibria found (`.json`), for `bench/compare_equilibria.py` to check
//! other solvers against.

use std::time::Instant;

use powerseek::game::equilibrium::bimatrix;
use powerseek::game::{format_rational, nfg, NormalFormGame, Rational};
use rand::{RngExt, SeedableRng};

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
    let mut g = NormalFormGame::bimatrix(&a, &b).unwrap();
    g.title = format!("random {size}x{size}, seed {seed}");
    g
}

fn lrs_input(g: &NormalFormGame) -> String {
    let (m, n) = (g.n_actions(0), g.n_actions(1));
    let mut s = format!("{m} {n}\n\n");
    for player in 0..2 {
        for row in g.matrix(player) {
            s.push_str(&row.iter().map(format_rational).collect::<Vec<_>>().join(" "));
            s.push('\n');
        }
        s.push('\n');
    }
    s
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let games: usize = value("--games").and_then(|v| v.parse().ok()).unwrap_or(20);
    let out = value("--out");
    println!("all extreme equilibria of random bimatrix games, payoffs in [-10, 10], {games} games per size, 1 thread");
    for size in [4usize, 8, 12] {
        let set: Vec<NormalFormGame> = (0..games as u64)
            .map(|s| random_game(size, 1000 * size as u64 + s))
            .collect();
        let start = Instant::now();
        let results: Vec<_> = set.iter().map(|g| bimatrix::enumerate_extreme(g).unwrap()).collect();
        let secs = start.elapsed().as_secs_f64();
        let total: usize = results.iter().map(|r| r.equilibria.len()).sum();
        println!(
            "  {size:>2}x{size:<2}: {:>9.1} games/s ({:.4} s per game), {total} equilibria in all",
            games as f64 / secs,
            secs / games as f64
        );
        if let Some(dir) = &out {
            std::fs::create_dir_all(dir).unwrap();
            for (k, (g, r)) in set.iter().zip(&results).enumerate() {
                let stem = format!("{dir}/g{size}_{k:03}");
                std::fs::write(format!("{stem}.nfg"), nfg::write(g)).unwrap();
                std::fs::write(format!("{stem}.lrs"), lrs_input(g)).unwrap();
                let eqs: Vec<Vec<Vec<String>>> = r
                    .equilibria
                    .iter()
                    .map(|e| {
                        e.strategies
                            .iter()
                            .map(|s| s.iter().map(format_rational).collect())
                            .collect()
                    })
                    .collect();
                std::fs::write(
                    format!("{stem}.json"),
                    serde_json::to_string(
                        &serde_json::json!({"seconds_total": secs / games as f64, "equilibria": eqs}),
                    )
                    .unwrap(),
                )
                .unwrap();
            }
        }
    }
}

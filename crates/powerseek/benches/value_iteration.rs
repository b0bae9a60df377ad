//! Throughput of the POWER engine. Run with
//! `cargo bench -p powerseek --bench value_iteration` (add `-- quick` for a
//! shorter run). Prints state-action-sample updates per second for:
//!
//! 1. the value-iteration kernel on a batch that fits in cache (100×100 grid, 8 samples);
//! 2. whole POWER estimates on the 100×100 grid, γ = 0.9 and 0.99, K = 10 000;
//! 3. the kernel on a batch that does not fit in cache, against the machine's
//!    measured memory bandwidth.

use std::hint::black_box;
use std::time::Instant;

use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::solve::{Horizon, Method, Solver, SolverOptions};
use powerseek::mdp::{gridworld, Mdp};
use powerseek::progress::NoProgress;
use rayon::prelude::*;

fn rewards(n: usize, batch: usize, seed: u64) -> Vec<f64> {
    let mut r = vec![0.0; n * batch];
    RewardDistribution::uniform().fill(seed, 0, batch, false, &mut r);
    r
}

/// Kernel throughput: each of `threads` workers solves batches of 8 samples
/// (fresh rewards each time) for at least `seconds`; counts the updates the
/// solver reports (it may converge exactly before running out of sweeps).
fn kernel(mdp: &Mdp, gamma: f64, seconds: f64, threads: usize) -> (f64, f64) {
    let opts = SolverOptions {
        tolerance: 1e-12,
        ..Default::default()
    };
    let solver = Solver::new(mdp, Horizon::Discounted(gamma), opts).unwrap();
    let n = mdp.n_states();
    let start = Instant::now();
    // Sum of per-worker rates, each over solver time only (drawing rewards is not the kernel).
    let rate: f64 = (0..threads)
        .into_par_iter()
        .map(|t| {
            let mut v = vec![0.0; n * 8];
            let (mut updates, mut solving, mut round) = (0u64, 0.0, 0);
            while start.elapsed().as_secs_f64() < seconds {
                let r = rewards(n, 8, (t * 1_000_000 + round) as u64);
                let began = Instant::now();
                updates += black_box(solver.solve(&r, 8, &mut v)).unwrap().updates;
                solving += began.elapsed().as_secs_f64();
                round += 1;
            }
            updates as f64 / solving
        })
        .sum();
    (rate, start.elapsed().as_secs_f64())
}

/// Read bandwidth of this machine in bytes/s (sum over a large array, all cores).
fn memory_bandwidth() -> f64 {
    let len = 1 << 27; // 1 GiB of f64
    let data: Vec<f64> = (0..len).map(|i| i as f64).collect();
    let mut best = 0.0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let s: f64 = data.par_chunks(1 << 16).map(|c| c.iter().sum::<f64>()).sum();
        black_box(s);
        best = best.max((len * 8) as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "quick");
    // Sections to run: any of `kernel`, `estimates`, `memory` (default: all).
    let wanted = |name: &str| {
        args.iter().any(|a| a == name)
            || !args
                .iter()
                .any(|a| ["kernel", "estimates", "memory"].contains(&a.as_str()))
    };
    let threads = rayon::current_num_threads();
    println!(
        "powerseek benchmark: {threads} threads{}",
        if quick { " (quick)" } else { "" }
    );

    let grid = gridworld::open_grid(100, 100).unwrap();
    if wanted("kernel") {
        println!("\n1. kernel, batch in cache: open 100x100 grid ({} states, {} state-actions), 8 samples per batch (1.3 MB)", grid.n_states(), grid.n_state_actions());
        for t in [1, threads] {
            let (rate, secs) = kernel(&grid, 0.99, if quick { 0.5 } else { 3.0 }, t);
            println!("   {t} thread(s): {rate:.3e} updates/s ({secs:.2} s)");
        }
    }

    if wanted("estimates") {
        println!("\n2. POWER estimates on 100x100 grids, K samples, tolerance 1e-6, whole estimate (drawing, solving, statistics):");
        let maze =
            powerseek::mdp::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/maze100.grid").as_ref()).unwrap();
        let k = if quick { 1_000 } else { 10_000 };
        for (name, mdp) in [("open 100x100", &grid), ("maze100", &maze)] {
            for gamma in [0.9, 0.99] {
                for method in [Method::ValueIteration, Method::PolicyIteration] {
                    let opts = PowerOptions {
                        horizon: Horizon::Discounted(gamma),
                        solver: SolverOptions {
                            method,
                            ..Default::default()
                        },
                        samples: SampleSize::Count(k),
                        ..Default::default()
                    };
                    let r = estimate_power(mdp, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
                    let label = if method == Method::ValueIteration { "vi" } else { "pi" };
                    println!(
                    "   {name:<13} γ={gamma:<5} {label}: {:>7.2} s wall, {} sweeps/steps, {:.3e} updates, {:.3e} updates/s, max SE {:.5}",
                    r.seconds,
                    r.iterations,
                    r.updates as f64,
                    r.updates as f64 / r.seconds,
                    r.max_standard_error()
                );
                }
            }
        }
    }

    if !wanted("memory") {
        return;
    }
    let side = if quick { 1000 } else { 2000 };
    let big = gridworld::open_grid(side, side).unwrap();
    let bytes_per_sweep =
        big.n_states() as f64 * (64.0 * 3.0) + big.n_state_actions() as f64 * 4.0 + big.n_states() as f64 * 8.0;
    println!(
        "\n3. kernel, batch not in cache: open {side}x{side} grid, 8 samples per batch ({:.0} MB of values and rewards per batch)",
        big.n_states() as f64 * 128.0 / 1e6
    );
    let (rate, secs) = kernel(&big, 0.99, if quick { 1.0 } else { 5.0 }, threads);
    let sweeps_per_sec = rate / (big.n_state_actions() as f64 * 8.0);
    let traffic = sweeps_per_sec * bytes_per_sweep;
    let bandwidth = memory_bandwidth();
    println!("   {threads} thread(s): {rate:.3e} updates/s ({secs:.2} s)");
    println!(
        "   memory traffic ≈ {:.2} GB/s (values read+written, rewards read, transitions read) vs measured read bandwidth {:.2} GB/s: {:.0}%",
        traffic / 1e9,
        bandwidth / 1e9,
        100.0 * traffic / bandwidth
    );
}

//! Every SIMD path this machine has (AVX-512 and AVX2 on x86-64, NEON on
//! aarch64) computes the portable path's bits, sweep counts included, in
//! `f64` and in `f32`: on random MDPs, and on signed zeros, where a hardware
//! maximum and the kernels' `if x > best { x } else { best }` part ways.
//!
//! This test runs without the test harness and without threads (a plain
//! `main`, `harness = false`), because it is also what
//! `scripts/test-aarch64.sh` cross-compiles and runs under user-mode
//! emulation, where starting a thread hangs. It fails by panicking, which
//! gives a non-zero exit.

mod common;
use common::{arb_mdp, bits, rewards, solve_block};

use powerseek::mdp::gridworld;
use powerseek::mdp::kernel::{Block, Kernel, LANES};
use powerseek::mdp::solve::{Precision, SolverOptions};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// Random MDPs, discounts, reward seeds and block widths.
fn random_mdps() -> usize {
    let cases = 48;
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = (
        prop_oneof![arb_mdp(true), arb_mdp(false)],
        0.1f64..0.995,
        0u64..1000,
        1usize..=LANES,
    );
    let outcome = runner.run(&strategy, |(m, g, seed, width)| {
        let r = rewards(&m, seed, width);
        for precision in [Precision::F64, Precision::F32] {
            let opts = |kernel| SolverOptions {
                kernel,
                precision,
                tolerance: 1e-5,
                ..Default::default()
            };
            let (reference, sweeps) = solve_block(&m, g, opts(Kernel::Portable), &r, width);
            for k in Kernel::available() {
                let (v, n) = solve_block(&m, g, opts(k), &r, width);
                prop_assert_eq!(bits(&v), bits(&reference), "{} {}", k, precision);
                prop_assert_eq!(n, sweeps);
            }
        }
        Ok(())
    });
    if let Err(e) = outcome {
        panic!("a kernel path differs from the portable path: {e}");
    }
    cases as usize
}

/// Rewards of ±0 keep every value at ±0, so the sign of each result shows
/// which operand each maximum kept. (Deterministic MDPs only: a stochastic
/// row's sum starts from +0 and so is never −0.)
fn signed_zeros() -> usize {
    let grid = gridworld::parse("stay = true\n....\n.#..\n....\n", "g").unwrap();
    let corridor = gridworld::parse("stay = false\n.......\n", "c").unwrap();
    let mut checked = 0;
    for m in [&grid, &corridor] {
        let r: Vec<Block> = (0..m.n_states())
            .map(|s| {
                Block(std::array::from_fn(
                    |l| if (s * 7 + l * 3) % 5 < 4 { -0.0 } else { 0.0 },
                ))
            })
            .collect();
        for precision in [Precision::F64, Precision::F32] {
            let opts = |kernel| SolverOptions {
                kernel,
                precision,
                ..Default::default()
            };
            let (reference, _) = solve_block(m, 0.9, opts(Kernel::Portable), &r, LANES);
            let negative = reference
                .iter()
                .flat_map(|b| b.0)
                .filter(|x| x.is_sign_negative())
                .count();
            assert!(
                negative > 0 && negative < reference.len() * LANES,
                "{precision}: {negative} negative zeros"
            );
            for k in Kernel::available() {
                let (v, _) = solve_block(m, 0.9, opts(k), &r, LANES);
                assert_eq!(bits(&v), bits(&reference), "signed zeros: {k} {precision}");
            }
            checked += 1;
        }
    }
    checked
}

fn main() {
    // Test runners that list a binary's tests first get its one test.
    if std::env::args().any(|a| a == "--list") {
        println!("kernel_paths: test");
        return;
    }
    let paths = Kernel::available();
    // NEON is baseline on aarch64: the path must be there, or this test
    // would compare the portable path with itself.
    assert_eq!(Kernel::Neon.is_supported(), cfg!(target_arch = "aarch64"));
    if cfg!(target_arch = "aarch64") {
        assert_eq!(Kernel::Auto.resolve().unwrap(), Kernel::Neon);
    }
    let names: Vec<String> = paths.iter().map(|k| k.to_string()).collect();
    let (random, zeros) = (random_mdps(), signed_zeros());
    println!(
        "kernel paths [{}] ({}): the portable bits on {random} random MDPs and {zeros} signed-zero cases",
        names.join(", "),
        std::env::consts::ARCH
    );
    println!("test result: ok. kernel_paths passed on {}", std::env::consts::ARCH);
}

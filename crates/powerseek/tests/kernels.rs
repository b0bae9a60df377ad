//! The value-iteration kernels and the block pipeline of POWER: POWER
//! estimates do not depend on the thread count, the batch size or the SIMD
//! path; the `f32` mode meets its tolerance (certified, or finished in `f64`)
//! and refuses tolerances it cannot certify. (That every path computes the
//! portable path's bits is `kernel_paths.rs`.)

mod common;
use common::{arb_mdp, rewards, solve_block};

use powerseek::mdp::kernel::{Block, Kernel, LANES};
use powerseek::mdp::power::{estimate_power, PowerOptions, PowerReport, SampleSize};
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::solve::{BlockScratch, Horizon, Method, Precision, Solver, SolverOptions};
use powerseek::mdp::{gridworld, Mdp};
use powerseek::progress::NoProgress;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// f32 sweeps meet the tolerance on every sample, certified or finished
    /// in f64: compared with an f64 solve to 1e-12.
    #[test]
    fn f32_results_are_within_the_tolerance(
        m in prop_oneof![arb_mdp(true), arb_mdp(false)],
        g in 0.1f64..0.95,
        seed in 0u64..1000,
        tol_exp in 2.0f64..6.0,
    ) {
        let tolerance = 10f64.powf(-tol_exp);
        let r = rewards(&m, seed, LANES);
        let exact = solve_block(&m, g, SolverOptions { tolerance: 1e-12, ..Default::default() }, &r, LANES).0;
        let opts = SolverOptions { precision: Precision::F32, tolerance, ..Default::default() };
        let (v, _) = solve_block(&m, g, opts, &r, LANES);
        for (a, b) in v.iter().zip(&exact) {
            for l in 0..LANES {
                let err = (1.0 - g) * (a.0[l] - b.0[l]).abs();
                prop_assert!(err <= tolerance * (1.0 + 1e-9) + 1e-13, "POWER error {err} > {tolerance}");
            }
        }
    }
}

#[test]
fn a_failed_f32_certificate_finishes_in_f64() {
    // Below f32's rounding floor no f32 solution can be certified: the block
    // must fall back to f64 and still meet the tolerance.
    let m = gridworld::parse("stay = false\n.....\n.#.#.\n.....\n", "g").unwrap();
    let (g, tolerance) = (0.99, 1e-9);
    let r = rewards(&m, 3, LANES);
    let solver = Solver::new(
        &m,
        Horizon::Discounted(g),
        SolverOptions {
            precision: Precision::F32,
            tolerance,
            ..Default::default()
        },
    )
    .unwrap();
    let mut v = vec![Block::ZERO; m.n_states()];
    let stats = solver
        .solve_block(&r, LANES, &mut v, &mut BlockScratch::default())
        .unwrap();
    assert_eq!((stats.f32_certified, stats.f64_fallbacks), (0, 1));
    let exact = solve_block(
        &m,
        g,
        SolverOptions {
            tolerance: 1e-13,
            ..Default::default()
        },
        &r,
        LANES,
    )
    .0;
    for (a, b) in v.iter().zip(&exact) {
        for l in 0..LANES {
            assert!((1.0 - g) * (a.0[l] - b.0[l]).abs() <= tolerance * 1.000001);
        }
    }
    // And an estimate that asks for it is refused up front, with the floor.
    let opts = PowerOptions {
        horizon: Horizon::Discounted(g),
        solver: SolverOptions {
            precision: Precision::F32,
            ..Default::default()
        },
        samples: SampleSize::Count(32),
        ..Default::default()
    };
    let e = estimate_power(&m, &RewardDistribution::uniform(), &opts, &NoProgress)
        .unwrap_err()
        .to_string();
    assert!(e.contains("precision f32 cannot guarantee tolerance 0.000001"), "{e}");
}

fn estimate(mdp: &Mdp, opts: &PowerOptions, threads: usize) -> PowerReport {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| estimate_power(mdp, &RewardDistribution::uniform(), opts, &NoProgress).unwrap())
}

/// Everything an estimate reports, as bits, apart from timing and the
/// batch size it was asked to use.
fn fingerprint(r: &PowerReport) -> Vec<u64> {
    let mut out: Vec<u64> = Vec::new();
    for e in &r.power {
        out.extend([
            e.mean.to_bits(),
            e.se.to_bits(),
            e.ci95[0].to_bits(),
            e.ci95[1].to_bits(),
        ]);
    }
    out.extend(r.tie_probability.iter().map(|x| x.to_bits()));
    for a in &r.actions {
        out.extend([
            a.optimal.to_bits(),
            a.optimal_share.to_bits(),
            a.successor_power.mean.to_bits(),
            a.successor_power.se.to_bits(),
        ]);
    }
    out.extend([r.iterations, r.updates, r.samples as u64]);
    out
}

#[test]
fn estimates_do_not_depend_on_threads_batch_size_or_kernel() {
    let stochastic =
        powerseek::mdp::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/slippery.mdp").as_ref()).unwrap();
    let grid = gridworld::parse("S...\n.#..\n...T\n", "g").unwrap();
    for (mdp, antithetic) in [(&grid, false), (&grid, true), (&stochastic, false)] {
        let opts = |batch, kernel| PowerOptions {
            samples: SampleSize::Count(1_000),
            seed: 11,
            antithetic,
            batch,
            solver: SolverOptions {
                kernel,
                ..Default::default()
            },
            ..Default::default()
        };
        let reference = fingerprint(&estimate(mdp, &opts(None, Kernel::Portable), 1));
        for threads in [1, 2, 3] {
            for batch in [None, Some(1), Some(16), Some(40), Some(256), Some(5000)] {
                for k in Kernel::available() {
                    let r = estimate(mdp, &opts(batch, k), threads);
                    assert_eq!(
                        fingerprint(&r),
                        reference,
                        "threads {threads}, batch {batch:?}, kernel {k}, antithetic {antithetic}"
                    );
                }
            }
        }
    }
}

#[test]
fn target_standard_error_runs_are_reproducible_across_threads() {
    let m = gridworld::parse("S..\n.#.\n..T\n", "g").unwrap();
    let opts = PowerOptions {
        samples: SampleSize::StandardError {
            target: 0.004,
            min: 100,
            max: 100_000,
        },
        seed: 2,
        ..Default::default()
    };
    let (one, two) = (estimate(&m, &opts, 1), estimate(&m, &opts, 2));
    assert_eq!(fingerprint(&one), fingerprint(&two));
    assert_eq!(one.target_reached, Some(true));
    assert!(one.max_standard_error() <= 0.004);
}

#[test]
fn naming_a_missing_kernel_is_an_error_not_a_crash() {
    let m = gridworld::parse("..\n", "g").unwrap();
    // Every intrinsics path is available exactly on its own architecture
    // (NEON is baseline on aarch64), so the bit-equality tests above compare
    // it whenever the tests run there.
    assert_eq!(Kernel::Neon.is_supported(), cfg!(target_arch = "aarch64"));
    if cfg!(target_arch = "aarch64") {
        assert_eq!(Kernel::Auto.resolve().unwrap(), Kernel::Neon);
    }
    for k in [Kernel::Avx2, Kernel::Avx512, Kernel::Neon] {
        let made = Solver::new(
            &m,
            Horizon::Discounted(0.9),
            SolverOptions {
                kernel: k,
                ..Default::default()
            },
        );
        match made {
            Ok(s) => assert_eq!(s.kernel(), k, "{k} is supported here"),
            Err(e) => assert!(e.to_string().contains("cannot run the"), "{e}"),
        }
    }
    assert!("avx9".parse::<Kernel>().is_err());
    assert_eq!("neon".parse::<Kernel>().unwrap(), Kernel::Neon);
    // Policy iteration and the limits refuse f32 rather than ignore it.
    let f32 = SolverOptions {
        precision: Precision::F32,
        method: Method::PolicyIteration,
        ..Default::default()
    };
    assert!(Solver::new(&m, Horizon::Discounted(0.9), f32).is_err());
    let f32 = SolverOptions {
        precision: Precision::F32,
        ..Default::default()
    };
    assert!(Solver::new(&m, Horizon::ZeroLimit, f32).is_err());
}

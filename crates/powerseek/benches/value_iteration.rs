//! Throughput of the POWER engine against its anchors, in one process on
//! the same inputs. Run with `cargo bench -p powerseek --bench value_iteration`
//! (add `-- quick` for a shorter run, or name sections: `kernel`,
//! `estimates`, `memory`, `precision`; they run in the order 1, 2, 4, 3). Prints state-action-sample updates per second for:
//!
//! 1. in cache (maze100, one block of 16 samples per thread): the production
//!    solver (`Solver::solve_block`, every kernel path this CPU has, f64 and
//!    f32) against a minimal reference loop of the same layout written as
//!    tightly as we could (AVX-512 Gauss–Seidel sweeps over `u32` offsets,
//!    two chains, no bookkeeping but the largest change), and their ratio;
//! 2. whole POWER estimates (drawing, solving, statistics) on maze100 and an
//!    open 100×100 grid, value and policy iteration;
//! 3. out of cache (open 2000×2000 grid): the production solver against the
//!    memory-bound rate, i.e. the machine's read bandwidth (a sum over 1 GiB
//!    with 8 accumulators per thread) divided by the bytes a sweep must move
//!    per update (values read and written back, rewards read, successor
//!    indices and offsets read);
//! 4. `precision`: seconds to solve one block to the same tolerance in `f64`
//!    and in `f32` (sweeps, certificate and any `f64` finish included), on
//!    the same blocks in turn, one thread, in cache (maze100) and out of it
//!    (open 1000×1000 and 2000×2000 grids), and the ratio: what the `f32`
//!    mode buys a user, whatever the sweep counts.

use std::hint::black_box;
use std::time::Instant;

use powerseek::mdp::kernel::{Block, Kernel, LANES};
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::{Draws, RewardDistribution};
use powerseek::mdp::solve::{BlockScratch, Horizon, Method, Precision, Solver, SolverOptions};
use powerseek::mdp::{gridworld, Mdp};
use powerseek::progress::NoProgress;
use rayon::prelude::*;

/// Rewards of one block of 16 samples.
fn block(mdp: &Mdp, seed: u64) -> Vec<Block> {
    let mut r = vec![Block::ZERO; mdp.n_states()];
    RewardDistribution::uniform().fill_block(seed, 0, LANES, false, &mut Draws::default(), &mut r);
    r
}

/// Production solver throughput: `threads` workers each solve fresh blocks
/// for at least `seconds`; the rate sums each worker's updates per second of
/// solving (drawing rewards is not the kernel). Each worker first solves one
/// untimed block, so its buffers are allocated and touched (on a 2000×2000
/// grid the first touch of the f32 buffers costs more than a whole solve).
fn production(mdp: &Mdp, gamma: f64, opts: SolverOptions, (seconds, threads): (f64, usize)) -> f64 {
    let solver = Solver::new(mdp, Horizon::Discounted(gamma), opts).unwrap();
    let warm = |t: usize| {
        let mut v = vec![Block::ZERO; mdp.n_states()];
        let mut scratch = BlockScratch::default();
        solver
            .solve_block(&block(mdp, t as u64 * 1_000_000 + 999_999), LANES, &mut v, &mut scratch)
            .unwrap();
        (v, scratch)
    };
    let warmed: Vec<_> = (0..threads).into_par_iter().map(warm).collect();
    let start = Instant::now();
    warmed
        .into_par_iter()
        .enumerate()
        .map(|(t, (mut v, mut scratch))| {
            let (mut updates, mut solving, mut round) = (0u64, 0.0, 0u64);
            while start.elapsed().as_secs_f64() < seconds || round == 0 {
                let r = block(mdp, t as u64 * 1_000_000 + round);
                let began = Instant::now();
                updates += black_box(solver.solve_block(&r, LANES, &mut v, &mut scratch))
                    .unwrap()
                    .updates;
                solving += began.elapsed().as_secs_f64();
                round += 1;
            }
            updates as f64 / solving
        })
        .sum()
}

/// The reference loop's view of a deterministic MDP: `u32` action offsets
/// and successors.
struct Tight {
    start: Vec<u32>,
    next: Vec<u32>,
}

impl Tight {
    fn new(mdp: &Mdp) -> Self {
        let mut start = vec![0u32];
        let mut next = Vec::new();
        for s in 0..mdp.n_states() {
            next.extend(mdp.actions(s).map(|a| mdp.successor(a) as u32));
            start.push(next.len() as u32);
        }
        Tight { start, next }
    }
}

/// `sweeps` alternating Gauss–Seidel sweeps, AVX-512, two chains per state.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn tight_avx512(g: &Tight, gamma: f64, r: &[Block], v: &mut [Block], sweeps: usize) -> f64 {
    use std::arch::x86_64::*;
    let n = r.len();
    let (vp, rp) = (v.as_mut_ptr() as *mut f64, r.as_ptr() as *const f64);
    let (sp, np) = (g.start.as_ptr(), g.next.as_ptr());
    let gm = _mm512_set1_pd(gamma);
    let mut worst = 0.0;
    for k in 0..sweeps {
        let (mut d0, mut d1) = (_mm512_setzero_pd(), _mm512_setzero_pd());
        let mut state = |s: usize| {
            let (a0, a1) = (*sp.add(s) as usize, *sp.add(s + 1) as usize);
            let mut b0 = _mm512_set1_pd(f64::NEG_INFINITY);
            let mut b1 = b0;
            for a in a0..a1 {
                let x = vp.add(*np.add(a) as usize * 16);
                b0 = _mm512_max_pd(_mm512_load_pd(x), b0);
                b1 = _mm512_max_pd(_mm512_load_pd(x.add(8)), b1);
            }
            let (rs, vs) = (rp.add(s * 16), vp.add(s * 16));
            let n0 = _mm512_add_pd(_mm512_load_pd(rs), _mm512_mul_pd(gm, b0));
            let n1 = _mm512_add_pd(_mm512_load_pd(rs.add(8)), _mm512_mul_pd(gm, b1));
            d0 = _mm512_max_pd(_mm512_abs_pd(_mm512_sub_pd(n0, _mm512_load_pd(vs))), d0);
            d1 = _mm512_max_pd(_mm512_abs_pd(_mm512_sub_pd(n1, _mm512_load_pd(vs.add(8)))), d1);
            _mm512_store_pd(vs, n0);
            _mm512_store_pd(vs.add(8), n1);
        };
        if k % 2 == 0 {
            (0..n).for_each(&mut state);
        } else {
            (0..n).rev().for_each(&mut state);
        }
        worst = _mm512_reduce_max_pd(_mm512_max_pd(d0, d1));
    }
    worst
}

/// The reference loop and production variants measured in turn on the same
/// blocks (round by round, so machine noise hits all alike): each worker
/// draws a block, runs the reference loop on it, then every variant; rates
/// are summed over workers, each over its own solving time.
#[cfg(target_arch = "x86_64")]
fn interleaved(
    mdp: &Mdp,
    gamma: f64,
    variants: &[SolverOptions],
    (seconds, threads): (f64, usize),
) -> (Option<f64>, Vec<f64>) {
    let has_avx512 = std::arch::is_x86_feature_detected!("avx512f");
    let sweeps = sweeps_per_block(mdp, gamma);
    let g = Tight::new(mdp);
    let solvers: Vec<Solver> = variants
        .iter()
        .map(|o| Solver::new(mdp, Horizon::Discounted(gamma), *o).unwrap())
        .collect();
    let start = Instant::now();
    let per_worker: Vec<(f64, Vec<f64>)> = (0..threads)
        .into_par_iter()
        .map(|t| {
            let mut v = vec![Block::ZERO; mdp.n_states()];
            let mut scratch = BlockScratch::default();
            let mut reference = (0u64, 0.0);
            let mut prod = vec![(0u64, 0.0); solvers.len()];
            let mut round = 0u64;
            while start.elapsed().as_secs_f64() < seconds || round == 0 {
                let r = block(mdp, t as u64 * 1_000_000 + round);
                if has_avx512 {
                    let began = Instant::now();
                    let forever = 1.0 / (1.0 - gamma);
                    for (vs, rs) in v.iter_mut().zip(&r) {
                        vs.0 = rs.0.map(|x| x * forever);
                    }
                    // SAFETY: AVX-512F checked above; offsets and successors come from a valid MDP.
                    black_box(unsafe { tight_avx512(&g, gamma, &r, &mut v, sweeps) });
                    reference.1 += began.elapsed().as_secs_f64();
                    reference.0 += (sweeps * g.next.len() * LANES) as u64;
                }
                for (solver, p) in solvers.iter().zip(prod.iter_mut()) {
                    let began = Instant::now();
                    p.0 += black_box(solver.solve_block(&r, LANES, &mut v, &mut scratch))
                        .unwrap()
                        .updates;
                    p.1 += began.elapsed().as_secs_f64();
                }
                round += 1;
            }
            (
                reference.0 as f64 / reference.1,
                prod.iter().map(|p| p.0 as f64 / p.1).collect(),
            )
        })
        .collect();
    let reference = has_avx512.then(|| per_worker.iter().map(|w| w.0).sum());
    let rates = (0..solvers.len())
        .map(|i| per_worker.iter().map(|w| w.1[i]).sum())
        .collect();
    (reference, rates)
}

#[cfg(not(target_arch = "x86_64"))]
fn interleaved(mdp: &Mdp, gamma: f64, variants: &[SolverOptions], budget: (f64, usize)) -> (Option<f64>, Vec<f64>) {
    (
        None,
        variants.iter().map(|o| production(mdp, gamma, *o, budget)).collect(),
    )
}

/// Sweeps per block the production solver makes at `gamma` (median of a few blocks).
fn sweeps_per_block(mdp: &Mdp, gamma: f64) -> usize {
    let solver = Solver::new(mdp, Horizon::Discounted(gamma), SolverOptions::default()).unwrap();
    let mut v = vec![Block::ZERO; mdp.n_states()];
    let mut counts: Vec<usize> = (0..5)
        .map(|k| {
            let r = block(mdp, 77 + k);
            solver
                .solve_block(&r, LANES, &mut v, &mut BlockScratch::default())
                .unwrap()
                .iterations
        })
        .collect();
    counts.sort();
    counts[2]
}

/// Median seconds to solve one block to the variants' tolerance, one thread,
/// the variants run in turn on the same blocks (`rounds` blocks), and the
/// median sweeps each made.
fn seconds_per_block(mdp: &Mdp, gamma: f64, variants: &[SolverOptions], rounds: u64) -> Vec<(f64, usize)> {
    let solvers: Vec<Solver> = variants
        .iter()
        .map(|o| Solver::new(mdp, Horizon::Discounted(gamma), *o).unwrap())
        .collect();
    let mut v = vec![Block::ZERO; mdp.n_states()];
    let mut scratch = BlockScratch::default();
    let mut times = vec![Vec::new(); solvers.len()];
    let mut sweeps = vec![Vec::new(); solvers.len()];
    for round in 0..rounds + 1 {
        let r = block(mdp, 5_000 + round);
        for (i, solver) in solvers.iter().enumerate() {
            let began = Instant::now();
            let stats = black_box(solver.solve_block(&r, LANES, &mut v, &mut scratch)).unwrap();
            // The first round only warms the buffers.
            if round > 0 {
                times[i].push(began.elapsed().as_secs_f64());
                sweeps[i].push(stats.iterations);
            }
        }
    }
    let median = |x: &mut Vec<f64>| {
        x.sort_by(f64::total_cmp);
        x[x.len() / 2]
    };
    times
        .iter_mut()
        .zip(sweeps.iter_mut())
        .map(|(t, n)| {
            n.sort();
            (median(t), n[n.len() / 2])
        })
        .collect()
}

/// Read bandwidth of this machine in bytes/s (sum over 1 GiB, all threads,
/// 8 accumulators each; best of three).
fn memory_bandwidth() -> f64 {
    let len = 1 << 27;
    let data: Vec<f64> = (0..len).into_par_iter().map(|i| i as f64).collect();
    let mut best = 0.0f64;
    for _ in 0..3 {
        let start = Instant::now();
        let s: f64 = data
            .par_chunks(1 << 16)
            .map(|c| {
                let mut acc = [0.0; 8];
                for x in c.chunks_exact(8) {
                    for i in 0..8 {
                        acc[i] += x[i];
                    }
                }
                acc.iter().sum::<f64>()
            })
            .sum();
        black_box(s);
        best = best.max((len * 8) as f64 / start.elapsed().as_secs_f64());
    }
    best
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "quick");
    let wanted = |name: &str| {
        args.iter().any(|a| a == name)
            || !args
                .iter()
                .any(|a| ["kernel", "estimates", "memory", "precision"].contains(&a.as_str()))
    };
    let threads = rayon::current_num_threads();
    let paths = Kernel::available();
    println!(
        "powerseek benchmark: {threads} threads, kernels {:?}{}",
        paths.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
        if quick { " (quick)" } else { "" }
    );
    let maze =
        powerseek::mdp::load(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/maze100.grid").as_ref()).unwrap();
    let secs = if quick { 0.5 } else { 2.0 };

    if wanted("kernel") {
        println!(
            "\n1. in cache: maze100 ({} states, {} state-actions), one block of {LANES} samples per thread ({:.1} MB of values and rewards)",
            maze.n_states(),
            maze.n_state_actions(),
            maze.n_states() as f64 * 256.0 / 1e6
        );
        for gamma in [0.9, 0.99] {
            let mut variants = Vec::new();
            for &k in &paths {
                for precision in [Precision::F64, Precision::F32] {
                    variants.push(SolverOptions {
                        kernel: k,
                        precision,
                        // f32 needs a tolerance above its rounding floor (2.3e-6 at γ = 0.9, 2.4e-5 at 0.99).
                        tolerance: match precision {
                            Precision::F32 if gamma > 0.95 => 5e-5,
                            Precision::F32 => 1e-5,
                            Precision::F64 => 1e-6,
                        },
                        ..Default::default()
                    });
                }
            }
            for t in [1, threads] {
                let (reference, rates) = interleaved(&maze, gamma, &variants, (secs, t));
                if let Some(r) = reference {
                    println!(
                        "   γ={gamma:<5} {t} thread(s) {:<26} {r:.3e} updates/s  ({} sweeps per block)",
                        "reference loop (avx512)",
                        sweeps_per_block(&maze, gamma)
                    );
                }
                for (o, rate) in variants.iter().zip(rates) {
                    let label = format!("production {} {}", o.kernel, o.precision);
                    match reference {
                        Some(r) => println!(
                            "   γ={gamma:<5} {t} thread(s) {label:<26} {rate:.3e} updates/s  {:.2}× the reference loop",
                            rate / r
                        ),
                        None => println!("   γ={gamma:<5} {t} thread(s) {label:<26} {rate:.3e} updates/s"),
                    }
                }
            }
        }
    }

    if wanted("estimates") {
        println!("\n2. whole POWER estimates, K samples, tolerance 1e-6 (drawing, solving, statistics):");
        let open = gridworld::open_grid(100, 100).unwrap();
        let k = if quick { 1_000 } else { 10_000 };
        for (name, mdp) in [("maze100", &maze), ("open 100x100", &open)] {
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
                        "   {name:<13} γ={gamma:<5} {label}: {:>7.2} s wall, {} sweeps/steps, {:.3e} updates/s, max SE {:.5}",
                        r.seconds,
                        r.iterations,
                        r.updates as f64 / r.seconds,
                        r.max_standard_error()
                    );
                }
            }
        }
    }

    if wanted("precision") {
        println!("\n4. precision: median seconds per block of {LANES} samples to the same tolerance, one thread, f64 and f32 in turn on the same blocks");
        let sides: &[usize] = if quick { &[1000] } else { &[1000, 2000] };
        let grids: Vec<(String, Mdp)> = std::iter::once(("maze100".to_string(), maze.clone()))
            .chain(
                sides
                    .iter()
                    .map(|&n| (format!("open {n}x{n}"), gridworld::open_grid(n, n).unwrap())),
            )
            .collect();
        for (name, mdp) in &grids {
            // Tolerances above f32's floor (2.3e-6 at γ = 0.9, 2.4e-5 at 0.99).
            for (gamma, tolerance) in [(0.9, 1e-5), (0.99, 5e-5)] {
                let variants: Vec<SolverOptions> = [Precision::F64, Precision::F32]
                    .map(|precision| SolverOptions {
                        precision,
                        tolerance,
                        ..Default::default()
                    })
                    .to_vec();
                let rounds = if mdp.n_states() > 100_000 {
                    if quick {
                        3
                    } else {
                        5
                    }
                } else {
                    200
                };
                let t = seconds_per_block(mdp, gamma, &variants, rounds);
                println!(
                    "   {name:<13} γ={gamma:<5} tol {tolerance:.0e}: f64 {:.3e} s ({} sweeps), f32 {:.3e} s ({} sweeps): f32 {:.2}× as fast",
                    t[0].0,
                    t[0].1,
                    t[1].0,
                    t[1].1,
                    t[0].0 / t[1].0
                );
            }
        }
    }

    if !wanted("memory") {
        return;
    }
    let side = if quick { 1000 } else { 2000 };
    let big = gridworld::open_grid(side, side).unwrap();
    let (n, sa) = (big.n_states() as f64, big.n_state_actions() as f64);
    // Per sweep: values read and written back (2 × 128 B per state), rewards
    // read (128 B), one u32 successor per action and one offset per state.
    let bytes_per_update = (n * 3.0 * 128.0 + sa * 4.0 + n * 8.0) / (sa * LANES as f64);
    println!(
        "\n3. out of cache: open {side}x{side} grid, one block of {LANES} samples per thread ({:.0} MB of values and rewards each), {bytes_per_update:.2} bytes moved per update",
        n * 256.0 / 1e6
    );
    let bandwidth = memory_bandwidth();
    let bound = bandwidth / bytes_per_update;
    println!(
        "   read bandwidth {:.2} GB/s → memory-bound rate {bound:.3e} updates/s",
        bandwidth / 1e9
    );
    for precision in [Precision::F64, Precision::F32] {
        let opts = SolverOptions {
            precision,
            // One tolerance for both, above f32's floor (2.3e-6 at γ = 0.9).
            tolerance: 1e-5,
            ..Default::default()
        };
        let rate = production(&big, 0.9, opts, (if quick { 1.0 } else { 4.0 }, threads));
        println!(
            "   {threads} thread(s) production {precision}: {rate:.3e} updates/s  {:.2}× the memory-bound rate (f64 traffic)",
            rate / bound
        );
    }
}

//! POWER and optimality probabilities by Monte Carlo over reward functions (docs/theory.md §2).
//!
//! [`estimate_power`] draws reward functions from a
//! [`RewardDistribution`], solves them on all cores, and reports for every
//! state `POWER_D(s, γ)` with a standard error and 95% interval; for every
//! action, the probability that it is optimal and the POWER expected after
//! taking it.
//!
//! **Pipeline.** Everything happens in the solver's block layout
//! ([`crate::mdp::kernel`]: each state's values for 16 samples side by
//! side): rewards are drawn straight into a block (one random stream per
//! sample, so a sample's rewards never depend on its block), the block is
//! solved in place, and its statistics (best action values, ties, optimal
//! shares, moments) are reduced from the same layout into a block summary.
//! Each worker reuses its buffers across blocks; nothing is transposed.
//!
//! **Reproducibility.** Block summaries are folded in sample order into
//! chunks of [`CHUNK`] samples and chunks are merged in order, so the result
//! depends only on the options and the seed — not on the thread count, the
//! batch size (samples per parallel task) or the SIMD path. Memory does not
//! grow with the number of samples: only the total, one open chunk and one
//! wave of task summaries are held. [`power_partials`] computes the chunk
//! summaries of any chunk-aligned range (another process or machine) and
//! [`finish_power`] merges them into the same report, bit for bit.
//!
//! Ties: actions whose values are within the solver's error bound of the best
//! ([`Solver::tie_tolerance`]) count as optimal. `optimal` counts a tied
//! action as optimal for each of the tied actions (so these probabilities can
//! sum to more than 1 at a state), `optimal_share` splits the sample evenly
//! among them (sums to 1), and `tie_probability` is how often a state had a tie.

use std::time::Instant;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::mdp::kernel::{Block, Kernel, LANES};
use crate::mdp::reward::{Draws, RewardDistribution};
use crate::mdp::solve::{BlockScratch, Horizon, SolveStats, Solver, SolverOptions};
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::{t_quantile_975, Estimate, Moments};

/// How many reward samples to draw.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum SampleSize {
    /// Exactly this many reward functions.
    Count(usize),
    /// Keep drawing until every state's POWER has at most this standard error
    /// (starting with `min` samples, never more than `max`). After each round
    /// the sample count grows to what `1/√n` scaling predicts is needed, plus 5%.
    StandardError {
        /// The standard error every state's POWER must reach; positive and finite.
        target: f64,
        /// Samples in the first round (at least 4 are drawn).
        min: usize,
        /// Most samples ever drawn (at least 2, not below `min`); reaching it
        /// ends sampling with [`PowerReport::target_reached`] `Some(false)`.
        max: usize,
    },
}

/// Options of [`estimate_power`].
#[derive(Clone, Debug)]
pub struct PowerOptions {
    /// Discount rate or limit; default `γ = 0.9`.
    pub horizon: Horizon,
    /// Algorithm, tolerance and iteration cap for discounted horizons.
    pub solver: SolverOptions,
    /// How many reward functions to draw; default 10 000.
    pub samples: SampleSize,
    /// Seed of the random streams: reward sample `k` comes from stream `k`
    /// of this seed, so results are reproducible for any thread count.
    pub seed: u64,
    /// Draw samples in mirrored pairs (variance reduction).
    pub antithetic: bool,
    /// Samples per parallel task, rounded up to whole blocks of 16; `None`
    /// picks one from the MDP and the thread count. It never changes the result.
    pub batch: Option<usize>,
}

impl PowerOptions {
    /// Check that the request can be met as asked; errors name the option.
    pub fn validate(&self) -> Result<()> {
        match self.samples {
            SampleSize::Count(n) if n < 2 => {
                return Err(Error::invalid(format!(
                    "samples: {n} reward sample{} asked for; a standard error needs at least 2 reward samples{}",
                    if n == 1 { " was" } else { "s were" },
                    if self.antithetic && n == 1 {
                        " (antithetic sampling draws pairs)"
                    } else {
                        ""
                    }
                )))
            }
            // Antithetic pairs are the observations: a standard error needs two of them.
            SampleSize::Count(n) if self.antithetic && n < 3 => {
                return Err(Error::invalid(format!(
                    "samples: {n} reward samples with antithetic sampling make one mirrored pair; \
                     a standard error needs at least 2 pairs (4 samples)"
                )))
            }
            SampleSize::Count(_) => {}
            SampleSize::StandardError { max, .. } if self.antithetic && max < 3 => {
                return Err(Error::invalid(format!(
                    "max_samples: {max} with antithetic sampling makes one mirrored pair; \
                     a standard error needs at least 2 pairs (4 samples)"
                )))
            }
            SampleSize::StandardError { target, min, max } => {
                if !(target > 0.0 && target.is_finite()) {
                    return Err(Error::invalid(format!("target_se: {target} must be a positive number")));
                }
                if max < 2 {
                    return Err(Error::invalid(format!(
                        "max_samples: {max}; a standard error needs at least 2 reward samples"
                    )));
                }
                if min > max {
                    return Err(Error::invalid(format!("min samples {min} is above max samples {max}")));
                }
            }
        }
        if self.batch == Some(0) {
            return Err(Error::invalid("batch: must be at least 1 sample"));
        }
        Ok(())
    }
}

impl Default for PowerOptions {
    fn default() -> Self {
        PowerOptions {
            horizon: Horizon::Discounted(0.9),
            solver: SolverOptions::default(),
            samples: SampleSize::Count(10_000),
            seed: 0,
            antithetic: false,
            batch: None,
        }
    }
}

/// Per-action results.
#[derive(Clone, Debug, Serialize)]
pub struct ActionResult {
    /// Index of the state the action belongs to.
    pub state: usize,
    /// The action's name (e.g. `"up"`).
    pub action: String,
    /// P(this action is optimal), ties counted as optimal for each tied action.
    pub optimal: f64,
    /// Optimal probability with ties split evenly (sums to 1 over a state's actions).
    pub optimal_share: f64,
    /// `E_{s'~T(s,a)} POWER(s')`: POWER expected after taking the action.
    pub successor_power: Estimate,
}

/// Everything [`estimate_power`] measured.
#[derive(Clone, Debug, Serialize)]
pub struct PowerReport {
    /// The horizon as shown to users: the discount (`"0.9"`), `"0 (limit)"` or `"1 (limit)"`.
    pub horizon: String,
    /// The reward distribution in spec syntax (e.g. `"uniform:0,1"`).
    pub distribution: String,
    /// The seed the samples were drawn with ([`PowerOptions::seed`]).
    pub seed: u64,
    /// Whether samples were drawn in mirrored pairs.
    pub antithetic: bool,
    /// Reward functions drawn.
    pub samples: usize,
    /// With [`SampleSize::StandardError`]: the target, and whether every
    /// state's standard error reached it within the sample limit (`false`
    /// means the limit stopped sampling first); `None` for a fixed count.
    pub target_se: Option<f64>,
    /// See `target_se`: `Some(true)` when the largest standard error is at
    /// most the target.
    pub target_reached: Option<bool>,
    /// Per state, indexed like the MDP's states.
    pub power: Vec<Estimate>,
    /// Per state: the fraction of samples in which two or more actions tied
    /// for optimal (within [`Solver::tie_tolerance`]).
    pub tie_probability: Vec<f64>,
    /// Per global action (see [`Mdp::actions`]).
    pub actions: Vec<ActionResult>,
    /// Reward samples per parallel task (chosen, or as asked; it does not
    /// change the results).
    pub batch: usize,
    /// Solver sweeps summed over blocks of [`LANES`] samples.
    pub iterations: u64,
    /// State-action-sample backups performed.
    pub updates: u64,
    /// The SIMD path that ran the sweeps (`avx512`, `avx2`, `neon` or `portable`;
    /// all give the same bits).
    pub kernel: String,
    /// Arithmetic of the sweeps: `f64`, or `f32` certified per block.
    pub precision: String,
    /// With `f32`: blocks whose `f32` solution met the tolerance's certificate.
    pub f32_certified_blocks: u64,
    /// With `f32`: blocks that failed it and were finished in `f64`.
    pub f64_fallback_blocks: u64,
    /// Wall-clock time of the whole estimate, in seconds.
    pub seconds: f64,
}

impl PowerReport {
    /// The largest standard error over all states.
    pub fn max_standard_error(&self) -> f64 {
        self.power.iter().map(|e| e.se).fold(0.0, f64::max)
    }

    /// Actions at the state of action `a` that `a` seeks POWER over: their
    /// expected successor POWER is lower than `a`'s by more than 1.96 combined
    /// standard errors (`sqrt(se_a² + se_b²)`, conservative when the two are
    /// positively correlated, as they are here: both use the same samples).
    pub fn seeks_power_over(&self, mdp: &Mdp, a: usize) -> Vec<usize> {
        let me = &self.actions[a].successor_power;
        mdp.actions(self.actions[a].state)
            .filter(|&b| {
                let other = &self.actions[b].successor_power;
                me.mean - other.mean > 1.96 * (me.se * me.se + other.se * other.se).sqrt()
            })
            .collect()
    }
}

/// Samples per *chunk*: the unit in which statistics are merged. Within a
/// chunk, block summaries are folded in sample order; chunks are then merged
/// in order. Both the blocks ([`LANES`] samples) and the chunks are fixed, so
/// the result is the same for every batch size and thread count; a
/// distributed estimate splits its samples on chunk boundaries
/// ([`shard_alignment`]).
pub const CHUNK: usize = 256;

/// The sample alignment of [`power_partials`]' ranges: every range but the
/// last must start and end on a multiple of it ([`CHUNK`]).
pub fn shard_alignment() -> usize {
    CHUNK
}

/// The samples a fixed-count run of `opts` draws: the count asked for, made
/// even under antithetic sampling (pairs).
fn drawn_samples(opts: &PowerOptions) -> Result<usize> {
    match opts.samples {
        SampleSize::Count(n) => Ok(if opts.antithetic { n + n % 2 } else { n }),
        SampleSize::StandardError { .. } => Err(Error::invalid(
            "a target standard error cannot be split into shards: give a sample count",
        )),
    }
}

/// Split a fixed-count run of `opts` into at most `shards` contiguous
/// sample ranges for [`power_partials`], in order, each starting on a
/// multiple of [`shard_alignment`]; [`finish_power`] over their partials
/// gives exactly [`estimate_power`]'s report. Errors when `shards` is 0 or
/// `opts` asks for a target standard error.
pub fn shard_ranges(opts: &PowerOptions, shards: usize) -> Result<Vec<std::ops::Range<usize>>> {
    if shards == 0 {
        return Err(Error::invalid("shards must be positive"));
    }
    let total = drawn_samples(opts)?;
    let chunks = total.div_ceil(CHUNK);
    let per = chunks.div_ceil(shards).max(1);
    Ok((0..chunks)
        .step_by(per)
        .map(|c| c * CHUNK..((c + per) * CHUNK).min(total))
        .collect())
}

/// Default samples per parallel task: a whole chunk when there are enough
/// chunks to keep every thread busy, else one block (tasks then hand over
/// one summary per block, which the merging thread folds in order).
pub fn default_batch(samples: usize) -> usize {
    let chunks = samples.div_ceil(CHUNK);
    if chunks >= 4 * rayon::current_num_threads().max(1) {
        CHUNK
    } else {
        LANES
    }
}

/// Statistics of one chunk of reward samples (or of chunks merged in
/// order). [`power_partials`] computes them for a range of samples anywhere
/// (another process or machine); [`finish_power`] merges them in sample order
/// into exactly the report [`estimate_power`] gives for the same options.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PowerPartial {
    first: usize,
    summary: Summary,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Summary {
    power: Moments,
    successor: Moments,
    optimal: Vec<f64>,
    share: Vec<f64>,
    ties: Vec<f64>,
    samples: usize,
    stats: SolveStats,
}

impl Summary {
    fn empty(mdp: &Mdp) -> Self {
        // Successor POWER of deterministic MDPs comes from the states' POWER.
        let successors = if mdp.is_deterministic() {
            0
        } else {
            mdp.n_state_actions()
        };
        Summary {
            power: Moments::new(mdp.n_states()),
            successor: Moments::new(successors),
            optimal: vec![0.0; mdp.n_state_actions()],
            share: vec![0.0; mdp.n_state_actions()],
            ties: vec![0.0; mdp.n_states()],
            samples: 0,
            stats: SolveStats::default(),
        }
    }

    fn clear(&mut self) {
        self.samples = 0;
        self.stats = SolveStats::default();
        self.power.count = 0.0;
        self.successor.count = 0.0;
        // The rest is overwritten by the next `merge` into an empty summary.
    }

    /// Fold `other` (the samples right after these) into `self`; into an
    /// empty summary it is a copy.
    fn merge(&mut self, other: &Summary) {
        if self.samples == 0 {
            self.power.clone_from(&other.power);
            self.successor.clone_from(&other.successor);
            self.optimal.copy_from_slice(&other.optimal);
            self.share.copy_from_slice(&other.share);
            self.ties.copy_from_slice(&other.ties);
            self.samples = other.samples;
            self.stats = other.stats;
            return;
        }
        self.power.merge(&other.power);
        self.successor.merge(&other.successor);
        for (a, b) in [
            (&mut self.optimal, &other.optimal),
            (&mut self.share, &other.share),
            (&mut self.ties, &other.ties),
        ] {
            a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        }
        self.samples += other.samples;
        self.stats.add(&other.stats);
    }
}

/// Buffers one worker reuses across the blocks it solves (no per-block
/// allocation or zeroing: every buffer is overwritten before it is read).
#[derive(Default)]
struct Scratch {
    rewards: Vec<Block>,
    values: Vec<Block>,
    q: Vec<Block>,
    draws: Draws,
    solve: BlockScratch,
}

/// Summaries handed between workers and the merging thread, recycled so
/// big ones are not allocated (and faulted in) afresh for every block.
struct Pool<'a> {
    mdp: &'a Mdp,
    free: std::sync::Mutex<Vec<Summary>>,
}

impl Pool<'_> {
    fn take(&self) -> Summary {
        let recycled = self.free.lock().unwrap_or_else(|e| e.into_inner()).pop();
        recycled.unwrap_or_else(|| Summary::empty(self.mdp))
    }

    fn give(&self, s: Summary) {
        self.free.lock().unwrap_or_else(|e| e.into_inner()).push(s);
    }
}

/// The sum of 16 lanes in a fixed tree order (halves added lane-wise), so
/// it vectorises and gives the same bits on every path.
#[inline(always)]
fn lane_sum(x: &[f64; LANES]) -> f64 {
    let mut h = [0.0; 8];
    for i in 0..8 {
        h[i] = x[i] + x[i + 8];
    }
    let q = [h[0] + h[4], h[1] + h[5], h[2] + h[6], h[3] + h[7]];
    (q[0] + q[2]) + (q[1] + q[3])
}

/// Mean and centred second moment of the lanes where `mask` is 1; with
/// `antithetic`, of the means of consecutive pairs (`mask` then marks pairs
/// in its first 8 lanes).
#[inline(always)]
fn lane_moments(x: &[f64; LANES], mask: &[f64; LANES], m: f64, antithetic: bool) -> (f64, f64) {
    let mut obs = [0.0; LANES];
    if antithetic {
        for i in 0..LANES / 2 {
            obs[i] = 0.5 * (x[2 * i] + x[2 * i + 1]);
        }
    } else {
        obs = *x;
    }
    let mut kept = [0.0; LANES];
    for i in 0..LANES {
        kept[i] = obs[i] * mask[i];
    }
    let mean = lane_sum(&kept) / m;
    let mut dev = [0.0; LANES];
    for i in 0..LANES {
        let d = (obs[i] - mean) * mask[i];
        dev[i] = d * d;
    }
    (mean, lane_sum(&dev))
}

/// `Q(s, a)` of global action `a` for every lane, into `out`: `Σ_t p_t · W(t)`.
#[inline(always)]
fn q_block(mdp: &Mdp, w: &[Block], a: usize, out: &mut Block) {
    let (next, prob) = mdp.successors(a);
    *out = Block::ZERO;
    for (&t, &p) in next.iter().zip(prob) {
        for (o, &x) in out.0.iter_mut().zip(&w[t as usize].0) {
            *o += p * x;
        }
    }
}

/// What [`summarise_block`] needs besides the block.
struct BlockJob<'a> {
    mdp: &'a Mdp,
    scale: f64,
    tie: f64,
    antithetic: bool,
    width: usize,
}

/// The statistics of one solved block (`w` the solver's output), written
/// into `out`; `p` receives each state's POWER lanes. Every step is a
/// lane-wise operation or a [`lane_sum`], so the result is the same on every
/// SIMD path; [`summarise_block`] compiles it for the kernel's instruction set.
#[inline(always)]
fn summarise_impl(job: &BlockJob, w: &[Block], p: &mut [Block], q: &mut Vec<Block>, out: &mut Summary) -> bool {
    let BlockJob {
        mdp,
        scale,
        tie,
        antithetic,
        width,
    } = *job;
    let det = mdp.deterministic_successors();
    let obs = if antithetic { width / 2 } else { width };
    let mask: [f64; LANES] = std::array::from_fn(|i| (i < width) as u8 as f64);
    let lanes: u32 = (1u32 << width) - 1;
    let obs_mask: [f64; LANES] = std::array::from_fn(|i| (i < obs) as u8 as f64);
    let mut finite = true;
    out.power.count = obs as f64;
    for s in 0..mdp.n_states() {
        let acts = mdp.actions(s);
        if det.is_none() {
            q.resize(acts.len(), Block::ZERO);
            for (i, a) in acts.clone().enumerate() {
                q_block(mdp, w, a, &mut q[i]);
            }
        }
        let first = acts.start;
        let q_of = |i: usize| -> &Block {
            match det {
                Some(next) => &w[next[first + i] as usize],
                None => &q[i],
            }
        };
        let mut best = [f64::NEG_INFINITY; LANES];
        for i in 0..acts.len() {
            let x = &q_of(i).0;
            for l in 0..LANES {
                best[l] = if x[l] > best[l] { x[l] } else { best[l] };
            }
        }
        let mut low = [0.0; LANES];
        for l in 0..LANES {
            low[l] = best[l] - tie;
        }
        // Which lanes each action is optimal in, as bits; lanes optimal for
        // two or more actions are ties. Counts are exact whatever the order.
        let (mut once, mut twice) = (0u32, 0u32);
        for (i, a) in acts.clone().enumerate() {
            let x = &q_of(i).0;
            let mut bits = 0u32;
            for l in 0..LANES {
                bits |= ((x[l] >= low[l]) as u32) << l;
            }
            bits &= lanes;
            twice |= once & bits;
            once |= bits;
            out.optimal[a] = bits.count_ones() as f64;
        }
        out.ties[s] = twice.count_ones() as f64;
        if twice == 0 {
            // One optimal action per lane: its share is its count (the sum
            // below would give the same, exactly).
            for a in acts.clone() {
                out.share[a] = out.optimal[a];
            }
        } else {
            let mut tied = [0.0; LANES];
            for i in 0..acts.len() {
                let x = &q_of(i).0;
                for l in 0..LANES {
                    tied[l] += if x[l] >= low[l] { 1.0 } else { 0.0 };
                }
            }
            let inv: [f64; LANES] = std::array::from_fn(|l| mask[l] / tied[l]);
            for (i, a) in acts.clone().enumerate() {
                let x = &q_of(i).0;
                let share: [f64; LANES] = std::array::from_fn(|l| if x[l] >= low[l] { inv[l] } else { 0.0 });
                out.share[a] = lane_sum(&share);
            }
        }
        let mut power = [0.0; LANES];
        for l in 0..LANES {
            power[l] = scale * best[l] * mask[l];
            finite &= power[l].is_finite();
        }
        p[s] = Block(power);
        (out.power.mean[s], out.power.m2[s]) = lane_moments(&power, &obs_mask, obs as f64, antithetic);
    }
    // POWER expected after each action. For deterministic MDPs it is the
    // successor's POWER, filled in from the merged totals instead.
    if det.is_none() {
        out.successor.count = obs as f64;
        let mut e = Block::ZERO;
        for a in 0..mdp.n_state_actions() {
            q_block(mdp, p, a, &mut e);
            (out.successor.mean[a], out.successor.m2[a]) = lane_moments(&e.0, &obs_mask, obs as f64, antithetic);
        }
    }
    out.samples = width;
    finite
}

/// [`summarise_impl`] compiled for the instruction set of `kernel`.
fn summarise_block(
    kernel: Kernel,
    job: &BlockJob,
    w: &[Block],
    p: &mut [Block],
    q: &mut Vec<Block>,
    out: &mut Summary,
) -> Result<()> {
    let finite = crate::mdp::kernel::multiversion!(
        kernel,
        fn(job: &BlockJob, w: &[Block], p: &mut [Block], q: &mut Vec<Block>, out: &mut Summary) -> bool {
            summarise_impl(job, w, p, q, out)
        }
    );
    if !finite {
        return Err(Error::invalid(
            "value iteration diverged (non-finite values): check the rewards",
        ));
    }
    Ok(())
}

/// Draw, solve and summarise one block of `width` samples from `first`
/// into `out` (every field is overwritten).
fn run_block(
    mdp: &Mdp,
    dist: &RewardDistribution,
    solver: &Solver,
    opts: &PowerOptions,
    (first, width): (usize, usize),
    scratch: &mut Scratch,
    out: &mut Summary,
) -> Result<()> {
    let n = mdp.n_states();
    let Scratch {
        rewards,
        values,
        q,
        draws,
        solve,
    } = scratch;
    rewards.resize(n, Block::ZERO);
    values.resize(n, Block::ZERO);
    dist.fill_block(opts.seed, first, width, opts.antithetic, draws, rewards);
    let stats = solver.solve_block(rewards, width, values, solve)?;
    let job = BlockJob {
        mdp,
        scale: solver.horizon().scale(),
        tie: solver.tie_tolerance(),
        antithetic: opts.antithetic,
        width,
    };
    // The rewards are spent: their buffer receives the POWER lanes.
    summarise_block(solver.kernel(), &job, values, rewards, q, out)?;
    out.stats = stats;
    Ok(())
}

/// What one task hands to the merging thread: its blocks' summaries in
/// order, folded into one when the task starts a chunk (the fold the merger
/// would make), else one per block.
struct TaskResult {
    pieces: Vec<(usize, Summary)>,
}

/// Solve the blocks of samples `first..end` (inside one chunk).
fn run_task(
    (mdp, dist, solver, opts): (&Mdp, &RewardDistribution, &Solver, &PowerOptions),
    (first, end): (usize, usize),
    scratch: &mut Scratch,
    pool: &Pool,
) -> Result<TaskResult> {
    let fold = first.is_multiple_of(CHUNK);
    let mut pieces: Vec<(usize, Summary)> = Vec::new();
    for start in (first..end).step_by(LANES) {
        let width = LANES.min(end - start);
        let mut block = pool.take();
        if let Err(e) = run_block(mdp, dist, solver, opts, (start, width), scratch, &mut block) {
            pool.give(block);
            pieces.into_iter().for_each(|(_, p)| pool.give(p));
            return Err(e);
        }
        match pieces.last_mut() {
            Some((_, acc)) if fold => {
                acc.merge(&block);
                pool.give(block);
            }
            _ => pieces.push((start, block)),
        }
    }
    Ok(TaskResult { pieces })
}

/// Folds block summaries into chunks and chunks into the total, in sample
/// order, whatever the tasks were.
struct Merger {
    chunk: PowerPartial,
}

impl Merger {
    fn new(mdp: &Mdp, first: usize) -> Self {
        Merger {
            chunk: PowerPartial {
                first,
                summary: Summary::empty(mdp),
            },
        }
    }

    /// Add the piece starting at sample `first`; a finished chunk goes to `sink`.
    fn push(&mut self, first: usize, piece: &Summary, sink: &mut dyn FnMut(&PowerPartial)) {
        debug_assert_eq!(first, self.chunk.first + self.chunk.summary.samples);
        self.chunk.summary.merge(piece);
        if (first + piece.samples).is_multiple_of(CHUNK) {
            self.flush(sink);
        }
    }

    /// Hand a started chunk to `sink`, and start the next one.
    fn flush(&mut self, sink: &mut dyn FnMut(&PowerPartial)) {
        if self.chunk.summary.samples > 0 {
            sink(&self.chunk);
            self.chunk.first += self.chunk.summary.samples;
            self.chunk.summary.clear();
        }
    }
}

/// The samples per task `opts` implies for `samples` samples: a multiple of
/// [`LANES`] (even with antithetic sampling).
pub fn batch_size(opts: &PowerOptions, samples: usize) -> Result<usize> {
    let batch = opts.batch.unwrap_or_else(|| default_batch(samples));
    if batch == 0 {
        return Err(Error::invalid("batch size must be positive"));
    }
    Ok(batch.div_ceil(LANES) * LANES)
}

/// The next (at most) `count` tasks from sample `*cursor` on, before `end`:
/// runs of `batch` samples that never cross a chunk boundary.
fn next_tasks(cursor: &mut usize, end: usize, batch: usize, count: usize) -> Vec<(usize, usize)> {
    let mut out = Vec::with_capacity(count);
    while *cursor < end && out.len() < count {
        let chunk_end = (*cursor / CHUNK + 1) * CHUNK;
        let stop = (*cursor + batch).min(chunk_end).min(end);
        out.push((*cursor, stop));
        *cursor = stop;
    }
    out
}

/// Solve samples `first..end` in parallel waves of tasks and hand each
/// finished chunk's partial to `sink` in sample order, so at most one wave
/// of summaries is held at a time (memory does not grow with the number of
/// samples). `merger` carries a chunk that is not finished yet across calls.
fn run_batches(
    mdp: &Mdp,
    dist: &RewardDistribution,
    solver: &Solver,
    opts: &PowerOptions,
    (first, end): (usize, usize),
    (progress, merger): (&dyn Progress, &mut Merger),
    sink: &mut (dyn FnMut(&PowerPartial) + Send),
) -> Result<()> {
    // Workers poll a relay of `progress` before each task, so a cancel
    // takes effect within one task rather than one wave.
    crate::progress::watch(progress, |progress| {
        let batch = batch_size(opts, end - first)?;
        let wave = wave_size(mdp, batch);
        let scratch: Vec<std::sync::Mutex<Scratch>> = (0..rayon::current_num_threads().max(1))
            .map(|_| std::sync::Mutex::new(Scratch::default()))
            .collect();
        let pool = Pool {
            mdp,
            free: std::sync::Mutex::new(Vec::new()),
        };
        let mut cursor = first;
        while cursor < end {
            if progress.cancelled() {
                return Err(Error::Cancelled);
            }
            let wave_tasks = next_tasks(&mut cursor, end, batch, wave);
            let results: Vec<Result<TaskResult>> = wave_tasks
                .par_iter()
                .map(|&range| {
                    crate::progress::check(progress)?;
                    let slot = rayon::current_thread_index().unwrap_or(0) % scratch.len();
                    let mut guard = scratch[slot].lock().unwrap_or_else(|e| e.into_inner());
                    let result = run_task((mdp, dist, solver, opts), range, &mut guard, &pool)?;
                    progress.advance((range.1 - range.0) as u64);
                    Ok(result)
                })
                .collect();
            for r in results {
                for (first, piece) in r?.pieces {
                    merger.push(first, &piece, sink);
                    pool.give(piece);
                }
            }
        }
        Ok(())
    })
}

/// Bytes of one [`Summary`] for `mdp`.
pub(crate) fn summary_bytes(mdp: &Mdp) -> usize {
    let successors = if mdp.is_deterministic() {
        0
    } else {
        2 * mdp.n_state_actions()
    };
    8 * (3 * mdp.n_states() + 2 * mdp.n_state_actions() + successors)
}

/// Summaries a task of `batch` samples hands over at most.
fn pieces_per_task(batch: usize) -> usize {
    if batch >= CHUNK {
        1
    } else {
        batch / LANES
    }
}

/// Estimated peak memory in bytes of [`estimate_power`] on `mdp` with
/// `opts`, beyond the MDP itself: the total, the open chunk and one wave of
/// task summaries, each thread's block buffers (rewards, values, and the
/// `f32` copies) and the report. It does not grow with the number of samples.
pub fn power_memory(mdp: &Mdp, opts: &PowerOptions) -> Result<f64> {
    let (n, sa) = (mdp.n_states() as f64, mdp.n_state_actions() as f64);
    let samples = requested_samples(opts);
    let batch = batch_size(opts, samples)?;
    let wave = wave_size(mdp, batch) as f64;
    let threads = rayon::current_num_threads().max(1) as f64;
    let block = std::mem::size_of::<Block>() as f64;
    let buffers = 2.0 * block * n + block * n + block * mdp.max_actions() as f64 + summary_bytes(mdp) as f64;
    let report = 48.0 * n + 80.0 * sa;
    let held = (2.0 + wave * pieces_per_task(batch) as f64) * summary_bytes(mdp) as f64;
    Ok(held + threads * buffers + report)
}

/// The sample count to size batches for.
fn requested_samples(opts: &PowerOptions) -> usize {
    match opts.samples {
        SampleSize::Count(n) => n,
        SampleSize::StandardError { min, .. } => min.max(4),
    }
}

fn check_power_memory(mdp: &Mdp, opts: &PowerOptions) -> Result<()> {
    let bytes = power_memory(mdp, opts)?;
    let batch = batch_size(opts, requested_samples(opts))?;
    crate::resources::check(bytes, || {
        use crate::resources::format_count as c;
        format!(
            "POWER over {} states and {} state-actions in tasks of {} samples, {} tasks at a time",
            c(mdp.n_states() as f64),
            c(mdp.n_state_actions() as f64),
            c(batch as f64),
            wave_size(mdp, batch)
        )
    })
}

/// Tasks solved in parallel before their summaries are merged: a few per
/// thread, fewer when summaries are large (at most ~512 MiB of them).
fn wave_size(mdp: &Mdp, batch: usize) -> usize {
    let per_task = summary_bytes(mdp).max(1) * pieces_per_task(batch);
    let wave = (512 << 20) / per_task;
    wave.clamp(1, 8 * rayon::current_num_threads().max(1))
}

/// Partial results for reward samples `samples` (a fixed-count estimate's
/// samples `0..n` split anywhere on batch boundaries): the unit of work of a
/// distributed estimate.
pub fn power_partials(
    mdp: &Mdp,
    dist: &RewardDistribution,
    opts: &PowerOptions,
    samples: std::ops::Range<usize>,
    progress: &dyn Progress,
) -> Result<Vec<PowerPartial>> {
    opts.validate()?;
    dist.validate(mdp.n_states(), opts.antithetic)?;
    dist.check_scale(opts.horizon)?;
    let solver = prepare(mdp, dist, opts)?;
    let align = shard_alignment();
    if !samples.start.is_multiple_of(align) || (opts.antithetic && !samples.end.is_multiple_of(2)) {
        return Err(Error::invalid(format!(
            "sample range {}..{} must start on a multiple of {align} samples{}",
            samples.start,
            samples.end,
            if opts.antithetic {
                " and end on an even sample"
            } else {
                ""
            }
        )));
    }
    progress.set_total(samples.len() as u64);
    let mut out = Vec::new();
    let mut merger = Merger::new(mdp, samples.start);
    let mut sink = |p: &PowerPartial| out.push(p.clone());
    run_batches(
        mdp,
        dist,
        &solver,
        opts,
        (samples.start, samples.end),
        (progress, &mut merger),
        &mut sink,
    )?;
    merger.flush(&mut sink);
    Ok(out)
}

/// Check a request and prepare its solver (the common start of every estimate).
fn prepare<'a>(mdp: &'a Mdp, dist: &RewardDistribution, opts: &PowerOptions) -> Result<Solver<'a>> {
    opts.validate()?;
    dist.validate(mdp.n_states(), opts.antithetic)?;
    dist.check_scale(opts.horizon)?;
    let solver = Solver::new(mdp, opts.horizon, opts.solver)?;
    solver.check_precision(dist.reward_bound())?;
    check_power_memory(mdp, opts)?;
    Ok(solver)
}

/// Merge partials covering samples `0..n` (in any order; each sample exactly
/// once) into the report, exactly as [`estimate_power`] would.
pub fn finish_power(
    mdp: &Mdp,
    dist: &RewardDistribution,
    opts: &PowerOptions,
    partials: &[PowerPartial],
) -> Result<PowerReport> {
    let mut sorted: Vec<&PowerPartial> = partials.iter().collect();
    sorted.sort_by_key(|p| p.first);
    let mut total = Summary::empty(mdp);
    for p in sorted {
        if p.first != total.samples || p.summary.power.mean.len() != mdp.n_states() {
            return Err(Error::invalid(format!(
                "partial results do not fit together: a partial starts at sample {} after {} samples (or belongs to another MDP)",
                p.first, total.samples
            )));
        }
        total.merge(&p.summary);
    }
    if let Ok(wanted) = drawn_samples(opts) {
        if total.samples != wanted {
            return Err(Error::invalid(format!(
                "partial results cover {} samples, not the {wanted} asked for",
                total.samples
            )));
        }
    }
    let solver = Solver::new(mdp, opts.horizon, opts.solver)?;
    let batch = batch_size(opts, total.samples)?;
    Ok(report(mdp, (dist, &solver), opts, total, batch, 0.0))
}

/// Estimate POWER at every state of `mdp` under reward distribution `dist`.
///
/// Errors: [`Error::Invalid`] for options the MDP cannot meet (a discount
/// outside `(0, 1)`, the `γ → 1` limit or policy iteration on a stochastic
/// MDP, fewer than 2 samples, a distribution that does not fit the MDP),
/// [`Error::MemoryLimit`] when the batches would not fit, and
/// [`Error::Cancelled`] when `progress` asks to stop.
///
/// ```
/// use powerseek::mdp::MdpBuilder;
/// use powerseek::{estimate_power, Horizon, NoProgress, PowerOptions, RewardDistribution, SampleSize};
///
/// // A fork: state 0 chooses between two absorbing states 1 and 2.
/// let mut b = MdpBuilder::new(vec!["fork".into(), "left".into(), "right".into()]);
/// b.add_action(0, "left", &[(1, 1.0)]).unwrap();
/// b.add_action(0, "right", &[(2, 1.0)]).unwrap();
/// b.add_action(1, "stay", &[(1, 1.0)]).unwrap();
/// b.add_action(2, "stay", &[(2, 1.0)]).unwrap();
/// let mdp = b.build().unwrap();
///
/// let opts = PowerOptions { horizon: Horizon::Discounted(0.5), samples: SampleSize::Count(20_000), ..Default::default() };
/// let report = estimate_power(&mdp, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
/// // V*(leaf) = R(leaf)/(1 − γ), so POWER(fork) = (1 − γ) E[max V*(leaf)] = E[max of 2 U(0,1)] = 2/3
/// // for every γ, and POWER(leaf) = E[R] = 1/2.
/// let (fork, leaf) = (report.power[0], report.power[1]);
/// assert!((fork.mean - 2.0 / 3.0).abs() < 4.0 * fork.se);
/// assert!((leaf.mean - 0.5).abs() < 4.0 * leaf.se);
/// // Each way out of the fork is optimal half the time.
/// assert!((report.actions[0].optimal - 0.5).abs() < 0.02);
/// ```
pub fn estimate_power(
    mdp: &Mdp,
    dist: &RewardDistribution,
    opts: &PowerOptions,
    progress: &dyn Progress,
) -> Result<PowerReport> {
    let started = Instant::now();
    let solver = prepare(mdp, dist, opts)?;
    // Rounds of samples end on whole blocks (but at the sample limit), so
    // the blocks, and with them the result, do not depend on the rounds.
    let even = |x: usize| if opts.antithetic { x + x % 2 } else { x };
    let (mut wanted, max) = match opts.samples {
        SampleSize::Count(n) => (even(n), even(n)),
        SampleSize::StandardError { min, max, .. } => {
            let max = even(max.max(min));
            (min.max(4).div_ceil(LANES).saturating_mul(LANES).min(max), max)
        }
    };
    if wanted < 2 {
        return Err(Error::invalid("need at least 2 reward samples for a standard error"));
    }
    let batch = batch_size(opts, wanted)?;
    progress.set_total(wanted as u64);
    // Tasks run in parallel in waves; summaries merge in sample order, so the
    // result does not depend on the number of threads or the batch size.
    let mut total = Summary::empty(mdp);
    let mut merger = Merger::new(mdp, 0);
    let mut done = 0;
    loop {
        run_batches(
            mdp,
            dist,
            &solver,
            opts,
            (done, wanted),
            (progress, &mut merger),
            &mut |p: &PowerPartial| total.merge(&p.summary),
        )?;
        done = wanted;
        let SampleSize::StandardError { target, .. } = opts.samples else {
            break;
        };
        // The standard errors so far, the open chunk included.
        let mut so_far = total.clone();
        so_far.merge(&merger.chunk.summary);
        let se = (0..mdp.n_states())
            .map(|s| so_far.power.standard_error(s))
            .fold(0.0, f64::max);
        if se <= target || wanted >= max {
            break;
        }
        // SE shrinks like 1/sqrt(n): aim 5% past the estimate of what is needed.
        let needed = (so_far.samples as f64 * (se / target).powi(2) * 1.05).ceil() as usize;
        // (`wanted < max` here; `max` need not be a whole number of blocks.)
        wanted = needed
            .max(wanted + 2)
            .min(max)
            .div_ceil(LANES)
            .saturating_mul(LANES)
            .min(max);
        progress.set_total(wanted as u64);
    }
    merger.flush(&mut |p: &PowerPartial| total.merge(&p.summary));
    Ok(report(
        mdp,
        (dist, &solver),
        opts,
        total,
        batch,
        started.elapsed().as_secs_f64(),
    ))
}

/// The report of merged statistics.
fn report(
    mdp: &Mdp,
    (dist, solver): (&RewardDistribution, &Solver),
    opts: &PowerOptions,
    mut total: Summary,
    batch: usize,
    seconds: f64,
) -> PowerReport {
    if let Some(next) = mdp.deterministic_successors() {
        let pick = |x: &[f64]| next.iter().map(|&t| x[t as usize]).collect();
        total.successor = Moments {
            count: total.power.count,
            mean: pick(&total.power.mean),
            m2: pick(&total.power.m2),
        };
    }
    let n = total.samples as f64;
    let t = t_quantile_975((total.power.count as usize).max(2) - 1);
    let target_se = match opts.samples {
        SampleSize::StandardError { target, .. } => Some(target),
        SampleSize::Count(_) => None,
    };
    let max_se = (0..mdp.n_states())
        .map(|s| total.power.standard_error(s))
        .fold(0.0, f64::max);
    let actions = (0..mdp.n_states())
        .flat_map(|s| mdp.actions(s).map(move |a| (s, a)))
        .map(|(s, a)| ActionResult {
            state: s,
            action: mdp.action_name(a).to_string(),
            optimal: total.optimal[a] / n,
            optimal_share: total.share[a] / n,
            successor_power: total.successor.estimate(a, t),
        })
        .collect();
    PowerReport {
        horizon: opts.horizon.to_string(),
        distribution: dist.to_string(),
        seed: opts.seed,
        antithetic: opts.antithetic,
        samples: total.samples,
        target_se,
        target_reached: target_se.map(|target| max_se <= target),
        power: (0..mdp.n_states()).map(|s| total.power.estimate(s, t)).collect(),
        tie_probability: total.ties.iter().map(|t| t / n).collect(),
        actions,
        batch,
        iterations: total.stats.iterations as u64,
        updates: total.stats.updates,
        kernel: solver.kernel().to_string(),
        precision: opts.solver.precision.to_string(),
        f32_certified_blocks: total.stats.f32_certified,
        f64_fallback_blocks: total.stats.f64_fallbacks,
        seconds,
    }
}

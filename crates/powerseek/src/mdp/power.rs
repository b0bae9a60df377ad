//! POWER and optimality probabilities by Monte Carlo over reward functions (docs/theory.md §2).
//!
//! [`estimate_power`] draws reward functions from a
//! [`RewardDistribution`], solves them in batches on all cores, and streams
//! per-batch statistics into one accumulator in batch order, so results are
//! bit-identical for any number of threads. For every state it reports
//! `POWER_D(s, γ)` with a standard error and 95% interval; for every action,
//! the probability that it is optimal and the POWER expected after taking it.
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
use crate::mdp::reward::RewardDistribution;
use crate::mdp::solve::{action_values, Horizon, SolveStats, Solver, SolverOptions};
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
    /// Samples solved together; `None` picks a size that keeps a batch in cache.
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
            SampleSize::Count(_) => {}
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
    /// Reward samples solved together per batch (chosen, or as asked).
    pub batch: usize,
    /// Solver sweeps summed over batches.
    pub iterations: u64,
    /// State-action-sample backups performed.
    pub updates: u64,
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

/// Default batch: about 32 MiB per `n_states × batch` buffer, at least 8 and
/// at most 1024 samples, a multiple of 8. (The solver works on 8 samples at a
/// time whatever the batch; batches amortise drawing and summarising.)
pub fn default_batch(n_states: usize) -> usize {
    ((4 << 20) / n_states.max(1) / 8 * 8).clamp(8, 1024)
}

/// Statistics of one batch of reward samples (or of batches merged in
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
        Summary {
            power: Moments::new(mdp.n_states()),
            successor: Moments::new(mdp.n_state_actions()),
            optimal: vec![0.0; mdp.n_state_actions()],
            share: vec![0.0; mdp.n_state_actions()],
            ties: vec![0.0; mdp.n_states()],
            samples: 0,
            stats: SolveStats::default(),
        }
    }

    fn merge(&mut self, other: &Summary) {
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
        self.stats.iterations += other.stats.iterations;
        self.stats.updates += other.stats.updates;
    }
}

/// Buffers reused across the batches one worker runs (avoids page faults).
#[derive(Default)]
struct Scratch {
    rewards: Vec<f64>,
    values: Vec<f64>,
    power: Vec<f64>,
    q: Vec<f64>,
    best: Vec<f64>,
    inv_optimal: Vec<f64>,
    row: Vec<f64>,
}

/// Mean and centred second moment of one row of per-sample values; with
/// `antithetic`, of the means of consecutive pairs.
fn row_moments(x: &[f64], antithetic: bool, pairs: &mut Vec<f64>) -> (f64, f64) {
    let x = if antithetic {
        pairs.clear();
        pairs.extend(x.chunks_exact(2).map(|p| 0.5 * (p[0] + p[1])));
        &pairs[..]
    } else {
        x
    };
    let mean = x.iter().sum::<f64>() / x.len() as f64;
    (mean, x.iter().map(|v| (v - mean) * (v - mean)).sum())
}

/// Draw, solve and summarise samples `first..first + count`.
fn run_batch(
    mdp: &Mdp,
    dist: &RewardDistribution,
    solver: &Solver,
    opts: &PowerOptions,
    first: usize,
    count: usize,
    scratch: &mut Scratch,
) -> Result<Summary> {
    let n = mdp.n_states();
    let Scratch {
        rewards,
        values: w,
        power,
        q,
        best,
        inv_optimal,
        row,
    } = scratch;
    rewards.resize(n * count, 0.0);
    w.resize(n * count, 0.0);
    power.resize(n * count, 0.0);
    best.resize(count, 0.0);
    inv_optimal.resize(count, 0.0);
    dist.fill(opts.seed, first, count, opts.antithetic, rewards);
    let stats = solver.solve(rewards, count, w)?;

    let scale = solver.horizon().scale();
    let tie = solver.tie_tolerance();
    let obs = if opts.antithetic { count / 2 } else { count };
    let mut summary = Summary::empty(mdp);
    summary.power.count = obs as f64;
    summary.successor.count = obs as f64;
    let det = mdp.deterministic_successors();
    for s in 0..n {
        let acts = mdp.actions(s);
        // Action values: rows of W itself for deterministic MDPs, else computed.
        if det.is_none() {
            q.resize(acts.len() * count, 0.0);
            for (i, a) in acts.clone().enumerate() {
                action_values(mdp, w, count, a, &mut q[i * count..(i + 1) * count]);
            }
        }
        let q_row = |i: usize| -> &[f64] {
            match det {
                Some(next) => {
                    let t = next[acts.start + i] as usize;
                    &w[t * count..(t + 1) * count]
                }
                None => &q[i * count..(i + 1) * count],
            }
        };
        best.fill(f64::NEG_INFINITY);
        for i in 0..acts.len() {
            best.iter_mut()
                .zip(q_row(i))
                .for_each(|(b, &x)| *b = if x > *b { x } else { *b });
        }
        inv_optimal.fill(0.0);
        for i in 0..acts.len() {
            inv_optimal
                .iter_mut()
                .zip(q_row(i))
                .zip(best.iter())
                .for_each(|((k, &x), &b)| *k += (x >= b - tie) as u8 as f64);
        }
        summary.ties[s] = inv_optimal.iter().filter(|&&k| k > 1.0).count() as f64;
        inv_optimal.iter_mut().for_each(|k| *k = 1.0 / *k);
        for (i, a) in acts.clone().enumerate() {
            let (mut hits, mut share) = (0.0, 0.0);
            for ((&x, &b), &inv) in q_row(i).iter().zip(best.iter()).zip(inv_optimal.iter()) {
                let hit = (x >= b - tie) as u8 as f64;
                hits += hit;
                share += hit * inv;
            }
            summary.optimal[a] = hits;
            summary.share[a] = share;
        }
        let p = &mut power[s * count..(s + 1) * count];
        p.iter_mut().zip(best.iter()).for_each(|(p, &b)| *p = scale * b);
        (summary.power.mean[s], summary.power.m2[s]) = row_moments(p, opts.antithetic, row);
    }
    // POWER expected after each action. For deterministic MDPs it is the
    // successor's POWER, filled in from the merged totals instead.
    if det.is_none() {
        q.resize(count, 0.0);
        for a in 0..mdp.n_state_actions() {
            action_values(mdp, power, count, a, q);
            (summary.successor.mean[a], summary.successor.m2[a]) = row_moments(q, opts.antithetic, row);
        }
    }
    summary.samples = count;
    summary.stats = stats;
    Ok(summary)
}

/// The batch size `opts` implies for `mdp`.
pub fn batch_size(mdp: &Mdp, opts: &PowerOptions) -> Result<usize> {
    let batch = opts.batch.unwrap_or_else(|| default_batch(mdp.n_states()));
    if batch == 0 {
        return Err(Error::invalid("batch size must be positive"));
    }
    Ok(if opts.antithetic { batch + batch % 2 } else { batch })
}

/// Solve the batches of samples `first..end` in parallel waves and hand
/// each batch's partial to `sink` in batch order as its wave finishes, so at
/// most one wave of partials is held at a time (memory does not grow with
/// the number of samples). `first` must be a multiple of [`batch_size`].
fn run_batches(
    mdp: &Mdp,
    dist: &RewardDistribution,
    solver: &Solver,
    opts: &PowerOptions,
    (first, end): (usize, usize),
    progress: &dyn Progress,
    sink: &mut (dyn FnMut(PowerPartial) + Send),
) -> Result<()> {
    // Workers poll a relay of `progress` before each batch, so a cancel
    // takes effect within one batch rather than one wave.
    crate::progress::watch(progress, |progress| {
        run_waves(mdp, dist, solver, opts, (first, end), progress, sink)
    })
}

fn run_waves(
    mdp: &Mdp,
    dist: &RewardDistribution,
    solver: &Solver,
    opts: &PowerOptions,
    (first, end): (usize, usize),
    progress: &dyn Progress,
    sink: &mut (dyn FnMut(PowerPartial) + Send),
) -> Result<()> {
    let batch = batch_size(mdp, opts)?;
    let wave = wave_size(mdp);
    let mut start = first;
    while start < end {
        if progress.cancelled() {
            return Err(Error::Cancelled);
        }
        let starts: Vec<usize> = (start..end).step_by(batch).take(wave).collect();
        start = (start + batch * wave).min(end);
        let results: Vec<Result<PowerPartial>> = starts
            .par_iter()
            .map_init(Scratch::default, |scratch, &first| {
                crate::progress::check(progress)?;
                let count = batch.min(end - first);
                let summary = run_batch(mdp, dist, solver, opts, first, count, scratch)?;
                progress.advance(count as u64);
                Ok(PowerPartial { first, summary })
            })
            .collect();
        for r in results {
            sink(r?);
        }
    }
    Ok(())
}

/// Bytes of one batch's [`Summary`] for `mdp`.
pub(crate) fn summary_bytes(mdp: &Mdp) -> usize {
    8 * (3 * mdp.n_states() + 4 * mdp.n_state_actions())
}

/// Estimated peak memory in bytes of [`estimate_power`] on `mdp` with
/// `opts`, beyond the MDP itself: the accumulator and one wave of batch
/// summaries, each running batch's buffers (rewards, values, POWER, and the
/// solver's 8-sample lanes) and the report. It does not grow with the
/// number of samples.
pub fn power_memory(mdp: &Mdp, opts: &PowerOptions) -> Result<f64> {
    let (n, sa) = (mdp.n_states() as f64, mdp.n_state_actions() as f64);
    let batch = batch_size(mdp, opts)? as f64;
    let wave = wave_size(mdp) as f64;
    let running = wave.min(rayon::current_num_threads().max(1) as f64);
    let q = if mdp.is_deterministic() {
        0.0
    } else {
        8.0 * batch * mdp.max_actions() as f64
    };
    let buffers = 3.0 * 8.0 * n * batch + q + 2.0 * 64.0 * n;
    let report = 48.0 * n + 80.0 * sa;
    Ok((1.0 + wave) * summary_bytes(mdp) as f64 + running * buffers + report)
}

fn check_power_memory(mdp: &Mdp, opts: &PowerOptions) -> Result<()> {
    let bytes = power_memory(mdp, opts)?;
    let batch = batch_size(mdp, opts)?;
    crate::resources::check(bytes, || {
        use crate::resources::format_count as c;
        format!(
            "POWER over {} states and {} state-actions in batches of {} samples, {} batches at a time",
            c(mdp.n_states() as f64),
            c(mdp.n_state_actions() as f64),
            c(batch as f64),
            wave_size(mdp)
        )
    })
}

/// Batches solved in parallel before their partials are merged: a few per
/// thread, fewer when summaries are large (at most ~512 MiB of them).
fn wave_size(mdp: &Mdp) -> usize {
    let wave = (512 << 20) / summary_bytes(mdp).max(1);
    wave.clamp(1, 4 * rayon::current_num_threads().max(1))
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
    let solver = Solver::new(mdp, opts.horizon, opts.solver)?;
    let batch = batch_size(mdp, opts)?;
    check_power_memory(mdp, opts)?;
    if !samples.start.is_multiple_of(batch) || (opts.antithetic && !samples.end.is_multiple_of(2)) {
        return Err(Error::invalid(format!(
            "sample range {}..{} must start on a batch boundary (batch {batch}){}",
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
    run_batches(
        mdp,
        dist,
        &solver,
        opts,
        (samples.start, samples.end),
        progress,
        &mut |p| out.push(p),
    )?;
    Ok(out)
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
    Ok(report(mdp, dist, opts, total, batch_size(mdp, opts)?, 0.0))
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
    opts.validate()?;
    dist.validate(mdp.n_states(), opts.antithetic)?;
    dist.check_scale(opts.horizon)?;
    let solver = Solver::new(mdp, opts.horizon, opts.solver)?;
    let batch = batch_size(mdp, opts)?;
    check_power_memory(mdp, opts)?;
    let even = |x: usize| if opts.antithetic { x + x % 2 } else { x };
    let (mut wanted, max) = match opts.samples {
        SampleSize::Count(n) => (even(n), even(n)),
        SampleSize::StandardError { target, min, max } => {
            if !(target > 0.0 && target.is_finite()) {
                return Err(Error::invalid(format!(
                    "target standard error {target} must be positive"
                )));
            }
            (even(min.max(4)), even(max.max(min)))
        }
    };
    if wanted < 2 {
        return Err(Error::invalid("need at least 2 reward samples for a standard error"));
    }
    progress.set_total(wanted as u64);
    // Batches run in parallel in waves; summaries merge in batch order, so the
    // result does not depend on the number of threads.
    let mut total = Summary::empty(mdp);
    loop {
        let done = total.samples;
        run_batches(mdp, dist, &solver, opts, (done, wanted), progress, &mut |p| {
            total.merge(&p.summary)
        })?;
        let SampleSize::StandardError { target, .. } = opts.samples else {
            break;
        };
        let se = (0..mdp.n_states())
            .map(|s| total.power.standard_error(s))
            .fold(0.0, f64::max);
        if se <= target || wanted >= max {
            break;
        }
        // SE shrinks like 1/sqrt(n): aim 5% past the estimate of what is needed.
        let needed = (total.samples as f64 * (se / target).powi(2) * 1.05).ceil() as usize;
        wanted = even(needed.clamp(wanted + 2, max));
        progress.set_total(wanted as u64);
    }
    Ok(report(mdp, dist, opts, total, batch, started.elapsed().as_secs_f64()))
}

/// The report of merged statistics.
fn report(
    mdp: &Mdp,
    dist: &RewardDistribution,
    opts: &PowerOptions,
    mut total: Summary,
    batch: usize,
    seconds: f64,
) -> PowerReport {
    if let Some(next) = mdp.deterministic_successors() {
        for (a, &t) in next.iter().enumerate() {
            total.successor.mean[a] = total.power.mean[t as usize];
            total.successor.m2[a] = total.power.m2[t as usize];
        }
        total.successor.count = total.power.count;
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
        seconds,
    }
}

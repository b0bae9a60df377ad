//! `powerseek retarget ...`: orbit tendencies and retargetability checks (docs/theory.md §6).
//! Each subcommand parses its arguments into a library request, calls one
//! library function (`retarget::{orbit, check, mdp_tendency, learned}`) and
//! renders its report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;

use powerseek::plot::{save, EstimateBars, OutcomeBars, OutcomeRow};
use powerseek::retarget::compatible::{CompatibleReport, CompatibleRequest};
use powerseek::retarget::definition::{parse_permutations, Aggregator};
use powerseek::retarget::trained::{TrainedReport, TrainedRequest, TrainingRequest};
use powerseek::retarget::{
    self, CheckReport, CheckRequest, CycleReport, CycleRequest, LearnedReport, LearnedRequest, MdpTendencyReport,
    MdpTendencyRequest, MeanReport, MeanRequest, OrbitReport, OrbitRequest, OrbitRow, PomdpTendencyRequest,
    Retargetability,
};
use powerseek::stats::Estimate;

use crate::args::{plot_written, write_json, PlotArg, TableOrJson, TableOrJsonArg};

#[derive(Subcommand)]
pub enum RetargetCommand {
    /// Counts over the orbit of u of parameters where p(B) > p(A), =, <, per decision-maker.
    /// The picture (--plot) has, per decision-maker, stacked bars of the shares of the
    /// orbit where B is likelier (wins), equally likely (ties) and less likely (losses).
    Orbit {
        #[command(flatten)]
        sets: SetArgs,
        /// Decision-makers (comma-separated): argmax, argmin, boltzmann:β, best-of:k,
        /// satisficer:t, quantilizer:q, uniform. Default: one of each.
        #[arg(long)]
        decision: Option<String>,
        /// Sample this many random permutations instead of the whole orbit
        /// (needed beyond 20 entries of u).
        #[arg(long)]
        samples: Option<u64>,
        #[arg(long, default_value_t = OrbitRequest::default().seed)]
        seed: u64,
        /// Also take the orbits of this many uniform random parameters (seeded) and
        /// report the worst orbit: the "for every θ" quantifier, estimated.
        #[arg(long, default_value_t = OrbitRequest::default().parameters)]
        parameters: usize,
        /// Check B ≥_most^n A for this n (default: the number of disjoint copies of A in B).
        #[arg(long)]
        n: Option<u64>,
        #[command(flatten)]
        group: GroupArgs,
        #[command(flatten)]
        format: TableOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// First actions in an MDP: outcomes are the discounted visit distributions
    /// available from a state; A and B those starting with two given actions.
    /// The picture has stacked win/tie/loss bars of the worst orbit per decision-maker.
    Mdp(MdpArgs),
    /// First actions at a belief of a POMDP: outcomes are the discounted state
    /// occupancies of every observation-based policy tree of --horizon steps,
    /// or with --policies memoryless of every first action followed by a
    /// memoryless observation → action policy (docs/theory.md §12.5); A and B
    /// those starting with two given actions.
    Pomdp(PomdpArgs),
    /// Q-learning agents trained on reward functions drawn from the orbit of a
    /// random reward: how often does the learned policy's first move go each way?
    /// The picture is a bar chart of the fraction of agents taking each first move.
    Learned(LearnedArgs),
    /// Training-compatible goals (Krakovna & Kramár 2023): rewards drawn from a
    /// prior and kept when their optimal policy takes the observed training
    /// actions; how likely is the power-seeking choice B (over A) in a new
    /// situation among them, and under the prior?
    Compatible(CompatibleArgs),
    /// Built-in Q-learners (tabular or linear) as decision-makers over reward
    /// orbits: one trained per reward of each orbit (whole, or --samples random
    /// permutations), counting first moves likelier B than A, with Wilson intervals.
    Trained(TrainedArgs),
    /// Search for permutations witnessing (A→B) n-retargetability, or a counterexample.
    Check {
        #[command(flatten)]
        sets: SetArgs,
        /// One decision-maker (default argmax).
        #[arg(long)]
        decision: Option<String>,
        #[arg(long, default_value_t = CheckRequest::default().n)]
        n: usize,
        /// Random parameters to test besides u's orbit (seeded; default 200, none with --theta).
        #[arg(long)]
        parameters: Option<usize>,
        #[arg(long, default_value_t = CheckRequest::default().seed)]
        seed: u64,
        #[command(flatten)]
        group: GroupArgs,
        /// Check scalar-retargetability: the retargeted parameter favours B by at
        /// least as much as the parameter favoured A.
        #[arg(long)]
        scalar: bool,
        /// Drop the clause that the retargeted parameters be distinct (to see what it decides).
        #[arg(long)]
        no_distinct: bool,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
    /// Orbit-mean dominance: the aggregate over each orbit of p(B) against that of p(A), per decision-maker.
    Mean {
        #[command(flatten)]
        sets: SetArgs,
        /// Decision-makers (comma-separated); default: one of each.
        #[arg(long)]
        decision: Option<String>,
        /// How p(X|θ') is aggregated over an orbit: mean, min, max or median.
        #[arg(long, value_enum, default_value = "mean")]
        aggregator: AggregatorArg,
        /// Also the whole orbits of this many uniform random parameters (seeded).
        #[arg(long, default_value_t = 0)]
        parameters: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        group: GroupArgs,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
    /// Search outcome sets for a cycle X_1 >_most X_2 >_most … >_most X_1 (≥_most is not transitive).
    Cycle {
        /// The utility parameter u (comma-separated; its length is d).
        #[arg(long, allow_hyphen_values = true)]
        u: String,
        /// An outcome set (1-based indices, comma-separated); give at least two.
        #[arg(long = "set", required = true)]
        sets: Vec<String>,
        /// One decision-maker (default argmax).
        #[arg(long)]
        decision: Option<String>,
        /// Also the whole orbits of this many uniform random parameters (seeded).
        #[arg(long, default_value_t = 0)]
        parameters: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        group: GroupArgs,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
}

/// The aggregators of orbit-mean dominance.
#[derive(Clone, Copy, clap::ValueEnum)]
pub enum AggregatorArg {
    Mean,
    Min,
    Max,
    Median,
}

impl From<AggregatorArg> for Aggregator {
    fn from(a: AggregatorArg) -> Aggregator {
        match a {
            AggregatorArg::Mean => Aggregator::Mean,
            AggregatorArg::Min => Aggregator::Min,
            AggregatorArg::Max => Aggregator::Max,
            AggregatorArg::Median => Aggregator::Median,
        }
    }
}

/// Permutations as the images of `0..d`.
type Permutations = Vec<Vec<usize>>;
/// Parameter vectors.
type Parameters = Vec<Vec<f64>>;

/// The permutation group and the parameter set.
#[derive(clap::Args)]
pub struct GroupArgs {
    /// Generators of the group (default: all permutations, S_d), 1-based,
    /// separated by ';': cycle notation "(1 2 3)(4 5)" or images "2,3,1".
    #[arg(long)]
    generators: Option<String>,
    /// A finite parameter set Θ containing u: vectors separated by ';'
    /// (e.g. "1,2,3;3,2,1"); orbits are restricted to it.
    #[arg(long, allow_hyphen_values = true)]
    theta: Option<String>,
}

impl GroupArgs {
    /// `(generators, Θ)` for the library, 0-based.
    fn parse(&self, d: usize) -> Result<(Option<Permutations>, Option<Parameters>)> {
        let generators = self
            .generators
            .as_deref()
            .map(|g| parse_permutations(g, d).context("--generators"))
            .transpose()?;
        let theta = self
            .theta
            .as_deref()
            .map(|t| {
                t.split(';')
                    .filter(|v| !v.trim().is_empty())
                    .map(parse_numbers)
                    .collect::<Result<Vec<_>>>()
            })
            .transpose()
            .context("--theta")?;
        Ok((generators, theta))
    }
}

/// Outcomes are the unit vectors e_1..e_d; sets are 1-based indices.
#[derive(clap::Args)]
pub struct SetArgs {
    /// The utility parameter u (comma-separated; its length is d).
    #[arg(long, allow_hyphen_values = true)]
    u: String,
    /// Outcome set A, 1-based indices of e_i (e.g. 3).
    #[arg(long)]
    a: String,
    /// Outcome set B (e.g. 1,2).
    #[arg(long)]
    b: String,
}

/// An MDP, a state and the two first moves to compare there.
#[derive(clap::Args)]
pub struct MoveArgs {
    /// A deterministic MDP file (.grid, .json, .mdp).
    env: PathBuf,
    /// The state (by name, e.g. "start" or "(0,2)"); default: the file's start state.
    #[arg(long)]
    state: Option<String>,
    /// First action of set A (the one with fewer options, typically).
    #[arg(long)]
    a: String,
    /// First action of set B.
    #[arg(long)]
    b: String,
}

/// Which reward orbits `retarget mdp` and `retarget trained` take.
#[derive(clap::Args)]
pub struct RewardOrbitArgs {
    /// A reward function over the states (comma-separated, in the file's state
    /// order) whose orbit is taken first.
    #[arg(long, allow_hyphen_values = true)]
    u: Option<String>,
    /// Also take the orbits of this many uniform random reward functions (seeded;
    /// default 5 without --u, 0 with it).
    #[arg(long)]
    parameters: Option<usize>,
    /// Check B ≥_most^n A for this n (default 1).
    #[arg(long)]
    n: Option<u64>,
    /// Sample this many random permutations per orbit instead of enumerating each.
    #[arg(long)]
    samples: Option<u64>,
}

impl RewardOrbitArgs {
    /// `--u` parsed.
    fn u(&self) -> Result<Option<Vec<f64>>> {
        self.u.as_deref().map(parse_numbers).transpose()
    }
}

/// Arguments of `retarget mdp`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct MdpArgs {
    #[command(flatten)]
    moves: MoveArgs,
    /// Discount of the visit distributions, in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[arg(long)]
    decision: Option<String>,
    #[command(flatten)]
    orbits: RewardOrbitArgs,
    #[arg(long, default_value_t = MdpTendencyRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
    #[command(flatten)]
    plot: PlotArg,
}

/// Arguments of `retarget pomdp`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct PomdpArgs {
    /// A Cassandra .pomdp file.
    env: PathBuf,
    /// First action of set A.
    #[arg(long)]
    a: String,
    /// First action of set B.
    #[arg(long)]
    b: String,
    /// Steps of the policy trees (default 2; refused with --policies memoryless).
    #[arg(long)]
    horizon: Option<usize>,
    /// `trees`: every observation-based policy tree of --horizon steps;
    /// `memoryless`: every first action followed by a deterministic
    /// observation → action policy, discounted over the infinite horizon.
    #[arg(long, default_value = "trees")]
    policies: powerseek::retarget::PolicyClass,
    /// Per-step discount in (0, 1], (0, 1) for memoryless policies. Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    /// The belief, one probability per state, comma-separated (default: the file's start belief).
    #[arg(long)]
    belief: Option<String>,
    #[arg(long)]
    decision: Option<String>,
    #[command(flatten)]
    orbits: RewardOrbitArgs,
    #[arg(long, default_value_t = PomdpTendencyRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
}

/// Arguments of `retarget trained`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct TrainedArgs {
    #[command(flatten)]
    moves: MoveArgs,
    /// `tabular`, or `linear` (Q linear in the state's reward and the action's successor features).
    #[arg(long)]
    learner: Option<powerseek::retarget::learn::Learner>,
    /// Linear learner only: dimension of the successor features. Default: one per state.
    #[arg(long)]
    features: Option<usize>,
    /// Training episodes per learner (default 300).
    #[arg(long)]
    episodes: Option<usize>,
    /// Steps per episode (default 30).
    #[arg(long)]
    horizon: Option<usize>,
    /// Exploration rate in [0, 1] (default 0.3).
    #[arg(long)]
    epsilon: Option<f64>,
    /// Learning rate in (0, 1] (default 0.5).
    #[arg(long)]
    alpha: Option<f64>,
    /// Discount in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[command(flatten)]
    orbits: RewardOrbitArgs,
    #[arg(long, default_value_t = TrainedRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
}

/// Arguments of `retarget compatible`.
#[derive(clap::Args)]
pub struct CompatibleArgs {
    /// The new situation (--state, default: the file's start state) and its
    /// choices: A gives up options (e.g. shutdown), B is the power-seeking one.
    #[command(flatten)]
    moves: MoveArgs,
    /// An observed training choice, state=action (repeatable): a reward is
    /// compatible when that action is optimal there.
    #[arg(long = "observed", value_name = "STATE=ACTION")]
    observed: Vec<powerseek::retarget::compatible::Observed>,
    /// Reward prior, as `power --dist` (default: iid uniform on [0, 1]).
    #[arg(long)]
    dist: Option<String>,
    /// Discount in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    /// Rewards drawn from the prior.
    #[arg(long, default_value_t = CompatibleRequest::default().samples)]
    samples: u64,
    #[arg(long, default_value_t = CompatibleRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
}

/// Arguments of `retarget learned`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct LearnedArgs {
    #[command(flatten)]
    moves: MoveArgs,
    /// How the learners represent action values: `tabular`, or `linear`
    /// (Q linear in the state's reward and the action's successor features).
    #[arg(long, default_value = "tabular")]
    learner: powerseek::retarget::learn::Learner,
    /// Linear learner only: dimension of the successor features (a random
    /// projection of the successor distribution). Default: one per state.
    #[arg(long)]
    features: Option<usize>,
    #[arg(long, default_value_t = LearnedRequest::default().agents)]
    agents: usize,
    #[arg(long, default_value_t = LearnedRequest::default().episodes)]
    episodes: usize,
    /// Steps per episode.
    #[arg(long, default_value_t = LearnedRequest::default().horizon)]
    horizon: usize,
    #[arg(long, default_value_t = LearnedRequest::default().epsilon)]
    epsilon: f64,
    #[arg(long, default_value_t = LearnedRequest::default().alpha)]
    alpha: f64,
    /// Discount in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[arg(long, default_value_t = LearnedRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
    #[command(flatten)]
    plot: PlotArg,
}

/// Comma-separated numbers (`--u`).
fn parse_numbers(text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .with_context(|| format!("--u: '{x}' is not a number"))
        })
        .collect()
}

/// u, A and B from the command line's notation (A and B 1-based).
fn parse_sets(s: &SetArgs) -> Result<(Vec<f64>, Vec<usize>, Vec<usize>)> {
    let u = parse_numbers(&s.u)?;
    let d = u.len();
    Ok((u, one_based_set("--a", &s.a, d)?, one_based_set("--b", &s.b, d)?))
}

/// A set of 1-based outcome indices (comma-separated), 0-based.
fn one_based_set(flag: &str, text: &str, d: usize) -> Result<Vec<usize>> {
    text.split(',')
        .map(|x| {
            x.trim()
                .parse::<usize>()
                .ok()
                .filter(|&i| i >= 1 && i <= d)
                .map(|i| i - 1)
                .with_context(|| format!("{flag}: '{x}' is not an outcome index in 1..{d}"))
        })
        .collect()
}

pub fn run(cmd: RetargetCommand) -> Result<()> {
    match cmd {
        RetargetCommand::Orbit {
            sets,
            decision,
            samples,
            seed,
            parameters,
            n,
            group,
            format,
            plot,
        } => {
            let (u, a, b) = parse_sets(&sets)?;
            let (generators, theta) = group.parse(u.len())?;
            let request = OrbitRequest {
                u,
                a,
                b,
                decision,
                samples,
                seed,
                parameters,
                n,
                generators,
                theta,
                ..Default::default()
            };
            let bar = crate::progress::Bar::new("decision-makers");
            let report = retarget::orbit(&request, None, &bar)?;
            bar.finish();
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => orbit_table(&mut std::io::stdout().lock(), &sets, &report)?,
            }
            if let Some(path) = plot.plot {
                let title = format!(
                    "Orbit of u: is B likelier than A? A = {{{}}}, B = {{{}}}",
                    sets.a, sets.b
                );
                let outcomes = ["p(B) > p(A)", "p(B) = p(A)", "p(B) < p(A)"].map(String::from);
                tendency_chart(&report.results, title, outcomes, &path)?;
            }
        }
        RetargetCommand::Trained(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = TrainedRequest {
                state: args.moves.state.clone(),
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                u: args.orbits.u()?,
                parameters: args.orbits.parameters,
                samples: args.orbits.samples,
                seed: args.seed,
                n: args.orbits.n,
                chunks: None,
                training: Some(TrainingRequest {
                    learner: args.learner,
                    features: args.features,
                    episodes: args.episodes,
                    horizon: args.horizon,
                    epsilon: args.epsilon,
                    alpha: args.alpha,
                    gamma: args.gamma,
                }),
            };
            let bar = crate::progress::Bar::new("learners");
            let report = retarget::trained::trained_tendency(&mdp, &request, None, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => trained_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
        }
        RetargetCommand::Compatible(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = CompatibleRequest {
                training: args.observed.clone(),
                state: args.moves.state.clone(),
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                dist: args.dist.clone(),
                gamma: args.gamma,
                samples: args.samples,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("rewards");
            let report = retarget::compatible::compatible(&mdp, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => compatible_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
        }
        RetargetCommand::Pomdp(args) => {
            let m = powerseek::mdp::pomdp::Pomdp::load(&args.env)?;
            let request = PomdpTendencyRequest {
                a: args.a.clone(),
                b: args.b.clone(),
                horizon: args.horizon,
                policies: args.policies,
                gamma: args.gamma,
                belief: args.belief.as_deref().map(parse_numbers).transpose()?,
                decision: args.decision.clone(),
                u: args.orbits.u()?,
                parameters: args.orbits.parameters,
                n: args.orbits.n,
                samples: args.orbits.samples,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("decision-makers");
            let report = retarget::pomdp_tendency(&m, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => {
                    let out = &mut std::io::stdout().lock();
                    let class = match report.horizon {
                        Some(h) => format!("policy-tree outcomes ({h} steps, γ = {})", report.gamma),
                        None => format!("memoryless-policy outcomes (γ = {})", report.gamma),
                    };
                    writeln!(
                        out,
                        "{} at belief {:?}: {} {class} start with '{}', {} with '{}'; worst orbit of {} reward functions",
                        args.env.display(),
                        report.belief,
                        report.tendency.outcomes_a,
                        report.a,
                        report.tendency.outcomes_b,
                        report.b,
                        report.tendency.parameters
                    )?;
                    orbit_rows(
                        out,
                        &report.a,
                        &report.b,
                        report.tendency.n,
                        &report.tendency.worst_orbit,
                    )?;
                }
            }
        }
        RetargetCommand::Mdp(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = MdpTendencyRequest {
                state: args.moves.state.clone(),
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                gamma: args.gamma,
                decision: args.decision.clone(),
                u: args.orbits.u()?,
                parameters: args.orbits.parameters,
                n: args.orbits.n,
                samples: args.orbits.samples,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("decision-makers");
            let report = retarget::mdp_tendency(&mdp, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => mdp_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
            if let Some(path) = &args.plot.plot {
                let title = format!("Worst orbit at {}: '{}' against '{}'", report.state, report.b, report.a);
                let (a, b) = (&report.a, &report.b);
                let outcomes = [
                    format!("'{b}' likelier"),
                    "equally likely".to_string(),
                    format!("'{a}' likelier"),
                ];
                tendency_chart(&report.tendency.worst_orbit, title, outcomes, path)?;
            }
        }
        RetargetCommand::Learned(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = LearnedRequest {
                state: args.moves.state.clone(),
                learner: args.learner,
                features: args.features,
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                agents: args.agents,
                episodes: args.episodes,
                horizon: args.horizon,
                epsilon: args.epsilon,
                alpha: args.alpha,
                gamma: args.gamma,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("agents");
            let report = retarget::learned(&mdp, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => learned_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
            if let Some(path) = &args.plot.plot {
                learned_chart(&report, path)?;
            }
        }
        RetargetCommand::Check {
            sets,
            decision,
            n,
            parameters,
            seed,
            group,
            scalar,
            no_distinct,
            format,
        } => {
            let (u, a, b) = parse_sets(&sets)?;
            let (generators, theta) = group.parse(u.len())?;
            let request = CheckRequest {
                u,
                a,
                b,
                decision,
                n,
                parameters,
                seed,
                generators,
                theta,
                scalar,
                distinct: !no_distinct,
                ..Default::default()
            };
            let report = retarget::check(&request, None, &powerseek::NoProgress)?;
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => check_table(&mut std::io::stdout().lock(), &report)?,
            }
        }
        RetargetCommand::Mean {
            sets,
            decision,
            aggregator,
            parameters,
            seed,
            group,
            format,
        } => {
            let (u, a, b) = parse_sets(&sets)?;
            let (generators, theta) = group.parse(u.len())?;
            let request = MeanRequest {
                u,
                a,
                b,
                decision,
                generators,
                theta,
                aggregator: aggregator.into(),
                parameters,
                seed,
                ..Default::default()
            };
            let report = retarget::mean_dominance(&request, None, &powerseek::NoProgress)?;
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => mean_table(&mut std::io::stdout().lock(), &report)?,
            }
        }
        RetargetCommand::Cycle {
            u,
            sets,
            decision,
            parameters,
            seed,
            group,
            format,
        } => {
            let u = parse_numbers(&u)?;
            let d = u.len();
            let sets = sets
                .iter()
                .map(|s| one_based_set("--set", s, d))
                .collect::<Result<Vec<_>>>()?;
            let (generators, theta) = group.parse(d)?;
            let request = CycleRequest {
                u,
                sets,
                decision,
                generators,
                theta,
                parameters,
                seed,
                ..Default::default()
            };
            let report = retarget::most_cycle(&request, None, &powerseek::NoProgress)?;
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => cycle_table(&mut std::io::stdout().lock(), &report)?,
            }
        }
    }
    Ok(())
}

fn orbit_table(out: &mut impl Write, sets: &SetArgs, r: &OrbitReport) -> Result<()> {
    let what = if r.parameters > 0 {
        format!("the worst of the orbits of u and {} random parameters", r.parameters)
    } else {
        match r.samples {
            Some(k) => format!("{k} sampled permutations"),
            None => format!(
                "the whole orbit ({} distinct parameters)",
                r.orbit_size.map_or("more than 2^64".to_string(), |s| s.to_string())
            ),
        }
    };
    writeln!(
        out,
        "orbit of u = ({}) under S_{}: {what}; A = {{{}}}, B = {{{}}}",
        sets.u,
        r.u.len(),
        sets.a,
        sets.b
    )?;
    writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10} {:>7} {:>7} {:>7}  B ≥_most^{} A",
        "decision-maker", "p(B)>p(A)", "equal", "p(B)<p(A)", "wins", "ties", "losses", r.n
    )?;
    for row in &r.results {
        let ci = row
            .ci95
            .map_or(String::new(), |c| format!(" (wins 95% CI [{:.3}, {:.3}])", c[0], c[1]));
        let (t, f) = (row.tendency, row.shares);
        writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>7.4} {:>7.4} {:>7.4}  {}{ci}",
            row.decision,
            t.b_more,
            t.equal,
            t.a_more,
            f.wins,
            f.ties,
            f.losses,
            if row.holds { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

fn mdp_table(out: &mut impl Write, env: &Path, r: &MdpTendencyReport) -> Result<()> {
    let (a, b, t) = (&r.a, &r.b, &r.tendency);
    writeln!(
        out,
        "{} at state {}: {} visit distributions start with '{a}', {} with '{b}' (γ = {}); worst orbit of {} reward functions{}{}",
        env.display(),
        r.state,
        t.outcomes_a,
        t.outcomes_b,
        r.gamma,
        t.parameters,
        if t.u.is_some() { " (the given u and random ones)" } else { " (random)" },
        t.samples.map_or(String::new(), |k| format!(", {k} sampled permutations each"))
    )?;
    orbit_rows(out, a, b, t.n, &t.worst_orbit)
}

/// The worst-orbit rows of a first-move comparison.
fn orbit_rows(out: &mut impl Write, a: &str, b: &str, n: u64, rows: &[OrbitRow]) -> Result<()> {
    writeln!(
        out,
        "{:<16} {:>12} {:>10} {:>12} {:>7} {:>7} {:>7}  '{b}' ≥_most^{} '{a}'",
        "decision-maker",
        format!("'{b}' likelier"),
        "equal",
        format!("'{a}' likelier"),
        "wins",
        "ties",
        "losses",
        n
    )?;
    for row in rows {
        let (t, f) = (row.tendency, row.shares);
        writeln!(
            out,
            "{:<16} {:>12} {:>10} {:>12} {:>7.4} {:>7.4} {:>7.4}  {}",
            row.decision,
            t.b_more,
            t.equal,
            t.a_more,
            f.wins,
            f.ties,
            f.losses,
            if row.holds { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

fn trained_table(out: &mut impl Write, env: &Path, r: &TrainedReport) -> Result<()> {
    let (a, b) = (&r.a, &r.b);
    writeln!(
        out,
        "{} at state {}: {} trained {} times over {} reward orbits{}",
        env.display(),
        r.state,
        r.trainer,
        r.trained,
        r.orbits.len(),
        r.samples.map_or(" (whole orbits)".to_string(), |k| format!(
            " ({k} sampled permutations each)"
        ))
    )?;
    writeln!(
        out,
        "{:<6} {:>12} {:>8} {:>12} {:>8} {:>17}  '{b}' ≥_most^{} '{a}'",
        "orbit",
        format!("'{b}' likelier"),
        "equal",
        format!("'{a}' likelier"),
        "fraction",
        "95% CI",
        r.n
    )?;
    for (k, o) in r.orbits.iter().enumerate() {
        let (t, row) = (o.row.tendency, &o.row);
        let ci = row
            .ci95
            .map_or("-".to_string(), |c| format!("[{:.3}, {:.3}]", c[0], c[1]));
        let worst = if k == r.worst { " (worst)" } else { "" };
        let holds = if row.holds { "holds" } else { "fails" };
        writeln!(
            out,
            "{k:<6} {:>12} {:>8} {:>12} {:>8.4} {ci:>17}  {holds}{worst}",
            t.b_more, t.equal, t.a_more, row.fraction
        )?;
    }
    Ok(())
}

fn compatible_table(out: &mut impl Write, env: &Path, r: &CompatibleReport) -> Result<()> {
    let observed: Vec<String> = r.training.iter().map(|o| format!("{}={}", o.state, o.action)).collect();
    writeln!(
        out,
        "{}: {} rewards from {} (γ = {}), kept when optimal for the training behaviour [{}]",
        env.display(),
        r.samples,
        r.dist,
        r.gamma,
        observed.join(", ")
    )?;
    let p = |x: &powerseek::stats::Proportion| {
        format!(
            "{:.4} ± {:.4} (SE), 95% CI [{:.4}, {:.4}]",
            x.estimate, x.se, x.ci95[0], x.ci95[1]
        )
    };
    writeln!(
        out,
        "compatible: {} of {}, acceptance {}",
        r.acceptance.successes,
        r.samples,
        p(&r.acceptance)
    )?;
    let (a, b) = (&r.a, &r.b);
    writeln!(
        out,
        "at state {}: P(optimal choice likelier '{b}' than '{a}' | compatible) = {}",
        r.state,
        p(&r.power_seeking)
    )?;
    writeln!(out, "under the prior alone: {}", p(&r.prior_power_seeking))?;
    Ok(())
}

fn learned_table(out: &mut impl Write, env: &Path, r: &LearnedReport) -> Result<()> {
    let (a, b, t, x) = (&r.a, &r.b, &r.training, &r.result);
    writeln!(
        out,
        "{} at state {}: {} {} Q-learners ({} episodes × {} steps, ε = {}, α = {}, γ = {}), each on a random permutation of one random reward",
        env.display(),
        r.state,
        x.agents,
        match t.learner {
            powerseek::retarget::learn::Learner::Tabular => "tabular".to_string(),
            powerseek::retarget::learn::Learner::Linear => format!(
                "linear ({} successor features)",
                t.features.map_or("one-hot".to_string(), |k| k.to_string())
            ),
        },
        t.episodes,
        t.horizon,
        t.epsilon,
        t.alpha,
        t.gamma
    )?;
    writeln!(
        out,
        "first move '{b}': {:.1} agents, '{a}': {:.1}, other: {:.1}",
        x.chose_b, x.chose_a, x.chose_other
    )?;
    writeln!(
        out,
        "fraction choosing '{b}' over '{a}': {:.3}, 95% CI [{:.3}, {:.3}]",
        x.fraction_b, x.ci95[0], x.ci95[1]
    )?;
    Ok(())
}

fn check_table(out: &mut impl Write, r: &CheckReport) -> Result<()> {
    let one_based = |p: &[usize]| p.iter().map(|x| x + 1).collect::<Vec<_>>();
    let (dm, n) = (&r.decision, r.n);
    let what = match r.condition {
        powerseek::retarget::definition::Condition::Reversal => "retargetable",
        powerseek::retarget::definition::Condition::Scalar => "scalar-retargetable",
    };
    let group = r
        .group_order
        .map_or("a large group".into(), |o| format!("a group of order {o}"));
    writeln!(
        out,
        "{dm}, (A→B) {n}-{what} under {group}{}:",
        if r.distinct {
            ""
        } else {
            " (distinctness clause dropped)"
        }
    )?;
    for o in &r.orbits {
        writeln!(
            out,
            "  orbit of {:?} ({} elements): {} favour A, {} favour B: {}{}",
            o.representative,
            o.size,
            o.a_favoured,
            o.b_favoured,
            if o.retargetable {
                "retargetable, permutations chosen per parameter"
            } else {
                "not retargetable"
            },
            if o.retargetable != o.retargetable_without_distinctness {
                " (the distinctness clause decides: without it, retargetable)"
            } else {
                ""
            }
        )?;
    }
    writeln!(
        out,
        "  the same permutations for every tested parameter ({}):",
        r.search
    )?;
    match &r.result {
        Retargetability::Witness { permutations } => {
            writeln!(
                out,
                "{dm} is (A→B) {n}-{what} on {} tested parameters; witnesses (images of 1..d):",
                r.parameters_tested
            )?;
            for p in permutations {
                writeln!(out, "  {:?}", one_based(p))?;
            }
        }
        Retargetability::Counterexample { parameter, permutation } => {
            writeln!(out, "{dm} is not (A→B) {n}-{what} with the same permutations: at u = {parameter:?}, p(A) > p(B) but the permutation {:?} (the first candidate to fail) does not retarget it", one_based(permutation))?;
        }
        Retargetability::LeavesTheta { parameter, permutation } => {
            writeln!(out, "{dm} is not (A→B) {n}-{what} with the same permutations: the permutation {:?} takes u = {parameter:?} out of Θ", one_based(permutation))?;
        }
        Retargetability::NotDistinct {
            permutations,
            parameters,
        } => {
            writeln!(
                out,
                "{dm} is not (A→B) {n}-{what} with the same permutations: enough permutations retarget every tested parameter, but none give distinct retargeted parameters; e.g. {:?} at {:?} and {:?} at {:?} give the same one",
                one_based(&permutations[0]),
                parameters[0],
                one_based(&permutations[1]),
                parameters[1]
            )?;
        }
        Retargetability::NoCandidates => {
            writeln!(out, "B does not contain {n} disjoint copies of A: nothing to check")?
        }
    }
    Ok(())
}

fn mean_table(out: &mut impl Write, r: &MeanReport) -> Result<()> {
    writeln!(
        out,
        "Orbit-{:?} dominance of B over A on the worst of {} orbits{}",
        r.aggregator,
        r.orbits,
        r.group_order
            .map_or(String::new(), |o| format!(" (group of order {o})"))
    )?;
    writeln!(
        out,
        "{:<16} {:>12} {:>12} {:>12}  B ⪰ A",
        "decision-maker", "agg p(A)", "agg p(B)", "difference"
    )?;
    for row in &r.results {
        writeln!(
            out,
            "{:<16} {:>12.6} {:>12.6} {:>12.6}  {}",
            row.decision,
            row.aggregate_a,
            row.aggregate_b,
            row.difference,
            if row.dominates { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

fn cycle_table(out: &mut impl Write, r: &CycleReport) -> Result<()> {
    let show = |k: usize| format!("X{} = {:?}", k + 1, r.sets[k].iter().map(|x| x + 1).collect::<Vec<_>>());
    writeln!(
        out,
        "{}: >_most between {} outcome sets on {} orbits",
        r.decision,
        r.sets.len(),
        r.orbits
    )?;
    for [x, y] in &r.beats {
        writeln!(out, "  {} >_most {}", show(*x), show(*y))?;
    }
    match &r.cycle {
        Some(c) => {
            let names: Vec<String> = c.iter().chain(c.first()).map(|&k| format!("X{}", k + 1)).collect();
            writeln!(out, "cycle: {}", names.join(" >_most "))?;
        }
        None => writeln!(out, "no cycle")?,
    }
    Ok(())
}

/// Stacked bars: per decision-maker, the shares of the orbit where B is
/// likelier (wins), equally likely (ties) and less likely (losses).
fn tendency_chart(rows: &[OrbitRow], title: String, outcomes: [String; 3], path: &Path) -> Result<()> {
    let sampled = rows.iter().any(|r| r.shares_ci95.is_some());
    let chart = OutcomeBars {
        title,
        outcomes,
        x_label: "share of the orbit".into(),
        rows: rows
            .iter()
            .map(|r| OutcomeRow {
                name: r.decision.clone(),
                shares: [r.shares.wins, r.shares.ties, r.shares.losses],
                ci95: r.shares_ci95.map(|c| [c.wins, c.losses]),
                verdict: if r.holds { "holds".into() } else { "fails".into() },
            })
            .collect(),
        notes: vec![if sampled {
            "sampled permutations; whiskers: 95% Wilson intervals of the win and loss shares".into()
        } else {
            "exact: every element of the orbit counted".into()
        }],
    };
    save(&chart, path)?;
    plot_written(path);
    Ok(())
}

/// Bar chart of the fraction of agents taking each first move.
fn learned_chart(report: &LearnedReport, path: &Path) -> Result<()> {
    let (a, b, r) = (&report.a, &report.b, &report.result);
    let agents = r.agents as f64;
    let decided = (r.chose_a + r.chose_b).max(1.0);
    let share = |x: f64| x / agents;
    let names = vec![format!("'{b}'"), format!("'{a}'"), "other".to_string()];
    let point = |x: f64| Estimate {
        mean: share(x),
        se: 0.0,
        ci95: [share(x), share(x)],
    };
    let estimates = vec![
        Estimate {
            mean: share(r.chose_b),
            se: 0.0,
            ci95: [r.ci95[0] * decided / agents, r.ci95[1] * decided / agents],
        },
        point(r.chose_a),
        point(r.chose_other),
    ];
    let title = format!(
        "{} Q-learners' first moves ('{b}' over '{a}': {:.3})",
        r.agents,
        r.chose_b / decided
    );
    save(
        &EstimateBars {
            names: &names,
            estimates: &estimates,
            title,
            label: "fraction of agents".into(),
            x_label: "first move".into(),
            notes: vec!["whisker on the first bar: 95% Wilson interval of its share".into()],
        },
        path,
    )?;
    plot_written(path);
    Ok(())
}

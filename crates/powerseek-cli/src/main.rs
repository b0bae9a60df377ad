//! `powerseek`: the command-line front end. A thin layer: it parses
//! arguments, calls the library, and hands results to `output` for display.

mod conflict_cmd;
mod experiment_cmd;
mod game_cmd;
mod game_metrics;
mod multi_cmd;
mod output;
mod progress;
mod retarget_cmd;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand, ValueEnum};

use powerseek::mdp;
use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::RewardDistribution;
use powerseek::mdp::solve::{Horizon, Method, SolverOptions};

#[derive(Parser)]
    /// Refuse requests estimated to need more memory than this (e.g. 4G, 512M;
    /// default: half of physical memory).
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_memory_limit)]
    memory_limit: Option<u64>,
#[command(name = "powerseek", version, about = "Compute POWER and power-seeking tendencies in MDPs", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
fn parse_memory_limit(text: &str) -> Result<u64, String> {
    powerseek::resources::parse_size(text).map_err(|e| e.to_string())
}

}

#[derive(Subcommand)]
enum Command {
    /// POWER of every state of an MDP, with standard errors and optimal-action probabilities.
    Power(PowerArgs),
    /// Normal-form games: show, convert, and exact Nash equilibria.
    #[command(subcommand)]
    Game(game_cmd::GameCommand),
    /// Experiments over families of random games.
    #[command(subcommand)]
    Experiment(experiment_cmd::ExperimentCommand),
    /// Several agents in one gridworld: a focal agent's POWER against fixed other agents (docs/theory.md §8).
    #[command(subcommand)]
    Multi(multi_cmd::MultiCommand),
    /// Retargetable decision-makers: orbit tendencies and retargetability (docs/theory.md §6).
    #[command(subcommand)]
    Retarget(retarget_cmd::RetargetCommand),
    /// Conflict and alignment as vectors: escalation, phase diagrams, inference (docs/theory.md §9).
    #[command(subcommand)]
    Conflict(conflict_cmd::ConflictCommand),
}

#[derive(Clone, Copy, ValueEnum)]
    progress::install_interrupt_handler();
    let library_error = |e: &anyhow::Error, f: fn(&powerseek::Error) -> bool| {
        e.chain().any(|c| c.downcast_ref::<powerseek::Error>().is_some_and(f))
    };
pub enum Format {
        Ok(()) if progress::interrupted() => ExitCode::from(progress::INTERRUPTED_STATUS),
    Table,
        Err(e) if progress::interrupted() || library_error(&e, |e| matches!(e, powerseek::Error::Cancelled)) => {
            eprintln!("interrupted");
            ExitCode::from(progress::INTERRUPTED_STATUS)
        }
        Err(e) if library_error(&e, |e| matches!(e, powerseek::Error::MemoryLimit { .. })) => {
            eprintln!("error: {e:#} (raise it with --memory-limit)");
            ExitCode::from(2)
        }
    Json,
    Csv,
}

#[derive(Clone, Copy, ValueEnum)]
enum SolveMethod {
    /// Value iteration (Gauss–Seidel), any MDP.
    Vi,
    /// Exact policy iteration, deterministic MDPs; fast as γ → 1.
    Pi,
}

#[derive(clap::Args)]
struct PowerArgs {
    /// Environment file: .grid (ASCII gridworld), .json, or .mdp/.pomdp (Cassandra).
    env: PathBuf,
    /// Discount rate in (0,1); 0 and 1 give the γ→0 and γ→1 limits, computed directly.
    powerseek::resources::set_memory_limit(cli.memory_limit);
    /// Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    /// Reward distribution: uniform[:lo,hi], beta:a,b, bernoulli:p, normal:mean,sd,
    /// finite:v@p,..., or features:<one of those> for R = w·φ(s).
    #[arg(long, default_value = "uniform")]
    dist: String,
    /// Number of reward functions to sample.
    #[arg(long, short = 'n', default_value_t = 10_000, conflicts_with = "target_se")]
    samples: usize,
    /// Sample until every state's standard error is at most this.
    #[arg(long)]
    target_se: Option<f64>,
    /// Upper bound on samples with --target-se.
    #[arg(long, default_value_t = 10_000_000)]
    max_samples: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Draw rewards in antithetic pairs (variance reduction).
    #[arg(long)]
    antithetic: bool,
    #[arg(long, value_enum, default_value = "vi")]
    method: SolveMethod,
    /// Error bound on each sample's POWER from stopping value iteration.
    #[arg(long, default_value_t = 1e-6)]
    tolerance: f64,
    #[arg(long, default_value_t = 1_000_000)]
    max_iterations: usize,
    /// Reward samples solved together (default: sized to stay in cache).
    #[arg(long)]
    batch: Option<usize>,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Rows shown by the table format (the highest-POWER states when there are more).
    #[arg(long, default_value_t = 40)]
    rows: usize,
    /// Write a picture (.svg or .png): a heatmap for gridworlds, bars otherwise.
    #[arg(long)]
    plot: Option<PathBuf>,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // A closed pipe (`powerseek ... | head`) is not an error worth reporting.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Power(args) => power(args),
        Command::Conflict(cmd) => conflict_cmd::run(cmd),
        Command::Game(cmd) => game_cmd::run(cmd),
        Command::Experiment(cmd) => experiment_cmd::run(cmd),
        Command::Retarget(cmd) => retarget_cmd::run(cmd),
        Command::Multi(cmd) => multi_cmd::run(cmd),
    }
}

/// Load an MDP, printing the loader's notes (such as renormalised rows) on stderr.
pub fn load_mdp(path: &std::path::Path) -> Result<mdp::Mdp> {
    let m = mdp::load(path)?;
    for note in m.notes() {
        eprintln!("note: {note}");
    }
    Ok(m)
}

/// Use `threads` worker threads for all parallel work (default: all cores).
pub fn set_threads(threads: Option<usize>) -> Result<()> {
    if let Some(t) = threads {
        if t == 0 {
            bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(t)
            .build_global()
            .context("setting up threads")?;
    }
    Ok(())
}

fn power(args: PowerArgs) -> Result<()> {
    set_threads(args.threads)?;
    let mdp = load_mdp(&args.env)?;
    let gamma = args.gamma.or(mdp.discount()).unwrap_or(0.9);
    let horizon = match gamma {
        0.0 => Horizon::ZeroLimit,
        1.0 => Horizon::OneLimit,
        g => Horizon::Discounted(g),
    };
    let dist = RewardDistribution::parse_for(&args.dist, &mdp).context("--dist")?;
    let samples = match args.target_se {
        Some(target) => SampleSize::StandardError {
            target,
            min: 1_000.min(args.max_samples),
            max: args.max_samples,
        },
        None => SampleSize::Count(args.samples),
    };
    let method = match args.method {
        SolveMethod::Vi => Method::ValueIteration,
        SolveMethod::Pi => Method::PolicyIteration,
    };
    let opts = PowerOptions {
        horizon,
        solver: SolverOptions {
            method,
            tolerance: args.tolerance,
            max_iterations: args.max_iterations,
        },
        samples,
        seed: args.seed,
        antithetic: args.antithetic,
        batch: args.batch,
    };
    let bar = progress::Bar::new("samples");
    let report = estimate_power(&mdp, &dist, &opts, &bar)?;
    bar.finish();
    let env = args.env.display().to_string();
    let mut stdout = std::io::stdout().lock();
    match args.format {
        Format::Table => output::power_table(&mut stdout, &env, &mdp, &report, args.rows)?,
        Format::Json => output::power_json(&mut stdout, &env, &mdp, &report)?,
        Format::Csv => output::power_csv(&mut stdout, &mdp, &report)?,
    }
    if let Some(path) = &args.plot {
        output::power_plot(path, &env, &mdp, &report)?;
        eprintln!("plot written to {}", path.display());
    }
    Ok(())
}

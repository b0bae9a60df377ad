//! `powerseek`: the command-line front end. A thin layer: it parses
//! arguments, calls the library, and hands results to `output` for display.

mod args;
mod conflict_cmd;
mod experiment_cmd;
mod game_cmd;
mod game_metrics;
mod multi_cmd;
mod output;
mod pomdp_cmd;
mod power_cmd;
mod progress;
mod retarget_cmd;
mod stochastic_cmd;
mod visits_cmd;

use std::process::ExitCode;

use anyhow::{bail, Context, Result};
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use powerseek::mdp;

#[derive(Parser)]
#[command(name = "powerseek", version, about = "Compute POWER and power-seeking tendencies in MDPs", long_about = None)]
struct Cli {
    /// Refuse requests estimated to need more memory than this (e.g. 4G, 512M;
    /// default: half of physical memory).
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_memory_limit)]
    memory_limit: Option<u64>,
    #[command(subcommand)]
    command: Command,
}

fn parse_memory_limit(text: &str) -> Result<u64, String> {
    powerseek::resources::parse_size(text).map_err(|e| e.to_string())
}

#[derive(Subcommand)]
enum Command {
    /// POWER of every state of an MDP, with standard errors and optimal-action probabilities.
    Power(power_cmd::PowerArgs),
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
    /// Visit distributions of a state: F(s), ND(F(s)), recurrent distributions, exact optimality and POWER (docs/theory.md §2.7).
    Visits(visits_cmd::VisitArgs),
    /// Conflict and alignment as vectors: escalation, phase diagrams, inference (docs/theory.md §9).
    #[command(subcommand)]
    Conflict(conflict_cmd::ConflictCommand),
    /// Stochastic games: every player's POWER at equilibrium, total regret, power scarcity (docs/theory.md §11).
    #[command(subcommand)]
    Stochastic(stochastic_cmd::StochasticCommand),
    /// Partially observable MDPs: POWER at a belief (docs/theory.md §12).
    #[command(subcommand)]
    Pomdp(pomdp_cmd::PomdpCommand),
}

pub use args::Format;

fn main() -> ExitCode {
    progress::install_interrupt_handler();
    let library_error = |e: &anyhow::Error, f: fn(&powerseek::Error) -> bool| {
        e.chain().any(|c| c.downcast_ref::<powerseek::Error>().is_some_and(f))
    };
    let matches = Cli::command().get_matches();
    let flags = args::command_flags(&Cli::command(), &matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    match run(cli) {
        Ok(()) if progress::interrupted() => ExitCode::from(progress::INTERRUPTED_STATUS),
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if progress::interrupted() || library_error(&e, |e| matches!(e, powerseek::Error::Cancelled)) => {
            eprintln!("interrupted");
            ExitCode::from(progress::INTERRUPTED_STATUS)
        }
        Err(e) if library_error(&e, |e| matches!(e, powerseek::Error::MemoryLimit { .. })) => {
            eprintln!("error: {} (raise it with --memory-limit)", args::message(&e, &flags));
            ExitCode::from(2)
        }
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
            eprintln!("error: {}", args::message(&e, &flags));
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    powerseek::resources::set_memory_limit(cli.memory_limit);
    match cli.command {
        Command::Power(args) => power_cmd::run(args),
        Command::Conflict(cmd) => conflict_cmd::run(cmd),
        Command::Game(cmd) => game_cmd::run(cmd),
        Command::Experiment(cmd) => experiment_cmd::run(cmd),
        Command::Retarget(cmd) => retarget_cmd::run(cmd),
        Command::Multi(cmd) => multi_cmd::run(cmd),
        Command::Visits(args) => visits_cmd::run(args),
        Command::Stochastic(cmd) => stochastic_cmd::run(cmd),
        Command::Pomdp(cmd) => pomdp_cmd::run(cmd),
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

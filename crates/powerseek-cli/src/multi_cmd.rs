//! `powerseek multi ...`: several agents in one gridworld (SPEC 6).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::json;

use powerseek::joint::{focal_rewards, induced_mdp, uniform_policy, Grid, JointOptions, Turns};
use powerseek::plot::{save, GridHeatmap};
use powerseek::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::reward::Marginal;
use powerseek::solve::Horizon;

use crate::Format;

#[derive(Clone, Copy, ValueEnum)]
pub enum TurnOrder {
    Alternating,
    Simultaneous,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Other {
    /// The other agents move uniformly at random among their allowed moves.
    Random,
}

#[derive(Subcommand)]
pub enum MultiCommand {
    /// POWER of a focal agent at every joint state, with the other agents on fixed policies.
    Power {
        /// A gridworld (.grid) the agents share.
        grid: PathBuf,
        #[arg(long, default_value_t = 2)]
        agents: usize,
        /// Which agent's POWER (0-based).
        #[arg(long, default_value_t = 0)]
        focal: usize,
        #[arg(long, value_enum, default_value = "random")]
        other: Other,
        #[arg(long, value_enum, default_value = "alternating")]
        turns: TurnOrder,
        /// Two agents may not share a cell.
        #[arg(long)]
        no_overlap: bool,
        /// Probability that a move is replaced by a uniformly random allowed move.
        #[arg(long, default_value_t = 0.0)]
        noise: f64,
        #[arg(long, short, default_value_t = 0.9)]
        gamma: f64,
        /// Per-cell reward distribution of the focal agent (a marginal spec, e.g. uniform).
        #[arg(long, default_value = "uniform")]
        dist: String,
        #[arg(long, short = 'n', default_value_t = 2_000)]
        samples: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Heatmap of the focal agent's POWER per cell, averaged over the others' positions.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
}

pub fn run(cmd: MultiCommand) -> Result<()> {
    let MultiCommand::Power {
        grid,
        agents,
        focal,
        other,
        turns,
        no_overlap,
        noise,
        gamma,
        dist,
        samples,
        seed,
        format,
        plot,
    } = cmd;
    let base = powerseek::mdp::load(&grid)?;
    let g = Grid::from_gridworld(&base)?;
    let turns = match turns {
        TurnOrder::Alternating => Turns::Alternating,
        TurnOrder::Simultaneous => Turns::Simultaneous,
    };
    let opts = JointOptions {
        agents,
        turns,
        no_overlap,
        noise,
    };
    let Other::Random = other;
    let (mdp, states) = induced_mdp(&g, &opts, focal, &uniform_policy)?;
    let marginal: Marginal = dist.parse()?;
    let rewards = focal_rewards(&g, &states, focal, marginal);
    let horizon = if gamma > 0.0 && gamma < 1.0 {
        Horizon::Discounted(gamma)
    } else {
        bail!("--gamma must be in (0, 1)")
    };
    let po = PowerOptions {
        horizon,
        samples: SampleSize::Count(samples),
        seed,
        ..Default::default()
    };
    let bar = crate::progress::Bar::new("samples");
    let report = estimate_power(&mdp, &rewards, &po, &bar)?;
    bar.finish();
    // Marginalise over the other agents' positions (uniformly over joint states).
    let mut sum = vec![0.0; g.cells];
    let mut count = vec![0usize; g.cells];
    for (s, e) in states.iter().zip(&report.power) {
        sum[s[focal]] += e.mean;
        count[s[focal]] += 1;
    }
    let per_cell: Vec<f64> = sum
        .iter()
        .zip(&count)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect();
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let joint: Vec<_> = states
                .iter()
                .zip(&report.power)
                .map(|(s, e)| json!({"positions": s.iter().map(|&c| &g.names[c]).collect::<Vec<_>>(), "power": e}))
                .collect();
            let cells: Vec<_> = (0..g.cells)
                .map(|c| json!({"cell": g.names[c], "mean_power": per_cell[c]}))
                .collect();
            writeln!(
                out,
                "{}",
                serde_json::to_string_pretty(
                    &json!({"grid": grid.display().to_string(), "agents": agents, "focal": focal, "joint_states": states.len(), "samples": report.samples, "per_cell": cells, "joint": joint})
                )?
            )?;
        }
        _ => {
            writeln!(
                out,
                "{}: {agents} agents ({} joint states), focal agent {focal}, others random; γ = {gamma}, {} samples",
                grid.display(),
                states.len(),
                report.samples
            )?;
            writeln!(
                out,
                "{:<10} {:>12}   (mean over the other agents' positions; max SE {:.5})",
                "cell",
                "POWER",
                report.max_standard_error()
            )?;
            for (name, p) in g.names.iter().zip(&per_cell) {
                writeln!(out, "{name:<10} {p:>12.5}")?;
            }
        }
    }
    if let (Some(path), Some(layout)) = (plot, base.layout()) {
        save(
            &GridHeatmap {
                layout,
                values: &per_cell,
                title: format!(
                    "Agent {focal}'s POWER with {} random other agent(s) (γ = {gamma})",
                    agents - 1
                ),
                label: "POWER".into(),
            },
            &path,
        )?;
        eprintln!("plot written to {}", path.display());
    }
    Ok(())
}

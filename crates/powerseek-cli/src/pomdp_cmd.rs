//! `powerseek pomdp ...`: POWER at a belief of a small POMDP (docs/theory.md
//! §12). The arguments become a library `PomdpPowerRequest`; the JSON is its
//! `PomdpPowerReport`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use powerseek::mdp::pomdp::power::{pomdp_power, PomdpPowerReport, PomdpPowerRequest};
use powerseek::mdp::pomdp::Pomdp;
use powerseek::stats::Estimate;

use crate::args::{write_json, TableOrJson, TableOrJsonArg};

#[derive(Subcommand)]
pub enum PomdpCommand {
    /// POWER at a belief: exact for a finite --horizon, certified lower and upper bounds when discounted.
    Power(PowerArgs),
}

/// Arguments of `powerseek pomdp power`.
#[derive(Args)]
#[command(allow_negative_numbers = true)]
pub struct PowerArgs {
    /// A Cassandra .pomdp file (a .mdp file, or one without observations, is fully observed).
    env: PathBuf,
    /// A finite horizon of this many steps (exact); without it the discounted value is bracketed.
    #[arg(long)]
    horizon: Option<usize>,
    /// Discount: in (0, 1) when discounted (default: the file's, else 0.9); in (0, 1] with --horizon (default 1).
    #[arg(long, short)]
    gamma: Option<f64>,
    /// The belief, one probability per state, comma-separated (default: the file's start belief, else uniform).
    #[arg(long)]
    belief: Option<String>,
    /// Reward distribution over states: uniform[:lo,hi], bernoulli:p, finite:v@p,...
    #[arg(long, default_value_t = PomdpPowerRequest::default().dist, allow_hyphen_values = true)]
    dist: String,
    /// Reward samples.
    #[arg(long, short = 'n', default_value_t = PomdpPowerRequest::default().samples)]
    samples: usize,
    /// Seed of the reward samples (sample k is the same draw as in `powerseek power`).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Discounted: the largest gap between a sample's POWER bounds.
    #[arg(long, default_value_t = PomdpPowerRequest::default().tolerance)]
    tolerance: f64,
    /// Discounted: most point-based backups per sample.
    #[arg(long, default_value_t = PomdpPowerRequest::default().max_iterations)]
    max_iterations: usize,
    /// Discounted: beliefs used as points of the point-based backups.
    #[arg(long, default_value_t = PomdpPowerRequest::default().points)]
    points: usize,
    /// Discounted: most beliefs of the lookahead tree.
    #[arg(long, default_value_t = PomdpPowerRequest::default().lookahead)]
    lookahead: usize,
    /// Finite horizon: most reachable beliefs.
    #[arg(long, default_value_t = PomdpPowerRequest::default().max_beliefs)]
    max_beliefs: usize,
    #[command(flatten)]
    format: TableOrJsonArg,
}

fn belief(text: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|x| {
            x.trim()
                .parse::<f64>()
                .map_err(|_| anyhow::anyhow!("--belief: '{x}' is not a probability"))
        })
        .collect()
}

pub fn run(cmd: PomdpCommand) -> Result<()> {
    match cmd {
        PomdpCommand::Power(args) => {
            let m = Pomdp::load(&args.env)?;
            for note in m.mdp().notes() {
                eprintln!("note: {note}");
            }
            let request = PomdpPowerRequest {
                horizon: args.horizon,
                gamma: args.gamma,
                belief: args.belief.as_deref().map(belief).transpose()?,
                dist: args.dist.clone(),
                samples: args.samples,
                seed: args.seed,
                tolerance: args.tolerance,
                max_iterations: args.max_iterations,
                points: args.points,
                lookahead: args.lookahead,
                max_beliefs: args.max_beliefs,
            };
            let bar = crate::progress::Bar::new("samples");
            let report = pomdp_power(&m, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report),
                TableOrJson::Table => table(&mut std::io::stdout().lock(), &args.env.display().to_string(), &report),
            }
        }
    }
}

fn est(e: &Estimate) -> String {
    format!("{:.6} ± {:.6}", e.mean, e.se)
}

fn table(out: &mut impl Write, env: &str, r: &PomdpPowerReport) -> Result<()> {
    let horizon = match r.horizon {
        Some(h) => format!("horizon {h}, γ = {}", r.gamma),
        None => format!("γ = {}", r.gamma),
    };
    writeln!(
        out,
        "POWER at a belief of {env}: {} states, {} observations{}, {horizon}, rewards {}, {} samples, seed {}",
        r.states.len(),
        r.observations.len(),
        if r.fully_observed { " (fully observed)" } else { "" },
        r.distribution,
        r.samples,
        r.seed
    )?;
    let belief: Vec<String> = r
        .states
        .iter()
        .zip(&r.belief)
        .filter(|(_, &p)| p != 0.0)
        .map(|(s, p)| format!("{s}: {p}"))
        .collect();
    writeln!(out, "belief: {}", belief.join(", "))?;
    if r.exact {
        writeln!(
            out,
            "POWER = {}   (exact per sample; ± is the Monte Carlo standard error)",
            est(&r.power)
        )?;
    } else {
        writeln!(out, "POWER lower bound = {}", est(&r.power_lower))?;
        writeln!(out, "POWER upper bound = {}", est(&r.power_upper))?;
        writeln!(
            out,
            "largest gap of one sample {:.2e} (tolerance {:.1e}: {}), up to {} point-based backups",
            r.max_gap,
            r.tolerance,
            if r.reached { "reached" } else { "NOT reached" },
            r.iterations
        )?;
    }
    writeln!(out, "{} beliefs to depth {}", r.beliefs, r.depth)?;
    writeln!(
        out,
        "\n{:<16} {:>14} {:>14}",
        "first action", "P(optimal) ≥", "P(optimal) ≤"
    )?;
    for a in &r.first_actions {
        writeln!(
            out,
            "{:<16} {:>14.4} {:>14.4}",
            a.action, a.optimal_lower, a.optimal_upper
        )?;
    }
    Ok(())
}

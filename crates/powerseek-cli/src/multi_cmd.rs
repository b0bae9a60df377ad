//! `powerseek multi ...`: several agents in one gridworld (docs/theory.md §8).

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, Subcommand, ValueEnum};
use serde_json::json;

use powerseek::mdp::power::{estimate_power, PowerOptions, SampleSize};
use powerseek::mdp::reward::Marginal;
use powerseek::mdp::solve::Horizon;
use powerseek::mdp::GridLayout;
use powerseek::multiagent::joint::{
    cell_means, focal_rewards, induced_mdp, uniform_policy, Grid, JointDynamics, JointOptions, Turns,
};
use powerseek::multiagent::sequential::{
    per_cell, policy_from_json, rho_sweep, sequential_power, OtherPosition, Response, RewardSite, SeedPolicies,
    SequentialOptions, SequentialReport,
};
use powerseek::plot::{save, Band, BandChart, GridHeatmap, RGBColor, Row};
use powerseek::stats::Estimate;

use crate::Format;

#[derive(Clone, Copy, ValueEnum)]
pub enum TurnOrder {
    Alternating,
    Simultaneous,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Site {
    /// One reward per joint state (POWERplay's choice).
    Joint,
    /// One reward per grid cell, read at the agent's own cell.
    Cell,
}

/// The shared gridworld and its rules.
#[derive(Args)]
pub struct EnvArgs {
    /// A gridworld (.grid) the agents share.
    grid: PathBuf,
    #[arg(long, default_value_t = 2)]
    agents: usize,
    #[arg(long, value_enum, default_value = "alternating")]
    turns: TurnOrder,
    /// Two agents may not share a cell.
    #[arg(long)]
    no_overlap: bool,
    /// Probability that a move is replaced by a uniformly random allowed move.
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
}

/// How rewards are drawn and how the other agent responds (two agents, H = 0 and A = 1).
#[derive(Args)]
pub struct PlayArgs {
    /// The other agent's policy: random (uniform), fixed (the --seed-policy), optimal
    /// (for its own reward, against the agent's seed policy), boltzmann:β, or powerplay
    /// (POWERplay's protocol: H optimises against A's seed, A best-responds, H is evaluated).
    #[arg(long, default_value = "random")]
    other: String,
    /// A's seed policy, JSON `{"<joint state>": {"<move>": p}}` (default uniform random).
    #[arg(long)]
    seed_policy: Option<PathBuf>,
    /// Discount rate of H (and of A unless --gamma-other).
    #[arg(long, short, default_value_t = 0.9)]
    gamma: f64,
    #[arg(long)]
    gamma_other: Option<f64>,
    /// Where rewards are read: per joint state or per own cell.
    #[arg(long, value_enum, default_value = "joint")]
    reward_on: Site,
    /// Both agents' rewards are uniform on [lo, hi].
    #[arg(long, default_value = "0,1", value_parser = parse_interval)]
    interval: (f64, f64),
    #[arg(long, short = 'n', default_value_t = 1_000)]
    samples: usize,
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Value-iteration tolerance on each sample's POWER.
    #[arg(long, default_value_t = 1e-6)]
    tolerance: f64,
    #[arg(long, value_enum, default_value = "table")]
    format: Format,
    /// Per-cell summaries with the other agent standing at this cell (e.g. "(1,1)")
    /// instead of averaged over its positions.
    #[arg(long)]
    other_at: Option<String>,
}

#[derive(Subcommand)]
pub enum MultiCommand {
    /// Each agent's POWER at every joint state, given how the other agent responds.
    /// With more than two agents: the focal agent's POWER against uniformly random others.
    Power {
        #[command(flatten)]
        env: EnvArgs,
        #[command(flatten)]
        play: PlayArgs,
        /// Correlation of the two agents' rewards, in [−1, 1].
        #[arg(long, default_value_t = 0.0, allow_negative_numbers = true)]
        rho: f64,
        /// With more than two agents: which agent's POWER (0-based).
        #[arg(long, default_value_t = 0)]
        focal: usize,
        /// Heatmaps of each agent's POWER per cell (.svg or .png).
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Sweep the reward correlation ρ: each agent's mean POWER and their sum against ρ.
    Sweep {
        #[command(flatten)]
        env: EnvArgs,
        #[command(flatten)]
        play: PlayArgs,
        /// The ρ values: a comma-separated list, or `steps:K` for K evenly spaced values in [−1, 1].
        #[arg(long, default_value = "steps:9")]
        rhos: String,
        /// Σ POWER and each agent's POWER against ρ with 95% bands (.svg or .png).
        #[arg(long)]
        plot: Option<PathBuf>,
        /// Per-cell heatmaps of both agents at the lowest and highest ρ, written as
        /// <stem>-rho<ρ>.<ext> beside this path.
        #[arg(long)]
        heatmaps: Option<PathBuf>,
    },
}

fn parse_interval(s: &str) -> std::result::Result<(f64, f64), String> {
    let (lo, hi) = s.split_once(',').ok_or("expected lo,hi")?;
    let (lo, hi): (f64, f64) = (
        lo.trim().parse().map_err(|_| format!("'{lo}' is not a number"))?,
        hi.trim().parse().map_err(|_| format!("'{hi}' is not a number"))?,
    );
    if lo.is_finite() && hi.is_finite() && lo < hi {
        Ok((lo, hi))
    } else {
        Err(format!("need finite lo < hi, got {lo},{hi}"))
    }
}

fn parse_rhos(s: &str) -> Result<Vec<f64>> {
    let rhos: Vec<f64> = match s.strip_prefix("steps:") {
        Some(k) => {
            let k: usize = k.parse().with_context(|| format!("--rhos steps:{k}: not a count"))?;
            if k < 2 {
                bail!("--rhos steps:K needs K ≥ 2");
            }
            (0..k).map(|i| -1.0 + 2.0 * i as f64 / (k - 1) as f64).collect()
        }
        None => s
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .with_context(|| format!("--rhos: '{x}' is not a number"))
            })
            .collect::<Result<_>>()?,
    };
    if let Some(bad) = rhos.iter().find(|r| !(-1.0..=1.0).contains(*r)) {
        bail!("--rhos: {bad} is outside [−1, 1]");
    }
    Ok(rhos)
}

fn load_env(env: &EnvArgs) -> Result<(Grid, Option<GridLayout>, JointOptions)> {
    let base = crate::load_mdp(&env.grid)?;
    let grid = Grid::from_gridworld(&base)?;
    let opts = JointOptions {
        agents: env.agents,
        turns: match env.turns {
            TurnOrder::Alternating => Turns::Alternating,
            TurnOrder::Simultaneous => Turns::Simultaneous,
        },
        no_overlap: env.no_overlap,
        noise: env.noise,
    };
    Ok((grid, base.layout().cloned(), opts))
}

/// Everything a two-agent run needs, loaded and checked once before computing.
struct Setup {
    /// Cell names of the grid.
    names: Vec<String>,
    layout: Option<GridLayout>,
    dynamics: JointDynamics,
    seeds: SeedPolicies,
    options: SequentialOptions,
    /// Where per-cell summaries put the other agent (`--other-at`).
    at: OtherPosition,
}

fn prepare(env: &EnvArgs, play: &PlayArgs, rho: f64) -> Result<Setup> {
    let (grid, layout, opts) = load_env(env)?;
    if env.agents != 2 {
        bail!(
            "responses and reward correlation are defined for two agents (H and A); got --agents {}",
            env.agents
        );
    }
    let dynamics = JointDynamics::new(&grid, &opts)?;
    let other = play.other.as_str();
    let response: Response = other.parse().map_err(|e| anyhow::anyhow!("--{e}"))?;
    let mut seeds = SeedPolicies::uniform(&dynamics);
    match (&play.seed_policy, other) {
        (Some(_), "random") => bail!("--other random ignores --seed-policy; use --other fixed"),
        (None, "fixed") => bail!("--other fixed needs --seed-policy FILE"),
        (Some(path), _) => {
            let text = powerseek::error::read_text(path)?;
            seeds.0[1] = policy_from_json(&dynamics, 1, &text, &path.display().to_string())?;
        }
        (None, _) => {}
    }
    let options = SequentialOptions {
        gamma: [play.gamma, play.gamma_other.unwrap_or(play.gamma)],
        rho,
        lo: play.interval.0,
        hi: play.interval.1,
        site: match play.reward_on {
            Site::Joint => RewardSite::JointState,
            Site::Cell => RewardSite::OwnCell,
        },
        response,
        samples: play.samples,
        seed: play.seed,
        tolerance: play.tolerance,
    };
    let at = match &play.other_at {
        None => OtherPosition::Uniform,
        Some(cell) => match grid.names.iter().position(|n| n == cell) {
            Some(c) => OtherPosition::At(c),
            None => bail!(
                "--other-at '{cell}' is not a cell of the grid (cells are named like {})",
                grid.names[0]
            ),
        },
    };
    Ok(Setup {
        names: grid.names,
        layout,
        dynamics,
        seeds,
        options,
        at,
    })
}

pub fn run(cmd: MultiCommand) -> Result<()> {
    match cmd {
        MultiCommand::Power {
            env,
            play,
            rho,
            focal,
            plot,
        } => {
            if focal >= env.agents || (env.agents == 2 && focal != 0) {
                bail!(
                    "--focal {focal}: with two agents both are reported; with more, name one of 0..{}",
                    env.agents
                );
            }
            if env.agents > 2 {
                return focal_power_many_agents(&env, &play, focal, plot.as_deref());
            }
            let setup = prepare(&env, &play, rho)?;
            let bar = crate::progress::Bar::new("samples");
            let report = sequential_power(&setup.dynamics, &setup.seeds, &setup.options, &bar)?;
            bar.finish();
            print_power(&env, &play, &setup, &report)?;
            if let Some(path) = plot {
                heatmaps(&path, &setup, &report, &short(rho))?;
            }
            Ok(())
        }
        MultiCommand::Sweep {
            env,
            play,
            rhos,
            plot,
            heatmaps: heatmap_path,
        } => {
            let rhos = parse_rhos(&rhos)?;
            let setup = prepare(&env, &play, 0.0)?;
            let bar = crate::progress::Bar::new("samples");
            let sweep = rho_sweep(&setup.dynamics, &setup.seeds, &setup.options, &rhos, &bar)?;
            bar.finish();
            print_sweep(&env, &play, &setup, &sweep)?;
            if let Some(path) = plot {
                sweep_chart(&path, &env, &play, &sweep)?;
            }
            if let Some(path) = heatmap_path {
                let ends = [sweep.first(), sweep.last()];
                for (rho, report) in ends.into_iter().flatten() {
                    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("heatmap");
                    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("svg");
                    let file = path.with_file_name(format!("{stem}-rho{rho}.{ext}"));
                    heatmaps(&file, &setup, report, &short(*rho))?;
                }
            }
            Ok(())
        }
    }
}

fn describe(play: &PlayArgs, rho: f64) -> String {
    format!("other: {}, ρ = {rho}, γ = {}", play.other, play.gamma)
}

fn short(rho: f64) -> String {
    format!("ρ = {rho}")
}

fn means(e: &[Estimate]) -> Vec<f64> {
    e.iter().map(|x| x.mean).collect()
}

fn print_power(env: &EnvArgs, play: &PlayArgs, setup: &Setup, r: &SequentialReport) -> Result<()> {
    let Setup {
        names,
        dynamics,
        options: opts,
        at,
        ..
    } = setup;
    let at = *at;
    let cells = [
        per_cell(dynamics, 0, &means(&r.power[0]), at),
        per_cell(dynamics, 1, &means(&r.power[1]), at),
    ];
    let mut out = std::io::stdout().lock();
    match play.format {
        Format::Json => {
            let joint: Vec<_> = (0..dynamics.n_states())
                .map(|s| json!({"state": dynamics.state_names()[s], "power_h": r.power[0][s], "power_a": r.power[1][s], "total": r.total[s]}))
                .collect();
            let per_cell: Vec<_> = names
                .iter()
                .enumerate()
                .map(|(c, n)| json!({"cell": n, "power_h": cells[0][c], "power_a": cells[1][c]}))
                .collect();
            let doc = json!({
                "grid": env.grid.display().to_string(), "joint_states": dynamics.n_states(),
                "other": play.other, "rho": opts.rho, "gamma": opts.gamma, "samples": r.samples, "seed": opts.seed,
                "reward_correlation": r.reward_correlation, "power_correlation_over_states": r.power_correlation,
                "mean_power_h": r.mean_power[0], "mean_power_a": r.mean_power[1], "mean_total": r.mean_total,
                "per_cell": per_cell, "joint": joint,
            });
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Csv => {
            writeln!(out, "state,power_h,se_h,power_a,se_a,total,se_total")?;
            for s in 0..dynamics.n_states() {
                let (h, a, t) = (r.power[0][s], r.power[1][s], r.total[s]);
                writeln!(
                    out,
                    "{},{},{},{},{},{},{}",
                    dynamics.state_names()[s],
                    h.mean,
                    h.se,
                    a.mean,
                    a.se,
                    t.mean,
                    t.se
                )?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{}: 2 agents, {} joint states; {}; {} samples (achieved reward correlation {:.3})",
                env.grid.display(),
                dynamics.n_states(),
                describe(play, opts.rho),
                r.samples,
                r.reward_correlation
            )?;
            let placement = match &play.other_at {
                Some(cell) => format!("the other agent at {cell}"),
                None => "mean over the other agent's positions".into(),
            };
            writeln!(
                out,
                "{:<10} {:>10} {:>10}   (per cell: {placement})",
                "cell", "POWER_H", "POWER_A"
            )?;
            for (c, n) in names.iter().enumerate() {
                writeln!(out, "{n:<10} {:>10.5} {:>10.5}", cells[0][c], cells[1][c])?;
            }
            let show = |e: &Estimate| format!("{:.5} ± {:.5} (95% CI {:.5}–{:.5})", e.mean, e.se, e.ci95[0], e.ci95[1]);
            writeln!(out, "mean over joint states: POWER_H {}", show(&r.mean_power[0]))?;
            writeln!(out, "                        POWER_A {}", show(&r.mean_power[1]))?;
            writeln!(out, "                        sum     {}", show(&r.mean_total))?;
            writeln!(
                out,
                "correlation of POWER_H and POWER_A over joint states: {:.3}",
                r.power_correlation
            )?;
        }
    }
    Ok(())
}

fn print_sweep(env: &EnvArgs, play: &PlayArgs, setup: &Setup, sweep: &[(f64, SequentialReport)]) -> Result<()> {
    let (dynamics, at) = (&setup.dynamics, setup.at);
    let mut out = std::io::stdout().lock();
    match play.format {
        Format::Json => {
            let rows: Vec<_> = sweep
                .iter()
                .map(|(rho, r)| {
                    json!({"rho": rho, "reward_correlation": r.reward_correlation,
                           "power_correlation_over_states": r.power_correlation, "mean_power_h": r.mean_power[0],
                           "mean_power_a": r.mean_power[1], "mean_total": r.mean_total,
                           "per_cell_h": per_cell(dynamics, 0, &means(&r.power[0]), at),
                           "per_cell_a": per_cell(dynamics, 1, &means(&r.power[1]), at)})
                })
                .collect();
            let doc = json!({"grid": env.grid.display().to_string(), "joint_states": dynamics.n_states(),
                             "other": play.other, "gamma": play.gamma, "samples": play.samples, "seed": play.seed, "sweep": rows});
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        Format::Csv => {
            writeln!(
                out,
                "rho,achieved_rho,power_h,se_h,power_a,se_a,total,se_total,power_correlation"
            )?;
            for (rho, r) in sweep {
                let [h, a] = r.mean_power;
                let t = r.mean_total;
                writeln!(
                    out,
                    "{rho},{},{},{},{},{},{},{},{}",
                    r.reward_correlation, h.mean, h.se, a.mean, a.se, t.mean, t.se, r.power_correlation
                )?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{}: 2 agents, {} joint states; other: {}, γ = {}; {} samples per ρ (mean over joint states ± SE)",
                env.grid.display(),
                dynamics.n_states(),
                play.other,
                play.gamma,
                play.samples
            )?;
            writeln!(
                out,
                "{:>6} {:>8} {:>20} {:>20} {:>20} {:>12}",
                "ρ", "achieved", "POWER_H", "POWER_A", "sum", "corr(H,A)"
            )?;
            let show = |e: &Estimate| format!("{:.4} ± {:.4}", e.mean, e.se);
            for (rho, r) in sweep {
                writeln!(
                    out,
                    "{rho:>6.2} {:>8.3} {:>20} {:>20} {:>20} {:>12.3}",
                    r.reward_correlation,
                    show(&r.mean_power[0]),
                    show(&r.mean_power[1]),
                    show(&r.mean_total),
                    r.power_correlation
                )?;
            }
        }
    }
    Ok(())
}

fn sweep_chart(path: &Path, env: &EnvArgs, play: &PlayArgs, sweep: &[(f64, SequentialReport)]) -> Result<()> {
    let band = |label: &str, color: RGBColor, f: &dyn Fn(&SequentialReport) -> Estimate| Band {
        label: label.into(),
        color,
        points: sweep
            .iter()
            .map(|(rho, r)| (*rho, f(r).mean, f(r).ci95[0], f(r).ci95[1]))
            .collect(),
    };
    let chart = BandChart {
        title: format!(
            "Sequential power-scarcity: {} (other: {}, γ = {})",
            env.grid.file_name().and_then(|s| s.to_str()).unwrap_or("grid"),
            play.other,
            play.gamma
        ),
        x_label: "ρ (reward correlation: −1 opposed … 1 identical)".into(),
        y_label: "mean POWER over joint states (95% CI)".into(),
        series: vec![
            band("POWER_H + POWER_A", RGBColor(31, 90, 200), &|r| r.mean_total),
            band("POWER_H", RGBColor(40, 150, 60), &|r| r.mean_power[0]),
            band("POWER_A", RGBColor(210, 40, 40), &|r| r.mean_power[1]),
        ],
    };
    save(&chart, path)?;
    eprintln!("plot written to {}", path.display());
    Ok(())
}

fn heatmaps(path: &Path, setup: &Setup, report: &SequentialReport, what: &str) -> Result<()> {
    let Some(layout) = &setup.layout else {
        bail!("{}: heatmaps need a gridworld layout", path.display());
    };
    let values = [0, 1].map(|i| per_cell(&setup.dynamics, i, &means(&report.power[i]), setup.at));
    let panels = ["H", "A"]
        .iter()
        .zip(&values)
        .map(|(agent, v)| GridHeatmap {
            layout,
            values: v,
            title: format!("{agent}'s POWER, {what}"),
            label: format!("POWER_{agent}"),
        })
        .collect();
    save(&Row { panels }, path)?;
    eprintln!("plot written to {}", path.display());
    Ok(())
}

/// More than two agents: the focal agent's POWER against uniformly random
/// others, all reward samples solved in one batch on the induced MDP.
fn focal_power_many_agents(env: &EnvArgs, play: &PlayArgs, focal: usize, plot: Option<&Path>) -> Result<()> {
    if play.other != "random" {
        bail!("with more than two agents only --other random is available");
    }
    let (grid, layout, opts) = load_env(env)?;
    let (mdp, states) = induced_mdp(&grid, &opts, focal, &uniform_policy)?;
    let marginal = Marginal::Uniform {
        lo: play.interval.0,
        hi: play.interval.1,
    };
    let rewards = match play.reward_on {
        Site::Cell => focal_rewards(&grid, &states, focal, marginal),
        Site::Joint => powerseek::mdp::reward::RewardDistribution::Iid(marginal),
    };
    if !(play.gamma > 0.0 && play.gamma < 1.0) {
        bail!("--gamma must be in (0, 1)");
    }
    let po = PowerOptions {
        horizon: Horizon::Discounted(play.gamma),
        samples: SampleSize::Count(play.samples),
        seed: play.seed,
        ..Default::default()
    };
    let bar = crate::progress::Bar::new("samples");
    let report = estimate_power(&mdp, &rewards, &po, &bar)?;
    bar.finish();
    let cells = cell_means(grid.cells, &means(&report.power), |s| Some(states[s][focal]));
    let mut out = std::io::stdout().lock();
    match play.format {
        Format::Json => {
            let joint: Vec<_> = states
                .iter()
                .zip(&report.power)
                .map(|(s, e)| json!({"positions": s.iter().map(|&c| &grid.names[c]).collect::<Vec<_>>(), "power": e}))
                .collect();
            let per_cell: Vec<_> = (0..grid.cells)
                .map(|c| json!({"cell": grid.names[c], "mean_power": cells[c]}))
                .collect();
            let doc = json!({"grid": env.grid.display().to_string(), "agents": env.agents, "focal": focal,
                             "joint_states": states.len(), "samples": report.samples, "per_cell": per_cell, "joint": joint});
            writeln!(out, "{}", serde_json::to_string_pretty(&doc)?)?;
        }
        _ => {
            writeln!(
                out,
                "{}: {} agents ({} joint states), focal agent {focal}, others random; γ = {}, {} samples",
                env.grid.display(),
                env.agents,
                states.len(),
                play.gamma,
                report.samples
            )?;
            writeln!(
                out,
                "{:<10} {:>12}   (mean over the other agents' positions; max SE {:.5})",
                "cell",
                "POWER",
                report.max_standard_error()
            )?;
            for (name, p) in grid.names.iter().zip(&cells) {
                writeln!(out, "{name:<10} {p:>12.5}")?;
            }
        }
    }
    if let (Some(path), Some(layout)) = (plot, layout.as_ref()) {
        let title = format!(
            "Agent {focal}'s POWER with {} random other agents (γ = {})",
            env.agents - 1,
            play.gamma
        );
        save(
            &GridHeatmap {
                layout,
                values: &cells,
                title,
                label: "POWER".into(),
            },
            path,
        )?;
        eprintln!("plot written to {}", path.display());
    }
    Ok(())
}

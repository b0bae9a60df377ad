//! `powerseek multi ...`: several agents in one gridworld (docs/theory.md §8). The arguments
//! become a library `MultiRequest`; `multiagent::power` and
//! `multiagent::sweep` hold every rule (responses, seed policies, the other
//! agent's cell, what applies with more than two agents) and return the
//! reports rendered here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, Subcommand, ValueEnum};

use powerseek::mdp::Mdp;
use powerseek::multiagent::joint::Turns;
use powerseek::multiagent::sequential::RewardSite;
use powerseek::multiagent::{
    self, parse_rhos, FocalPower, MultiPower, MultiRequest, RhoPoint, RhoSweep, TwoAgentPower, TwoAgentSetting,
};
use powerseek::plot::{save, series_colour, Band, BandChart, GridHeatmap, RGBColor, Row};
use powerseek::stats::Estimate;

use crate::args::{plot_written, write_json, Format, FormatArg, PlotArg};

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
    #[arg(long, default_value_t = MultiRequest::default().agents)]
    agents: usize,
    #[arg(long, value_enum, default_value = "alternating")]
    turns: TurnOrder,
    /// Two agents may not share a cell.
    #[arg(long)]
    no_overlap: bool,
    /// Probability that a move is replaced by a uniformly random allowed move.
    #[arg(long, default_value_t = MultiRequest::default().noise)]
    noise: f64,
}

/// How rewards are drawn and how the other agent responds (two agents, H = 0 and A = 1).
#[derive(Args)]
pub struct PlayArgs {
    /// The other agent's policy: random (uniform), fixed (the --seed-policy), optimal
    /// (for its own reward, against the agent's seed policy), boltzmann:β, or powerplay
    /// (POWERplay's protocol: H optimises against A's seed, A best-responds, H is evaluated).
    #[arg(long, default_value_t = MultiRequest::default().other, allow_hyphen_values = true)]
    other: String,
    /// A's seed policy, JSON `{"<joint state>": {"<move>": p}}` (default uniform random).
    #[arg(long)]
    seed_policy: Option<PathBuf>,
    /// Discount rate of H (and of A unless --gamma-other). Default: 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[arg(long)]
    gamma_other: Option<f64>,
    /// Where rewards are read: per joint state or per own cell.
    #[arg(long, value_enum, default_value = "joint")]
    reward_on: Site,
    /// Both agents' rewards are uniform on [lo, hi].
    #[arg(long, default_value = "0,1", value_parser = parse_interval, allow_hyphen_values = true)]
    interval: (f64, f64),
    #[arg(long, short = 'n', default_value_t = MultiRequest::default().samples)]
    samples: usize,
    #[arg(long, default_value_t = MultiRequest::default().seed)]
    seed: u64,
    /// Value-iteration tolerance on each sample's POWER.
    #[arg(long, default_value_t = MultiRequest::default().tolerance)]
    tolerance: f64,
    #[command(flatten)]
    format: FormatArg,
    /// Per-cell summaries with the other agent standing at this cell (e.g. "(1,1)")
    /// instead of averaged over its positions.
    #[arg(long)]
    other_at: Option<String>,
}

#[derive(Subcommand)]
pub enum MultiCommand {
    /// Each agent's POWER at every joint state, given how the other agent responds.
    /// With more than two agents: the focal agent's POWER against uniformly random others.
    /// The picture (--plot) has heatmaps of each agent's POWER per cell.
    #[command(allow_negative_numbers = true)]
    Power {
        #[command(flatten)]
        env: EnvArgs,
        #[command(flatten)]
        play: PlayArgs,
        /// Correlation of the two agents' rewards, in [−1, 1] (default 0).
        #[arg(long)]
        rho: Option<f64>,
        /// With more than two agents: which agent's POWER (0-based; default 0).
        #[arg(long)]
        focal: Option<usize>,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// Sweep the reward correlation ρ: each agent's mean POWER and their sum against ρ.
    /// The picture (--plot) has Σ POWER and each agent's POWER against ρ with 95% bands.
    #[command(allow_negative_numbers = true)]
    Sweep {
        #[command(flatten)]
        env: EnvArgs,
        #[command(flatten)]
        play: PlayArgs,
        /// The ρ values: a comma-separated list, or `steps:K` for K evenly spaced values in [−1, 1].
        #[arg(long, default_value = "steps:9", allow_hyphen_values = true)]
        rhos: String,
        #[command(flatten)]
        plot: PlotArg,
        /// Per-cell heatmaps of both agents at the lowest and highest ρ, written as
        /// <stem>-rho=<ρ>.<ext> beside this path (heat.svg: heat-rho=-1.svg, heat-rho=1.svg).
        #[arg(long)]
        heatmaps: Option<PathBuf>,
    },
}

fn parse_interval(s: &str) -> std::result::Result<(f64, f64), String> {
    let (lo, hi) = s.split_once(',').ok_or("expected lo,hi")?;
    Ok((
        lo.trim().parse().map_err(|_| format!("'{lo}' is not a number"))?,
        hi.trim().parse().map_err(|_| format!("'{hi}' is not a number"))?,
    ))
}

/// The library request from the command line (the seed policy file read here).
fn request(env: &EnvArgs, play: &PlayArgs, focal: Option<usize>) -> Result<MultiRequest> {
    let seed_policy = match &play.seed_policy {
        Some(path) => Some(powerseek::error::read_text(path)?),
        None => None,
    };
    Ok(MultiRequest {
        agents: env.agents,
        turns: match env.turns {
            TurnOrder::Alternating => Turns::Alternating,
            TurnOrder::Simultaneous => Turns::Simultaneous,
        },
        no_overlap: env.no_overlap,
        noise: env.noise,
        other: play.other.clone(),
        seed_policy,
        seed_policy_origin: play.seed_policy.as_ref().map(|p| p.display().to_string()),
        gamma: play.gamma,
        gamma_other: play.gamma_other,
        reward_on: match play.reward_on {
            Site::Joint => RewardSite::JointState,
            Site::Cell => RewardSite::OwnCell,
        },
        interval: play.interval,
        samples: play.samples,
        seed: play.seed,
        tolerance: play.tolerance,
        other_at: play.other_at.clone(),
        focal,
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
            let grid = crate::load_mdp(&env.grid)?;
            let request = request(&env, &play, focal)?;
            let bar = crate::progress::Bar::new("samples");
            let report = multiagent::power(&grid, &request, rho, &bar)?;
            bar.finish();
            match &report {
                MultiPower::TwoAgents(r) => {
                    print_power(&env.grid, play.format.format, r)?;
                    if let Some(path) = &plot.plot {
                        heatmaps(path, &grid, &r.setting, &r.point)?;
                    }
                }
                MultiPower::Focal(r) => {
                    print_focal(&env.grid, play.format.format, r)?;
                    if let Some(path) = &plot.plot {
                        focal_heatmap(path, &grid, r)?;
                    }
                }
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
            let grid = crate::load_mdp(&env.grid)?;
            let rhos = parse_rhos(&rhos)?;
            let request = request(&env, &play, None)?;
            let bar = crate::progress::Bar::new("samples");
            let sweep = multiagent::sweep(&grid, &request, &rhos, &bar)?;
            bar.finish();
            print_sweep(&env.grid, play.format.format, &sweep)?;
            if let Some(path) = &plot.plot {
                sweep_chart(path, &env.grid, &sweep)?;
            }
            if let Some(path) = heatmap_path {
                let ends = [sweep.points.first(), sweep.points.last()];
                for point in ends.into_iter().flatten() {
                    heatmaps(&heatmap_file(&path, point.rho), &grid, &sweep.setting, point)?;
                }
            }
            Ok(())
        }
    }
}

/// `other: powerplay, γ = 0.2`.
fn describe(s: &TwoAgentSetting) -> String {
    let [h, a] = s.gamma;
    if h == a {
        format!("other: {}, γ = {h}", s.other)
    } else {
        format!("other: {}, γ_H = {h}, γ_A = {a}", s.other)
    }
}

/// `0.65230 ± 0.00220 (95% CI 0.64800–0.65660)`, ± being the standard error.
fn show(e: &Estimate) -> String {
    format!("{:.5} ± {:.5} (95% CI {:.5}–{:.5})", e.mean, e.se, e.ci95[0], e.ci95[1])
}

fn print_power(grid: &Path, format: Format, r: &TwoAgentPower) -> Result<()> {
    let (s, p) = (&r.setting, &r.point);
    let e = &p.estimate;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => write_json(r)?,
        Format::Csv => {
            writeln!(out, "state,power_h,se_h,power_a,se_a,total,se_total")?;
            for (k, name) in s.state_names.iter().enumerate() {
                let (h, a, t) = (e.power[0][k], e.power[1][k], e.total[k]);
                writeln!(
                    out,
                    "{name},{},{},{},{},{},{}",
                    h.mean, h.se, a.mean, a.se, t.mean, t.se
                )?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{}: 2 agents, {} joint states; {}, ρ = {}; {} samples (achieved reward correlation {:.3})",
                grid.display(),
                s.joint_states,
                describe(s),
                p.rho,
                e.samples,
                e.reward_correlation
            )?;
            let placement = match &s.other_at {
                Some(cell) => format!("the other agent at {cell}"),
                None => "mean over the other agent's positions".into(),
            };
            writeln!(
                out,
                "{:<10} {:>10} {:>10}   (per cell: {placement})",
                "cell", "POWER_H", "POWER_A"
            )?;
            for (c, n) in s.cells.iter().enumerate() {
                writeln!(out, "{n:<10} {:>10.5} {:>10.5}", p.per_cell[0][c], p.per_cell[1][c])?;
            }
            writeln!(out, "mean over joint states (± standard error):")?;
            writeln!(out, "  POWER_H {}", show(&e.mean_power[0]))?;
            writeln!(out, "  POWER_A {}", show(&e.mean_power[1]))?;
            writeln!(out, "  sum     {}", show(&e.mean_total))?;
            writeln!(
                out,
                "correlation of POWER_H and POWER_A over joint states: {:.3}",
                e.power_correlation
            )?;
        }
    }
    Ok(())
}

fn print_sweep(grid: &Path, format: Format, sweep: &RhoSweep) -> Result<()> {
    let s = &sweep.setting;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => write_json(sweep)?,
        Format::Csv => {
            writeln!(
                out,
                "rho,achieved_rho,power_h,se_h,power_a,se_a,total,se_total,power_correlation"
            )?;
            for p in &sweep.points {
                let e = &p.estimate;
                let [h, a] = e.mean_power;
                let t = e.mean_total;
                writeln!(
                    out,
                    "{},{},{},{},{},{},{},{},{}",
                    p.rho, e.reward_correlation, h.mean, h.se, a.mean, a.se, t.mean, t.se, e.power_correlation
                )?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{}: 2 agents, {} joint states; {}; {} samples per ρ",
                grid.display(),
                s.joint_states,
                describe(s),
                sweep.samples
            )?;
            writeln!(
                out,
                "{:>6} {:>8} {:>20} {:>20} {:>20} {:>12}",
                "ρ", "achieved", "POWER_H ± SE", "POWER_A ± SE", "sum ± SE", "corr(H,A)"
            )?;
            let show = |e: &Estimate| format!("{:.4} ± {:.4}", e.mean, e.se);
            for p in &sweep.points {
                let e = &p.estimate;
                writeln!(
                    out,
                    "{:>6.2} {:>8.3} {:>20} {:>20} {:>20} {:>12.3}",
                    p.rho,
                    e.reward_correlation,
                    show(&e.mean_power[0]),
                    show(&e.mean_power[1]),
                    show(&e.mean_total),
                    e.power_correlation
                )?;
            }
            writeln!(
                out,
                "(means over joint states; ± is the standard error over reward samples)"
            )?;
        }
    }
    Ok(())
}

fn print_focal(grid: &Path, format: Format, r: &FocalPower) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => write_json(r)?,
        Format::Csv => {
            writeln!(out, "positions,power,se")?;
            for (pos, e) in r.positions.iter().zip(&r.power) {
                let names: Vec<&str> = pos.iter().map(|&c| r.cells[c].as_str()).collect();
                writeln!(out, "\"{}\",{},{}", names.join("|"), e.mean, e.se)?;
            }
        }
        Format::Table => {
            writeln!(
                out,
                "{}: {} agents ({} joint states), focal agent {}, others random; γ = {}, {} samples",
                grid.display(),
                r.agents,
                r.joint_states,
                r.focal,
                r.gamma,
                r.samples
            )?;
            writeln!(
                out,
                "{:<10} {:>12}   (mean over the other agents' positions; max SE {:.5})",
                "cell", "POWER", r.max_se
            )?;
            for (name, p) in r.cells.iter().zip(&r.per_cell) {
                writeln!(out, "{name:<10} {p:>12.5}")?;
            }
        }
    }
    Ok(())
}

fn sweep_chart(path: &Path, grid: &Path, sweep: &RhoSweep) -> Result<()> {
    let band = |label: &str, color: RGBColor, f: &dyn Fn(&RhoPoint) -> Estimate| Band {
        label: label.into(),
        color,
        points: sweep
            .points
            .iter()
            .map(|p| (p.rho, f(p).mean, f(p).ci95[0], f(p).ci95[1]))
            .collect(),
        dashed: false,
    };
    let chart = BandChart {
        title: format!(
            "Sequential power-scarcity: {} ({})",
            grid.file_name().and_then(|s| s.to_str()).unwrap_or("grid"),
            describe(&sweep.setting)
        ),
        x_label: "ρ (reward correlation: −1 opposed … 1 identical)".into(),
        y_label: "mean POWER over joint states".into(),
        series: vec![
            band("POWER_H + POWER_A", series_colour(0), &|p| p.estimate.mean_total),
            band("POWER_H", series_colour(2), &|p| p.estimate.mean_power[0]),
            band("POWER_A", series_colour(1), &|p| p.estimate.mean_power[1]),
        ],
        y_range: None,
        notes: vec![format!(
            "bands and whiskers: 95% intervals; {} reward samples per ρ, the same seed at every ρ",
            sweep.samples
        )],
    };
    save(&chart, path)?;
    plot_written(path);
    Ok(())
}

/// `heat.svg` and ρ = −1 give `heat-rho=-1.svg`: the value after `=`, so a
/// minus sign cannot be read as a separator.
fn heatmap_file(path: &Path, rho: f64) -> PathBuf {
    let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("heatmap");
    let ext = path.extension().and_then(|s| s.to_str()).unwrap_or("svg");
    path.with_file_name(format!("{stem}-rho={rho}.{ext}"))
}

fn heatmaps(path: &Path, grid: &Mdp, setting: &TwoAgentSetting, point: &RhoPoint) -> Result<()> {
    let Some(layout) = grid.layout() else {
        bail!("{}: heatmaps need a gridworld layout", path.display());
    };
    let at = setting.other_at.as_deref();
    let other_cell = at.and_then(|name| grid.state_index(name));
    let panels = [("H", "A"), ("A", "H")]
        .iter()
        .zip(&point.per_cell)
        .map(|(&(agent, other), v)| {
            let where_ = match at {
                Some(cell) => format!("{other} at {cell}"),
                None => format!("mean over {other}'s cells"),
            };
            let rho = format!("{}", point.rho).replace('-', "\u{2212}");
            let mut map = GridHeatmap::new(
                layout,
                v,
                format!("{agent}'s POWER ({where_}, ρ = {rho})"),
                format!("POWER_{agent}"),
            );
            map.markers.other = other_cell.map(|c| (c, other.to_string()));
            map
        })
        .collect();
    save(&Row { panels }, path)?;
    plot_written(path);
    Ok(())
}

fn focal_heatmap(path: &Path, grid: &Mdp, r: &FocalPower) -> Result<()> {
    let Some(layout) = grid.layout() else {
        bail!("{}: heatmaps need a gridworld layout", path.display());
    };
    let title = format!(
        "Agent {}'s POWER per cell, mean over {} random other agents' cells (γ = {})",
        r.focal,
        r.agents - 1,
        r.gamma
    );
    save(&GridHeatmap::new(layout, &r.per_cell, title, "POWER".into()), path)?;
    plot_written(path);
    Ok(())
}

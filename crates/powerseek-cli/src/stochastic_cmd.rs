//! `powerseek stochastic ...`: POWER in stochastic games at equilibrium
//! (docs/theory.md §11). The arguments become a library
//! `stochastic::request::StochasticRequest`; `request::power` and
//! `request::sweep` hold every rule and return the reports rendered here.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};

use powerseek::exact::format_rational;
use powerseek::multiagent::joint::{load_stochastic_game, GridPlacement, JointOptions, Turns};
use powerseek::multiagent::parse_rhos;
use powerseek::plot::{save, series_colour, Band, BandChart, GridHeatmap, RGBColor, Row};
use powerseek::stats::Estimate;
use powerseek::stochastic::incomplete::IncompleteReport;
use powerseek::stochastic::power::StochasticPowerReport;
use powerseek::stochastic::random::{self, RandomGameSpec};
use powerseek::stochastic::request::{self, IncompleteRequest, StochasticRequest, StochasticSweep, SweepOver};
use powerseek::stochastic::reward::Site;
use powerseek::stochastic::{Play, StochasticGame};

use crate::args::{plot_written, write_json, Format, FormatArg, PlotArg, TableOrJsonArg};
use crate::output::fit;

#[derive(Clone, Copy, ValueEnum)]
pub enum TurnOrder {
    Alternating,
    Simultaneous,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum RewardOn {
    /// One reward per state, received on arriving there.
    State,
    /// One reward per state and joint action.
    JointAction,
}

/// The game: a stochastic-game JSON file, or a gridworld two agents share.
#[derive(Args)]
pub struct GameArgs {
    /// A stochastic game (.json) or a gridworld (.grid) shared by --agents agents.
    game: PathBuf,
    /// Gridworlds: number of agents.
    #[arg(long, default_value_t = 2)]
    agents: usize,
    /// Gridworlds: simultaneous moves, or alternating turns (a turn-based game).
    #[arg(long, value_enum, default_value = "simultaneous")]
    turns: TurnOrder,
    /// Gridworlds: two agents may not share a cell.
    #[arg(long)]
    no_overlap: bool,
    /// Gridworlds: probability that a move is replaced by a uniformly random allowed move.
    #[arg(long, default_value_t = 0.0)]
    noise: f64,
}

impl GameArgs {
    fn load(&self) -> Result<(StochasticGame, Option<GridPlacement>)> {
        let opts = JointOptions {
            agents: self.agents,
            turns: match self.turns {
                TurnOrder::Alternating => Turns::Alternating,
                TurnOrder::Simultaneous => Turns::Simultaneous,
            },
            no_overlap: self.no_overlap,
            noise: self.noise,
        };
        Ok(load_stochastic_game(&self.game, &opts)?)
    }
}

/// Rewards, horizon, solver and sampling.
#[derive(Args)]
pub struct SolveArgs {
    /// Discount rate in (0, 1) (default: the file's, else 0.9).
    #[arg(long, short, conflicts_with = "steps")]
    gamma: Option<f64>,
    /// A finite horizon of this many steps, solved in exact arithmetic.
    #[arg(long)]
    steps: Option<usize>,
    /// Joint reward construction: iid, correlated:ρ, constant-sum[:c] or common.
    #[arg(long, default_value_t = StochasticRequest::default().rewards, allow_hyphen_values = true)]
    rewards: String,
    /// Where rewards are read.
    #[arg(long, value_enum, default_value = "state")]
    reward_on: RewardOn,
    /// The rewards' uniform marginals on [lo, hi].
    #[arg(long, default_value = "0,1", value_parser = parse_interval, allow_hyphen_values = true)]
    interval: (f64, f64),
    /// equilibrium (Shapley for 2-player constant-sum, else Nash value iteration;
    /// backward induction with --steps), shapley, nash-vi, or uniform (a random profile).
    #[arg(long, default_value_t = StochasticRequest::default().method)]
    method: String,
    /// Stage-equilibrium selection: max-welfare, min-welfare or first.
    #[arg(long, default_value_t = StochasticRequest::default().selection)]
    selection: String,
    #[arg(long, short = 'n', default_value_t = StochasticRequest::default().samples)]
    samples: usize,
    #[arg(long, default_value_t = StochasticRequest::default().seed)]
    seed: u64,
    /// Error bound on every POWER and value (discounted).
    #[arg(long, default_value_t = StochasticRequest::default().tolerance)]
    tolerance: f64,
    #[arg(long, default_value_t = StochasticRequest::default().max_iterations)]
    max_iterations: usize,
    /// The certified exploitability every sample's equilibrium should reach.
    #[arg(long, default_value_t = StochasticRequest::default().target_exploitability)]
    target_exploitability: f64,
    /// Shapley: every matrix game by the exact LP (slower).
    #[arg(long)]
    exact_stages: bool,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
}

impl SolveArgs {
    fn request(&self) -> StochasticRequest {
        StochasticRequest {
            gamma: self.gamma,
            steps: self.steps,
            rewards: self.rewards.clone(),
            reward_on: match self.reward_on {
                RewardOn::State => Site::State,
                RewardOn::JointAction => Site::JointAction,
            },
            interval: self.interval,
            method: self.method.clone(),
            selection: self.selection.clone(),
            samples: self.samples,
            seed: self.seed,
            tolerance: self.tolerance,
            max_iterations: self.max_iterations,
            target_exploitability: self.target_exploitability,
            exact_stages: self.exact_stages,
        }
    }
}

#[derive(Subcommand)]
pub enum StochasticCommand {
    /// Every player's POWER, value, ΣPOWER and total regret at every state, at an
    /// equilibrium computed per reward sample (or at a uniformly random profile).
    #[command(allow_negative_numbers = true)]
    Power {
        #[command(flatten)]
        game: GameArgs,
        #[command(flatten)]
        solve: SolveArgs,
        #[command(flatten)]
        format: FormatArg,
        /// Rows shown by the table format (default 40); JSON and CSV have every state.
        #[arg(long)]
        rows: Option<usize>,
        /// Gridworlds: heatmaps of each agent's POWER per cell (averaged over the
        /// others' positions), written as .svg or .png.
        #[command(flatten)]
        plot: PlotArg,
    },
    /// The sequential power-scarcity sweep: ΣPOWER and each player's POWER against the
    /// reward correlation ρ (two players), or against λ from common payoff to constant-sum
    /// (--lambdas), at equilibrium and, with two players, under the POWERplay protocol.
    /// The picture (--plot) has them with 95% bands.
    #[command(allow_negative_numbers = true)]
    Sweep {
        #[command(flatten)]
        game: GameArgs,
        #[command(flatten)]
        solve: SolveArgs,
        /// The ρ values: a comma-separated list, or `steps:K` for K evenly spaced values in [−1, 1].
        #[arg(long, default_value = "steps:5", allow_hyphen_values = true)]
        rhos: String,
        /// Sweep λ from common payoff (0) to constant-sum (1) instead of ρ (any number of
        /// players): a comma-separated list in [0, 1], or `steps:K`.
        #[arg(long, conflicts_with = "rhos")]
        lambdas: Option<String>,
        #[command(flatten)]
        format: TableOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// A seeded random stochastic game, written in the JSON format (to stdout, or to
    /// --output): every joint action moves to --successors distinct states drawn
    /// uniformly, with exact random probabilities.
    Random {
        #[arg(long, default_value_t = RandomGameSpec::default().players)]
        players: usize,
        #[arg(long, default_value_t = RandomGameSpec::default().states)]
        states: usize,
        /// Actions of each player (of the mover, turn-based) at every state.
        #[arg(long, default_value_t = RandomGameSpec::default().actions)]
        actions: usize,
        /// Distinct successor states of every joint action.
        #[arg(long, default_value_t = RandomGameSpec::default().successors)]
        successors: usize,
        /// Turn-based play: the mover of state s is player s mod players.
        #[arg(long)]
        turn_based: bool,
        #[arg(long, default_value_t = RandomGameSpec::default().seed)]
        seed: u64,
        /// Write the game here instead of to stdout.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// POWER when each player knows only its own reward among finite type profiles
    /// (exact, finite horizon; docs/theory.md §11.6): interim POWER of every own type,
    /// ex-ante POWER, the value under the profile, complete-information POWER against
    /// the same profile, and the total regret.
    Incomplete {
        #[command(flatten)]
        game: GameArgs,
        /// Type profiles (JSON): {"site": "state" | "joint-action", "profiles":
        /// [{"name": .., "prior": .., "rewards": [[per site] per player]}]}, numbers exact.
        #[arg(long)]
        types: PathBuf,
        /// Steps of the (undiscounted) horizon, exact (default 1 unless --gamma).
        #[arg(long, conflicts_with = "gamma")]
        steps: Option<usize>,
        /// Discount rate in (0, 1) instead of steps: value iteration on the belief MDP
        /// (stationary strategies with finitely many reachable beliefs, e.g. pure ones).
        #[arg(long, short)]
        gamma: Option<f64>,
        /// With --gamma: bound on the error of every POWER and value.
        #[arg(long, default_value_t = IncompleteRequest::default().tolerance)]
        tolerance: f64,
        /// equilibrium (one step: a Bayesian equilibrium of every stage game), uniform,
        /// or given (with --strategies; the default then).
        #[arg(long)]
        profile: Option<String>,
        /// Stationary type-strategies (JSON): {"strategies": [player][own type][state][action]}.
        #[arg(long)]
        strategies: Option<PathBuf>,
        /// Stage-equilibrium selection: max-welfare, min-welfare or first.
        #[arg(long, default_value_t = IncompleteRequest::default().selection)]
        selection: String,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
}

fn parse_interval(s: &str) -> std::result::Result<(f64, f64), String> {
    let (lo, hi) = s.split_once(',').ok_or("expected lo,hi")?;
    Ok((
        lo.trim().parse().map_err(|_| format!("'{lo}' is not a number"))?,
        hi.trim().parse().map_err(|_| format!("'{hi}' is not a number"))?,
    ))
}

pub fn run(cmd: StochasticCommand) -> Result<()> {
    match cmd {
        StochasticCommand::Power {
            game,
            solve,
            format,
            rows,
            plot,
        } => {
            if rows.is_some() && !matches!(format.format, Format::Table) {
                anyhow::bail!("--rows only applies to the table format (JSON and CSV have every state)");
            }
            crate::set_threads(solve.threads)?;
            let (g, placement) = game.load()?;
            if plot.plot.is_some() && placement.is_none() {
                anyhow::bail!("--plot draws per-cell heatmaps, so the game must be a gridworld (.grid)");
            }
            let bar = crate::progress::Bar::new("samples");
            let report = request::power(&g, &solve.request(), &bar)?;
            bar.finish();
            let mut out = std::io::stdout().lock();
            match format.format {
                Format::Table => power_table(&mut out, &game.game, &report, rows.unwrap_or(40))?,
                Format::Json => write_json(&report)?,
                Format::Csv => power_csv(&mut out, &report)?,
            }
            if let (Some(path), Some(placement)) = (&plot.plot, &placement) {
                heatmaps(path, placement, &report)?;
            }
            Ok(())
        }
        StochasticCommand::Sweep {
            game,
            solve,
            rhos,
            lambdas,
            format,
            plot,
        } => {
            crate::set_threads(solve.threads)?;
            let (g, _) = game.load()?;
            let sweep = match lambdas {
                Some(text) => {
                    let lambdas = request::parse_lambdas(&text)?;
                    let bar = crate::progress::Bar::new("λ values");
                    let sweep = request::lambda_sweep(&g, &solve.request(), &lambdas, &bar)?;
                    bar.finish();
                    sweep
                }
                None => {
                    let rhos = parse_rhos(&rhos)?;
                    let bar = crate::progress::Bar::new("ρ values");
                    let sweep = request::sweep(&g, &solve.request(), &rhos, &bar)?;
                    bar.finish();
                    sweep
                }
            };
            match format.format {
                crate::args::TableOrJson::Table => sweep_table(&mut std::io::stdout().lock(), &game.game, &sweep)?,
                crate::args::TableOrJson::Json => write_json(&sweep)?,
            }
            if let Some(path) = &plot.plot {
                sweep_chart(path, &game.game, &sweep)?;
            }
            Ok(())
        }
        StochasticCommand::Random {
            players,
            states,
            actions,
            successors,
            turn_based,
            seed,
            output,
        } => {
            let spec = RandomGameSpec {
                players,
                states,
                actions,
                successors,
                play: if turn_based {
                    Play::TurnBased
                } else {
                    Play::Simultaneous
                },
                seed,
            };
            let text = random::to_json(&random::random_game(&spec)?) + "\n";
            match output {
                Some(path) => {
                    std::fs::write(&path, text).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?
                }
                None => std::io::stdout().lock().write_all(text.as_bytes())?,
            }
            Ok(())
        }
        StochasticCommand::Incomplete {
            game,
            types,
            steps,
            gamma,
            tolerance,
            profile,
            strategies,
            selection,
            format,
        } => {
            let (g, _) = game.load()?;
            let spec = request::load_types(&types)?;
            let req = IncompleteRequest {
                steps,
                gamma,
                tolerance,
                profile,
                selection,
                strategies: strategies.as_deref().map(request::load_strategies).transpose()?,
                ..IncompleteRequest::default()
            };
            let report = request::incomplete_type_power(&g, &req, &spec, &powerseek::NoProgress)?;
            match format.format {
                crate::args::TableOrJson::Table => {
                    incomplete_table(&mut std::io::stdout().lock(), &game.game, &report.to_f64())?
                }
                crate::args::TableOrJson::Json => write_json(&report)?,
            }
            Ok(())
        }
    }
}

fn incomplete_table(out: &mut impl Write, env: &Path, r: &IncompleteReport<f64>) -> Result<()> {
    let x = |v: &f64| format!("{v:.4}");
    writeln!(
        out,
        "Incomplete-information POWER in {} ({}; profile: {})",
        env.display(),
        r.horizon,
        r.profile
    )?;
    match r.tolerance {
        None => writeln!(
            out,
            "exact rationals, shown to 4 decimals (--format json has them exactly)"
        )?,
        Some(t) => writeln!(
            out,
            "value iteration on the belief MDP: every POWER and value within {t:e}"
        )?,
    }
    for (i, player) in r.players.iter().enumerate() {
        let names: Vec<String> = r.types.names[i]
            .iter()
            .zip(&r.types.prior[i])
            .map(|(n, p)| format!("{n} (p = {})", format_rational(p)))
            .collect();
        writeln!(out, "\n{player}: own types {}", names.join(", "))?;
        let mut header = format!("{:<16} {:>9} {:>9} {:>9}", "state", "POWER", "complete", "value");
        for n in &r.types.names[i] {
            header += &format!(" {:>9}", fit(n));
        }
        writeln!(out, "{header}")?;
        for (s, state) in r.states.iter().enumerate() {
            let mut line = format!(
                "{:<16} {:>9} {:>9} {:>9}",
                fit(state),
                x(&r.power[i][s]),
                x(&r.complete_power[i][s]),
                x(&r.value[i][s])
            );
            for by_type in &r.power_by_type[i] {
                line += &format!(" {:>9}", x(&by_type[s]));
            }
            writeln!(out, "{line}")?;
        }
    }
    writeln!(out, "\n{:<16} {:>9} {:>12}", "state", "ΣPOWER", "total regret")?;
    for (s, state) in r.states.iter().enumerate() {
        writeln!(
            out,
            "{:<16} {:>9} {:>12}",
            fit(state),
            x(&r.total_power[s]),
            x(&r.total_regret[s])
        )?;
    }
    if let Some(c) = &r.constant_sum {
        writeln!(out, "constant-sum rewards: Σ r_i = {}", format_rational(c))?;
    }
    writeln!(
        out,
        "{} ({} belief nodes at most per player and type)",
        if r.equilibrium {
            "the profile is a Bayesian equilibrium: total regret is 0 at every state (within the bounds when discounted)"
        } else {
            "the profile is not a Bayesian equilibrium: some type gains by deviating"
        },
        r.belief_nodes
    )?;
    Ok(())
}

fn pm(e: &Estimate) -> String {
    format!("{:.4} ± {:.4}", e.mean, e.se)
}

fn power_table(out: &mut impl Write, path: &Path, r: &StochasticPowerReport, rows: usize) -> Result<()> {
    writeln!(
        out,
        "{}: {} players, {} states",
        path.display(),
        r.players.len(),
        r.states.len()
    )?;
    writeln!(out, "horizon: {}; rewards: {}", r.horizon, r.rewards)?;
    writeln!(
        out,
        "profile: {} (selection {}); {} samples, seed {}",
        r.method, r.selection, r.samples, r.seed
    )?;
    let exact = if r.exact { " (exact)" } else { "" };
    writeln!(
        out,
        "certified exploitability ≤ {:.2e}{exact}; target {:.0e} {}; unconverged samples {}",
        r.max_exploitability,
        r.target_exploitability,
        if r.target_reached { "reached" } else { "NOT reached" },
        r.unconverged_samples
    )?;
    if let Some(c) = r.constant_sum {
        writeln!(out, "constant-sum rewards: c = {c} (ΣPOWER = c + total regret)")?;
    }
    let mut header = vec!["state".to_string()];
    header.extend(r.players.iter().map(|p| format!("POWER {p}")));
    header.extend(["ΣPOWER".to_string(), "total regret".to_string()]);
    writeln!(out, "{}", header.join("\t"))?;
    for s in 0..r.states.len().min(rows) {
        let mut line = vec![r.states[s].clone()];
        line.extend(r.power.iter().map(|p| pm(&p[s])));
        line.extend([pm(&r.total_power[s]), pm(&r.total_regret[s])]);
        writeln!(out, "{}", line.join("\t"))?;
    }
    if r.states.len() > rows {
        writeln!(
            out,
            "… {} more states (--rows, or --format json/csv)",
            r.states.len() - rows
        )?;
    }
    let means: Vec<String> = r
        .players
        .iter()
        .zip(&r.mean_power)
        .map(|(p, e)| format!("{p} {}", pm(e)))
        .collect();
    writeln!(
        out,
        "mean over states: {}; ΣPOWER {}; {:.2} s",
        means.join(", "),
        pm(&r.mean_total_power),
        r.seconds
    )?;
    Ok(())
}

fn power_csv(out: &mut impl Write, r: &StochasticPowerReport) -> Result<()> {
    let mut header = vec!["state".to_string()];
    for p in &r.players {
        header.extend([format!("power_{p}"), format!("se_{p}"), format!("value_{p}")]);
    }
    header.extend(["total_power", "total_power_se", "total_regret", "total_regret_se"].map(String::from));
    writeln!(out, "{}", header.join(","))?;
    for s in 0..r.states.len() {
        let mut line = vec![format!("\"{}\"", r.states[s].replace('"', "\"\""))];
        for i in 0..r.players.len() {
            line.extend([r.power[i][s].mean, r.power[i][s].se, r.value[i][s].mean].map(|x| x.to_string()));
        }
        let (t, g) = (r.total_power[s], r.total_regret[s]);
        line.extend([t.mean, t.se, g.mean, g.se].map(|x| x.to_string()));
        writeln!(out, "{}", line.join(","))?;
    }
    Ok(())
}

/// The swept quantity's symbol and axis label.
fn swept(s: &StochasticSweep) -> (&'static str, &'static str) {
    match s.over {
        SweepOver::Rho => ("ρ", "ρ (reward correlation: −1 opposed … 1 identical)"),
        SweepOver::Lambda => ("λ", "λ (0 common payoff … 1 constant-sum)"),
    }
}

fn sweep_table(out: &mut impl Write, path: &Path, s: &StochasticSweep) -> Result<()> {
    let (symbol, _) = swept(s);
    writeln!(
        out,
        "{}: {}; {} samples per {symbol}",
        path.display(),
        s.horizon,
        s.samples
    )?;
    let mut header = vec![symbol.to_string()];
    header.extend(s.players.iter().map(|p| format!("POWER {p} at equilibrium")));
    header.extend(["ΣPOWER at equilibrium", "ΣPOWER POWERplay", "exploitability", "method"].map(String::from));
    writeln!(out, "{}", header.join("\t"))?;
    for p in &s.points {
        let mut line = vec![format!("{:+.2}", p.at())];
        line.extend(p.equilibrium_power.iter().map(pm));
        line.push(pm(&p.equilibrium_total));
        line.push(p.powerplay_total.as_ref().map_or("—".to_string(), pm));
        line.push(format!(
            "{:.1e}{}",
            p.max_exploitability,
            if p.target_reached { "" } else { " (target NOT reached)" }
        ));
        line.push(p.method.clone());
        writeln!(out, "{}", line.join("\t"))?;
    }
    writeln!(out, "{:.2} s", s.seconds)?;
    Ok(())
}

fn sweep_chart(path: &Path, game: &Path, s: &StochasticSweep) -> Result<()> {
    let band = |label: String, color: RGBColor, f: &dyn Fn(&request::SweepPoint) -> Option<Estimate>| {
        let points: Vec<(f64, f64, f64, f64)> = s
            .points
            .iter()
            .filter_map(|p| f(p).map(|e| (p.at(), e.mean, e.ci95[0], e.ci95[1])))
            .collect();
        (!points.is_empty()).then_some(Band {
            label,
            color,
            points,
            dashed: false,
        })
    };
    let (_, x_label) = swept(s);
    let mut series = vec![
        band("ΣPOWER at equilibrium".to_string(), series_colour(0), &|p| {
            Some(p.equilibrium_total)
        }),
        band("ΣPOWER, POWERplay protocol".to_string(), series_colour(1), &|p| {
            p.powerplay_total
        }),
    ];
    for (i, player) in s.players.iter().enumerate() {
        series.push(band(
            format!("POWER {player} at equilibrium"),
            series_colour(2 + i),
            &|p| p.equilibrium_power.get(i).copied(),
        ));
    }
    let chart = BandChart {
        title: format!(
            "Sequential power scarcity at equilibrium: {} ({})",
            game.file_name().and_then(|x| x.to_str()).unwrap_or("game"),
            s.horizon
        ),
        x_label: x_label.into(),
        y_label: "mean POWER over states (95% CI)".into(),
        series: series.into_iter().flatten().collect(),
        y_range: None,
        notes: vec![],
    };
    save(&chart, path)?;
    plot_written(path);
    Ok(())
}

fn heatmaps(path: &Path, placement: &GridPlacement, r: &StochasticPowerReport) -> Result<()> {
    let per_cell: Vec<Vec<f64>> = (0..r.players.len())
        .map(|i| {
            let means: Vec<f64> = r.power[i].iter().map(|e| e.mean).collect();
            placement.per_cell(&means, i)
        })
        .collect();
    let panels = r
        .players
        .iter()
        .zip(&per_cell)
        .map(|(p, v)| {
            GridHeatmap::new(
                &placement.layout,
                v,
                format!("{p}'s POWER at equilibrium ({})", r.method),
                format!("POWER_{p}"),
            )
        })
        .collect();
    save(&Row { panels }, path)?;
    plot_written(path);
    Ok(())
}

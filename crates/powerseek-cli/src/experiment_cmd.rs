//! `powerseek experiment ...`: sweeps over families of random games.

use std::io::Write;

use anyhow::{Context, Result};
use clap::Subcommand;

use powerseek::game::scarcity::{scarcity_sweep, ScarcityOptions, ScarcityResult};
use powerseek::plot::{save, series_colour, Band, BandChart, RGBColor};

use crate::args::{plot_written, write_json, Format, FormatArg, PlotArg};

#[derive(Subcommand)]
pub enum ExperimentCommand {
    /// Power-scarcity: Σ POWER at equilibrium and α across random games from
    /// common-payoff (λ = 1) through independent (λ = 0) to constant-sum (λ = −1).
    /// The picture (--plot) has Σ POWER, best-case Σ POWER, max welfare and α against λ.
    Scarcity {
        #[arg(long, default_value_t = ScarcityOptions::default().players)]
        players: usize,
        #[arg(long, default_value_t = ScarcityOptions::default().actions)]
        actions: usize,
        /// Types per player (1: normal-form games; more: Bayesian games with uniform independent types).
        #[arg(long, default_value_t = ScarcityOptions::default().types)]
        types: usize,
        /// Random games per λ.
        #[arg(long, default_value_t = ScarcityOptions::default().games)]
        games: usize,
        /// Comma-separated λ values (default −1, −0.8, …, 1).
        #[arg(long, allow_hyphen_values = true)]
        lambdas: Option<String>,
        #[arg(long, default_value_t = ScarcityOptions::default().seed)]
        seed: u64,
        #[arg(long)]
        threads: Option<usize>,
        #[command(flatten)]
        format: FormatArg,
        #[command(flatten)]
        plot: PlotArg,
    },
}

pub fn run(cmd: ExperimentCommand) -> Result<()> {
    let ExperimentCommand::Scarcity {
        players,
        actions,
        types,
        games,
        lambdas,
        seed,
        threads,
        format,
        plot,
    } = cmd;
    crate::set_threads(threads)?;
    let mut opts = ScarcityOptions {
        players,
        actions,
        types,
        games,
        seed,
        ..Default::default()
    };
    if let Some(spec) = lambdas {
        opts.lambdas = spec
            .split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .with_context(|| format!("--lambdas: '{x}' is not a number"))
            })
            .collect::<Result<_>>()?;
    }
    let bar = crate::progress::Bar::new("games");
    let result = scarcity_sweep(&opts, &bar)?;
    bar.finish();
    let mut out = std::io::stdout().lock();
    match format.format {
        Format::Json => write_json(&result)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "lambda",
                "games",
                "alpha",
                "alpha_se",
                "coordination_gap",
                "coordination_gap_se",
                "total_power",
                "total_power_se",
                "best_case_power",
                "best_case_power_se",
                "max_welfare",
                "mean_equilibria",
            ])?;
            for s in &result.summaries {
                w.write_record(
                    [
                        s.lambda,
                        s.games as f64,
                        s.alpha.mean,
                        s.alpha.se,
                        s.coordination_gap.mean,
                        s.coordination_gap.se,
                        s.total_power.mean,
                        s.total_power.se,
                        s.best_case_power.mean,
                        s.best_case_power.se,
                        s.max_welfare.mean,
                        s.mean_equilibria,
                    ]
                    .map(|x| x.to_string()),
                )?;
            }
            w.flush()?;
        }
        Format::Table => table(&mut out, &opts, &result)?,
    }
    if let Some(path) = plot.plot {
        let band =
            |label: &str,
             color: RGBColor,
             f: &dyn Fn(&powerseek::game::scarcity::LambdaSummary) -> powerseek::stats::Estimate| Band {
                label: label.into(),
                color,
                points: result
                    .summaries
                    .iter()
                    .map(|s| (s.lambda, f(s).mean, f(s).ci95[0], f(s).ci95[1]))
                    .collect(),
                dashed: false,
            };
        let chart = BandChart {
            title: format!(
                "Power-scarcity: {players} players, {actions} actions{}, {games} games per λ",
                if types > 1 {
                    format!(", {types} types")
                } else {
                    String::new()
                }
            ),
            x_label: "λ (−1 constant-sum … 0 independent … 1 common payoff)".into(),
            y_label: "mean over games (payoff units)".into(),
            series: vec![
                band("Σ POWER at equilibrium", series_colour(0), &|s| s.total_power),
                band("best-case Σ POWER", series_colour(2), &|s| s.best_case_power),
                band("max welfare", series_colour(4), &|s| s.max_welfare),
                band("α (alignment)", series_colour(1), &|s| s.alpha),
            ],
            y_range: None,
            notes: vec!["bands and whiskers: 95% confidence intervals of the mean over games".into()],
        };
        save(&chart, &path)?;
        plot_written(&path);
    }
    Ok(())
}

fn table(out: &mut impl Write, opts: &ScarcityOptions, r: &ScarcityResult) -> Result<()> {
    writeln!(
        out,
        "power-scarcity sweep: {} players, {} actions, {} type(s), {} games per λ, seed {} ({:.2} s)",
        opts.players, opts.actions, opts.types, opts.games, opts.seed, r.seconds
    )?;
    writeln!(
        out,
        "{:>6}  {:>16}  {:>16}  {:>16}  {:>16}  {:>12}  {:>6}",
        "λ", "Σ POWER at eq.", "best-case Σ", "max welfare", "α", "coord. gap", "#eq"
    )?;
    let cell = |e: &powerseek::stats::Estimate| format!("{:.3} ± {:.3}", e.mean, e.se);
    for s in &r.summaries {
        writeln!(
            out,
            "{:>6.2}  {:>16}  {:>16}  {:>16}  {:>16}  {:>12}  {:>6.2}",
            s.lambda,
            cell(&s.total_power),
            cell(&s.best_case_power),
            cell(&s.max_welfare),
            cell(&s.alpha),
            format!("{:.3}", s.coordination_gap.mean),
            s.mean_equilibria
        )?;
    }
    writeln!(
        out,
        "(mean over games ± its standard error, as in --format csv; --format json adds 95% confidence intervals)"
    )?;
    Ok(())
}

//! `powerseek conflict ...`: the vector model of conflict. Each subcommand
//! builds a library request (`conflict::{PhaseRequest, InferRequest,
//! CalibrationRequest}`), calls one library function and renders its report.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use powerseek::conflict::{
    self, CalibrationRequest, InferReport, InferRequest, ObservationSet, PhaseRequest, Scenario,
};
use powerseek::plot::{save, series_colour, Arrow, ArrowDiagram, ColourScale, FieldHeatmap};

use crate::args::{plot_written, write_json, CsvOrJson, CsvOrJsonArg, PlotArg, TableOrJson, TableOrJsonArg};

#[derive(Subcommand)]
pub enum ConflictCommand {
    /// Who escalates against whom, and multi-round play, for a scenario file (.toml or .json).
    /// The picture (--plot): preferences scaled by power, the projection, decisions.
    Simulate {
        scenario: PathBuf,
        #[command(flatten)]
        format: TableOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// Where the weaker of two agents escalates, over alignment × conflict cost
    /// (the table is CSV: one row per grid point). The picture is a heatmap.
    #[command(allow_negative_numbers = true)]
    Phase {
        /// Power of the weaker agent relative to the stronger, in (0, 1].
        #[arg(long, default_value_t = PhaseRequest::default().ratio)]
        ratio: f64,
        #[command(flatten)]
        model: ModelArgs,
        /// Grid points per axis.
        #[arg(long, default_value_t = PhaseRequest::default().n_alignment)]
        grid: usize,
        #[command(flatten)]
        format: CsvOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// Posterior over an agent's alignment and perceived conflict cost from its decisions.
    /// The picture is the posterior as a heatmap.
    #[command(allow_negative_numbers = true)]
    Infer {
        /// Observations file (.toml or .json); or use --truth to simulate them.
        observations: Option<PathBuf>,
        /// Simulate decisions from this true `alignment,cost` instead of reading a file.
        #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
        truth: Option<(f64, f64)>,
        /// With --truth: number of simulated decisions.
        #[arg(long, default_value_t = InferRequest::default().episodes)]
        episodes: usize,
        #[arg(long, default_value_t = InferRequest::default().seed)]
        seed: u64,
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long, default_value_t = InferRequest::default().grid)]
        grid: usize,
        #[command(flatten)]
        format: TableOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// Simulation-based calibration of `infer`: coverage of 90% credible intervals.
    #[command(allow_negative_numbers = true)]
    Calibrate {
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long, default_value_t = CalibrationRequest::default().grid)]
        grid: usize,
        #[arg(long, default_value_t = CalibrationRequest::default().episodes)]
        episodes: usize,
        #[arg(long, default_value_t = CalibrationRequest::default().replicates)]
        replicates: usize,
        #[arg(long, default_value_t = CalibrationRequest::default().seed)]
        seed: u64,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
}

/// Model parameters for commands without a scenario file (defaults: the library's).
#[derive(Args)]
pub struct ModelArgs {
    /// Contest success exponent r (default 1).
    #[arg(long = "contest-exponent")]
    r: Option<f64>,
    /// Share of the loser's power taken by the winner (default 0.5).
    #[arg(long = "loser-share")]
    s: Option<f64>,
    /// Logit noise temperature (0: deterministic). Default: 0 for `phase`, 0.1 otherwise.
    #[arg(long)]
    temperature: Option<f64>,
}

fn parse_pair(s: &str) -> std::result::Result<(f64, f64), String> {
    let (a, c) = s.split_once(',').ok_or("expected alignment,cost")?;
    let a: f64 = a.trim().parse().map_err(|_| format!("'{a}' is not a number"))?;
    let c: f64 = c.trim().parse().map_err(|_| format!("'{c}' is not a number"))?;
    Ok((a, c))
}

pub fn run(cmd: ConflictCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ConflictCommand::Simulate { scenario, format, plot } => {
            let s = Scenario::load(&scenario)?;
            let trace = conflict::simulate(&s);
            match format.format {
                TableOrJson::Json => write_json(&trace)?,
                TableOrJson::Table => simulate_table(&mut out, &s, &trace)?,
            }
            if let Some(path) = plot.plot {
                save(&arrows(&s), &path)?;
                plot_written(&path);
            }
        }
        ConflictCommand::Phase {
            ratio,
            model,
            grid,
            format,
            plot,
        } => {
            let d = PhaseRequest::default();
            let request = PhaseRequest {
                ratio,
                contest_exponent: model.r.unwrap_or(d.contest_exponent),
                loser_share: model.s.unwrap_or(d.loser_share),
                temperature: model.temperature.unwrap_or(d.temperature),
                n_alignment: grid,
                n_cost: grid,
            };
            let d = conflict::phase(&request)?;
            match format.format {
                CsvOrJson::Json => write_json(&d)?,
                CsvOrJson::Csv => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(["alignment", "cost", "gain", "escalation_probability"])?;
                    for (k, (&g, &p)) in d.gain.iter().zip(&d.probability).enumerate() {
                        let (a, c) = (d.alignments[k % d.alignments.len()], d.costs[k / d.alignments.len()]);
                        w.write_record([a.to_string(), c.to_string(), g.to_string(), p.to_string()])?;
                    }
                    w.flush()?;
                }
            }
            if let Some(path) = plot.plot {
                let m = request.model();
                let fig = FieldHeatmap {
                    xs: &d.alignments,
                    ys: &d.costs,
                    values: &d.probability,
                    title: format!(
                        "Weaker agent escalates (power ratio {ratio:.2}, r = {}, s = {}, T = {})",
                        m.contest_exponent, m.loser_share, m.temperature
                    ),
                    x_label: "alignment cos(u_weak, u_strong)".into(),
                    y_label: "conflict cost c".into(),
                    value_label: "P(escalate)".into(),
                    curve: d.boundary.clone(),
                    curve_label: "expected gain = 0 (white line)".into(),
                    marker: None,
                    scale: Some(ColourScale::fixed(0.0, 1.0)),
                };
                save(&fig, &path)?;
                plot_written(&path);
            }
        }
        ConflictCommand::Infer {
            observations,
            truth,
            episodes,
            seed,
            model,
            grid,
            format,
            plot,
        } => {
            let d = InferRequest::default();
            let request = InferRequest {
                observations: match &observations {
                    Some(path) => Some(ObservationSet::parse(
                        &powerseek::error::read_text(path)?,
                        &path.display().to_string(),
                    )?),
                    None => None,
                },
                truth,
                episodes,
                seed,
                contest_exponent: model.r.unwrap_or(d.contest_exponent),
                loser_share: model.s.unwrap_or(d.loser_share),
                temperature: model.temperature.unwrap_or(d.temperature),
                grid,
            };
            let report = conflict::infer_request(&request)?;
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => infer_table(&mut out, &report)?,
            }
            if let Some(path) = plot.plot {
                let post = &report.posterior;
                let fig = FieldHeatmap {
                    xs: &post.alignments,
                    ys: &post.costs,
                    values: &post.density,
                    title: format!(
                        "Posterior over alignment and perceived cost ({} decisions)",
                        report.decisions
                    ),
                    x_label: "alignment cos(u_weak, u_strong)".into(),
                    y_label: "perceived conflict cost c".into(),
                    value_label: "posterior mass per grid cell".into(),
                    curve: vec![],
                    curve_label: String::new(),
                    marker: report.truth.map(|t| (t, "truth".to_string())),
                    scale: Some(ColourScale::fixed(
                        0.0,
                        post.density.iter().copied().fold(0.0, f64::max),
                    )),
                };
                save(&fig, &path)?;
                plot_written(&path);
            }
        }
        ConflictCommand::Calibrate {
            model,
            grid,
            episodes,
            replicates,
            seed,
            format,
        } => {
            let d = CalibrationRequest::default();
            let request = CalibrationRequest {
                grid,
                episodes,
                replicates,
                seed,
                contest_exponent: model.r.unwrap_or(d.contest_exponent),
                loser_share: model.s.unwrap_or(d.loser_share),
                temperature: model.temperature.unwrap_or(d.temperature),
            };
            let bar = crate::progress::Bar::new("replicates");
            let r = conflict::calibrate(&request, &bar)?;
            bar.finish();
            match format.format {
                TableOrJson::Json => write_json(&r)?,
                TableOrJson::Table => {
                    writeln!(
                        out,
                        "coverage of 90% credible intervals over {} simulated agents ({} decisions each):",
                        r.replicates, r.episodes
                    )?;
                    writeln!(
                        out,
                        "alignment {:.3}, cost {:.3} (binomial sd ≈ {:.3})",
                        r.alignment_coverage, r.cost_coverage, r.binomial_sd
                    )?;
                }
            }
        }
    }
    Ok(())
}

fn infer_table(out: &mut impl Write, r: &InferReport) -> Result<()> {
    let post = &r.posterior;
    writeln!(
        out,
        "{} decisions ({} escalations), grid {g}×{g}, uniform prior",
        r.decisions,
        r.escalations,
        g = r.grid
    )?;
    if let Some((a, c)) = r.truth {
        writeln!(out, "truth: alignment {a}, cost {c}")?;
    }
    for (name, s) in [("alignment", post.alignment), ("cost", post.cost)] {
        writeln!(
            out,
            "{name:<10} mean {:>7.3}  sd {:>6.3}  90% CI [{:.3}, {:.3}]",
            s.mean, s.sd, s.ci90[0], s.ci90[1]
        )?;
    }
    writeln!(out, "MAP: alignment {:.3}, cost {:.3}", post.map.0, post.map.1)?;
    Ok(())
}

fn simulate_table(out: &mut impl Write, s: &Scenario, trace: &conflict::Trace) -> Result<()> {
    let m = &s.model;
    writeln!(
        out,
        "cost c = {}, contest exponent r = {}, loser share s = {}, temperature T = {}",
        m.cost, m.contest_exponent, m.loser_share, m.temperature
    )?;
    writeln!(
        out,
        "{:<10} {:>7} {:>9} {:>10} {:>9} {:>9} {:>10}",
        "agent", "power", "value", "target", "cos", "gain", "P(escal.)"
    )?;
    for (agent, a) in s.agents.iter().zip(&trace.initial) {
        writeln!(
            out,
            "{:<10} {:>7.3} {:>9.3} {:>10} {:>9.3} {:>9.3} {:>10.3}",
            a.agent,
            agent.power,
            a.value,
            a.target.as_deref().unwrap_or("-"),
            a.alignment,
            a.gain,
            a.escalation_probability
        )?;
    }
    writeln!(
        out,
        "\nplay: {} conflicts in {} rounds, {}",
        trace.events.len(),
        trace.rounds_played,
        if trace.settled {
            "settled"
        } else {
            "still escalating at the round limit"
        }
    )?;
    for e in trace.events.iter().take(10) {
        writeln!(
            out,
            "  round {}: {} escalates against {} and {}",
            e.round,
            e.attacker,
            e.defender,
            if e.attacker_won { "wins" } else { "loses" }
        )?;
    }
    if trace.events.len() > 10 {
        writeln!(out, "  … {} more", trace.events.len() - 10)?;
    }
    let powers: Vec<String> = s
        .agents
        .iter()
        .zip(&trace.final_powers)
        .map(|(a, p)| format!("{} {:.3}", a.name, p))
        .collect();
    writeln!(out, "final powers: {}", powers.join(", "))?;
    Ok(())
}

fn arrows(s: &Scenario) -> ArrowDiagram {
    let plane = conflict::drawing_plane(&s.agents);
    let assessment = conflict::assess(&s.agents, &s.model);
    let arrows = s
        .agents
        .iter()
        .zip(&plane.points)
        .zip(&assessment)
        .enumerate()
        .map(|(i, ((agent, &v), a))| Arrow {
            label: agent.name.clone(),
            vector: v,
            color: series_colour(i),
            note: format!(
                "{} (power {:.2}): {} {} — expected gain {}",
                agent.name,
                agent.power,
                if a.escalation_probability > 0.5 {
                    "escalates against"
                } else {
                    "stays; would not fight"
                },
                a.target.as_deref().unwrap_or("-"),
                powerseek::plot::style::number(a.gain, 3)
            ),
        })
        .collect();
    // The picture's dashed line: the strongest agent projected onto the first other agent's direction.
    let strongest = (0..s.agents.len())
        .max_by(|&i, &j| s.agents[i].power.total_cmp(&s.agents[j].power))
        .unwrap_or(0);
    let onto = if strongest == 0 { 1 } else { 0 };
    ArrowDiagram {
        title: format!("Preferences × power (cost c = {})", s.model.cost),
        arrows,
        projection: Some((strongest, onto)),
        x_label: plane.x_axis,
        y_label: plane.y_axis,
        notes: plane.note.into_iter().collect(),
    }
}

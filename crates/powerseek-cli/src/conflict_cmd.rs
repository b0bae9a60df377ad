//! `powerseek conflict ...`: the vector model of conflict (library: `powerseek::conflict`).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use powerseek::plot::RGBColor;

use powerseek::conflict::{self, ConflictModel, ObservationSet, Scenario};
use powerseek::plot::{save, Arrow, ArrowDiagram, FieldHeatmap};

use crate::Format;

#[derive(Subcommand)]
pub enum ConflictCommand {
    /// Who escalates against whom, and multi-round play, for a scenario file (.toml or .json).
    Simulate {
        scenario: PathBuf,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        /// Draw the model's picture: preferences scaled by power, the projection, decisions.
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Where the weaker of two agents escalates, over alignment × conflict cost.
    Phase {
        /// Power of the weaker agent relative to the stronger, in (0, 1].
        #[arg(long, default_value_t = 1.0 / 3.0)]
        ratio: f64,
        #[command(flatten)]
        model: ModelArgs,
        /// Grid points per axis.
        #[arg(long, default_value_t = 101)]
        grid: usize,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Posterior over an agent's alignment and perceived conflict cost from its decisions.
    Infer {
        /// Observations file (.toml or .json); or use --truth to simulate them.
        observations: Option<PathBuf>,
        /// Simulate decisions from this true `alignment,cost` instead of reading a file.
        #[arg(long, value_parser = parse_pair, allow_hyphen_values = true)]
        truth: Option<(f64, f64)>,
        /// With --truth: number of simulated decisions.
        #[arg(long, default_value_t = 50)]
        episodes: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long, default_value_t = 101)]
        grid: usize,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
        #[arg(long)]
        plot: Option<PathBuf>,
    },
    /// Simulation-based calibration of `infer`: coverage of 90% credible intervals.
    Calibrate {
        #[command(flatten)]
        model: ModelArgs,
        #[arg(long, default_value_t = 41)]
        grid: usize,
        #[arg(long, default_value_t = 30)]
        episodes: usize,
        #[arg(long, default_value_t = 300)]
        replicates: usize,
        #[arg(long, default_value_t = 0)]
        seed: u64,
    },
}

/// Model parameters for commands without a scenario file.
#[derive(Args)]
pub struct ModelArgs {
    /// Contest success exponent r.
    #[arg(long = "contest-exponent", default_value_t = 1.0)]
    r: f64,
    /// Share of the loser's power taken by the winner.
    #[arg(long = "loser-share", default_value_t = 0.5)]
    s: f64,
    /// Logit noise temperature (0: deterministic). Default: 0 for `phase`, 0.1 otherwise.
    #[arg(long)]
    temperature: Option<f64>,
}

impl ModelArgs {
    fn model(&self, default_temperature: f64) -> Result<ConflictModel> {
        let temperature = self.temperature.unwrap_or(default_temperature);
        let m = ConflictModel {
            cost: 0.0,
            contest_exponent: self.r,
            loser_share: self.s,
            temperature,
        };
        m.validate()?;
        Ok(m)
    }
}

fn parse_pair(s: &str) -> std::result::Result<(f64, f64), String> {
    let (a, c) = s.split_once(',').ok_or("expected alignment,cost")?;
    let a: f64 = a.trim().parse().map_err(|_| format!("'{a}' is not a number"))?;
    let c: f64 = c.trim().parse().map_err(|_| format!("'{c}' is not a number"))?;
    if !(-1.0..=1.0).contains(&a) || !(0.0..=1.0).contains(&c) {
        return Err("alignment must be in [-1, 1] and cost in [0, 1]".into());
    }
    Ok((a, c))
}

pub fn run(cmd: ConflictCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        ConflictCommand::Simulate { scenario, format, plot } => {
            let s = Scenario::load(&scenario)?;
            let trace = conflict::simulate(&s);
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&trace)?)?,
                _ => simulate_table(&mut out, &s, &trace)?,
            }
            if let Some(path) = plot {
                save(&arrows(&s), &path)?;
                eprintln!("plot written to {}", path.display());
            }
        }
        ConflictCommand::Phase {
            ratio,
            model,
            grid,
            format,
            plot,
        } => {
            let m = model.model(0.0)?;
            let d = conflict::phase_diagram(&m, ratio, grid, grid)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&d)?)?,
                _ => {
                    let mut w = csv::Writer::from_writer(&mut out);
                    w.write_record(["alignment", "cost", "gain", "escalation_probability"])?;
                    for (k, (&g, &p)) in d.gain.iter().zip(&d.probability).enumerate() {
                        let (a, c) = (d.alignments[k % d.alignments.len()], d.costs[k / d.alignments.len()]);
                        w.write_record([a.to_string(), c.to_string(), g.to_string(), p.to_string()])?;
                    }
                    w.flush()?;
                }
            }
            if let Some(path) = plot {
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
                    curve_label: "expected gain = 0".into(),
                    marker: None,
                };
                save(&fig, &path)?;
                eprintln!("plot written to {}", path.display());
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
            let set = match (&observations, truth) {
                (Some(path), None) => {
                    let text = powerseek::error::read_text(path)?;
                    ObservationSet::parse(&text, &path.display().to_string())?
                }
                (None, Some((a, c))) => {
                    let m = model.model(0.1)?;
                    ObservationSet {
                        model: m,
                        observations: conflict::simulate_observations(&m, a, c, episodes, seed),
                    }
                }
                _ => bail!("give an observations file or --truth alignment,cost (not both)"),
            };
            let post = conflict::infer(&set, grid, grid)?;
            match format {
                Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&post)?)?,
                _ => {
                    let escalations = set.observations.iter().filter(|o| o.escalated).count();
                    writeln!(
                        out,
                        "{} decisions ({escalations} escalations), grid {grid}×{grid}, uniform prior",
                        set.observations.len()
                    )?;
                    if let Some((a, c)) = truth {
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
                }
            }
            if let Some(path) = plot {
                let fig = FieldHeatmap {
                    xs: &post.alignments,
                    ys: &post.costs,
                    values: &post.density,
                    title: format!(
                        "Posterior over alignment and perceived cost ({} decisions)",
                        set.observations.len()
                    ),
                    x_label: "alignment".into(),
                    y_label: "perceived conflict cost".into(),
                    value_label: "posterior mass".into(),
                    curve: vec![],
                    curve_label: String::new(),
                    marker: truth.map(|t| (t, "truth".to_string())),
                };
                save(&fig, &path)?;
                eprintln!("plot written to {}", path.display());
            }
        }
        ConflictCommand::Calibrate {
            model,
            grid,
            episodes,
            replicates,
            seed,
        } => {
            let bar = crate::progress::Bar::new("replicates");
            let (a, c) = conflict::calibration(&model.model(0.1)?, grid, episodes, replicates, seed, &bar)?;
            bar.finish();
            writeln!(
                out,
                "coverage of 90% credible intervals over {replicates} simulated agents ({episodes} decisions each):"
            )?;
            writeln!(
                out,
                "alignment {a:.3}, cost {c:.3} (binomial sd ≈ {:.3})",
                (0.09 / replicates as f64).sqrt()
            )?;
        }
    }
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
    const COLORS: [RGBColor; 6] = [
        RGBColor(31, 90, 200),
        RGBColor(210, 40, 40),
        RGBColor(40, 150, 60),
        RGBColor(150, 80, 180),
        RGBColor(230, 140, 20),
        RGBColor(90, 90, 90),
    ];
    let points = conflict::plane_coordinates(&s.agents);
    let assessment = conflict::assess(&s.agents, &s.model);
    let arrows = s
        .agents
        .iter()
        .zip(points)
        .zip(&assessment)
        .enumerate()
        .map(|(i, ((agent, v), a))| Arrow {
            label: agent.name.clone(),
            vector: v,
            color: COLORS[i % COLORS.len()],
            note: format!(
                "{} (power {:.2}): {} {} — expected gain {:+.3}",
                agent.name,
                agent.power,
                if a.escalation_probability > 0.5 {
                    "escalates against"
                } else {
                    "stays; would not fight"
                },
                a.target.as_deref().unwrap_or("-"),
                a.gain
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
    }
}

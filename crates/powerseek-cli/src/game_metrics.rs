//! `powerseek game power` and `powerseek game align`: the library's
//! multi-agent POWER and alignment reports, as tables or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use powerseek::game::alignment::{self, AlignmentOptions, AlignmentReport};
use powerseek::game::payoff_region::payoff_region;
use powerseek::game::power::{self, MultiAgentPower, Profiles};
use powerseek::game::{format_rational, parse_rational, NormalFormGame, Rational};
use powerseek::plot::style::number;
use powerseek::plot::{save, PayoffPlot};

use crate::game_cmd::{load, TableJson};

fn q(r: &Rational) -> String {
    format_rational(r)
}

fn title(t: &str) -> &str {
    if t.is_empty() {
        "game"
    } else {
        t
    }
}

/// `powerseek game power`.
pub fn power(out: &mut impl Write, file: &Path, profile: Option<&str>, format: TableJson) -> Result<()> {
    let b = load(file)?.into_bayesian();
    let profiles = match profile {
        None => Profiles::EquilibriaAndUniform,
        Some("uniform") => Profiles::Uniform,
        Some(spec) => {
            let text = powerseek::error::read_text(Path::new(spec)).context("--profile")?;
            Profiles::Given(power::parse_profile(&text, spec, &b).context("--profile")?)
        }
    };
    let bar = crate::progress::Bar::new("bases");
    let report = power::power_report_with(&b, &profiles, &bar)?;
    bar.finish();
    match format {
        TableJson::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        TableJson::Table => power_table(out, &report)?,
    }
    Ok(())
}

fn power_table(out: &mut impl Write, r: &MultiAgentPower) -> Result<()> {
    writeln!(out, "{}: multi-agent POWER, exact", title(&r.title))?;
    if let Some(c) = &r.constant_sum {
        writeln!(
            out,
            "constant-sum game: Σ r_i = {} everywhere, so Σ POWER ≥ {} with equality exactly at equilibria",
            q(c),
            q(c)
        )?;
    }
    if let Some(m) = r.method {
        writeln!(out, "equilibria by {}", m.describe())?;
    }
    let kind = if r.bayesian {
        "a Bayesian Nash equilibrium"
    } else {
        "a Nash equilibrium"
    };
    for p in &r.profiles {
        let pw = &p.power;
        writeln!(
            out,
            "\n{}: Σ POWER = {}, total regret = {} ({})",
            p.label,
            q(&pw.total_power),
            q(&pw.total_regret),
            if pw.is_equilibrium { kind } else { "not an equilibrium" }
        )?;
        for (i, name) in r.players.iter().enumerate() {
            let types: Vec<String> = r.types[i]
                .iter()
                .zip(&pw.players[i].by_type)
                .filter(|_| r.types[i].len() > 1)
                .map(|(t, v)| format!("{t}: {}", v.as_ref().map_or("-".into(), q)))
                .collect();
            writeln!(
                out,
                "  {name:<12} POWER {:>10}   E[payoff] {:>10}{}",
                q(&pw.players[i].power),
                q(&pw.players[i].expected_payoff),
                if types.is_empty() {
                    String::new()
                } else {
                    format!("   by type: {}", types.join(", "))
                }
            )?;
        }
    }
    Ok(())
}

/// `powerseek game align`.
pub fn align(
    out: &mut impl Write,
    file: &Path,
    weights: Option<&str>,
    format: TableJson,
    plot: Option<&Path>,
) -> Result<()> {
    let g = load(file)?
        .into_normal_form("alignment metrics")
        .with_context(|| file.display().to_string())?;
    let weights = weights
        .map(|spec| {
            spec.split(',')
                .map(|x| parse_rational(x).map_err(|e| anyhow::anyhow!("--weights: {e}")))
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let bar = crate::progress::Bar::new("bases");
    let report = alignment::alignment_report_with(&g, &AlignmentOptions { weights }, &bar)?;
    bar.finish();
    match format {
        TableJson::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report)?)?,
        TableJson::Table => align_table(out, &report)?,
    }
    if let Some(path) = plot {
        payoff_plot(path, &g, &report)?;
        crate::args::plot_written(path);
    }
    Ok(())
}

/// Two players' payoff space: region, frontier, equilibria, threat and bargaining points.
fn payoff_plot(path: &Path, g: &NormalFormGame, r: &AlignmentReport) -> Result<()> {
    let region = payoff_region(g, r)?;
    let pair = |p: [f64; 2]| (p[0], p[1]);
    let [x, y] = region.bargaining;
    let [tx, ty] = region.threat_point;
    let fig = PayoffPlot {
        title: format!("{}: payoffs", title(&r.title)),
        x_label: format!("{}'s payoff", r.players[0]),
        y_label: format!("{}'s payoff", r.players[1]),
        outcomes: region.outcomes.iter().copied().map(pair).collect(),
        hull: region.hull.iter().copied().map(pair).collect(),
        frontier: region.frontier.iter().copied().map(pair).collect(),
        equilibria: region.equilibria.iter().copied().map(pair).collect(),
        threat: Some((tx, ty)),
        bargaining: Some((x, y)),
        notes: vec![
            format!(
                "threat point ({}, {}) · Nash bargaining ({}, {}) · {} equilibri{}",
                number(tx, 3),
                number(ty, 3),
                number(x, 3),
                number(y, 3),
                region.equilibria.len(),
                if region.equilibria.len() == 1 { "um" } else { "a" }
            ),
            "shaded: payoffs of correlated profiles (convex hull of the pure outcomes)".into(),
        ],
    };
    save(&fig, path)?;
    Ok(())
}

fn align_table(out: &mut impl Write, r: &AlignmentReport) -> Result<()> {
    let profile_name = |p: &[usize]| {
        let names: Vec<&str> = p.iter().enumerate().map(|(i, &a)| r.actions[i][a].as_str()).collect();
        format!("({})", names.join(", "))
    };
    writeln!(
        out,
        "{}: alignment metrics (exact unless noted); welfare weights {}",
        title(&r.title),
        r.weights.iter().map(q).collect::<Vec<_>>().join(", ")
    )?;
    let maxima: Vec<String> = r.max_welfare_profiles.iter().map(|p| profile_name(p)).collect();
    writeln!(out, "max welfare        {} at {}", q(&r.max_welfare), maxima.join(", "))?;
    writeln!(
        out,
        "ideal welfare      {} (Σ_i max_a u_i: everyone gets their way)",
        q(&r.ideal_welfare)
    )?;
    writeln!(
        out,
        "α                  {}   (alignment gap {})",
        q(&r.alpha),
        q(&r.alignment_gap)
    )?;
    if r.constant_welfare {
        writeln!(
            out,
            "equality case      constant-welfare game: the coordination gap is 0 at every profile"
        )?;
    }
    if !r.unanimous_profiles.is_empty() {
        let u: Vec<String> = r.unanimous_profiles.iter().map(|p| profile_name(p)).collect();
        writeln!(
            out,
            "equality case      α = 0: {} is optimal for every player (the unique Pareto-efficient payoff profile)",
            u.join(", ")
        )?;
    }
    writeln!(out, "\nsecurity levels (maxmin):")?;
    for (i, s) in r.security.iter().enumerate() {
        let mixed: Vec<String> = s.mixed_strategy.iter().map(q).collect();
        writeln!(
            out,
            "  {:<12} pure {:>8} ({})   mixed {:>8} ({})",
            r.players[i],
            q(&s.pure_level),
            r.actions[i][s.pure_action],
            q(&s.mixed_level),
            mixed.join(", ")
        )?;
    }
    writeln!(
        out,
        "threat point d     ({})   (mixed security levels)",
        r.threat_point.iter().map(q).collect::<Vec<_>>().join(", ")
    )?;
    let nbs = &r.nash_bargaining;
    let dist: Vec<String> = nbs
        .distribution
        .iter()
        .map(|w| format!("{} {:.4}", profile_name(&w.profile), w.probability))
        .collect();
    writeln!(
        out,
        "Nash bargaining    payoffs ({}), product of surpluses {:.6}{} — via {} [floating point]",
        nbs.payoffs
            .iter()
            .map(|x| format!("{x:.6}"))
            .collect::<Vec<_>>()
            .join(", "),
        nbs.product,
        if nbs.interior {
            ""
        } else {
            " (no point gives everyone positive surplus)"
        },
        dist.join(", ")
    )?;
    writeln!(
        out,
        "\n{:<28} {:>12} {:>12}  {:<24} covariance Cov(u_1, u_2)",
        "localizer", "Σ utility", "coord. gap", "surplus"
    )?;
    for l in &r.localized {
        let off = if l.covariance.len() > 1 {
            q(&l.covariance[0][1])
        } else {
            "-".into()
        };
        writeln!(
            out,
            "{:<28} {:>12} {:>12}  {:<24} {}",
            l.label,
            q(&l.sum_of_utility),
            q(&l.coordination_gap),
            l.surplus.iter().map(q).collect::<Vec<_>>().join(", "),
            off
        )?;
    }
    Ok(())
}

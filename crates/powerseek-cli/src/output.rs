//! Presenting POWER reports: table, JSON, CSV and pictures.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use powerseek::mdp::gamma_sweep::GammaSweep;
use powerseek::mdp::power::PowerReport;
use powerseek::mdp::Mdp;
use powerseek::plot::{
    optimal_moves, save, series_colour, Band, BandChart, Column, EstimateBars, GridHeatmap, GridMarkers,
};
use powerseek::stats::Estimate;

/// Most characters a table shows of one name or number; longer text (a long
/// state name, a payoff with thousands of digits) is cut with an ellipsis.
/// JSON and CSV outputs keep the full text. (Rust's padding widths must also
/// stay below 65 536.)
pub const MAX_CELL: usize = 80;

/// `text`, cut to [`MAX_CELL`] characters with a trailing `…` when longer.
pub fn fit(text: &str) -> std::borrow::Cow<'_, str> {
    match text.char_indices().nth(MAX_CELL) {
        None => text.into(),
        Some(_) => {
            let cut = text.char_indices().nth(MAX_CELL - 1).map_or(text.len(), |c| c.0);
            format!("{}…", &text[..cut]).into()
        }
    }
}

/// Display width of `text` in a table, counted in characters.
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// `up .52 down .48`: the state's actions by optimal probability (ties split).
fn optimal_summary(mdp: &Mdp, r: &PowerReport, s: usize, sep: &str) -> String {
    let mut acts: Vec<usize> = mdp.actions(s).collect();
    acts.sort_by(|&a, &b| r.actions[b].optimal_share.total_cmp(&r.actions[a].optimal_share));
    acts.iter()
        .filter(|&&a| r.actions[a].optimal_share > 0.0)
        .take(3)
        .map(|&a| format!("{}{sep}{:.3}", mdp.action_name(a), r.actions[a].optimal_share))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `right>left,stay`: the action with the most successor POWER and the actions it significantly beats.
fn seeking_summary(mdp: &Mdp, r: &PowerReport, s: usize) -> String {
    let best = mdp.actions(s).max_by(|&a, &b| {
        r.actions[a]
            .successor_power
            .mean
            .total_cmp(&r.actions[b].successor_power.mean)
    });
    match best {
        Some(a) => {
            let beaten: Vec<&str> = r
                .seeks_power_over(mdp, a)
                .into_iter()
                .map(|b| mdp.action_name(b))
                .collect();
            if beaten.is_empty() {
                "-".into()
            } else {
                format!("{}>{}", mdp.action_name(a), beaten.join(","))
            }
        }
        None => "-".into(),
    }
}

pub fn power_table(out: &mut impl Write, env: &str, mdp: &Mdp, r: &PowerReport, rows: usize) -> Result<()> {
    writeln!(
        out,
        "POWER of {env}: {} states, γ = {}, rewards {}, {} samples{}, seed {}",
        mdp.n_states(),
        r.horizon,
        r.distribution,
        r.samples,
        if r.antithetic { " (antithetic)" } else { "" },
        r.seed
    )?;
    if let (Some(target), Some(reached)) = (r.target_se, r.target_reached) {
        if reached {
            writeln!(out, "target standard error {target}: reached")?;
        } else {
            writeln!(
                out,
                "target standard error {target}: NOT reached within the sample limit ({} samples; largest SE {:.5}); \
                 raise --max-samples",
                r.samples,
                r.max_standard_error()
            )?;
        }
    }
    let mut order: Vec<usize> = (0..mdp.n_states()).collect();
    let truncated = order.len() > rows;
    if truncated {
        order.sort_by(|&a, &b| r.power[b].mean.total_cmp(&r.power[a].mean));
        order.truncate(rows);
    }
    let width = order
        .iter()
        .map(|&s| width(&fit(mdp.state_name(s))))
        .max()
        .unwrap_or(5)
        .max(5);
    writeln!(
        out,
        "{:<width$}  {:>8}  {:>8}  {:>19}  {:<32}  seeks power",
        "state", "POWER", "SE", "95% CI", "optimal action (P, ties split)"
    )?;
    for &s in &order {
        let e = r.power[s];
        writeln!(
            out,
            "{:<width$}  {:>8.5}  {:>8.5}  [{:>8.5}, {:>8.5}]  {:<32}  {}",
            fit(mdp.state_name(s)),
            e.mean,
            e.se,
            e.ci95[0],
            e.ci95[1],
            optimal_summary(mdp, r, s, " "),
            seeking_summary(mdp, r, s)
        )?;
    }
    if truncated {
        writeln!(
            out,
            "… {} more states not shown (highest POWER first; use --rows N, or --format json/csv for all)",
            mdp.n_states() - rows
        )?;
    }
    let rate = r.updates as f64 / r.seconds.max(1e-9);
    writeln!(
        out,
        "solved in {:.3} s: {} solver sweeps, {:.3e} state-action-sample updates ({:.2e}/s)",
        r.seconds, r.iterations, r.updates as f64, rate
    )?;
    Ok(())
}

pub fn power_csv(out: &mut impl Write, mdp: &Mdp, r: &PowerReport) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "state",
        "power",
        "se",
        "ci95_low",
        "ci95_high",
        "tie_probability",
        "optimal_share",
        "seeks_power",
    ])?;
    for s in 0..mdp.n_states() {
        let e = r.power[s];
        w.write_record([
            mdp.state_name(s).to_string(),
            e.mean.to_string(),
            e.se.to_string(),
            e.ci95[0].to_string(),
            e.ci95[1].to_string(),
            r.tie_probability[s].to_string(),
            optimal_summary(mdp, r, s, "="),
            seeking_summary(mdp, r, s),
        ])?;
    }
    w.flush()?;
    Ok(())
}

pub fn power_plot(path: &Path, env: &str, mdp: &Mdp, r: &PowerReport) -> Result<()> {
    let name = file_name(env);
    let title = format!(
        "POWER in {name} (γ = {}, {}, n = {})",
        r.horizon, r.distribution, r.samples
    );
    let means: Vec<f64> = r.power.iter().map(|e| e.mean).collect();
    match mdp.layout() {
        Some(layout) => {
            let mut map = GridHeatmap::new(layout, &means, title, "POWER".into());
            map.markers = GridMarkers::of(mdp);
            map.arrows = optimal_moves(mdp, r);
            save(&map, path)?
        }
        None => save(
            &EstimateBars {
                names: mdp.state_names(),
                estimates: &r.power,
                title,
                label: "POWER".into(),
                x_label: "state".into(),
                notes: vec![],
            },
            path,
        )?,
    }
    Ok(())
}

/// The file name of a path as given on the command line.
pub fn file_name(env: &str) -> String {
    Path::new(env)
        .file_name()
        .map_or(env.to_string(), |n| n.to_string_lossy().into_owned())
}

/// `0.5 ± 0.003` with five decimals.
fn pm(e: &Estimate) -> String {
    format!("{:.5} ± {:.5}", e.mean, e.se)
}

pub fn sweep_table(out: &mut impl Write, env: &str, r: &GammaSweep) -> Result<()> {
    let samples = r.points.first().map_or(0, |p| p.samples);
    writeln!(
        out,
        "POWER of {env} against γ: rewards {}, {samples} samples per γ, seed {} (the same reward functions at every γ)",
        r.distribution, r.seed
    )?;
    let w = r.states.iter().map(|s| width(&fit(s))).max().unwrap_or(5).max(19);
    write!(out, "{:<10}", "γ")?;
    for s in &r.states {
        write!(out, "  {:>w$}", fit(s))?;
    }
    writeln!(out)?;
    for p in &r.points {
        write!(out, "{:<10}", p.horizon)?;
        for s in &p.states {
            write!(out, "  {:>w$}", pm(&s.power))?;
        }
        writeln!(out)?;
    }
    for (k, state) in r.states.iter().enumerate() {
        let Some(first) = r.points.first() else { break };
        let actions = &first.states[k].actions;
        if actions.len() < 2 {
            continue;
        }
        writeln!(out, "\nP(optimal) at {} (ties split):", fit(state))?;
        write!(out, "{:<10}", "γ")?;
        for a in actions {
            write!(out, "  {:>8}", fit(&a.action))?;
        }
        writeln!(out)?;
        for p in &r.points {
            write!(out, "{:<10}", p.horizon)?;
            for a in &p.states[k].actions {
                write!(out, "  {:>8.4}", a.optimal_share)?;
            }
            writeln!(out)?;
        }
    }
    if r.points.iter().any(|p| p.target_reached == Some(false)) {
        writeln!(out, "target standard error NOT reached at some γ; raise --max-samples")?;
    }
    writeln!(out, "solved in {:.3} s", r.seconds)?;
    Ok(())
}

pub fn sweep_csv(out: &mut impl Write, r: &GammaSweep) -> Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "gamma",
        "state",
        "action",
        "power",
        "se",
        "optimal_share",
        "ci95_low",
        "ci95_high",
    ])?;
    for p in &r.points {
        for s in &p.states {
            let e = s.power;
            w.write_record([
                p.gamma.to_string(),
                s.state.clone(),
                String::new(),
                e.mean.to_string(),
                e.se.to_string(),
                String::new(),
                e.ci95[0].to_string(),
                e.ci95[1].to_string(),
            ])?;
            for a in &s.actions {
                w.write_record([
                    p.gamma.to_string(),
                    s.state.clone(),
                    a.action.clone(),
                    String::new(),
                    String::new(),
                    a.optimal_share.to_string(),
                    a.ci95[0].to_string(),
                    a.ci95[1].to_string(),
                ])?;
            }
        }
    }
    w.flush()?;
    Ok(())
}

/// Two panels: POWER of each state against γ, and the probability that each
/// action of the states with a choice is optimal.
pub fn sweep_plot(path: &Path, env: &str, r: &GammaSweep) -> Result<()> {
    let samples = r.points.first().map_or(0, |p| p.samples);
    let power = BandChart {
        title: format!(
            "POWER against γ in {} ({}, n = {samples} per γ)",
            file_name(env),
            r.distribution
        ),
        x_label: "discount rate γ".into(),
        y_label: "POWER".into(),
        series: r
            .states
            .iter()
            .enumerate()
            .map(|(k, name)| Band {
                label: name.clone(),
                color: series_colour(k),
                points: r
                    .points
                    .iter()
                    .map(|p| {
                        let e = p.states[k].power;
                        (p.gamma, e.mean, e.ci95[0], e.ci95[1])
                    })
                    .collect(),
                dashed: false,
            })
            .collect(),
        y_range: None,
        notes: vec!["bands and whiskers: 95% intervals; every γ uses the same reward samples".into()],
    };
    let mut series = vec![];
    let choices: Vec<usize> = (0..r.states.len())
        .filter(|&k| r.points.first().is_some_and(|p| p.states[k].actions.len() >= 2))
        .collect();
    for (n, &k) in choices.iter().enumerate() {
        let Some(first) = r.points.first() else { break };
        for (j, a) in first.states[k].actions.iter().enumerate() {
            let label = if choices.len() > 1 {
                format!("{}: {}", r.states[k], a.action)
            } else {
                a.action.clone()
            };
            series.push(Band {
                label,
                color: series_colour(series.len()),
                points: r
                    .points
                    .iter()
                    .map(|p| {
                        let s = &p.states[k].actions[j];
                        (p.gamma, s.optimal_share, s.ci95[0], s.ci95[1])
                    })
                    .collect(),
                dashed: n % 2 == 1,
            });
        }
    }
    if series.is_empty() {
        save(&power, path)?;
        return Ok(());
    }
    let where_ = if choices.len() == 1 {
        format!(" at {}", r.states[choices[0]])
    } else {
        String::new()
    };
    let optimal = BandChart {
        title: format!("Probability each action is optimal{where_}"),
        x_label: "discount rate γ".into(),
        y_label: "P(optimal), ties split".into(),
        series,
        y_range: Some((0.0, 1.0)),
        notes: vec!["bands and whiskers: 95% Wilson intervals".into()],
    };
    save(
        &Column {
            panels: vec![power, optimal],
        },
        path,
    )?;
    Ok(())
}

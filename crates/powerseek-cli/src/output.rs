//! Presenting POWER reports: table, JSON, CSV and pictures.

use std::io::Write;
use std::path::Path;

use anyhow::Result;

use powerseek::mdp::power::PowerReport;
use powerseek::mdp::Mdp;
use powerseek::plot::{save, EstimateBars, GridHeatmap};

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
    let name = Path::new(env)
        .file_name()
        .map_or(env.to_string(), |n| n.to_string_lossy().into_owned());
    let title = format!(
        "POWER in {name} (γ = {}, {}, n = {})",
        r.horizon, r.distribution, r.samples
    );
    let means: Vec<f64> = r.power.iter().map(|e| e.mean).collect();
    match mdp.layout() {
        Some(layout) => save(
            &GridHeatmap {
                layout,
                values: &means,
                title,
                label: "POWER".into(),
            },
            path,
        )?,
        None => save(
            &EstimateBars {
                names: mdp.state_names(),
                estimates: &r.power,
                title,
                label: "POWER (95% CI)".into(),
            },
            path,
        )?,
    }
    Ok(())
}

//! `powerseek retarget ...`: orbit tendencies and retargetability checks (docs/theory.md §6).
//! Each subcommand parses its arguments into a library request, calls one
//! library function (`retarget::{orbit, check, mdp_tendency, learned}`) and
//! renders its report.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Subcommand;

use powerseek::plot::{save, EstimateBars, OutcomeBars, OutcomeRow};
use powerseek::retarget::{
    self, CheckReport, CheckRequest, LearnedReport, LearnedRequest, MdpTendencyReport, MdpTendencyRequest, OrbitReport,
    OrbitRequest, OrbitRow, Retargetability,
};
use powerseek::stats::Estimate;

use crate::args::{plot_written, write_json, PlotArg, TableOrJson, TableOrJsonArg};

#[derive(Subcommand)]
pub enum RetargetCommand {
    /// Counts over the orbit of u of parameters where p(B) > p(A), =, <, per decision-maker.
    /// The picture (--plot) has, per decision-maker, stacked bars of the shares of the
    /// orbit where B is likelier (wins), equally likely (ties) and less likely (losses).
    Orbit {
        #[command(flatten)]
        sets: SetArgs,
        /// Decision-makers (comma-separated): argmax, argmin, boltzmann:β, best-of:k,
        /// satisficer:t, quantilizer:q, uniform. Default: one of each.
        #[arg(long)]
        decision: Option<String>,
        /// Sample this many random permutations instead of the whole orbit
        /// (needed beyond 20 entries of u).
        #[arg(long)]
        samples: Option<u64>,
        #[arg(long, default_value_t = OrbitRequest::default().seed)]
        seed: u64,
        /// Also take the orbits of this many uniform random parameters (seeded) and
        /// report the worst orbit: the "for every θ" quantifier, estimated.
        #[arg(long, default_value_t = OrbitRequest::default().parameters)]
        parameters: usize,
        /// Check B ≥_most^n A for this n (default: the number of disjoint copies of A in B).
        #[arg(long)]
        n: Option<u64>,
        #[command(flatten)]
        format: TableOrJsonArg,
        #[command(flatten)]
        plot: PlotArg,
    },
    /// First actions in an MDP: outcomes are the discounted visit distributions
    /// available from a state; A and B those starting with two given actions.
    /// The picture has stacked win/tie/loss bars of the worst orbit per decision-maker.
    Mdp(MdpArgs),
    /// Q-learning agents trained on reward functions drawn from the orbit of a
    /// random reward: how often does the learned policy's first move go each way?
    /// The picture is a bar chart of the fraction of agents taking each first move.
    Learned(LearnedArgs),
    /// Search for permutations witnessing (A→B) n-retargetability, or a counterexample.
    Check {
        #[command(flatten)]
        sets: SetArgs,
        /// One decision-maker (default argmax).
        #[arg(long)]
        decision: Option<String>,
        #[arg(long, default_value_t = CheckRequest::default().n)]
        n: usize,
        /// Random parameters to test besides u (seeded).
        #[arg(long, default_value_t = CheckRequest::default().parameters)]
        parameters: usize,
        #[arg(long, default_value_t = CheckRequest::default().seed)]
        seed: u64,
        #[command(flatten)]
        format: TableOrJsonArg,
    },
}

/// Outcomes are the unit vectors e_1..e_d; sets are 1-based indices.
#[derive(clap::Args)]
pub struct SetArgs {
    /// The utility parameter u (comma-separated; its length is d).
    #[arg(long, allow_hyphen_values = true)]
    u: String,
    /// Outcome set A, 1-based indices of e_i (e.g. 3).
    #[arg(long)]
    a: String,
    /// Outcome set B (e.g. 1,2).
    #[arg(long)]
    b: String,
}

/// An MDP, a state and the two first moves to compare there.
#[derive(clap::Args)]
pub struct MoveArgs {
    /// A deterministic MDP file (.grid, .json, .mdp).
    env: PathBuf,
    /// The state (by name, e.g. "start" or "(0,2)"); default: the file's start state.
    #[arg(long)]
    state: Option<String>,
    /// First action of set A (the one with fewer options, typically).
    #[arg(long)]
    a: String,
    /// First action of set B.
    #[arg(long)]
    b: String,
}

/// Arguments of `retarget mdp`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct MdpArgs {
    #[command(flatten)]
    moves: MoveArgs,
    /// Discount of the visit distributions, in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[arg(long)]
    decision: Option<String>,
    /// Reward parameters u to take orbits of: this many uniform random ones (seeded).
    #[arg(long, default_value_t = MdpTendencyRequest::default().parameters)]
    parameters: usize,
    /// Sample permutations instead of enumerating each orbit.
    #[arg(long)]
    samples: Option<u64>,
    #[arg(long, default_value_t = MdpTendencyRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
    #[command(flatten)]
    plot: PlotArg,
}

/// Arguments of `retarget learned`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct LearnedArgs {
    #[command(flatten)]
    moves: MoveArgs,
    #[arg(long, default_value_t = LearnedRequest::default().agents)]
    agents: usize,
    #[arg(long, default_value_t = LearnedRequest::default().episodes)]
    episodes: usize,
    /// Steps per episode.
    #[arg(long, default_value_t = LearnedRequest::default().horizon)]
    horizon: usize,
    #[arg(long, default_value_t = LearnedRequest::default().epsilon)]
    epsilon: f64,
    #[arg(long, default_value_t = LearnedRequest::default().alpha)]
    alpha: f64,
    /// Discount in (0, 1). Default: the file's discount, else 0.9.
    #[arg(long, short)]
    gamma: Option<f64>,
    #[arg(long, default_value_t = LearnedRequest::default().seed)]
    seed: u64,
    #[command(flatten)]
    format: TableOrJsonArg,
    #[command(flatten)]
    plot: PlotArg,
}

/// u, A and B from the command line's notation (A and B 1-based).
fn parse_sets(s: &SetArgs) -> Result<(Vec<f64>, Vec<usize>, Vec<usize>)> {
    let u: Vec<f64> =
        s.u.split(',')
            .map(|x| {
                x.trim()
                    .parse::<f64>()
                    .with_context(|| format!("--u: '{x}' is not a number"))
            })
            .collect::<Result<_>>()?;
    let d = u.len();
    let set = |name: &str, text: &str| -> Result<Vec<usize>> {
        text.split(',')
            .map(|x| {
                x.trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|&i| i >= 1 && i <= d)
                    .map(|i| i - 1)
                    .with_context(|| format!("--{name}: '{x}' is not an outcome index in 1..{d}"))
            })
            .collect()
    };
    Ok((u, set("a", &s.a)?, set("b", &s.b)?))
}

pub fn run(cmd: RetargetCommand) -> Result<()> {
    match cmd {
        RetargetCommand::Orbit {
            sets,
            decision,
            samples,
            seed,
            parameters,
            n,
            format,
            plot,
        } => {
            let (u, a, b) = parse_sets(&sets)?;
            let request = OrbitRequest {
                u,
                a,
                b,
                decision,
                samples,
                seed,
                parameters,
                n,
                ..Default::default()
            };
            let bar = crate::progress::Bar::new("decision-makers");
            let report = retarget::orbit(&request, None, &bar)?;
            bar.finish();
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => orbit_table(&mut std::io::stdout().lock(), &sets, &report)?,
            }
            if let Some(path) = plot.plot {
                let title = format!(
                    "Orbit of u: is B likelier than A? A = {{{}}}, B = {{{}}}",
                    sets.a, sets.b
                );
                let outcomes = ["p(B) > p(A)", "p(B) = p(A)", "p(B) < p(A)"].map(String::from);
                tendency_chart(&report.results, title, outcomes, &path)?;
            }
        }
        RetargetCommand::Mdp(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = MdpTendencyRequest {
                state: args.moves.state.clone(),
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                gamma: args.gamma,
                decision: args.decision.clone(),
                parameters: args.parameters,
                samples: args.samples,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("decision-makers");
            let report = retarget::mdp_tendency(&mdp, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => mdp_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
            if let Some(path) = &args.plot.plot {
                let title = format!("Worst orbit at {}: '{}' against '{}'", report.state, report.b, report.a);
                let (a, b) = (&report.a, &report.b);
                let outcomes = [
                    format!("'{b}' likelier"),
                    "equally likely".to_string(),
                    format!("'{a}' likelier"),
                ];
                tendency_chart(&report.worst_orbit, title, outcomes, path)?;
            }
        }
        RetargetCommand::Learned(args) => {
            let mdp = crate::load_mdp(&args.moves.env)?;
            let request = LearnedRequest {
                state: args.moves.state.clone(),
                a: args.moves.a.clone(),
                b: args.moves.b.clone(),
                agents: args.agents,
                episodes: args.episodes,
                horizon: args.horizon,
                epsilon: args.epsilon,
                alpha: args.alpha,
                gamma: args.gamma,
                seed: args.seed,
            };
            let bar = crate::progress::Bar::new("agents");
            let report = retarget::learned(&mdp, &request, &bar)?;
            bar.finish();
            match args.format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => learned_table(&mut std::io::stdout().lock(), &args.moves.env, &report)?,
            }
            if let Some(path) = &args.plot.plot {
                learned_chart(&report, path)?;
            }
        }
        RetargetCommand::Check {
            sets,
            decision,
            n,
            parameters,
            seed,
            format,
        } => {
            let (u, a, b) = parse_sets(&sets)?;
            let request = CheckRequest {
                u,
                a,
                b,
                decision,
                n,
                parameters,
                seed,
                ..Default::default()
            };
            let report = retarget::check(&request, None, &powerseek::NoProgress)?;
            match format.format {
                TableOrJson::Json => write_json(&report)?,
                TableOrJson::Table => check_table(&mut std::io::stdout().lock(), &report)?,
            }
        }
    }
    Ok(())
}

fn orbit_table(out: &mut impl Write, sets: &SetArgs, r: &OrbitReport) -> Result<()> {
    let what = if r.parameters > 0 {
        format!("the worst of the orbits of u and {} random parameters", r.parameters)
    } else {
        match r.samples {
            Some(k) => format!("{k} sampled permutations"),
            None => format!(
                "the whole orbit ({} distinct parameters)",
                r.orbit_size.map_or("more than 2^64".to_string(), |s| s.to_string())
            ),
        }
    };
    writeln!(
        out,
        "orbit of u = ({}) under S_{}: {what}; A = {{{}}}, B = {{{}}}",
        sets.u,
        r.u.len(),
        sets.a,
        sets.b
    )?;
    writeln!(
        out,
        "{:<16} {:>10} {:>10} {:>10} {:>7} {:>7} {:>7}  B ≥_most^{} A",
        "decision-maker", "p(B)>p(A)", "equal", "p(B)<p(A)", "wins", "ties", "losses", r.n
    )?;
    for row in &r.results {
        let ci = row
            .ci95
            .map_or(String::new(), |c| format!(" (wins 95% CI [{:.3}, {:.3}])", c[0], c[1]));
        let (t, f) = (row.tendency, row.shares);
        writeln!(
            out,
            "{:<16} {:>10} {:>10} {:>10} {:>7.4} {:>7.4} {:>7.4}  {}{ci}",
            row.decision,
            t.b_more,
            t.equal,
            t.a_more,
            f.wins,
            f.ties,
            f.losses,
            if row.holds { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

fn mdp_table(out: &mut impl Write, env: &Path, r: &MdpTendencyReport) -> Result<()> {
    let (a, b) = (&r.a, &r.b);
    writeln!(
        out,
        "{} at state {}: {} visit distributions start with '{a}', {} with '{b}' (γ = {}); worst orbit of {} random reward functions{}",
        env.display(),
        r.state,
        r.outcomes_a,
        r.outcomes_b,
        r.gamma,
        r.parameters,
        r.samples.map_or(String::new(), |k| format!(", {k} sampled permutations each"))
    )?;
    writeln!(
        out,
        "{:<16} {:>12} {:>10} {:>12} {:>7} {:>7} {:>7}  '{b}' ≥_most '{a}'",
        "decision-maker",
        format!("'{b}' likelier"),
        "equal",
        format!("'{a}' likelier"),
        "wins",
        "ties",
        "losses"
    )?;
    for row in &r.worst_orbit {
        let (t, f) = (row.tendency, row.shares);
        writeln!(
            out,
            "{:<16} {:>12} {:>10} {:>12} {:>7.4} {:>7.4} {:>7.4}  {}",
            row.decision,
            t.b_more,
            t.equal,
            t.a_more,
            f.wins,
            f.ties,
            f.losses,
            if row.holds { "holds" } else { "fails" }
        )?;
    }
    Ok(())
}

fn learned_table(out: &mut impl Write, env: &Path, r: &LearnedReport) -> Result<()> {
    let (a, b, t, x) = (&r.a, &r.b, &r.training, &r.result);
    writeln!(
        out,
        "{} at state {}: {} Q-learners ({} episodes × {} steps, ε = {}, α = {}, γ = {}), each on a random permutation of one random reward",
        env.display(),
        r.state,
        x.agents,
        t.episodes,
        t.horizon,
        t.epsilon,
        t.alpha,
        t.gamma
    )?;
    writeln!(
        out,
        "first move '{b}': {:.1} agents, '{a}': {:.1}, other: {:.1}",
        x.chose_b, x.chose_a, x.chose_other
    )?;
    writeln!(
        out,
        "fraction choosing '{b}' over '{a}': {:.3}, 95% CI [{:.3}, {:.3}]",
        x.fraction_b, x.ci95[0], x.ci95[1]
    )?;
    Ok(())
}

fn check_table(out: &mut impl Write, r: &CheckReport) -> Result<()> {
    let one_based = |p: &[usize]| p.iter().map(|x| x + 1).collect::<Vec<_>>();
    let (dm, n) = (&r.decision, r.n);
    match &r.result {
        Retargetability::Witness { permutations } => {
            writeln!(
                out,
                "{dm} is (A→B) {n}-retargetable on {} tested parameters; witnesses (images of 1..d):",
                r.parameters_tested
            )?;
            for p in permutations {
                writeln!(out, "  {:?}", one_based(p))?;
            }
        }
        Retargetability::Counterexample { parameter, permutation } => {
            writeln!(out, "{dm} is not (A→B) {n}-retargetable: at u = {parameter:?}, p(A) > p(B) but the permutation {:?} does not make B more likely", one_based(permutation))?;
        }
        Retargetability::NoCandidates => {
            writeln!(out, "B does not contain {n} disjoint copies of A: nothing to check")?
        }
    }
    Ok(())
}

/// Stacked bars: per decision-maker, the shares of the orbit where B is
/// likelier (wins), equally likely (ties) and less likely (losses).
fn tendency_chart(rows: &[OrbitRow], title: String, outcomes: [String; 3], path: &Path) -> Result<()> {
    let sampled = rows.iter().any(|r| r.shares_ci95.is_some());
    let chart = OutcomeBars {
        title,
        outcomes,
        x_label: "share of the orbit".into(),
        rows: rows
            .iter()
            .map(|r| OutcomeRow {
                name: r.decision.clone(),
                shares: [r.shares.wins, r.shares.ties, r.shares.losses],
                ci95: r.shares_ci95.map(|c| [c.wins, c.losses]),
                verdict: if r.holds { "holds".into() } else { "fails".into() },
            })
            .collect(),
        notes: vec![if sampled {
            "sampled permutations; whiskers: 95% Wilson intervals of the win and loss shares".into()
        } else {
            "exact: every element of the orbit counted".into()
        }],
    };
    save(&chart, path)?;
    plot_written(path);
    Ok(())
}

/// Bar chart of the fraction of agents taking each first move.
fn learned_chart(report: &LearnedReport, path: &Path) -> Result<()> {
    let (a, b, r) = (&report.a, &report.b, &report.result);
    let agents = r.agents as f64;
    let decided = (r.chose_a + r.chose_b).max(1.0);
    let share = |x: f64| x / agents;
    let names = vec![format!("'{b}'"), format!("'{a}'"), "other".to_string()];
    let point = |x: f64| Estimate {
        mean: share(x),
        se: 0.0,
        ci95: [share(x), share(x)],
    };
    let estimates = vec![
        Estimate {
            mean: share(r.chose_b),
            se: 0.0,
            ci95: [r.ci95[0] * decided / agents, r.ci95[1] * decided / agents],
        },
        point(r.chose_a),
        point(r.chose_other),
    ];
    let title = format!(
        "{} Q-learners' first moves ('{b}' over '{a}': {:.3})",
        r.agents,
        r.chose_b / decided
    );
    save(
        &EstimateBars {
            names: &names,
            estimates: &estimates,
            title,
            label: "fraction of agents".into(),
            x_label: "first move".into(),
            notes: vec!["whisker on the first bar: 95% Wilson interval of its share".into()],
        },
        path,
    )?;
    plot_written(path);
    Ok(())
}

//! `powerseek visits`: the visit distributions F(s) of a state, ND(F(s)),
//! the recurrent state distributions and, exactly, optimality probabilities,
//! POWER and the orderings of first actions (docs/theory.md §2.7). The
//! arguments become a library [`VisitRequest`]; the JSON is its [`VisitReport`].

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;

use powerseek::exact::{format_rational, Rational};
use powerseek::mdp::visits::{visits, VisitReport, VisitRequest};

use crate::args::{write_json, TableOrJson, TableOrJsonArg};

/// Arguments of `powerseek visits`.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct VisitArgs {
    /// Environment file: .grid, .json, or .mdp/.pomdp (Cassandra).
    env: PathBuf,
    /// The state (by name); default: the file's start state.
    #[arg(long)]
    state: Option<String>,
    /// Discount in (0, 1), exactly: a decimal or p/q. Default: the file's discount, else 9/10.
    #[arg(long, short)]
    gamma: Option<String>,
    /// Reward distribution of the probabilities: uniform[:lo,hi], bernoulli:p or finite:v@p,...
    #[arg(long, default_value_t = VisitRequest::default().dist, allow_hyphen_values = true)]
    dist: String,
    /// Only F(s), ND(F(s)) and the recurrent distributions (no probabilities, POWER or orderings).
    #[arg(long)]
    no_probabilities: bool,
    /// A set of visit distributions (0-based indices, comma-separated) whose
    /// optimality probability to report; repeatable.
    #[arg(long = "set")]
    sets: Vec<String>,
    #[command(flatten)]
    format: TableOrJsonArg,
}

fn indices(text: &str) -> Result<Vec<usize>> {
    text.split(',')
        .filter(|x| !x.trim().is_empty())
        .map(|x| {
            x.trim()
                .parse()
                .map_err(|_| anyhow::anyhow!("--set: '{x}' is not a visit-distribution index (0, 1, ...)"))
        })
        .collect()
}

pub fn run(args: VisitArgs) -> Result<()> {
    let mdp = crate::load_mdp(&args.env)?;
    let request = VisitRequest {
        state: args.state.clone(),
        gamma: args.gamma.clone(),
        dist: args.dist.clone(),
        probabilities: !args.no_probabilities,
        sets: args.sets.iter().map(|s| indices(s)).collect::<Result<_>>()?,
    };
    let report = visits(&mdp, &request, &powerseek::NoProgress)?;
    match args.format.format {
        TableOrJson::Json => write_json(&report),
        TableOrJson::Table => table(&mut std::io::stdout().lock(), &report),
    }
}

fn show(x: &Option<Rational>) -> String {
    x.as_ref().map_or("-".into(), format_rational)
}

/// A distribution as `state: value` for its non-zero entries.
fn sparse(states: &[String], v: &[Rational]) -> String {
    let zero = Rational::from_integer(0.into());
    v.iter()
        .zip(states)
        .filter(|(x, _)| **x != zero)
        .map(|(x, s)| format!("{s}: {}", format_rational(x)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn table(out: &mut impl Write, r: &VisitReport) -> Result<()> {
    writeln!(
        out,
        "Visit distributions from '{}' at γ = {} (exact){}",
        r.state,
        format_rational(&r.gamma),
        r.distribution
            .as_ref()
            .map_or(String::new(), |d| format!("; probabilities under {d} rewards"))
    )?;
    if let Some(p) = &r.power {
        writeln!(out, "POWER = {}", format_rational(p))?;
    }
    writeln!(out)?;
    writeln!(
        out,
        "{:>4}  {:<12} {:>3}  {:>12}  visits",
        "#", "first", "ND", "P(optimal)"
    )?;
    for (k, d) in r.distributions.iter().enumerate() {
        writeln!(
            out,
            "{k:>4}  {:<12} {:>3}  {:>12}  {}",
            d.first_actions.join(","),
            if d.non_dominated { "yes" } else { "no" },
            show(&d.optimal),
            sparse(&r.states, &d.visits)
        )?;
    }
    if let Some(rec) = &r.recurrent {
        writeln!(out, "\nRecurrent state distributions (γ → 1):")?;
        for d in rec {
            writeln!(
                out,
                "  {:<3} {}   (from {:?})",
                if d.non_dominated { "ND" } else { "" },
                sparse(&r.states, &d.distribution),
                d.from
            )?;
        }
    }
    writeln!(
        out,
        "\n{:<12} {:>5} {:>4} {:>12} {:>12} {:>16}",
        "action", "|F|", "|ND|", "P(optimal)", "share", "successor POWER"
    )?;
    for a in &r.actions {
        writeln!(
            out,
            "{:<12} {:>5} {:>4} {:>12} {:>12} {:>16}",
            a.action,
            a.distributions,
            a.non_dominated,
            show(&a.optimal),
            show(&a.optimal_share),
            show(&a.successor_power)
        )?;
    }
    if !r.orderings.is_empty() {
        writeln!(out)?;
        for o in &r.orderings {
            writeln!(
                out,
                "{} vs {}: more probably optimal: {}; seeks POWER: {}",
                o.a, o.b, o.more_probably_optimal, o.seeks_power
            )?;
        }
    }
    for (k, p) in r.sets.iter().enumerate() {
        writeln!(out, "set {k}: P(optimal) = {}", format_rational(p))?;
    }
    Ok(())
}

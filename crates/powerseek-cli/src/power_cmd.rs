//! `powerseek power`: POWER of every state of an MDP. The arguments become a
//! library [`PowerRequest`]; the JSON is the library's [`PowerView`] of the
//! report (the fields Python returns).
//!
//! [`PowerView`]: powerseek::mdp::power_io::PowerView

use std::path::PathBuf;

use anyhow::Result;

use powerseek::mdp::gamma_sweep::{gamma_sweep, parse_gammas, GammaSweepRequest};
use powerseek::mdp::kernel::Kernel;
use powerseek::mdp::power::estimate_power;
use powerseek::mdp::power_io::{PowerRequest, SolveMethod};
use powerseek::mdp::solve::Precision;
use powerseek::mdp::Mdp;

use crate::args::{plot_written, write_json, Format, FormatArg, PlotArg};
use crate::output;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Method {
    /// Value iteration (Gauss–Seidel), any MDP.
    Vi,
    /// Exact policy iteration, deterministic MDPs: pays off for γ ≥ 0.999 on
    /// MDPs without stay actions whose values travel far (a 1000-cell corridor:
    /// 4.4× faster at 0.999, 15× at 0.9999); on grids with stay, vi is 6–14× faster.
    Pi,
}

/// The picture (--plot) is a heatmap for gridworlds (with optimal-action
/// arrows), bars otherwise; with several discount rates (--gamma 0.1,0.5,0.9
/// or --gamma 0:1:11) POWER and optimal-action probabilities against γ.
#[derive(clap::Args)]
#[command(allow_negative_numbers = true)]
pub struct PowerArgs {
    /// Environment file: .grid (ASCII gridworld), .json, or .mdp/.pomdp (Cassandra).
    env: PathBuf,
    /// Discount rate in (0,1); 0 and 1 give the γ→0 and γ→1 limits, computed directly.
    /// Default: the file's discount, else 0.9. A list (0.1,0.5,0.9) or range
    /// lo:hi:K (K evenly spaced values, each the float nearest the exact decimal:
    /// 0.1:0.9:5 is 0.1,0.3,0.5,0.7,0.9) sweeps γ for the --states.
    #[arg(long, short)]
    gamma: Option<String>,
    /// With several discount rates: the states to report (comma-separated names;
    /// default: the start state and its successors).
    #[arg(long, requires = "gamma")]
    states: Option<String>,
    /// Reward distribution: uniform[:lo,hi], beta:a,b, bernoulli:p, normal:mean,sd,
    /// finite:v@p,..., or features:<one of those> for R = w·φ(s).
    #[arg(long, default_value_t = PowerRequest::default().dist, allow_hyphen_values = true)]
    dist: String,
    /// Number of reward functions to sample.
    #[arg(long, short = 'n', default_value_t = PowerRequest::default().samples, conflicts_with = "target_se")]
    samples: usize,
    /// Sample until every state's standard error is at most this.
    #[arg(long)]
    target_se: Option<f64>,
    /// Upper bound on samples with --target-se (default 10 000 000).
    #[arg(long, requires = "target_se")]
    max_samples: Option<usize>,
    #[arg(long, default_value_t = PowerRequest::default().seed)]
    seed: u64,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Draw rewards in antithetic pairs (variance reduction).
    #[arg(long)]
    antithetic: bool,
    #[arg(long, value_enum, default_value = "vi")]
    method: Method,
    /// Error bound on each sample's POWER from stopping value iteration.
    #[arg(long, default_value_t = PowerRequest::default().tolerance)]
    tolerance: f64,
    #[arg(long, default_value_t = PowerRequest::default().max_iterations)]
    max_iterations: usize,
    /// Reward samples per parallel task (default: sized to the MDP and the
    /// threads). Results do not depend on it.
    #[arg(long)]
    batch: Option<usize>,
    /// Arithmetic of the sweeps: f64, or f32 (half the memory traffic; every
    /// block's result certified in f64 against --tolerance, finished in f64
    /// when the certificate fails; refused when f32 cannot reach the tolerance).
    #[arg(long, default_value_t = PowerRequest::default().precision)]
    precision: Precision,
    /// SIMD path of the sweeps: auto, portable, avx2, avx512 (x86-64) or neon (aarch64); all give the same bits.
    #[arg(long, default_value_t = PowerRequest::default().kernel)]
    kernel: Kernel,
    #[command(flatten)]
    format: FormatArg,
    /// Rows shown by the table format (the highest-POWER states when there are
    /// more; default 40). JSON and CSV have every state.
    #[arg(long)]
    rows: Option<usize>,
    /// Exact POWER and optimality probabilities as rationals, from the visit
    /// distributions (small MDPs; iid uniform or finite-support rewards;
    /// docs/theory.md §2.7). The discount is read as its shortest decimal.
    #[arg(long, conflicts_with_all = ["target_se", "max_samples", "antithetic", "method", "tolerance", "max_iterations", "batch", "samples", "seed", "plot", "rows", "precision", "kernel", "states"])]
    exact: bool,
    #[command(flatten)]
    plot: PlotArg,
}

pub fn run(args: PowerArgs) -> Result<()> {
    if args.rows.is_some() && !matches!(args.format.format, Format::Table) {
        anyhow::bail!("--rows only applies to the table format (JSON and CSV have every state)");
    }
    crate::set_threads(args.threads)?;
    let mdp = crate::load_mdp(&args.env)?;
    if args.exact {
        return exact(&args, &mdp);
    }
    let single = match &args.gamma {
        None => None,
        Some(text) => match text.trim().parse::<f64>() {
            Ok(g) => Some(g),
            Err(_) => return sweep(&args, &mdp, parse_gammas(text)?),
        },
    };
    if args.states.is_some() {
        anyhow::bail!("--states only applies with several discount rates (--gamma 0.1,0.5,0.9 or lo:hi:K)");
    }
    let request = PowerRequest {
        gamma: single,
        ..power_request(&args)
    };
    let (dist, opts) = request.resolve(&mdp)?;
    let bar = crate::progress::Bar::new("samples");
    let report = estimate_power(&mdp, &dist, &opts, &bar)?;
    bar.finish();
    let env = args.env.display().to_string();
    let mut stdout = std::io::stdout().lock();
    match args.format.format {
        Format::Table => output::power_table(&mut stdout, &env, &mdp, &report, args.rows.unwrap_or(40))?,
        Format::Json => write_json(&report.view(&mdp))?,
        Format::Csv => output::power_csv(&mut stdout, &mdp, &report)?,
    }
    if let Some(path) = &args.plot.plot {
        output::power_plot(path, &env, &mdp, &report)?;
        plot_written(path);
    }
    Ok(())
}

/// The options shared by a single estimate and a sweep (without γ).
fn power_request(args: &PowerArgs) -> PowerRequest {
    PowerRequest {
        gamma: None,
        dist: args.dist.clone(),
        samples: args.samples,
        target_se: args.target_se,
        max_samples: args.max_samples,
        seed: args.seed,
        antithetic: args.antithetic,
        method: match args.method {
            Method::Vi => SolveMethod::Vi,
            Method::Pi => SolveMethod::Pi,
        },
        tolerance: args.tolerance,
        max_iterations: args.max_iterations,
        batch: args.batch,
        precision: args.precision,
        kernel: args.kernel,
    }
}

/// `power --gamma LIST`: POWER and optimal-action probabilities against γ.
fn sweep(args: &PowerArgs, mdp: &Mdp, gammas: Vec<f64>) -> Result<()> {
    if args.rows.is_some() {
        anyhow::bail!("--rows only applies to a single discount rate");
    }
    let request = GammaSweepRequest {
        power: power_request(args),
        gammas,
        states: args
            .states
            .as_deref()
            .map(|s| s.split(',').map(|n| n.trim().to_string()).collect())
            .unwrap_or_default(),
    };
    let bar = crate::progress::Bar::new("samples");
    let sweep = gamma_sweep(mdp, &request, &bar)?;
    bar.finish();
    let env = args.env.display().to_string();
    let mut stdout = std::io::stdout().lock();
    match args.format.format {
        Format::Table => output::sweep_table(&mut stdout, &env, &sweep)?,
        Format::Json => write_json(&sweep)?,
        Format::Csv => output::sweep_csv(&mut stdout, &sweep)?,
    }
    if let Some(path) = &args.plot.plot {
        output::sweep_plot(path, &env, &sweep)?;
        plot_written(path);
    }
    Ok(())
}

/// `power --exact`: the library's exact POWER report.
fn exact(args: &PowerArgs, mdp: &powerseek::Mdp) -> Result<()> {
    use powerseek::exact::format_rational;
    use powerseek::mdp::visits::{exact_power, ExactPowerRequest};
    use std::io::Write;
    let request = ExactPowerRequest {
        gamma: args.gamma.clone(),
        dist: args.dist.clone(),
    };
    let report = exact_power(mdp, &request, &powerseek::NoProgress)?;
    let mut out = std::io::stdout().lock();
    match args.format.format {
        Format::Json => write_json(&report)?,
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(["state", "power", "power_float", "visit_distributions", "non_dominated"])?;
            for s in &report.states {
                w.write_record([
                    s.name.clone(),
                    format_rational(&s.power),
                    s.power_float.to_string(),
                    s.visit_distributions.to_string(),
                    s.non_dominated.to_string(),
                ])?;
            }
            w.flush()?;
        }
        Format::Table => {
            writeln!(
                out,
                "Exact POWER of {} at γ = {} under {} rewards",
                args.env.display(),
                format_rational(&report.gamma),
                report.distribution
            )?;
            writeln!(
                out,
                "{:<14} {:>20} {:>10} {:>5} {:>4}  P(optimal) per action",
                "state", "POWER", "≈", "|F|", "|ND|"
            )?;
            for s in &report.states {
                let actions: Vec<String> = s
                    .actions
                    .iter()
                    .map(|a| format!("{}: {}", a.name, format_rational(&a.optimal)))
                    .collect();
                writeln!(
                    out,
                    "{:<14} {:>20} {:>10.6} {:>5} {:>4}  {}",
                    s.name,
                    format_rational(&s.power),
                    s.power_float,
                    s.visit_distributions,
                    s.non_dominated,
                    actions.join(", ")
                )?;
            }
        }
    }
    Ok(())
}

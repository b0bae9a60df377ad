//! `powerseek game ...`: show, convert and solve games; multi-agent POWER and
//! alignment metrics are rendered in `game_metrics`. Every command loads the
//! game with `game::load`, calls one library function, and prints its report
//! as a table or as the report's JSON serialisation.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Subcommand, ValueEnum};

use powerseek::game::bayesian::BayesianGame;
use powerseek::game::equilibrium::{self, BayesianSolution, GameSolution, Method, Solution, SolveOptions};
use powerseek::game::{self, format_rational, GameFile, NormalFormGame, Rational, Scalar};

/// The output formats of the game commands (they write no CSV).
#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum TableJson {
    Table,
    Json,
}

/// `--nfg-header`: the header `game convert` writes to .nfg files.
#[derive(Clone, Copy, ValueEnum)]
pub enum NfgHeaderArg {
    Names,
    Counts,
}

impl From<NfgHeaderArg> for game::nfg::NfgHeader {
    fn from(h: NfgHeaderArg) -> Self {
        match h {
            NfgHeaderArg::Names => game::nfg::NfgHeader::Names,
            NfgHeaderArg::Counts => game::nfg::NfgHeader::Counts,
        }
    }
}

#[derive(Subcommand)]
pub enum GameCommand {
    /// Print a game's payoff table.
    Show { file: PathBuf },
    /// Convert between .nfg and .json (by the output file's extension); a
    /// Bayesian game converts to its induced normal form or agent form.
    Convert {
        input: PathBuf,
        output: PathBuf,
        /// For Bayesian games: which normal form to write.
        #[arg(long, value_enum, default_value = "induced")]
        form: Form,
        /// For .nfg output: `names` writes action names and the comment, as
        /// Gambit does; `counts` writes action counts only, the form
        /// OpenSpiel's loader reads (names and comment are then not written).
        #[arg(long, value_enum, default_value = "names")]
        nfg_header: NfgHeaderArg,
    },
    /// Multi-agent POWER of every player at each equilibrium and at the
    /// uniform profile, or at a given profile; per type for Bayesian games. Exact.
    Power {
        file: PathBuf,
        /// A profile file (JSON: {"player": [probabilities]} or, for Bayesian
        /// games, {"player": {"type": [probabilities]}}), or `uniform`.
        #[arg(long)]
        profile: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableJson,
    },
    /// Alignment metrics: welfare, α and the Coordination–Alignment gaps,
    /// security levels, threat point, surplus, Nash bargaining, covariance.
    /// The picture (--plot, two players) shows the payoff region, its Pareto
    /// frontier, the equilibria, the threat point and the Nash bargaining point.
    Align {
        file: PathBuf,
        /// Welfare weights, one per player (default all 1).
        #[arg(long, allow_hyphen_values = true)]
        weights: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: TableJson,
        #[command(flatten)]
        plot: crate::args::PlotArg,
    },
    /// Nash equilibria, each verified by an exact regret check.
    Solve {
        file: PathBuf,
        /// Solver (default: Lemke–Howson for one equilibrium of a 2-player
        /// game, vertex enumeration with --all; logit for n players; with
        /// --all, poly for small n-player games, else pure + logit; the
        /// output names the choice). `simpdiv`: simplicial subdivision from
        /// several starts, certified by exact regret ≤ 1e-6.
        #[arg(long, value_parser = method_parser())]
        method: Option<Method>,
        /// All equilibria the method finds (all extreme ones for 2 players;
        /// every pure one and a logit one for n players); not for lp or logit.
        #[arg(long)]
        all: bool,
        /// `jsonl` streams: one JSON line per equilibrium as it is found
        /// (vertex enumeration finds them during the search; progress on
        /// stderr), then a line `{"summary": …}` with the method, the count
        /// and the components (indices into the stream).
        #[arg(long, value_enum, default_value = "table")]
        format: SolveFormat,
    },
}

/// The output formats of `game solve`.
#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum SolveFormat {
    Table,
    Json,
    /// JSON lines, streamed: each equilibrium, then `{"summary": …}`.
    Jsonl,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Form {
    /// Strategies are maps from types to actions.
    Induced,
    /// One player per (player, type).
    Agent,
}

/// The library's methods, by name, with their descriptions as help.
fn method_parser() -> impl TypedValueParser<Value = Method> {
    PossibleValuesParser::new(
        Method::ALL
            .iter()
            .map(|m| PossibleValue::new(m.name()).help(m.describe())),
    )
    .map(|name| name.parse::<Method>().expect("a listed method"))
}

/// Load a game file (the library's errors name it).
pub fn load(path: &Path) -> Result<GameFile> {
    Ok(game::load(path)?)
}

pub fn run(cmd: GameCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        GameCommand::Power { file, profile, format } => {
            crate::game_metrics::power(&mut out, &file, profile.as_deref(), format)?
        }
        GameCommand::Align {
            file,
            weights,
            format,
            plot,
        } => crate::game_metrics::align(&mut out, &file, weights.as_deref(), format, plot.plot.as_deref())?,
        GameCommand::Show { file } => match load(&file)? {
            GameFile::Normal(g) => show(&mut out, &g)?,
            GameFile::Bayesian(b) => {
                show_bayesian(&mut out, &b)?;
                writeln!(out, "\ninduced normal form:")?;
                show(&mut out, &b.induced_normal_form()?)?;
            }
        },
        GameCommand::Convert {
            input,
            output,
            form,
            nfg_header,
        } => {
            let g = match load(&input)? {
                GameFile::Normal(g) => g,
                GameFile::Bayesian(b) if form == Form::Agent => b.agent_form()?,
                GameFile::Bayesian(b) => b.induced_normal_form()?,
            };
            let text = match output.extension().and_then(|e| e.to_str()).unwrap_or("") {
                "nfg" => game::nfg::write_with(&g, nfg_header.into()),
                "json" => game::json::write(&g),
                other => bail!(
                    "{}: cannot write '{other}' files (expected .nfg or .json)",
                    output.display()
                ),
            };
            std::fs::write(&output, text).with_context(|| output.display().to_string())?;
            eprintln!("wrote {}", output.display());
        }
        GameCommand::Solve {
            file,
            method,
            all,
            format,
        } => {
            let opts = SolveOptions {
                method,
                all,
                ..Default::default()
            };
            let game = load(&file)?;
            let bar = crate::progress::Bar::new("bases");
            if format == SolveFormat::Jsonl {
                stream(&mut out, &game, &opts, &bar)?;
                bar.finish();
                return Ok(());
            }
            let solution = equilibrium::solve_file(&game, &opts, &bar)?;
            bar.finish();
            match (format, &solution) {
                (SolveFormat::Json | SolveFormat::Jsonl, s) => writeln!(out, "{}", serde_json::to_string_pretty(s)?)?,
                (SolveFormat::Table, GameSolution::Normal(s)) => solve_table(&mut out, s)?,
                (SolveFormat::Table, GameSolution::Bayesian(s)) => solve_bayesian_table(&mut out, s)?,
            }
        }
    }
    Ok(())
}

/// `game solve --format jsonl`: every equilibrium on its own line, flushed as
/// it arrives, then `{"summary": …}`. A Bayesian game's equilibria come when
/// its solve finishes; its summary is its solution without the list.
fn stream(
    out: &mut impl Write,
    game: &GameFile,
    opts: &SolveOptions,
    progress: &dyn powerseek::progress::Progress,
) -> Result<()> {
    let summary = match game {
        GameFile::Normal(g) => {
            let mut failed: Option<std::io::Error> = None;
            let mut emit = |e: &equilibrium::SolvedEquilibrium| {
                let line = serde_json::to_string(e).map_err(std::io::Error::other);
                match line.and_then(|l| writeln!(out, "{l}").and_then(|_| out.flush())) {
                    Ok(()) => std::ops::ControlFlow::Continue(()),
                    Err(err) => {
                        failed = Some(err);
                        std::ops::ControlFlow::Break(())
                    }
                }
            };
            let summary = equilibrium::solve_streaming(g, opts, &mut emit, progress)?;
            if let Some(err) = failed {
                return Err(err.into());
            }
            serde_json::to_value(summary)?
        }
        GameFile::Bayesian(b) => {
            let s = equilibrium::solve_bayesian_with(b, opts, progress)?;
            for e in &s.equilibria {
                writeln!(out, "{}", serde_json::to_string(e)?)?;
            }
            let mut v = serde_json::to_value(&s)?;
            if let Some(map) = v.as_object_mut() {
                map.remove("equilibria");
                map.insert("count".into(), s.equilibria.len().into());
                map.insert("complete".into(), true.into());
            }
            v
        }
    };
    writeln!(out, "{}", serde_json::json!({ "summary": summary }))?;
    Ok(())
}

/// A probability or payoff: exact `p/q`, or a decimal for approximate profiles.
fn number(r: &Rational, exact: bool) -> String {
    if exact {
        format_rational(r)
    } else {
        format!("{:.6}", <f64 as Scalar>::from_rational(r))
    }
}

fn title(t: &str) -> &str {
    if t.is_empty() {
        "game"
    } else {
        t
    }
}

fn solve_table(out: &mut impl Write, s: &Solution) -> Result<()> {
    let shape: Vec<String> = s.actions.iter().map(|a| a.len().to_string()).collect();
    writeln!(
        out,
        "{}: {} players, {}",
        title(&s.title),
        s.players.len(),
        shape.join("×")
    )?;
    method_line(out, s.description, &s.note)?;
    choice_line(out, s.choice.as_deref())?;
    let approximate = s
        .equilibria
        .iter()
        .filter(|e| e.max_regret != Rational::from_integer(0.into()))
        .count();
    writeln!(
        out,
        "{} equilibri{}, {}",
        s.equilibria.len(),
        if s.equilibria.len() == 1 { "um" } else { "a" },
        match approximate {
            0 if s.equilibria.len() == 1 => "with exact regret 0".to_string(),
            0 => "each with exact regret 0".to_string(),
            k if k == s.equilibria.len() => "approximate (regret shown)".to_string(),
            k => format!("{k} approximate (regret shown), the others with exact regret 0"),
        }
    )?;
    for (k, e) in s.equilibria.iter().enumerate() {
        let exact = e.max_regret == Rational::from_integer(0.into());
        let strategies: Vec<String> = (0..s.players.len())
            .map(|i| {
                format!(
                    "{}: {}",
                    s.players[i],
                    strategy_names(&s.actions[i], &e.strategies[i], exact)
                )
            })
            .collect();
        let payoffs: Vec<String> = e.payoffs.iter().map(|p| number(p, exact)).collect();
        let regret = if exact {
            String::new()
        } else {
            format!("   max regret {:.2e}", f64::from_rational(&e.max_regret))
        };
        writeln!(
            out,
            "{:>3}. {}   payoffs ({}){regret}",
            k + 1,
            strategies.join("; "),
            payoffs.join(", ")
        )?;
    }
    if s.components.len() < s.equilibria.len() && !s.components.is_empty() {
        writeln!(out, "connected components of the equilibrium set (extreme points):")?;
        for (c, members) in s.components.iter().enumerate() {
            let list: Vec<String> = members.iter().map(|k| (k + 1).to_string()).collect();
            writeln!(out, "  component {}: {}", c + 1, list.join(", "))?;
        }
    }
    Ok(())
}

/// Equilibria of a Bayesian game as behavioural strategies per type.
fn solve_bayesian_table(out: &mut impl Write, s: &BayesianSolution) -> Result<()> {
    let zero = Rational::from_integer(0.into());
    writeln!(
        out,
        "{}: Bayesian game, {} players; solved on the {} ({})",
        title(&s.title),
        s.players.len(),
        s.via,
        s.shape.iter().map(|k| k.to_string()).collect::<Vec<_>>().join("×")
    )?;
    method_line(out, s.description, &s.note)?;
    choice_line(out, s.choice.as_deref())?;
    let all_exact = s.equilibria.iter().all(|e| e.max_interim_regret == zero);
    writeln!(
        out,
        "{} Bayesian Nash equilibri{} (behavioural strategies), {}",
        s.equilibria.len(),
        if s.equilibria.len() == 1 { "um" } else { "a" },
        if all_exact && s.equilibria.len() == 1 {
            "with exact interim regret 0"
        } else if all_exact {
            "each with exact interim regret 0"
        } else {
            "some approximate (interim regret shown)"
        }
    )?;
    for (k, e) in s.equilibria.iter().enumerate() {
        let exact = e.max_interim_regret == zero;
        let payoffs: Vec<String> = e.payoffs.iter().map(|p| number(p, exact)).collect();
        let regret = if exact {
            String::new()
        } else {
            format!(
                "   max interim regret {:.2e}",
                f64::from_rational(&e.max_interim_regret)
            )
        };
        writeln!(out, "{:>3}. payoffs ({}){regret}", k + 1, payoffs.join(", "))?;
        for (i, p) in s.players.iter().enumerate() {
            let per_type: Vec<String> = e.behaviour[i]
                .iter()
                .enumerate()
                .map(|(t, st)| format!("{} → {}", s.types[i][t], strategy_names(&s.actions[i], st, exact)))
                .collect();
            writeln!(out, "     {p}: {}", per_type.join("; "))?;
        }
    }
    Ok(())
}

/// `C=1/2, D=1/2`: the support with probabilities (a pure action by its name alone).
pub fn strategy_names(actions: &[String], s: &[Rational], exact: bool) -> String {
    let zero = Rational::from_integer(0.into());
    let one = Rational::from_integer(1.into());
    // Floating-point profiles hide probabilities that print as zero.
    let shown = |p: &Rational| {
        if exact {
            *p != zero
        } else {
            number(p, false) != number(&zero, false)
        }
    };
    let parts: Vec<String> = s
        .iter()
        .enumerate()
        .filter(|(_, p)| shown(p))
        .map(|(a, p)| {
            if *p == one {
                actions[a].clone()
            } else {
                format!("{}={}", actions[a], number(p, exact))
            }
        })
        .collect();
    parts.join(", ")
}

fn show(out: &mut impl Write, g: &NormalFormGame) -> Result<()> {
    let shape: Vec<String> = g.shape().iter().map(|k| k.to_string()).collect();
    writeln!(
        out,
        "{}: {} players ({}), {}",
        title(&g.title),
        g.n_players(),
        g.players().join(", "),
        shape.join("×")
    )?;
    if let Some(c) = g.constant_sum() {
        writeln!(
            out,
            "constant-sum: payoffs sum to {} at every profile",
            format_rational(&c)
        )?;
    }
    if g.n_players() == 2 {
        let (m, n) = (g.n_actions(0), g.n_actions(1));
        // Names and payoffs cut to a table cell (crate::output::fit).
        use crate::output::{fit, width as chars};
        let cell = |i: usize, j: usize| {
            let idx = g.profile_index(&[i, j]);
            format!(
                "{}, {}",
                fit(&format_rational(g.payoff(idx, 0))),
                fit(&format_rational(g.payoff(idx, 1)))
            )
        };
        let width = (0..m)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| chars(&cell(i, j)))
            .chain(g.actions(1).iter().map(|a| chars(&fit(a))))
            .max()
            .unwrap_or(4);
        let row_w = g
            .actions(0)
            .iter()
            .map(|a| chars(&fit(a)))
            .max()
            .unwrap_or(1)
            .max(chars(&fit(&g.players()[0])));
        write!(out, "{:>row_w$} ", "")?;
        for a in g.actions(1) {
            write!(out, " | {:^width$}", fit(a))?;
        }
        writeln!(out)?;
        for i in 0..m {
            write!(out, "{:>row_w$} ", fit(&g.actions(0)[i]))?;
            for j in 0..n {
                write!(out, " | {:^width$}", cell(i, j))?;
            }
            writeln!(out)?;
        }
        writeln!(
            out,
            "(rows: {}, columns: {}; cells: their payoffs)",
            g.players()[0],
            g.players()[1]
        )?;
    } else {
        for idx in 0..g.n_profiles() {
            let pay: Vec<String> = (0..g.n_players()).map(|i| format_rational(g.payoff(idx, i))).collect();
            writeln!(out, "{} → ({})", g.profile_name(&g.profile(idx)), pay.join(", "))?;
        }
    }
    Ok(())
}

fn show_bayesian(out: &mut impl Write, b: &BayesianGame) -> Result<()> {
    writeln!(out, "{}: Bayesian game, players {}", b.title, b.players().join(", "))?;
    for i in 0..b.n_players() {
        let types: Vec<String> = (0..b.types(i).len())
            .map(|t| format!("{} (P = {})", b.types(i)[t], format_rational(&b.type_probability(i, t))))
            .collect();
        writeln!(
            out,
            "  {}: types {}; actions {}",
            b.players()[i],
            types.join(", "),
            b.actions(i).join(", ")
        )?;
    }
    Ok(())
}

/// `method: <description> (<note>)`, the note left out when empty.
/// Why the method was chosen by default (`choice`), when it was.
fn choice_line(out: &mut impl Write, choice: Option<&str>) -> Result<()> {
    if let Some(choice) = choice {
        writeln!(out, "choice: {choice}")?;
    }
    Ok(())
}

fn method_line(out: &mut impl Write, description: &str, note: &str) -> Result<()> {
    if note.is_empty() {
        writeln!(out, "method: {description}")?;
    } else {
        writeln!(out, "method: {description} ({note})")?;
    }
    Ok(())
}

//! `powerseek game ...`: show, convert and solve normal-form games.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Subcommand, ValueEnum};
use serde_json::{json, Value};

use powerseek::game::bayesian::{self, BayesianGame, Behaviour};
use powerseek::game::equilibrium::{self, bimatrix, Equilibrium};
use powerseek::game::{self, format_rational, NormalFormGame, Rational, Scalar};

use crate::Format;

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
    },
    /// Multi-agent POWER of every player at each equilibrium (and the uniform
    /// profile), or at a given profile; per type for Bayesian games. Exact.
    Power {
        file: PathBuf,
        /// A profile file (JSON: {"player": [probabilities]} or, for Bayesian
        /// games, {"player": {"type": [probabilities]}}), or `uniform`.
        #[arg(long, conflicts_with = "equilibria")]
        profile: Option<String>,
        /// At every equilibrium the solvers find, and the uniform profile (the default).
        #[arg(long)]
        equilibria: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Alignment metrics: welfare, α and the Coordination–Alignment gaps,
    /// security levels, threat point, surplus, Nash bargaining, covariance.
    Align {
        file: PathBuf,
        /// Welfare weights, one per player (default all 1).
        #[arg(long)]
        weights: Option<String>,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
    /// Nash equilibria, each verified by an exact regret check.
    Solve {
        file: PathBuf,
        /// Solver (default: Lemke–Howson for one equilibrium of a 2-player
        /// game, vertex enumeration with --all; pure equilibria for n players).
        #[arg(long, value_enum)]
        method: Option<Method>,
        /// All extreme equilibria (2 players), or every pure equilibrium (n players).
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value = "table")]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Form {
    /// Strategies are maps from types to actions.
    Induced,
    /// One player per (player, type).
    Agent,
}

#[derive(Clone, Copy, ValueEnum, PartialEq)]
pub enum Method {
    /// Vertex enumeration: every extreme equilibrium, exact (2 players).
    Enum,
    /// Support enumeration, exact (2 players; may miss equilibria of degenerate games).
    Support,
    /// Lemke–Howson, exact (2 players); with --all from every starting label.
    Lh,
    /// Linear programming for constant-sum games (2 players).
    Lp,
    /// Every pure-strategy equilibrium (any number of players).
    Pure,
    /// Logit quantal-response path following to one mixed equilibrium (any
    /// number of players; floating point, certified by its exact max regret).
    Logit,
}

impl Method {
    fn describe(self) -> &'static str {
        match self {
            Method::Enum => "vertex enumeration: all extreme equilibria, exact",
            Method::Support => "support enumeration, exact",
            Method::Lh => "Lemke–Howson, exact",
            Method::Lp => "linear programming (constant-sum), exact",
            Method::Pure => "all pure equilibria, exact",
            Method::Logit => "logit path following + Newton polish, floating point",
        }
    }
}

/// A game file: normal form, or Bayesian (JSON with `types`).
pub enum GameFile {
    Normal(NormalFormGame),
    Bayesian(BayesianGame),
}

/// Load a game by extension: `.nfg`, `.efg` (one-stage Bayesian), or `.json` (normal-form or Bayesian).
pub fn load_any(path: &Path) -> Result<GameFile> {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "nfg" => Ok(GameFile::Normal(game::nfg::load(path)?)),
        "efg" => Ok(GameFile::Bayesian(game::efg::load(path)?)),
        "json" => {
            let text = std::fs::read_to_string(path).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let origin = path.display().to_string();
            if bayesian::is_bayesian_json(&text) {
                Ok(GameFile::Bayesian(bayesian::parse_json(&text, &origin)?))
            } else {
                Ok(GameFile::Normal(game::json::parse(&text, &origin)?))
            }
        }
        other => bail!(
            "{}: unknown game file extension '{other}' (expected .nfg or .json)",
            path.display()
        ),
    }
}

pub fn run(cmd: GameCommand) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match cmd {
        GameCommand::Power {
            file,
            profile,
            equilibria: _,
            format,
        } => crate::game_metrics::power(&mut out, &file, profile.as_deref(), format)?,
        GameCommand::Align { file, weights, format } => {
            crate::game_metrics::align(&mut out, &file, weights.as_deref(), format)?
        }
        GameCommand::Show { file } => match load_any(&file)? {
            GameFile::Normal(g) => show(&mut out, &g)?,
            GameFile::Bayesian(b) => {
                show_bayesian(&mut out, &b)?;
                writeln!(out, "\ninduced normal form:")?;
                show(&mut out, &b.induced_normal_form()?)?;
            }
        },
        GameCommand::Convert { input, output, form } => {
            let g = match load_any(&input)? {
                GameFile::Normal(g) => g,
                GameFile::Bayesian(b) if form == Form::Agent => b.agent_form()?,
                GameFile::Bayesian(b) => b.induced_normal_form()?,
            };
            let text = match output.extension().and_then(|e| e.to_str()).unwrap_or("") {
                "nfg" => game::nfg::write(&g),
                "json" => game::json::write(&g),
                other => bail!(
                    "{}: cannot write '{other}' files (expected .nfg or .json)",
                    output.display()
                ),
            };
            std::fs::write(&output, text).map_err(|e| anyhow::anyhow!("{}: {e}", output.display()))?;
            eprintln!("wrote {}", output.display());
        }
        GameCommand::Solve {
            file,
            method,
            all,
            format,
        } => {
            let (g, bayes) = match load_any(&file)? {
                GameFile::Normal(g) => (g, None),
                GameFile::Bayesian(b) if b.n_players() == 2 => (b.induced_normal_form()?, Some(b)),
                GameFile::Bayesian(b) => (b.agent_form()?, Some(b)),
            };
            let method = method.unwrap_or(match (g.n_players(), all) {
                (2, true) => Method::Enum,
                (2, false) => Method::Lh,
                (_, true) => Method::Pure,
                _ => Method::Logit,
            });
            let (equilibria, components, note) = solve(&g, method, all)?;
            // Independent exact check of every profile returned (logit: within its tolerance).
            let tolerance = if method == Method::Logit {
                Rational::new(1.into(), 1_000_000.into())
            } else {
                Rational::from_integer(0.into())
            };
            for e in &equilibria {
                let regret = e.max_regret(&g);
                if regret > tolerance {
                    bail!(
                        "internal error: a returned profile has regret {}",
                        format_rational(&regret)
                    );
                }
            }
            if let Some(b) = bayes {
                return solve_bayesian(&mut out, &b, &g, method, &equilibria, format);
            }
            match format {
                Format::Json => writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&solve_json(&g, &file, method, &equilibria, &components, &note))?
                )?,
                _ => solve_table(&mut out, &g, method, &equilibria, &components, &note)?,
            }
        }
    }
    Ok(())
}

type Solution = (Vec<Equilibrium>, Vec<Vec<usize>>, String);

fn solve(g: &NormalFormGame, method: Method, all: bool) -> Result<Solution> {
    Ok(match method {
        Method::Enum => {
            let r = bimatrix::enumerate_extreme(g)?;
            (r.equilibria, r.components, String::new())
        }
        Method::Support => (bimatrix::support_enumeration(g)?, vec![], String::new()),
        Method::Lh if all => (
            bimatrix::lemke_howson_all(g)?,
            vec![],
            "from every starting label".into(),
        ),
        Method::Lh => (vec![bimatrix::lemke_howson(g, 0)?], vec![], "starting label 0".into()),
        Method::Lp => {
            let s = bimatrix::zero_sum(g)?;
            let strategies = vec![s.row, s.column];
            let payoffs = g.expected_payoffs(&strategies);
            (
                vec![Equilibrium { strategies, payoffs }],
                vec![],
                format!("value {}", format_rational(&s.value)),
            )
        }
        Method::Pure => (equilibrium::pure_equilibria(g), vec![], String::new()),
        Method::Logit => {
            let r = equilibrium::logit::logit_equilibrium(g, &Default::default())?;
            let regret = <f64 as Scalar>::from_rational(&r.max_regret);
            let note = format!(
                "λ reached {:.2e} in {} steps; max regret {regret:.2e}, exact for the rationalised profile",
                r.lambda, r.steps
            );
            (vec![r.exact], vec![], note)
        }
    })
}

/// `C 1/2, D 1/2`: the support with probabilities.
/// A probability or payoff: exact `p/q`, or a decimal for floating-point methods.
fn number(r: &Rational, exact: bool) -> String {
    if exact {
        format_rational(r)
    } else {
        format!("{:.6}", <f64 as Scalar>::from_rational(r))
    }
}

fn solve_table(
    out: &mut impl Write,
    g: &NormalFormGame,
    method: Method,
    eqs: &[Equilibrium],
    components: &[Vec<usize>],
    note: &str,
) -> Result<()> {
    let shape: Vec<String> = g.shape().iter().map(|k| k.to_string()).collect();
    writeln!(
        out,
        "{}: {} players, {}",
        if g.title.is_empty() { "game" } else { &g.title },
        g.n_players(),
        shape.join("×")
    )?;
    writeln!(
        out,
        "method: {}{}",
        method.describe(),
        if note.is_empty() {
            String::new()
        } else {
            format!(" ({note})")
        }
    )?;
    writeln!(
        out,
        "{} equilibri{}, {}",
        eqs.len(),
        if eqs.len() == 1 { "um" } else { "a" },
        if method == Method::Logit {
            "approximate (see the regret above)"
        } else {
            "each with exact regret 0"
        }
    )?;
    for (k, e) in eqs.iter().enumerate() {
        let strategies: Vec<String> = (0..g.n_players())
            .map(|i| {
                format!(
                    "{}: {}",
                    g.players()[i],
                    strategy_names(g.actions(i), &e.strategies[i], method != Method::Logit)
                )
            })
            .collect();
        let payoffs: Vec<String> = e.payoffs.iter().map(|p| number(p, method != Method::Logit)).collect();
        writeln!(
            out,
            "{:>3}. {}   payoffs ({})",
            k + 1,
            strategies.join("; "),
            payoffs.join(", ")
        )?;
    }
    if components.len() < eqs.len() && !components.is_empty() {
        writeln!(out, "connected components of the equilibrium set (extreme points):")?;
        for (c, members) in components.iter().enumerate() {
            let list: Vec<String> = members.iter().map(|k| (k + 1).to_string()).collect();
            writeln!(out, "  component {}: {}", c + 1, list.join(", "))?;
        }
    }
    Ok(())
}

fn solve_json(
    g: &NormalFormGame,
    file: &Path,
    method: Method,
    eqs: &[Equilibrium],
    components: &[Vec<usize>],
    note: &str,
) -> Value {
    // Exact methods report "p/q" strings; floating-point ones plain numbers.
    let exact = method != Method::Logit;
    let value = |r: &Rational| {
        if exact {
            json!(format_rational(r))
        } else {
            json!(<f64 as Scalar>::from_rational(r))
        }
    };
    let players = g.players();
    let equilibria: Vec<Value> = eqs
        .iter()
        .map(|e| {
            let strategies: serde_json::Map<String, Value> = players
                .iter()
                .zip(&e.strategies)
                .map(|(p, s)| (p.clone(), json!(s.iter().map(&value).collect::<Vec<_>>())))
                .collect();
            let payoffs: serde_json::Map<String, Value> = players
                .iter()
                .zip(&e.payoffs)
                .map(|(p, v)| (p.clone(), value(v)))
                .collect();
            json!({ "strategies": strategies, "payoffs": payoffs, "max_regret": value(&e.max_regret(g)) })
        })
        .collect();
    json!({
        "file": file.display().to_string(),
        "title": g.title,
        "method": method.describe(),
        "note": note,
        "exact": exact,
        "n_eq": eqs.len(),
        "equilibria": equilibria,
        "components": components,
    })
}

fn show(out: &mut impl Write, g: &NormalFormGame) -> Result<()> {
    let shape: Vec<String> = g.shape().iter().map(|k| k.to_string()).collect();
    writeln!(
        out,
        "{}: {} players ({}), {}",
        if g.title.is_empty() { "game" } else { &g.title },
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
        let cell = |i: usize, j: usize| {
            let idx = g.profile_index(&[i, j]);
            format!(
                "{}, {}",
                format_rational(g.payoff(idx, 0)),
                format_rational(g.payoff(idx, 1))
            )
        };
        let width = (0..m)
            .flat_map(|i| (0..n).map(move |j| (i, j)))
            .map(|(i, j)| cell(i, j).len())
            .chain(g.actions(1).iter().map(String::len))
            .max()
            .unwrap_or(4);
        let row_w = g
            .actions(0)
            .iter()
            .map(String::len)
            .max()
            .unwrap_or(1)
            .max(g.players()[0].len());
        write!(out, "{:>row_w$} ", "")?;
        for a in g.actions(1) {
            write!(out, " | {a:^width$}")?;
        }
        writeln!(out)?;
        for i in 0..m {
            write!(out, "{:>row_w$} ", g.actions(0)[i])?;
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
            let profile = g.profile(idx);
            let names: Vec<&str> = profile
                .iter()
                .enumerate()
                .map(|(i, &a)| g.actions(i)[a].as_str())
                .collect();
            let pay: Vec<String> = (0..g.n_players()).map(|i| format_rational(g.payoff(idx, i))).collect();
            writeln!(out, "({}) → ({})", names.join(", "), pay.join(", "))?;
        }
    }
    Ok(())
}

/// Report equilibria of a Bayesian game's normal form as behavioural strategies per type.
fn solve_bayesian(
    out: &mut impl Write,
    b: &BayesianGame,
    nf: &NormalFormGame,
    method: Method,
    eqs: &[Equilibrium],
    format: Format,
) -> Result<()> {
    let induced = b.n_players() == 2;
    let mut seen = std::collections::BTreeSet::new();
    let behaviours: Vec<Behaviour<Rational>> = eqs
        .iter()
        .map(|e| {
            if induced {
                b.behaviour_from_induced(&e.strategies)
            } else {
                b.behaviour_from_agents(&e.strategies)
            }
        })
        .filter(|beh| seen.insert(format!("{beh:?}")))
        .collect();
    for beh in &behaviours {
        let regret = b.max_interim_regret(beh);
        if regret != Rational::from_integer(0.into()) {
            bail!(
                "internal error: a returned profile has interim regret {}",
                format_rational(&regret)
            );
        }
    }
    let via = if induced { "induced normal form" } else { "agent form" };
    if let Format::Json = format {
        let list: Vec<Value> = behaviours
            .iter()
            .map(|beh| {
                let mut behaviour = serde_json::Map::new();
                for (i, p) in b.players().iter().enumerate() {
                    for (t, s) in beh[i].iter().enumerate() {
                        let probs: serde_json::Map<String, Value> = b.actions(i).iter().zip(s).map(|(a, x)| (a.clone(), json!(format_rational(x)))).collect();
                        behaviour.insert(format!("{p}:{}", b.types(i)[t]), Value::Object(probs));
                    }
                }
                let payoffs: serde_json::Map<String, Value> = b.players().iter().zip(b.expected_payoffs(beh)).map(|(p, v)| (p.clone(), json!(format_rational(&v)))).collect();
                json!({ "behavior": behaviour, "payoffs": payoffs, "max_interim_regret": format_rational(&b.max_interim_regret(beh)) })
            })
            .collect();
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(
                &json!({ "title": b.title, "method": method.describe(), "via": via, "n_eq": behaviours.len(), "equilibria": list })
            )?
        )?;
        return Ok(());
    }
    writeln!(
        out,
        "{}: Bayesian game, {} players; solved on the {via} ({})",
        b.title,
        b.n_players(),
        nf.shape().iter().map(|k| k.to_string()).collect::<Vec<_>>().join("×")
    )?;
    writeln!(out, "method: {}", method.describe())?;
    writeln!(
        out,
        "{} Bayesian Nash equilibri{} (behavioural strategies), each with exact interim regret 0",
        behaviours.len(),
        if behaviours.len() == 1 { "um" } else { "a" }
    )?;
    for (k, beh) in behaviours.iter().enumerate() {
        let payoffs: Vec<String> = b.expected_payoffs(beh).iter().map(format_rational).collect();
        writeln!(out, "{:>3}. payoffs ({})", k + 1, payoffs.join(", "))?;
        for (i, p) in b.players().iter().enumerate() {
            let per_type: Vec<String> = beh[i]
                .iter()
                .enumerate()
                .map(|(t, s)| format!("{} → {}", b.types(i)[t], strategy_names(b.actions(i), s, true)))
                .collect();
            writeln!(out, "     {p}: {}", per_type.join("; "))?;
        }
    }
    Ok(())
}

/// `C=1/2, D=1/2`: the support with probabilities (a pure action by its name alone).
fn strategy_names(actions: &[String], s: &[Rational], exact: bool) -> String {
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

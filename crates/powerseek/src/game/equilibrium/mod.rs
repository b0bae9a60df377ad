//! Nash equilibria of normal-form games.
//!
//! Two players ([`bimatrix`]): every extreme equilibrium exactly by vertex
//! enumeration (degenerate games included, grouped into connected
//! components), support enumeration, Lemke–Howson from every label, and the
//! zero-sum LP — all in exact rational arithmetic. Any number of players
//! ([`pure_equilibria`]): every pure equilibrium. Every equilibrium returned
//! can be checked independently with [`NormalFormGame::regret`] in exact arithmetic.
//!
//! [`solve`] (and [`solve_bayesian`], [`solve_file`]) is the one entry point
//! the front ends use: it chooses the method ([`SolveOptions::method_for`]),
//! runs it, and re-checks every profile by its exact regret before returning it.

pub mod bayes;
pub mod bimatrix;
pub mod logit;
pub mod npoly;
pub mod reverse;
pub mod simpdiv;
mod tableau;

use std::ops::ControlFlow;
use std::str::FromStr;

use num_traits::Zero;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::{dedup, format_rational, GameFile, NormalFormGame, Rational, Scalar};
use crate::progress::{NoProgress, Progress};

/// A mixed-strategy profile with each player's expected payoff.
#[derive(Clone, Debug, PartialEq)]
pub struct Equilibrium {
    /// `strategies[i][a]`: player `i`'s probability of action `a` (each row sums to 1).
    pub strategies: Vec<Vec<Rational>>,
    /// Every player's expected payoff under `strategies`, exactly.
    pub payoffs: Vec<Rational>,
}

impl Equilibrium {
    /// Largest regret over players, computed afresh from the game (0 for a Nash equilibrium).
    pub fn max_regret(&self, game: &NormalFormGame) -> Rational {
        game.regret_and_payoffs(&self.strategies)
            .0
            .into_iter()
            .fold(Rational::zero(), |a, b| if b > a { b } else { a })
    }
}

/// Every pure-strategy Nash equilibrium of an n-player game (exhaustive).
pub fn pure_equilibria(game: &NormalFormGame) -> Vec<Equilibrium> {
    let n = game.n_players();
    let mut out = Vec::new();
    'profiles: for idx in 0..game.n_profiles() {
        let profile = game.profile(idx);
        for i in 0..n {
            let mine = game.payoff(idx, i);
            let base = idx - profile[i] * game.stride(i);
            for a in 0..game.n_actions(i) {
                if game.payoff(base + a * game.stride(i), i) > mine {
                    continue 'profiles;
                }
            }
        }
        out.push(Equilibrium {
            strategies: game.pure_profile(&profile),
            payoffs: (0..n).map(|i| game.payoff(idx, i).clone()).collect(),
        });
    }
    out
}

/// An equilibrium solver.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Vertex enumeration: every extreme equilibrium, exact (2 players).
    Enum,
    /// Support enumeration, exact (2 players; may miss equilibria of degenerate games).
    Support,
    /// Lemke–Howson, exact (2 players): from label 0, or from every label.
    Lh,
    /// Linear programming for constant-sum games (2 players): one equilibrium and the value.
    Lp,
    /// Every pure-strategy equilibrium (any number of players).
    Pure,
    /// Logit quantal-response path following to one mixed equilibrium (any
    /// number of players; floating point, certified by its exact max regret).
    Logit,
    /// Every pure equilibrium, plus the logit equilibrium when it is not one of them.
    PureLogit,
    /// Support enumeration with polynomial solving ([`npoly`]): every
    /// isolated equilibrium of a small game with any number of players;
    /// rational ones exact, irrational ones rounded and certified (max regret ≤ 10⁻¹²).
    Poly,
    /// Vertex enumeration per type ([`bayes`]): every extreme equilibrium
    /// of a two-player Bayesian game (degenerate games too), with its
    /// components, exact, without the induced normal form.
    TypeSupport,
    /// Simplicial subdivision ([`simpdiv`], van der Laan–Talman) from several
    /// starting points: the equilibria those walks reach (any number of
    /// players; floating point, each refined exactly where possible and
    /// certified by its exact max regret).
    Simpdiv,
}

impl Method {
    /// Every method, in the order front ends list them.
    pub const ALL: [Method; 10] = [
        Method::Enum,
        Method::Support,
        Method::Lh,
        Method::Lp,
        Method::Pure,
        Method::Logit,
        Method::PureLogit,
        Method::Poly,
        Method::TypeSupport,
        Method::Simpdiv,
    ];

    /// The method's name, as front ends accept it.
    pub fn name(self) -> &'static str {
        match self {
            Method::Enum => "enum",
            Method::Support => "support",
            Method::Lh => "lh",
            Method::Lp => "lp",
            Method::Pure => "pure",
            Method::Logit => "logit",
            Method::PureLogit => "pure-logit",
            Method::Poly => "poly",
            Method::TypeSupport => "type-support",
            Method::Simpdiv => "simpdiv",
        }
    }

    /// One line on what the method returns and in which arithmetic.
    pub fn describe(self) -> &'static str {
        match self {
            Method::Enum => "vertex enumeration: all extreme equilibria, exact",
            Method::Support => "support enumeration, exact",
            Method::Lh => "Lemke–Howson, exact",
            Method::Lp => "linear programming (constant-sum), exact",
            Method::Pure => "all pure equilibria, exact",
            Method::Logit => "logit path following + Newton polish, floating point",
            Method::PureLogit => "all pure equilibria (exact) and one by logit path following (floating point)",
            Method::Poly => "support enumeration + polynomial solving: all isolated equilibria; rational ones exact, irrational ones certified to 1e-12",
            Method::TypeSupport => "vertex enumeration per type (2-player Bayesian games, agent form, no normal form built): every extreme equilibrium, degenerate games too, exact",
            Method::Simpdiv => "simplicial subdivision (van der Laan–Talman) from several starts: the equilibria reached, floating point, refined exactly where possible, certified by exact regret",
        }
    }

    /// Every profile it returns is an exact equilibrium (regret exactly 0).
    pub fn is_exact(self) -> bool {
        !matches!(self, Method::Logit | Method::PureLogit | Method::Poly | Method::Simpdiv)
    }

    /// Works on two-player games only.
    pub fn two_players_only(self) -> bool {
        matches!(
            self,
            Method::Enum | Method::Support | Method::Lh | Method::Lp | Method::TypeSupport
        )
    }

    /// Finds one equilibrium, so asking for all of them does not apply.
    pub fn finds_one(self) -> bool {
        matches!(self, Method::Lp | Method::Logit)
    }

    /// Largest regret a returned profile may have: 0 for exact methods; for
    /// floating-point ones the bound their certificate must meet.
    pub fn regret_tolerance(self) -> Rational {
        if self.is_exact() {
            Rational::zero()
        } else if self == Method::Poly {
            npoly::regret_bound()
        } else if self == Method::Simpdiv {
            simpdiv::regret_tolerance()
        } else {
            Rational::new(1.into(), 1_000_000.into())
        }
    }
}

impl FromStr for Method {
    type Err = Error;
    fn from_str(s: &str) -> Result<Method> {
        Method::ALL.into_iter().find(|m| m.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Method::ALL.iter().map(|m| m.name()).collect();
            Error::invalid(format!(
                "unknown equilibrium method '{s}' (expected one of {})",
                names.join(", ")
            ))
        })
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How to look for equilibria.
#[derive(Clone, Debug, Default)]
pub struct SolveOptions {
    /// The solver; `None` chooses by the game ([`SolveOptions::method_for`]).
    pub method: Option<Method>,
    /// Every equilibrium the method can find (Lemke–Howson: from every
    /// label) rather than one. Enumeration methods always return all.
    pub all: bool,
    /// Options of the logit method.
    pub logit: logit::LogitOptions,
    /// Options of the simpdiv method.
    pub simpdiv: simpdiv::SimpdivOptions,
}

impl SolveOptions {
    /// Every equilibrium the default methods find: all extreme equilibria for
    /// two players, all pure ones plus a logit equilibrium for more.
    pub fn all() -> Self {
        SolveOptions {
            all: true,
            ..Default::default()
        }
    }

    /// The method for a game with `n_players` (size unknown), checked
    /// against the options. Defaults: for two players Lemke–Howson (one
    /// equilibrium) or vertex enumeration (all); for more, logit (one) or
    /// pure + logit (all). [`SolveOptions::method_for_game`] knows the size.
    pub fn method_for(&self, n_players: usize) -> Result<Method> {
        let method = self.method.unwrap_or(match (n_players, self.all) {
            (2, true) => Method::Enum,
            (2, false) => Method::Lh,
            (_, true) => Method::PureLogit,
            (_, false) => Method::Logit,
        });
        self.check(method, n_players)
    }

    /// The method for `game`: the one asked for, or [`Method::default_for`]
    /// its size; checked against the options.
    pub fn method_for_game(&self, game: &NormalFormGame) -> Result<Method> {
        let method = self
            .method
            .unwrap_or_else(|| Method::default_for(&game.shape(), self.all));
        self.check(method, game.n_players())
    }

    /// Why [`SolveOptions::method_for_game`] runs its method when it was
    /// not asked for: [`Method::default_reason`] (`None` when asked for).
    pub fn choice_for_game(&self, game: &NormalFormGame) -> Option<String> {
        match self.method {
            Some(_) => None,
            None => Some(Method::default_reason(&game.shape(), self.all)),
        }
    }

    fn check(&self, method: Method, n_players: usize) -> Result<Method> {
        if self.all && method.finds_one() {
            return Err(Error::invalid(format!(
                "the {method} method finds one equilibrium: asking for all equilibria does not apply"
            )));
        }
        if method.two_players_only() && n_players != 2 {
            return Err(Error::invalid(format!(
                "the {method} method needs a 2-player game; this one has {n_players} players"
            )));
        }
        Ok(method)
    }
}

/// Support profiles up to which [`Method::default_for`] runs [`Method::Poly`]
/// for all equilibria of a game with three or more players; above, pure +
/// logit. Measured (BENCHMARKS.md §14, release build): 3×3×3 (343 support
/// profiles) 0.25 s, 2×2×2×2 (81) 0.01 s, but 5×4×3 (3 255) 15 s. simpdiv
/// does not change the choice: for one equilibrium logit is 2–50× faster on
/// Gambit's n-player games; for all, simpdiv may add equilibria to pure +
/// logit (5×4×3: another of its three) at about 20× logit's cost, so it is
/// left to be asked for.
pub const POLY_DEFAULT_SUPPORTS: u64 = 1024;

impl Method {
    /// The default method for a game of this shape (actions per player),
    /// by measured cost: two players — vertex enumeration by reverse search
    /// for all equilibria (no slower than lrsnash from 8×8 to 20×20), else
    /// Lemke–Howson; three or more — for all, [`Method::Poly`] when the game
    /// has at most [`POLY_DEFAULT_SUPPORTS`] support profiles, else pure +
    /// logit; for one, logit.
    pub fn default_for(shape: &[usize], all: bool) -> Method {
        match (shape.len(), all) {
            (2, true) => Method::Enum,
            (2, false) => Method::Lh,
            (_, true) if npoly::support_profiles(shape) <= POLY_DEFAULT_SUPPORTS => Method::Poly,
            (_, true) => Method::PureLogit,
            (_, false) => Method::Logit,
        }
    }

    /// Why [`Method::default_for`] picks its method for this shape, with the
    /// measurement behind it (BENCHMARKS.md), as the output states it.
    pub fn default_reason(shape: &[usize], all: bool) -> String {
        let n = shape.len();
        match (n, all) {
            (2, true) => "default for all equilibria of a 2-player game: vertex enumeration by reverse search \
                          (no slower than lrsnash from 8×8 to 20×20, BENCHMARKS.md §12)"
                .into(),
            (2, false) => "default for one equilibrium of a 2-player game: Lemke–Howson, one exact path".into(),
            (_, true) => {
                let supports = npoly::support_profiles(shape);
                if supports <= POLY_DEFAULT_SUPPORTS {
                    format!(
                        "default for all equilibria of a {n}-player game with {supports} support profiles \
                         (at most {POLY_DEFAULT_SUPPORTS}): poly (measured: 3×3×3, 343 profiles, 0.25 s; BENCHMARKS.md §14)"
                    )
                } else {
                    format!(
                        "default for all equilibria of a {n}-player game with {} support profiles \
                         (more than {POLY_DEFAULT_SUPPORTS}, where poly takes seconds to minutes: 5×4×3, 3 255 profiles, 15 s; \
                         BENCHMARKS.md §14): pure + logit, which need not find every equilibrium",
                        if supports == u64::MAX { "more than 1.8e19".to_string() } else { supports.to_string() }
                    )
                }
            }
            (_, false) => format!(
                "default for one equilibrium of a {n}-player game: logit path following (one path, fastest measured; BENCHMARKS.md §14)"
            ),
        }
    }
}

/// An equilibrium as returned by [`solve`]: re-checked against the game.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SolvedEquilibrium {
    /// `strategies[i][a]`: player `i`'s probability of action `a`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub strategies: Vec<Vec<Rational>>,
    /// Every player's expected payoff, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub payoffs: Vec<Rational>,
    /// Largest gain from a deviation, recomputed exactly from the game: 0 for
    /// an exact equilibrium; a floating-point method's certificate otherwise.
    #[serde(serialize_with = "crate::exact::ser")]
    pub max_regret: Rational,
}

/// Nash equilibria of a normal-form game and how they were found.
#[derive(Clone, Debug, Serialize)]
pub struct Solution {
    /// The game's title.
    pub title: String,
    /// The players' names.
    pub players: Vec<String>,
    /// `actions[i]`: player `i`'s action names, indexing `strategies[i]`.
    pub actions: Vec<Vec<String>>,
    /// The method that ran (chosen by [`SolveOptions::method_for`] when not given).
    pub method: Method,
    /// [`Method::describe`].
    pub description: &'static str,
    /// Why this method, when it was chosen by default
    /// ([`Method::default_reason`]); `None` when it was asked for.
    pub choice: Option<String>,
    /// What the method adds (`starting label 0`, the LP's value, how far logit got).
    pub note: String,
    /// The method is exact, so every profile has regret exactly 0.
    pub exact: bool,
    /// The equilibria found, each re-checked by its exact regret.
    pub equilibria: Vec<SolvedEquilibrium>,
    /// Vertex enumeration only: the connected components of the equilibrium
    /// set, as indices into `equilibria` (empty for other methods).
    pub components: Vec<Vec<usize>>,
}

/// Equilibria of `game` by the method `opts` selects, each re-checked by its
/// exact regret (0 for exact methods, at most [`Method::regret_tolerance`]
/// for floating-point ones) before it is returned.
pub fn solve(game: &NormalFormGame, opts: &SolveOptions) -> Result<Solution> {
    solve_with(game, opts, &NoProgress)
}

/// [`solve`], reporting to `progress` (vertex enumeration: the bases
/// explored) and stopping with [`Error::Cancelled`] when it asks.
pub fn solve_with(game: &NormalFormGame, opts: &SolveOptions, progress: &dyn Progress) -> Result<Solution> {
    let method = opts.method_for_game(game)?;
    crate::progress::check(progress)?;
    let (found, components, note) = run(game, method, opts, progress)?;
    let equilibria = found
        .into_iter()
        .map(|e| checked(game, method, e))
        .collect::<Result<_>>()?;
    Ok(Solution {
        title: game.title.clone(),
        players: game.players().to_vec(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        method,
        description: method.describe(),
        choice: opts.choice_for_game(game),
        note,
        exact: method.is_exact(),
        equilibria,
        components,
    })
}

/// `e` with its regret recomputed exactly from the game, refused when above
/// the method's tolerance.
fn checked(game: &NormalFormGame, method: Method, e: Equilibrium) -> Result<SolvedEquilibrium> {
    let tolerance = method.regret_tolerance();
    let (regret, payoffs) = game.regret_and_payoffs(&e.strategies);
    let max_regret = regret
        .into_iter()
        .fold(Rational::zero(), |a, b| if b > a { b } else { a });
    if max_regret > tolerance {
        return Err(Error::invalid(format!(
            "the {method} method returned a profile with regret {} (above {}): {}",
            format_rational(&max_regret),
            format_rational(&tolerance),
            if method.is_exact() {
                "an internal error"
            } else {
                "the path did not converge to an equilibrium"
            }
        )));
    }
    Ok(SolvedEquilibrium {
        payoffs,
        strategies: e.strategies,
        max_regret,
    })
}

/// What a streamed solve ([`solve_streaming`]) reports after its last
/// equilibrium: the fields of [`Solution`] other than the equilibria, which
/// went to the callback.
#[derive(Clone, Debug, Serialize)]
pub struct StreamSummary {
    /// The game's title.
    pub title: String,
    /// The players' names.
    pub players: Vec<String>,
    /// `actions[i]`: player `i`'s action names, indexing `strategies[i]`.
    pub actions: Vec<Vec<String>>,
    /// The method that ran (chosen by [`SolveOptions::method_for`] when not given).
    pub method: Method,
    /// [`Method::describe`].
    pub description: &'static str,
    /// Why this method, when chosen by default (as [`Solution::choice`]).
    pub choice: Option<String>,
    /// What the method adds (as [`Solution::note`]).
    pub note: String,
    /// The method is exact, so every profile has regret exactly 0.
    pub exact: bool,
    /// Equilibria passed to the callback.
    pub count: usize,
    /// Vertex enumeration only: the connected components of the equilibrium
    /// set, as indices into the stream (0 for the first equilibrium passed
    /// to the callback); empty for other methods or when stopped early.
    pub components: Vec<Vec<usize>>,
    /// `false` when the callback stopped the stream early (then the
    /// equilibria seen are some, not all, and `components` is empty).
    pub complete: bool,
}

/// [`solve_with`], passing every equilibrium to `on_equilibrium` as soon as
/// it is found and checked (the callback returns `ControlFlow::Break` to stop
/// early) instead of returning them in a list. Vertex enumeration streams
/// from the reverse search itself, in the order it finds them (its memory
/// holds the equilibria, for the components, and not the vertices); the
/// other methods pass their equilibria on when they finish. Ctrl-C through
/// `progress` stops it with [`Error::Cancelled`], after the equilibria
/// already passed on.
pub fn solve_streaming(
    game: &NormalFormGame,
    opts: &SolveOptions,
    on_equilibrium: &mut dyn FnMut(&SolvedEquilibrium) -> ControlFlow<()>,
    progress: &dyn Progress,
) -> Result<StreamSummary> {
    let method = opts.method_for_game(game)?;
    crate::progress::check(progress)?;
    let mut seen: Vec<Equilibrium> = Vec::new();
    let mut failure: Option<Error> = None;
    let mut stopped = false;
    let (note, enumerated) = if method == Method::Enum {
        reverse::enumerate(
            game,
            &reverse::Options::default(),
            |e| match checked(game, method, e.clone()) {
                Ok(s) => {
                    seen.push(e);
                    let flow = on_equilibrium(&s);
                    stopped = flow.is_break();
                    flow
                }
                Err(err) => {
                    failure = Some(err);
                    ControlFlow::Break(())
                }
            },
            progress,
        )?;
        (String::new(), true)
    } else {
        let (found, _, note) = run(game, method, opts, progress)?;
        for e in found {
            let s = checked(game, method, e.clone())?;
            seen.push(e);
            if on_equilibrium(&s).is_break() {
                stopped = true;
                break;
            }
        }
        (note, false)
    };
    if let Some(err) = failure {
        return Err(err);
    }
    Ok(StreamSummary {
        title: game.title.clone(),
        players: game.players().to_vec(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        method,
        description: method.describe(),
        choice: opts.choice_for_game(game),
        note,
        exact: method.is_exact(),
        count: seen.len(),
        components: if enumerated && !stopped {
            reverse::components(&seen)
        } else {
            vec![]
        },
        complete: !stopped,
    })
}

type Found = (Vec<Equilibrium>, Vec<Vec<usize>>, String);

fn run(game: &NormalFormGame, method: Method, opts: &SolveOptions, progress: &dyn Progress) -> Result<Found> {
    let logit_note = |r: &logit::LogitResult| {
        format!(
            "λ reached {:.2e} in {} steps; max regret {:.2e}, exact for the rationalised profile",
            r.lambda,
            r.steps,
            f64::from_rational(&r.max_regret)
        )
    };
    Ok(match method {
        Method::Enum => {
            let r = bimatrix::enumerate_extreme_with(game, progress)?;
            (r.equilibria, r.components, String::new())
        }
        Method::Support => (
            bimatrix::support_enumeration_with(game, progress)?,
            vec![],
            String::new(),
        ),
        Method::Lh if opts.all => (
            bimatrix::lemke_howson_all_with(game, progress)?,
            vec![],
            "from every starting label".into(),
        ),
        Method::Lh => (
            vec![bimatrix::lemke_howson_with(game, 0, progress)?],
            vec![],
            "starting label 0".into(),
        ),
        Method::Lp => {
            let s = bimatrix::zero_sum(game)?;
            let strategies = vec![s.row, s.column];
            let payoffs = game.expected_payoffs(&strategies);
            (
                vec![Equilibrium { strategies, payoffs }],
                vec![],
                format!("value {}", format_rational(&s.value)),
            )
        }
        Method::Pure => (pure_equilibria(game), vec![], String::new()),
        Method::Poly => {
            let r = npoly::all_equilibria(game, &npoly::PolyOptions::default(), progress)?;
            (r.equilibria.clone(), vec![], poly_note(&r))
        }
        Method::TypeSupport => {
            let b = BayesianGame::from_normal_form(game);
            let r = bayes::type_support(&b, progress)?;
            let found = r
                .equilibria
                .iter()
                .map(|behaviour| {
                    let strategies: Vec<Vec<Rational>> = behaviour.iter().map(|p| p[0].clone()).collect();
                    let payoffs = game.expected_payoffs(&strategies);
                    Equilibrium { strategies, payoffs }
                })
                .collect();
            let note = type_support_note(&r);
            (found, r.components, note)
        }
        Method::Simpdiv => {
            let r = simpdiv::equilibria(game, &opts.simpdiv, progress)?;
            let note = simpdiv_note(&r);
            (r.equilibria, vec![], note)
        }
        Method::Logit => {
            let r = logit::logit_equilibrium_with(game, &opts.logit, progress)?;
            let note = logit_note(&r);
            (vec![r.exact], vec![], note)
        }
        Method::PureLogit => {
            let mut all = pure_equilibria(game);
            let r = logit::logit_equilibrium_with(game, &opts.logit, progress)?;
            let close = |e: &Equilibrium| {
                e.strategies
                    .iter()
                    .flatten()
                    .zip(r.exact.strategies.iter().flatten())
                    .all(|(a, b)| (f64::from_rational(a) - f64::from_rational(b)).abs() < 1e-9)
            };
            let note = if all.iter().any(close) {
                format!("the logit equilibrium is one of the pure ones; {}", logit_note(&r))
            } else {
                let note = format!("the last is the logit equilibrium: {}", logit_note(&r));
                all.push(r.exact);
                note
            };
            (all, vec![], note)
        }
    })
}

/// What the type-support method says about its run.
fn type_support_note(r: &bayes::TypeSupportResult) -> String {
    format!(
        "{} bases per side, {} square systems solved ({} singular, skipped without losing a vertex); \
         {} + {} vertices of the best-response polyhedra; {} extreme equilibria in {} component{}",
        r.supports,
        r.solved,
        r.singular,
        r.vertices[0],
        r.vertices[1],
        r.equilibria.len(),
        r.components.len(),
        if r.components.len() == 1 { "" } else { "s" }
    )
}

/// What the simpdiv method says about its run.
fn simpdiv_note(r: &simpdiv::SimpdivResult) -> String {
    let refined = r.refined.iter().filter(|x| **x).count();
    format!(
        "{} starting points, {} walks converged ({} pivots), {} of them not certified (regret above 1e-6, dropped); {} distinct equilibria, {} refined exactly or certified to 1e-12, {} as the walk left them; not necessarily all equilibria",
        r.starts,
        r.converged,
        r.pivots,
        r.uncertified,
        r.equilibria.len(),
        refined,
        r.equilibria.len() - refined
    )
}

/// What the poly method says about its run.
fn poly_note(r: &npoly::PolyResult) -> String {
    let irrational = r.exact.iter().filter(|e| !**e).count();
    let mut note = format!(
        "{} support profiles ({} skipped by conditional dominance); {} equilibria exact, {} irrational (rounded, certified)",
        r.supports,
        r.pruned,
        r.exact.len() - irrational,
        irrational
    );
    if !r.unresolved.is_empty() {
        let shown: Vec<String> = r
            .unresolved
            .iter()
            .take(5)
            .map(|s| {
                let per: Vec<String> = s
                    .iter()
                    .map(|a| a.iter().map(|x| (x + 1).to_string()).collect::<Vec<_>>().join(","))
                    .collect();
                format!("{{{}}}", per.join(" | "))
            })
            .collect();
        note.push_str(&format!(
            "; {} support profile{} with solutions that are not isolated (a continuum or a singular root), whose equilibria may be missing: {}{}",
            r.unresolved.len(),
            if r.unresolved.len() == 1 { "" } else { "s" },
            shown.join(", "),
            if r.unresolved.len() > 5 { ", …" } else { "" }
        ));
    }
    note
}

/// A Bayesian Nash equilibrium as returned by [`solve_bayesian`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BayesianEquilibrium {
    /// `behaviour[i][t][a]`: the probability that player `i` of type `t` plays `a`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub behaviour: Behaviour<Rational>,
    /// Every player's ex-ante expected payoff, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub payoffs: Vec<Rational>,
    /// Largest gain any type of any player gets by deviating, exactly.
    #[serde(serialize_with = "crate::exact::ser")]
    pub max_interim_regret: Rational,
}

/// Bayesian Nash equilibria and how they were found.
#[derive(Clone, Debug, Serialize)]
pub struct BayesianSolution {
    /// The game's title.
    pub title: String,
    /// The players' names.
    pub players: Vec<String>,
    /// `types[i]`: player `i`'s type names, indexing `behaviour[i]`.
    pub types: Vec<Vec<String>>,
    /// `actions[i]`: player `i`'s action names (the same for each of its types).
    pub actions: Vec<Vec<String>>,
    /// What was solved: `induced normal form` (two players), `agent form`,
    /// or `agent form (vertex enumeration per type)` (two players, no normal form built).
    pub via: &'static str,
    /// Its number of strategies per player (per agent for the agent form).
    pub shape: Vec<usize>,
    /// The method run on that normal form.
    pub method: Method,
    /// [`Method::describe`].
    pub description: &'static str,
    /// Why this representation (`via`) and method, when they were chosen by
    /// default, with the numbers that decided it ([`default_bayesian_reason`]);
    /// `None` when the method was asked for.
    pub choice: Option<String>,
    /// What the method adds (as [`Solution::note`]).
    pub note: String,
    /// The method is exact, so every behaviour has interim regret exactly 0.
    pub exact: bool,
    /// Distinct behaviours (several mixed strategies of the normal form can share one).
    pub equilibria: Vec<BayesianEquilibrium>,
    /// The connected components of the equilibrium set, as indices into
    /// `equilibria`, when the method enumerates vertices (vertex
    /// enumeration per type: the extreme equilibria of each; vertex
    /// enumeration on the induced normal form: the behaviours of its
    /// components, joined where they share one); empty for other methods.
    pub components: Vec<Vec<usize>>,
}

/// Bayesian Nash equilibria as behavioural profiles: for two players from the
/// equilibria of the induced normal form, for more from those of the agent
/// form (each type a separate player), by the method `opts` selects for that
/// normal form; duplicates removed and every behaviour re-checked by its
/// exact interim regret.
pub fn solve_bayesian(game: &BayesianGame, opts: &SolveOptions) -> Result<BayesianSolution> {
    solve_bayesian_with(game, opts, &NoProgress)
}

/// [`solve_bayesian`] with progress and cancellation, as [`solve_with`].
pub fn solve_bayesian_with(
    game: &BayesianGame,
    opts: &SolveOptions,
    progress: &dyn Progress,
) -> Result<BayesianSolution> {
    let two = game.n_players() == 2;
    let by_default = opts.method.is_none();
    if two && opts.method.unwrap_or_else(|| default_bayesian(game, opts.all)) == Method::TypeSupport {
        return solve_by_type_support(game, opts, progress);
    }
    let induced = two;
    let nf = if induced {
        game.induced_normal_form()?
    } else {
        game.agent_form()?
    };
    let s = solve_with(&nf, opts, progress)?;
    let images: Vec<Behaviour<Rational>> = s
        .equilibria
        .iter()
        .map(|e| {
            if induced {
                game.behaviour_from_induced(&e.strategies)
            } else {
                game.behaviour_from_agents(&e.strategies)
            }
        })
        .collect();
    let behaviours = dedup(images.clone());
    let components = image_components(&s.components, &images, &behaviours);
    let equilibria = checked_behaviours(game, s.method, behaviours)?;
    Ok(BayesianSolution {
        title: game.title.clone(),
        players: game.players().to_vec(),
        types: (0..game.n_players()).map(|i| game.types(i).to_vec()).collect(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        via: if induced { "induced normal form" } else { "agent form" },
        shape: nf.shape(),
        method: s.method,
        description: s.description,
        choice: by_default.then(|| default_bayesian_reason(game, opts.all)),
        note: s.note,
        exact: s.exact,
        equilibria,
        components,
    })
}

/// The components of a normal form's equilibria (`components`, indices into
/// `images`, each equilibrium's behaviour) as components of the distinct
/// behaviours (indices into `behaviours`): the image of a
/// connected set is connected, and components whose images share a
/// behaviour are one.
fn image_components(
    components: &[Vec<usize>],
    images: &[Behaviour<Rational>],
    behaviours: &[Behaviour<Rational>],
) -> Vec<Vec<usize>> {
    if components.is_empty() {
        return vec![];
    }
    let at: std::collections::BTreeMap<&Behaviour<Rational>, usize> =
        behaviours.iter().enumerate().map(|(k, b)| (b, k)).collect();
    let index = |k: usize| at[&images[k]];
    let mut parent: Vec<usize> = (0..behaviours.len()).collect();
    for c in components {
        for w in c.windows(2) {
            let (a, b) = (find_root(&mut parent, index(w[0])), find_root(&mut parent, index(w[1])));
            parent[a] = b;
        }
    }
    let mut by_root: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for k in 0..behaviours.len() {
        by_root.entry(find_root(&mut parent, k)).or_default().push(k);
    }
    by_root.into_values().collect()
}

/// The induced normal form's number of pure strategies per player
/// (`actions^types`, saturating).
fn induced_shape(game: &BayesianGame) -> Vec<u64> {
    (0..game.n_players())
        .map(|i| (game.actions(i).len() as u64).saturating_pow(game.types(i).len() as u32))
        .collect()
}

/// The induced normal form's largest number of pure strategies per player.
fn induced_strategies(game: &BayesianGame) -> u64 {
    induced_shape(game).into_iter().max().unwrap_or(0)
}

/// Largest number of pure strategies per player of the induced normal form
/// up to which a two-player Bayesian game is solved on it by default: below,
/// vertex enumeration there is as fast as vertex enumeration per type or
/// faster; above, the induced form grows as `actions^types` (3 types × 3 actions:
/// 27 × 27) and vertex enumeration per type is much faster (BENCHMARKS.md §14).
pub const INDUCED_DEFAULT_STRATEGIES: u64 = 16;

/// The default method for a two-player Bayesian game: on the induced normal
/// form while it has at most [`INDUCED_DEFAULT_STRATEGIES`] strategies per
/// player (or when no player has several types, or type-support would
/// exceed [`bayes::MAX_SUPPORT_PROFILES`]), else vertex enumeration per
/// type. [`default_bayesian_reason`] says why.
pub fn default_bayesian(game: &BayesianGame, all: bool) -> Method {
    match bayesian_default(game) {
        BayesianDefault::TypeSupport { .. } => Method::TypeSupport,
        _ if all => Method::Enum,
        _ => Method::Lh,
    }
}

/// Which case of [`default_bayesian`] a game falls in: the one rule that
/// [`default_bayesian`] and [`default_bayesian_reason`] both read.
enum BayesianDefault {
    /// Not two players: the agent form (no induced normal form is solved).
    AgentForm,
    /// Two players, neither with several types: the induced form is the game.
    OneType,
    /// At most [`INDUCED_DEFAULT_STRATEGIES`] strategies per player.
    SmallInduced,
    /// Above, but type-support would have this many bases per side,
    /// more than [`bayes::MAX_SUPPORT_PROFILES`].
    TooManySupports(u64),
    /// Vertex enumeration per type, over this many bases per side.
    TypeSupport { supports: u64 },
}

/// The case of [`default_bayesian`] that `game` falls in.
fn bayesian_default(game: &BayesianGame) -> BayesianDefault {
    if game.n_players() != 2 {
        return BayesianDefault::AgentForm;
    }
    if (0..game.n_players()).all(|i| game.types(i).len() == 1) {
        return BayesianDefault::OneType;
    }
    if induced_strategies(game) <= INDUCED_DEFAULT_STRATEGIES {
        return BayesianDefault::SmallInduced;
    }
    let supports = bayes::support_profiles(game);
    if supports > bayes::MAX_SUPPORT_PROFILES {
        BayesianDefault::TooManySupports(supports)
    } else {
        BayesianDefault::TypeSupport { supports }
    }
}

/// Why [`solve_bayesian`] solves `game` as it does when no method is asked
/// for — the representation ([`default_bayesian`]: induced normal form,
/// agent form, or vertex enumeration per type) and the method run on it —
/// with the numbers that decided it, as the output's `choice` states it.
pub fn default_bayesian_reason(game: &BayesianGame, all: bool) -> String {
    let big = |k: u64| {
        if k == u64::MAX {
            "more than 1.8e19".to_string()
        } else {
            k.to_string()
        }
    };
    let induced = induced_shape(game);
    let size = induced.iter().map(|&k| big(k)).collect::<Vec<_>>().join("×");
    let shape: Vec<usize> = induced
        .iter()
        .map(|&k| usize::try_from(k).unwrap_or(usize::MAX))
        .collect();
    let on_induced = |why: String| format!("{why}; {}", Method::default_reason(&shape, all));
    let supports = match bayesian_default(game) {
        BayesianDefault::AgentForm => {
            let agents: Vec<usize> = (0..game.n_players())
                .flat_map(|i| std::iter::repeat_n(game.actions(i).len(), game.types(i).len()))
                .collect();
            return format!(
                "a {}-player Bayesian game is solved on its agent form (each type a player: {} agents); {}",
                game.n_players(),
                agents.len(),
                Method::default_reason(&agents, all)
            );
        }
        BayesianDefault::OneType => {
            return on_induced(format!(
                "every player has one type, so the induced normal form ({size}) is the game itself"
            ))
        }
        BayesianDefault::SmallInduced => {
            return on_induced(format!(
                "the induced normal form is {size}, at most {INDUCED_DEFAULT_STRATEGIES} strategies per player, \
                 so it is solved there (as fast as vertex enumeration per type or faster; \
                 BENCHMARKS.md §14)"
            ))
        }
        BayesianDefault::TooManySupports(supports) => {
            return on_induced(format!(
                "the induced normal form is {size}, above {INDUCED_DEFAULT_STRATEGIES} strategies per player, \
                 but vertex enumeration per type would have {} bases per side, above its limit of {}, \
                 so the induced normal form",
                big(supports),
                bayes::MAX_SUPPORT_PROFILES
            ))
        }
        BayesianDefault::TypeSupport { supports } => supports,
    };
    format!(
        "the induced normal form would be {size}, above {INDUCED_DEFAULT_STRATEGIES} strategies per player, \
         so vertex enumeration per type, which builds no normal form ({supports} bases per side; \
         3 types × 3 actions, all extreme equilibria, degenerate games too: 0.10–0.29 s against 0.4–20 s \
         by vertex enumeration on the induced form, BENCHMARKS.md §14)"
    )
}

/// `behaviours`, each re-checked by its exact interim regret against the method's tolerance.
fn checked_behaviours(
    game: &BayesianGame,
    method: Method,
    behaviours: Vec<Behaviour<Rational>>,
) -> Result<Vec<BayesianEquilibrium>> {
    let tolerance = method.regret_tolerance();
    behaviours
        .into_iter()
        .map(|behaviour| {
            let max_interim_regret = game.max_interim_regret(&behaviour);
            if max_interim_regret > tolerance {
                return Err(Error::invalid(format!(
                    "the {} method returned a behaviour with interim regret {} (above {})",
                    method,
                    format_rational(&max_interim_regret),
                    format_rational(&tolerance)
                )));
            }
            Ok(BayesianEquilibrium {
                payoffs: game.expected_payoffs(&behaviour),
                behaviour,
                max_interim_regret,
            })
        })
        .collect()
}

/// A two-player Bayesian game by vertex enumeration per type (no normal
/// form built), its counts in the note.
fn solve_by_type_support(
    game: &BayesianGame,
    opts: &SolveOptions,
    progress: &dyn Progress,
) -> Result<BayesianSolution> {
    let method = Method::TypeSupport;
    crate::progress::check(progress)?;
    let mut r = bayes::type_support(game, progress)?;
    let note = type_support_note(&r);
    let equilibria = checked_behaviours(game, method, std::mem::take(&mut r.equilibria))?;
    Ok(BayesianSolution {
        title: game.title.clone(),
        players: game.players().to_vec(),
        types: (0..game.n_players()).map(|i| game.types(i).to_vec()).collect(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        via: "agent form (vertex enumeration per type)",
        shape: (0..game.n_players())
            .flat_map(|i| std::iter::repeat_n(game.actions(i).len(), game.types(i).len()))
            .collect(),
        method,
        description: method.describe(),
        choice: opts.method.is_none().then(|| default_bayesian_reason(game, opts.all)),
        note,
        exact: true,
        equilibria,
        components: r.components,
    })
}

/// The equilibria of a game file, normal-form or Bayesian.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum GameSolution {
    /// Equilibria of a normal-form game (mixed profiles).
    Normal(Solution),
    /// Bayesian equilibria of a game with types (behavioural profiles).
    Bayesian(BayesianSolution),
}

/// [`solve_with`] or [`solve_bayesian_with`], by the kind of game.
pub fn solve_file(game: &GameFile, opts: &SolveOptions, progress: &dyn Progress) -> Result<GameSolution> {
    Ok(match game {
        GameFile::Normal(g) => GameSolution::Normal(solve_with(g, opts, progress)?),
        GameFile::Bayesian(b) => GameSolution::Bayesian(solve_bayesian_with(b, opts, progress)?),
    })
}

/// The connected components of the bipartite graph whose edges are `pairs`
/// (a vertex of one side in `0..n_x`, one of the other in `0..n_y`: extreme
/// equilibria as pairs of vertices, joined when they share one), each as
/// the sorted indices of its edges into `pairs`, in sorted order.
pub(crate) fn pair_components(n_x: usize, n_y: usize, pairs: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let mut parent: Vec<usize> = (0..n_x + n_y).collect();
    for &(x, y) in pairs {
        let (rx, ry) = (find_root(&mut parent, x), find_root(&mut parent, n_x + y));
        parent[rx] = ry;
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<usize>> = Default::default();
    for (k, &(x, _)) in pairs.iter().enumerate() {
        groups.entry(find_root(&mut parent, x)).or_default().push(k);
    }
    let mut components: Vec<Vec<usize>> = groups.into_values().collect();
    components.sort();
    components
}

/// The root of `x` in a union–find forest stored as `parent` links, with path
/// compression: grouping equilibria into connected components.
pub(crate) fn find_root(parent: &mut [usize], x: usize) -> usize {
    let mut r = x;
    while parent[r] != r {
        r = parent[r];
    }
    let mut c = x;
    while parent[c] != r {
        let next = parent[c];
        parent[c] = r;
        c = next;
    }
    r
}

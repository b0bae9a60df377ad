//! POWER under incomplete information over a finite set of type profiles
//! (docs/theory.md §11.6): exactly for finite horizons, and within a stated
//! tolerance for discounted play.
//!
//! A player's *type* is its own reward function: player `i` knows its row
//! `t_i` of the drawn profile but not the others' rows `t_{−i}`, which it
//! holds beliefs about — the prior conditioned on `t_i`, then updated by
//! Bayes' rule on the actions it sees the others take. Every player `j`
//! follows a Markov strategy that depends on its own type, the step and the
//! state ([`TypeStrategies`]). Player `i` maximises over **all behavioural
//! strategies that depend on its type and on the whole history of states
//! and joint actions**; against Markov type-strategies that is an MDP over
//! (step, state, posterior over `t_{−i}`) — the belief MDP of the POMDP whose
//! hidden state is `t_{−i}` — solved here by exact backward induction over
//! the reachable beliefs (memoised; the number of nodes is reported and
//! bounded). Discounted, with stationary strategies, the reachable (state,
//! posterior) nodes are built breadth-first with exact posteriors (finitely
//! many for pure strategies; refused at the node limit otherwise) and the
//! belief MDP is solved by value iteration ([`Facing::optimal`]). Its own action carries no information about `t_{−i}`, and the
//! state reached given the joint action does not either, so only the others'
//! actions move the belief.
//!
//! Per player and state the report gives the interim POWER of every own type,
//! the ex-ante POWER, the value under the profile, the complete-information
//! POWER against the same profile (what `i` could get knowing `t_{−i}`,
//! never less), and the total regret `Σ_i (POWER_i − value_i) ≥ 0`, which is
//! zero at every state exactly when no type of any player gains by any
//! history-dependent deviation (a Bayesian Nash equilibrium of the
//! sequential game). The profile is uniformly random, given, or — for one
//! step — a Bayesian equilibrium of every state's stage game, selected by a
//! [`Selection`] rule, which makes one-step POWER the Bayesian-game POWER of
//! [`crate::game::power`] exactly.

use std::collections::HashMap;
use std::time::Instant;

use num_traits::{FromPrimitive, One, Zero};
use serde::Serialize;

use super::finite::{self, ExactProfile, FiniteHorizon};
use super::reward::to_f64;
use super::reward::{stage_rewards_exact, TypeProfiles};
use super::solve::{certify, select_by, Facing, Iteration, Profile, Selection};
use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::{ExactSerialize, Rational, Scalar};
use crate::game::bayesian::BayesianGame;
use crate::game::equilibrium::{self, SolveOptions};
use crate::progress::Progress;

/// `σ[i][θ][t][s][a]`: the probability that player `i` of own type `θ`
/// takes action `a` at state `s` with `t` steps done.
pub type TypeStrategies = Vec<Vec<ExactProfile1>>;

/// One player's strategy of one type: `[t][s][a]`.
pub type ExactProfile1 = Vec<Vec<Vec<Rational>>>;

/// Most (step, state, belief) nodes [`incomplete_power`] memoises per player
/// and own type before it refuses (each holds a posterior over the others'
/// types): more means a longer horizon or more types than this exact method
/// handles in reasonable memory.
pub const MAX_BELIEF_NODES: usize = 500_000;

/// Every player's own types, read off a set of type profiles: two profiles
/// give player `i` the same type exactly when its rewards are equal in both.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OwnTypes {
    /// `of[i][k]`: player `i`'s own type in profile `k`.
    pub of: Vec<Vec<usize>>,
    /// `names[i][θ]`: the names of the profiles in which `i` has type `θ`,
    /// joined by ` | ` (`only type` when it is `i`'s only one).
    pub names: Vec<Vec<String>>,
    /// `prior[i][θ]`: the probability that `i` has type `θ`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub prior: Vec<Vec<Rational>>,
}

/// [`OwnTypes`] of `types` (already validated against a game with `n_players`).
pub fn own_types(types: &TypeProfiles, n_players: usize) -> OwnTypes {
    let mut of = vec![Vec::with_capacity(types.profiles.len()); n_players];
    let mut covers: Vec<Vec<Vec<&str>>> = vec![Vec::new(); n_players];
    let mut prior: Vec<Vec<Rational>> = vec![Vec::new(); n_players];
    for i in 0..n_players {
        let mut seen: Vec<&Vec<Rational>> = Vec::new();
        for t in &types.profiles {
            let theta = seen.iter().position(|r| **r == t.rewards[i]).unwrap_or_else(|| {
                seen.push(&t.rewards[i]);
                covers[i].push(Vec::new());
                prior[i].push(Rational::zero());
                seen.len() - 1
            });
            of[i].push(theta);
            covers[i][theta].push(&t.name);
            prior[i][theta] += t.prior.clone();
        }
    }
    let names = covers
        .into_iter()
        .map(|c| match c.len() {
            1 => vec!["only type".to_string()],
            _ => c.into_iter().map(|names| names.join(" | ")).collect(),
        })
        .collect();
    OwnTypes { of, names, prior }
}

/// Where the type-strategies come from.
#[derive(Clone, Debug, PartialEq)]
pub enum TypeProfileSource {
    /// Every player of every type uniformly random.
    Uniform,
    /// Given strategies (checked against the game and the types).
    Given(TypeStrategies),
    /// One step only: at every state a Bayesian Nash equilibrium of its stage
    /// game (all found exactly by [`equilibrium::solve_bayesian`], one picked
    /// by the selection rule on ex-ante welfare).
    StageEquilibrium,
}

/// A finite horizon (exact arithmetic) or discounting (value iteration on
/// the belief MDP, every number within the iteration's tolerance).
#[derive(Clone, Debug, PartialEq)]
pub enum IncompleteHorizon {
    /// Steps and per-step discount; strategies may depend on the step.
    Finite(FiniteHorizon),
    /// Discount, tolerance and sweep limit; strategies are stationary (one
    /// step entry, used at every step) and the reachable beliefs must be
    /// finite (as with pure type-strategies) and within the node limit.
    Discounted(Iteration),
}

impl IncompleteHorizon {
    /// Strategy entries per type: the steps, or 1 (stationary).
    pub fn strategy_steps(&self) -> usize {
        match self {
            IncompleteHorizon::Finite(h) => h.steps,
            IncompleteHorizon::Discounted(_) => 1,
        }
    }
}

/// Options of [`incomplete_power`].
#[derive(Clone, Debug)]
pub struct IncompleteOptions {
    /// Finite (exact) or discounted.
    pub horizon: IncompleteHorizon,
    /// The profile the players follow.
    pub profile: TypeProfileSource,
    /// Which stage Bayesian equilibrium ([`TypeProfileSource::StageEquilibrium`]).
    pub selection: Selection,
    /// Most belief nodes per player and type (default [`MAX_BELIEF_NODES`]).
    pub max_belief_nodes: usize,
}

impl IncompleteOptions {
    /// The uniform profile over `steps` undiscounted steps.
    pub fn new(steps: usize) -> Self {
        IncompleteOptions {
            horizon: IncompleteHorizon::Finite(FiniteHorizon::undiscounted(steps)),
            profile: TypeProfileSource::Uniform,
            selection: Selection::default(),
            max_belief_nodes: MAX_BELIEF_NODES,
        }
    }
}

/// POWER under incomplete information per player and state: exact rationals
/// (`T = Rational`, finite horizons) or floats within `tolerance` (`T = f64`,
/// discounted).
#[derive(Clone, Debug, Serialize)]
#[serde(bound(serialize = "T: ExactSerialize"))]
pub struct IncompleteReport<T> {
    /// The players' names.
    pub players: Vec<String>,
    /// The states' names.
    pub states: Vec<String>,
    /// The horizon, as text.
    pub horizon: String,
    /// Where the profile came from, as text.
    pub profile: String,
    /// The selection rule (stage equilibria).
    pub selection: &'static str,
    /// Every player's own types (names and prior).
    pub types: OwnTypes,
    /// The type-strategies followed (`[i][θ][t][s][a]`).
    #[serde(serialize_with = "crate::exact::ser")]
    pub strategies: TypeStrategies,
    /// `power[i][s]`: ex-ante POWER, `Σ_θ P(θ) · power_by_type[i][θ][s]`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub power: Vec<Vec<T>>,
    /// `power_by_type[i][θ][s]`: the interim POWER of player `i` of type `θ`
    /// (normalised best value against its prior belief over the others' types).
    #[serde(serialize_with = "crate::exact::ser")]
    pub power_by_type: Vec<Vec<Vec<T>>>,
    /// `complete_power[i][s]`: POWER if `i` also knew `t_{−i}` (against the same profile).
    #[serde(serialize_with = "crate::exact::ser")]
    pub complete_power: Vec<Vec<T>>,
    /// `information_value[i][s] = complete_power − power ≥ 0`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub information_value: Vec<Vec<T>>,
    /// `value[i][s]`: the normalised expected value under the profile.
    #[serde(serialize_with = "crate::exact::ser")]
    pub value: Vec<Vec<T>>,
    /// `Σ_i power[i][s]`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_power: Vec<T>,
    /// `Σ_i (power − value)[i][s] ≥ 0`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_regret: Vec<T>,
    /// The exact sum of all players' rewards at every site, if there is one.
    #[serde(serialize_with = "crate::exact::ser")]
    pub constant_sum: Option<Rational>,
    /// No type of any player gains by any history-dependent deviation: the
    /// total regret is exactly zero at every state (finite horizons), or at
    /// most `2 · players · tolerance` (discounted: within the error bounds).
    pub equilibrium: bool,
    /// Discounted: the bound on the error of every POWER and value; `None` when exact.
    pub tolerance: Option<f64>,
    /// Every stage equilibrium was exact (false only for logit stages of
    /// Bayesian games with three or more players).
    pub exact: bool,
    /// Largest number of belief nodes one player's type visited ((step,
    /// state, belief) for finite horizons, (state, belief) discounted).
    pub belief_nodes: usize,
    /// Wall-clock seconds.
    pub seconds: f64,
}

/// Check `σ` against the game, the horizon and the own types: shapes, and
/// every strategy a probability distribution; errors name the entry.
pub fn check_strategies(game: &StochasticGame, own: &OwnTypes, steps: usize, sigma: &TypeStrategies) -> Result<()> {
    check_per_type(game, own, sigma, |i, theta, steps_of| {
        if steps_of.len() != steps {
            return Err(Error::invalid(format!(
                "strategies[{i}][{theta}]: expected {steps} steps, got {}",
                steps_of.len()
            )));
        }
        for (t, states) in steps_of.iter().enumerate() {
            check_states(game, i, states, &format!("strategies[{i}][{theta}][{t}]"))?;
        }
        Ok(())
    })
}

/// Check stationary strategies `[i][θ][s][a]` (the same at every step) as [`check_strategies`].
pub fn check_stationary(game: &StochasticGame, own: &OwnTypes, sigma: &[Vec<Vec<Vec<Rational>>>]) -> Result<()> {
    check_per_type(game, own, sigma, |i, theta, states| {
        check_states(game, i, states, &format!("strategies[{i}][{theta}]"))
    })
}

/// One entry per player and own type, each checked by `check`.
fn check_per_type<T>(
    game: &StochasticGame,
    own: &OwnTypes,
    sigma: &[Vec<T>],
    check: impl Fn(usize, usize, &T) -> Result<()>,
) -> Result<()> {
    let n = game.n_players();
    if sigma.len() != n {
        return Err(Error::invalid(format!(
            "strategies: expected {n} players, got {}",
            sigma.len()
        )));
    }
    for (i, by_type) in sigma.iter().enumerate() {
        if by_type.len() != own.names[i].len() {
            return Err(Error::invalid(format!(
                "strategies[{i}]: player '{}' has {} own types, got {}",
                game.players()[i],
                own.names[i].len(),
                by_type.len()
            )));
        }
        for (theta, x) in by_type.iter().enumerate() {
            check(i, theta, x)?;
        }
    }
    Ok(())
}

/// Player `i`'s strategy at every state (`states[s][a]`), located at `at`.
fn check_states(game: &StochasticGame, i: usize, states: &[Vec<Rational>], at: &str) -> Result<()> {
    if states.len() != game.n_states() {
        return Err(Error::invalid(format!(
            "{at}: expected {} states, got {}",
            game.n_states(),
            states.len()
        )));
    }
    for (s, p) in states.iter().enumerate() {
        if p.len() != game.n_actions(s, i) {
            return Err(Error::invalid(format!(
                "{at}[{s}]: state '{}' has {} actions for player '{}', got {} probabilities",
                game.state_names()[s],
                game.n_actions(s, i),
                game.players()[i],
                p.len()
            )));
        }
        if p.iter().any(|x| *x < Rational::zero()) || p.iter().cloned().sum::<Rational>() != Rational::one() {
            return Err(Error::invalid(format!(
                "{at}[{s}]: not a probability distribution (non-negative, summing to exactly 1)"
            )));
        }
    }
    Ok(())
}

/// The uniform type-strategies.
pub fn uniform_strategies(game: &StochasticGame, own: &OwnTypes, steps: usize) -> TypeStrategies {
    let uniform = finite::uniform_profile(game, steps);
    (0..game.n_players())
        .map(|i| {
            let one: ExactProfile1 = uniform.iter().map(|step| step[i].clone()).collect();
            vec![one; own.names[i].len()]
        })
        .collect()
}

/// The joint profile followed in type profile `k`: each player's strategy of its own type there.
pub fn profile_of(sigma: &TypeStrategies, own: &OwnTypes, k: usize) -> ExactProfile {
    let steps = sigma.first().and_then(|p| p.first()).map_or(0, Vec::len);
    (0..steps)
        .map(|t| {
            sigma
                .iter()
                .enumerate()
                .map(|(i, by_type)| by_type[own.of[i][k]][t].clone())
                .collect()
        })
        .collect()
}

/// The one-step Bayesian game played at state `s`: the players' own types,
/// the prior over type profiles (profiles with the same own types merged),
/// and the stage rewards `r[k][i][ja]`.
pub fn stage_bayesian_game(
    game: &StochasticGame,
    types: &TypeProfiles,
    own: &OwnTypes,
    r: &[Vec<Vec<Rational>>],
    s: usize,
) -> Result<BayesianGame> {
    let n = game.n_players();
    let sizes: Vec<usize> = own.names.iter().map(Vec::len).collect();
    let n_tau: usize = sizes.iter().product();
    let joint = game.joint_actions(s);
    let na = joint.len();
    let mut prior = vec![Rational::zero(); n_tau];
    let mut payoffs = vec![Rational::zero(); n_tau * na * n];
    for (k, t) in types.profiles.iter().enumerate() {
        let digits: Vec<usize> = (0..n).map(|i| own.of[i][k]).collect();
        let tau = crate::game::mixed_radix_index(&digits, &sizes);
        prior[tau] += t.prior.clone();
        for (a, ja) in joint.clone().enumerate() {
            for i in 0..n {
                payoffs[(tau * na + a) * n + i] = r[k][i][ja].clone();
            }
        }
    }
    BayesianGame::new(
        game.state_names()[s].clone(),
        game.players().to_vec(),
        own.names.clone(),
        (0..n).map(|i| game.actions(s, i).to_vec()).collect(),
        prior,
        payoffs,
    )
}

/// One joint action of the others at a state, as player `i` sees it: its
/// probability under `i`'s belief and the belief after seeing it.
struct OthersMove {
    /// Global index of the joint action with `i`'s action 0.
    base: usize,
    /// The stride of `i`'s action in the local joint-action index.
    stride: usize,
    /// `Σ_t b(t) Π_{j≠i} σ_j(a_j | θ_j(t), step, s)`, positive.
    mass: Rational,
    /// Bayes' rule: `b(t) Π_{j≠i} σ_j(a_j | …) / mass`.
    posterior: Vec<Rational>,
}

impl OthersMove {
    /// The global joint action of `i`'s action `a` with this move of the others.
    fn joint_action(&self, a: usize) -> usize {
        self.base + a * self.stride
    }
}

/// The others' joint actions of positive probability at state `s`, step `t`,
/// under player `i`'s belief `b` over the profiles `members`, with the
/// updated beliefs (the one Bayes update of both horizons).
#[allow(clippy::too_many_arguments)]
fn others_moves(
    game: &StochasticGame,
    sigma: &TypeStrategies,
    own: &OwnTypes,
    i: usize,
    members: &[usize],
    t: usize,
    s: usize,
    b: &[Rational],
) -> Vec<OthersMove> {
    let n = game.n_players();
    let ki = game.n_actions(s, i);
    let stride: usize = (0..i).map(|j| game.n_actions(s, j)).product();
    let start = game.joint_actions(s).start;
    (0..game.joint_actions(s).len() / ki)
        .filter_map(|o| {
            // The local joint action with the others' part `o` and i's action 0.
            let local0 = o % stride + (o / stride) * stride * ki;
            let weights: Vec<Rational> = members
                .iter()
                .zip(b)
                .map(|(&k, bk)| {
                    let mut w = bk.clone();
                    for j in (0..n).filter(|&j| j != i) {
                        w *= &sigma[j][own.of[j][k]][t][s][game.digit(s, local0, j)];
                    }
                    w
                })
                .collect();
            let mass: Rational = weights.iter().cloned().sum();
            (!mass.is_zero()).then(|| OthersMove {
                base: start + local0,
                stride,
                posterior: weights.into_iter().map(|w| w / &mass).collect(),
                mass,
            })
        })
        .collect()
}

/// Player `i`'s interim best value by backward induction over (step, state,
/// posterior over the profiles in which `i` has its own type).
struct Interim<'a> {
    game: &'a StochasticGame,
    sigma: &'a TypeStrategies,
    own: &'a OwnTypes,
    h: &'a FiniteHorizon,
    i: usize,
    /// The profiles in which `i` has this type (the belief's support).
    members: Vec<usize>,
    /// Player `i`'s stage reward per global joint action (the same in every member).
    r: &'a [Rational],
    memo: HashMap<(usize, usize, Vec<Rational>), Rational>,
    limit: usize,
}

impl Interim<'_> {
    /// `V_t(s, b)`, unnormalised.
    fn value(&mut self, t: usize, s: usize, b: &[Rational]) -> Result<Rational> {
        if t == self.h.steps {
            return Ok(Rational::zero());
        }
        let key = (t, s, b.to_vec());
        if let Some(v) = self.memo.get(&key) {
            return Ok(v.clone());
        }
        if self.memo.len() >= self.limit {
            return Err(Error::invalid(format!(
                "incomplete information: player '{}' reaches more than {} (step, state, belief) nodes; \
                 use fewer steps or fewer type profiles",
                self.game.players()[self.i],
                self.limit
            )));
        }
        let game = self.game;
        let mut q = vec![Rational::zero(); game.n_actions(s, self.i)];
        for m in others_moves(game, self.sigma, self.own, self.i, &self.members, t, s, b) {
            for (a, qa) in q.iter_mut().enumerate() {
                let ja = m.joint_action(a);
                let (next, prob) = game.successors_exact(ja);
                let mut cont = Rational::zero();
                for (&s2, p) in next.iter().zip(prob) {
                    cont += p * self.value(t + 1, s2 as usize, &m.posterior)?;
                }
                *qa += &m.mass * (&self.r[ja] + &self.h.discount * cont);
            }
        }
        let best = q.into_iter().max().unwrap_or_else(Rational::zero);
        self.memo.insert(key, best.clone());
        Ok(best)
    }
}

/// An incomplete-information report: exact (finite horizons) or within a
/// tolerance (discounted). Serialises as the report itself (the same fields;
/// numbers as exact `"p/q"` text or as floats).
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum Incomplete {
    /// Finite horizon, exact rationals.
    Exact(IncompleteReport<Rational>),
    /// Discounted, floats within the report's tolerance.
    Discounted(IncompleteReport<f64>),
}

impl Incomplete {
    /// The report with every number as a float (for tables).
    pub fn to_f64(&self) -> IncompleteReport<f64> {
        match self {
            Incomplete::Discounted(r) => r.clone(),
            Incomplete::Exact(r) => {
                let m = |v: &Vec<Vec<Rational>>| -> Vec<Vec<f64>> {
                    v.iter().map(|row| row.iter().map(to_f64).collect()).collect()
                };
                IncompleteReport {
                    players: r.players.clone(),
                    states: r.states.clone(),
                    horizon: r.horizon.clone(),
                    profile: r.profile.clone(),
                    selection: r.selection,
                    types: r.types.clone(),
                    strategies: r.strategies.clone(),
                    power: m(&r.power),
                    power_by_type: r.power_by_type.iter().map(m).collect(),
                    complete_power: m(&r.complete_power),
                    information_value: m(&r.information_value),
                    value: m(&r.value),
                    total_power: r.total_power.iter().map(to_f64).collect(),
                    total_regret: r.total_regret.iter().map(to_f64).collect(),
                    constant_sum: r.constant_sum.clone(),
                    equilibrium: r.equilibrium,
                    tolerance: None,
                    exact: r.exact,
                    belief_nodes: r.belief_nodes,
                    seconds: r.seconds,
                }
            }
        }
    }
}

/// What the horizons compute before the common assembly: per player
/// `[i][θ][s]` interim POWER, and `[i][s]` value and complete-information POWER.
struct Parts<T> {
    power_by_type: Vec<Vec<Vec<T>>>,
    value: Vec<Vec<T>>,
    complete_power: Vec<Vec<T>>,
    belief_nodes: usize,
}

/// POWER of every player at every state when each knows only its own
/// reward (see the module docs), at the profile `opts` names.
pub fn incomplete_power(
    game: &StochasticGame,
    types: &TypeProfiles,
    opts: &IncompleteOptions,
    progress: &dyn Progress,
) -> Result<Incomplete> {
    let start = Instant::now();
    types.validate(game)?;
    let steps = opts.horizon.strategy_steps();
    match &opts.horizon {
        IncompleteHorizon::Finite(h) => h.validate()?,
        IncompleteHorizon::Discounted(it) => it.validate()?,
    }
    let n = game.n_players();
    let own = own_types(types, n);
    let r: Vec<Vec<Vec<Rational>>> = types
        .profiles
        .iter()
        .map(|t| stage_rewards_exact(game, types.site, &t.rewards))
        .collect();
    let (sigma, profile_text, exact) = strategies_for(game, types, &own, &r, opts, steps, progress)?;
    let meta = Meta {
        game,
        own,
        sigma,
        profile: profile_text,
        selection: opts.selection.name(),
        constant_sum: types.constant_sum(),
        exact,
        start,
    };
    Ok(match &opts.horizon {
        IncompleteHorizon::Finite(h) => {
            let parts = finite_parts(
                game,
                types,
                &meta.own,
                &meta.sigma,
                &r,
                h,
                opts.max_belief_nodes,
                progress,
            )?;
            let text = format!("{} steps, discount {}", h.steps, h.discount);
            Incomplete::Exact(assemble(meta, parts, text, None))
        }
        IncompleteHorizon::Discounted(it) => {
            let parts = discounted_parts(
                game,
                types,
                &meta.own,
                &meta.sigma,
                &r,
                it,
                opts.max_belief_nodes,
                progress,
            )?;
            let text = format!("discounted, γ = {}", it.gamma);
            Incomplete::Discounted(assemble(meta, parts, text, Some(it.tolerance)))
        }
    })
}

/// The type-strategies `opts` asks for, their description, and whether they are exact.
fn strategies_for(
    game: &StochasticGame,
    types: &TypeProfiles,
    own: &OwnTypes,
    r: &[Vec<Vec<Rational>>],
    opts: &IncompleteOptions,
    steps: usize,
    progress: &dyn Progress,
) -> Result<(TypeStrategies, String, bool)> {
    Ok(match &opts.profile {
        TypeProfileSource::Uniform => (
            uniform_strategies(game, own, steps),
            "uniformly random".to_string(),
            true,
        ),
        TypeProfileSource::Given(sigma) => {
            check_strategies(game, own, steps, sigma)?;
            (sigma.clone(), "given".to_string(), true)
        }
        TypeProfileSource::StageEquilibrium => {
            let one_step = matches!(&opts.horizon, IncompleteHorizon::Finite(h) if h.steps == 1);
            if !one_step {
                return Err(Error::invalid(format!(
                    "profile: a Bayesian equilibrium of each stage game is the profile of a one-step game; \
                     this horizon is {} (give the strategies, or use the uniform profile)",
                    match &opts.horizon {
                        IncompleteHorizon::Finite(h) => format!("{} steps", h.steps),
                        IncompleteHorizon::Discounted(it) => format!("discounted (γ = {})", it.gamma),
                    }
                )));
            }
            let mut sigma = uniform_strategies(game, own, 1);
            let mut exact = true;
            for s in 0..game.n_states() {
                crate::progress::check(progress)?;
                let stage = stage_bayesian_game(game, types, own, r, s)?;
                let sol = equilibrium::solve_bayesian_with(&stage, &SolveOptions::all(), progress)?;
                exact &= sol.exact;
                let chosen = select_by(sol.equilibria, |e| e.payoffs.iter().cloned().sum(), opts.selection)
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "state '{}': no Bayesian equilibrium found",
                            game.state_names()[s]
                        ))
                    })?;
                for (i, by_type) in chosen.behaviour.into_iter().enumerate() {
                    for (theta, p) in by_type.into_iter().enumerate() {
                        sigma[i][theta][0][s] = p;
                    }
                }
            }
            (
                sigma,
                format!("a Bayesian equilibrium of every stage game ({})", opts.selection.name()),
                exact,
            )
        }
    })
}

/// The parts of the report that do not depend on the horizon.
struct Meta<'a> {
    game: &'a StochasticGame,
    own: OwnTypes,
    sigma: TypeStrategies,
    profile: String,
    selection: &'static str,
    constant_sum: Option<Rational>,
    exact: bool,
    start: Instant,
}

/// The profiles in which player `i` has own type `theta`, and the prior
/// conditioned on that type over them.
fn members_and_belief(types: &TypeProfiles, own: &OwnTypes, i: usize, theta: usize) -> (Vec<usize>, Vec<Rational>) {
    let members: Vec<usize> = (0..types.profiles.len()).filter(|&k| own.of[i][k] == theta).collect();
    let p_theta = &own.prior[i][theta];
    let belief = members.iter().map(|&k| &types.profiles[k].prior / p_theta).collect();
    (members, belief)
}

/// The parts of a report from a horizon's two computations: `interim(i,
/// members, belief)` gives a type's normalised best value at every state
/// (and the belief nodes it used), `per_profile(k)` the normalised values
/// `[i][s]` and complete-information POWER `[i][s]` in type profile `k`,
/// which are averaged by the prior here.
fn parts<T: Scalar>(
    game: &StochasticGame,
    types: &TypeProfiles,
    own: &OwnTypes,
    progress: &dyn Progress,
    mut interim: impl FnMut(usize, &[usize], &[Rational]) -> Result<(Vec<T>, usize)>,
    mut per_profile: impl FnMut(usize) -> Result<(Vec<Vec<T>>, Vec<Vec<T>>)>,
) -> Result<Parts<T>> {
    let (n, ns) = (game.n_players(), game.n_states());
    let mut power_by_type = Vec::with_capacity(n);
    let mut belief_nodes = 0;
    for i in 0..n {
        let mut by_type = Vec::with_capacity(own.names[i].len());
        for theta in 0..own.names[i].len() {
            crate::progress::check(progress)?;
            let (members, belief) = members_and_belief(types, own, i, theta);
            let (values, nodes) = interim(i, &members, &belief)?;
            belief_nodes = belief_nodes.max(nodes);
            by_type.push(values);
        }
        power_by_type.push(by_type);
    }
    let mut value = vec![vec![T::zero(); ns]; n];
    let mut complete_power = vec![vec![T::zero(); ns]; n];
    for (k, t) in types.profiles.iter().enumerate() {
        crate::progress::check(progress)?;
        let (v, best) = per_profile(k)?;
        let prior = T::from_rational(&t.prior);
        for i in 0..n {
            for s in 0..ns {
                value[i][s] = value[i][s].clone() + prior.clone() * v[i][s].clone();
                complete_power[i][s] = complete_power[i][s].clone() + prior.clone() * best[i][s].clone();
            }
        }
    }
    Ok(Parts {
        power_by_type,
        value,
        complete_power,
        belief_nodes,
    })
}

#[allow(clippy::too_many_arguments)]
fn finite_parts(
    game: &StochasticGame,
    types: &TypeProfiles,
    own: &OwnTypes,
    sigma: &TypeStrategies,
    r: &[Vec<Vec<Rational>>],
    h: &FiniteHorizon,
    limit: usize,
    progress: &dyn Progress,
) -> Result<Parts<Rational>> {
    let norm = h.normaliser();
    let scale = |v: Vec<Rational>| v.into_iter().map(|x| x * &norm).collect::<Vec<_>>();
    let interim = |i: usize, members: &[usize], belief: &[Rational]| {
        let mut interim = Interim {
            game,
            sigma,
            own,
            h,
            i,
            r: &r[members[0]][i],
            members: members.to_vec(),
            memo: HashMap::new(),
            limit,
        };
        let values = (0..game.n_states())
            .map(|s| interim.value(0, s, belief))
            .collect::<Result<Vec<_>>>()?;
        Ok((scale(values), interim.memo.len()))
    };
    let per_profile = |k: usize| {
        let profile = profile_of(sigma, own, k);
        let value = finite::evaluate(game, &r[k], &profile, h)
            .into_iter()
            .map(scale)
            .collect();
        let best = (0..game.n_players())
            .map(|i| scale(finite::best_response(game, &r[k], &profile, i, h)))
            .collect();
        Ok((value, best))
    };
    parts(game, types, own, progress, interim, per_profile)
}

#[allow(clippy::too_many_arguments)]
fn discounted_parts(
    game: &StochasticGame,
    types: &TypeProfiles,
    own: &OwnTypes,
    sigma: &TypeStrategies,
    r: &[Vec<Vec<Rational>>],
    it: &Iteration,
    limit: usize,
    progress: &dyn Progress,
) -> Result<Parts<f64>> {
    let rf: Vec<Vec<Vec<f64>>> = r
        .iter()
        .map(|rk| rk.iter().map(|x| x.iter().map(to_f64).collect()).collect())
        .collect();
    let interim = |i: usize, members: &[usize], belief: &[Rational]| {
        let (mdp, starts, nodes) = belief_mdp(game, sigma, own, i, members, belief, &rf[members[0]][i], limit)?;
        let v = mdp.optimal(it, vec![0.0; nodes])?;
        Ok((starts.iter().map(|&k| (1.0 - it.gamma) * v[k]).collect(), nodes))
    };
    let per_profile = |k: usize| {
        let profile: Profile = profile_of(sigma, own, k)[0]
            .iter()
            .map(|by_state| by_state.iter().map(|p| p.iter().map(to_f64).collect()).collect())
            .collect();
        let cert = certify(game, &rf[k], &profile, it)?;
        Ok((cert.value, cert.power))
    };
    parts(game, types, own, progress, interim, per_profile)
}

/// Player `i`'s belief MDP for one own type against stationary
/// type-strategies (their step-0 entries): nodes are (state, posterior over
/// `members`) reachable from (s, `belief`) for every state `s`, found
/// breadth-first with exact posteriors; returns it with the start node of
/// every state and the number of nodes (more than `limit` is an error).
#[allow(clippy::too_many_arguments)]
fn belief_mdp(
    game: &StochasticGame,
    sigma: &TypeStrategies,
    own: &OwnTypes,
    i: usize,
    members: &[usize],
    belief: &[Rational],
    r_i: &[f64],
    limit: usize,
) -> Result<(Facing, Vec<usize>, usize)> {
    let mut nodes: Vec<(usize, Vec<Rational>)> = Vec::new();
    let mut index: HashMap<(usize, Vec<Rational>), usize> = HashMap::new();
    let mut intern = |nodes: &mut Vec<(usize, Vec<Rational>)>, s: usize, b: &[Rational]| -> Result<usize> {
        if let Some(&k) = index.get(&(s, b.to_vec())) {
            return Ok(k);
        }
        if nodes.len() >= limit {
            return Err(Error::invalid(format!(
                "incomplete information: player '{}' reaches more than {limit} (state, belief) nodes; \
                 discounted play needs finitely many reachable beliefs (pure type-strategies have them) — \
                 give a finite horizon (steps) instead",
                game.players()[i]
            )));
        }
        index.insert((s, b.to_vec()), nodes.len());
        nodes.push((s, b.to_vec()));
        Ok(nodes.len() - 1)
    };
    let starts: Vec<usize> = (0..game.n_states())
        .map(|s| intern(&mut nodes, s, belief))
        .collect::<Result<_>>()?;
    let (mut action_start, mut reward, mut succ_start, mut next, mut prob) =
        (vec![0], Vec::new(), vec![0], Vec::new(), Vec::new());
    let mut k = 0;
    while k < nodes.len() {
        let (s, b) = nodes[k].clone();
        let moves = others_moves(game, sigma, own, i, members, 0, s, &b);
        for a in 0..game.n_actions(s, i) {
            let mut rew = 0.0;
            for m in &moves {
                let ja = m.joint_action(a);
                let mass = to_f64(&m.mass);
                rew += mass * r_i[ja];
                let (succ, p) = game.successors(ja);
                for (&s2, p) in succ.iter().zip(p) {
                    next.push(intern(&mut nodes, s2 as usize, &m.posterior)? as u32);
                    prob.push(mass * p);
                }
            }
            reward.push(rew);
            succ_start.push(next.len());
        }
        action_start.push(reward.len());
        k += 1;
    }
    let count = nodes.len();
    Ok((
        Facing::from_parts(i, action_start, reward, succ_start, next, prob),
        starts,
        count,
    ))
}

/// The report from the horizon's parts: ex-ante POWER, totals, the value of
/// information and the equilibrium verdict.
fn assemble<T: Scalar>(
    meta: Meta<'_>,
    parts: Parts<T>,
    horizon: String,
    tolerance: Option<f64>,
) -> IncompleteReport<T> {
    let game = meta.game;
    let (n, ns) = (game.n_players(), game.n_states());
    let mut power = vec![vec![T::zero(); ns]; n];
    for i in 0..n {
        for (theta, values) in parts.power_by_type[i].iter().enumerate() {
            let p = T::from_rational(&meta.own.prior[i][theta]);
            for s in 0..ns {
                power[i][s] = power[i][s].clone() + p.clone() * values[s].clone();
            }
        }
    }
    let sum_over = |m: &[Vec<T>], s: usize| m.iter().fold(T::zero(), |a, row| a + row[s].clone());
    let total_power: Vec<T> = (0..ns).map(|s| sum_over(&power, s)).collect();
    let total_regret: Vec<T> = (0..ns)
        .map(|s| total_power[s].clone() - sum_over(&parts.value, s))
        .collect();
    let information_value = (0..n)
        .map(|i| {
            (0..ns)
                .map(|s| parts.complete_power[i][s].clone() - power[i][s].clone())
                .collect()
        })
        .collect();
    let slack =
        T::from_rational(&Rational::from_f64(tolerance.map_or(0.0, |t| 2.0 * n as f64 * t)).unwrap_or_default());
    IncompleteReport {
        players: game.players().to_vec(),
        states: game.state_names().to_vec(),
        horizon,
        profile: meta.profile,
        selection: meta.selection,
        equilibrium: total_regret.iter().all(|x| *x <= slack),
        types: meta.own,
        strategies: meta.sigma,
        power,
        power_by_type: parts.power_by_type,
        complete_power: parts.complete_power,
        information_value,
        value: parts.value,
        total_power,
        total_regret,
        constant_sum: meta.constant_sum,
        tolerance,
        exact: meta.exact && tolerance.is_none(),
        belief_nodes: parts.belief_nodes,
        seconds: meta.start.elapsed().as_secs_f64(),
    }
}

//! Discounted stochastic games (docs/theory.md §11.4): policy evaluation, best
//! responses, Shapley's value iteration for two-player constant-sum games,
//! Nash value iteration for general-sum games, and the exploitability
//! certificate every returned profile carries. Also the exact stage-game
//! equilibrium with a selection rule ([`stage_equilibrium`]), shared with the
//! finite-horizon solver ([`super::finite`]).
//!
//! Rewards enter as expected stage rewards `r[i][ja]` of every global joint
//! action ([`super::reward::stage_rewards`]); values are discounted sums from
//! the current step on, `V_i(s) = E[Σ_{t≥0} γ^t r_i(s_t, a_t)]`, and POWER is
//! `(1 − γ) V` (so state rewards give exactly the single-agent POWER of
//! docs/theory.md §2.2).
//!
//! **Error bounds.** Every iteration here (evaluation, best response,
//! Shapley, Nash value iteration) is a Jacobi sweep of a `γ`-contraction in
//! the sup norm: after a sweep that changed no value by more than `δ`, the
//! fixed point is within `γ/(1 − γ)·δ`. Sweeps stop at `δ ≤ tolerance/γ`,
//! so `(1 − γ)·‖V − V*‖ ≤ tolerance`: every reported POWER and value is
//! within `tolerance`. The exploitability certificate (`(1 − γ)·max_i
//! max_s [BR_i(s) − V_i^σ(s)]`) is computed from such values, so it is within
//! `2·tolerance` of the true one; [`Certificate::bound`] adds that.

use num_traits::{FromPrimitive, Zero};
use serde::Serialize;

use super::StochasticGame;
use crate::error::{Error, Result};
use crate::exact::Rational;
use crate::game::equilibrium::{self, Equilibrium, Method, SolveOptions};
use crate::game::NormalFormGame;

/// A stationary mixed profile: `profile[i][s][a]` is player `i`'s
/// probability of its action `a` at state `s`.
pub type Profile = Vec<Vec<Vec<f64>>>;

/// Which stage-game equilibrium to take when there are several.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Selection {
    /// The largest sum of payoffs (first of the tied, in enumeration order).
    #[default]
    MaxWelfare,
    /// The smallest sum of payoffs.
    MinWelfare,
    /// The first equilibrium the stage solver returns.
    First,
}

impl std::str::FromStr for Selection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "max-welfare" => Ok(Selection::MaxWelfare),
            "min-welfare" => Ok(Selection::MinWelfare),
            "first" => Ok(Selection::First),
            _ => Err(Error::invalid(format!(
                "selection: '{s}' is not a rule; expected max-welfare, min-welfare or first"
            ))),
        }
    }
}

impl Selection {
    /// The rule's name, as front ends accept it.
    pub fn name(self) -> &'static str {
        match self {
            Selection::MaxWelfare => "max-welfare",
            Selection::MinWelfare => "min-welfare",
            Selection::First => "first",
        }
    }
}

/// An equilibrium of one stage game and whether it is exact.
#[derive(Clone, Debug)]
pub struct StageSolution {
    /// The selected equilibrium (strategies and payoffs, exact rationals).
    pub equilibrium: Equilibrium,
    /// Its regret is exactly 0 (false only for logit equilibria of games
    /// with three or more players and no pure equilibrium).
    pub exact: bool,
    /// Its maximum regret, exactly (0 when `exact`).
    pub max_regret: Rational,
}

/// An equilibrium of the stage game `game`, chosen by `rule`: with at most
/// one player choosing, that player's best actions (pure); two players, the
/// exact LP for constant-sum games and every extreme equilibrium by vertex
/// enumeration otherwise; three or more, every pure equilibrium, or the
/// certified logit equilibrium when there is none.
pub fn stage_equilibrium(game: &NormalFormGame, rule: Selection) -> Result<StageSolution> {
    let n = game.n_players();
    let choosers: Vec<usize> = (0..n).filter(|&i| game.n_actions(i) > 1).collect();
    let exact = |e: Equilibrium| StageSolution {
        equilibrium: e,
        exact: true,
        max_regret: Rational::zero(),
    };
    if choosers.len() <= 1 {
        return Ok(exact(select(single_chooser(game, choosers.first().copied()), rule)?));
    }
    if n == 2 {
        if game.constant_sum().is_some() && rule == Selection::First {
            let s = equilibrium::bimatrix::zero_sum(game)?;
            let strategies = vec![s.row, s.column];
            let payoffs = game.expected_payoffs(&strategies);
            return Ok(exact(Equilibrium { strategies, payoffs }));
        }
        let all = equilibrium::bimatrix::enumerate_extreme(game)?.equilibria;
        return Ok(exact(select(all, rule)?));
    }
    let pure = equilibrium::pure_equilibria(game);
    if !pure.is_empty() {
        return Ok(exact(select(pure, rule)?));
    }
    let opts = SolveOptions {
        method: Some(Method::Logit),
        ..Default::default()
    };
    let sol = equilibrium::solve(game, &opts)?;
    let e = sol
        .equilibria
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid("the logit method returned no equilibrium"))?;
    Ok(StageSolution {
        equilibrium: Equilibrium {
            strategies: e.strategies,
            payoffs: e.payoffs,
        },
        exact: e.max_regret.is_zero(),
        max_regret: e.max_regret,
    })
}

/// The pure equilibria of a stage where only `chooser` (if any) has a choice.
fn single_chooser(game: &NormalFormGame, chooser: Option<usize>) -> Vec<Equilibrium> {
    let Some(i) = chooser else {
        return vec![Equilibrium {
            strategies: game.pure_profile(&vec![0; game.n_players()]),
            payoffs: (0..game.n_players()).map(|j| game.payoff(0, j).clone()).collect(),
        }];
    };
    let own = |a: usize| game.payoff(a * game.stride(i), i);
    let best = (0..game.n_actions(i))
        .map(own)
        .max()
        .cloned()
        .unwrap_or_else(Rational::zero);
    (0..game.n_actions(i))
        .filter(|&a| *own(a) == best)
        .map(|a| {
            let mut profile = vec![0; game.n_players()];
            profile[i] = a;
            let idx = a * game.stride(i);
            Equilibrium {
                strategies: game.pure_profile(&profile),
                payoffs: (0..game.n_players()).map(|j| game.payoff(idx, j).clone()).collect(),
            }
        })
        .collect()
}

/// The equilibrium `rule` picks (the first among ties).
fn select(all: Vec<Equilibrium>, rule: Selection) -> Result<Equilibrium> {
    select_by(all, |e| e.payoffs.iter().cloned().sum(), rule)
        .ok_or_else(|| Error::invalid("internal error: the stage solver returned no equilibrium"))
}

/// The item `rule` picks from `all` by its `welfare` (the first of the tied,
/// in the given order); `None` when `all` is empty.
pub(crate) fn select_by<T>(all: Vec<T>, welfare: impl Fn(&T) -> Rational, rule: Selection) -> Option<T> {
    let mut best: Option<(Rational, T)> = None;
    for e in all {
        let w = welfare(&e);
        let better = match (&best, rule) {
            (None, _) => true,
            (Some(_), Selection::First) => false,
            (Some((b, _)), Selection::MaxWelfare) => w > *b,
            (Some((b, _)), Selection::MinWelfare) => w < *b,
        };
        if better {
            best = Some((w, e));
        }
    }
    best.map(|b| b.1)
}

/// Stage payoffs of Nash value iteration are rounded to multiples of
/// `2^-STAGE_BITS` before the exact stage solve, so that the rationals stay
/// small (the selected profile is an exact equilibrium of the rounded stage;
/// the certificate is computed from the unrounded rewards).
pub const STAGE_BITS: i32 = 32;

/// The stage game at state `s` with payoffs `q[i][local]` (local joint-action
/// indices at `s`), rounded to multiples of `2^-STAGE_BITS`.
pub fn stage_game(game: &StochasticGame, s: usize, q: &[Vec<f64>]) -> Result<NormalFormGame> {
    let count = game.joint_actions(s).len();
    let n = game.n_players();
    let unit = 2f64.powi(STAGE_BITS);
    let denominator = num_bigint::BigInt::from(1u64 << STAGE_BITS);
    let mut payoffs = Vec::with_capacity(count * n);
    for ja in 0..count {
        for qi in q {
            let x = (qi[ja] * unit).round();
            if !x.is_finite() || x.abs() > 2f64.powi(100) {
                return Err(Error::invalid(format!(
                    "stage payoff {} is not finite or too large",
                    qi[ja]
                )));
            }
            let numerator =
                num_bigint::BigInt::from_f64(x).ok_or_else(|| Error::invalid("stage payoff out of range"))?;
            payoffs.push(Rational::new(numerator, denominator.clone()));
        }
    }
    NormalFormGame::new(
        game.state_names()[s].clone(),
        game.players().to_vec(),
        (0..n).map(|i| game.actions(s, i).to_vec()).collect(),
        payoffs,
    )
}

/// The uniformly random stationary profile.
pub fn uniform_profile(game: &StochasticGame) -> Profile {
    (0..game.n_players())
        .map(|i| {
            (0..game.n_states())
                .map(|s| vec![1.0 / game.n_actions(s, i) as f64; game.n_actions(s, i)])
                .collect()
        })
        .collect()
}

/// Check a profile's shape and that every strategy is a distribution.
pub fn check_profile(game: &StochasticGame, profile: &Profile) -> Result<()> {
    if profile.len() != game.n_players() {
        return Err(Error::invalid(format!(
            "profile: {} players' strategies for {} players",
            profile.len(),
            game.n_players()
        )));
    }
    for (i, p) in profile.iter().enumerate() {
        if p.len() != game.n_states() {
            return Err(Error::invalid(format!(
                "profile[{i}]: {} states, expected {}",
                p.len(),
                game.n_states()
            )));
        }
        for (s, x) in p.iter().enumerate() {
            let total: f64 = x.iter().sum();
            if x.len() != game.n_actions(s, i) || x.iter().any(|v| v.is_nan() || *v < 0.0) || (total - 1.0).abs() > 1e-9
            {
                return Err(Error::invalid(format!(
                    "profile[{i}][{s}] (player '{}' at '{}'): not a distribution over its {} actions",
                    game.players()[i],
                    game.state_names()[s],
                    game.n_actions(s, i)
                )));
            }
        }
    }
    Ok(())
}

/// Weight of every local joint action at `s` under `profile`, leaving out
/// player `skip` (its action counts with weight 1).
pub(crate) fn joint_weights(game: &StochasticGame, profile: &Profile, s: usize, skip: Option<usize>) -> Vec<f64> {
    let count = game.joint_actions(s).len();
    let n = game.n_players();
    (0..count)
        .map(|local| {
            (0..n)
                .filter(|&i| Some(i) != skip)
                .map(|i| profile[i][s][game.digit(s, local, i)])
                .product()
        })
        .collect()
}

/// Discounted iteration settings shared by every solver here.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Iteration {
    /// Discount rate in `(0, 1)`.
    pub gamma: f64,
    /// Bound on the error of every POWER and value (times `1 − γ`); positive.
    pub tolerance: f64,
    /// Most sweeps; reaching it is an error for evaluation and best responses
    /// and "not reached" for the equilibrium iterations.
    pub max_iterations: usize,
    /// Shapley: solve every matrix game by the exact LP, without the
    /// checked floating-point simplex (slower; same answers within [`FLOAT_GAP`]).
    pub exact_stages: bool,
}

impl Default for Iteration {
    fn default() -> Self {
        Iteration {
            gamma: 0.9,
            tolerance: 1e-6,
            max_iterations: 100_000,
            exact_stages: false,
        }
    }
}

impl Iteration {
    /// Check the settings.
    pub fn validate(&self) -> Result<()> {
        if !(self.gamma > 0.0 && self.gamma < 1.0) {
            return Err(Error::invalid(format!("gamma = {} is outside (0, 1)", self.gamma)));
        }
        if !(self.tolerance > 0.0 && self.tolerance.is_finite()) {
            return Err(Error::invalid(format!("tolerance {} must be positive", self.tolerance)));
        }
        Ok(())
    }
    fn done(&self, delta: f64) -> bool {
        delta <= self.tolerance / self.gamma
    }
}

/// `Σ_{s'} T(s'|ja) v(s')`.
#[inline]
fn expect(game: &StochasticGame, ja: usize, v: &[f64]) -> f64 {
    let (next, prob) = game.successors(ja);
    next.iter().zip(prob).map(|(&t, p)| p * v[t as usize]).sum()
}

/// Every player's discounted value `V_i^σ(s)` under the stationary profile.
pub fn evaluate(game: &StochasticGame, r: &[Vec<f64>], profile: &Profile, it: &Iteration) -> Result<Vec<Vec<f64>>> {
    evaluate_from(game, r, profile, it, vec![vec![0.0; game.n_states()]; game.n_players()])
}

/// [`evaluate`] starting from the guess `v` (any guess: the stopping rule
/// bounds the distance to the fixed point whatever the start).
pub fn evaluate_from(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    it: &Iteration,
    mut v: Vec<Vec<f64>>,
) -> Result<Vec<Vec<f64>>> {
    let n = game.n_players();
    let ns = game.n_states();
    let weights: Vec<Vec<f64>> = (0..ns).map(|s| joint_weights(game, profile, s, None)).collect();
    let mut acc = vec![0.0; n];
    for _ in 0..it.max_iterations {
        let mut delta: f64 = 0.0;
        // Gauss–Seidel: the sweep is still a γ-contraction, so the stopping rule holds.
        for s in 0..ns {
            acc.iter_mut().for_each(|x| *x = 0.0);
            for (local, ja) in game.joint_actions(s).enumerate() {
                let w = weights[s][local];
                if w == 0.0 {
                    continue;
                }
                for i in 0..n {
                    acc[i] += w * (r[i][ja] + it.gamma * expect(game, ja, &v[i]));
                }
            }
            for i in 0..n {
                delta = delta.max((acc[i] - v[i][s]).abs());
                v[i][s] = acc[i];
            }
        }
        if it.done(delta) {
            return Ok(v);
        }
    }
    Err(Error::invalid(format!(
        "policy evaluation did not converge in {} sweeps",
        it.max_iterations
    )))
}

/// Player `i`'s optimal values against the others' stationary strategies in
/// `profile` (its own entries are ignored): the values of the MDP it faces.
pub fn best_response_values(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    i: usize,
    it: &Iteration,
) -> Result<Vec<f64>> {
    best_response_from(game, r, profile, i, it, vec![0.0; game.n_states()])
}

/// [`best_response_values`] starting from the guess `v`.
pub fn best_response_from(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    i: usize,
    it: &Iteration,
    v: Vec<f64>,
) -> Result<Vec<f64>> {
    Facing::new(game, &r[i], profile, i).optimal(it, v)
}

/// The MDP player `i` faces when the others follow their strategies in a
/// stationary profile: per state and own action `a`, the expected stage
/// reward `Σ_{a_{−i}} σ_{−i}(a_{−i}) r_i(s, a, a_{−i})` and the successor
/// distribution, flattened (built once per profile, then swept many times).
///
/// Against a profile that stays fixed while the rewards change (a seed
/// profile over many reward samples), [`Facing::set_rewards`] refreshes the
/// rewards alone; against a new profile, [`Facing::rebuild`] refills the
/// buffers in place. Both give exactly the numbers [`Facing::new`] would.
#[derive(Clone, Debug, Default)]
pub struct Facing {
    player: usize,
    /// Own-action offsets per state (`n_states + 1` entries).
    action_start: Vec<usize>,
    reward: Vec<f64>,
    /// Successor offsets per own action (successors may repeat a state).
    succ_start: Vec<usize>,
    next: Vec<u32>,
    prob: Vec<f64>,
    /// The others' probability of each global joint action (the player's
    /// own action not counted), kept for [`Facing::set_rewards`].
    weight: Vec<f64>,
}

/// The place value of player `i`'s action digit in the local joint-action
/// index at `s` (player 0's digit is the least significant).
fn place_value(game: &StochasticGame, s: usize, i: usize) -> usize {
    (0..i).map(|j| game.n_actions(s, j)).product()
}

/// The local joint actions among `count` in which the player whose digit
/// has place value `stride` (of `k` actions) plays `a`: runs of `stride`
/// consecutive indices, one every `stride·k`, in increasing order.
fn own_runs(count: usize, stride: usize, k: usize, a: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    std::iter::successors(Some(a * stride), move |first| Some(first + stride * k))
        .take_while(move |&first| first < count)
        .map(move |first| first..first + stride)
}

/// The others' probability of local joint action `local` at `s` (player
/// `i`'s own digit not counted): the product over the others in increasing order.
#[inline]
fn local_weight(game: &StochasticGame, strategies: &[&[Vec<f64>]], s: usize, local: usize, i: usize) -> f64 {
    (0..game.n_players())
        .filter(|&j| j != i)
        .map(|j| strategies[j][s][game.digit(s, local, j)])
        .product::<f64>()
}

impl Facing {
    /// Player `i`'s MDP against the others' strategies in `profile` (its own
    /// entries are ignored), with its stage rewards `r_i[ja]`.
    pub fn new(game: &StochasticGame, r_i: &[f64], profile: &Profile, i: usize) -> Self {
        let strategies: Vec<&[Vec<f64>]> = profile.iter().map(Vec::as_slice).collect();
        let mut facing = Facing::default();
        facing.rebuild(game, r_i, &strategies, i);
        facing
    }

    /// Refill, reusing the buffers, with player `i`'s MDP against the
    /// others' strategies `strategies[j][s][a]` (its own, `strategies[i]`,
    /// is never read) and stage rewards `r_i[ja]`: as [`Facing::new`].
    pub fn rebuild(&mut self, game: &StochasticGame, r_i: &[f64], strategies: &[&[Vec<f64>]], i: usize) {
        self.fill(game, r_i, strategies, i, None);
    }

    /// [`Facing::rebuild`] for [`Facing::evaluate`] of `own` alone: the own
    /// actions `own` never plays (probability exactly 0, which the evaluation
    /// skips) get no reward and no successors. Its evaluation of `own` is
    /// [`Facing::new`]'s, for a fraction of the work; nothing else about it is.
    pub fn rebuild_for(
        &mut self,
        game: &StochasticGame,
        r_i: &[f64],
        strategies: &[&[Vec<f64>]],
        i: usize,
        own: &[Vec<f64>],
    ) {
        self.fill(game, r_i, strategies, i, Some(own));
    }

    /// [`Facing::rebuild`], restricted to the support of `own` if given.
    fn fill(
        &mut self,
        game: &StochasticGame,
        r_i: &[f64],
        strategies: &[&[Vec<f64>]],
        i: usize,
        own: Option<&[Vec<f64>]>,
    ) {
        self.player = i;
        self.action_start.clear();
        self.action_start.push(0);
        self.reward.clear();
        self.succ_start.clear();
        self.succ_start.push(0);
        self.next.clear();
        self.prob.clear();
        self.weight.clear();
        self.weight.resize(game.n_joint_actions(), 0.0);
        for s in 0..game.n_states() {
            let joint = game.joint_actions(s);
            let (k, stride) = (game.n_actions(s, i), place_value(game, s, i));
            for a in 0..k {
                let mut reward = 0.0;
                let played = own.is_none_or(|own| own[s][a] != 0.0);
                for run in own_runs(joint.len(), stride, k, a).filter(|_| played) {
                    for local in run {
                        debug_assert_eq!(game.digit(s, local, i), a);
                        let ja = joint.start + local;
                        let w = local_weight(game, strategies, s, local, i);
                        self.weight[ja] = w;
                        if w == 0.0 {
                            continue;
                        }
                        reward += w * r_i[ja];
                        let (t, p) = game.successors(ja);
                        self.next.extend_from_slice(t);
                        self.prob.extend(p.iter().map(|x| w * x));
                    }
                }
                self.reward.push(reward);
                self.succ_start.push(self.next.len());
            }
            self.action_start.push(self.reward.len());
        }
    }

    /// An MDP given in the flattened layout: own-action offsets per state
    /// (`n_states + 1` entries), a reward per action, successor offsets per
    /// action (`n_actions + 1`), and the successors with their probabilities.
    /// It has no joint-action weights, so [`Facing::set_rewards`] does not
    /// apply to it (it is not built against a profile of a game).
    pub(crate) fn from_parts(
        player: usize,
        action_start: Vec<usize>,
        reward: Vec<f64>,
        succ_start: Vec<usize>,
        next: Vec<u32>,
        prob: Vec<f64>,
    ) -> Self {
        debug_assert_eq!(succ_start.len(), reward.len() + 1);
        debug_assert_eq!(action_start.last(), Some(&reward.len()));
        Facing {
            player,
            action_start,
            reward,
            succ_start,
            next,
            prob,
            weight: Vec::new(),
        }
    }

    /// Replace the stage rewards by `r_i[ja]`, keeping the strategies this
    /// MDP was built against: the rewards [`Facing::new`] would give.
    pub fn set_rewards(&mut self, game: &StochasticGame, r_i: &[f64]) {
        let i = self.player;
        for s in 0..game.n_states() {
            let joint = game.joint_actions(s);
            let (k, stride) = (game.n_actions(s, i), place_value(game, s, i));
            let weight = &self.weight[joint.clone()];
            for a in 0..k {
                let mut reward = 0.0;
                for run in own_runs(weight.len(), stride, k, a) {
                    for local in run {
                        let w = weight[local];
                        if w != 0.0 {
                            reward += w * r_i[joint.start + local];
                        }
                    }
                }
                self.reward[self.action_start[s] + a] = reward;
            }
        }
    }

    /// Number of states of the game.
    pub fn n_states(&self) -> usize {
        self.action_start.len().saturating_sub(1)
    }

    /// `Q(s, a) = r(s, a) + γ Σ T(s'|s, a) v(s')` of own action `a` (global index).
    #[inline]
    fn q(&self, a: usize, gamma: f64, v: &[f64]) -> f64 {
        let r = self.succ_start[a]..self.succ_start[a + 1];
        let cont: f64 = self.next[r.clone()]
            .iter()
            .zip(&self.prob[r])
            .map(|(&t, p)| p * v[t as usize])
            .sum();
        self.reward[a] + gamma * cont
    }

    /// The player's action values at every state from values `v`: `q[s][a]`.
    pub fn action_values(&self, gamma: f64, v: &[f64]) -> Vec<Vec<f64>> {
        let mut q = Vec::new();
        self.action_values_into(gamma, v, &mut q);
        q
    }

    /// [`Facing::action_values`] written into `q`, reusing its buffers.
    pub fn action_values_into(&self, gamma: f64, v: &[f64], q: &mut Vec<Vec<f64>>) {
        let ns = self.n_states();
        q.resize_with(ns, Vec::new);
        for (s, qs) in q.iter_mut().enumerate() {
            qs.clear();
            qs.extend((self.action_start[s]..self.action_start[s + 1]).map(|a| self.q(a, gamma, v)));
        }
    }

    /// The player's optimal values (value iteration from the guess `v`,
    /// Gauss–Seidel; stops by the rule of the module docs).
    pub fn optimal(&self, it: &Iteration, v: Vec<f64>) -> Result<Vec<f64>> {
        self.sweep(it, v, "best response", |s, v| {
            (self.action_start[s]..self.action_start[s + 1])
                .map(|a| self.q(a, it.gamma, v))
                .fold(f64::NEG_INFINITY, f64::max)
        })
    }

    /// The player's values when it follows `own[s][a]` (policy evaluation
    /// from the guess `v`, Gauss–Seidel, same stopping rule).
    pub fn evaluate(&self, own: &[Vec<f64>], it: &Iteration, v: Vec<f64>) -> Result<Vec<f64>> {
        self.sweep(it, v, "policy evaluation", |s, v| {
            let base = self.action_start[s];
            own[s]
                .iter()
                .enumerate()
                .filter(|e| *e.1 != 0.0)
                .map(|(a, p)| p * self.q(base + a, it.gamma, v))
                .sum()
        })
    }

    /// Gauss–Seidel sweeps `v[s] ← backup(s, v)` in state order until
    /// [`Iteration::done`]; an error naming `what` after the sweep limit.
    fn sweep(
        &self,
        it: &Iteration,
        mut v: Vec<f64>,
        what: &str,
        backup: impl Fn(usize, &[f64]) -> f64,
    ) -> Result<Vec<f64>> {
        let ns = self.action_start.len() - 1;
        for _ in 0..it.max_iterations {
            let mut delta: f64 = 0.0;
            for s in 0..ns {
                let x = backup(s, &v);
                delta = delta.max((x - v[s]).abs());
                v[s] = x;
            }
            if it.done(delta) {
                return Ok(v);
            }
        }
        Err(Error::invalid(format!(
            "{what} of player {} did not converge in {} sweeps",
            self.player, it.max_iterations
        )))
    }
}

/// Every player's POWER, value and best-response gain at every state under
/// a stationary profile, with the exploitability it certifies.
#[derive(Clone, Debug, Serialize)]
pub struct Certificate {
    /// `power[i][s] = (1 − γ) max_π V_i^{π, σ_{−i}}(s)`.
    pub power: Vec<Vec<f64>>,
    /// `value[i][s] = (1 − γ) V_i^σ(s)`.
    pub value: Vec<Vec<f64>>,
    /// `max_i max_s (power − value)`, clamped at 0 (the computed exploitability).
    pub exploitability: f64,
    /// `exploitability + 2·tolerance`: the true exploitability is at most this.
    pub bound: f64,
}

/// Evaluate `profile` and every player's best response to it.
pub fn certify(game: &StochasticGame, r: &[Vec<f64>], profile: &Profile, it: &Iteration) -> Result<Certificate> {
    certify_from(game, r, profile, it, vec![vec![0.0; game.n_states()]; game.n_players()])
}

/// [`certify`] with the evaluation started from the guess `guess[i][s]`
/// (best responses start from the evaluated values).
pub fn certify_from(
    game: &StochasticGame,
    r: &[Vec<f64>],
    profile: &Profile,
    it: &Iteration,
    guess: Vec<Vec<f64>>,
) -> Result<Certificate> {
    let scale = 1.0 - it.gamma;
    let values = evaluate_from(game, r, profile, it, guess)?;
    let power: Vec<Vec<f64>> = (0..game.n_players())
        .map(|i| {
            Ok(best_response_from(game, r, profile, i, it, values[i].clone())?
                .into_iter()
                .map(|x| scale * x)
                .collect())
        })
        .collect::<Result<_>>()?;
    let value: Vec<Vec<f64>> = values
        .into_iter()
        .map(|v| v.into_iter().map(|x| scale * x).collect())
        .collect();
    let exploitability = power
        .iter()
        .zip(&value)
        .flat_map(|(p, v)| p.iter().zip(v).map(|(a, b)| a - b))
        .fold(0.0, f64::max);
    Ok(Certificate {
        power,
        value,
        exploitability,
        bound: exploitability + 2.0 * it.tolerance,
    })
}

/// A stationary profile found by an equilibrium iteration, with its certificate.
#[derive(Clone, Debug, Serialize)]
pub struct Solved {
    /// The profile.
    pub profile: Profile,
    /// Its POWER, values and exploitability.
    pub certificate: Certificate,
    /// Sweeps of the equilibrium iteration.
    pub iterations: usize,
    /// The iteration met its stopping rule (for Shapley: the values are
    /// within tolerance of the game's value).
    pub converged: bool,
    /// Every stage game was solved exactly.
    pub exact_stages: bool,
}

/// Value of a two-player constant-sum stage `a[row][col]` (row player's
/// payoff, `q0` laid out by local joint action) and optimal strategies:
/// exact LP after exact conversion, with fast paths for one chooser and for
/// pure saddle points (both exact).
pub fn matrix_game(m: usize, k: usize, q0: &[f64]) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    matrix_game_warm(m, k, q0, None)
}

/// [`matrix_game`], first trying the supports of a previous solution
/// `(x, y)` of a nearby game (the same state one sweep earlier): the
/// equalising strategies on those supports, accepted only under the same
/// duality-gap check as the simplex ([`FLOAT_GAP`]); otherwise as [`matrix_game`].
pub fn matrix_game_warm(
    m: usize,
    k: usize,
    q0: &[f64],
    previous: Option<(&[f64], &[f64])>,
) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let at = |a: usize, b: usize| q0[a + m * b];
    let pure = |n: usize, a: usize| {
        let mut v = vec![0.0; n];
        v[a] = 1.0;
        v
    };
    // Pure saddle point: max over rows of the row minimum equals min over columns of the column maximum.
    let (mut lower, mut arow) = (f64::NEG_INFINITY, 0);
    for a in 0..m {
        let low = (0..k).map(|b| at(a, b)).fold(f64::INFINITY, f64::min);
        if low > lower {
            (lower, arow) = (low, a);
        }
    }
    let (mut upper, mut bcol) = (f64::INFINITY, 0);
    for b in 0..k {
        let high = (0..m).map(|a| at(a, b)).fold(f64::NEG_INFINITY, f64::max);
        if high < upper {
            (upper, bcol) = (high, b);
        }
    }
    if lower == upper {
        return Ok((lower, pure(m, arow), pure(k, bcol)));
    }
    if let Some(found) = previous.and_then(|(x, y)| on_supports(m, k, q0, x, y)) {
        return Ok(found);
    }
    if let Some(found) = float_matrix_game(m, k, q0) {
        return Ok(found);
    }
    matrix_game_exact(m, k, q0)
}

/// The equalising strategies of the matrix game on the supports of `(x, y)`
/// (equal sizes), if they are distributions whose duality gap is within
/// [`FLOAT_GAP`]; the value is the midpoint of the certified interval.
fn on_supports(m: usize, k: usize, q0: &[f64], x: &[f64], y: &[f64]) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let at = |a: usize, b: usize| q0[a + m * b];
    let rows: Vec<usize> = (0..m).filter(|&a| x.get(a).is_some_and(|&p| p > 0.0)).collect();
    let cols: Vec<usize> = (0..k).filter(|&b| y.get(b).is_some_and(|&p| p > 0.0)).collect();
    let d = rows.len();
    if d == 0 || d != cols.len() || x.len() != m || y.len() != k {
        return None;
    }
    // Column strategy: Σ_b A[a,b] y_b − v = 0 (a ∈ rows), Σ y_b = 1; row strategy likewise.
    let ys = solve_equalising(d, |r, c| at(rows[r], cols[c]))?;
    let xs = solve_equalising(d, |r, c| at(rows[c], cols[r]))?;
    let mut full_x = vec![0.0; m];
    let mut full_y = vec![0.0; k];
    for (i, &a) in rows.iter().enumerate() {
        full_x[a] = xs[i];
    }
    for (i, &b) in cols.iter().enumerate() {
        full_y[b] = ys[i];
    }
    if full_x.iter().chain(&full_y).any(|p| p.is_nan() || *p < 0.0) {
        return None;
    }
    let scale = q0.iter().fold(1.0f64, |acc, v| acc.max(v.abs()));
    let upper = (0..m)
        .map(|a| (0..k).map(|b| at(a, b) * full_y[b]).sum::<f64>())
        .fold(f64::NEG_INFINITY, f64::max);
    let lower = (0..k)
        .map(|b| (0..m).map(|a| full_x[a] * at(a, b)).sum::<f64>())
        .fold(f64::INFINITY, f64::min);
    (upper - lower <= FLOAT_GAP * scale).then(|| ((upper + lower) / 2.0, full_x, full_y))
}

/// Solve `Σ_c e(r, c) p_c = v` for every `r < d` with `Σ p = 1` by Gaussian
/// elimination with partial pivoting; `None` if singular.
fn solve_equalising(d: usize, e: impl Fn(usize, usize) -> f64) -> Option<Vec<f64>> {
    let w = d + 2; // unknowns p_0..p_{d−1}, v; then the right-hand side
    let mut a = vec![0.0; (d + 1) * w];
    for r in 0..d {
        for c in 0..d {
            a[r * w + c] = e(r, c);
        }
        a[r * w + d] = -1.0;
    }
    for c in 0..d {
        a[d * w + c] = 1.0;
    }
    a[d * w + d + 1] = 1.0;
    let n = d + 1;
    for col in 0..n {
        let piv = (col..n).max_by(|&i, &j| a[i * w + col].abs().total_cmp(&a[j * w + col].abs()))?;
        if a[piv * w + col].abs() < 1e-12 {
            return None;
        }
        if piv != col {
            for j in 0..w {
                a.swap(piv * w + j, col * w + j);
            }
        }
        let p = a[col * w + col];
        for row in 0..n {
            if row != col {
                let f = a[row * w + col] / p;
                if f != 0.0 {
                    for j in col..w {
                        a[row * w + j] -= f * a[col * w + j];
                    }
                }
            }
        }
    }
    let sol: Vec<f64> = (0..d).map(|r| a[r * w + w - 1] / a[r * w + r]).collect();
    let total: f64 = sol.iter().sum();
    sol.iter()
        .all(|p| p.is_finite())
        .then(|| sol.iter().map(|p| p / total).collect())
}

/// The matrix game by the exact simplex LP on the exact rationals of the
/// floating-point entries (no fast path).
pub fn matrix_game_exact(m: usize, k: usize, q0: &[f64]) -> Result<(f64, Vec<f64>, Vec<f64>)> {
    let at = |a: usize, b: usize| q0[a + m * b];
    let to = |x: f64| Rational::from_f64(x).ok_or_else(|| Error::invalid(format!("stage payoff {x} is not finite")));
    let a: Vec<Vec<Rational>> = (0..m)
        .map(|i| (0..k).map(|j| to(at(i, j))).collect())
        .collect::<Result<_>>()?;
    let b: Vec<Vec<Rational>> = a.iter().map(|row| row.iter().map(|x| -x.clone()).collect()).collect();
    let g = NormalFormGame::bimatrix(&a, &b)?;
    let s = equilibrium::bimatrix::zero_sum(&g)?;
    let f = |v: &[Rational]| v.iter().map(super::reward::to_f64).collect::<Vec<f64>>();
    Ok((super::reward::to_f64(&s.value), f(&s.row), f(&s.column)))
}

/// Largest duality gap `max_a (A y)_a − min_b (xᵀ A)_b` accepted from the
/// floating-point simplex, relative to the largest entry (at least 1);
/// wider gaps fall back to the exact LP.
pub const FLOAT_GAP: f64 = 1e-12;

/// The matrix game by a dense floating-point simplex (Bland's rule) on
/// `max Σw s.t. A' w ≤ 1, w ≥ 0` with `A'` shifted to entries ≥ 1; the
/// strategies are checked by their duality gap, and `None` is returned
/// when it exceeds [`FLOAT_GAP`] (the caller then solves exactly). The
/// value returned is the midpoint of the certified interval.
fn float_matrix_game(m: usize, k: usize, q0: &[f64]) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let scale = q0.iter().fold(1.0f64, |acc, x| acc.max(x.abs()));
    let width = k + m + 1;
    SIMPLEX_SCRATCH.with_borrow_mut(|(t, obj, basis)| {
        t.clear();
        t.resize(m * width, 0.0);
        obj.clear();
        obj.resize(width, 0.0);
        basis.clear();
        basis.extend(k..k + m);
        float_simplex(m, k, q0, t, obj, basis, scale)
    })
}

thread_local! {
    /// The floating-point simplex's tableau, objective row and basis, reused
    /// across the many small stage games of a sweep.
    static SIMPLEX_SCRATCH: std::cell::RefCell<(Vec<f64>, Vec<f64>, Vec<usize>)> =
        const { std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
}

/// Bland's-rule simplex iterations of [`float_matrix_game`] on a zeroed
/// tableau `t`, objective `obj` and slack basis `basis`.
fn float_simplex(
    m: usize,
    k: usize,
    q0: &[f64],
    t: &mut [f64],
    obj: &mut [f64],
    basis: &mut [usize],
    scale: f64,
) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let at = |a: usize, b: usize| q0[a + m * b];
    let lo = q0.iter().copied().fold(f64::INFINITY, f64::min);
    let width = k + m + 1;
    for a in 0..m {
        for b in 0..k {
            t[a * width + b] = at(a, b) - lo + 1.0;
        }
        t[a * width + k + a] = 1.0;
        t[a * width + width - 1] = 1.0;
    }
    obj[..k].iter_mut().for_each(|x| *x = -1.0);
    const EPS: f64 = 1e-12;
    for _ in 0..50 * (m + k) {
        let Some(col) = (0..k + m).find(|&j| obj[j] < -EPS) else {
            return checked_solution(m, k, q0, t, obj, basis, scale);
        };
        let mut pick: Option<(usize, f64)> = None;
        for row in 0..m {
            let p = t[row * width + col];
            if p > EPS {
                let ratio = t[row * width + width - 1] / p;
                match pick {
                    Some((r0, best)) if ratio > best || (ratio == best && basis[row] > basis[r0]) => {}
                    _ => pick = Some((row, ratio)),
                }
            }
        }
        let (row, _) = pick?;
        let p = t[row * width + col];
        for j in 0..width {
            t[row * width + j] /= p;
        }
        for other in 0..m {
            let f = t[other * width + col];
            if other != row && f != 0.0 {
                for j in 0..width {
                    t[other * width + j] -= f * t[row * width + j];
                }
            }
        }
        let f = obj[col];
        for j in 0..width {
            obj[j] -= f * t[row * width + j];
        }
        basis[row] = col;
    }
    None
}

/// The strategies of a final simplex tableau, normalised, if their duality
/// gap is within [`FLOAT_GAP`]: the value is the midpoint of `[lower, upper]`.
fn checked_solution(
    m: usize,
    k: usize,
    q0: &[f64],
    t: &[f64],
    obj: &[f64],
    basis: &[usize],
    scale: f64,
) -> Option<(f64, Vec<f64>, Vec<f64>)> {
    let at = |a: usize, b: usize| q0[a + m * b];
    let width = k + m + 1;
    let mut y = vec![0.0; k];
    for (row, &bv) in basis.iter().enumerate() {
        if bv < k {
            y[bv] = t[row * width + width - 1].max(0.0);
        }
    }
    let mut x: Vec<f64> = (0..m).map(|a| obj[k + a].max(0.0)).collect();
    let (sy, sx): (f64, f64) = (y.iter().sum(), x.iter().sum());
    if sy.is_nan() || sx.is_nan() || sy <= 0.0 || sx <= 0.0 {
        return None;
    }
    y.iter_mut().for_each(|v| *v /= sy);
    x.iter_mut().for_each(|v| *v /= sx);
    let upper = (0..m)
        .map(|a| (0..k).map(|b| at(a, b) * y[b]).sum::<f64>())
        .fold(f64::NEG_INFINITY, f64::max);
    let lower = (0..k)
        .map(|b| (0..m).map(|a| x[a] * at(a, b)).sum::<f64>())
        .fold(f64::INFINITY, f64::min);
    (upper - lower <= FLOAT_GAP * scale).then(|| ((upper + lower) / 2.0, x, y))
}

/// Shapley's value iteration for a two-player constant-sum game (player 0's
/// rewards `r[0]`; player 1's are whatever `r[1]` says, and the certificate
/// checks both). Every stage is solved exactly ([`matrix_game`]); the values
/// stop within `tolerance` (times `1 − γ`) of the game's value.
pub fn shapley(game: &StochasticGame, r: &[Vec<f64>], it: &Iteration) -> Result<Solved> {
    it.validate()?;
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "Shapley's value iteration is for 2-player constant-sum games; this game has {} players",
            game.n_players()
        )));
    }
    let ns = game.n_states();
    // Start at the mean stage reward's discounted sum (any start is sound;
    // this one is usually closer than 0).
    let mean = r[0].iter().sum::<f64>() / r[0].len().max(1) as f64;
    let mut v = vec![mean / (1.0 - it.gamma); ns];
    let mut profile = uniform_profile(game);
    let mut converged = false;
    let mut iterations = 0;
    let mut q = Vec::new();
    while iterations < it.max_iterations {
        iterations += 1;
        let mut delta: f64 = 0.0;
        // One Shapley sweep (Gauss–Seidel, a γ-contraction like Jacobi's):
        // its largest change is the stopping test.
        for s in 0..ns {
            q.clear();
            q.extend(
                game.joint_actions(s)
                    .map(|ja| r[0][ja] + it.gamma * expect(game, ja, &v)),
            );
            let (value, x, y) = if it.exact_stages {
                matrix_game_exact(game.n_actions(s, 0), game.n_actions(s, 1), &q)?
            } else {
                let previous = (iterations > 1).then(|| (profile[0][s].as_slice(), profile[1][s].as_slice()));
                matrix_game_warm(game.n_actions(s, 0), game.n_actions(s, 1), &q, previous)?
            };
            delta = delta.max((value - v[s]).abs());
            v[s] = value;
            profile[0][s] = x;
            profile[1][s] = y;
        }
        if it.done(delta) {
            converged = true;
            break;
        }
    }
    // Player 1's values start from c/(1 − γ) − V with c read off the first
    // joint action (exact for constant-sum rewards; only a guess otherwise).
    let c = r[0][0] + r[1][0];
    let guess = vec![v.clone(), v.iter().map(|x| c / (1.0 - it.gamma) - x).collect()];
    let certificate = certify_from(game, r, &profile, it, guess)?;
    Ok(Solved {
        profile,
        certificate,
        iterations,
        converged,
        exact_stages: it.exact_stages,
    })
}

/// The local joint action chosen at a state where only `chooser` (if any)
/// has more than one action: with the others' single actions the local
/// index is the chooser's action. Among its best actions (exact ties),
/// `rule` picks by the sum of payoffs.
fn single_chooser_choice(q: &[Vec<f64>], chooser: Option<usize>, rule: Selection) -> usize {
    let Some(i) = chooser else {
        return 0;
    };
    let best = q[i].iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let welfare = |a: usize| q.iter().map(|qj| qj[a]).sum::<f64>();
    let mut pick: Option<usize> = None;
    for a in (0..q[i].len()).filter(|&a| q[i][a] == best) {
        pick = match (pick, rule) {
            (None, _) => Some(a),
            (Some(p), Selection::MaxWelfare) if welfare(a) > welfare(p) => Some(a),
            (Some(p), Selection::MinWelfare) if welfare(a) < welfare(p) => Some(a),
            (p, _) => p,
        };
    }
    pick.unwrap_or(0)
}

/// Nash value iteration for any number of players: at every sweep each
/// state's stage game `Q_i(s, a) = r_i(s, a) + γ Σ T(s'|s,a) V_i(s')` is
/// solved by [`stage_equilibrium`] with `rule`, and `V_i(s)` becomes the
/// selected equilibrium's payoff. It need not converge for general-sum
/// games; the returned profile carries its exploitability certificate either way.
pub fn nash_value_iteration(game: &StochasticGame, r: &[Vec<f64>], it: &Iteration, rule: Selection) -> Result<Solved> {
    it.validate()?;
    let n = game.n_players();
    let ns = game.n_states();
    let mut v = vec![vec![0.0; ns]; n];
    let mut profile = uniform_profile(game);
    let (mut converged, mut iterations, mut exact_stages) = (false, 0, true);
    while iterations < it.max_iterations {
        iterations += 1;
        let mut delta: f64 = 0.0;
        let mut next = vec![vec![0.0; ns]; n];
        for s in 0..ns {
            let q: Vec<Vec<f64>> = (0..n)
                .map(|i| {
                    game.joint_actions(s)
                        .map(|ja| r[i][ja] + it.gamma * expect(game, ja, &v[i]))
                        .collect()
                })
                .collect();
            let choosers: Vec<usize> = (0..n).filter(|&i| game.n_actions(s, i) > 1).collect();
            if choosers.len() <= 1 {
                // One chooser (turn-based states): its best actions, picked by
                // `rule` among exact float ties, without building a stage game.
                let local = single_chooser_choice(&q, choosers.first().copied(), rule);
                for i in 0..n {
                    next[i][s] = q[i][local];
                    let k = game.n_actions(s, i);
                    profile[i][s] = (0..k).map(|a| if k == 1 || a == local { 1.0 } else { 0.0 }).collect();
                    delta = delta.max((next[i][s] - v[i][s]).abs());
                }
                continue;
            }
            let stage = stage_equilibrium(&stage_game(game, s, &q)?, rule)?;
            exact_stages &= stage.exact;
            for i in 0..n {
                next[i][s] = super::reward::to_f64(&stage.equilibrium.payoffs[i]);
                profile[i][s] = stage.equilibrium.strategies[i]
                    .iter()
                    .map(super::reward::to_f64)
                    .collect();
                delta = delta.max((next[i][s] - v[i][s]).abs());
            }
        }
        v = next;
        if it.done(delta) {
            converged = true;
            break;
        }
    }
    let certificate = certify(game, r, &profile, it)?;
    Ok(Solved {
        profile,
        certificate,
        iterations,
        converged,
        exact_stages,
    })
}

//! Finite stochastic games and POWER at equilibrium (docs/theory.md §11).
//!
//! This area owns the general finite stochastic-game model ([`StochasticGame`]:
//! `n` players, states, each player's actions per state, sparse stochastic
//! transitions per joint action, simultaneous or turn-based play), its JSON
//! format ([`json`]), distributions of reward profiles across players
//! ([`reward`]), the solvers — Shapley's value iteration for two-player
//! constant-sum games, Nash value iteration with a certified exploitability
//! for general-sum discounted games ([`solve`]) and exact backward induction
//! for finite horizons ([`finite`]) — and the POWER and total-regret
//! estimator over reward samples ([`power`]).
//!
//! It builds on the core, on [`crate::mdp`] (random streams) and on
//! [`crate::game`] (exact stage-game equilibria and the exact LP of
//! matrix games); the joint gridworlds of `multiagent` sit above it.
//!
//! **Layout.** A joint action at state `s` is a mixed-radix index over the
//! players' action counts at `s`, player 0's digit fastest (the layout of
//! [`crate::game::NormalFormGame`]); global joint-action indices number the
//! joint actions of all states in state order ([`StochasticGame::joint_actions`]).
//! Transitions are compressed rows, one per global joint action, with exact
//! probabilities (rationals, for the finite-horizon exact mode) and their
//! floating-point values.
//!
//! ```
//! use powerseek::stochastic::StochasticGame;
//!
//! // Matching pennies repeated forever in one state.
//! let text = r#"{"players": ["H", "A"], "states": [{"name": "s",
//!     "actions": [["heads", "tails"], ["heads", "tails"]],
//!     "transitions": {"*": {"s": 1}}}]}"#;
//! let game = StochasticGame::from_json(text, "pennies.json").unwrap();
//! assert_eq!(game.n_players(), 2);
//! assert_eq!(game.joint_actions(0).len(), 4);
//! ```

pub mod finite;
pub mod incomplete;
pub mod json;
pub mod power;
pub mod random;
pub mod request;
pub mod respond;
pub mod reward;
pub mod solve;

use std::ops::Range;

use num_traits::{One, ToPrimitive, Zero};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::exact::Rational;

/// How players take turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Play {
    /// All players choose at once in every state.
    Simultaneous,
    /// In every state one player (its *mover*) chooses; the others have the
    /// single action `wait`.
    TurnBased,
}

/// Most joint actions a state may have, and most entries a game may store
/// (refused with the estimate before allocating).
pub const MAX_JOINT_ACTIONS: usize = 50_000_000;

/// A finite `n`-player stochastic game without rewards (rewards come from a
/// [`reward::RewardModel`], because POWER is an expectation over them).
#[derive(Clone, Debug)]
pub struct StochasticGame {
    players: Vec<String>,
    state_names: Vec<String>,
    /// `actions[s][i]`: player `i`'s action names at state `s` (non-empty).
    actions: Vec<Vec<Vec<String>>>,
    /// `mover[s]`: the player who chooses at `s` (turn-based games only).
    mover: Option<Vec<usize>>,
    /// Global joint-action offsets per state (`n_states + 1` entries).
    joint_start: Vec<usize>,
    succ_start: Vec<usize>,
    succ_state: Vec<u32>,
    succ_prob: Vec<f64>,
    succ_exact: Vec<Rational>,
    /// `joint_digits[ja * n_players + i]`: player `i`'s action in global joint action `ja`.
    joint_digits: Vec<u32>,
    discount: Option<f64>,
}

/// A transition row: `(next state, exact probability)` pairs.
pub type Row = Vec<(usize, Rational)>;

/// Assembles a [`StochasticGame`] state by state, validated in [`GameBuilder::build`].
#[derive(Clone, Debug)]
pub struct GameBuilder {
    players: Vec<String>,
    state_names: Vec<String>,
    actions: Vec<Option<Vec<Vec<String>>>>,
    rows: Vec<Vec<Row>>,
    mover: Option<Vec<usize>>,
    discount: Option<f64>,
}

impl GameBuilder {
    /// A builder for a game with these players and state names (simultaneous
    /// play unless [`GameBuilder::turn_based`] is called).
    pub fn new(players: Vec<String>, state_names: Vec<String>) -> Self {
        let n = state_names.len();
        GameBuilder {
            players,
            state_names,
            actions: vec![None; n],
            rows: vec![Vec::new(); n],
            mover: None,
            discount: None,
        }
    }

    /// Make the game turn-based with `mover[s]` choosing at state `s`.
    pub fn turn_based(&mut self, mover: Vec<usize>) {
        self.mover = Some(mover);
    }

    /// A discount rate to keep with the game (as a file's `discount`).
    pub fn discount(&mut self, gamma: Option<f64>) {
        self.discount = gamma;
    }

    /// Set state `s`'s action names per player and one transition row per
    /// joint action (player 0's digit fastest). Turn-based games give the
    /// mover's actions and `["wait"]` for the others.
    pub fn state(&mut self, s: usize, actions: Vec<Vec<String>>, rows: Vec<Row>) -> Result<()> {
        let name = self
            .state_names
            .get(s)
            .ok_or_else(|| Error::invalid(format!("state index {s} is out of range")))?
            .clone();
        if self.actions[s].is_some() {
            return Err(Error::invalid(format!("state '{name}' is given twice")));
        }
        self.actions[s] = Some(actions);
        self.rows[s] = rows;
        Ok(())
    }

    /// Validate and freeze: every state has actions for every player (only
    /// the mover more than one in turn-based games), one row per joint
    /// action, probabilities positive and summing to exactly 1.
    pub fn build(self) -> Result<StochasticGame> {
        let n_players = self.players.len();
        if n_players == 0 {
            return Err(Error::invalid("players: a game needs at least one player"));
        }
        if self.state_names.is_empty() {
            return Err(Error::invalid("states: a game needs at least one state"));
        }
        check_distinct("players", &self.players)?;
        check_distinct("states", &self.state_names)?;
        let n = self.state_names.len();
        if let Some(m) = &self.mover {
            if m.len() != n {
                return Err(Error::invalid(format!("movers: {} given for {n} states", m.len())));
            }
        }
        let mut actions = Vec::with_capacity(n);
        let mut joint_start = vec![0usize];
        let mut succ_start = vec![0usize];
        let (mut succ_state, mut succ_exact) = (Vec::new(), Vec::new());
        for (s, (acts, rows)) in self.actions.into_iter().zip(self.rows).enumerate() {
            let name = &self.state_names[s];
            let acts = acts.ok_or_else(|| Error::invalid(format!("states[{s}] ('{name}'): no actions given")))?;
            if acts.len() != n_players {
                return Err(Error::invalid(format!(
                    "states[{s}] ('{name}').actions: {} action lists for {n_players} players",
                    acts.len()
                )));
            }
            for (i, a) in acts.iter().enumerate() {
                if a.is_empty() {
                    return Err(Error::invalid(format!(
                        "states[{s}] ('{name}').actions[{i}]: player '{}' has no action",
                        self.players[i]
                    )));
                }
                check_distinct(&format!("states[{s}] ('{name}').actions[{i}]"), a)?;
                if let Some(m) = &self.mover {
                    if i != m[s] && a.len() != 1 {
                        return Err(Error::invalid(format!(
                            "states[{s}] ('{name}'): in a turn-based game only the mover ('{}') chooses, but player '{}' has {} actions",
                            self.players.get(m[s]).map_or("?", |p| p.as_str()),
                            self.players[i],
                            a.len()
                        )));
                    }
                }
            }
            if let Some(m) = &self.mover {
                if m[s] >= n_players {
                    return Err(Error::invalid(format!(
                        "states[{s}] ('{name}'): mover {} is not a player",
                        m[s]
                    )));
                }
            }
            let count = acts
                .iter()
                .try_fold(1usize, |acc, a| acc.checked_mul(a.len()))
                .filter(|&c| c <= MAX_JOINT_ACTIONS)
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "states[{s}] ('{name}'): more than {MAX_JOINT_ACTIONS} joint actions"
                    ))
                })?;
            if rows.len() != count {
                return Err(Error::invalid(format!(
                    "states[{s}] ('{name}').transitions: {} rows for {count} joint actions",
                    rows.len()
                )));
            }
            for (ja, row) in rows.into_iter().enumerate() {
                // Named only in an error message (formatting it for every joint action is costly).
                let label = || joint_name(&acts, ja);
                let mut row = row;
                row.sort_by_key(|e| e.0);
                let mut merged: Row = Vec::with_capacity(row.len());
                for (t, p) in row {
                    if t >= n {
                        return Err(Error::invalid(format!(
                            "states[{s}] ('{name}'), joint action {}: next state {t} is out of range",
                            label()
                        )));
                    }
                    if p < Rational::zero() {
                        return Err(Error::invalid(format!(
                            "states[{s}] ('{name}'), joint action {}: probability {p} is negative",
                            label()
                        )));
                    }
                    if p.is_zero() {
                        continue;
                    }
                    match merged.last_mut() {
                        Some(last) if last.0 == t => last.1 += p,
                        _ => merged.push((t, p)),
                    }
                }
                let total: Rational = merged.iter().map(|e| e.1.clone()).sum();
                if !total.is_one() {
                    return Err(Error::invalid(format!(
                        "states[{s}] ('{name}'), joint action {}: probabilities sum to {total}, not 1",
                        label()
                    )));
                }
                for (t, p) in merged {
                    succ_state.push(t as u32);
                    succ_exact.push(p);
                }
                succ_start.push(succ_state.len());
                if succ_state.len() > MAX_JOINT_ACTIONS {
                    return Err(Error::invalid(format!(
                        "more than {MAX_JOINT_ACTIONS} stored transitions; the game is too large"
                    )));
                }
            }
            joint_start.push(joint_start[s] + count);
            actions.push(acts);
        }
        let succ_prob = succ_exact.iter().map(|p| p.to_f64().unwrap_or(f64::NAN)).collect();
        let mut joint_digits = Vec::with_capacity(joint_start[n] * n_players);
        for acts in &actions {
            let sizes: Vec<usize> = acts.iter().map(Vec::len).collect();
            let count: usize = sizes.iter().product();
            for local in 0..count {
                joint_digits.extend(
                    crate::game::mixed_radix_digits(local, &sizes)
                        .into_iter()
                        .map(|d| d as u32),
                );
            }
        }
        Ok(StochasticGame {
            joint_digits,
            players: self.players,
            state_names: self.state_names,
            actions,
            mover: self.mover,
            joint_start,
            succ_start,
            succ_state,
            succ_prob,
            succ_exact,
            discount: self.discount,
        })
    }
}

fn check_distinct(field: &str, names: &[String]) -> Result<()> {
    let mut seen = std::collections::HashSet::new();
    match names.iter().find(|n| !seen.insert(n.as_str())) {
        Some(dup) => Err(Error::invalid(format!("{field}: '{dup}' appears twice"))),
        None => Ok(()),
    }
}

/// `(a, b)` naming a joint action by its players' action names.
fn joint_name(actions: &[Vec<String>], ja: usize) -> String {
    let sizes: Vec<usize> = actions.iter().map(|a| a.len()).collect();
    let digits = crate::game::mixed_radix_digits(ja, &sizes);
    let names: Vec<&str> = digits.iter().zip(actions).map(|(&d, a)| a[d].as_str()).collect();
    format!("({})", names.join(", "))
}

impl StochasticGame {
    /// Load a game from its JSON format ([`json`]).
    pub fn from_json(text: &str, origin: &str) -> Result<Self> {
        json::parse(text, origin)
    }

    /// Number of players.
    pub fn n_players(&self) -> usize {
        self.players.len()
    }
    /// The players' names.
    pub fn players(&self) -> &[String] {
        &self.players
    }
    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.state_names.len()
    }
    /// The states' names.
    pub fn state_names(&self) -> &[String] {
        &self.state_names
    }
    /// Simultaneous or turn-based.
    pub fn play(&self) -> Play {
        if self.mover.is_some() {
            Play::TurnBased
        } else {
            Play::Simultaneous
        }
    }
    /// The player who chooses at `s` in a turn-based game.
    pub fn mover(&self, s: usize) -> Option<usize> {
        self.mover.as_ref().map(|m| m[s])
    }
    /// The discount rate the file gave, if any.
    pub fn discount(&self) -> Option<f64> {
        self.discount
    }
    /// Player `i`'s action names at state `s`.
    pub fn actions(&self, s: usize, i: usize) -> &[String] {
        &self.actions[s][i]
    }
    /// Number of player `i`'s actions at `s`.
    pub fn n_actions(&self, s: usize, i: usize) -> usize {
        self.actions[s][i].len()
    }
    /// Every player's action count at `s` (the stage game's shape).
    pub fn shape(&self, s: usize) -> Vec<usize> {
        self.actions[s].iter().map(|a| a.len()).collect()
    }
    /// Global indices of the joint actions of state `s`.
    #[inline]
    pub fn joint_actions(&self, s: usize) -> Range<usize> {
        self.joint_start[s]..self.joint_start[s + 1]
    }
    /// Total number of (state, joint action) pairs.
    pub fn n_joint_actions(&self) -> usize {
        self.joint_start[self.n_states()]
    }
    /// Total number of stored transitions.
    pub fn n_transitions(&self) -> usize {
        self.succ_state.len()
    }
    /// The state a global joint action belongs to (binary search).
    pub fn state_of(&self, ja: usize) -> usize {
        self.joint_start.partition_point(|&x| x <= ja) - 1
    }
    /// Successors of global joint action `ja` with their probabilities.
    #[inline]
    pub fn successors(&self, ja: usize) -> (&[u32], &[f64]) {
        let r = self.succ_start[ja]..self.succ_start[ja + 1];
        (&self.succ_state[r.clone()], &self.succ_prob[r])
    }
    /// Successors of global joint action `ja` with exact probabilities.
    pub fn successors_exact(&self, ja: usize) -> (&[u32], &[Rational]) {
        let r = self.succ_start[ja]..self.succ_start[ja + 1];
        (&self.succ_state[r.clone()], &self.succ_exact[r])
    }
    /// The name of global joint action `ja`, e.g. `(up, stay)`.
    pub fn joint_action_name(&self, ja: usize) -> String {
        let s = self.state_of(ja);
        joint_name(&self.actions[s], ja - self.joint_start[s])
    }
    /// The action digit of player `i` in local joint action `local` at `s`.
    #[inline]
    pub fn digit(&self, s: usize, local: usize, i: usize) -> usize {
        self.joint_digits[(self.joint_start[s] + local) * self.players.len() + i] as usize
    }
    /// Every player's action digits of local joint action `local` at `s`.
    pub fn digits(&self, s: usize, local: usize) -> Vec<usize> {
        crate::game::mixed_radix_digits(local, &self.shape(s))
    }

    /// Bytes the game's stores take, for memory estimates.
    pub fn memory_bytes(&self) -> usize {
        self.n_transitions() * 40 + self.n_joint_actions() * (8 + 4 * self.players.len())
    }

    /// The one-state game whose stage is the normal-form game `game`: every
    /// joint action returns to the state.
    pub fn repeated(game: &crate::game::NormalFormGame) -> Result<Self> {
        let players = game.players().to_vec();
        let actions: Vec<Vec<String>> = (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect();
        let rows = vec![vec![(0, Rational::one())]; game.n_profiles()];
        let mut b = GameBuilder::new(players, vec!["s".into()]);
        b.state(0, actions, rows)?;
        b.build()
    }
}

/// A game given densely, as numpy arrays give it: per state, every player's
/// action names and one probability row over all states per joint action.
#[derive(Clone, Debug)]
pub struct DenseGame {
    /// Player names.
    pub players: Vec<String>,
    /// State names.
    pub states: Vec<String>,
    /// `actions[s][i]`: player `i`'s action names at state `s`.
    pub actions: Vec<Vec<Vec<String>>>,
    /// `transitions[s][local][t]`: probability of moving to `t` after local
    /// joint action `local` (player 0's action fastest) at `s`; each row sums
    /// to 1 within `1e-9` and is read as the exact rationals of its floats,
    /// renormalised to sum to exactly 1.
    pub transitions: Vec<Vec<Vec<f64>>>,
    /// Turn-based games: the mover of every state.
    pub movers: Option<Vec<usize>>,
}

impl DenseGame {
    /// Validate and build the game; errors name the state and joint action.
    pub fn build(self) -> Result<StochasticGame> {
        use num_traits::FromPrimitive;
        let n = self.states.len();
        if self.actions.len() != n || self.transitions.len() != n {
            return Err(Error::invalid(format!(
                "{n} states, but actions for {} and transitions for {}",
                self.actions.len(),
                self.transitions.len()
            )));
        }
        let mut b = GameBuilder::new(self.players, self.states.clone());
        for (s, (acts, rows)) in self.actions.into_iter().zip(self.transitions).enumerate() {
            let mut exact = Vec::with_capacity(rows.len());
            for (ja, row) in rows.iter().enumerate() {
                let at = || format!("transitions[{s}][{ja}] (state '{}')", self.states[s]);
                if row.len() != n {
                    return Err(Error::invalid(format!(
                        "{}: {} entries for {n} states",
                        at(),
                        row.len()
                    )));
                }
                let total: f64 = row.iter().sum();
                if row.iter().any(|p| p.is_nan() || *p < 0.0) || (total - 1.0).abs() > 1e-9 {
                    return Err(Error::invalid(format!(
                        "{}: not a probability distribution (entries ≥ 0 summing to 1; the sum is {total})",
                        at()
                    )));
                }
                let mut r: Row = Vec::new();
                for (t, &p) in row.iter().enumerate().filter(|e| *e.1 > 0.0) {
                    r.push((t, Rational::from_f64(p).ok_or_else(|| Error::invalid(at()))?));
                }
                let sum: Rational = r.iter().map(|e| e.1.clone()).sum();
                exact.push(r.into_iter().map(|(t, p)| (t, p / &sum)).collect());
            }
            b.state(s, acts, exact)?;
        }
        if let Some(m) = self.movers {
            b.turn_based(m);
        }
        b.build()
    }
}

//! Seeded random stochastic games, for experiments over many games (the
//! sequential power-scarcity picture on random games, property checks):
//! every joint action moves to a few distinct states drawn uniformly, with
//! exact random probabilities.
//!
//! The draws come from [`crate::stats::indexed_rng`] streams of the seed (one
//! per state), so a game depends on its specification only, and the game
//! with `states` states is not a prefix of the one with more.

use num_traits::Zero;
use rand::{seq::index::sample, RngExt};
use serde::{Deserialize, Serialize};

use super::{GameBuilder, Play, Row, StochasticGame, MAX_JOINT_ACTIONS};
use crate::error::{Error, Result};
use crate::exact::Rational;

/// Mixed into the seed of a random game's streams.
const RANDOM_GAME_STREAM: u64 = 0x5354_4f43_4841_5354;

/// The shape of a random stochastic game.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RandomGameSpec {
    /// Players (default 2).
    pub players: usize,
    /// States (default 5).
    pub states: usize,
    /// Actions of each player (of the mover in turn-based games) at every state (default 2).
    pub actions: usize,
    /// Distinct successor states of every joint action (default 2; at most `states`).
    pub successors: usize,
    /// Simultaneous (default) or turn-based, the mover of state `s` being player `s mod players`.
    pub play: Play,
    /// The seed.
    pub seed: u64,
}

impl Default for RandomGameSpec {
    fn default() -> Self {
        RandomGameSpec {
            players: 2,
            states: 5,
            actions: 2,
            successors: 2,
            play: Play::Simultaneous,
            seed: 0,
        }
    }
}

impl RandomGameSpec {
    /// Check the counts and the size (refused with the estimate before anything is built).
    pub fn validate(&self) -> Result<()> {
        for (name, v) in [
            ("players", self.players),
            ("states", self.states),
            ("actions", self.actions),
            ("successors", self.successors),
        ] {
            if v == 0 {
                return Err(Error::invalid(format!("{name}: at least 1 is needed")));
            }
        }
        if self.successors > self.states {
            return Err(Error::invalid(format!(
                "successors: {} distinct successors of {} states are impossible",
                self.successors, self.states
            )));
        }
        let per_state = match self.play {
            Play::Simultaneous => (self.actions as f64).powi(self.players.min(64) as i32),
            Play::TurnBased => self.actions as f64,
        };
        let joint = per_state * self.states as f64;
        if per_state > MAX_JOINT_ACTIONS as f64 || joint > MAX_JOINT_ACTIONS as f64 {
            return Err(Error::invalid(format!(
                "a random game with {} joint actions is above the limit of {MAX_JOINT_ACTIONS}",
                crate::resources::format_count(joint)
            )));
        }
        crate::resources::check(joint * self.successors as f64 * 48.0, || {
            format!(
                "a random stochastic game with {} joint actions and {} successors each",
                crate::resources::format_count(joint),
                self.successors
            )
        })
    }
}

/// The random game of `spec`: states `s0, s1, …`, players `P1, P2, …`,
/// actions `a1, a2, …`; each joint action's successors are distinct states
/// drawn uniformly and their probabilities proportional to integers drawn
/// uniformly from 1 to 9 (exact).
pub fn random_game(spec: &RandomGameSpec) -> Result<StochasticGame> {
    spec.validate()?;
    let players: Vec<String> = (1..=spec.players).map(|i| format!("P{i}")).collect();
    let states: Vec<String> = (0..spec.states).map(|s| format!("s{s}")).collect();
    let names: Vec<String> = (1..=spec.actions).map(|a| format!("a{a}")).collect();
    let mut b = GameBuilder::new(players, states);
    let turn_based = spec.play == Play::TurnBased;
    if turn_based {
        b.turn_based((0..spec.states).map(|s| s % spec.players).collect());
    }
    for s in 0..spec.states {
        let mut rng = crate::stats::indexed_rng(spec.seed, RANDOM_GAME_STREAM, s as u64);
        let actions: Vec<Vec<String>> = (0..spec.players)
            .map(|i| {
                if turn_based && i != s % spec.players {
                    vec!["wait".to_string()]
                } else {
                    names.clone()
                }
            })
            .collect();
        let count: usize = actions.iter().map(Vec::len).product();
        let rows: Vec<Row> = (0..count)
            .map(|_| {
                let next = sample(&mut rng, spec.states, spec.successors).into_vec();
                let weights: Vec<i64> = next.iter().map(|_| rng.random_range(1..=9)).collect();
                let total: i64 = weights.iter().sum();
                next.into_iter()
                    .zip(weights)
                    .map(|(t, w)| (t, Rational::new(w.into(), total.into())))
                    .collect()
            })
            .collect();
        b.state(s, actions, rows)?;
    }
    b.build()
}

/// The game as the JSON format reads it (docs/theory.md §11.1): every joint
/// action's row written out, probabilities as exact text; `parse` of the text
/// gives the same game.
pub fn to_json(game: &StochasticGame) -> String {
    use serde_json::{json, Map, Value};
    let turn_based = game.play() == Play::TurnBased;
    let states: Vec<Value> = (0..game.n_states())
        .map(|s| {
            let mut transitions = Map::new();
            for (local, ja) in game.joint_actions(s).enumerate() {
                let digits = game.digits(s, local);
                let key = match game.mover(s) {
                    Some(m) => game.actions(s, m)[digits[m]].clone(),
                    None => (0..game.n_players())
                        .map(|i| game.actions(s, i)[digits[i]].as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                };
                let (next, prob) = game.successors_exact(ja);
                let mut row = Map::new();
                for (&t, p) in next.iter().zip(prob) {
                    if !p.is_zero() {
                        row.insert(
                            game.state_names()[t as usize].clone(),
                            Value::String(crate::exact::format_rational(p)),
                        );
                    }
                }
                transitions.insert(key, Value::Object(row));
            }
            let mut state = json!({"name": game.state_names()[s]});
            match game.mover(s) {
                Some(m) => {
                    state["mover"] = json!(game.players()[m]);
                    state["actions"] = json!(game.actions(s, m));
                }
                None => {
                    state["actions"] = json!((0..game.n_players()).map(|i| game.actions(s, i)).collect::<Vec<_>>());
                }
            }
            state["transitions"] = Value::Object(transitions);
            state
        })
        .collect();
    let mut doc = json!({
        "players": game.players(),
        "play": if turn_based { "turn-based" } else { "simultaneous" },
        "states": states,
    });
    if let Some(g) = game.discount() {
        doc["discount"] = json!(g);
    }
    serde_json::to_string_pretty(&doc).expect("a JSON value serialises")
}

//! The JSON format for stochastic games (documented in docs/theory.md §11.1).
//!
//! ```json
//! {
//!   "players": ["H", "A"],
//!   "play": "simultaneous",
//!   "discount": 0.9,
//!   "states": [
//!     {"name": "s0", "actions": [["left", "right"], ["left", "right"]],
//!      "transitions": {"left,left": {"s0": "1/2", "s1": 0.5}, "*": "s1"}},
//!     {"name": "s1", "actions": [["stay"], ["stay"]], "transitions": {"*": "s1"}}
//!   ]
//! }
//! ```
//!
//! - `players`: the player names (at least one).
//! - `play`: `simultaneous` (default) or `turn-based`. In a turn-based game
//!   each state names its `mover` (a player name) and `actions` is the
//!   mover's list of action names; the other players get the single action
//!   `wait`.
//! - `discount`: optional, a number in `(0, 1)` used when the caller gives none.
//! - `states[k].transitions`: an object keyed by joint actions — the
//!   players' action names joined by `,` in player order (the mover's action
//!   alone in turn-based games) — or `*`, the row of every joint action not
//!   listed. A row is an object `{next state: probability}` (numbers read
//!   exactly from their decimal text, or strings such as `"1/3"`; they must
//!   sum to exactly 1) or a state name (probability 1).
//!
//! Unknown fields, a joint action without a row, a key naming no joint
//! action, and rows not summing to 1 are errors naming the field and its line.

use std::collections::HashMap;
use std::path::Path;

use num_traits::One;
use serde_json::Value;

use super::{GameBuilder, Row, StochasticGame};
use crate::error::{read_text, Result};
use crate::exact::Rational;
use crate::input::{exact_number, JsonDoc};

/// Load a JSON stochastic-game file.
pub fn load(path: &Path) -> Result<StochasticGame> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse a JSON stochastic game; `origin` names the source in errors.
pub fn parse(text: &str, origin: &str) -> Result<StochasticGame> {
    let doc = JsonDoc::parse_exact(text, origin, &["players", "play", "discount", "states"], &["states"])?;
    let players = doc.strings("players", doc.get("players"))?;
    let turn_based = match doc.get("play") {
        None => false,
        Some(Value::String(s)) if s == "simultaneous" => false,
        Some(Value::String(s)) if s == "turn-based" => true,
        Some(other) => return Err(doc.err("play", format!("{other}: expected \"simultaneous\" or \"turn-based\""))),
    };
    let discount = match doc.get("discount") {
        None => None,
        Some(v) => match v.as_f64() {
            Some(g) if g > 0.0 && g < 1.0 => Some(g),
            _ => return Err(doc.err("discount", format!("{v}: expected a number in (0, 1)"))),
        },
    };
    let states = doc
        .get("states")
        .and_then(Value::as_array)
        .ok_or_else(|| doc.err("states", "missing, or not a list of states"))?;
    let mut names = Vec::with_capacity(states.len());
    for (k, st) in states.iter().enumerate() {
        let name = st
            .get("name")
            .and_then(Value::as_str)
            .ok_or_else(|| doc.err(&format!("states[{k}].name"), "missing, or not a string"))?;
        names.push(name.to_string());
    }
    let index: HashMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    if index.len() != names.len() {
        let dup = names
            .iter()
            .enumerate()
            .find(|(i, n)| index[n.as_str()] != *i)
            .map(|(i, _)| i);
        return Err(doc.err(
            &format!("states[{}].name", dup.unwrap_or(0)),
            "this state name appears twice",
        ));
    }
    let mut builder = GameBuilder::new(players.clone(), names.clone());
    let mut movers = Vec::new();
    for (k, st) in states.iter().enumerate() {
        let field = |f: &str| format!("states[{k}].{f}");
        let Value::Object(obj) = st else {
            return Err(doc.err(&format!("states[{k}]"), "expected an object"));
        };
        let allowed: &[&str] = if turn_based {
            &["name", "mover", "actions", "transitions"]
        } else {
            &["name", "actions", "transitions"]
        };
        if let Some(extra) = obj.keys().find(|key| !allowed.contains(&key.as_str())) {
            return Err(doc.err(
                &field(extra),
                format!("unknown field (expected {})", allowed.join(", ")),
            ));
        }
        let actions: Vec<Vec<String>> = if turn_based {
            let mover_name = obj
                .get("mover")
                .and_then(Value::as_str)
                .ok_or_else(|| doc.err(&field("mover"), "missing, or not a player name"))?;
            let mover = players
                .iter()
                .position(|p| p == mover_name)
                .ok_or_else(|| doc.err(&field("mover"), format!("'{mover_name}' is not a player")))?;
            movers.push(mover);
            let own = doc.strings(&field("actions"), obj.get("actions"))?;
            (0..players.len())
                .map(|i| {
                    if i == mover {
                        own.clone()
                    } else {
                        vec!["wait".to_string()]
                    }
                })
                .collect()
        } else {
            let lists = obj
                .get("actions")
                .and_then(Value::as_array)
                .ok_or_else(|| doc.err(&field("actions"), "missing, or not a list of lists (one per player)"))?;
            lists
                .iter()
                .enumerate()
                .map(|(i, v)| doc.strings(&format!("{}[{i}]", field("actions")), Some(v)))
                .collect::<Result<_>>()?
        };
        for (i, list) in actions.iter().enumerate() {
            if let Some(bad) = list.iter().find(|a| a.contains(',') || a.as_str() == "*") {
                return Err(doc.err(
                    &format!("{}[{i}]", field("actions")),
                    format!("action name '{bad}' may not contain ',' or be '*'"),
                ));
            }
        }
        let shown: Vec<usize> = match turn_based {
            true => vec![movers[k]],
            false => (0..players.len()).collect(),
        };
        let shape: Vec<usize> = actions.iter().map(Vec::len).collect();
        let count = crate::game::profile_count(&shape).map_err(|e| doc.err(&field("actions"), e))?;
        if count > super::MAX_JOINT_ACTIONS {
            return Err(doc.err(&field("actions"), format!("{count} joint actions is too many")));
        }
        let key_of = |ja: usize| -> String {
            let d = crate::game::mixed_radix_digits(ja, &shape);
            shown
                .iter()
                .map(|&i| actions[i][d[i]].as_str())
                .collect::<Vec<_>>()
                .join(",")
        };
        let keys: HashMap<String, usize> = (0..count).map(|ja| (key_of(ja), ja)).collect();
        let Some(Value::Object(table)) = obj.get("transitions") else {
            return Err(doc.err(&field("transitions"), "missing, or not an object of joint action: row"));
        };
        let mut rows: Vec<Option<Row>> = vec![None; count];
        let mut default = None;
        for (key, v) in table {
            let f = format!("{}.{key}", field("transitions"));
            let row = parse_row(v, &index).map_err(|m| doc.err(&f, m))?;
            if key == "*" {
                default = Some(row);
                continue;
            }
            let ja = *keys.get(key).ok_or_else(|| {
                doc.err(
                    &f,
                    format!(
                        "'{key}' is not a joint action here (expected action names of {} joined by ',')",
                        shown
                            .iter()
                            .map(|&i| players[i].as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })?;
            rows[ja] = Some(row);
        }
        let rows: Vec<Row> = rows
            .into_iter()
            .enumerate()
            .map(|(ja, r)| {
                r.or_else(|| default.clone()).ok_or_else(|| {
                    doc.err(
                        &field("transitions"),
                        format!("no row for joint action '{}' (and no '*')", key_of(ja)),
                    )
                })
            })
            .collect::<Result<_>>()?;
        builder
            .state(k, actions, rows)
            .map_err(|e| doc.err(&format!("states[{k}]"), e))?;
    }
    if turn_based {
        builder.turn_based(movers);
    }
    builder.discount(discount);
    builder.build().map_err(|e| doc.err("states", e))
}

/// A row: `{state: probability}` or a state name; the message says why not.
fn parse_row(v: &Value, index: &HashMap<&str, usize>) -> std::result::Result<Row, String> {
    let state = |name: &str| {
        index
            .get(name)
            .copied()
            .ok_or_else(|| format!("'{name}' is not a state"))
    };
    match v {
        Value::String(name) => Ok(vec![(state(name)?, Rational::one())]),
        Value::Object(entries) => entries
            .iter()
            .map(|(name, p)| {
                let p = exact_number(p).map_err(|e| format!("'{name}': {e}"))?;
                Ok((state(name)?, p))
            })
            .collect(),
        other => Err(format!("{other}: expected {{state: probability}} or a state name")),
    }
}

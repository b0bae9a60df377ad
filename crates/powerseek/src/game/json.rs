//! The JSON format for normal-form games.
//!
//! ```json
//! {
//!   "title": "Prisoner's Dilemma",
//!   "players": ["Row", "Column"],
//!   "actions": [["C", "D"], ["C", "D"]],
//!   "payoffs": [[[2, 2], [0, 3]],
//!               [[3, 0], [1, 1]]]
//! }
//! ```
//!
//! `payoffs` is nested by player 1's action, then player 2's, …; the innermost
//! list holds every player's payoff at that profile. Payoffs are JSON numbers
//! (read exactly from their decimal text) or strings such as `"5/2"`. `title`
//! and `comment` are optional; other fields are errors.

use std::path::Path;

use serde_json::{json, Value};

use super::{format_rational, NormalFormGame, Rational};
use crate::error::{read_text, Error, Result};
use crate::input::{exact_number, JsonDoc};

/// Load a JSON normal-form game file; errors name the file and the line of
/// the offending field.
pub fn load(path: &Path) -> Result<NormalFormGame> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse JSON text; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<NormalFormGame> {
    let doc = JsonDoc::parse_exact(
        text,
        origin,
        &["title", "comment", "players", "actions", "payoffs"],
        &["payoffs"],
    )?;
    let err = |field: &str, msg: String| doc.err(field, msg);
    let players = doc.strings("players", doc.get("players"))?;
    let actions = doc.string_lists("actions")?;
    if actions.len() != players.len() {
        return Err(err(
            "actions",
            format!("{} lists for {} players", actions.len(), players.len()),
        ));
    }
    let n = players.len();
    let shape: Vec<usize> = actions.iter().map(Vec::len).collect();
    let total = super::profile_count(&shape).map_err(|e| err("actions", e.to_string()))?;
    let mut payoffs = vec![Rational::from_integer(0.into()); total * n];
    // Walk the nested lists; `path` is the pure profile reached so far.
    fn walk(
        v: &Value,
        depth: usize,
        path: &mut Vec<usize>,
        shape: &[usize],
        out: &mut [Rational],
        n: usize,
        err: &dyn Fn(&str, String) -> Error,
    ) -> Result<()> {
        let field = format!("payoffs{}", path.iter().map(|i| format!("[{i}]")).collect::<String>());
        let list = v.as_array().ok_or_else(|| err(&field, "expected a list".into()))?;
        if depth == shape.len() {
            if list.len() != n {
                return Err(err(
                    &field,
                    format!("expected {n} payoffs (one per player), got {}", list.len()),
                ));
            }
            let mut idx = 0;
            let mut stride = 1;
            for (k, &a) in path.iter().enumerate() {
                idx += a * stride;
                stride *= shape[k];
            }
            for (i, p) in list.iter().enumerate() {
                out[idx * n + i] = exact_number(p).map_err(|e| err(&format!("{field}[{i}]"), e.to_string()))?;
            }
            return Ok(());
        }
        if list.len() != shape[depth] {
            return Err(err(
                &field,
                format!(
                    "expected {} entries (actions of player {}), got {}",
                    shape[depth],
                    depth + 1,
                    list.len()
                ),
            ));
        }
        for (a, item) in list.iter().enumerate() {
            path.push(a);
            walk(item, depth + 1, path, shape, out, n, err)?;
            path.pop();
        }
        Ok(())
    }
    let root_payoffs = doc.get("payoffs").ok_or_else(|| err("payoffs", "missing".into()))?;
    walk(root_payoffs, 0, &mut Vec::new(), &shape, &mut payoffs, n, &err)?;
    let title = doc.get("title").and_then(Value::as_str).unwrap_or("").to_string();
    let mut game =
        NormalFormGame::new(title, players, actions, payoffs).map_err(|e| Error::parse(origin, 0, e.to_string()))?;
    game.comment = doc.get("comment").and_then(Value::as_str).unwrap_or("").to_string();
    Ok(game)
}

/// Write a game as JSON (payoffs as numbers when integral, else "p/q" strings).
pub fn write(game: &NormalFormGame) -> String {
    fn value(r: &Rational) -> Value {
        if r.is_integer() {
            if let Ok(i) = r.numer().to_string().parse::<i64>() {
                return json!(i);
            }
        }
        json!(format_rational(r))
    }
    fn nest(game: &NormalFormGame, depth: usize, path: &mut Vec<usize>) -> Value {
        if depth == game.n_players() {
            let idx = game.profile_index(path);
            return Value::Array((0..game.n_players()).map(|i| value(game.payoff(idx, i))).collect());
        }
        Value::Array(
            (0..game.n_actions(depth))
                .map(|a| {
                    path.push(a);
                    let v = nest(game, depth + 1, path);
                    path.pop();
                    v
                })
                .collect(),
        )
    }
    let mut doc = json!({
        "title": game.title,
        "players": game.players(),
        "actions": (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect::<Vec<_>>(),
        "payoffs": nest(game, 0, &mut Vec::new()),
    });
    if !game.comment.is_empty() {
        doc["comment"] = json!(game.comment);
    }
    serde_json::to_string_pretty(&doc).expect("serialisable") + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_nfg() {
        let text = r#"{"title": "PD", "players": ["Row", "Column"], "actions": [["C", "D"], ["C", "D"]],
                       "payoffs": [[[2, 2], [0, 3]], [[3, 0], [1, "1/1"]]]}"#;
        let g = parse(text, "pd.json").unwrap();
        assert_eq!(g.payoff(g.profile_index(&[0, 1]), 1).to_string(), "3");
        assert_eq!(parse(&write(&g), "w.json").unwrap(), g);
        assert_eq!(
            super::super::nfg::parse(&super::super::nfg::write(&g), "w.nfg").unwrap(),
            g
        );
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse(
            r#"{"players": ["a","b"], "actions": [["x"],["y","z"]], "payoffs": [[[1,2],[3]]]}"#,
            "g.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("payoffs[0][1]") && e.contains("expected 2 payoffs"), "{e}");
        let e = parse(
            r#"{"players": ["a"], "actions": [["x"]], "payoffs": [["x"]]}"#,
            "g.json",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("payoffs[0][0]") && e.contains("not a number"), "{e}");
    }
}

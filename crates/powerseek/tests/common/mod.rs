//! Helpers shared by the integration tests that compare against Gambit's
//! test games (each test binary uses the ones it needs).
#![allow(dead_code)]

use std::path::PathBuf;

use powerseek::game::equilibrium::Equilibrium;
use powerseek::game::{format_rational, NormalFormGame};
use serde_json::Value;

/// The Gambit games ship with the repository (`tests/data/gambit`, see its
/// README); a missing folder is a broken checkout, so every test fails loudly.
pub fn gambit_dir() -> PathBuf {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/gambit"));
    assert!(dir.is_dir(), "the Gambit test games are missing: {}", dir.display());
    dir
}

/// An equilibrium as a canonical set element: `"p1,p2|q1,q2"`, exact.
pub fn key(e: &Equilibrium) -> String {
    e.strategies
        .iter()
        .map(|s| s.iter().map(format_rational).collect::<Vec<_>>().join(","))
        .collect::<Vec<_>>()
        .join("|")
}

/// Each player's probabilities in an equilibrium of Gambit's reference
/// JSON, whose strategies are keyed by player name, mapped by `f`.
fn gambit_rows<T>(eq: &Value, game: &NormalFormGame, f: impl Fn(&Value) -> T) -> Vec<Vec<T>> {
    game.players()
        .iter()
        .map(|p| eq["strategies"][p].as_array().unwrap().iter().map(&f).collect())
        .collect()
}

/// The same key for an equilibrium of Gambit's reference JSON (exact
/// `"p/q"` strings).
pub fn gambit_key(eq: &Value, game: &NormalFormGame) -> String {
    gambit_rows(eq, game, |x| x.as_str().unwrap().to_string())
        .iter()
        .map(|row| row.join(","))
        .collect::<Vec<_>>()
        .join("|")
}

/// An equilibrium of Gambit's reference JSON (floats or `"p/q"` strings,
/// keyed by player name) as floats, player by player.
pub fn gambit_profile(eq: &Value, game: &NormalFormGame) -> Vec<Vec<f64>> {
    use num_traits::ToPrimitive;
    gambit_rows(eq, game, |x| match x {
        Value::String(s) => powerseek::game::parse_rational(s).unwrap().to_f64().unwrap(),
        v => v.as_f64().unwrap(),
    })
}

//! The JSON MDP format.
//!
//! ```json
//! {
//!   "states": ["start", "a", "b"],
//!   "start": "start",
//!   "transitions": {
//!     "start": { "left": "a", "right": { "a": 0.25, "b": 0.75 } },
//!     "a":     { "stay": "a" },
//!     "b":     { "stay": "b" }
//!   },
//!   "features": { "names": ["x"], "values": [[0.0], [1.0], [2.0]] }
//! }
//! ```
//!
//! `states` is a list of names or a count (names are then `"0"`, `"1"`, ...).
//! Each action maps to a successor name (deterministic) or an object of
//! successor probabilities. `start` and `features` (one row per state, in
//! `states` order) are optional. Unknown top-level fields are errors, so typos
//! do not pass silently.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use super::{Features, Mdp, MdpBuilder};
use crate::error::{read_text, Error, Result};
use crate::input::JsonDoc;

/// Load a JSON MDP file; errors name the file and the line of the offending
/// field ([`Error::Parse`]), or the file ([`Error::Io`]) when it cannot be read.
pub fn load(path: &Path) -> Result<Mdp> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse JSON text; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Mdp> {
    let doc = JsonDoc::parse(
        text,
        origin,
        &["states", "start", "transitions", "features", "discount", "description"],
    )?;
    let field_err = |field: &str, msg: String| doc.err(field, msg);
    let names: Vec<String> = match doc.get("states") {
        Some(Value::Array(a)) => a
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| field_err(&format!("states[{i}]"), "expected a string".into()))
            })
            .collect::<Result<_>>()?,
        Some(Value::Number(n)) => {
            let n = n
                .as_u64()
                .filter(|&n| n <= u32::MAX as u64)
                .ok_or_else(|| field_err("states", "expected a positive integer count below 2^32".into()))?;
            // Names, their index and the builder's copy.
            crate::resources::check_mdp(origin, n as f64, 0.0, 0.0, n as f64 * crate::resources::STATE_BYTES)?;
            (0..n).map(|s| s.to_string()).collect()
        }
        _ => return Err(field_err("states", "missing, or not a list of names or a count".into())),
    };
    let mut index = HashMap::with_capacity(names.len());
    for (i, n) in names.iter().enumerate() {
        if index.insert(n.clone(), i).is_some() {
            return Err(field_err(
                &format!("states[{i}]"),
                format!("duplicate state name '{n}'"),
            ));
        }
    }
    let lookup = |field: &str, name: &str| -> Result<usize> {
        index
            .get(name)
            .copied()
            .ok_or_else(|| field_err(field, format!("unknown state '{name}'")))
    };
    let transitions = doc
        .get("transitions")
        .and_then(Value::as_object)
        .ok_or_else(|| field_err("transitions", "missing, or not an object keyed by state name".into()))?;
    let mut builder = MdpBuilder::new(names.clone());
    let mut row = Vec::new();
    for (state, actions) in transitions {
        let s = lookup(&format!("transitions.{state}"), state)?;
        let actions = actions.as_object().ok_or_else(|| {
            field_err(
                &format!("transitions.{state}"),
                "expected an object keyed by action name".into(),
            )
        })?;
        for (action, target) in actions {
            let field = format!("transitions.{state}.{action}");
            row.clear();
            match target {
                Value::String(t) => row.push((lookup(&field, t)?, 1.0)),
                Value::Object(dist) => {
                    for (t, p) in dist {
                        let p = p
                            .as_f64()
                            .ok_or_else(|| field_err(&format!("{field}.{t}"), "probability is not a number".into()))?;
                        row.push((lookup(&field, t)?, p));
                    }
                }
                _ => {
                    return Err(field_err(
                        &field,
                        "expected a successor name or an object of probabilities".into(),
                    ))
                }
            }
            builder
                .add_action(s, action, &row)
                .map_err(|e| field_err(&field, e.to_string()))?;
        }
    }
    let mut mdp = builder.build().map_err(|e| Error::parse(origin, 0, e.to_string()))?;
    let notes = mdp.notes().iter().map(|n| format!("{origin}: {n}")).collect();
    mdp = mdp.with_notes(notes);
    if let Some(start) = doc.get("start") {
        let name = start
            .as_str()
            .ok_or_else(|| field_err("start", "expected a state name".into()))?;
        mdp = mdp.with_start(Some(lookup("start", name)?));
    }
    if let Some(f) = doc.get("features") {
        mdp = mdp
            .with_features(parse_features(f, names.len(), &field_err)?)
            .map_err(|e| field_err("features", e.to_string()))?;
    }
    if let Some(d) = doc.get("discount") {
        let g = d.as_f64().filter(|g| (0.0..=1.0).contains(g));
        mdp = mdp.with_discount(Some(
            g.ok_or_else(|| field_err("discount", format!("{d} is not a number in [0, 1]")))?,
        ));
    }
    Ok(mdp)
}

fn parse_features(f: &Value, n_states: usize, field_err: &dyn Fn(&str, String) -> Error) -> Result<Features> {
    let names: Vec<String> = f
        .get("names")
        .and_then(Value::as_array)
        .ok_or_else(|| field_err("features.names", "missing, or not a list".into()))?
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| field_err("features.names", "expected strings".into()))
        })
        .collect::<Result<_>>()?;
    let rows = f
        .get("values")
        .and_then(Value::as_array)
        .ok_or_else(|| field_err("features.values", "missing, or not a list of rows".into()))?;
    if rows.len() != n_states {
        return Err(field_err(
            "features.values",
            format!("expected {n_states} rows (one per state), got {}", rows.len()),
        ));
    }
    let mut values = Vec::with_capacity(n_states * names.len());
    for (s, r) in rows.iter().enumerate() {
        let r = r.as_array().filter(|r| r.len() == names.len()).ok_or_else(|| {
            field_err(
                &format!("features.values[{s}]"),
                format!("expected a list of {} numbers", names.len()),
            )
        })?;
        for v in r {
            values.push(
                v.as_f64()
                    .ok_or_else(|| field_err(&format!("features.values[{s}]"), "not a number".into()))?,
            );
        }
    }
    Ok(Features { names, values })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_example() {
        let m = parse(
            r#"{"states":["start","a","b"],"start":"start",
               "transitions":{"start":{"left":"a","right":{"a":0.25,"b":0.75}},"a":{"stay":"a"},"b":{"stay":"b"}},
               "features":{"names":["x"],"values":[[0],[1],[2]]}}"#,
            "m.json",
        )
        .unwrap();
        assert_eq!(m.n_states(), 3);
        assert_eq!(m.start(), Some(0));
        assert!(!m.is_deterministic());
        assert_eq!(m.features().unwrap().of(2), &[2.0]);
    }

    #[test]
    fn errors_name_the_field() {
        let e = parse(r#"{"states":["a"],"transitions":{"a":{"go":"zz"}}}"#, "m.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("m.json") && e.contains("transitions.a.go") && e.contains("unknown state 'zz'"),
            "{e}"
        );
        let e = parse(r#"{"states":["a"],"transitions":{"a":{"go":{"a":0.5}}}}"#, "m.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("sum to 0.5"), "{e}");
        let e = parse("{\"states\": [\"a\"],\n \"transitions\": {", "m.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.json:2:"), "{e}");
        let e = parse(r#"{"states":1,"transitons":{}}"#, "m.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("transitons"), "{e}");
    }
}

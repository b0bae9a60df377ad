//! Reading structured input files (JSON, TOML) with errors that name the
//! file, the line or the field, shared by every loader.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::exact::{parse_rational, Rational};

/// A JSON object whose fields are checked against an allowed list.
pub(crate) struct JsonDoc<'a> {
    origin: &'a str,
    object: Map<String, Value>,
}

impl<'a> JsonDoc<'a> {
    /// Parse `text` as a JSON object; unknown top-level fields are errors, so typos do not pass silently.
    pub fn parse(text: &str, origin: &'a str, allowed: &[&str]) -> Result<Self> {
        let root: Value = serde_json::from_str(text).map_err(|e| Error::parse(origin, e.line(), e.to_string()))?;
        let Value::Object(object) = root else {
            return Err(Error::parse(origin, 0, "field '(root)': expected an object"));
        };
        if let Some(key) = object.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(Error::parse(
                origin,
                0,
                format!("field '{key}': unknown field (expected {})", allowed.join(", ")),
            ));
        }
        Ok(JsonDoc { origin, object })
    }

    /// An error about `field` of this document.
    pub fn err(&self, field: &str, msg: impl std::fmt::Display) -> Error {
        Error::parse(self.origin, 0, format!("field '{field}': {msg}"))
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.object.get(key)
    }

    /// `field` must be a list of strings.
    pub fn strings(&self, field: &str, v: Option<&Value>) -> Result<Vec<String>> {
        v.and_then(Value::as_array)
            .ok_or_else(|| self.err(field, "missing, or not a list"))?
            .iter()
            .map(|s| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.err(field, "expected strings"))
            })
            .collect()
    }

    /// `field` must be a list of lists of strings (one per player).
    pub fn string_lists(&self, field: &str) -> Result<Vec<Vec<String>>> {
        self.get(field)
            .and_then(Value::as_array)
            .ok_or_else(|| self.err(field, "missing, or not a list of lists"))?
            .iter()
            .enumerate()
            .map(|(i, v)| self.strings(&format!("{field}[{i}]"), Some(v)))
            .collect()
    }
}

/// An exact number: a JSON number read from its decimal text, or a string such as `"5/2"`.
pub(crate) fn exact_number(v: &Value) -> Option<Rational> {
    match v {
        Value::Number(n) => parse_rational(&n.to_string()),
        Value::String(s) => parse_rational(s),
        _ => None,
    }
}

/// Deserialize TOML (when `origin` ends in `.toml`) or JSON, with the line of any error.
pub(crate) fn deserialize<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    if origin.ends_with(".toml") {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |sp| text[..sp.start.min(text.len())].lines().count().max(1));
            Error::parse(origin, line, e.message().to_string())
        })
    } else {
        serde_json::from_str(text).map_err(|e| Error::parse(origin, e.line(), e.to_string()))
    }
}

/// A path's extension, lower-cased (`""` when there is none).
pub(crate) fn extension(path: &std::path::Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

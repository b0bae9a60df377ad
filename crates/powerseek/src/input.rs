//! Reading structured input files (JSON, TOML) with errors that name the
//! file, the line or the field, shared by every loader.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::exact::{parse_rational, Rational};

/// A JSON object whose fields are checked against an allowed list.
pub(crate) struct JsonDoc<'a> {
    origin: &'a str,
    text: &'a str,
    object: Map<String, Value>,
}

impl<'a> JsonDoc<'a> {
    /// Parse `text` as a JSON object; unknown top-level fields are errors, so typos do not pass silently.
    pub fn parse(text: &'a str, origin: &'a str, allowed: &[&str]) -> Result<Self> {
        Self::parse_exact(text, origin, allowed, &[])
    }

    /// [`JsonDoc::parse`], with the numbers anywhere under the top-level fields
    /// `exact` kept as their text (JSON strings), for [`exact_number`]: a JSON
    /// number such as `18446744073709551617` or `0.1000000000000000000001` is
    /// then read exactly instead of through a float.
    pub fn parse_exact(text: &'a str, origin: &'a str, allowed: &[&str], exact: &[&str]) -> Result<Self> {
        let root = parse_value(text, origin, exact)?;
        let Value::Object(object) = root else {
            return Err(Error::parse(origin, 1, "expected a JSON object at the top level"));
        };
        let doc = JsonDoc { origin, text, object };
        if let Some(key) = doc.object.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(doc.err(key, format!("unknown field (expected {})", allowed.join(", "))));
        }
        Ok(doc)
    }

    /// An error about `field` of this document (`a.b[2]` notation), at the
    /// line where the field (or its nearest enclosing field) is written.
    pub fn err(&self, field: &str, msg: impl std::fmt::Display) -> Error {
        Error::parse(
            self.origin,
            line_of(self.text, field),
            format!("field '{field}': {msg}"),
        )
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.object.get(key)
    }

    /// `field` must be a list of strings.
    pub fn strings(&self, field: &str, v: Option<&Value>) -> Result<Vec<String>> {
        v.and_then(Value::as_array)
            .ok_or_else(|| self.err(field, "missing, or not a list"))?
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.err(&format!("{field}[{i}]"), "expected a string"))
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

/// An exact number: a JSON number (kept as its text by
/// [`JsonDoc::parse_exact`]), or a string such as `"5/2"`; the error says why not.
pub(crate) fn exact_number(v: &Value) -> Result<Rational> {
    match v {
        Value::Number(n) => parse_rational(&n.to_string()),
        Value::String(s) => parse_rational(s),
        other => Err(Error::invalid(format!("{other} is not a number"))),
    }
}

/// Parse JSON text into a value, with the checks every JSON input gets: a
/// key repeated in one object is an error naming the key and both lines
/// (serde_json would silently keep the last), and syntax errors carry their
/// line. Numbers are read as serde_json reads them (the crate's exact
/// loaders keep chosen fields' numbers as text instead).
pub fn parse_json(text: &str, origin: &str) -> Result<Value> {
    parse_value(text, origin, &[])
}

fn parse_value(text: &str, origin: &str, exact: &[&str]) -> Result<Value> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let quoted = checked(text, origin, exact)?;
    serde_json::from_str(quoted.as_deref().unwrap_or(text)).map_err(|e| json_error(origin, &e))
}

/// Deserialize JSON text into `T` after the checks of [`parse_json`];
/// serde's errors (a missing or mistyped field) keep their line.
pub fn from_json<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    checked(text, origin, &[])?;
    serde_json::from_str(text).map_err(|e| json_error(origin, &e))
}

/// [`from_json`], with every number under the top-level fields `exact` kept
/// as its text, so that fields read exactly from strings (`"1/3"`) accept
/// JSON numbers too (`0.1` is then exactly 1/10, not its float).
pub fn from_json_exact<T: DeserializeOwned>(text: &str, origin: &str, exact: &[&str]) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let quoted = checked(text, origin, exact)?;
    serde_json::from_str(quoted.as_deref().unwrap_or(text)).map_err(|e| json_error(origin, &e))
}

/// A serde_json error as a parse error at its line.
fn json_error(origin: &str, e: &serde_json::Error) -> Error {
    Error::parse(origin, e.line(), json_message(e))
}

/// The repeated-key check, and the text with exact numbers quoted (see [`scan`]).
fn checked(text: &str, origin: &str, exact: &[&str]) -> Result<Option<String>> {
    match scan(text, exact) {
        Ok(quoted) => Ok(quoted),
        Err(ScanError::Duplicate { key, line, first }) => Err(Error::parse(
            origin,
            line,
            format!("duplicate key \"{key}\" (first given at line {first}); each key may appear once per object"),
        )),
        // Not JSON: serde_json says where and why.
        Err(ScanError::Syntax) => match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Err(e) => Err(json_error(origin, &e)),
            Ok(_) => Ok(None),
        },
    }
}

/// serde_json's message without its " at line L column C" suffix (the line
/// is already in front of the message).
fn json_message(e: &serde_json::Error) -> String {
    let m = e.to_string();
    match m.rfind(" at line ") {
        Some(i) if e.line() > 0 => format!("{} (column {})", &m[..i], e.column()),
        _ => m,
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Tok {
    OpenObject,
    OpenArray,
    Close,
    Colon,
    Comma,
    Str,
    Num,
    Literal,
}

#[derive(Clone, Copy, Debug)]
struct Token {
    kind: Tok,
    start: usize,
    end: usize,
    line: usize,
}

/// The tokens of JSON text; stops (with `None` as the last item) at a byte that starts no token.
fn tokens(text: &str) -> impl Iterator<Item = Option<Token>> + '_ {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut line = 1;
    let mut done = false;
    std::iter::from_fn(move || {
        if done {
            return None;
        }
        while pos < b.len() && matches!(b[pos], b' ' | b'\t' | b'\r' | b'\n') {
            line += (b[pos] == b'\n') as usize;
            pos += 1;
        }
        if pos == b.len() {
            done = true;
            return None;
        }
        let start = pos;
        let kind = match b[pos] {
            b'{' => Tok::OpenObject,
            b'[' => Tok::OpenArray,
            b'}' | b']' => Tok::Close,
            b':' => Tok::Colon,
            b',' => Tok::Comma,
            b'"' => {
                pos += 1;
                while pos < b.len() && b[pos] != b'"' {
                    if b[pos] == b'\n' {
                        done = true; // raw newline: not JSON
                        return Some(None);
                    }
                    pos += if b[pos] == b'\\' { 2 } else { 1 };
                }
                if pos >= b.len() {
                    done = true;
                    return Some(None);
                }
                Tok::Str
            }
            b'-' | b'0'..=b'9' => {
                while pos + 1 < b.len() && matches!(b[pos + 1], b'0'..=b'9' | b'.' | b'e' | b'E' | b'+' | b'-') {
                    pos += 1;
                }
                Tok::Num
            }
            b'a'..=b'z' => {
                while pos + 1 < b.len() && b[pos + 1].is_ascii_lowercase() {
                    pos += 1;
                }
                Tok::Literal
            }
            _ => {
                done = true;
                return Some(None);
            }
        };
        pos += 1;
        Some(Some(Token {
            kind,
            start,
            end: pos,
            line,
        }))
    })
}

enum Frame {
    /// Keys seen (with their line), the current key, and whether a key comes next.
    Object {
        keys: HashMap<String, usize>,
        key: Option<(String, usize)>,
        want_key: bool,
    },
    Array {
        index: usize,
    },
}

enum ScanError {
    Syntax,
    Duplicate { key: String, line: usize, first: usize },
}

/// The text of a JSON string token, unescaped.
fn string_text(raw: &str) -> String {
    if raw.contains('\\') {
        serde_json::from_str(raw).unwrap_or_else(|_| raw.to_string())
    } else {
        raw[1..raw.len() - 1].to_string()
    }
}

/// Walk the values of `text` in order, calling `visit(path, token, line)` at
/// the first token of every value; `line` is where the value's key is (or
/// the value itself, in arrays). Repeated keys are errors.
fn walk(text: &str, mut visit: impl FnMut(&[Frame], &Token, usize)) -> std::result::Result<(), ScanError> {
    let mut stack: Vec<Frame> = Vec::new();
    let mut seen_root = false;
    for token in tokens(text) {
        let t = token.ok_or(ScanError::Syntax)?;
        match (stack.last_mut(), t.kind) {
            (
                Some(Frame::Object {
                    keys, key, want_key, ..
                }),
                Tok::Str,
            ) if *want_key => {
                let k = string_text(&text[t.start..t.end]);
                if let Some(&first) = keys.get(&k) {
                    return Err(ScanError::Duplicate {
                        key: k,
                        line: t.line,
                        first,
                    });
                }
                keys.insert(k.clone(), t.line);
                *key = Some((k, t.line));
                *want_key = false;
                continue;
            }
            (Some(Frame::Object { want_key, .. }), Tok::Comma) => {
                *want_key = true;
                continue;
            }
            (Some(Frame::Array { index }), Tok::Comma) => {
                *index += 1;
                continue;
            }
            (Some(Frame::Object { want_key: false, .. }), Tok::Colon) => continue,
            (_, Tok::Close) => {
                stack.pop().ok_or(ScanError::Syntax)?;
                continue;
            }
            (None, _) if seen_root => return Err(ScanError::Syntax),
            (Some(Frame::Object { want_key: true, .. }), _) | (_, Tok::Colon | Tok::Comma) => {
                return Err(ScanError::Syntax)
            }
            _ => {}
        }
        // A value starts here.
        seen_root = true;
        let line = match stack.last() {
            Some(Frame::Object { key: Some((_, l)), .. }) => *l,
            _ => t.line,
        };
        visit(&stack, &t, line);
        match t.kind {
            Tok::OpenObject => stack.push(Frame::Object {
                keys: HashMap::new(),
                key: None,
                want_key: true,
            }),
            Tok::OpenArray => stack.push(Frame::Array { index: 0 }),
            _ => {}
        }
    }
    Ok(())
}

/// Check for repeated keys; when `exact` names top-level fields, the text
/// with every number under them in quotes (else `None`: the text is unchanged).
fn scan(text: &str, exact: &[&str]) -> std::result::Result<Option<String>, ScanError> {
    let mut numbers: Vec<(usize, usize)> = Vec::new();
    walk(text, |stack, t, _| {
        if t.kind == Tok::Num && !exact.is_empty() {
            if let Some(Frame::Object { key: Some((k, _)), .. }) = stack.first() {
                if exact.contains(&k.as_str()) {
                    numbers.push((t.start, t.end));
                }
            }
        }
    })?;
    if numbers.is_empty() {
        return Ok(None);
    }
    let mut out = String::with_capacity(text.len() + 2 * numbers.len());
    let mut at = 0;
    for (start, end) in numbers {
        out.push_str(&text[at..start]);
        out.push('"');
        out.push_str(&text[start..end]);
        out.push('"');
        at = end;
    }
    out.push_str(&text[at..]);
    Ok(Some(out))
}

/// Whether JSON `text` is an object with the top-level field `key` (false
/// for text that is not JSON; the parser then says why).
pub(crate) fn has_top_level_key(text: &str, key: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut found = false;
    let _ = walk(text, |stack, _, _| {
        if let [Frame::Object { key: Some((k, _)), .. }] = stack {
            found |= k == key;
        }
    });
    found
}

/// The path of the value being visited, in the `a.b[2]` notation of field names.
fn path_of(stack: &[Frame]) -> String {
    let mut path = String::new();
    for f in stack {
        match f {
            Frame::Object { key: Some((k, _)), .. } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(k);
            }
            Frame::Array { index } => path.push_str(&format!("[{index}]")),
            Frame::Object { key: None, .. } => {}
        }
    }
    path
}

/// The line of `field` (`a.b[2]` notation) in JSON `text`: where it, or the
/// longest enclosing field found, is written; 0 when none is.
pub(crate) fn line_of(text: &str, field: &str) -> usize {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut best = (0, 0);
    let _ = walk(text, |stack, _, line| {
        if stack.is_empty() {
            return;
        }
        let path = path_of(stack);
        let encloses = field == path
            || (field.starts_with(&path) && matches!(field.as_bytes().get(path.len()), Some(b'.' | b'[')));
        if encloses && path.len() > best.0 {
            best = (path.len(), line);
        }
    });
    best.1
}

/// Deserialize TOML (when `origin` ends in `.toml`) or JSON (see
/// [`from_json`]), with the line of any error.
pub(crate) fn deserialize<T: DeserializeOwned>(text: &str, origin: &str) -> Result<T> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if origin.ends_with(".toml") {
        toml::from_str(text).map_err(|e| {
            let line = e
                .span()
                .map_or(0, |sp| text[..sp.start.min(text.len())].matches('\n').count() + 1);
            Error::parse(origin, line, e.message().to_string())
        })
    } else {
        from_json(text, origin)
    }
}

/// A path's extension, lower-cased (`""` when there is none).
pub(crate) fn extension(path: &std::path::Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_keys_are_errors_naming_the_key_and_lines() {
        for (text, key, line, first) in [
            ("{\"states\": [\"a\"],\n \"states\": [\"b\"]}", "states", 2, 1),
            ("{\"t\": {\"a\": 1,\n\n \"a\": 2}}", "a", 3, 1),
            (
                "[{\"x\": 1}, {\"x\": 1,\n \"y\": {\"z\": 0, \"\\u007a\": 1}}]",
                "z",
                2,
                2,
            ),
        ] {
            let e = parse_json(text, "d.json").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!(
                    "d.json:{line}: duplicate key \"{key}\" (first given at line {first})"
                )),
                "{e}"
            );
        }
        // The same key in different objects is fine.
        assert!(parse_json(
            "{\"a\": {\"x\": 1}, \"b\": {\"x\": 1}, \"c\": [{\"x\": 1}, {\"x\": 2}]}",
            "o.json"
        )
        .is_ok());
        #[derive(serde::Deserialize, Debug)]
        #[allow(dead_code)]
        struct T {
            a: f64,
        }
        let e = from_json::<T>("{\"a\": 1,\n\"a\": 2}", "t.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("t.json:2: duplicate key \"a\""), "{e}");
        // TOML rejects repeated keys itself; the line is the repeat's.
        let e = deserialize::<T>("a = 1\n\na = 2\n", "t.toml").unwrap_err().to_string();
        assert!(e.starts_with("t.toml:3: ") && e.contains("duplicate key"), "{e}");
    }

    #[test]
    fn syntax_and_field_errors_carry_real_lines() {
        let e = parse_json("{\"a\": 1,\n\"b\": [1, 2,, 3]}", "s.json")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("s.json:2: ") && !e.contains(" at line "), "{e}");
        let e = parse_json("\u{feff}{\"a\": 1", "bom.json").unwrap_err().to_string();
        assert!(e.starts_with("bom.json:1: "), "{e}");
        let text =
            "{\n  \"players\": [\"a\", \"b\"],\n  \"payoffs\": [\n    [1, 2],\n    [3, \"x\"]\n  ],\n  \"zz\": 1\n}";
        assert_eq!(line_of(text, "payoffs[1][1]"), 5);
        assert_eq!(line_of(text, "payoffs[1]"), 5);
        assert_eq!(line_of(text, "payoffs"), 3);
        assert_eq!(line_of(text, "players[1]"), 2);
        assert_eq!(line_of(text, "payoffs[7]"), 3, "the nearest enclosing field");
        assert_eq!(line_of(text, "types/actions"), 0);
        let e = JsonDoc::parse(text, "g.json", &["players", "payoffs"])
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("g.json:7: field 'zz': unknown field"), "{e}");
        let doc = JsonDoc::parse(text, "g.json", &["players", "payoffs", "zz"]).unwrap();
        assert!(doc
            .err("payoffs[1][1]", "bad")
            .to_string()
            .starts_with("g.json:5: field 'payoffs[1][1]': bad"));
        // No line known: none shown (not ":0:").
        assert_eq!(
            doc.err("nothing", "missing").to_string(),
            "g.json: field 'nothing': missing"
        );
    }

    #[test]
    fn top_level_keys_are_found_in_the_text() {
        assert!(has_top_level_key(
            "{\"a\": {\"types\": 1}, \"types\": [1e400]}",
            "types"
        ));
        assert!(!has_top_level_key("{\"a\": {\"types\": 1}}", "types"));
        assert!(!has_top_level_key("[{\"types\": 1}]", "types"));
        assert!(!has_top_level_key("not json", "types"));
    }

    #[test]
    fn exact_fields_keep_the_text_of_numbers() {
        let text = "{\"n\": 0.1000000000000000000001, \"p\": [18446744073709551617, -1.5e-30, {\"q\": 1e400}]}";
        let doc = JsonDoc::parse_exact(text, "x.json", &["n", "p"], &["p"]).unwrap();
        let p = doc.get("p").unwrap().as_array().unwrap();
        assert_eq!(exact_number(&p[0]).unwrap().to_string(), "18446744073709551617");
        assert_eq!(
            exact_number(&p[1]).unwrap(),
            parse_rational("-15/10000000000000000000000000000000").unwrap()
        );
        assert_eq!(exact_number(&p[2]["q"]).unwrap(), parse_rational("1e400").unwrap());
        // Outside the exact fields numbers stay numbers.
        assert!(doc.get("n").unwrap().is_number());
        assert!(exact_number(&Value::Bool(true))
            .unwrap_err()
            .to_string()
            .contains("true is not a number"));
    }
}

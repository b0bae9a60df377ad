//! Cassandra's `.mdp` / `.pomdp` text format (the MDP part).
//!
//! Read: `discount`, `states`, `actions`, `start` (a single state, or a
//! distribution with all mass on one state; otherwise no start is recorded),
//! and `T:` in all its forms:
//!
//! ```text
//! T: <action> : <from> : <to> <prob>
//! T: <action> : <from>
//!    <prob> ... <prob>            (or: uniform)
//! T: <action>
//!    <N×N matrix>                 (or: uniform, identity)
//! ```
//!
//! `*` is a wildcard for any of the three positions; states and actions are
//! referred to by name or by 0-based index. Later statements override earlier
//! ones. `values`, `observations`, `O:` and `R:` are accepted and ignored (POWER
//! takes rewards from a distribution, not from the file). `#` starts a comment.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::{Mdp, MdpBuilder, QUIET_ROUNDING, ROW_SUM_TOLERANCE};
use crate::error::{read_text, Error, Result};

/// Load a Cassandra (`pomdp-solve`) `.mdp`/`.pomdp` file; errors name the
/// file and line ([`Error::Parse`]), or the file ([`Error::Io`]) when it
/// cannot be read.
pub fn load(path: &Path) -> Result<Mdp> {
    parse(&read_text(path)?, &path.display().to_string())
}

#[derive(Clone, Debug)]
struct Token<'a> {
    text: &'a str,
    line: usize,
}

fn tokenize(text: &str) -> Vec<Token<'_>> {
    let mut tokens = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("");
        for word in line.split_whitespace() {
            // ':' is its own token even when glued to a word ("T:", "a:b").
            let mut rest = word;
            while let Some(pos) = rest.find(':') {
                if pos > 0 {
                    tokens.push(Token {
                        text: &rest[..pos],
                        line: i + 1,
                    });
                }
                tokens.push(Token { text: ":", line: i + 1 });
                rest = &rest[pos + 1..];
            }
            if !rest.is_empty() {
                tokens.push(Token {
                    text: rest,
                    line: i + 1,
                });
            }
        }
    }
    tokens
}

const KEYWORDS: [&str; 9] = [
    "discount",
    "values",
    "states",
    "actions",
    "observations",
    "start",
    "T",
    "O",
    "R",
];

struct Parser<'a> {
    origin: &'a str,
    tokens: Vec<Token<'a>>,
    pos: usize,
}

impl<'a> Parser<'a> {
    fn err(&self, line: usize, msg: impl Into<String>) -> Error {
        Error::parse(self.origin, line, msg)
    }
    fn line(&self) -> usize {
        self.tokens.get(self.pos).or(self.tokens.last()).map_or(0, |t| t.line)
    }
    fn peek(&self, k: usize) -> Option<&'a str> {
        self.tokens.get(self.pos + k).map(|t| t.text)
    }
    fn next(&mut self, what: &str) -> Result<Token<'a>> {
        let t = self
            .tokens
            .get(self.pos)
            .cloned()
            .ok_or_else(|| self.err(self.line(), format!("unexpected end of file: expected {what}")))?;
        self.pos += 1;
        Ok(t)
    }
    fn expect_colon(&mut self) -> Result<()> {
        let t = self.next("':'")?;
        if t.text != ":" {
            return Err(self.err(t.line, format!("expected ':', found '{}'", t.text)));
        }
        Ok(())
    }
    /// At the start of a statement: `keyword :` or `start include|exclude :`.
    fn at_statement(&self) -> bool {
        match (self.peek(0), self.peek(1), self.peek(2)) {
            (Some(k), Some(":"), _) => KEYWORDS.contains(&k),
            (Some("start"), Some("include" | "exclude"), Some(":")) => true,
            _ => false,
        }
    }
    fn number(&mut self) -> Result<f64> {
        let t = self.next("a number")?;
        t.text
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| self.err(t.line, format!("expected a number, found '{}'", t.text)))
    }
    /// Tokens up to the next statement.
    fn words(&mut self) -> Vec<Token<'a>> {
        let mut out = Vec::new();
        while self.pos < self.tokens.len() && !self.at_statement() {
            out.push(self.tokens[self.pos].clone());
            self.pos += 1;
        }
        out
    }
    /// `N` or a list of names.
    fn name_list(&mut self, what: &str) -> Result<Vec<String>> {
        let words = self.words();
        match words.as_slice() {
            [] => Err(self.err(self.line(), format!("{what}: expected a count or a list of names"))),
            [one] if one.text.parse::<usize>().is_ok() => {
                let n: usize = one.text.parse().unwrap_or(0);
                if n == 0 {
                    return Err(self.err(one.line, format!("{what}: the count must be positive")));
                }
                crate::resources::check(n as f64 * crate::resources::STATE_BYTES, || {
                    format!("{}: {} {what}", self.origin, crate::resources::format_count(n as f64))
                })?;
                Ok((0..n).map(|i| i.to_string()).collect())
            }
            [one] if one.text.bytes().all(|c| c.is_ascii_digit()) => {
                Err(self.err(one.line, format!("{what}: the count {} is too large", one.text)))
            }
            many => Ok(many.iter().map(|t| t.text.to_string()).collect()),
        }
    }
}

/// Fail fast when `entries` stored transitions of an `n`-state MDP with
/// `actions` actions would need more memory than the limit allows.
fn check_rows(p: &Parser, n: usize, actions: usize, entries: f64) -> Result<()> {
    let rows = n as f64 * actions as f64;
    // A BTreeMap entry, plus each row's map and line.
    crate::resources::check_mdp(p.origin, n as f64, rows, entries, 40.0 * entries + 32.0 * rows)
}

/// Resolve a name, an index or `*` to the list of indices it stands for.
fn resolve(
    tok: &Token,
    names: &[String],
    index: &HashMap<String, usize>,
    what: &str,
    p: &Parser,
) -> Result<Vec<usize>> {
    if tok.text == "*" {
        return Ok((0..names.len()).collect());
    }
    if let Some(&i) = index.get(tok.text) {
        return Ok(vec![i]);
    }
    match tok.text.parse::<usize>() {
        Ok(i) if i < names.len() => Ok(vec![i]),
        _ => Err(p.err(tok.line, format!("unknown {what} '{}'", tok.text))),
    }
}

/// The start state of `start: ...` (`words` follow the colon), as pomdp-solve
/// reads it: `uniform`, one probability per state, or a state name/index. A
/// distribution that is not a point mass records no start state.
fn start_state(
    words: &[String],
    line: usize,
    states: &[String],
    state_index: &HashMap<String, usize>,
    p: &Parser,
) -> Result<Option<usize>> {
    let n = states.len();
    if let [w] = words {
        if w == "uniform" {
            return Ok(None);
        }
        if let Some(&i) = state_index.get(w.as_str()) {
            return Ok(Some(i));
        }
        if let Some(i) = w.parse::<usize>().ok().filter(|&i| i < n) {
            return Ok(Some(i));
        }
    }
    let Some(probs) = words
        .iter()
        .map(|w| w.parse::<f64>().ok())
        .collect::<Option<Vec<f64>>>()
    else {
        let what = if words.len() == 1 {
            format!("unknown start state '{}'", words[0])
        } else {
            format!(
                "expected 'uniform', one state, or {n} probabilities; found '{}'",
                words.join(" ")
            )
        };
        return Err(p.err(line, format!("start: {what}")));
    };
    if probs.len() != n {
        return Err(p.err(
            line,
            format!("start: expected {n} probabilities (one per state), got {}", probs.len()),
        ));
    }
    if let Some(bad) = probs.iter().find(|x| !x.is_finite() || **x < 0.0) {
        return Err(p.err(
            line,
            format!("start: probability {bad} is not a finite non-negative number"),
        ));
    }
    let total: f64 = probs.iter().sum();
    if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
        return Err(p.err(line, format!("start: probabilities sum to {total}, not 1")));
    }
    Ok(probs.iter().position(|&x| (x - 1.0).abs() <= ROW_SUM_TOLERANCE))
}

/// Parse `.mdp`/`.pomdp` text; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<Mdp> {
    let mut p = Parser {
        origin,
        tokens: tokenize(text),
        pos: 0,
    };
    let mut discount = None;
    let mut states: Option<Vec<String>> = None;
    let mut actions: Option<Vec<String>> = None;
    let mut start_words: Option<(usize, Vec<String>)> = None;
    // rows[a * n + s] = sparse row; row_line = where it was last set.
    let mut rows: Vec<BTreeMap<usize, f64>> = Vec::new();
    let mut row_line: Vec<usize> = Vec::new();
    // Entries stored in `rows`, to check the memory of dense statements first.
    let mut stored = 0.0;
    let mut state_index = HashMap::new();
    let mut action_index = HashMap::new();
    while p.pos < p.tokens.len() {
        if !p.at_statement() {
            let t = &p.tokens[p.pos];
            return Err(p.err(
                t.line,
                format!(
                    "unexpected '{}': expected a statement such as 'T:' or 'states:'",
                    t.text
                ),
            ));
        }
        let kw = p.next("a keyword")?;
        match kw.text {
            "discount" => {
                p.expect_colon()?;
                let line = p.line();
                let g = p.number()?;
                if !(0.0..=1.0).contains(&g) {
                    return Err(p.err(line, format!("discount {g} is outside [0, 1]")));
                }
                discount = Some(g);
            }
            "states" | "actions" => {
                let declared = if kw.text == "states" { &states } else { &actions };
                if declared.is_some() {
                    // pomdp-solve reads one declaration; a second would rename
                    // or resize what earlier statements referred to.
                    return Err(p.err(kw.line, format!("'{}:' is declared a second time", kw.text)));
                }
                p.expect_colon()?;
                let list = p.name_list(kw.text)?;
                let index: HashMap<String, usize> = list.iter().enumerate().map(|(i, n)| (n.clone(), i)).collect();
                if index.len() != list.len() {
                    return Err(p.err(kw.line, format!("{}: duplicate names", kw.text)));
                }
                if kw.text == "states" {
                    state_index = index;
                    states = Some(list);
                } else {
                    action_index = index;
                    actions = Some(list);
                }
            }
            "start" => {
                if matches!(p.peek(0), Some("include" | "exclude")) {
                    p.next("include/exclude")?; // no single start state: ignored
                    p.expect_colon()?;
                    p.words();
                } else {
                    p.expect_colon()?;
                    let words = p.words();
                    start_words = Some((kw.line, words.iter().map(|t| t.text.to_string()).collect()));
                }
            }
            "values" | "observations" | "O" | "R" => {
                p.expect_colon()?;
                p.words();
            }
            "T" => {
                let (Some(sn), Some(an)) = (&states, &actions) else {
                    return Err(p.err(kw.line, "T: before both 'states:' and 'actions:' are declared"));
                };
                let n = sn.len();
                if rows.is_empty() {
                    check_rows(&p, n, an.len(), 0.0)?;
                    rows = vec![BTreeMap::new(); n * an.len()];
                    row_line = vec![0; n * an.len()];
                }
                p.expect_colon()?;
                let at = p.next("an action")?;
                let acts = resolve(&at, an, &action_index, "action", &p)?;
                let mut from = None;
                let mut to = None;
                if p.peek(0) == Some(":") {
                    p.next(":")?;
                    let ft = p.next("a start state")?;
                    from = Some(resolve(&ft, sn, &state_index, "state", &p)?);
                    if p.peek(0) == Some(":") {
                        p.next(":")?;
                        let tt = p.next("an end state")?;
                        to = Some(resolve(&tt, sn, &state_index, "state", &p)?);
                    }
                }
                let line = kw.line;
                match (from, to) {
                    (Some(from), Some(to)) => {
                        let v = p.number()?;
                        check_rows(
                            &p,
                            n,
                            an.len(),
                            stored + acts.len() as f64 * from.len() as f64 * to.len() as f64,
                        )?;
                        for &a in &acts {
                            for &s in &from {
                                for &t in &to {
                                    if rows[a * n + s].insert(t, v).is_none() {
                                        stored += 1.0;
                                    }
                                }
                                row_line[a * n + s] = line;
                            }
                        }
                    }
                    (Some(from), None) => {
                        let row = if p.peek(0) == Some("uniform") {
                            p.next("uniform")?;
                            check_rows(
                                &p,
                                n,
                                an.len(),
                                stored + acts.len() as f64 * from.len() as f64 * n as f64,
                            )?;
                            vec![1.0 / n as f64; n]
                        } else {
                            (0..n).map(|_| p.number()).collect::<Result<Vec<_>>>()?
                        };
                        for &a in &acts {
                            for &s in &from {
                                let new: BTreeMap<usize, f64> = row
                                    .iter()
                                    .enumerate()
                                    .filter(|e| *e.1 != 0.0)
                                    .map(|(t, &v)| (t, v))
                                    .collect();
                                stored += new.len() as f64 - rows[a * n + s].len() as f64;
                                rows[a * n + s] = new;
                                row_line[a * n + s] = line;
                            }
                        }
                    }
                    _ => {
                        let form = p.peek(0);
                        let matrix: Vec<BTreeMap<usize, f64>> = match form {
                            Some("uniform") => {
                                p.next("uniform")?;
                                check_rows(&p, n, an.len(), stored + (acts.len() + 1) as f64 * n as f64 * n as f64)?;
                                vec![(0..n).map(|t| (t, 1.0 / n as f64)).collect(); n]
                            }
                            Some("identity") => {
                                p.next("identity")?;
                                (0..n).map(|s| BTreeMap::from([(s, 1.0)])).collect()
                            }
                            _ => (0..n)
                                .map(|_| {
                                    let row = (0..n).map(|_| p.number()).collect::<Result<Vec<_>>>()?;
                                    Ok(row.into_iter().enumerate().filter(|e| e.1 != 0.0).collect())
                                })
                                .collect::<Result<_>>()?,
                        };
                        for &a in &acts {
                            for (s, row) in matrix.iter().enumerate() {
                                stored += row.len() as f64 - rows[a * n + s].len() as f64;
                                rows[a * n + s] = row.clone();
                                row_line[a * n + s] = line;
                            }
                        }
                    }
                }
            }
            other => return Err(p.err(kw.line, format!("unexpected '{other}'"))),
        }
    }
    let states = states.ok_or_else(|| p.err(0, "missing 'states:'"))?;
    let actions = actions.ok_or_else(|| p.err(0, "missing 'actions:'"))?;
    if rows.is_empty() {
        return Err(p.err(0, "no 'T:' statements: every state needs transitions"));
    }
    let n = states.len();
    let mut builder = MdpBuilder::new(states.clone());
    // Rows renormalised beyond rounding: how many, and the worst (deviation, line).
    let mut renormalised = 0usize;
    let mut worst = (0.0, 0);
    for s in 0..n {
        for (a, name) in actions.iter().enumerate() {
            let row: Vec<(usize, f64)> = rows[a * n + s].iter().map(|(&t, &v)| (t, v)).collect();
            let line = row_line[a * n + s];
            if row.is_empty() {
                return Err(p.err(
                    line,
                    format!(
                        "state '{}', action '{name}': no transition probabilities given",
                        states[s]
                    ),
                ));
            }
            // Checked here (as the builder would) so the error names the
            // statement that last set this row.
            let total: f64 = row.iter().map(|e| e.1).sum();
            if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
                return Err(p.err(
                    line,
                    format!(
                        "state '{}', action '{name}': transition probabilities sum to {total}, not 1",
                        states[s]
                    ),
                ));
            }
            if (total - 1.0).abs() > QUIET_ROUNDING {
                renormalised += 1;
                if (total - 1.0).abs() > worst.0 {
                    worst = ((total - 1.0).abs(), line);
                }
            }
            builder
                .add_action(s, name, &row)
                .map_err(|e| p.err(line, e.to_string()))?;
        }
    }
    let mut mdp = builder.build().map_err(|e| p.err(0, e.to_string()))?;
    if renormalised > 0 {
        mdp = mdp.with_notes(vec![format!(
            "{origin}:{}: {renormalised} transition row{} summed to 1 only within {ROW_SUM_TOLERANCE:e} \
             (largest deviation {:.1e}, set here) and {} renormalised",
            worst.1,
            if renormalised == 1 { "" } else { "s" },
            worst.0,
            if renormalised == 1 { "was" } else { "were" },
        )]);
    }
    let start = match start_words {
        None => None,
        Some((line, words)) => start_state(&words, line, &states, &state_index, &p)?,
    };
    Ok(mdp.with_start(start).with_discount(discount))
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = "\
# a small example
discount: 0.95
values: reward
states: left mid right
actions: stay go
start: mid
T: stay identity
T: go : left : mid 1.0
T: go : mid
0.25 0.0 0.75
T: go : right uniform
T: go : right : right 0.5   # overrides single entries of the row
T: go : right : left 0.5
T: go : right : mid 0
R: * : * : * : * 1.0
";

    #[test]
    fn parses_all_statement_forms() {
        let m = parse(EXAMPLE, "x.mdp").unwrap();
        assert_eq!(m.n_states(), 3);
        assert_eq!(m.discount(), Some(0.95));
        assert_eq!(m.start(), Some(1));
        let go_mid = m.actions(1).find(|&a| m.action_name(a) == "go").unwrap();
        assert_eq!(m.successors(go_mid), (&[0u32, 2][..], &[0.25, 0.75][..]));
        let go_right = m.actions(2).find(|&a| m.action_name(a) == "go").unwrap();
        assert_eq!(m.successors(go_right), (&[0u32, 2][..], &[0.5, 0.5][..]));
        let stay_right = m.actions(2).find(|&a| m.action_name(a) == "stay").unwrap();
        assert_eq!(m.successors(stay_right), (&[2u32][..], &[1.0][..]));
        // Without the last override the row is (0.5, 1/3, 0.5); the error names the last statement that set it.
        let e = parse(&EXAMPLE.replace("T: go : right : mid 0\n", ""), "x.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("x.mdp:13:") && e.contains("sum to 1.33"), "{e}");
    }

    #[test]
    fn matrix_form_and_indices() {
        let m = parse("states: 2\nactions: 1\nT: 0\n0 1\n1 0\n", "m.mdp").unwrap();
        assert!(m.is_deterministic());
        assert_eq!(m.successor(0), 1);
        assert_eq!(m.successor(1), 0);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("states: 2\nactions: 1\nT: 0 : 0 : 5 1.0\n", "m.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.mdp:3:") && e.contains("unknown state '5'"), "{e}");
        let e = parse("states: 2\nactions: 1\nT: 0\n0 1\n1 x\n", "m.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.mdp:5:") && e.contains("'x'"), "{e}");
        let e = parse("states: 2\nactions: 1\nT: 0 : 0\n0.5 0.4\nT: 0 : 1 : 1 1\n", "m.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("m.mdp:3:") && e.contains("sum to 0.9"), "{e}");
        let e = parse("states: 2\nactions: 1\nT: 0 : 0 : 1 1\n", "m.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.contains("state '1', action '0': no transition"), "{e}");
    }
}

#[cfg(test)]
mod hardening_tests {
    use super::*;

    #[test]
    fn redeclaring_states_or_actions_is_an_error_with_the_line() {
        for (text, line, what) in [
            (
                "states: 2\nactions: 1\nT: 0 : 0 : 1 1\nT: 0 : 1 : 1 1\nstates: 3\n",
                5,
                "states",
            ),
            (
                "states: a b\nactions: x\nT: x : a : b 1\nT: x : b : b 1\nstates: c d\n",
                5,
                "states",
            ),
            ("states: 2\nactions: 1\nactions: 2\nT: 0 identity\n", 3, "actions"),
        ] {
            let e = parse(text, "r.mdp").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("r.mdp:{line}:")) && e.contains(&format!("'{what}:' is declared a second time")),
                "{e}"
            );
        }
    }

    #[test]
    fn counts_beyond_the_machine_are_errors_not_names() {
        let e = parse("states: 99999999999999999999999\nactions: 1\n", "c.mdp")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("c.mdp:1: states: the count 99999999999999999999999 is too large"),
            "{e}"
        );
    }

    #[test]
    fn start_statements_as_pomdp_solve_reads_them() {
        let base = "states: 3\nactions: 1\nT: 0 identity\n";
        let start = |s: &str| parse(&format!("{base}start: {s}\n"), "s.mdp").map(|m| m.start());
        assert_eq!(start("uniform").unwrap(), None);
        assert_eq!(start("2").unwrap(), Some(2));
        assert_eq!(start("0 1 0").unwrap(), Some(1));
        assert_eq!(start("0.5 0.5 0").unwrap(), None);
        for (bad, msg) in [
            ("0.5 0.5", "expected 3 probabilities (one per state), got 2"),
            ("0.25 0.25 0.25 0.25", "got 4"),
            ("0.5 0.2 0.2", "probabilities sum to 0.8"),
            ("nowhere", "unknown start state 'nowhere'"),
        ] {
            let e = start(bad).unwrap_err().to_string();
            assert!(e.starts_with("s.mdp:4:") && e.contains(msg), "{bad}: {e}");
        }
    }

    #[test]
    fn rows_within_pomdp_solve_tolerance_are_renormalised_with_a_note() {
        let text = "states: 3\nactions: 1\nT: 0\n0.333333 0.333333 0.333333\n0.333333 0.333333 0.333333\n0 0 1\n";
        let m = parse(text, "t.mdp").unwrap();
        let (_, p) = m.successors(0);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-15);
        assert_eq!(m.notes().len(), 1, "{:?}", m.notes());
        assert!(
            m.notes()[0].starts_with("t.mdp:3: 2 transition rows") && m.notes()[0].contains("renormalised"),
            "{:?}",
            m.notes()
        );
        // Exact decimal input that only rounds in binary gets no note.
        let m = parse(
            "states: 3\nactions: 1\nT: 0\n0.1 0.2 0.7\n0.1 0.2 0.7\n0.1 0.2 0.7\n",
            "q.mdp",
        )
        .unwrap();
        assert!(m.notes().is_empty(), "{:?}", m.notes());
        // Outside the tolerance it is still an error.
        let e = parse("states: 2\nactions: 1\nT: 0\n0.4999 0.5\n0 1\n", "o.mdp")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("o.mdp:3:") && e.contains("sum to 0.9999"), "{e}");
    }
}

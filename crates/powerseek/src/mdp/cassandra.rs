//! Cassandra's `.mdp` / `.pomdp` text format.
//!
//! Read: `discount`, `states`, `actions`, `observations`, `start` (a state,
//! `uniform`, one probability per state, or `start include:` /
//! `start exclude:` lists of states), and `T:` and `O:` in all their forms:
//!
//! ```text
//! T: <action> : <from> : <to> <prob>
//! T: <action> : <from>
//!    <prob> ... <prob>            (or: uniform)
//! T: <action>
//!    <N×N matrix>                 (or: uniform, identity)
//! ```
//!
//! `O:` has the same three forms with an observation in the last position
//! (`O: <action> : <end state> : <observation> <prob>`, a row of one
//! probability per observation, or an `|S| × |O|` matrix, `uniform` or
//! `identity`); it gives `O(o | s', a)`, the probability of observing `o`
//! after action `a` led to `s'`.
//!
//! `*` is a wildcard for any of the three positions; states, actions and
//! observations are referred to by name or by 0-based index. Later statements
//! override earlier ones. `values` and `R:` are accepted and ignored (POWER
//! takes rewards from a distribution, not from the file). `#` starts a comment.
//!
//! [`parse`] and [`load`] return the fully observed part (an [`Mdp`]);
//! [`parse_full`] also returns the observation model and the start belief,
//! which [`crate::mdp::pomdp`] turns into a POMDP.

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

/// Load a Cassandra file with its observation model and start belief (see [`parse_full`]).
pub fn load_full(path: &Path) -> Result<Parsed> {
    parse_full(&read_text(path)?, &path.display().to_string())
}

/// Everything a Cassandra file says that powerseek uses.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The fully observed part: states, actions, transitions, discount, start state.
    pub mdp: Mdp,
    /// The observation model, when the file declares `observations:`.
    pub observations: Option<ObservationTable>,
    /// The start belief (one probability per state), when the file has a `start` statement.
    pub start_belief: Option<Vec<f64>>,
}

/// `O(o | s', a)` as a dense table.
#[derive(Clone, Debug, PartialEq)]
pub struct ObservationTable {
    /// The observation names (numbers `"0"`, `"1"`, … when the file gave a count).
    pub names: Vec<String>,
    /// `probs[(a * n_states + s') * names.len() + o] = O(o | s', a)`, `a`
    /// the action's index in the file's `actions:` list; every `(a, s')`
    /// row sums to 1 (rows within [`ROW_SUM_TOLERANCE`] are renormalised).
    pub probs: Vec<f64>,
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

/// The start belief of `start: ...` (`words` follow the colon), as pomdp-solve
/// reads it: `uniform`, one probability per state, or a state name/index.
fn start_belief(
    words: &[String],
    line: usize,
    states: &[String],
    state_index: &HashMap<String, usize>,
    p: &Parser,
) -> Result<Vec<f64>> {
    let n = states.len();
    let point = |i: usize| {
        let mut b = vec![0.0; n];
        b[i] = 1.0;
        b
    };
    if let [w] = words {
        if w == "uniform" {
            return Ok(vec![1.0 / n as f64; n]);
        }
        if let Some(&i) = state_index.get(w.as_str()) {
            return Ok(point(i));
        }
        if let Some(i) = w.parse::<usize>().ok().filter(|&i| i < n) {
            return Ok(point(i));
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
    Ok(probs.iter().map(|x| x / total).collect())
}

/// The uniform belief over the states listed after `start include:` (or over
/// the states not listed after `start exclude:`).
fn start_set(
    words: &[Token],
    include: bool,
    line: usize,
    states: &[String],
    state_index: &HashMap<String, usize>,
    p: &Parser,
) -> Result<Vec<f64>> {
    let mut listed = vec![false; states.len()];
    for w in words {
        for i in resolve(w, states, state_index, "state", p)? {
            listed[i] = true;
        }
    }
    let chosen: Vec<bool> = listed.iter().map(|&l| l == include).collect();
    let k = chosen.iter().filter(|&&c| c).count();
    if k == 0 {
        return Err(p.err(line, "start: the start belief would give no state any probability"));
    }
    Ok(chosen.iter().map(|&c| if c { 1.0 / k as f64 } else { 0.0 }).collect())
}

/// The state of a belief that is a point mass, if it is one.
fn point_mass(belief: &[f64]) -> Option<usize> {
    belief.iter().position(|&x| (x - 1.0).abs() <= ROW_SUM_TOLERANCE)
}

/// The values of a row or matrix statement.
enum Fill {
    Uniform,
    Identity,
    Values(Vec<f64>),
}

/// What a `T:` or `O:` statement sets, after its action.
enum Target {
    /// `: row : col value`
    Entry {
        rows: Vec<usize>,
        cols: Vec<usize>,
        value: f64,
    },
    /// `: row` followed by one value per column (or `uniform`).
    Row { rows: Vec<usize>, fill: Fill },
    /// The whole matrix (`uniform`, `identity` or every value, row by row).
    Matrix(Fill),
}

/// Names of one index position of a statement and how to look them up.
struct Axis<'n> {
    names: &'n [String],
    index: &'n HashMap<String, usize>,
    what: &'static str,
}

impl<'n> Axis<'n> {
    fn new(names: &'n [String], index: &'n HashMap<String, usize>, what: &'static str) -> Self {
        Axis { names, index, what }
    }
}

/// Parse `<action> [: <row> [: <col> <value>]]` and the values that follow
/// (the keyword and its colon are already read).
fn matrix_statement(p: &mut Parser, acts: &Axis, rows: &Axis, cols: &Axis) -> Result<(Vec<usize>, Target)> {
    let at = p.next("an action")?;
    let a = resolve(&at, acts.names, acts.index, acts.what, p)?;
    let mut row = None;
    let mut col = None;
    if p.peek(0) == Some(":") {
        p.next(":")?;
        let rt = p.next(rows.what)?;
        row = Some(resolve(&rt, rows.names, rows.index, rows.what, p)?);
        if p.peek(0) == Some(":") {
            p.next(":")?;
            let ct = p.next(cols.what)?;
            col = Some(resolve(&ct, cols.names, cols.index, cols.what, p)?);
        }
    }
    let n_cols = cols.names.len();
    let target = match (row, col) {
        (Some(rows), Some(cols)) => Target::Entry {
            rows,
            cols,
            value: p.number()?,
        },
        (Some(rows), None) => {
            let fill = if p.peek(0) == Some("uniform") {
                p.next("uniform")?;
                Fill::Uniform
            } else {
                Fill::Values((0..n_cols).map(|_| p.number()).collect::<Result<_>>()?)
            };
            Target::Row { rows, fill }
        }
        _ => match p.peek(0) {
            Some("uniform") => {
                p.next("uniform")?;
                Target::Matrix(Fill::Uniform)
            }
            Some("identity") => {
                p.next("identity")?;
                Target::Matrix(Fill::Identity)
            }
            _ => Target::Matrix(Fill::Values(
                (0..rows.names.len() * n_cols)
                    .map(|_| p.number())
                    .collect::<Result<_>>()?,
            )),
        },
    };
    Ok((a, target))
}

/// Row `r` of a matrix of `n_cols` columns filled by `fill`, as (column, value) pairs without zeros.
fn fill_row(fill: &Fill, r: usize, n_cols: usize) -> Vec<(usize, f64)> {
    match fill {
        Fill::Uniform => (0..n_cols).map(|c| (c, 1.0 / n_cols as f64)).collect(),
        Fill::Identity => vec![(r, 1.0)],
        Fill::Values(v) => {
            let row = if v.len() == n_cols {
                &v[..]
            } else {
                &v[r * n_cols..(r + 1) * n_cols]
            };
            row.iter()
                .enumerate()
                .filter(|e| *e.1 != 0.0)
                .map(|(c, &x)| (c, x))
                .collect()
        }
    }
}

/// Check that every observation row sums to 1 and renormalise it.
fn check_observations(
    p: &Parser,
    table: &mut ObservationTable,
    row_line: &[usize],
    states: &[String],
    actions: &[String],
) -> Result<()> {
    let (n, k) = (states.len(), table.names.len());
    for (a, name) in actions.iter().enumerate() {
        for s in 0..n {
            let i = a * n + s;
            let row = &mut table.probs[i * k..(i + 1) * k];
            let total: f64 = row.iter().sum();
            let line = row_line[i];
            if line == 0 {
                return Err(p.err(
                    0,
                    format!(
                        "end state '{}', action '{name}': no observation probabilities given",
                        states[s]
                    ),
                ));
            }
            if let Some(bad) = row.iter().find(|x| **x < 0.0) {
                return Err(p.err(line, format!("observation probability {bad} is negative")));
            }
            if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
                return Err(p.err(
                    line,
                    format!(
                        "end state '{}', action '{name}': observation probabilities sum to {total}, not 1",
                        states[s]
                    ),
                ));
            }
            row.iter_mut().for_each(|x| *x /= total);
        }
    }
    Ok(())
}

/// Parse `.mdp`/`.pomdp` text; `origin` names the source in error messages.
/// Returns the fully observed part (see [`parse_full`] for the rest).
pub fn parse(text: &str, origin: &str) -> Result<Mdp> {
    parse_full(text, origin).map(|p| p.mdp)
}

/// Parse `.mdp`/`.pomdp` text with its observation model and start belief;
/// `origin` names the source in error messages.
pub fn parse_full(text: &str, origin: &str) -> Result<Parsed> {
    let mut p = Parser {
        origin,
        tokens: tokenize(text),
        pos: 0,
    };
    let mut discount = None;
    let mut states: Option<Vec<String>> = None;
    let mut actions: Option<Vec<String>> = None;
    let mut observations: Option<Vec<String>> = None;
    // The `start` statement: its line, and whether it is `include`/`exclude` (Some) or plain (None).
    let mut start_words: Option<(usize, Option<bool>, Vec<Token>)> = None;
    // rows[a * n + s] = sparse row; row_line = where it was last set.
    let mut rows: Vec<BTreeMap<usize, f64>> = Vec::new();
    let mut row_line: Vec<usize> = Vec::new();
    // O(o | s', a) dense, and where each (a, s') row was last set.
    let mut obs: Vec<f64> = Vec::new();
    let mut obs_line: Vec<usize> = Vec::new();
    // Entries stored in `rows`, to check the memory of dense statements first.
    let mut stored = 0.0;
    let mut state_index = HashMap::new();
    let mut action_index = HashMap::new();
    let mut observation_index = HashMap::new();
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
            "states" | "actions" | "observations" => {
                let declared = match kw.text {
                    "states" => &states,
                    "actions" => &actions,
                    _ => &observations,
                };
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
                match kw.text {
                    "states" => {
                        state_index = index;
                        states = Some(list);
                    }
                    "actions" => {
                        action_index = index;
                        actions = Some(list);
                    }
                    _ => {
                        observation_index = index;
                        observations = Some(list);
                    }
                }
            }
            "start" => {
                let set = match p.peek(0) {
                    Some(w @ ("include" | "exclude")) => {
                        p.next("include/exclude")?;
                        Some(w == "include")
                    }
                    _ => None,
                };
                p.expect_colon()?;
                let words = p.words();
                start_words = Some((kw.line, set, words));
            }
            "values" | "R" => {
                p.expect_colon()?;
                p.words();
            }
            "O" => {
                let (Some(sn), Some(an), Some(on)) = (&states, &actions, &observations) else {
                    return Err(p.err(
                        kw.line,
                        "O: before 'states:', 'actions:' and 'observations:' are declared",
                    ));
                };
                let (n, k) = (sn.len(), on.len());
                if obs.is_empty() {
                    crate::resources::check(8.0 * (n as f64) * (an.len() as f64) * (k as f64 + 1.0), || {
                        format!(
                            "{origin}: the observation table of {n} states × {} actions × {k} observations",
                            an.len()
                        )
                    })?;
                    obs = vec![0.0; n * an.len() * k];
                    obs_line = vec![0; n * an.len()];
                }
                p.expect_colon()?;
                let (acts, target) = matrix_statement(
                    &mut p,
                    &Axis::new(an, &action_index, "action"),
                    &Axis::new(sn, &state_index, "state"),
                    &Axis::new(on, &observation_index, "observation"),
                )?;
                if matches!(target, Target::Matrix(Fill::Identity)) && n != k {
                    return Err(p.err(
                        kw.line,
                        format!("O: identity needs as many observations as states ({k} ≠ {n})"),
                    ));
                }
                for &a in &acts {
                    let mut set_row = |s: usize, entries: &[(usize, f64)], keep: bool| {
                        let i = a * n + s;
                        let row = &mut obs[i * k..(i + 1) * k];
                        if !keep {
                            row.iter_mut().for_each(|x| *x = 0.0);
                        }
                        for &(o, v) in entries {
                            row[o] = v;
                        }
                        obs_line[i] = kw.line;
                    };
                    match &target {
                        Target::Entry { rows, cols, value } => {
                            let entries: Vec<(usize, f64)> = cols.iter().map(|&o| (o, *value)).collect();
                            rows.iter().for_each(|&s| set_row(s, &entries, true));
                        }
                        Target::Row { rows, fill } => {
                            let entries = fill_row(fill, 0, k);
                            rows.iter().for_each(|&s| set_row(s, &entries, false));
                        }
                        Target::Matrix(fill) => (0..n).for_each(|s| set_row(s, &fill_row(fill, s, k), false)),
                    }
                }
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
                let (acts, target) = matrix_statement(
                    &mut p,
                    &Axis::new(an, &action_index, "action"),
                    &Axis::new(sn, &state_index, "state"),
                    &Axis::new(sn, &state_index, "state"),
                )?;
                let line = kw.line;
                // Dense statements: check their memory before storing them.
                let dense = match &target {
                    Target::Entry { rows, cols, .. } => (rows.len() * cols.len()) as f64,
                    Target::Row {
                        rows,
                        fill: Fill::Uniform,
                    } => (rows.len() * n) as f64,
                    Target::Matrix(Fill::Uniform) => (n as f64) * (n as f64),
                    _ => 0.0,
                };
                check_rows(&p, n, an.len(), stored + acts.len() as f64 * dense)?;
                for &a in &acts {
                    let mut set_row = |s: usize, entries: Vec<(usize, f64)>, keep: bool| {
                        let row = &mut rows[a * n + s];
                        let before = row.len() as f64;
                        if !keep {
                            row.clear();
                        }
                        row.extend(entries);
                        stored += row.len() as f64 - before;
                        row_line[a * n + s] = line;
                    };
                    match &target {
                        Target::Entry { rows, cols, value } => {
                            for &s in rows {
                                set_row(s, cols.iter().map(|&t| (t, *value)).collect(), true);
                            }
                        }
                        Target::Row { rows, fill } => {
                            for &s in rows {
                                set_row(s, fill_row(fill, 0, n), false);
                            }
                        }
                        Target::Matrix(fill) => (0..n).for_each(|s| set_row(s, fill_row(fill, s, n), false)),
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
    let start_belief = match start_words {
        None => None,
        Some((line, None, words)) => {
            let words: Vec<String> = words.iter().map(|t| t.text.to_string()).collect();
            Some(start_belief(&words, line, &states, &state_index, &p)?)
        }
        Some((line, Some(include), words)) => Some(start_set(&words, include, line, &states, &state_index, &p)?),
    };
    let observations = match observations {
        None => None,
        Some(_) if obs.is_empty() => {
            return Err(p.err(0, "'observations:' is declared but there are no 'O:' statements"))
        }
        Some(names) => {
            let mut table = ObservationTable { names, probs: obs };
            check_observations(&p, &mut table, &obs_line, &states, &actions)?;
            Some(table)
        }
    };
    let start = start_belief.as_deref().and_then(point_mass);
    Ok(Parsed {
        mdp: mdp.with_start(start).with_discount(discount),
        observations,
        start_belief,
    })
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

#[cfg(test)]
mod observation_tests {
    use super::*;

    const BASE: &str = "states: a b\nactions: x y\nobservations: hi lo\nT: * identity\n";

    fn obs(text: &str) -> Result<ObservationTable> {
        parse_full(&format!("{BASE}{text}"), "o.pomdp").map(|p| p.observations.unwrap())
    }

    #[test]
    fn observation_statements_in_every_form() {
        // Matrix, then a row and single entries overriding it.
        let t = obs("O: x\n0.9 0.1\n0.2 0.8\nO: y uniform\nO: y : b\n1 0\nO: y : a : hi 0.25\nO: y : a : lo 0.75\n")
            .unwrap();
        assert_eq!(t.names, ["hi", "lo"]);
        // [(a * n + s') * k + o]
        assert_eq!(t.probs, [0.9, 0.1, 0.2, 0.8, 0.25, 0.75, 1.0, 0.0]);
        let t = obs("O: * identity\n").unwrap();
        assert_eq!(t.probs, [1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0]);
        let t = obs("O: * : * uniform\n").unwrap();
        assert!(t.probs.iter().all(|&p| p == 0.5));
        // Indices work for observations too.
        let t = obs("O: * : * : 1 1\n").unwrap();
        assert_eq!(t.probs, [0.0, 1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0]);
    }

    #[test]
    fn observation_errors_name_the_line() {
        for (text, line, msg) in [
            (
                "O: x\n0.9 0.2\n0.2 0.8\nO: y uniform\n",
                5,
                "end state 'a', action 'x': observation probabilities sum to 1.1",
            ),
            ("O: * uniform\nO: x : a : maybe 1\n", 6, "unknown observation 'maybe'"),
            ("O: * uniform\nO: z uniform\n", 6, "unknown action 'z'"),
            ("O: x : a\n0.5 x\n", 6, "expected a number, found 'x'"),
            ("O: * : * : hi -0.5\nO: * : * : lo 1.5\n", 6, "negative"),
        ] {
            let e = obs(text).unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("o.pomdp:{line}:")) && e.contains(msg),
                "{text}: {e}"
            );
        }
        let e = obs("O: x uniform\n").unwrap_err().to_string();
        assert!(
            e.contains("end state 'a', action 'y': no observation probabilities given"),
            "{e}"
        );
        let e = parse_full(
            "states: 2\nactions: 1\nO: 0 uniform\nobservations: 2\nT: 0 identity\n",
            "p.pomdp",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("p.pomdp:3:") && e.contains("before 'states:', 'actions:' and 'observations:'"),
            "{e}"
        );
        let e = parse_full(
            "states: 2\nactions: 1\nobservations: 3\nT: 0 identity\nO: 0 identity\n",
            "p.pomdp",
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.starts_with("p.pomdp:5:") && e.contains("identity needs as many observations as states"),
            "{e}"
        );
        let e = parse_full("states: 2\nactions: 1\nobservations: 2\nT: 0 identity\n", "p.pomdp")
            .unwrap_err()
            .to_string();
        assert!(e.contains("no 'O:' statements"), "{e}");
        // An MDP file has no observation model.
        assert!(parse_full("states: 2\nactions: 1\nT: 0 identity\n", "m.mdp")
            .unwrap()
            .observations
            .is_none());
    }

    #[test]
    fn start_beliefs() {
        let base = "states: a b c\nactions: x\nT: x identity\n";
        let belief = |s: &str| parse_full(&format!("{base}{s}\n"), "s.pomdp").map(|p| (p.start_belief, p.mdp.start()));
        assert_eq!(belief("start: 0.2 0.3 0.5").unwrap(), (Some(vec![0.2, 0.3, 0.5]), None));
        assert_eq!(belief("start: uniform").unwrap().0.unwrap(), vec![1.0 / 3.0; 3]);
        assert_eq!(belief("start: c").unwrap(), (Some(vec![0.0, 0.0, 1.0]), Some(2)));
        assert_eq!(belief("start include: a c").unwrap(), (Some(vec![0.5, 0.0, 0.5]), None));
        assert_eq!(
            belief("start exclude: a c").unwrap(),
            (Some(vec![0.0, 1.0, 0.0]), Some(1))
        );
        assert_eq!(belief("").unwrap(), (None, None));
        let e = belief("start include: a d").unwrap_err().to_string();
        assert!(e.starts_with("s.pomdp:4:") && e.contains("unknown state 'd'"), "{e}");
        let e = belief("start exclude: a b c").unwrap_err().to_string();
        assert!(
            e.starts_with("s.pomdp:4:") && e.contains("no state any probability"),
            "{e}"
        );
    }
}

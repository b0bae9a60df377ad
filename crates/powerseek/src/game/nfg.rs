//! Gambit's `.nfg` format, both versions, read and written.
//!
//! ```text
//! NFG 1 R "title" { "Player 1" "Player 2" } { 2 2 }      ← action counts, or
//! NFG 1 R "title" { "P1" "P2" } { { "a" "b" } { "c" "d" } }  ← action names
//! "optional comment"
//! 1 2 3 4 5 6 7 8                                          ← payoff version: every profile's payoffs
//! ```
//!
//! or, in the outcome version, a list of outcomes followed by the outcome of
//! each profile (1-based; 0 is the null outcome, all payoffs zero):
//!
//! ```text
//! { { "" 9, 9 } { "" 10, 0 } { "" 0, 10 } { "" 1, 1 } }
//! 1 2 3 4
//! ```
//!
//! Profiles are listed with player 1's action changing fastest. Numbers may be
//! integers, decimals or fractions (`5/2`) and are read exactly; strings may
//! contain `\"`. Errors name the line and the token.

use std::path::Path;

use super::{format_rational, parse_rational, NormalFormGame, Rational};
use crate::error::{read_text, Error, Result};

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Tok {
    Open,
    Close,
    Comma,
    Str(String),
    Word(String),
}

pub(super) struct Lexer<'a> {
    origin: &'a str,
    tokens: Vec<(Tok, usize)>,
    pos: usize,
}

pub(super) fn lex<'a>(text: &str, origin: &'a str) -> Result<Lexer<'a>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    let mut line = 1;
    while let Some(&c) = chars.peek() {
        match c {
            '\n' => {
                line += 1;
                chars.next();
            }
            c if c.is_whitespace() => {
                chars.next();
            }
            '{' | '}' | ',' => {
                chars.next();
                tokens.push((
                    match c {
                        '{' => Tok::Open,
                        '}' => Tok::Close,
                        _ => Tok::Comma,
                    },
                    line,
                ));
            }
            '"' => {
                let start = line;
                chars.next();
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err(Error::parse(origin, start, "unterminated string")),
                        Some('\\') => match chars.next() {
                            Some(e) => s.push(e),
                            None => return Err(Error::parse(origin, start, "unterminated string")),
                        },
                        Some('"') => break,
                        Some(ch) => {
                            if ch == '\n' {
                                line += 1;
                            }
                            s.push(ch)
                        }
                    }
                }
                tokens.push((Tok::Str(s), start));
            }
            _ => {
                let mut w = String::new();
                while let Some(&ch) = chars.peek() {
                    if ch.is_whitespace() || matches!(ch, '{' | '}' | ',' | '"') {
                        break;
                    }
                    w.push(ch);
                    chars.next();
                }
                tokens.push((Tok::Word(w), line));
            }
        }
    }
    Ok(Lexer { origin, tokens, pos: 0 })
}

pub(super) fn describe(t: &Tok) -> String {
    match t {
        Tok::Open => "'{'".into(),
        Tok::Close => "'}'".into(),
        Tok::Comma => "','".into(),
        Tok::Str(s) => format!("string \"{s}\""),
        Tok::Word(w) => format!("'{w}'"),
    }
}

impl Lexer<'_> {
    pub(super) fn line(&self) -> usize {
        self.tokens.get(self.pos).or(self.tokens.last()).map_or(1, |t| t.1)
    }
    pub(super) fn peek(&self) -> Option<&Tok> {
        self.tokens.get(self.pos).map(|t| &t.0)
    }
    pub(super) fn err(&self, msg: impl Into<String>) -> Error {
        Error::parse(self.origin, self.line(), msg)
    }
    pub(super) fn next(&mut self, what: &str) -> Result<Tok> {
        let t = self
            .tokens
            .get(self.pos)
            .map(|t| t.0.clone())
            .ok_or_else(|| self.err(format!("unexpected end of file: expected {what}")))?;
        self.pos += 1;
        Ok(t)
    }
    pub(super) fn expect(&mut self, want: Tok) -> Result<()> {
        let line = self.line();
        let t = self.next(&describe(&want))?;
        if t != want {
            return Err(Error::parse(
                self.origin,
                line,
                format!("expected {} but found {}", describe(&want), describe(&t)),
            ));
        }
        Ok(())
    }
    pub(super) fn string(&mut self, what: &str) -> Result<String> {
        let line = self.line();
        match self.next(what)? {
            Tok::Str(s) => Ok(s),
            t => Err(Error::parse(
                self.origin,
                line,
                format!("expected {what} (a quoted string) but found {}", describe(&t)),
            )),
        }
    }
    pub(super) fn number(&mut self, what: &str) -> Result<Rational> {
        let line = self.line();
        match self.next(what)? {
            Tok::Word(w) => parse_rational(&w).map_err(|e| Error::parse(self.origin, line, format!("{what}: {e}"))),
            t => Err(Error::parse(
                self.origin,
                line,
                format!("expected {what} but found {}", describe(&t)),
            )),
        }
    }
    pub(super) fn integer(&mut self, what: &str) -> Result<usize> {
        let line = self.line();
        match self.next(what)? {
            Tok::Word(w) => w.parse().map_err(|_| {
                Error::parse(
                    self.origin,
                    line,
                    format!("{what}: '{w}' is not a non-negative integer"),
                )
            }),
            t => Err(Error::parse(
                self.origin,
                line,
                format!("expected {what} but found {}", describe(&t)),
            )),
        }
    }
}

/// The common start of Gambit's files: `MAGIC version R|D "title" { "player" ... }`.
pub(super) fn header(lx: &mut Lexer, origin: &str, magic: &str, version: usize) -> Result<(String, Vec<String>)> {
    match lx.next(&format!("'{magic}'"))? {
        Tok::Word(w) if w == magic => {}
        t => {
            return Err(Error::parse(
                origin,
                1,
                format!("expected '{magic}' at the start of the file but found {}", describe(&t)),
            ))
        }
    }
    let found = lx.integer("the format version")?;
    if found != version {
        return Err(lx.err(format!(
            "unsupported .{} version {found} (expected {version})",
            magic.to_lowercase()
        )));
    }
    match lx.next("'R' or 'D'")? {
        Tok::Word(w) if w == "R" || w == "D" => {}
        t => return Err(lx.err(format!("expected 'R' or 'D' but found {}", describe(&t)))),
    }
    let title = lx.string("the title")?;
    lx.expect(Tok::Open)?;
    let mut players = Vec::new();
    while lx.peek() != Some(&Tok::Close) {
        players.push(lx.string("a player name")?);
    }
    lx.expect(Tok::Close)?;
    Ok((title, players))
}

/// Load a `.nfg` file.
pub fn load(path: &Path) -> Result<NormalFormGame> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse `.nfg` text; `origin` names the source in error messages.
pub fn parse(text: &str, origin: &str) -> Result<NormalFormGame> {
    let mut lx = lex(text, origin)?;
    let (title, players) = header(&mut lx, origin, "NFG", 1)?;
    if players.is_empty() {
        return Err(lx.err("the game has no players"));
    }
    lx.expect(Tok::Open)?;
    let mut actions: Vec<Vec<String>> = Vec::new();
    if lx.peek() == Some(&Tok::Open) {
        while lx.peek() == Some(&Tok::Open) {
            lx.next("'{'")?;
            let mut names = Vec::new();
            while lx.peek() != Some(&Tok::Close) {
                names.push(lx.string("an action name")?);
            }
            lx.expect(Tok::Close)?;
            actions.push(names);
        }
    } else {
        while lx.peek() != Some(&Tok::Close) {
            let k = lx.integer("a number of actions")?;
            if k > 1_000_000 {
                return Err(lx.err(format!(
                    "{k} actions for one player is more than this reader accepts (10^6)"
                )));
            }
            actions.push((1..=k).map(|a| a.to_string()).collect());
        }
    }
    lx.expect(Tok::Close)?;
    if actions.len() != players.len() {
        return Err(lx.err(format!("{} players but {} action lists", players.len(), actions.len())));
    }
    if let Some(i) = actions.iter().position(|a| a.is_empty()) {
        return Err(lx.err(format!("player \"{}\" has no actions", players[i])));
    }
    let comment = if let Some(Tok::Str(_)) = lx.peek() {
        lx.string("a comment")?
    } else {
        String::new()
    };
    let n = players.len();
    let shape: Vec<usize> = actions.iter().map(Vec::len).collect();
    let profiles = super::profile_count(&shape).map_err(|e| lx.err(e.to_string()))?;
    let payoffs = if lx.peek() == Some(&Tok::Open) {
        // Outcome version.
        lx.next("'{'")?;
        let mut outcomes: Vec<Vec<Rational>> = Vec::new();
        while lx.peek() == Some(&Tok::Open) {
            lx.next("'{'")?;
            lx.string("an outcome name")?;
            let mut pay = Vec::with_capacity(n);
            while lx.peek() != Some(&Tok::Close) {
                if lx.peek() == Some(&Tok::Comma) {
                    lx.next(",")?;
                    continue;
                }
                pay.push(lx.number("an outcome payoff")?);
            }
            if pay.len() != n {
                return Err(lx.err(format!(
                    "outcome {} has {} payoffs; the game has {n} players",
                    outcomes.len() + 1,
                    pay.len()
                )));
            }
            lx.expect(Tok::Close)?;
            outcomes.push(pay);
        }
        lx.expect(Tok::Close)?;
        let mut payoffs = Vec::with_capacity(profiles * n);
        for p in 0..profiles {
            let line = lx.line();
            let k = lx.integer(&format!("the outcome of profile {}", p + 1))?;
            match k {
                0 => payoffs.extend(std::iter::repeat_n(Rational::from_integer(0.into()), n)),
                k if k <= outcomes.len() => payoffs.extend(outcomes[k - 1].iter().cloned()),
                k => {
                    return Err(Error::parse(
                        origin,
                        line,
                        format!(
                            "profile {} refers to outcome {k}, but only {} are defined",
                            p + 1,
                            outcomes.len()
                        ),
                    ))
                }
            }
        }
        payoffs
    } else {
        let mut payoffs = Vec::with_capacity(profiles * n);
        for k in 0..profiles * n {
            if lx.peek().is_none() {
                return Err(lx.err(format!(
                    "expected {} payoffs ({profiles} profiles × {n} players), found {k}",
                    profiles * n
                )));
            }
            payoffs.push(lx.number("a payoff")?);
        }
        payoffs
    };
    if let Some(t) = lx.peek() {
        return Err(lx.err(format!(
            "unexpected {} after the last payoff (too many payoffs?)",
            describe(t)
        )));
    }
    let mut game =
        NormalFormGame::new(title, players, actions, payoffs).map_err(|e| Error::parse(origin, 0, e.to_string()))?;
    game.comment = comment;
    Ok(game)
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// How [`write_with`] writes the header of a `.nfg` file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NfgHeader {
    /// Action names and the comment, as Gambit writes them: [`parse`] and
    /// Gambit read the game back exactly, names included.
    #[default]
    Names,
    /// Action counts and no comment line: the form OpenSpiel's `.nfg` loader
    /// reads (it accepts neither named strategies nor a comment). The action
    /// names and the comment are not written (reading the file back names
    /// actions `1`, `2`, …); payoffs stay exact (`p/q`, which OpenSpiel reads
    /// as the nearest float).
    Counts,
}

/// Write a game in the payoff version of the format, with action names.
pub fn write(game: &NormalFormGame) -> String {
    write_with(game, NfgHeader::Names)
}

/// Write a game in the payoff version of the format, with the header `header`.
pub fn write_with(game: &NormalFormGame, header: NfgHeader) -> String {
    let mut out = format!("NFG 1 R {} {{ ", quote(&game.title));
    for p in game.players() {
        out.push_str(&quote(p));
        out.push(' ');
    }
    match header {
        NfgHeader::Names => {
            out.push_str("}\n\n{ ");
            for i in 0..game.n_players() {
                out.push_str("{ ");
                for a in game.actions(i) {
                    out.push_str(&quote(a));
                    out.push(' ');
                }
                out.push_str("}\n");
            }
            out.push_str("}\n");
            out.push_str(&quote(&game.comment));
            out.push('\n');
        }
        NfgHeader::Counts => {
            out.push_str("} { ");
            for k in game.shape() {
                out.push_str(&format!("{k} "));
            }
            out.push_str("}\n");
        }
    }
    out.push('\n');
    let n = game.n_players();
    for (k, chunk) in game.payoffs().chunks(n).enumerate() {
        let line: Vec<String> = chunk.iter().map(format_rational).collect();
        out.push_str(&line.join(" "));
        out.push(if k % 4 == 3 { '\n' } else { ' ' });
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_agree_and_round_trip() {
        let outcome = "NFG 1 R \"PD \\\"classic\\\"\" { \"Player 1\" \"Player 2\" }\n\n{ { \"C\" \"D\" }\n{ \"C\" \"D\" }\n}\n\"\"\n\n{\n{ \"\" 2, 2 }\n{ \"\" 3, 0 }\n{ \"\" 0, 3 }\n{ \"\" 1, 1 }\n}\n1 2 3 4\n";
        let payoff = "NFG 1 R \"PD\" { \"Player 1\" \"Player 2\" } { 2 2 }\n2 2 3 0 0 3 1 1\n";
        let a = parse(outcome, "a.nfg").unwrap();
        let b = parse(payoff, "b.nfg").unwrap();
        assert_eq!(a.title, "PD \"classic\"");
        assert_eq!(a.payoffs(), b.payoffs());
        let again = parse(&write(&a), "w.nfg").unwrap();
        assert_eq!(again, a);
    }

    #[test]
    fn count_headers_drop_names_and_comment_and_keep_payoffs() {
        let named = "NFG 1 R \"x\" { \"A\" \"B\" }\n{ { \"u\" \"d\" } { \"l\" \"c\" \"r\" } }\n\"note\"\n\
                     1/3 -2 3 4 5 6 7 8 9 10 11 -12/7\n";
        let g = parse(named, "n.nfg").unwrap();
        let text = write_with(&g, NfgHeader::Counts);
        let first_line = text.lines().next().unwrap();
        assert_eq!(first_line, "NFG 1 R \"x\" { \"A\" \"B\" } { 2 3 }");
        assert!(!text.contains("note") && !text.contains("\"u\""), "{text}");
        let back = parse(&text, "c.nfg").unwrap();
        assert_eq!(back.payoffs(), g.payoffs());
        assert_eq!(back.players(), g.players());
        assert_eq!(back.actions(1), ["1", "2", "3"]);
        assert_eq!(back.comment, "");
        // The only strings are the title and the player names: no comment line.
        assert_eq!(text.matches('"').count(), 6, "{text}");
    }

    #[test]
    fn errors_name_line_and_token() {
        let cases = [
            (
                "NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 2 3\n4 5 six 7 8\n",
                ":3:",
                "'six' is not a number",
            ),
            (
                "NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 2 3 4 5 6\n",
                ":2:",
                "expected 8 payoffs",
            ),
            (
                "NFG 1 R \"x\" { \"a\" \"b\" } { 2 2 }\n1 2 3 4 5 6 7 8 9\n",
                ":2:",
                "after the last payoff",
            ),
            ("NFG 2 R \"x\"", ":1:", "unsupported .nfg version 2"),
            (
                "NFG 1 R \"x\" { \"a\" } { 2 2 }\n",
                ":1:",
                "1 players but 2 action lists",
            ),
            ("NFG 1 R \"x { \"a\" }", ":1:", "unterminated string"),
            ("GAME", ":1:", "expected 'NFG'"),
            (
                "NFG 1 R \"x\" { \"a\" \"b\" } { 1 1 }\n{ { \"\" 1, 2 } }\n2\n",
                ":3:",
                "refers to outcome 2",
            ),
            (
                "NFG 1 R \"x\" { \"a\" \"b\" } { 99999 99999 }\n",
                ":1:",
                "too many pure profiles",
            ),
        ];
        for (text, line, msg) in cases {
            let e = parse(text, "g.nfg").unwrap_err().to_string();
            assert!(e.starts_with(&format!("g.nfg{line}")) && e.contains(msg), "{e}");
        }
    }
}

//! One-stage Bayesian games written in Gambit's extensive-form `.efg` format:
//! chance moves at the top draw the type profile, then every player moves
//! exactly once, at an information set that stands for its type (as in
//! Gambit's `bayes1a.efg`). The tree becomes a [`BayesianGame`] whose types
//! are the information sets; when several chance paths lead to the same type
//! profile, payoffs are their conditional expectation. Trees that are not of
//! this shape (a player moving twice, chance after a player) are rejected with
//! the reason.

use std::collections::HashMap;
use std::path::Path;

use num_traits::Zero;

use super::bayesian::BayesianGame;
use super::nfg::{describe, header, lex, Lexer, Tok};
use super::Rational;
use crate::error::{read_text, Error, Result};

/// A node of the tree, stored in one list in file order (so trees of any
/// depth are read, walked and freed without recursion); `children` index it.
struct Node {
    kind: Kind,
    outcome: usize,
    children: Vec<usize>,
}

enum Kind {
    /// The branches' probabilities, one per child.
    Chance(Vec<Rational>),
    Player {
        player: usize,
        infoset: usize,
    },
    Terminal,
}

/// Per player, per information set number: (name, action labels).
type Infosets = Vec<HashMap<usize, (String, Vec<String>)>>;

struct Tree {
    players: Vec<String>,
    infosets: Infosets,
    outcomes: HashMap<usize, Vec<Rational>>,
}

fn optional_string(lx: &mut Lexer) -> Result<Option<String>> {
    Ok(if let Some(Tok::Str(_)) = lx.peek() {
        Some(lx.string("a name")?)
    } else {
        None
    })
}

/// `{ "a" "b" }`, or with chance probabilities `{ "a" 1/2 "b" 1/2 }`.
fn labels(lx: &mut Lexer, chance: bool) -> Result<Vec<(String, Option<Rational>)>> {
    lx.expect(Tok::Open)?;
    let mut out = Vec::new();
    while lx.peek() != Some(&Tok::Close) {
        let name = lx.string("an action label")?;
        let p = if chance {
            Some(lx.number("a chance probability")?)
        } else {
            None
        };
        out.push((name, p));
    }
    if out.is_empty() {
        return Err(lx.err("a move needs at least one action (an empty '{ }' ends no play)"));
    }
    lx.expect(Tok::Close)?;
    Ok(out)
}

/// An outcome number, and its name and payoffs when given here.
fn outcome(lx: &mut Lexer, tree: &mut Tree) -> Result<usize> {
    let id = lx.integer("an outcome number")?;
    // An optional outcome name, then optionally the payoffs.
    optional_string(lx)?;
    if lx.peek() == Some(&Tok::Open) {
        lx.next("'{'")?;
        let mut pay = Vec::new();
        while lx.peek() != Some(&Tok::Close) {
            if lx.peek() == Some(&Tok::Comma) {
                lx.next(",")?;
                continue;
            }
            pay.push(lx.number("an outcome payoff")?);
        }
        lx.expect(Tok::Close)?;
        if pay.len() != tree.players.len() {
            return Err(lx.err(format!(
                "outcome {id} has {} payoffs for {} players",
                pay.len(),
                tree.players.len()
            )));
        }
        tree.outcomes.insert(id, pay);
    }
    if id != 0 && !tree.outcomes.contains_key(&id) {
        return Err(lx.err(format!("outcome {id} is used before its payoffs are given")));
    }
    Ok(id)
}

/// Every node of the tree, root first, in the file's (depth-first) order.
fn read_tree(lx: &mut Lexer, tree: &mut Tree) -> Result<Vec<Node>> {
    let mut nodes: Vec<Node> = Vec::new();
    // Nodes whose children are still being read, with how many are left.
    let mut open: Vec<(usize, usize)> = Vec::new();
    loop {
        let (kind, outcome, children) = node(lx, tree)?;
        let id = nodes.len();
        nodes.push(Node {
            kind,
            outcome,
            children: Vec::with_capacity(children),
        });
        if let Some((parent, left)) = open.last_mut() {
            nodes[*parent].children.push(id);
            *left -= 1;
        }
        if children > 0 {
            open.push((id, children));
        }
        while open.last().is_some_and(|o| o.1 == 0) {
            open.pop();
        }
        if open.is_empty() {
            return Ok(nodes);
        }
    }
}

/// One node's line: its kind, outcome and number of children (read next).
fn node(lx: &mut Lexer, tree: &mut Tree) -> Result<(Kind, usize, usize)> {
    let kind = match lx.next("a node ('c', 'p' or 't')")? {
        Tok::Word(w) => w,
        t => {
            return Err(lx.err(format!(
                "expected a node type ('c', 'p' or 't') but found {}",
                describe(&t)
            )))
        }
    };
    lx.string("a node name")?;
    match kind.as_str() {
        "t" => Ok((Kind::Terminal, outcome(lx, tree)?, 0)),
        "c" => {
            let _infoset = lx.integer("a chance information set number")?;
            optional_string(lx)?;
            let branches = labels(lx, true)?;
            let outcome = outcome(lx, tree)?;
            let total = branches
                .iter()
                .fold(Rational::zero(), |a, b| a + b.1.clone().unwrap_or_else(Rational::zero));
            if total != Rational::from_integer(1.into())
                || branches
                    .iter()
                    .any(|b| b.1.as_ref().is_some_and(|p| *p < Rational::zero()))
            {
                return Err(lx.err(format!(
                    "chance probabilities must be non-negative and sum to 1 (they sum to {total})"
                )));
            }
            let probs: Vec<Rational> = branches
                .into_iter()
                .map(|b| b.1.unwrap_or_else(Rational::zero))
                .collect();
            let k = probs.len();
            Ok((Kind::Chance(probs), outcome, k))
        }
        "p" => {
            let player = lx.integer("a player number")?;
            if player == 0 || player > tree.players.len() {
                return Err(lx.err(format!(
                    "player {player} does not exist ({} players)",
                    tree.players.len()
                )));
            }
            let infoset = lx.integer("an information set number")?;
            let name = optional_string(lx)?;
            let actions: Option<Vec<String>> = if lx.peek() == Some(&Tok::Open) {
                Some(labels(lx, false)?.into_iter().map(|a| a.0).collect())
            } else {
                None
            };
            let known = tree.infosets[player - 1].get(&infoset).cloned();
            let actions = match (actions, known) {
                (Some(a), Some((_, k))) if a != k => {
                    return Err(lx.err(format!(
                        "information set {infoset} of player {player} has different actions at different nodes"
                    )))
                }
                (Some(a), known) => {
                    let name = name
                        .or(known.map(|k| k.0))
                        .unwrap_or_else(|| format!("({player},{infoset})"));
                    tree.infosets[player - 1].insert(infoset, (name, a.clone()));
                    a
                }
                (None, Some((_, k))) => k,
                (None, None) => {
                    return Err(lx.err(format!(
                        "information set {infoset} of player {player} is used before its actions are given"
                    )))
                }
            };
            let outcome = outcome(lx, tree)?;
            Ok((
                Kind::Player {
                    player: player - 1,
                    infoset,
                },
                outcome,
                actions.len(),
            ))
        }
        other => Err(lx.err(format!("unknown node type '{other}' (expected 'c', 'p' or 't')"))),
    }
}

/// Load a `.efg` file describing a one-stage Bayesian game (see the module
/// docs for the shape accepted); errors name the file and line.
pub fn load(path: &Path) -> Result<BayesianGame> {
    parse(&read_text(path)?, &path.display().to_string())
}

/// Parse `.efg` text describing a one-stage Bayesian game.
pub fn parse(text: &str, origin: &str) -> Result<BayesianGame> {
    let mut lx = lex(text, origin)?;
    let (title, players) = header(&mut lx, origin, "EFG", 2)?;
    optional_string(&mut lx)?; // comment
    let n = players.len();
    let mut tree = Tree {
        players,
        infosets: vec![HashMap::new(); n],
        outcomes: HashMap::new(),
    };
    let nodes = read_tree(&mut lx, &mut tree)?;
    if let Some(t) = lx.peek() {
        return Err(lx.err(format!("unexpected {} after the end of the tree", describe(t))));
    }
    to_bayesian(title, &tree, &nodes).map_err(|e| Error::parse(origin, 0, e.to_string()))
}

/// One root-to-leaf path: its chance probability, each player's (infoset, action), payoffs.
struct Play {
    probability: Rational,
    moves: Vec<Option<(usize, usize)>>,
    payoffs: Vec<Rational>,
}

/// Every root-to-leaf play, depth first in child order (an explicit stack,
/// so the depth of the tree does not matter).
fn walk(tree: &Tree, nodes: &[Node]) -> Result<Vec<Play>> {
    let n = tree.players.len();
    let add = |mut pay: Vec<Rational>, outcome: usize| {
        if let Some(o) = tree.outcomes.get(&outcome) {
            pay.iter_mut().zip(o).for_each(|(p, x)| *p += x);
        }
        pay
    };
    let mut out = Vec::new();
    type Pending = (usize, Rational, Vec<Option<(usize, usize)>>, Vec<Rational>);
    let mut stack: Vec<Pending> = vec![(
        0,
        Rational::from_integer(1.into()),
        vec![None; n],
        vec![Rational::zero(); n],
    )];
    while let Some((id, probability, moves, payoffs)) = stack.pop() {
        let node = &nodes[id];
        let payoffs = add(payoffs, node.outcome);
        match &node.kind {
            Kind::Terminal => {
                if moves.iter().any(Option::is_none) {
                    return Err(Error::invalid(
                        "not a one-stage Bayesian game: some player does not move on every play",
                    ));
                }
                out.push(Play {
                    probability,
                    moves,
                    payoffs,
                });
            }
            Kind::Chance(probs) => {
                if moves.iter().any(Option::is_some) {
                    return Err(Error::invalid(
                        "not a one-stage Bayesian game: a chance move follows a player's move",
                    ));
                }
                for (p, &child) in probs.iter().zip(&node.children).rev() {
                    stack.push((child, &probability * p, moves.clone(), payoffs.clone()));
                }
            }
            Kind::Player { player, infoset } => {
                if moves[*player].is_some() {
                    return Err(Error::invalid(format!(
                        "not a one-stage Bayesian game: player '{}' moves twice on one play",
                        tree.players[*player]
                    )));
                }
                for (a, &child) in node.children.iter().enumerate().rev() {
                    let mut m = moves.clone();
                    m[*player] = Some((*infoset, a));
                    stack.push((child, probability.clone(), m, payoffs.clone()));
                }
            }
        }
    }
    Ok(out)
}

fn to_bayesian(title: String, tree: &Tree, nodes: &[Node]) -> Result<BayesianGame> {
    let n = tree.players.len();
    let plays = walk(tree, nodes)?;
    // Types: each player's information sets, in number order.
    let mut type_ids: Vec<Vec<usize>> = tree.infosets.iter().map(|m| m.keys().copied().collect()).collect();
    type_ids.iter_mut().for_each(|v| v.sort_unstable());
    let types: Vec<Vec<String>> = (0..n)
        .map(|i| type_ids[i].iter().map(|id| tree.infosets[i][id].0.clone()).collect())
        .collect();
    let mut actions = Vec::with_capacity(n);
    for i in 0..n {
        let Some(first_id) = type_ids[i].first() else {
            return Err(Error::invalid(format!(
                "not a one-stage Bayesian game: player '{}' never moves",
                tree.players[i]
            )));
        };
        let first = &tree.infosets[i][first_id].1;
        if type_ids[i].iter().any(|id| tree.infosets[i][id].1 != *first) {
            return Err(Error::invalid(format!(
                "player '{}' has different action labels at different information sets",
                tree.players[i]
            )));
        }
        actions.push(first.clone());
    }
    let ts: Vec<usize> = types.iter().map(Vec::len).collect();
    let as_: Vec<usize> = actions.iter().map(Vec::len).collect();
    let index = super::mixed_radix_index;
    let n_types: usize = ts.iter().product();
    let n_actions: usize = as_.iter().product();
    // Each play is one action profile; the chance mass of a type profile is
    // counted once per action profile, so divide by their number.
    let mut prior = vec![Rational::zero(); n_types];
    let mut weighted = vec![Rational::zero(); n_types * n_actions * n];
    let per_profile = Rational::from_integer((n_actions as i64).into());
    for play in &plays {
        let t: Vec<usize> = (0..n)
            .map(|i| {
                type_ids[i]
                    .binary_search(&play.moves[i].expect("checked").0)
                    .expect("known infoset")
            })
            .collect();
        let a: Vec<usize> = play.moves.iter().map(|m| m.expect("checked").1).collect();
        let (ti, ai) = (index(&t, &ts), index(&a, &as_));
        prior[ti] += &play.probability / &per_profile;
        for i in 0..n {
            weighted[(ti * n_actions + ai) * n + i] += &play.probability * &play.payoffs[i];
        }
    }
    // Conditional expectation of payoffs given the type profile.
    let payoffs = weighted
        .into_iter()
        .enumerate()
        .map(|(k, w)| {
            let t = k / (n_actions * n);
            if prior[t].is_zero() {
                Rational::zero()
            } else {
                w / &prior[t]
            }
        })
        .collect();
    BayesianGame::new(title, tree.players.clone(), types, actions, prior, payoffs)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A chain of `depth` one-branch chance moves above one player's move.
    fn chain(depth: usize) -> String {
        let mut t = String::from("EFG 2 R \"chain\" { \"P\" }\n\"\"\n");
        for _ in 0..depth {
            t.push_str("c \"\" 1 \"\" { \"x\" 1 } 0\n");
        }
        t.push_str("p \"\" 1 1 \"\" { \"a\" \"b\" } 0\nt \"\" 1 \"\" { 1 }\nt \"\" 2 \"\" { 2 }\n");
        t
    }

    #[test]
    fn empty_moves_and_absent_players_are_errors() {
        let e = parse("EFG 2 R \"t\" { \"A\" \"B\" }\n\"\"\np \"\" 1 1 \"\" { } 0\n", "e.efg")
            .err()
            .unwrap()
            .to_string();
        assert!(e.starts_with("e.efg:3: a move needs at least one action"), "{e}");
        let e = parse(
            "EFG 2 R \"t\" { \"A\" \"B\" }\n\"\"\np \"\" 1 1 \"\" { \"a\" } 0\nt \"\" 1 \"\" { 1, 2 }\n",
            "b.efg",
        )
        .err()
        .unwrap()
        .to_string();
        assert!(e.contains("b.efg") && e.contains("does not move"), "{e}");
    }

    #[test]
    fn deep_trees_are_read_without_recursion() {
        // Gambit itself stops near 10 000 levels; read far deeper on a small stack.
        for depth in [9_999, 100_000] {
            let text = chain(depth);
            let g = std::thread::Builder::new()
                .stack_size(256 * 1024)
                .spawn(move || parse(&text, "deep.efg"))
                .unwrap()
                .join()
                .expect("no stack overflow")
                .unwrap();
            assert_eq!((g.types(0).len(), g.actions(0).len()), (1, 2));
        }
        // A truncated chain names the end of the file.
        let mut text = chain(50_000);
        text.truncate(text.len() / 2);
        let e = parse(&text, "cut.efg").err().unwrap().to_string();
        assert!(e.starts_with("cut.efg:") && e.contains("end of file"), "{e}");
    }
}

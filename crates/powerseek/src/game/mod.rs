//! Games in normal (strategic) form: players, their actions, and payoffs for
//! every pure profile, stored exactly as rationals in one flat table; plus
//! mixed profiles, expected payoffs, best responses and regret.
//!
//! Solvers live in [`crate::game::equilibrium`]; file formats in [`nfg`] (Gambit)
//! and [`json`].
//!
//! **Layout.** Pure profiles are numbered with player 0's action changing
//! fastest (Gambit's order): profile `(a_0, …, a_{n−1})` has index
//! `Σ a_i · stride_i` with `stride_0 = 1`, `stride_{i+1} = stride_i · |A_i|`.
//! `payoffs[index · n + i]` is player `i`'s payoff.
//!
//! ```
//! use powerseek::game::{self, equilibrium, GameFile, Rational};
//!
//! // Matching pennies in Gambit's format: the row player wins on a match.
//! let text = r#"NFG 1 R "Matching pennies" { "Row" "Column" }
//! { { "H" "T" } { "H" "T" } }
//! 1 -1 -1 1 -1 1 1 -1"#;
//! let GameFile::Normal(pennies) = game::load_text(text, "nfg", "pennies.nfg").unwrap() else { unreachable!() };
//! assert_eq!(pennies.constant_sum(), Some(Rational::from_integer(0.into())));
//!
//! // All equilibria (vertex enumeration, exact): the unique one mixes 1/2–1/2.
//! let solution = equilibrium::solve(&pennies, &equilibrium::SolveOptions::all()).unwrap();
//! assert_eq!(solution.equilibria.len(), 1);
//! let half = Rational::new(1.into(), 2.into());
//! let eq = &solution.equilibria[0];
//! assert_eq!(eq.strategies, vec![vec![half.clone(), half.clone()], vec![half.clone(), half]]);
//! assert_eq!(eq.payoffs, vec![Rational::from_integer(0.into()); 2]);
//! assert_eq!(eq.max_regret, Rational::from_integer(0.into()));
//! ```

pub mod alignment;
pub mod bayesian;
pub mod efg;
pub mod equilibrium;
pub mod json;
pub mod nfg;
pub mod payoff_region;
pub mod power;
pub mod scarcity;

pub use bayesian::BayesianGame;

use std::path::Path;

use num_traits::Zero;

use crate::error::{read_text, Error, Result};
pub use crate::exact::{format_rational, parse_rational, Rational, Scalar};

/// A game as read from a file: in normal form, or Bayesian (with types).
#[derive(Clone, Debug, PartialEq)]
pub enum GameFile {
    /// A game in normal (strategic) form: `.nfg`, or JSON without `types`.
    Normal(NormalFormGame),
    /// A game with private types and a common prior: `.efg`, or JSON with `types`.
    Bayesian(BayesianGame),
}

impl GameFile {
    /// The game as a Bayesian game (a normal-form game is the one-type case).
    pub fn into_bayesian(self) -> BayesianGame {
        match self {
            GameFile::Normal(g) => BayesianGame::from_normal_form(&g),
            GameFile::Bayesian(b) => b,
        }
    }

    /// The normal-form game; a Bayesian game is an error naming `what` needs
    /// the normal form (convert it to its induced normal form or agent form first).
    pub fn into_normal_form(self, what: &str) -> Result<NormalFormGame> {
        match self {
            GameFile::Normal(g) => Ok(g),
            GameFile::Bayesian(_) => Err(Error::invalid(format!(
                "{what}: defined for normal-form games, and this is a Bayesian game \
                 (it has types); use its induced normal form or agent form"
            ))),
        }
    }
}

/// Load a game by the file's extension: `.nfg` (Gambit's normal form),
/// `.efg` (a one-stage Bayesian game in Gambit's extensive form), or `.json`
/// (a normal-form game, or a Bayesian one when it has `types`).
pub fn load(path: &Path) -> Result<GameFile> {
    let text = read_text(path)?;
    load_text(&text, &crate::input::extension(path), &path.display().to_string())
}

/// [`load`] for text already read: `extension` (`nfg`, `efg` or `json`, no
/// dot, any case) selects the format, `origin` names the source in errors.
pub fn load_text(text: &str, extension: &str, origin: &str) -> Result<GameFile> {
    match extension.to_ascii_lowercase().as_str() {
        "nfg" => Ok(GameFile::Normal(nfg::parse(text, origin)?)),
        "efg" => Ok(GameFile::Bayesian(efg::parse(text, origin)?)),
        "json" if bayesian::is_bayesian_json(text) => Ok(GameFile::Bayesian(bayesian::parse_json(text, origin)?)),
        "json" => Ok(GameFile::Normal(json::parse(text, origin)?)),
        other => Err(Error::invalid(format!(
            "{origin}: unknown game file extension '{other}' (expected .nfg, .efg or .json)"
        ))),
    }
}

/// The pure strategy `a` of a player with `n_actions` actions, as a probability vector.
pub fn pure_strategy(n_actions: usize, a: usize) -> Vec<Rational> {
    (0..n_actions)
        .map(|b| Rational::from_integer(((a == b) as i64).into()))
        .collect()
}

/// Keep the first of each group of equal items, in order (equal profiles
/// found by several solvers or several mixed strategies with one behaviour).
pub fn dedup<T: Ord + Clone>(items: Vec<T>) -> Vec<T> {
    let mut seen = std::collections::BTreeSet::new();
    items.into_iter().filter(|x| seen.insert(x.clone())).collect()
}

/// An n-player game in normal form.
#[derive(Clone, Debug, PartialEq)]
pub struct NormalFormGame {
    /// The game's title (Gambit's quoted title; may be empty).
    pub title: String,
    /// Free-text comment kept from the file (Gambit's optional second string); may be empty.
    pub comment: String,
    players: Vec<String>,
    actions: Vec<Vec<String>>,
    payoffs: Vec<Rational>,
    strides: Vec<usize>,
    /// Every player's payoffs as integers over one denominator, when they fit
    /// (see [`IntPayoffs`]): the fast path of [`NormalFormGame::exact_action_values`].
    int_payoffs: Option<IntPayoffs>,
}

/// Payoffs over a common denominator per player, all below 2^62 in absolute
/// value: `numerators[idx * n + i] / denominators[i]` is `payoff(idx, i)`.
#[derive(Clone, Debug, PartialEq)]
struct IntPayoffs {
    numerators: Vec<i64>,
    denominators: Vec<i64>,
}

/// Largest magnitude of the integers of the fast exact paths (so that a
/// product of two fits in an `i128` with room for sums).
const INT_LIMIT: i64 = 1 << 62;

/// `values` as integers over their least common denominator, if all fit below [`INT_LIMIT`].
fn common_denominator(values: impl Iterator<Item = Rational> + Clone) -> Option<(Vec<i64>, i64)> {
    use num_integer::Integer;
    use num_traits::ToPrimitive;
    // Machine integers throughout; `None` (the caller's rational path) as soon as one does not fit.
    let parts: Vec<(i64, i64)> = values
        .map(|v| Some((v.numer().to_i64()?, v.denom().to_i64()?)))
        .collect::<Option<_>>()?;
    let mut lcm: i64 = 1;
    for &(_, d) in &parts {
        lcm = (lcm / lcm.gcd(&d)).checked_mul(d).filter(|l| *l < INT_LIMIT)?;
    }
    let nums = parts
        .iter()
        .map(|&(n, d)| n.checked_mul(lcm / d).filter(|x| x.abs() < INT_LIMIT))
        .collect::<Option<Vec<i64>>>()?;
    Some((nums, lcm))
}

impl IntPayoffs {
    fn new(payoffs: &[Rational], n: usize) -> Option<Self> {
        let mut numerators = vec![0i64; payoffs.len()];
        let mut denominators = Vec::with_capacity(n);
        for i in 0..n {
            let (nums, den) = common_denominator(payoffs.iter().skip(i).step_by(n).cloned())?;
            for (k, x) in nums.into_iter().enumerate() {
                numerators[k * n + i] = x;
            }
            denominators.push(den);
        }
        Some(IntPayoffs {
            numerators,
            denominators,
        })
    }
}

impl NormalFormGame {
    /// A game from player names, action names per player, and payoffs in the
    /// documented layout (`n_profiles × n_players`).
    pub fn new(
        title: impl Into<String>,
        players: Vec<String>,
        actions: Vec<Vec<String>>,
        payoffs: Vec<Rational>,
    ) -> Result<Self> {
        if players.is_empty() || players.len() != actions.len() {
            return Err(Error::invalid(format!(
                "a game needs at least one player and an action list per player ({} players, {} action lists)",
                players.len(),
                actions.len()
            )));
        }
        if let Some(i) = actions.iter().position(|a| a.is_empty()) {
            return Err(Error::invalid(format!("player '{}' has no actions", players[i])));
        }
        let mut strides = Vec::with_capacity(players.len());
        let mut size: usize = 1;
        for a in &actions {
            strides.push(size);
            size = size
                .checked_mul(a.len())
                .ok_or_else(|| Error::invalid("too many pure profiles"))?;
        }
        if payoffs.len() != size * players.len() {
            return Err(Error::invalid(format!(
                "expected {} payoffs ({size} profiles × {} players), got {}",
                size * players.len(),
                players.len(),
                payoffs.len()
            )));
        }
        let int_payoffs = IntPayoffs::new(&payoffs, players.len());
        Ok(NormalFormGame {
            title: title.into(),
            comment: String::new(),
            players,
            actions,
            payoffs,
            strides,
            int_payoffs,
        })
    }

    /// A game with players `1..n` and actions `1..k` (names as numbers).
    pub fn from_payoffs(shape: &[usize], payoffs: Vec<Rational>) -> Result<Self> {
        let players = (1..=shape.len()).map(|i| i.to_string()).collect();
        let actions = shape
            .iter()
            .map(|&k| (1..=k).map(|a| a.to_string()).collect())
            .collect();
        Self::new("", players, actions, payoffs)
    }

    /// A bimatrix game from row-major matrices `a[i][j]`, `b[i][j]`.
    pub fn bimatrix(a: &[Vec<Rational>], b: &[Vec<Rational>]) -> Result<Self> {
        let m = a.len();
        let n = a.first().map_or(0, |r| r.len());
        if b.len() != m || a.iter().chain(b).any(|r| r.len() != n) {
            return Err(Error::invalid("bimatrix: both matrices must be m × n"));
        }
        let mut payoffs = Vec::with_capacity(2 * m * n);
        for j in 0..n {
            for i in 0..m {
                payoffs.push(a[i][j].clone());
                payoffs.push(b[i][j].clone());
            }
        }
        Self::from_payoffs(&[m, n], payoffs)
    }

    /// Number of players (at least 1).
    pub fn n_players(&self) -> usize {
        self.players.len()
    }
    /// The players' names, in player order.
    pub fn players(&self) -> &[String] {
        &self.players
    }
    /// The names of `player`'s actions (0-based player index; panics when out of range).
    pub fn actions(&self, player: usize) -> &[String] {
        &self.actions[player]
    }
    /// Number of actions of `player` (at least 1).
    pub fn n_actions(&self, player: usize) -> usize {
        self.actions[player].len()
    }
    /// Every player's number of actions, `[|A_0|, …, |A_{n−1}|]`.
    pub fn shape(&self) -> Vec<usize> {
        self.actions.iter().map(Vec::len).collect()
    }
    /// Number of pure profiles, `Π |A_i|`.
    pub fn n_profiles(&self) -> usize {
        self.payoffs.len() / self.n_players()
    }
    /// A pure profile (one action per player) as a mixed profile.
    pub fn pure_profile(&self, actions: &[usize]) -> Vec<Vec<Rational>> {
        actions
            .iter()
            .enumerate()
            .map(|(i, &a)| pure_strategy(self.n_actions(i), a))
            .collect()
    }
    /// The names of a pure profile's actions, `(C, D)`.
    pub fn profile_name(&self, actions: &[usize]) -> String {
        let names: Vec<&str> = actions
            .iter()
            .enumerate()
            .map(|(i, &a)| self.actions[i][a].as_str())
            .collect();
        format!("({})", names.join(", "))
    }
    /// Index of a pure profile.
    pub fn profile_index(&self, profile: &[usize]) -> usize {
        profile.iter().zip(&self.strides).map(|(a, s)| a * s).sum()
    }
    /// The pure profile with this index.
    pub fn profile(&self, index: usize) -> Vec<usize> {
        mixed_radix_digits(index, &self.shape())
    }
    /// `stride_i`: how far the profile index moves when `player`'s action
    /// goes up by one (see the module's layout).
    pub fn stride(&self, player: usize) -> usize {
        self.strides[player]
    }
    /// Player `player`'s payoff at profile `index`.
    pub fn payoff(&self, index: usize, player: usize) -> &Rational {
        &self.payoffs[index * self.n_players() + player]
    }
    /// The whole payoff table, `payoffs[index · n + i]` (see the module's layout).
    pub fn payoffs(&self) -> &[Rational] {
        &self.payoffs
    }

    /// Player `i`'s payoff matrix for a 2-player game, `[row][col]`.
    pub fn matrix(&self, player: usize) -> Vec<Vec<Rational>> {
        assert_eq!(self.n_players(), 2, "matrix() needs a 2-player game");
        let (m, n) = (self.n_actions(0), self.n_actions(1));
        (0..m)
            .map(|i| (0..n).map(|j| self.payoff(i + m * j, player).clone()).collect())
            .collect()
    }

    /// `Some(c)` when payoffs sum to the same `c` at every profile.
    pub fn constant_sum(&self) -> Option<Rational> {
        let n = self.n_players();
        let mut sums = self
            .payoffs
            .chunks(n)
            .map(|p| p.iter().fold(Rational::zero(), |a, b| a + b));
        let first = sums.next()?;
        sums.all(|s| s == first).then_some(first)
    }

    /// The same game with players reordered: new player `k` is old `order[k]`.
    pub fn permute_players(&self, order: &[usize]) -> Result<Self> {
        let n = self.n_players();
        let mut seen = vec![false; n];
        if order.len() != n || order.iter().any(|&p| p >= n || std::mem::replace(&mut seen[p], true)) {
            return Err(Error::invalid("permute_players: not a permutation of the players"));
        }
        let players = order.iter().map(|&p| self.players[p].clone()).collect();
        let actions = order.iter().map(|&p| self.actions[p].clone()).collect();
        let shape: Vec<usize> = order.iter().map(|&p| self.n_actions(p)).collect();
        let total: usize = shape.iter().product();
        let mut payoffs = Vec::with_capacity(total * n);
        let mut new_profile = vec![0; n];
        let mut old_profile = vec![0; n];
        for mut idx in 0..total {
            for (k, &size) in shape.iter().enumerate() {
                new_profile[k] = idx % size;
                idx /= size;
            }
            for (k, &p) in order.iter().enumerate() {
                old_profile[p] = new_profile[k];
            }
            let old = self.profile_index(&old_profile);
            payoffs.extend(order.iter().map(|&p| self.payoff(old, p).clone()));
        }
        let mut g = NormalFormGame::new(self.title.clone(), players, actions, payoffs)?;
        g.comment = self.comment.clone();
        Ok(g)
    }

    /// The same game with player `i`'s actions reordered: new action `k` is old `order[k]`.
    pub fn permute_actions(&self, player: usize, order: &[usize]) -> Result<Self> {
        let k = self.n_actions(player);
        let mut seen = vec![false; k];
        if order.len() != k || order.iter().any(|&a| a >= k || std::mem::replace(&mut seen[a], true)) {
            return Err(Error::invalid("permute_actions: not a permutation of the actions"));
        }
        let mut actions = self.actions.clone();
        actions[player] = order.iter().map(|&a| self.actions[player][a].clone()).collect();
        let n = self.n_players();
        let mut payoffs = Vec::with_capacity(self.payoffs.len());
        for idx in 0..self.n_profiles() {
            let mut profile = self.profile(idx);
            profile[player] = order[profile[player]];
            let old = self.profile_index(&profile);
            payoffs.extend((0..n).map(|i| self.payoff(old, i).clone()));
        }
        let mut g = NormalFormGame::new(self.title.clone(), self.players.clone(), actions, payoffs)?;
        g.comment = self.comment.clone();
        Ok(g)
    }

    /// Expected payoff to `player` of each of its actions when the others play
    /// `profile` (the player's own entry in `profile` is ignored).
    pub fn action_values<T: Scalar>(&self, profile: &[Vec<T>], player: usize) -> Vec<T> {
        // Exact profiles: integers over common denominators when they fit (no gcd per term).
        if let Some(fast) = T::as_rationals(profile)
            .and_then(|p| self.int_action_values(p, player))
            .and_then(T::from_rationals)
        {
            return fast;
        }
        let n = self.n_players();
        let mut values = vec![T::zero(); self.n_actions(player)];
        let mut pure = vec![0usize; n];
        for idx in 0..self.n_profiles() {
            let mut weight = T::one();
            for (q, &a) in pure.iter().enumerate() {
                if q != player {
                    weight = weight * profile[q][a].clone();
                }
            }
            if weight != T::zero() {
                let a = pure[player];
                values[a] = values[a].clone() + weight * T::from_rational(self.payoff(idx, player));
            }
            // Advance the pure profile (player 0 fastest).
            for q in 0..n {
                pure[q] += 1;
                if pure[q] < self.n_actions(q) {
                    break;
                }
                pure[q] = 0;
            }
        }
        values
    }

    /// [`NormalFormGame::action_values`] of an exact profile in 128-bit
    /// integers over common denominators, when the payoffs and the others'
    /// strategies allow it without overflow (the usual case for equilibria of
    /// games with small rational payoffs); `None` otherwise.
    fn int_action_values(&self, profile: &[Vec<Rational>], player: usize) -> Option<Vec<Rational>> {
        let ints = self.int_payoffs.as_ref()?;
        let n = self.n_players();
        let mut strategies: Vec<Vec<i64>> = Vec::with_capacity(n);
        let mut den: i128 = i128::from(ints.denominators[player]);
        for (q, s) in profile.iter().enumerate() {
            if q == player {
                strategies.push(Vec::new());
                continue;
            }
            let (nums, d) = common_denominator(s.iter().cloned())?;
            den = den.checked_mul(i128::from(d))?;
            strategies.push(nums);
        }
        let mut values = vec![0i128; self.n_actions(player)];
        let mut pure = vec![0usize; n];
        for idx in 0..self.n_profiles() {
            let mut weight: i128 = 1;
            for (q, &a) in pure.iter().enumerate() {
                if q != player {
                    weight = weight.checked_mul(i128::from(strategies[q][a]))?;
                }
            }
            if weight != 0 {
                let a = pure[player];
                let term = weight.checked_mul(i128::from(ints.numerators[idx * n + player]))?;
                values[a] = values[a].checked_add(term)?;
            }
            for q in 0..n {
                pure[q] += 1;
                if pure[q] < self.n_actions(q) {
                    break;
                }
                pure[q] = 0;
            }
        }
        let den = num_bigint::BigInt::from(den);
        Some(
            values
                .into_iter()
                .map(|v| Rational::new(v.into(), den.clone()))
                .collect(),
        )
    }

    /// The actions of `player` that maximise its expected payoff against the others' part of `profile`.
    pub fn best_responses<T: Scalar>(&self, profile: &[Vec<T>], player: usize) -> Vec<usize> {
        let v = self.action_values(profile, player);
        let best = v.iter().fold(None, |b: Option<&T>, x| match b {
            Some(b) if b >= x => Some(b),
            _ => Some(x),
        });
        match best {
            Some(best) => (0..v.len()).filter(|&a| v[a] == *best).collect(),
            None => vec![],
        }
    }

    /// Expected payoff of every player under `profile`.
    pub fn expected_payoffs<T: Scalar>(&self, profile: &[Vec<T>]) -> Vec<T> {
        self.regret_and_payoffs(profile).1
    }

    /// Largest gain any player gets by deviating to a pure action (0 exactly at a Nash equilibrium).
    pub fn regret<T: Scalar>(&self, profile: &[Vec<T>]) -> Vec<T> {
        self.regret_and_payoffs(profile).0
    }

    /// Every player's regret ([`NormalFormGame::regret`]) and expected payoff
    /// ([`NormalFormGame::expected_payoffs`]) under `profile`, from one pass
    /// of [`NormalFormGame::action_values`] per player.
    pub fn regret_and_payoffs<T: Scalar>(&self, profile: &[Vec<T>]) -> (Vec<T>, Vec<T>) {
        (0..self.n_players())
            .map(|i| {
                let v = self.action_values(profile, i);
                let expected = v
                    .iter()
                    .zip(&profile[i])
                    .fold(T::zero(), |acc, (v, p)| acc + v.clone() * p.clone());
                let best = v.into_iter().fold(None, |b: Option<T>, x| match b {
                    Some(b) if b >= x => Some(b),
                    _ => Some(x),
                });
                (best.expect("players have actions") - expected.clone(), expected)
            })
            .unzip()
    }

    /// Check that `profile` is a probability distribution per player, of the right sizes.
    pub fn check_profile<T: Scalar>(&self, profile: &[Vec<T>]) -> Result<()> {
        if profile.len() != self.n_players() {
            return Err(Error::invalid(format!(
                "profile has {} players, the game {}",
                profile.len(),
                self.n_players()
            )));
        }
        for (i, s) in profile.iter().enumerate() {
            if s.len() != self.n_actions(i) {
                return Err(Error::invalid(format!(
                    "player '{}': {} probabilities for {} actions",
                    self.players[i],
                    s.len(),
                    self.n_actions(i)
                )));
            }
            if s.iter().any(|p| *p < T::zero()) {
                return Err(Error::invalid(format!(
                    "player '{}': negative probability",
                    self.players[i]
                )));
            }
            let total = s.iter().fold(T::zero(), |acc, p| acc + p.clone());
            let off = if total > T::one() {
                total.clone() - T::one()
            } else {
                T::one() - total.clone()
            };
            let tolerance = if T::EXACT {
                T::zero()
            } else {
                T::from_rational(&Rational::new(1.into(), 1_000_000_000.into()))
            };
            if off > tolerance {
                return Err(Error::invalid(format!(
                    "player '{}': probabilities sum to {}, not 1",
                    self.players[i],
                    total.show()
                )));
            }
        }
        Ok(())
    }
}

/// Index of a profile (one digit per player, player 0 fastest) among all profiles with these sizes.
pub fn mixed_radix_index(digits: &[usize], sizes: &[usize]) -> usize {
    digits.iter().zip(sizes).rev().fold(0, |acc, (d, s)| acc * s + d)
}

/// The profile (digits, player 0 fastest) with this index.
pub fn mixed_radix_digits(mut index: usize, sizes: &[usize]) -> Vec<usize> {
    sizes
        .iter()
        .map(|s| {
            let d = index % s;
            index /= s;
            d
        })
        .collect()
}

/// Most payoff entries a game may have (profiles × players): bounds memory
/// before a file's declared sizes are trusted.
pub const MAX_PAYOFFS: usize = 100_000_000;

/// Number of pure profiles for these action counts, if `profiles × players ≤ MAX_PAYOFFS`.
pub fn profile_count(shape: &[usize]) -> Result<usize> {
    shape
        .iter()
        .try_fold(1usize, |acc, &k| acc.checked_mul(k))
        .filter(|&p| p.saturating_mul(shape.len()) <= MAX_PAYOFFS)
        .ok_or_else(|| {
            Error::invalid(format!(
                "the game has too many pure profiles (more than {MAX_PAYOFFS} payoffs)"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Rational {
        parse_rational(s).unwrap()
    }

    #[test]
    fn parses_exact_numbers() {
        assert_eq!(r("5/2"), Rational::new(5.into(), 2.into()));
        assert_eq!(r("-7.600000"), Rational::new((-38).into(), 5.into()));
        assert_eq!(r("1e-3"), Rational::new(1.into(), 1000.into()));
        assert_eq!(r("2.5E2"), Rational::from_integer(250.into()));
        assert_eq!(r(".5"), Rational::new(1.into(), 2.into()));
        for bad in ["", "-", "1/0", "abc", "1.2.3", "--1", "1e", "nan", "inf"] {
            assert!(parse_rational(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn regret_is_zero_at_the_prisoners_dilemma_equilibrium() {
        let p = |x: i64| Rational::from_integer(x.into());
        let g = NormalFormGame::bimatrix(
            &[vec![p(2), p(0)], vec![p(3), p(1)]],
            &[vec![p(2), p(3)], vec![p(0), p(1)]],
        )
        .unwrap();
        let defect = vec![vec![p(0), p(1)], vec![p(0), p(1)]];
        assert_eq!(g.regret(&defect), vec![p(0), p(0)]);
        let cooperate = vec![vec![p(1), p(0)], vec![p(1), p(0)]];
        assert_eq!(g.regret(&cooperate), vec![p(1), p(1)]);
        assert_eq!(g.expected_payoffs(&defect), vec![p(1), p(1)]);
        assert_eq!(g.best_responses(&cooperate, 0), vec![1]);
        let half = vec![
            vec![p(1), p(0)],
            vec![Rational::new(1.into(), 2.into()), Rational::new(1.into(), 2.into())],
        ];
        assert_eq!(g.best_responses(&half, 0), vec![1]);
        let swapped = g.permute_players(&[1, 0]).unwrap();
        for i in 0..2 {
            for j in 0..2 {
                assert_eq!(swapped.matrix(0)[i][j], g.matrix(1)[j][i]);
            }
        }
    }
}

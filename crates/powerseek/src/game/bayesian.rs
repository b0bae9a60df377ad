//! Bayesian games (docs/theory.md §3): types with a common prior (correlated allowed),
//! rewards `r_i(t, a)` (the original `r_i(t_i, a)` is the special case that
//! ignores the others' types), behavioural strategies `σ_i: T_i → Δ(A_i)`,
//! interim expected utility, and the two classical conversions to normal form.
//!
//! **Layout.** Type profiles and action profiles are numbered like pure
//! profiles of a [`NormalFormGame`] (player 0 fastest). `prior[t]` is the
//! probability of type profile `t`; `payoffs[(t · |A| + a) · n + i]` is
//! `r_i(t, a)`. A behavioural profile is `σ[i][t_i][a_i]`.
//!
//! **Conversions.** The *induced normal form* has, for player `i`, one pure
//! strategy per map `T_i → A_i` and ex-ante expected payoffs; the *agent form*
//! has one player per (player, type) with payoff `Σ_{t_{−i}} Ω(t) r_i(t, a)`
//! (ex-ante weighted, so types of probability zero are indifferent). Bayesian
//! Nash equilibria (for types of positive probability) are the Nash equilibria
//! of either.

use std::path::Path;

use num_traits::Zero;
use serde_json::Value;

use super::{NormalFormGame, Rational, Scalar};
use crate::error::{read_text, Error, Result};
use crate::input::{exact_number, JsonDoc};

/// `σ[i][t_i][a_i]`: a behavioural strategy profile.
pub type Behaviour<T> = Vec<Vec<Vec<T>>>;

/// An n-player Bayesian game in normal form.
#[derive(Clone, Debug, PartialEq)]
pub struct BayesianGame {
    /// The game's title (may be empty).
    pub title: String,
    players: Vec<String>,
    types: Vec<Vec<String>>,
    actions: Vec<Vec<String>>,
    prior: Vec<Rational>,
    payoffs: Vec<Rational>,
}

use super::{mixed_radix_digits as unindex, mixed_radix_index as index};

impl BayesianGame {
    /// Validate and build: the prior must be a distribution over type profiles.
    pub fn new(
        title: impl Into<String>,
        players: Vec<String>,
        types: Vec<Vec<String>>,
        actions: Vec<Vec<String>>,
        prior: Vec<Rational>,
        payoffs: Vec<Rational>,
    ) -> Result<Self> {
        let n = players.len();
        if n == 0 || types.len() != n || actions.len() != n {
            return Err(Error::invalid(
                "a Bayesian game needs, per player, a type list and an action list",
            ));
        }
        for i in 0..n {
            if types[i].is_empty() || actions[i].is_empty() {
                return Err(Error::invalid(format!(
                    "player '{}' needs at least one type and one action",
                    players[i]
                )));
            }
        }
        let nt: usize = types.iter().map(Vec::len).product();
        let na: usize = actions.iter().map(Vec::len).product();
        if prior.len() != nt {
            return Err(Error::invalid(format!(
                "prior: expected {nt} probabilities (one per type profile), got {}",
                prior.len()
            )));
        }
        if prior.iter().any(|p| *p < Rational::zero()) {
            return Err(Error::invalid("prior: probabilities must be non-negative"));
        }
        let total = prior.iter().fold(Rational::zero(), |a, b| a + b);
        if total != Rational::from_integer(1.into()) {
            return Err(Error::invalid(format!("prior: probabilities sum to {total}, not 1")));
        }
        if payoffs.len() != nt * na * n {
            return Err(Error::invalid(format!(
                "payoffs: expected {} numbers, got {}",
                nt * na * n,
                payoffs.len()
            )));
        }
        Ok(BayesianGame {
            title: title.into(),
            players,
            types,
            actions,
            prior,
            payoffs,
        })
    }

    /// The one-type Bayesian game of a normal-form game.
    pub fn from_normal_form(game: &NormalFormGame) -> Self {
        let n = game.n_players();
        BayesianGame {
            title: game.title.clone(),
            players: game.players().to_vec(),
            types: vec![vec!["-".to_string()]; n],
            actions: (0..n).map(|i| game.actions(i).to_vec()).collect(),
            prior: vec![Rational::from_integer(1.into())],
            payoffs: game.payoffs().to_vec(),
        }
    }

    /// The largest absolute payoff (at least 1): a scale for float tolerances.
    pub fn payoff_scale(&self) -> Rational {
        use num_traits::Signed;
        self.payoffs
            .iter()
            .map(|p| p.abs())
            .fold(Rational::from_integer(1.into()), |a, b| if b > a { b } else { a })
    }

    /// Number of players (at least 1).
    pub fn n_players(&self) -> usize {
        self.players.len()
    }
    /// The players' names, in player order.
    pub fn players(&self) -> &[String] {
        &self.players
    }
    /// The names of player `i`'s types `T_i` (at least one; panics when `i` is out of range).
    pub fn types(&self, i: usize) -> &[String] {
        &self.types[i]
    }
    /// The names of player `i`'s actions `A_i`, the same for each of its types.
    pub fn actions(&self, i: usize) -> &[String] {
        &self.actions[i]
    }
    fn type_sizes(&self) -> Vec<usize> {
        self.types.iter().map(Vec::len).collect()
    }
    fn action_sizes(&self) -> Vec<usize> {
        self.actions.iter().map(Vec::len).collect()
    }
    /// Number of type profiles `|T| = Π |T_i|` (the length of the prior).
    pub fn n_type_profiles(&self) -> usize {
        self.prior.len()
    }
    /// Number of action profiles `|A| = Π |A_i|`.
    pub fn n_action_profiles(&self) -> usize {
        self.action_sizes().iter().product()
    }
    /// Ω(t) for type profile index `t`.
    pub fn prior(&self, t: usize) -> &Rational {
        &self.prior[t]
    }
    /// `r_i(t, a)` for type-profile index `t` and action-profile index `a`.
    pub fn payoff(&self, t: usize, a: usize, i: usize) -> &Rational {
        &self.payoffs[(t * self.n_action_profiles() + a) * self.n_players() + i]
    }
    /// Marginal probability of player `i` having type `ti`.
    pub fn type_probability(&self, i: usize, ti: usize) -> Rational {
        let sizes = self.type_sizes();
        (0..self.n_type_profiles())
            .filter(|&t| unindex(t, &sizes)[i] == ti)
            .fold(Rational::zero(), |a, t| a + &self.prior[t])
    }

    /// `Σ_{t_{−i}} Ω(t_i, t_{−i}) E_{a_{−i} ~ σ_{−i}}[r_i(t, (a_i, a_{−i}))]` for each `a_i`:
    /// the ex-ante weight of type `ti` times its interim values.
    pub fn weighted_action_values<T: Scalar>(&self, sigma: &Behaviour<T>, i: usize, ti: usize) -> Vec<T> {
        let (ts, as_) = (self.type_sizes(), self.action_sizes());
        let mut v = vec![T::zero(); as_[i]];
        for t in 0..self.n_type_profiles() {
            let tp = unindex(t, &ts);
            if tp[i] != ti || self.prior[t].is_zero() {
                continue;
            }
            let w = T::from_rational(&self.prior[t]);
            for a in 0..self.n_action_profiles() {
                let ap = unindex(a, &as_);
                let mut weight = w.clone();
                for (j, &aj) in ap.iter().enumerate() {
                    if j != i {
                        weight = weight * sigma[j][tp[j]][aj].clone();
                    }
                }
                if weight != T::zero() {
                    v[ap[i]] = v[ap[i]].clone() + weight * T::from_rational(self.payoff(t, a, i));
                }
            }
        }
        v
    }

    /// Interim expected utility `f_i(t_i, a_i, σ_{−i})` of each action (docs/theory.md §3.2);
    /// `None` when type `t_i` has probability zero.
    pub fn interim_values<T: Scalar>(&self, sigma: &Behaviour<T>, i: usize, ti: usize) -> Option<Vec<T>> {
        let p = self.type_probability(i, ti);
        if p.is_zero() {
            return None;
        }
        let p = T::from_rational(&p);
        Some(
            self.weighted_action_values(sigma, i, ti)
                .into_iter()
                .map(|x| x / p.clone())
                .collect(),
        )
    }

    /// Each player's ex-ante expected payoff under σ.
    pub fn expected_payoffs<T: Scalar>(&self, sigma: &Behaviour<T>) -> Vec<T> {
        (0..self.n_players())
            .map(|i| {
                (0..self.types[i].len()).fold(T::zero(), |acc, ti| {
                    let v = self.weighted_action_values(sigma, i, ti);
                    v.into_iter()
                        .zip(&sigma[i][ti])
                        .fold(acc, |acc, (v, p)| acc + v * p.clone())
                })
            })
            .collect()
    }

    /// Largest gain any (player, type of positive probability) gets from a pure
    /// deviation, in interim terms; 0 exactly at a Bayesian Nash equilibrium.
    pub fn max_interim_regret<T: Scalar>(&self, sigma: &Behaviour<T>) -> T {
        let mut worst = T::zero();
        for i in 0..self.n_players() {
            for ti in 0..self.types[i].len() {
                let Some(v) = self.interim_values(sigma, i, ti) else {
                    continue;
                };
                let expected = v
                    .iter()
                    .zip(&sigma[i][ti])
                    .fold(T::zero(), |a, (v, p)| a + v.clone() * p.clone());
                for x in v {
                    let gain = x - expected.clone();
                    if gain > worst {
                        worst = gain;
                    }
                }
            }
        }
        worst
    }

    /// Check a behavioural profile's shape and that each σ_i(t_i) is a distribution.
    pub fn check_behaviour(&self, sigma: &Behaviour<Rational>) -> Result<()> {
        if sigma.len() != self.n_players() {
            return Err(Error::invalid(format!(
                "a profile needs one strategy per player ({}), got {}",
                self.n_players(),
                sigma.len()
            )));
        }
        for i in 0..self.n_players() {
            if sigma[i].len() != self.types[i].len() {
                return Err(Error::invalid(format!(
                    "player '{}': {} strategies for {} types (one per type)",
                    self.players[i],
                    sigma[i].len(),
                    self.types[i].len()
                )));
            }
            for (ti, s) in sigma[i].iter().enumerate() {
                let who = if self.types[i].len() == 1 {
                    format!("player '{}'", self.players[i])
                } else {
                    format!("player '{}', type '{}'", self.players[i], self.types[i][ti])
                };
                let total = s.iter().fold(Rational::zero(), |a, b| a + b);
                let problem = if s.len() != self.actions[i].len() {
                    format!("{} probabilities for {} actions", s.len(), self.actions[i].len())
                } else if s.iter().any(|p| *p < Rational::zero()) {
                    "a negative probability".to_string()
                } else if total != Rational::from_integer(1.into()) {
                    format!("probabilities sum to {}, not 1", super::format_rational(&total))
                } else {
                    continue;
                };
                return Err(Error::invalid(format!("{who}: {problem}")));
            }
        }
        Ok(())
    }

    /// The induced normal form: player `i`'s pure strategies are maps `T_i → A_i`
    /// (type 0's action changing fastest), named like `H/L`.
    pub fn induced_normal_form(&self) -> Result<NormalFormGame> {
        let n = self.n_players();
        let maps: Vec<usize> = (0..n)
            .map(|i| self.actions[i].len().pow(self.types[i].len() as u32))
            .collect();
        if maps
            .iter()
            .try_fold(1usize, |a, &b| a.checked_mul(b))
            .is_none_or(|total| total > 50_000_000)
        {
            return Err(Error::invalid("the induced normal form would be too large"));
        }
        let names: Vec<Vec<String>> = (0..n)
            .map(|i| {
                (0..maps[i])
                    .map(|s| {
                        self.strategy_map(i, s)
                            .iter()
                            .map(|&a| self.actions[i][a].clone())
                            .collect::<Vec<_>>()
                            .join("/")
                    })
                    .collect()
            })
            .collect();
        let total: usize = maps.iter().product();
        let (ts, as_) = (self.type_sizes(), self.action_sizes());
        let mut payoffs = vec![Rational::zero(); total * n];
        for idx in 0..total {
            let pure = unindex(idx, &maps);
            let plans: Vec<Vec<usize>> = (0..n).map(|i| self.strategy_map(i, pure[i])).collect();
            for t in 0..self.n_type_profiles() {
                if self.prior[t].is_zero() {
                    continue;
                }
                let tp = unindex(t, &ts);
                let ap: Vec<usize> = (0..n).map(|i| plans[i][tp[i]]).collect();
                let a = index(&ap, &as_);
                for i in 0..n {
                    payoffs[idx * n + i] += &self.prior[t] * self.payoff(t, a, i);
                }
            }
        }
        NormalFormGame::new(
            format!("{} (induced normal form)", self.title),
            self.players.clone(),
            names,
            payoffs,
        )
    }

    /// Pure strategy `s` of the induced normal form as a type → action map.
    pub fn strategy_map(&self, i: usize, s: usize) -> Vec<usize> {
        unindex(s, &vec![self.actions[i].len(); self.types[i].len()])
    }

    /// The agent form: one player per (player, type), named `player:type`.
    pub fn agent_form(&self) -> Result<NormalFormGame> {
        let n = self.n_players();
        let agents: Vec<(usize, usize)> = (0..n)
            .flat_map(|i| (0..self.types[i].len()).map(move |t| (i, t)))
            .collect();
        let names = agents
            .iter()
            .map(|&(i, t)| format!("{}:{}", self.players[i], self.types[i][t]))
            .collect();
        let actions: Vec<Vec<String>> = agents.iter().map(|&(i, _)| self.actions[i].clone()).collect();
        let sizes: Vec<usize> = actions.iter().map(Vec::len).collect();
        let total = sizes
            .iter()
            .try_fold(1usize, |a, &b| a.checked_mul(b))
            .filter(|&t| t <= 50_000_000)
            .ok_or_else(|| Error::invalid("the agent form would be too large"))?;
        let (ts, as_) = (self.type_sizes(), self.action_sizes());
        let first_agent: Vec<usize> = (0..n)
            .map(|i| agents.iter().position(|&(p, _)| p == i).unwrap_or(0))
            .collect();
        let mut payoffs = vec![Rational::zero(); total * agents.len()];
        for idx in 0..total {
            let pure = unindex(idx, &sizes);
            for t in 0..self.n_type_profiles() {
                if self.prior[t].is_zero() {
                    continue;
                }
                let tp = unindex(t, &ts);
                let ap: Vec<usize> = (0..n).map(|i| pure[first_agent[i] + tp[i]]).collect();
                let a = index(&ap, &as_);
                for i in 0..n {
                    let agent = first_agent[i] + tp[i];
                    payoffs[idx * agents.len() + agent] += &self.prior[t] * self.payoff(t, a, i);
                }
            }
        }
        NormalFormGame::new(format!("{} (agent form)", self.title), names, actions, payoffs)
    }

    /// The behavioural profile equivalent to a mixed profile of the induced
    /// normal form: `σ_i(t_i)(a) = Σ_{s: s(t_i) = a} x_i(s)`.
    pub fn behaviour_from_induced(&self, mixed: &[Vec<Rational>]) -> Behaviour<Rational> {
        (0..self.n_players())
            .map(|i| {
                let mut sigma = vec![vec![Rational::zero(); self.actions[i].len()]; self.types[i].len()];
                for (s, x) in mixed[i].iter().enumerate() {
                    for (ti, &a) in self.strategy_map(i, s).iter().enumerate() {
                        sigma[ti][a] += x;
                    }
                }
                sigma
            })
            .collect()
    }

    /// The behavioural profile given by a mixed profile of the agent form.
    pub fn behaviour_from_agents(&self, mixed: &[Vec<Rational>]) -> Behaviour<Rational> {
        let mut it = mixed.iter();
        (0..self.n_players())
            .map(|i| {
                (0..self.types[i].len())
                    .map(|_| it.next().cloned().unwrap_or_default())
                    .collect()
            })
            .collect()
    }
}

/// Load a Bayesian game from JSON (see [`parse_json`]).
pub fn load(path: &Path) -> Result<BayesianGame> {
    parse_json(&read_text(path)?, &path.display().to_string())
}

/// The JSON format for Bayesian games:
///
/// ```json
/// {
///   "title": "...",
///   "players": ["1", "2"],
///   "types":   [["weak", "strong"], ["only"]],
///   "actions": [["fight", "yield"], ["fight", "yield"]],
///   "prior":   [["1/3"], ["2/3"]],
///   "payoffs": [[ [[[1, 0], [2, 1]], [[0, 2], [1, 1]]] ],
///               [ [[[3, 0], [2, 1]], [[0, 2], [1, 1]]] ]]
/// }
/// ```
///
/// `prior` is nested by player 1's type, player 2's, … (correlated priors are
/// fine); `payoffs` by the type profile, then the action profile, ending in
/// every player's payoff `r_i(t, a)`. Numbers are exact (JSON numbers by their
/// decimal text, or strings such as `"1/3"`).
pub fn parse_json(text: &str, origin: &str) -> Result<BayesianGame> {
    let doc = JsonDoc::parse_exact(
        text,
        origin,
        &["title", "comment", "players", "types", "actions", "prior", "payoffs"],
        &["prior", "payoffs"],
    )?;
    let err = |field: &str, msg: String| doc.err(field, msg);
    let players = doc.strings("players", doc.get("players"))?;
    let types = doc.string_lists("types")?;
    let actions = doc.string_lists("actions")?;
    let n = players.len();
    if types.len() != n || actions.len() != n {
        return Err(err("types/actions", format!("need one list per player ({n})")));
    }
    let ts: Vec<usize> = types.iter().map(Vec::len).collect();
    let as_: Vec<usize> = actions.iter().map(Vec::len).collect();
    let both: Vec<usize> = ts.iter().chain(&as_).copied().collect();
    super::profile_count(&both).map_err(|e| err("types/actions", e.to_string()))?;
    let number = exact_number;
    // Read a nested array with the given dimensions, leaves of `leaf` numbers, in profile order.
    fn nested(
        v: &Value,
        dims: &[usize],
        leaf: usize,
        path: &mut Vec<usize>,
        out: &mut Vec<(Vec<usize>, Vec<Value>)>,
        field: &str,
        err: &dyn Fn(&str, String) -> Error,
    ) -> Result<()> {
        let here = format!("{field}{}", path.iter().map(|i| format!("[{i}]")).collect::<String>());
        if path.len() == dims.len() {
            let items = if leaf == 0 {
                vec![v.clone()]
            } else {
                v.as_array()
                    .filter(|a| a.len() == leaf)
                    .cloned()
                    .ok_or_else(|| err(&here, format!("expected a list of {leaf} numbers")))?
            };
            out.push((path.clone(), items));
            return Ok(());
        }
        let list = v
            .as_array()
            .filter(|l| l.len() == dims[path.len()])
            .ok_or_else(|| err(&here, format!("expected a list of {} entries", dims[path.len()])))?;
        for (k, item) in list.iter().enumerate() {
            path.push(k);
            nested(item, dims, leaf, path, out, field, err)?;
            path.pop();
        }
        Ok(())
    }
    let mut prior_cells = Vec::new();
    nested(
        doc.get("prior").ok_or_else(|| err("prior", "missing".into()))?,
        &ts,
        0,
        &mut Vec::new(),
        &mut prior_cells,
        "prior",
        &err,
    )?;
    let mut prior = vec![Rational::zero(); ts.iter().product()];
    for (path, v) in prior_cells {
        let field = format!("prior{}", path.iter().map(|i| format!("[{i}]")).collect::<String>());
        prior[index(&path, &ts)] = number(&v[0]).map_err(|e| err(&field, e.to_string()))?;
    }
    let dims: Vec<usize> = ts.iter().chain(&as_).copied().collect();
    let mut cells = Vec::new();
    nested(
        doc.get("payoffs").ok_or_else(|| err("payoffs", "missing".into()))?,
        &dims,
        n,
        &mut Vec::new(),
        &mut cells,
        "payoffs",
        &err,
    )?;
    let na: usize = as_.iter().product();
    let mut payoffs = vec![Rational::zero(); prior.len() * na * n];
    for (path, v) in cells {
        let t = index(&path[..n], &ts);
        let a = index(&path[n..], &as_);
        for (i, x) in v.iter().enumerate() {
            let field = format!(
                "payoffs{}[{i}]",
                path.iter().map(|k| format!("[{k}]")).collect::<String>()
            );
            payoffs[(t * na + a) * n + i] = number(x).map_err(|e| err(&field, e.to_string()))?;
        }
    }
    let title = doc.get("title").and_then(Value::as_str).unwrap_or("").to_string();
    BayesianGame::new(title, players, types, actions, prior, payoffs)
        .map_err(|e| Error::parse(origin, 0, e.to_string()))
}

/// Whether a JSON document describes a Bayesian game (it has `types`).
pub fn is_bayesian_json(text: &str) -> bool {
    // Read from the text, so numbers beyond floats (kept exact) do not hide the key.
    crate::input::has_top_level_key(text, "types")
}

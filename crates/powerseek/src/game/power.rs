//! Multi-agent POWER in Bayesian games (docs/theory.md §3):
//! `POWER(i, σ) = E_{t_i}[max_{a_i} f_i(t_i, a_i, σ_{−i})]`, per type and in
//! expectation, exactly; the total regret `Σ_i POWER(i, σ) − E_σ[Σ_i r_i]`,
//! which is zero exactly at Bayesian Nash equilibria; and the constant-sum
//! conservation law `Σ_i POWER ≥ c`, with equality exactly at equilibria.
//! Normal-form games are the one-type case ([`BayesianGame::from_normal_form`]).
//!
//! ```
//! use powerseek::game::power::{power_report, Profiles};
//! use powerseek::{BayesianGame, NormalFormGame, Rational};
//!
//! let r = |x: i64| Rational::from_integer(x.into());
//! // The prisoner's dilemma, actions (C, D): mutual cooperation 3, temptation 5, sucker 0, defection 1.
//! let a = vec![vec![r(3), r(0)], vec![r(5), r(1)]];
//! let b = vec![vec![r(3), r(5)], vec![r(0), r(1)]];
//! let pd = BayesianGame::from_normal_form(&NormalFormGame::bimatrix(&a, &b).unwrap());
//!
//! // Its one equilibrium, (D, D), then the uniform profile.
//! let report = power_report(&pd, &Profiles::EquilibriaAndUniform).unwrap();
//! assert_eq!(report.profiles.len(), 2);
//! let (eq, uniform) = (&report.profiles[0].power, &report.profiles[1].power);
//! // At (D, D) each player's best reply is D, worth 1: POWER equals the payoff, no regret.
//! assert_eq!(eq.players[0].power, r(1));
//! assert!(eq.is_equilibrium && eq.total_regret == r(0));
//! // Against a uniform opponent, D is worth (5 + 1)/2 = 3 while the uniform
//! // profile pays (3 + 0 + 5 + 1)/4 = 9/4: a regret of 3/4 per player.
//! assert_eq!(uniform.players[1].power, r(3));
//! assert_eq!(uniform.players[1].expected_payoff, Rational::new(9.into(), 4.into()));
//! assert_eq!(uniform.total_regret, Rational::new(3.into(), 2.into()));
//! assert!(!uniform.is_equilibrium);
//! ```

use num_traits::Zero;
use serde::Serialize;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::exact::ExactSerialize;
use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::equilibrium::{self, Method, SolveOptions};
use crate::game::{NormalFormGame, Rational, Scalar};
use crate::progress::{NoProgress, Progress};

/// POWER of one player under a profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound(serialize = "T: ExactSerialize"))]
pub struct PlayerPower<T> {
    /// `POWER(i, σ)`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub power: T,
    /// `E_σ[r_i]`: what the player actually expects to get.
    #[serde(serialize_with = "crate::exact::ser")]
    pub expected_payoff: T,
    /// Per type: `max_a f_i(t_i, a, σ_{−i})` (`None` for types of probability zero).
    #[serde(serialize_with = "crate::exact::ser")]
    pub by_type: Vec<Option<T>>,
}

/// POWER of every player, the total regret, and whether σ is an equilibrium.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(bound(serialize = "T: ExactSerialize"))]
pub struct GamePowerReport<T> {
    /// Per player, in player order.
    pub players: Vec<PlayerPower<T>>,
    /// `Σ_i POWER(i, σ)`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_power: T,
    /// `Σ_i POWER(i, σ) − E_σ[Σ_i r_i] ≥ 0`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub total_regret: T,
    /// Total regret is exactly zero (for exact scalars; for floats, ≤ 1e-9 · scale).
    pub is_equilibrium: bool,
}

/// POWER of every player of `game` under behavioural profile `sigma`.
pub fn bayesian_power<T: Scalar>(game: &BayesianGame, sigma: &Behaviour<T>) -> GamePowerReport<T> {
    let players: Vec<PlayerPower<T>> = (0..game.n_players())
        .map(|i| {
            let mut power = T::zero();
            let mut by_type = Vec::with_capacity(game.types(i).len());
            for ti in 0..game.types(i).len() {
                // Ex-ante weighted action values: max of them is P(t_i) · max_a f_i.
                let weighted = game.weighted_action_values(sigma, i, ti);
                let best = max_of(&weighted);
                power = power + best.clone();
                let p = T::from_rational(&game.type_probability(i, ti));
                by_type.push((p != T::zero()).then(|| best / p));
            }
            PlayerPower {
                power,
                expected_payoff: T::zero(),
                by_type,
            }
        })
        .collect();
    let expected = game.expected_payoffs(sigma);
    let players: Vec<PlayerPower<T>> = players
        .into_iter()
        .zip(expected)
        .map(|(p, e)| PlayerPower {
            expected_payoff: e,
            ..p
        })
        .collect();
    let total_power = players.iter().fold(T::zero(), |a, p| a + p.power.clone());
    let total_payoff = players.iter().fold(T::zero(), |a, p| a + p.expected_payoff.clone());
    let total_regret = total_power.clone() - total_payoff;
    let is_equilibrium = is_zero(&total_regret, game);
    GamePowerReport {
        players,
        total_power,
        total_regret,
        is_equilibrium,
    }
}

fn max_of<T: Scalar>(v: &[T]) -> T {
    v.iter()
        .skip(1)
        .fold(v[0].clone(), |b, x| if *x > b { x.clone() } else { b })
}

/// Exactly zero for rationals; within a relative 1e-9 for floats.
fn is_zero<T: Scalar>(x: &T, game: &BayesianGame) -> bool {
    if T::EXACT {
        return *x == T::zero();
    }
    let tolerance =
        T::from_rational(&Rational::new(1.into(), 1_000_000_000.into())) * T::from_rational(&game.payoff_scale());
    *x <= tolerance && T::zero() - x.clone() <= tolerance
}

/// `Some(c)` when `Σ_i r_i(t, a) = c` for every type profile of positive probability and every action profile.
pub fn constant_sum(game: &BayesianGame) -> Option<Rational> {
    let mut value: Option<Rational> = None;
    for t in 0..game.n_type_profiles() {
        if game.prior(t).is_zero() {
            continue;
        }
        for a in 0..game.n_action_profiles() {
            let s = (0..game.n_players()).fold(Rational::zero(), |acc, i| acc + game.payoff(t, a, i));
            match &value {
                None => value = Some(s),
                Some(v) if *v != s => return None,
                _ => {}
            }
        }
    }
    value
}

/// A normal-form game's profile as a one-type behavioural profile.
pub fn behaviour_of<T: Clone>(profile: &[Vec<T>]) -> Behaviour<T> {
    profile.iter().map(|s| vec![s.clone()]).collect()
}

/// POWER of every player of a normal-form game under a mixed profile.
pub fn normal_form_power<T: Scalar>(game: &NormalFormGame, profile: &[Vec<T>]) -> GamePowerReport<T> {
    bayesian_power(&BayesianGame::from_normal_form(game), &behaviour_of(profile))
}

/// Every player mixing uniformly over its actions, whatever its type.
pub fn uniform_behaviour(game: &BayesianGame) -> Behaviour<Rational> {
    (0..game.n_players())
        .map(|i| {
            let k = game.actions(i).len();
            vec![vec![Rational::new(1.into(), (k as i64).into()); k]; game.types(i).len()]
        })
        .collect()
}

/// A behavioural profile from JSON text: `{"player": [p, ...]}` for players
/// with one type, `{"player": {"type": [p, ...]}}` for players with several;
/// probabilities exact (numbers by their decimal text, or strings such as
/// `"1/3"`), each strategy summing to exactly 1.
pub fn parse_profile(text: &str, origin: &str, game: &BayesianGame) -> Result<Behaviour<Rational>> {
    let players: Vec<&str> = game.players().iter().map(String::as_str).collect();
    // Strategies are keyed by player (and type) name: shared names are ambiguous.
    let repeated = |names: &[String]| {
        names
            .iter()
            .enumerate()
            .find_map(|(k, n)| names[..k].contains(n).then_some(n.clone()))
    };
    if let Some(name) = repeated(game.players()) {
        return Err(Error::parse(
            origin,
            0,
            format!("the game has several players named '{name}', so a profile by player name is ambiguous"),
        ));
    }
    if let Some((i, name)) = (0..game.n_players()).find_map(|i| repeated(game.types(i)).map(|t| (i, t))) {
        return Err(Error::parse(
            origin,
            0,
            format!(
                "player '{}' has several types named '{name}', so a profile by type name is ambiguous",
                players[i]
            ),
        ));
    }
    let doc = crate::input::JsonDoc::parse_exact(text, origin, &players, &players)?;
    let probs = |v: &Value, field: &str| -> Result<Vec<Rational>> {
        v.as_array()
            .ok_or_else(|| doc.err(field, "expected a list of probabilities"))?
            .iter()
            .enumerate()
            .map(|(k, x)| crate::input::exact_number(x).map_err(|e| doc.err(&format!("{field}[{k}]"), e)))
            .collect()
    };
    let sigma: Behaviour<Rational> = (0..game.n_players())
        .map(|i| {
            let p = players[i];
            let entry = doc
                .get(p)
                .ok_or_else(|| doc.err(p, "missing: every player needs a strategy"))?;
            if entry.is_array() {
                if game.types(i).len() != 1 {
                    return Err(doc.err(p, "the player has types; give {\"type\": [probabilities]}"));
                }
                Ok(vec![probs(entry, p)?])
            } else {
                game.types(i)
                    .iter()
                    .map(|t| {
                        let field = format!("{p}.{t}");
                        let v = entry
                            .get(t)
                            .ok_or_else(|| doc.err(&field, "missing: every type needs a strategy"))?;
                        probs(v, &field)
                    })
                    .collect()
            }
        })
        .collect::<Result<_>>()?;
    game.check_behaviour(&sigma)
        .map_err(|e| Error::parse(origin, 0, e.to_string()))?;
    Ok(sigma)
}

/// Multi-agent POWER at one profile.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ProfilePower {
    /// `equilibrium k` (in the order found), `uniform`, or `given profile`.
    pub label: String,
    /// `behaviour[i][t][a]`: the profile (one type per player for normal-form games).
    #[serde(serialize_with = "crate::exact::ser")]
    pub behaviour: Behaviour<Rational>,
    /// Every player's POWER at this profile, exactly (serialised inline).
    #[serde(flatten)]
    pub power: GamePowerReport<Rational>,
}

/// Multi-agent POWER of every player at each profile asked for.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MultiAgentPower {
    /// The game's title.
    pub title: String,
    /// The players' names.
    pub players: Vec<String>,
    /// `types[i]`: player `i`'s type names (one, `-`, for a normal-form game).
    pub types: Vec<Vec<String>>,
    /// `actions[i]`: player `i`'s action names.
    pub actions: Vec<Vec<String>>,
    /// Some player has several types: equilibria are Bayesian Nash equilibria
    /// (otherwise Nash equilibria of a normal-form game).
    pub bayesian: bool,
    /// `Some(c)` when `Σ_i r_i = c` everywhere: then `Σ_i POWER ≥ c`, with
    /// equality exactly at equilibria.
    #[serde(serialize_with = "crate::exact::ser")]
    pub constant_sum: Option<Rational>,
    /// How the equilibria were found (`None` when a profile was given).
    pub method: Option<Method>,
    /// POWER at each profile, in the order of [`Profiles`] (equilibria first, then uniform).
    pub profiles: Vec<ProfilePower>,
}

/// The profiles a [`power_report`] covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Profiles {
    /// Every equilibrium [`equilibrium::solve_bayesian`] finds with
    /// [`SolveOptions::all`], then the uniform profile.
    #[default]
    EquilibriaAndUniform,
    /// Every player mixing uniformly ([`uniform_behaviour`]).
    Uniform,
    /// A behavioural profile `σ[i][t][a]` (checked against the game).
    Given(Behaviour<Rational>),
}

/// Multi-agent POWER of every player at the `profiles` asked for. A
/// normal-form game is the one-type case ([`BayesianGame::from_normal_form`]).
pub fn power_report(game: &BayesianGame, profiles: &Profiles) -> Result<MultiAgentPower> {
    power_report_with(game, profiles, &NoProgress)
}

/// [`power_report`], reporting the equilibrium search to `progress` and
/// stopping with [`Error::Cancelled`] when it asks.
pub fn power_report_with(game: &BayesianGame, profiles: &Profiles, progress: &dyn Progress) -> Result<MultiAgentPower> {
    let (method, profiles) = match profiles {
        Profiles::Given(sigma) => {
            game.check_behaviour(sigma)?;
            (None, vec![("given profile".to_string(), sigma.clone())])
        }
        Profiles::Uniform => (None, vec![("uniform".to_string(), uniform_behaviour(game))]),
        Profiles::EquilibriaAndUniform => {
            let s = equilibrium::solve_bayesian_with(game, &SolveOptions::all(), progress)?;
            let mut list: Vec<(String, Behaviour<Rational>)> = s
                .equilibria
                .into_iter()
                .enumerate()
                .map(|(k, e)| (format!("equilibrium {}", k + 1), e.behaviour))
                .collect();
            list.push(("uniform".into(), uniform_behaviour(game)));
            (Some(s.method), list)
        }
    };
    Ok(MultiAgentPower {
        title: game.title.clone(),
        players: game.players().to_vec(),
        types: (0..game.n_players()).map(|i| game.types(i).to_vec()).collect(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        bayesian: (0..game.n_players()).any(|i| game.types(i).len() > 1),
        constant_sum: constant_sum(game),
        method,
        profiles: profiles
            .into_iter()
            .map(|(label, behaviour)| ProfilePower {
                label,
                power: bayesian_power(game, &behaviour),
                behaviour,
            })
            .collect(),
    })
}

//! Alignment metrics for normal-form games (docs/theory.md §4): sums of
//! utility, the covariance of utilities, the Coordination–Alignment
//! inequalities and α, security levels and the threat point, surplus, and the
//! Nash bargaining solution.
//!
//! Welfare is `w(u) = Σ_i c_i u_i` with weights `c_i > 0` (all 1 by default).
//! For an attained profile `σ`:
//!
//! ```text
//! E_σ[w]  ≤  max_a w(a)  ≤  Σ_i c_i max_a u_i(a)
//! coordination gap = max_a w(a) − E_σ[w],   alignment gap = Σ_i c_i max_a u_i(a) − max_a w(a),   α = −alignment gap
//! ```
//!
//! Everything is exact (rational) except the Nash bargaining solution of games
//! with three or more players. The bargaining solution maximises
//! `Π_i (x_i − d_i)` over the convex hull of the payoff profiles: exactly for
//! two players (on the segments between payoff profiles the product is a
//! quadratic); for more, by Frank–Wolfe ascent on `Σ_i log(x_i − d_i)` from the
//! point maximising the smallest surplus (found exactly by linear
//! programming), in floating point — Frank–Wolfe converges slowly, so expect
//! about 1e-4 relative accuracy there.
//!
//! ```
//! use powerseek::game::alignment::{alignment_report, AlignmentOptions};
//! use powerseek::{NormalFormGame, Rational};
//!
//! let r = |x: i64| Rational::from_integer(x.into());
//! // Matching pennies: whatever happens, one player's gain is the other's loss.
//! let a = vec![vec![r(1), r(-1)], vec![r(-1), r(1)]];
//! let b = vec![vec![r(-1), r(1)], vec![r(1), r(-1)]];
//! let pennies = NormalFormGame::bimatrix(&a, &b).unwrap();
//!
//! let report = alignment_report(&pennies, &AlignmentOptions::default()).unwrap();
//! // Welfare is 0 at every profile, while each player's best payoff is 1:
//! // α = max_a w(a) − Σ_i max_a u_i(a) = 0 − 2 = −2.
//! assert!(report.constant_welfare);
//! assert_eq!(report.ideal_welfare, r(2));
//! assert_eq!(report.alpha, r(-2));
//! assert_eq!(report.alignment_gap, r(2));
//! // Each player can guarantee 0 by mixing 1/2–1/2: the threat point is (0, 0).
//! assert_eq!(report.threat_point, vec![r(0), r(0)]);
//! ```

use num_traits::{Signed, Zero};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::game::equilibrium::{self, bimatrix, Method, SolveOptions};
use crate::game::{NormalFormGame, Rational, Scalar};
use crate::progress::{NoProgress, Progress};

/// Welfare weights, validated: one positive weight per player.
pub fn check_weights(game: &NormalFormGame, weights: &[Rational]) -> Result<()> {
    if weights.len() != game.n_players() || weights.iter().any(|w| !w.is_positive()) {
        return Err(Error::invalid(format!(
            "welfare weights: need {} positive numbers",
            game.n_players()
        )));
    }
    Ok(())
}

/// `w(a)` for every pure profile.
pub fn welfare(game: &NormalFormGame, weights: &[Rational]) -> Vec<Rational> {
    (0..game.n_profiles())
        .map(|idx| (0..game.n_players()).fold(Rational::zero(), |acc, i| acc + &weights[i] * game.payoff(idx, i)))
        .collect()
}

/// Probability of every pure profile under a mixed profile (independent mixing).
pub fn profile_distribution<T: Scalar>(game: &NormalFormGame, profile: &[Vec<T>]) -> Vec<T> {
    (0..game.n_profiles())
        .map(|idx| {
            game.profile(idx)
                .iter()
                .enumerate()
                .fold(T::one(), |acc, (i, &a)| acc * profile[i][a].clone())
        })
        .collect()
}

/// `E_σ[w]`: the local sum-of-utility metric.
pub fn expected_welfare(game: &NormalFormGame, weights: &[Rational], profile: &[Vec<Rational>]) -> Rational {
    let w = welfare(game, weights);
    profile_distribution(game, profile)
        .iter()
        .zip(&w)
        .fold(Rational::zero(), |acc, (p, w)| acc + p * w)
}

/// `Cov_σ(u_i, u_j)` for all pairs: the n × n covariance matrix of utilities.
pub fn covariance(game: &NormalFormGame, profile: &[Vec<Rational>]) -> Vec<Vec<Rational>> {
    let n = game.n_players();
    let p = profile_distribution(game, profile);
    let mean: Vec<Rational> = (0..n)
        .map(|i| {
            p.iter()
                .enumerate()
                .fold(Rational::zero(), |acc, (idx, q)| acc + q * game.payoff(idx, i))
        })
        .collect();
    (0..n)
        .map(|i| {
            (0..n)
                .map(|j| {
                    let e: Rational = p.iter().enumerate().fold(Rational::zero(), |acc, (idx, q)| {
                        acc + q * game.payoff(idx, i) * game.payoff(idx, j)
                    });
                    e - &mean[i] * &mean[j]
                })
                .collect()
        })
        .collect()
}

/// The global quantities of the Coordination–Alignment inequalities.
#[derive(Clone, Debug)]
pub struct Alignment {
    /// `max_a w(a)` and the pure profiles attaining it.
    pub max_welfare: Rational,
    /// Indices of the pure profiles with welfare `max_welfare` (at least one).
    pub max_welfare_profiles: Vec<usize>,
    /// `Σ_i c_i max_a u_i(a)`: welfare if everyone got their way at once.
    pub ideal_welfare: Rational,
    /// `α = max_a w(a) − Σ_i c_i max_a u_i(a) ≤ 0`.
    pub alpha: Rational,
    /// Welfare is the same at every profile (coordination gap 0 for every profile).
    pub constant_welfare: bool,
    /// α = 0: some profile is optimal for every player at once — the unique
    /// Pareto-efficient payoff profile; these are the profiles attaining it.
    pub unanimous_profiles: Vec<usize>,
}

/// The global quantities of the Coordination–Alignment inequalities for
/// welfare weights `weights` (one per player; check them with
/// [`check_weights`] first — they are not validated here).
pub fn alignment(game: &NormalFormGame, weights: &[Rational]) -> Alignment {
    let w = welfare(game, weights);
    let max_welfare = w.iter().max().cloned().unwrap_or_else(Rational::zero);
    let max_welfare_profiles = (0..w.len()).filter(|&k| w[k] == max_welfare).collect();
    let best: Vec<Rational> = (0..game.n_players())
        .map(|i| {
            (0..game.n_profiles())
                .map(|idx| game.payoff(idx, i).clone())
                .max()
                .unwrap_or_else(Rational::zero)
        })
        .collect();
    let ideal_welfare = best
        .iter()
        .zip(weights)
        .fold(Rational::zero(), |acc, (b, c)| acc + b * c);
    let unanimous_profiles = (0..game.n_profiles())
        .filter(|&idx| (0..game.n_players()).all(|i| *game.payoff(idx, i) == best[i]))
        .collect();
    Alignment {
        alpha: &max_welfare - &ideal_welfare,
        constant_welfare: w.iter().all(|x| *x == max_welfare),
        max_welfare,
        max_welfare_profiles,
        ideal_welfare,
        unanimous_profiles,
    }
}

/// The coordination gap `max_a w(a) − E_σ[w] ≥ 0` at a profile.
pub fn coordination_gap(game: &NormalFormGame, weights: &[Rational], profile: &[Vec<Rational>]) -> Rational {
    alignment(game, weights).max_welfare - expected_welfare(game, weights, profile)
}

/// A player's security level and a strategy guaranteeing it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Security {
    /// `max_{a_i} min_{a_{−i}} u_i`: best guarantee with a pure action.
    #[serde(serialize_with = "crate::exact::ser")]
    pub pure_level: Rational,
    /// An action attaining `pure_level` (the first when several do).
    pub pure_action: usize,
    /// `max_{σ_i} min_{a_{−i}} u_i(σ_i, a_{−i})`: best guarantee with a mixed strategy (exact LP).
    #[serde(serialize_with = "crate::exact::ser")]
    pub mixed_level: Rational,
    /// A maxmin mixed strategy attaining `mixed_level`: one probability per action.
    #[serde(serialize_with = "crate::exact::ser")]
    pub mixed_strategy: Vec<Rational>,
}

/// Pure and mixed security (maxmin) levels of every player.
pub fn security_levels(game: &NormalFormGame) -> Result<Vec<Security>> {
    (0..game.n_players())
        .map(|i| {
            // Player i against the others' pure profiles as one opponent: a zero-sum game.
            let others: Vec<usize> = (0..game.n_profiles())
                .filter(|&idx| game.profile(idx)[i] == 0)
                .collect();
            let matrix: Vec<Vec<Rational>> = (0..game.n_actions(i))
                .map(|a| {
                    others
                        .iter()
                        .map(|&base| game.payoff(base + a * game.stride(i), i).clone())
                        .collect()
                })
                .collect();
            let (pure_action, pure_level) = matrix
                .iter()
                .enumerate()
                .map(|(a, row)| (a, row.iter().min().cloned().unwrap_or_else(Rational::zero)))
                .max_by(|x, y| x.1.cmp(&y.1))
                .expect("players have actions");
            let negated: Vec<Vec<Rational>> = matrix.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
            let zero_sum = NormalFormGame::bimatrix(&matrix, &negated)?;
            let lp = bimatrix::zero_sum(&zero_sum)?;
            Ok(Security {
                pure_level,
                pure_action,
                mixed_level: lp.value,
                mixed_strategy: lp.row,
            })
        })
        .collect()
}

/// The threat point `d`: each player's mixed security level, what it can
/// guarantee on its own. (The payoffs at one particular maxmin profile would
/// depend on which maxmin strategies are chosen when they are not unique;
/// security levels do not, so surplus and bargaining stay well defined and
/// invariant under positive affine maps.)
pub fn threat_point(security: &[Security]) -> Vec<Rational> {
    security.iter().map(|s| s.mixed_level.clone()).collect()
}

/// Surplus `s_i(σ) = u_i(σ) − d_i`.
pub fn surplus(game: &NormalFormGame, profile: &[Vec<Rational>], threat: &[Rational]) -> Vec<Rational> {
    game.expected_payoffs(profile)
        .into_iter()
        .zip(threat)
        .map(|(u, d)| u - d)
        .collect()
}

/// A pure profile with a probability: one entry of a correlated distribution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct WeightedProfile {
    /// One action index per player.
    pub profile: Vec<usize>,
    /// Its probability in the distribution (the entries' probabilities sum to 1).
    pub probability: f64,
}

/// The Nash bargaining solution.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Bargaining {
    /// The bargaining payoff profile `x`, one per player (floating point;
    /// see `exact_payoffs` for two players).
    pub payoffs: Vec<f64>,
    /// `Π_i (x_i − d_i)`; 0 when no feasible point gives everyone positive surplus.
    pub product: f64,
    /// A correlated distribution over pure profiles attaining the payoffs.
    pub distribution: Vec<WeightedProfile>,
    /// Some feasible point gives every player strictly positive surplus.
    pub interior: bool,
    /// The payoffs exactly, when they are computed exactly (two players).
    #[serde(serialize_with = "crate::exact::ser")]
    pub exact_payoffs: Option<Vec<Rational>>,
}

fn weighted(game: &NormalFormGame, entries: impl IntoIterator<Item = (usize, f64)>) -> Vec<WeightedProfile> {
    entries
        .into_iter()
        .map(|(k, probability)| WeightedProfile {
            profile: game.profile(k),
            probability,
        })
        .collect()
}

/// Two players: the solution lies on a segment between two payoff profiles
/// (an edge of the hull's Pareto frontier), and on each segment the product of
/// surpluses is a quadratic in the mixing weight — maximised exactly.
fn bargaining_two_players(game: &NormalFormGame, d: &[Rational]) -> Bargaining {
    let k = game.n_profiles();
    let point = |a: usize| (game.payoff(a, 0) - &d[0], game.payoff(a, 1) - &d[1]);
    let zero = Rational::zero();
    let one = Rational::from_integer(1.into());
    // (product, a, b, t): the point (1 − t)·u(a) + t·u(b).
    let mut best: Option<(Rational, usize, usize, Rational)> = None;
    for a in 0..k {
        for b in a..k {
            let ((pa, pb), (qa, qb)) = (point(a), point(b));
            let (da, db) = (&qa - &pa, &qb - &pb);
            let value = |t: &Rational| (&pa + &da * t, &pb + &db * t);
            let mut candidates = vec![zero.clone(), one.clone()];
            // f(t) = (pa + da t)(pb + db t); f'(t) = 0 at t = −(da pb + db pa) / (2 da db).
            let curvature = &da * &db;
            if curvature < zero {
                let t = -(&da * &pb + &db * &pa) / (Rational::from_integer(2.into()) * &curvature);
                if t > zero && t < one {
                    candidates.push(t);
                }
            }
            for t in candidates {
                let (x, y) = value(&t);
                if x < zero || y < zero {
                    continue;
                }
                let product = &x * &y;
                if best.as_ref().is_none_or(|b| product > b.0) {
                    best = Some((product, a, b, t));
                }
            }
        }
    }
    // Some profile always reaches the security levels' product region boundary; fall back to the threat point.
    let (product, a, b, t) = best.unwrap_or((zero.clone(), 0, 0, zero.clone()));
    let x: Vec<Rational> = (0..2)
        .map(|i| (&one - &t) * game.payoff(a, i) + &t * game.payoff(b, i))
        .collect();
    let mut distribution = vec![(a, f64::from_rational(&(&one - &t)))];
    if b != a && t > zero {
        distribution.push((b, f64::from_rational(&t)));
    }
    distribution.retain(|e| e.1 > 0.0);
    Bargaining {
        payoffs: x.iter().map(f64::from_rational).collect(),
        product: f64::from_rational(&product),
        distribution: weighted(game, distribution),
        interior: product > zero,
        exact_payoffs: Some(x),
    }
}

/// Maximise `Π_i (x_i − d_i)` over the convex hull of the payoff profiles, `x ≥ d`.
pub fn nash_bargaining(game: &NormalFormGame, threat: &[Rational]) -> Result<Bargaining> {
    let n = game.n_players();
    if n == 2 {
        return Ok(bargaining_two_players(game, threat));
    }
    let k = game.n_profiles();
    // Start: the distribution maximising the smallest surplus, an exact zero-sum LP
    // (rows: pure profiles, columns: players, entries u_i(a) − d_i).
    let gains: Vec<Vec<Rational>> = (0..k)
        .map(|idx| (0..n).map(|i| game.payoff(idx, i) - &threat[i]).collect())
        .collect();
    let negated: Vec<Vec<Rational>> = gains.iter().map(|r| r.iter().map(|x| -x).collect()).collect();
    let start = bimatrix::zero_sum(&NormalFormGame::bimatrix(&gains, &negated)?)?;
    let d: Vec<f64> = threat.iter().map(f64::from_rational).collect();
    let u: Vec<Vec<f64>> = (0..k)
        .map(|idx| (0..n).map(|i| f64::from_rational(game.payoff(idx, i))).collect())
        .collect();
    let mut p: Vec<f64> = start.row.iter().map(f64::from_rational).collect();
    let payoff = |p: &[f64]| -> Vec<f64> { (0..n).map(|i| (0..k).map(|a| p[a] * u[a][i]).sum()).collect() };
    if !start.value.is_positive() {
        let x = payoff(&p);
        let distribution = weighted(
            game,
            p.iter().enumerate().filter(|(_, &q)| q > 1e-12).map(|(a, &q)| (a, q)),
        );
        return Ok(Bargaining {
            payoffs: x,
            product: 0.0,
            distribution,
            interior: false,
            exact_payoffs: None,
        });
    }
    let objective = |x: &[f64]| -> f64 { x.iter().zip(&d).map(|(x, d)| (x - d).ln()).sum() };
    for _ in 0..20_000 {
        let x = payoff(&p);
        // Frank–Wolfe: move towards the pure profile with the steepest gain.
        let grad: Vec<f64> = (0..n).map(|i| 1.0 / (x[i] - d[i])).collect();
        let score = |a: usize| (0..n).map(|i| grad[i] * u[a][i]).sum::<f64>();
        let best = (0..k).max_by(|&a, &b| score(a).total_cmp(&score(b))).unwrap_or(0);
        let current: f64 = (0..n).map(|i| grad[i] * x[i]).sum();
        if score(best) - current < 1e-13 * current.abs().max(1.0) {
            break;
        }
        // Exact line search on the concave 1-D objective by bisection on its derivative.
        let direction: Vec<f64> = (0..n).map(|i| u[best][i] - x[i]).collect();
        let slope = |t: f64| {
            (0..n)
                .map(|i| direction[i] / (x[i] + t * direction[i] - d[i]))
                .sum::<f64>()
        };
        let (mut lo, mut hi) = (0.0, 1.0);
        // Stay strictly inside x > d.
        for i in 0..n {
            if direction[i] < 0.0 {
                hi = f64::min(hi, 0.999_999 * (x[i] - d[i]) / -direction[i]);
            }
        }
        if slope(hi) > 0.0 {
            lo = hi;
        } else {
            for _ in 0..60 {
                let mid = 0.5 * (lo + hi);
                if slope(mid) > 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
        }
        if lo <= 0.0 {
            break;
        }
        p.iter_mut().for_each(|q| *q *= 1.0 - lo);
        p[best] += lo;
    }
    let x = payoff(&p);
    let product = objective(&x).exp();
    let distribution = weighted(
        game,
        p.iter().enumerate().filter(|(_, &q)| q > 1e-9).map(|(a, &q)| (a, q)),
    );
    Ok(Bargaining {
        payoffs: x,
        product,
        distribution,
        interior: true,
        exact_payoffs: None,
    })
}

/// Options of [`alignment_report`].
#[derive(Clone, Debug, Default)]
pub struct AlignmentOptions {
    /// Welfare weights, one positive number per player (default all 1).
    pub weights: Option<Vec<Rational>>,
}

/// The local metrics at one profile (a "localizer").
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Localized {
    /// `max-sum (C, C)`, `pure maxmin`, `mixed maxmin` or `Nash equilibrium k`.
    pub label: String,
    /// The profile `σ`: `strategies[i][a]` is player `i`'s probability of action `a`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub strategies: Vec<Vec<Rational>>,
    /// `E_σ[w]`, the weighted sum of utility.
    #[serde(serialize_with = "crate::exact::ser")]
    pub sum_of_utility: Rational,
    /// `max_a w(a) − E_σ[w]`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub coordination_gap: Rational,
    /// `u_i(σ) − d_i` for every player.
    #[serde(serialize_with = "crate::exact::ser")]
    pub surplus: Vec<Rational>,
    /// `Cov_σ(u_i, u_j)`, n × n.
    #[serde(serialize_with = "crate::exact::ser")]
    pub covariance: Vec<Vec<Rational>>,
}

/// Every alignment metric of a game: the global quantities of the
/// Coordination–Alignment inequalities, security levels, the threat point,
/// the Nash bargaining solution, and the local metrics at each localizer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AlignmentReport {
    /// The game's title.
    pub title: String,
    /// The players' names.
    pub players: Vec<String>,
    /// `actions[i]`: player `i`'s action names (profiles below index them).
    pub actions: Vec<Vec<String>>,
    /// The welfare weights `c_i` used (all 1 unless given).
    #[serde(serialize_with = "crate::exact::ser")]
    pub weights: Vec<Rational>,
    /// `max_a w(a)`, and the pure profiles attaining it (action indices).
    #[serde(serialize_with = "crate::exact::ser")]
    pub max_welfare: Rational,
    /// See `max_welfare`: each profile as one action index per player.
    pub max_welfare_profiles: Vec<Vec<usize>>,
    /// `Σ_i c_i max_a u_i(a)`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub ideal_welfare: Rational,
    /// `α = max_a w(a) − Σ_i c_i max_a u_i(a) ≤ 0`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub alpha: Rational,
    /// `−α`.
    #[serde(serialize_with = "crate::exact::ser")]
    pub alignment_gap: Rational,
    /// Welfare is the same at every profile.
    pub constant_welfare: bool,
    /// α = 0: the profiles optimal for every player at once.
    pub unanimous_profiles: Vec<Vec<usize>>,
    /// Every player's pure and mixed security levels, in player order.
    pub security: Vec<Security>,
    /// The mixed security levels (see [`threat_point`]).
    #[serde(serialize_with = "crate::exact::ser")]
    pub threat_point: Vec<Rational>,
    /// The Nash bargaining solution with the threat point as disagreement point.
    pub nash_bargaining: Bargaining,
    /// How the equilibria among the localizers were found.
    pub equilibrium_method: Method,
    /// The max-sum profile, the pure and mixed maxmin profiles, and every
    /// equilibrium [`equilibrium::solve`] finds with [`SolveOptions::all`].
    pub localized: Vec<Localized>,
}

/// Every alignment metric of `game` with the welfare weights of `opts`.
pub fn alignment_report(game: &NormalFormGame, opts: &AlignmentOptions) -> Result<AlignmentReport> {
    alignment_report_with(game, opts, &NoProgress)
}

/// [`alignment_report`], reporting the equilibrium search to `progress` and
/// stopping with [`Error::Cancelled`] when it asks.
pub fn alignment_report_with(
    game: &NormalFormGame,
    opts: &AlignmentOptions,
    progress: &dyn Progress,
) -> Result<AlignmentReport> {
    let weights = opts
        .weights
        .clone()
        .unwrap_or_else(|| vec![Rational::from_integer(1.into()); game.n_players()]);
    check_weights(game, &weights)?;
    let al = alignment(game, &weights);
    let security = security_levels(game)?;
    let threat = threat_point(&security);
    let nash_bargaining = nash_bargaining(game, &threat)?;
    let solution = equilibrium::solve_with(game, &SolveOptions::all(), progress)?;
    let max_sum = game.profile(al.max_welfare_profiles[0]);
    let mut localizers: Vec<(String, Vec<Vec<Rational>>)> = vec![
        (
            format!("max-sum {}", game.profile_name(&max_sum)),
            game.pure_profile(&max_sum),
        ),
        (
            "pure maxmin".into(),
            game.pure_profile(&security.iter().map(|s| s.pure_action).collect::<Vec<_>>()),
        ),
        (
            "mixed maxmin".into(),
            security.iter().map(|s| s.mixed_strategy.clone()).collect(),
        ),
    ];
    for (k, e) in solution.equilibria.into_iter().enumerate() {
        localizers.push((format!("Nash equilibrium {}", k + 1), e.strategies));
    }
    let localized = localizers
        .into_iter()
        .map(|(label, strategies)| {
            let sum = expected_welfare(game, &weights, &strategies);
            Localized {
                label,
                coordination_gap: &al.max_welfare - &sum,
                sum_of_utility: sum,
                surplus: surplus(game, &strategies, &threat),
                covariance: covariance(game, &strategies),
                strategies,
            }
        })
        .collect();
    Ok(AlignmentReport {
        title: game.title.clone(),
        players: game.players().to_vec(),
        actions: (0..game.n_players()).map(|i| game.actions(i).to_vec()).collect(),
        weights,
        alignment_gap: -al.alpha.clone(),
        alpha: al.alpha,
        max_welfare: al.max_welfare,
        max_welfare_profiles: al.max_welfare_profiles.iter().map(|&k| game.profile(k)).collect(),
        ideal_welfare: al.ideal_welfare,
        constant_welfare: al.constant_welfare,
        unanimous_profiles: al.unanimous_profiles.iter().map(|&k| game.profile(k)).collect(),
        security,
        threat_point: threat,
        nash_bargaining,
        equilibrium_method: solution.method,
        localized,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exact::parse_rational;

    fn q(s: &str) -> Rational {
        parse_rational(s).unwrap()
    }

    fn pd() -> NormalFormGame {
        let m = |v: [[i64; 2]; 2]| {
            v.iter()
                .map(|r| r.iter().map(|&x| Rational::from_integer(x.into())).collect())
                .collect::<Vec<Vec<Rational>>>()
        };
        NormalFormGame::bimatrix(&m([[2, 0], [3, 1]]), &m([[2, 3], [0, 1]])).unwrap()
    }

    fn mp() -> NormalFormGame {
        let m = |v: [[i64; 2]; 2]| {
            v.iter()
                .map(|r| r.iter().map(|&x| Rational::from_integer(x.into())).collect())
                .collect::<Vec<Vec<Rational>>>()
        };
        NormalFormGame::bimatrix(&m([[1, -1], [-1, 1]]), &m([[-1, 1], [1, -1]])).unwrap()
    }

    #[test]
    fn seed_reference_numbers() {
        let ones = vec![q("1"), q("1")];
        assert_eq!(alignment(&mp(), &ones).alpha, q("-2"));
        assert_eq!(alignment(&pd(), &ones).alpha, q("-2"));
        // PD with independent defection probabilities p1, p2: Cov = −2 Σ p_i (1 − p_i).
        for (p1, p2) in [("1/2", "1/2"), ("1/3", "3/4"), ("0", "1"), ("1/10", "0")] {
            let (a, b) = (q(p1), q(p2));
            let profile = vec![vec![q("1") - &a, a.clone()], vec![q("1") - &b, b.clone()]];
            let expected = q("-2") * (&a * (q("1") - &a) + &b * (q("1") - &b));
            assert_eq!(covariance(&pd(), &profile)[0][1], expected, "p = ({p1}, {p2})");
        }
        // Matching Pennies: Cov(u1, u2) = −Var(u1) under any profile.
        for (p1, p2) in [("1/2", "1/2"), ("1/3", "1/5")] {
            let profile = vec![vec![q(p1), q("1") - q(p1)], vec![q(p2), q("1") - q(p2)]];
            let c = covariance(&mp(), &profile);
            assert_eq!(c[0][1], -c[0][0].clone());
        }
    }
}

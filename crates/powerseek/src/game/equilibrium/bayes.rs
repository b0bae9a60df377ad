//! Bayesian Nash equilibria of two-player Bayesian games **without the
//! induced normal form**: support enumeration per type on the agent form.
//!
//! Each (player, type) is an agent choosing a support `S_{i,t}` of its
//! actions. Player 1's type `t₁` is indifferent among its support when
//! `Σ_{t₂} Ω(t₁,t₂) Σ_{b ∈ S_{2,t₂}} (r₁(t,(a,b)) − r₁(t,(a₀,b))) y(t₂,b) = 0`
//! for every `a ∈ S_{1,t₁}`: **linear** in player 2's behaviour `y` (and
//! symmetrically for player 2's types in `x`). With the normalisations
//! `Σ_b y(t₂,b) = 1`, player 2's unknowns `Σ|S_{2,t₂}|` meet
//! `Σ(|S_{1,t₁}| − 1) + T₂` equations, and player 1's likewise; both systems
//! are square exactly when `Σ|S_{1,t}| − T₁ = Σ|S_{2,t}| − T₂`, so only those
//! support profiles are solved (others would leave one side underdetermined,
//! i.e. a continuum, or the other overdetermined).
//!
//! Each system is solved first in floating point: a solution with a
//! component clearly negative (below `−10⁻⁹`, on a well-conditioned matrix)
//! is dropped at once; every other is solved exactly (rational Gaussian
//! elimination), must be positive on its support, and the behaviour must have
//! exact interim regret 0 (so actions outside the supports are no better).
//! The number of support profiles is `Π_{i,t} (2^{|A_i|} − 1)`, of which the
//! square ones are solved: 26 893 of 117 649 for 3 types × 3 actions each.
//!
//! What is found: every equilibrium whose supports give nonsingular systems —
//! all equilibria of nondegenerate games (where the equilibrium set is
//! finite). Singular systems (degenerate games, continua) are counted in
//! [`TypeSupportResult::singular`] and their equilibria may be missing.
//! Types of probability zero make the systems singular by construction, so
//! such games are refused (the induced normal form handles them).

use num_traits::{Signed, ToPrimitive, Zero};

use crate::error::{Error, Result};
use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::{dedup, mixed_radix_index, Rational};
use crate::progress::Progress;

/// Most support profiles [`type_support`] enumerates (about 10⁷).
pub const MAX_SUPPORT_PROFILES: u64 = 10_000_000;

/// What [`type_support`] found.
#[derive(Clone, Debug)]
pub struct TypeSupportResult {
    /// The Bayesian Nash equilibria found, each once, exact.
    pub equilibria: Vec<Behaviour<Rational>>,
    /// Support profiles in all (`Π (2^{|A_i|} − 1)` over every player's types).
    pub supports: u64,
    /// Square support profiles solved.
    pub solved: u64,
    /// Square support profiles whose system was singular (their equilibria may be missing).
    pub singular: u64,
}

/// The number of support profiles of a two-player Bayesian game,
/// `Π_{i,t} (2^{|A_i|} − 1)`, saturating at `u64::MAX` (computed before
/// anything is allocated).
pub fn support_profiles(game: &BayesianGame) -> u64 {
    (0..game.n_players()).fold(1u64, |acc, i| {
        let m = game.actions(i).len();
        let per = if m >= 64 { u64::MAX } else { (1u64 << m) - 1 };
        acc.saturating_mul(per.saturating_pow(game.types(i).len() as u32))
    })
}

/// The supports of one player: for each of its types, every nonempty subset
/// of its actions, as action lists; combinations in mixed-radix order.
fn subsets(n_actions: usize) -> Vec<Vec<usize>> {
    (1u64..(1 << n_actions))
        .map(|m| (0..n_actions).filter(|a| m >> a & 1 == 1).collect())
        .collect()
}

/// `w[t_i][t_j][a][b] = Ω(t) · r_i(t, (a, b))` from player `i`'s side (`a` its
/// action, `b` the other's).
fn weights(game: &BayesianGame, i: usize) -> Weights {
    let j = 1 - i;
    let (ti_n, tj_n) = (game.types(i).len(), game.types(j).len());
    let (ai_n, aj_n) = (game.actions(i).len(), game.actions(j).len());
    let type_sizes = [game.types(0).len(), game.types(1).len()];
    let action_sizes = [game.actions(0).len(), game.actions(1).len()];
    (0..ti_n)
        .map(|ti| {
            (0..tj_n)
                .map(|tj| {
                    let mut t = [0; 2];
                    t[i] = ti;
                    t[j] = tj;
                    let tk = mixed_radix_index(&t, &type_sizes);
                    (0..ai_n)
                        .map(|a| {
                            (0..aj_n)
                                .map(|b| {
                                    let mut p = [0; 2];
                                    p[i] = a;
                                    p[j] = b;
                                    let ak = mixed_radix_index(&p, &action_sizes);
                                    game.prior(tk) * game.payoff(tk, ak, i)
                                })
                                .collect()
                        })
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// The system for the *other* player's behaviour on `theirs` making `mine`
/// (one support per type of player `i`) indifferent: rows of coefficients
/// over the unknowns `(t_j, b ∈ theirs[t_j])`, then the right-hand side.
fn system<T: Clone + std::ops::Sub<Output = T>>(
    w: &[Vec<Vec<Vec<T>>>],
    mine: &[&Vec<usize>],
    theirs: &[&Vec<usize>],
    zero: T,
    one: T,
) -> Vec<Vec<T>> {
    let unknowns: usize = theirs.iter().map(|s| s.len()).sum();
    let mut rows = Vec::with_capacity(unknowns);
    for (ti, s) in mine.iter().enumerate() {
        let a0 = s[0];
        for &a in &s[1..] {
            let mut row = Vec::with_capacity(unknowns + 1);
            for (tj, sj) in theirs.iter().enumerate() {
                for &b in sj.iter() {
                    row.push(w[ti][tj][a][b].clone() - w[ti][tj][a0][b].clone());
                }
            }
            row.push(zero.clone());
            rows.push(row);
        }
    }
    let mut col = 0;
    for sj in theirs {
        let mut row = vec![zero.clone(); unknowns + 1];
        for k in 0..sj.len() {
            row[col + k] = one.clone();
        }
        row[unknowns] = one.clone();
        rows.push(row);
        col += sj.len();
    }
    rows
}

/// Floating-point solve with partial pivoting, or `None` when the matrix is
/// (nearly) singular.
fn float_solve(mut m: Vec<Vec<f64>>) -> Option<Vec<f64>> {
    let d = m.len();
    let scale = m.iter().flatten().fold(0.0f64, |a, x| a.max(x.abs())).max(1e-300);
    for c in 0..d {
        let p = (c..d).max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))?;
        if m[p][c].abs().is_nan() || m[p][c].abs() <= 1e-9 * scale {
            return None;
        }
        m.swap(c, p);
        for r in c + 1..d {
            let f = m[r][c] / m[c][c];
            if f != 0.0 {
                for k in c..=d {
                    m[r][k] -= f * m[c][k];
                }
            }
        }
    }
    let mut z = vec![0.0; d];
    for c in (0..d).rev() {
        let s: f64 = m[c][d] - (c + 1..d).map(|k| m[c][k] * z[k]).sum::<f64>();
        z[c] = s / m[c][c];
    }
    Some(z)
}

/// Exact Gaussian elimination on the augmented `rows`, or `None` if singular.
fn exact_solve(mut rows: Vec<Vec<Rational>>) -> Option<Vec<Rational>> {
    let d = rows.len();
    for c in 0..d {
        let p = (c..d).find(|&r| !rows[r][c].is_zero())?;
        rows.swap(c, p);
        let pivot = rows[c][c].clone();
        for r in c + 1..d {
            if rows[r][c].is_zero() {
                continue;
            }
            let f = &rows[r][c] / &pivot;
            for k in c..=d {
                let v = &f * &rows[c][k];
                rows[r][k] -= v;
            }
        }
    }
    let mut z = vec![Rational::zero(); d];
    for c in (0..d).rev() {
        let mut s = rows[c][d].clone();
        for k in c + 1..d {
            s -= &rows[c][k] * &z[k];
        }
        z[c] = s / &rows[c][c];
    }
    Some(z)
}

/// Outcome of one side of a support profile.
enum Side {
    Behaviour(Vec<Vec<Rational>>),
    Infeasible,
    Singular,
}

/// The other player's behaviour on `theirs` making `mine` indifferent, in
/// floating point: `Some(None)` when the matrix is (nearly) singular (decide
/// exactly), `None` when a component is clearly negative (no equilibrium).
fn float_side(
    wf: &FloatWeights,
    mine: &[&Vec<usize>],
    theirs: &[&Vec<usize>],
    n_actions: usize,
) -> Option<Option<Vec<Vec<f64>>>> {
    let Some(z) = float_solve(system(wf, mine, theirs, 0.0, 1.0)) else {
        return Some(None);
    };
    if z.iter().any(|v| *v < -1e-9) {
        return None;
    }
    Some(Some(spread(&z, theirs, n_actions, 0.0)))
}

/// Per-type behaviours over all actions from the unknowns on the supports.
fn spread<T: Clone>(z: &[T], theirs: &[&Vec<usize>], n_actions: usize, zero: T) -> Vec<Vec<T>> {
    let mut k = 0;
    theirs
        .iter()
        .map(|s| {
            let mut b = vec![zero.clone(); n_actions];
            for &a in s.iter() {
                b[a] = z[k].clone();
                k += 1;
            }
            b
        })
        .collect()
}

/// The other player's behaviour making `mine` indifferent, positive on
/// `theirs`, exactly.
fn side(w: &Weights, mine: &[&Vec<usize>], theirs: &[&Vec<usize>], n_actions: usize) -> Side {
    let one = Rational::from_integer(1.into());
    let Some(z) = exact_solve(system(w, mine, theirs, Rational::zero(), one)) else {
        return Side::Singular;
    };
    if z.iter().any(|v| !v.is_positive()) {
        return Side::Infeasible;
    }
    Side::Behaviour(spread(&z, theirs, n_actions, Rational::zero()))
}

type Weights = Vec<Vec<Vec<Vec<Rational>>>>;
type FloatWeights = Vec<Vec<Vec<Vec<f64>>>>;

fn to_float(w: &Weights) -> FloatWeights {
    w.iter()
        .map(|a| {
            a.iter()
                .map(|b| {
                    b.iter()
                        .map(|c| c.iter().map(|x| x.to_f64().unwrap_or(f64::NAN)).collect())
                        .collect()
                })
                .collect()
        })
        .collect()
}

/// Every Bayesian Nash equilibrium of a two-player Bayesian game whose
/// per-type supports give nonsingular systems (all of them in nondegenerate
/// games), exactly, by support enumeration per type (module docs). Reports
/// player 1's support profiles done to `progress`; stops with
/// [`Error::Cancelled`] when it asks.
pub fn type_support(game: &BayesianGame, progress: &dyn Progress) -> Result<TypeSupportResult> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "support enumeration per type needs a 2-player Bayesian game; this one has {} players",
            game.n_players()
        )));
    }
    for i in 0..2 {
        for t in 0..game.types(i).len() {
            if game.type_probability(i, t).is_zero() {
                return Err(Error::invalid(format!(
                    "support enumeration per type needs every type to have positive probability; {}'s type '{}' has probability 0 (use the induced normal form: method enum)",
                    game.players()[i],
                    game.types(i)[t]
                )));
            }
        }
    }
    let types = [game.types(0).len(), game.types(1).len()];
    let supports = support_profiles(game);
    if supports > MAX_SUPPORT_PROFILES {
        return Err(Error::invalid(format!(
            "support enumeration per type: {} support profiles (Π over every player's types of 2^actions − 1), above the limit of {MAX_SUPPORT_PROFILES}",
            if supports == u64::MAX { "more than 1.8e19".to_string() } else { supports.to_string() }
        )));
    }
    let per: Vec<Vec<Vec<usize>>> = (0..2).map(|i| subsets(game.actions(i).len())).collect();
    let counts: Vec<u64> = (0..2)
        .map(|i| (per[i].len() as u64).saturating_pow(types[i] as u32))
        .collect();
    // Every type-support profile of each player, with its size Σ(|S_t| − 1) + ... .
    let profiles: Vec<Vec<(Vec<usize>, usize)>> = (0..2)
        .map(|i| {
            (0..counts[i] as usize)
                .map(|k| {
                    let digits = crate::game::mixed_radix_digits(k, &vec![per[i].len(); types[i]]);
                    let size: usize = digits.iter().map(|&d| per[i][d].len() - 1).sum();
                    (digits, size)
                })
                .collect()
        })
        .collect();
    let w = [weights(game, 0), weights(game, 1)];
    let wf = [to_float(&w[0]), to_float(&w[1])];
    let scale = game.payoff_scale().to_f64().unwrap_or(1.0).max(1e-300);
    let n_actions = [game.actions(0).len(), game.actions(1).len()];
    progress.set_total(counts[0]);
    let mut out = TypeSupportResult {
        equilibria: vec![],
        supports,
        solved: 0,
        singular: 0,
    };
    for (d1, size1) in &profiles[0] {
        crate::progress::check(progress)?;
        let s1: Vec<&Vec<usize>> = d1.iter().map(|&d| &per[0][d]).collect();
        for (d2, size2) in &profiles[1] {
            if size1 != size2 {
                continue;
            }
            out.solved += 1;
            let s2: Vec<&Vec<usize>> = d2.iter().map(|&d| &per[1][d]).collect();
            // Screen in floating point: both behaviours nonnegative and no
            // action outside the supports clearly better.
            let (Some(yf), Some(xf)) = (
                float_side(&wf[0], &s1, &s2, n_actions[1]),
                float_side(&wf[1], &s2, &s1, n_actions[0]),
            ) else {
                continue;
            };
            if let (Some(yf), Some(xf)) = (yf, xf) {
                if game.max_interim_regret(&vec![xf, yf]) > 1e-7 * scale {
                    continue;
                }
            }
            // Player 2's behaviour from player 1's indifference, then player 1's, exactly.
            let y = match side(&w[0], &s1, &s2, n_actions[1]) {
                Side::Behaviour(y) => y,
                Side::Infeasible => continue,
                Side::Singular => {
                    out.singular += 1;
                    continue;
                }
            };
            let x = match side(&w[1], &s2, &s1, n_actions[0]) {
                Side::Behaviour(x) => x,
                Side::Infeasible => continue,
                Side::Singular => {
                    out.singular += 1;
                    continue;
                }
            };
            let behaviour = vec![x, y];
            if game.max_interim_regret(&behaviour).is_zero() {
                out.equilibria.push(behaviour);
            }
        }
        progress.advance(1);
    }
    out.equilibria = dedup(out.equilibria);
    Ok(out)
}

//! Bayesian Nash equilibria of two-player Bayesian games **without the
//! induced normal form**: vertex enumeration per type on the agent form.
//!
//! Player 1's behaviour is `x(t₁, a)` (a distribution over its actions for
//! each of its types), player 2's `y(t₂, b)`. Player 1's type `t₁` earns
//! `U₁(t₁, a; y) = Σ_{t₂} Ω(t₁,t₂) Σ_b r₁(t,(a,b)) y(t₂,b)` from `a`
//! (weighted by the type's probability, which leaves its best responses
//! unchanged): **linear** in `y`. So player 2's best-response polyhedron
//! `Q = {(y, v) : y(t₂,·) ∈ Δ, U₁(t₁,a; y) ≤ v(t₁)}` is a polyhedron as in a
//! bimatrix game, with one simplex and one value per type, and likewise
//! `P` for `x`. Its labels are player 2's pairs `(t₂, b)` with
//! `y(t₂,b) = 0` and player 1's pairs `(t₁, a)` that are best responses.
//! A behaviour profile is an equilibrium exactly when every pair of both
//! players is a label of `x` or of `y`; the **extreme** equilibria are the
//! complementary pairs of vertices, and equilibria sharing a vertex are
//! joined by a segment of equilibria, so the components are the connected
//! sets of the graph of complementary pairs (as in a bimatrix game).
//!
//! **Vertices by bases.** A vertex of `Q` is fixed by a basis: for each of
//! player 1's types a nonempty *tight set* `T₁(t₁)` of actions with equal,
//! best payoff, and for each of player 2's types a nonempty *support*
//! `S₂(t₂)` (the other actions at 0). The system `U₁(t₁,a;y) = U₁(t₁,a₀;y)`
//! for `a ∈ T₁(t₁)`, `Σ_b y(t₂,b) = 1`, over the unknowns `y` on `S₂`, is
//! square exactly when `Σ(|T₁(t)| − 1) = Σ(|S₂(t)| − 1)`; every such system
//! is solved, and its solution kept when it is nonnegative and each `T₁(t₁)`
//! really is a set of best responses. Every vertex has a nonsingular basis
//! among its tight constraints (a vertex is where they have full rank, and
//! such a basis needs a nonzero entry and a best response for every type),
//! so **singular systems are skipped without losing anything**: degenerate
//! games, with ties and continua of equilibria, get all their extreme
//! equilibria. The number of bases per side is `Π_{i,t} (2^{|A_i|} − 1)`
//! (117 649 for 3 types × 3 actions each), of which the square ones
//! (26 893 per side) are solved.
//!
//! Each system is solved first in floating point: a solution with a
//! component clearly negative (below `−10⁻⁷`) or a tight set clearly not
//! best (by `10⁻⁶` of the payoff scale), on a well-conditioned matrix, is
//! dropped at once; every other is solved exactly and checked exactly, and
//! every equilibrium is finally checked by its exact interim regret. The
//! exact work runs in integers, not rationals, whose every operation takes
//! a greatest common divisor (measured: 82% of the time before this): each
//! side's weights are scaled by the least common multiple of their
//! denominators, each system is solved by fraction-free (Bareiss)
//! elimination into numerators over one positive denominator, and the
//! payoffs that check a candidate are compared as integers, all of one
//! type's sharing the same positive factor. A behaviour becomes rational
//! once it is accepted. This is the per-type analogue of
//! the vertex enumeration a bimatrix game gets (which pairs the vertices of
//! its best-response polytopes); its memory holds the vertices, which are
//! few for games this method admits ([`MAX_SUPPORT_PROFILES`]).
//!
//! Types of probability zero would leave a type's behaviour free, so such
//! games are refused (the induced normal form handles them).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::error::{Error, Result};
use crate::game::bayesian::{BayesianGame, Behaviour};
use crate::game::{mixed_radix_index, Rational};
use crate::progress::Progress;

/// Most support profiles [`type_support`] enumerates (about 10⁷).
pub const MAX_SUPPORT_PROFILES: u64 = 10_000_000;

/// What [`type_support`] found.
#[derive(Clone, Debug)]
pub struct TypeSupportResult {
    /// The extreme Bayesian Nash equilibria, each once, exact.
    pub equilibria: Vec<Behaviour<Rational>>,
    /// The connected components of the equilibrium set, as indices into
    /// `equilibria` (its extreme points in each).
    pub components: Vec<Vec<usize>>,
    /// Vertices of player 1's and player 2's best-response polyhedra.
    pub vertices: [usize; 2],
    /// Bases per side in all (`Π (2^{|A_i|} − 1)` over every player's types).
    pub supports: u64,
    /// Square systems solved (both sides).
    pub solved: u64,
    /// Of those, singular ones (skipped: no vertex is lost, module docs).
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

/// Fraction-free Gaussian elimination (Bareiss) on the augmented integer
/// `rows`: the solution as numerators over one positive common denominator
/// (`x_k = num_k / den`), or `None` if the matrix is singular. Every
/// division is exact (Bareiss's theorem: each entry after step `k` is a
/// `(k+1)`-minor of the matrix), so no greatest common divisor is ever
/// taken; the back substitution works on `X = x · D` with `D` the last
/// pivot, `±det`, which Cramer's rule makes integral.
fn bareiss_solve(mut a: Vec<Vec<BigInt>>) -> Option<(Vec<BigInt>, BigInt)> {
    let d = a.len();
    let mut prev = BigInt::one();
    for k in 0..d {
        let p = (k..d).find(|&r| !a[r][k].is_zero())?;
        a.swap(k, p);
        let (top, rest) = a.split_at_mut(k + 1);
        let pivot_row = &top[k];
        for row in rest.iter_mut() {
            for j in k + 1..=d {
                row[j] = (&row[j] * &pivot_row[k] - &row[k] * &pivot_row[j]) / &prev;
            }
            row[k] = BigInt::zero();
        }
        prev = a[k][k].clone();
    }
    let den = prev;
    let mut x = vec![BigInt::zero(); d];
    for i in (0..d).rev() {
        let mut s = &a[i][d] * &den;
        for j in i + 1..d {
            s -= &a[i][j] * &x[j];
        }
        x[i] = s / &a[i][i];
    }
    if den.is_negative() {
        Some((x.into_iter().map(|v| -v).collect(), -den))
    } else {
        Some((x, den))
    }
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

type Weights = Vec<Vec<Vec<Vec<Rational>>>>;
type FloatWeights = Vec<Vec<Vec<Vec<f64>>>>;
type IntWeights = Vec<Vec<Vec<Vec<BigInt>>>>;

/// Every weight mapped by `f`, in the same nesting.
fn map_weights<T, U>(w: &[Vec<Vec<Vec<T>>>], f: impl Fn(&T) -> U) -> Vec<Vec<Vec<Vec<U>>>> {
    w.iter()
        .map(|a| {
            a.iter()
                .map(|b| b.iter().map(|c| c.iter().map(&f).collect()).collect())
                .collect()
        })
        .collect()
}

/// The weights times the least common multiple of their denominators
/// (positive), so all exact work on one side runs in integers: scaling
/// every weight by one positive number changes neither which systems are
/// singular, nor their solutions, nor any comparison of payoffs.
fn to_integer(w: &Weights) -> IntWeights {
    let lcm = w
        .iter()
        .flatten()
        .flatten()
        .flatten()
        .fold(BigInt::one(), |l, x| l.lcm(x.denom()));
    map_weights(w, |x| x.numer() * (&lcm / x.denom()))
}

fn to_float(w: &Weights) -> FloatWeights {
    map_weights(w, |x| x.to_f64().unwrap_or(f64::NAN))
}

/// `u[t_i][a] = Σ_{t_j, b} w[t_i][t_j][a][b] · behaviour[t_j][b]`: player
/// `i`'s payoff per type and action (weighted by the type's probability)
/// against the other's behaviour. The same numbers as
/// [`BayesianGame::weighted_action_values`], from the precomputed weights
/// `w` rather than the prior and payoffs afresh: it runs for every basis.
fn interim<T>(w: &[Vec<Vec<Vec<T>>>], behaviour: &[Vec<T>], zero: T) -> Vec<Vec<T>>
where
    T: Clone + for<'a> std::ops::AddAssign<&'a T>,
    for<'a> &'a T: std::ops::Mul<&'a T, Output = T>,
{
    w.iter()
        .map(|by_tj| {
            let n_actions = by_tj.first().map_or(0, |a| a.len());
            (0..n_actions)
                .map(|a| {
                    let mut s = zero.clone();
                    for (tj, row) in by_tj.iter().enumerate() {
                        for (b, p) in behaviour[tj].iter().enumerate() {
                            s += &(&row[a][b] * p);
                        }
                    }
                    s
                })
                .collect()
        })
        .collect()
}

/// A vertex of one player's best-response polyhedron: that player's
/// behaviour with its labels.
struct Vertex {
    /// `behaviour[t][a]`, exact.
    behaviour: Vec<Vec<Rational>>,
    /// Its own (type, action) pairs, flattened, played with probability 0.
    unplayed: Vec<bool>,
    /// The other player's (type, action) pairs, flattened, that are best responses to it.
    best: Vec<bool>,
}

/// Counts of one side's enumeration.
#[derive(Default)]
struct SideRun {
    solved: u64,
    singular: u64,
}

/// Every vertex of the best-response polyhedron of player `j = 1 − i`:
/// each basis is a tight set per type of player `i` (`tight`, best
/// responses with equal payoff) and a support per type of player `j`
/// (`support`, the rest at 0) of equal size; its square system is solved
/// (screened in floating point, then exactly), and kept when the behaviour
/// is nonnegative and the tight sets really are best responses. Every
/// vertex has a nonsingular basis among its tight constraints, so singular
/// systems are skipped without losing any.
fn vertices(
    sets: &Sets,
    i: usize,
    w: &IntWeights,
    wf: &FloatWeights,
    tolerance: f64,
    run: &mut SideRun,
    progress: &dyn Progress,
) -> Result<Vec<Vertex>> {
    let j = 1 - i;
    let n_actions = sets.n_actions[j];
    let mut seen = std::collections::BTreeSet::new();
    let mut found = Vec::new();
    let (zero, one) = (BigInt::zero(), BigInt::one());
    for (di, size_i) in &sets.profiles[i] {
        crate::progress::check(progress)?;
        let tight: Vec<&Vec<usize>> = di.iter().map(|&d| &sets.per[i][d]).collect();
        for (dj, size_j) in &sets.profiles[j] {
            if size_i != size_j {
                continue;
            }
            run.solved += 1;
            let support: Vec<&Vec<usize>> = dj.iter().map(|&d| &sets.per[j][d]).collect();
            if let Some(z) = float_solve(system(wf, &tight, &support, 0.0, 1.0)) {
                if z.iter().any(|v| *v < -1e-7) {
                    continue;
                }
                let u = interim(wf, &spread(&z, &support, n_actions, 0.0), 0.0);
                let best_missed = u.iter().zip(&tight).any(|(ut, s)| {
                    let top = ut.iter().fold(f64::NEG_INFINITY, |m, v| m.max(*v));
                    top > ut[s[0]] + tolerance
                });
                if best_missed {
                    continue;
                }
            }
            let Some((num, den)) = bareiss_solve(system(w, &tight, &support, zero.clone(), one.clone())) else {
                run.singular += 1;
                continue;
            };
            if num.iter().any(|v| v.is_negative()) {
                continue;
            }
            // The behaviour times `den > 0`, and so the payoffs against it
            // times `den` and the weights' scale: integers, in the same order.
            let scaled = spread(&num, &support, n_actions, zero.clone());
            let u = interim(w, &scaled, zero.clone());
            let tops: Vec<&BigInt> = u.iter().map(|ut| ut.iter().max().expect("actions")).collect();
            if u.iter().zip(&tight).zip(&tops).any(|((ut, s), top)| &ut[s[0]] != *top) {
                continue;
            }
            let behaviour: Vec<Vec<Rational>> = scaled
                .into_iter()
                .map(|b| b.into_iter().map(|v| Rational::new(v, den.clone())).collect())
                .collect();
            if seen.contains(&behaviour) {
                continue;
            }
            let best = u
                .iter()
                .zip(&tops)
                .flat_map(|(ut, top)| ut.iter().map(move |v| v == *top))
                .collect();
            let unplayed = behaviour.iter().flatten().map(|p| p.is_zero()).collect();
            seen.insert(behaviour.clone());
            found.push(Vertex {
                behaviour,
                unplayed,
                best,
            });
        }
        progress.advance(1);
    }
    Ok(found)
}

/// The per-type action subsets of both players and every profile of them
/// with its size `Σ_t (|S_t| − 1)` (a basis pairs profiles of equal size).
struct Sets {
    per: Vec<Vec<Vec<usize>>>,
    profiles: Vec<Vec<(Vec<usize>, usize)>>,
    n_actions: [usize; 2],
}

/// Every extreme Bayesian Nash equilibrium of a two-player Bayesian game,
/// exactly, degenerate games included, by enumerating the vertices of both
/// players' best-response polyhedra per type and pairing the complementary
/// ones (module docs); with the components they form. Reports the type
/// profiles done (both sides) to `progress`; stops with [`Error::Cancelled`]
/// when it asks.
pub fn type_support(game: &BayesianGame, progress: &dyn Progress) -> Result<TypeSupportResult> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "vertex enumeration per type needs a 2-player Bayesian game; this one has {} players",
            game.n_players()
        )));
    }
    for i in 0..2 {
        for t in 0..game.types(i).len() {
            if game.type_probability(i, t).is_zero() {
                return Err(Error::invalid(format!(
                    "vertex enumeration per type needs every type to have positive probability; {}'s type '{}' has probability 0 (use the induced normal form: method enum)",
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
            "vertex enumeration per type: {} bases per side (Π over every player's types of 2^actions − 1), above the limit of {MAX_SUPPORT_PROFILES}",
            if supports == u64::MAX { "more than 1.8e19".to_string() } else { supports.to_string() }
        )));
    }
    let per: Vec<Vec<Vec<usize>>> = (0..2).map(|i| subsets(game.actions(i).len())).collect();
    let counts: Vec<u64> = (0..2)
        .map(|i| (per[i].len() as u64).saturating_pow(types[i] as u32))
        .collect();
    let profiles = (0..2)
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
    let sets = Sets {
        per,
        profiles,
        n_actions: [game.actions(0).len(), game.actions(1).len()],
    };
    let w = [weights(game, 0), weights(game, 1)];
    let wf = [to_float(&w[0]), to_float(&w[1])];
    let w = [to_integer(&w[0]), to_integer(&w[1])];
    let tolerance = 1e-6 * game.payoff_scale().to_f64().unwrap_or(1.0).max(1e-300);
    progress.set_total(counts[0] + counts[1]);
    let mut run = SideRun::default();
    // Player 1's behaviours (from player 2's tight sets), then player 2's.
    let xs = vertices(&sets, 1, &w[1], &wf[1], tolerance, &mut run, progress)?;
    let ys = vertices(&sets, 0, &w[0], &wf[0], tolerance, &mut run, progress)?;
    let complementary = |x: &Vertex, y: &Vertex| {
        x.unplayed.iter().zip(&y.best).all(|(z, b)| *z || *b) && y.unplayed.iter().zip(&x.best).all(|(z, b)| *z || *b)
    };
    let mut pairs = Vec::new();
    for (a, x) in xs.iter().enumerate() {
        crate::progress::check(progress)?;
        for (b, y) in ys.iter().enumerate() {
            if complementary(x, y) {
                pairs.push((a, b));
            }
        }
    }
    // Extreme equilibria sharing a vertex are joined by a segment of equilibria.
    let components = super::pair_components(xs.len(), ys.len(), &pairs);
    Ok(TypeSupportResult {
        equilibria: pairs
            .iter()
            .map(|&(a, b)| vec![xs[a].behaviour.clone(), ys[b].behaviour.clone()])
            .collect(),
        components,
        vertices: [xs.len(), ys.len()],
        supports,
        solved: run.solved,
        singular: run.singular,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

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

    /// Bareiss's integer solve against Gaussian elimination over the
    /// rationals, on random integer systems (nonsingular and singular).
    #[test]
    fn bareiss_matches_rational_elimination() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let (mut solved, mut singular) = (0, 0);
        for case in 0..400 {
            let d = 1 + case % 7;
            let range = if case % 3 == 0 { 2 } else { 1_000_000 };
            let rows: Vec<Vec<BigInt>> = (0..d)
                .map(|_| {
                    (0..=d)
                        .map(|_| BigInt::from(rng.random_range(-range..=range)))
                        .collect()
                })
                .collect();
            let rational = rows
                .iter()
                .map(|r| r.iter().map(|v| Rational::from_integer(v.clone())).collect())
                .collect();
            match (bareiss_solve(rows), exact_solve(rational)) {
                (Some((num, den)), Some(x)) => {
                    assert!(den.is_positive());
                    let y: Vec<Rational> = num.into_iter().map(|n| Rational::new(n, den.clone())).collect();
                    assert_eq!(y, x, "case {case}");
                    solved += 1;
                }
                (None, None) => singular += 1,
                (a, b) => panic!("case {case}: bareiss {a:?}, rational {b:?}"),
            }
        }
        assert!(solved > 300 && singular > 10, "{solved} solved, {singular} singular");
    }
}

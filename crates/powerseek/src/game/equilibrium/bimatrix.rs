//! Exact equilibria of two-player games: all extreme equilibria (by reverse
//! search, [`super::reverse`]; by vertex pairing as its reference), support enumeration,
//! Lemke–Howson from every starting label, and the zero-sum LP.
//!
//! With payoffs made positive integers (`A`, `B`, a positive affine map per
//! player), the best-response polytopes are
//! `P = {x ≥ 0 : Bᵀx ≤ 1}` and `Q = {y ≥ 0 : A y ≤ 1}`. Label `i < m` is
//! "row `i` unplayed or a best response", label `m + j` likewise for column
//! `j`; the extreme Nash equilibria are the completely labelled vertex pairs
//! `(x, y) ≠ (0, 0)`, normalised (von Stengel 2002).

use std::collections::HashSet;

use num_bigint::BigInt;
use num_traits::{Signed, Zero};

use super::tableau::{positive_integer_matrix, transpose, Int, Overflow, Tableau};
use super::Equilibrium;
use crate::error::{Error, Result};
use crate::game::{NormalFormGame, Rational};
use crate::progress::{NoProgress, Progress};

fn require_two_players(game: &NormalFormGame) -> Result<()> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "this method needs a 2-player game; this one has {} players",
            game.n_players()
        )));
    }
    if game.n_actions(0) + game.n_actions(1) > 128 {
        return Err(Error::invalid(
            "vertex enumeration supports at most 128 actions in total",
        ));
    }
    Ok(())
}

/// A vertex of a best-response polytope and its labels (bit `l` set = label `l`).
#[derive(Clone, Debug)]
struct Vertex {
    point: Vec<Rational>,
    labels: u128,
}

/// Run an exact computation with `i128` arithmetic, redoing it with `BigInt`
/// if an intermediate value leaves the `i128` range.
fn with_fallback<R>(small: impl FnOnce() -> Result<R, Overflow>, big: impl FnOnce() -> Result<R, Overflow>) -> R {
    small().or_else(|_| big()).expect("BigInt arithmetic cannot overflow")
}

/// Why a vertex enumeration stopped early.
enum Halt {
    Overflow,
    Cancelled,
}

impl From<Overflow> for Halt {
    fn from(_: Overflow) -> Self {
        Halt::Overflow
    }
}

/// Bases explored between two progress reports. Cancellation is polled at
/// every pivot (a pivot of a large tableau takes a fraction of a millisecond;
/// polling is an atomic load behind `progress::watch`).
const BASES_PER_REPORT: u64 = 256;

/// [`vertices`] in `i128`, redone in `BigInt` on overflow.
fn exact_vertices(
    m: &[Vec<BigInt>],
    z_label: &dyn Fn(usize) -> usize,
    slack_label: &dyn Fn(usize) -> usize,
    progress: &dyn Progress,
) -> Result<Vec<Vertex>> {
    let halted = |h: Halt| match h {
        Halt::Cancelled => Error::Cancelled,
        Halt::Overflow => unreachable!("BigInt arithmetic cannot overflow"),
    };
    match vertices::<i128>(m, z_label, slack_label, progress) {
        Ok(v) => Ok(v),
        Err(Halt::Overflow) => vertices::<BigInt>(m, z_label, slack_label, progress).map_err(halted),
        Err(h) => Err(halted(h)),
    }
}

/// All vertices of `{z ≥ 0 : M z ≤ 1}` by depth-first search over feasible
/// bases (every feasible pivot, so degenerate vertices are reached through all
/// their bases). `z_label(j)` and `slack_label(r)` give the labels. Reports
/// bases explored to `progress` and polls it for cancellation.
fn vertices<T: Int>(
    m: &[Vec<BigInt>],
    z_label: &dyn Fn(usize) -> usize,
    slack_label: &dyn Fn(usize) -> usize,
    progress: &dyn Progress,
) -> Result<Vec<Vertex>, Halt> {
    let start = Tableau::<T>::new(m)?;
    let mut explored = 0u64;
    let mask = |basis: &[usize]| basis.iter().fold(0u128, |acc, &b| acc | (1 << b));
    let mut seen_bases: HashSet<u128> = HashSet::new();
    let mut seen_points: HashSet<Vec<(T, T)>> = HashSet::new();
    let mut out = Vec::new();
    seen_bases.insert(mask(&start.basis));
    let mut stack = vec![start];
    while let Some(t) = stack.pop() {
        explored += 1;
        if explored.is_multiple_of(BASES_PER_REPORT) {
            progress.advance(BASES_PER_REPORT);
        }
        let mut key: Vec<(T, T)> = vec![(T::zero(), T::one()); t.dim];
        for (r, &b) in t.basis.iter().enumerate() {
            if b < t.dim {
                key[b] = T::reduce(t.rhs(r), &t.det);
            }
        }
        if !seen_points.contains(&key) {
            let zero = t.zero_variables();
            let mut labels = 0u128;
            for j in 0..t.dim {
                if zero[j] {
                    labels |= 1 << z_label(j);
                }
            }
            for r in 0..t.rows {
                if zero[t.dim + r] {
                    labels |= 1 << slack_label(r);
                }
            }
            // Already in lowest terms with a positive denominator: no gcd needed.
            let point = key
                .iter()
                .map(|(p, q)| Rational::new_raw(p.to_big(), q.to_big()))
                .collect();
            out.push(Vertex { point, labels });
            seen_points.insert(key);
        }
        for col in 0..t.n_vars() {
            if t.row_of[col].is_some() {
                continue;
            }
            for r in t.feasible_pivot_rows(col)? {
                let next_mask = (mask(&t.basis) & !(1u128 << t.basis[r])) | (1 << col);
                if seen_bases.insert(next_mask) {
                    if progress.cancelled() {
                        return Err(Halt::Cancelled);
                    }
                    let mut next = t.clone();
                    next.pivot(r, col)?;
                    stack.push(next);
                }
            }
        }
    }
    Ok(out)
}

fn normalise(v: &[Rational]) -> Vec<Rational> {
    let total = v.iter().fold(Rational::zero(), |a, b| a + b);
    v.iter().map(|x| x / &total).collect()
}

/// All extreme equilibria of a two-player game, grouped into connected components.
#[derive(Clone, Debug)]
pub struct ExtremeEquilibria {
    /// Every extreme equilibrium once, exact.
    pub equilibria: Vec<Equilibrium>,
    /// Indices into `equilibria`, one list per connected component of the
    /// equilibrium set (extreme equilibria joined when they share a strategy:
    /// the union of maximal Nash subsets).
    pub components: Vec<Vec<usize>>,
}

/// Every extreme Nash equilibrium, exactly (correct on degenerate games,
/// where equilibria form connected sets), by reverse search
/// ([`super::reverse`]: memory does not grow with the number of vertices).
pub fn enumerate_extreme(game: &NormalFormGame) -> Result<ExtremeEquilibria> {
    super::reverse::extreme_equilibria(game)
}

/// [`enumerate_extreme`], reporting the outer polytope's bases explored to
/// `progress` (no total: the number of vertices is not known in advance)
/// and stopping with [`Error::Cancelled`] within milliseconds when it asks.
pub fn enumerate_extreme_with(game: &NormalFormGame, progress: &dyn Progress) -> Result<ExtremeEquilibria> {
    super::reverse::extreme_equilibria_with(game, &Default::default(), progress)
}

/// The same set as [`enumerate_extreme`] by the earlier method, kept as its
/// test reference: every vertex of both polytopes (depth-first search over
/// all feasible bases), every pair checked for complementarity. Memory grows
/// with the number of vertices (gigabytes at 16×16); at most 128 strategies
/// in all.
pub fn enumerate_extreme_by_pairing(game: &NormalFormGame) -> Result<ExtremeEquilibria> {
    require_two_players(game)?;
    extreme(game, &NoProgress)
}

/// [`enumerate_extreme_by_pairing`], reporting the bases explored to
/// `progress` and stopping with [`Error::Cancelled`] when it asks.
pub fn enumerate_extreme_by_pairing_with(game: &NormalFormGame, progress: &dyn Progress) -> Result<ExtremeEquilibria> {
    require_two_players(game)?;
    crate::progress::watch(progress, |progress| extreme(game, progress))
}

fn extreme(game: &NormalFormGame, progress: &dyn Progress) -> Result<ExtremeEquilibria> {
    let (m, n) = (game.n_actions(0), game.n_actions(1));
    let a = positive_integer_matrix(&game.matrix(0));
    let b = positive_integer_matrix(&game.matrix(1));
    // P = {x ≥ 0 : Bᵀx ≤ 1}: x_i = 0 is label i, slack of column j is label m + j.
    let bt = transpose(&b);
    let (zp, sp) = (|i: usize| i, |j: usize| m + j);
    let p = exact_vertices(&bt, &zp, &sp, progress)?;
    // Q = {y ≥ 0 : A y ≤ 1}: y_j = 0 is label m + j, slack of row i is label i.
    let (zq, sq) = (|j: usize| m + j, |i: usize| i);
    let q = exact_vertices(&a, &zq, &sq, progress)?;
    let all: u128 = if m + n == 128 {
        u128::MAX
    } else {
        (1u128 << (m + n)) - 1
    };
    let mut equilibria = Vec::new();
    let mut pairs = Vec::new();
    let y_nonzero: Vec<bool> = q.iter().map(|y| !y.point.iter().all(Zero::is_zero)).collect();
    for (ix, x) in p.iter().enumerate() {
        if x.point.iter().all(Zero::is_zero) {
            continue;
        }
        if ix % 64 == 0 {
            crate::progress::check(progress)?;
        }
        for (iy, y) in q.iter().enumerate() {
            if x.labels | y.labels == all && y_nonzero[iy] {
                let strategies = vec![normalise(&x.point), normalise(&y.point)];
                let payoffs = game.expected_payoffs(&strategies);
                equilibria.push(Equilibrium { strategies, payoffs });
                pairs.push((ix, iy));
            }
        }
    }
    // Components: connected components of the bipartite graph x — y over equilibrium pairs.
    let components = super::pair_components(p.len(), q.len(), &pairs);
    Ok(ExtremeEquilibria { equilibria, components })
}

/// Solve `M v = rhs` exactly (Gauss–Jordan over rationals); `None` if singular.
fn solve_linear(mut m: Vec<Vec<Rational>>, mut rhs: Vec<Rational>) -> Option<Vec<Rational>> {
    let k = rhs.len();
    for c in 0..k {
        let p = (c..k).find(|&r| !m[r][c].is_zero())?;
        m.swap(c, p);
        rhs.swap(c, p);
        let inv = m[c][c].recip();
        for x in m[c].iter_mut() {
            *x = &*x * &inv;
        }
        rhs[c] = &rhs[c] * &inv;
        for r in 0..k {
            if r != c && !m[r][c].is_zero() {
                let f = m[r][c].clone();
                for j in 0..k {
                    let d = &f * &m[c][j];
                    m[r][j] -= d;
                }
                let d = &f * &rhs[c];
                rhs[r] -= d;
            }
        }
    }
    Some(rhs)
}

/// Mixed strategy over `support` (of size k among `total` actions) that makes the
/// opponent indifferent over `other_support` in matrix `payoff[other][own]`;
/// returns the strategy and the common payoff.
fn indifference(
    payoff: &[Vec<Rational>],
    support: &[usize],
    other_support: &[usize],
    total: usize,
) -> Option<(Vec<Rational>, Rational)> {
    let k = support.len();
    // Unknowns: probabilities on `support` and the value v.
    let mut m = Vec::with_capacity(k + 1);
    let mut rhs = Vec::with_capacity(k + 1);
    for &o in other_support {
        let mut row: Vec<Rational> = support.iter().map(|&s| payoff[o][s].clone()).collect();
        row.push(-Rational::from_integer(1.into()));
        m.push(row);
        rhs.push(Rational::zero());
    }
    let mut sum: Vec<Rational> = vec![Rational::from_integer(1.into()); k];
    sum.push(Rational::zero());
    m.push(sum);
    rhs.push(Rational::from_integer(1.into()));
    let sol = solve_linear(m, rhs)?;
    if sol[..k].iter().any(|p| p.is_negative()) {
        return None;
    }
    let mut strategy = vec![Rational::zero(); total];
    for (i, &s) in support.iter().enumerate() {
        strategy[s] = sol[i].clone();
    }
    Some((strategy, sol[k].clone()))
}

fn subsets(n: usize, k: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut cur = Vec::with_capacity(k);
    fn go(start: usize, n: usize, k: usize, cur: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
        if cur.len() == k {
            out.push(cur.clone());
            return;
        }
        for i in start..n {
            cur.push(i);
            go(i + 1, n, k, cur, out);
            cur.pop();
        }
    }
    go(0, n, k, &mut cur, &mut out);
    out
}

/// Support enumeration over supports of equal size (exact). Finds every
/// equilibrium of a nondegenerate game; on degenerate games it may miss some
/// (use [`enumerate_extreme`] there).
pub fn support_enumeration(game: &NormalFormGame) -> Result<Vec<Equilibrium>> {
    support_enumeration_with(game, &crate::progress::NoProgress)
}

/// [`support_enumeration`], polling `progress` between row supports and
/// stopping with [`Error::Cancelled`] when it asks.
pub fn support_enumeration_with(game: &NormalFormGame, progress: &dyn Progress) -> Result<Vec<Equilibrium>> {
    require_two_players(game)?;
    let (m, n) = (game.n_actions(0), game.n_actions(1));
    let a = game.matrix(0);
    let b = game.matrix(1);
    let bt = transpose(&b); // bt[j][i]: column player's payoff, indexed [own][other]
    let a_t = a.clone(); // a[i][j]: row player's payoff, indexed [own=i][other=j]
    let mut found = Vec::new();
    for k in 1..=m.min(n) {
        for rows in subsets(m, k) {
            crate::progress::check(progress)?;
            for cols in subsets(n, k) {
                // x makes the column player indifferent on `cols`: payoff[col][row] = B[row][col].
                let Some((x, _)) = indifference(&bt, &rows, &cols, m) else {
                    continue;
                };
                let Some((y, _)) = indifference(&a_t, &cols, &rows, n) else {
                    continue;
                };
                let strategies = vec![x, y];
                if game.regret(&strategies).iter().all(Zero::is_zero)
                    && !found.iter().any(|e: &Equilibrium| e.strategies == strategies)
                {
                    let payoffs = game.expected_payoffs(&strategies);
                    found.push(Equilibrium { strategies, payoffs });
                }
            }
        }
    }
    Ok(found)
}

/// Lemke–Howson from the artificial equilibrium, dropping label `k`
/// (`0..m` rows, `m..m+n` columns), with lexicographic pivoting (exact).
pub fn lemke_howson(game: &NormalFormGame, k: usize) -> Result<Equilibrium> {
    lemke_howson_with(game, k, &crate::progress::NoProgress)
}

/// [`lemke_howson`], polling `progress` every 1 024 pivots and stopping with
/// [`Error::Cancelled`] when it asks.
pub fn lemke_howson_with(game: &NormalFormGame, k: usize, progress: &dyn Progress) -> Result<Equilibrium> {
    require_two_players(game)?;
    let (m, n) = (game.n_actions(0), game.n_actions(1));
    if k >= m + n {
        return Err(Error::invalid(format!(
            "starting label {k} out of range (0..{})",
            m + n
        )));
    }
    let a = positive_integer_matrix(&game.matrix(0));
    let b = positive_integer_matrix(&game.matrix(1));
    let path = with_fallback(
        || lemke_howson_path::<i128>(&a, &b, k, progress),
        || lemke_howson_path::<BigInt>(&a, &b, k, progress),
    );
    crate::progress::check(progress)?;
    let (x, y) = path.ok_or_else(|| Error::invalid("Lemke–Howson did not terminate"))?;
    let strategies = vec![normalise(&x), normalise(&y)];
    let payoffs = game.expected_payoffs(&strategies);
    Ok(Equilibrium { strategies, payoffs })
}

/// The complementary pivoting path from the artificial equilibrium dropping label `k`;
/// returns the unnormalised `(x, y)` it ends at (`None` when it does not
/// terminate or `progress` asks it to stop).
#[allow(clippy::type_complexity)]
fn lemke_howson_path<T: Int>(
    a: &[Vec<BigInt>],
    b: &[Vec<BigInt>],
    k: usize,
    progress: &dyn Progress,
) -> Result<Option<(Vec<Rational>, Vec<Rational>)>, Overflow> {
    let (m, n) = (a.len(), a[0].len());
    let mut tp = Tableau::<T>::new(&transpose(b))?; // vars: x_0..x_{m-1}, slacks r_0..r_{n-1}
    let mut tq = Tableau::<T>::new(a)?; // vars: y_0..y_{n-1}, slacks s_0..s_{m-1}
                                        // Labels: in P, variable v has label v; in Q, y_j has label m + j and slack s_i label i.
    let label_q = |v: usize| if v < n { m + v } else { v - n };
    let var_q = |l: usize| if l < m { n + l } else { l - m };
    let mut entering_label = k;
    let mut in_p = k < m; // a row label's variable x_k is in P; a column label's y in Q
    for step in 0..10_000_000usize {
        if step % 1024 == 1023 && progress.cancelled() {
            return Ok(None);
        }
        let (t, var) = if in_p {
            (&mut tp, entering_label)
        } else {
            (&mut tq, var_q(entering_label))
        };
        let Some(r) = t.lexicographic_row(var)? else {
            return Ok(None);
        };
        let leaving = t.basis[r];
        t.pivot(r, var)?;
        let left = if in_p { leaving } else { label_q(leaving) };
        if left == k {
            return Ok(Some((tp.values()[..m].to_vec(), tq.values()[..n].to_vec())));
        }
        entering_label = left;
        in_p = !in_p;
    }
    Ok(None)
}

/// Equilibria reached by Lemke–Howson from every starting label (deduplicated).
pub fn lemke_howson_all(game: &NormalFormGame) -> Result<Vec<Equilibrium>> {
    lemke_howson_all_with(game, &crate::progress::NoProgress)
}

/// [`lemke_howson_all`], stopping with [`Error::Cancelled`] when `progress` asks.
pub fn lemke_howson_all_with(game: &NormalFormGame, progress: &dyn Progress) -> Result<Vec<Equilibrium>> {
    let mut found: Vec<Equilibrium> = Vec::new();
    for k in 0..game.n_actions(0) + game.n_actions(1) {
        let e = lemke_howson_with(game, k, progress)?;
        if !found.iter().any(|f| f.strategies == e.strategies) {
            found.push(e);
        }
    }
    Ok(found)
}

/// Value and optimal strategies of a two-player zero-sum (or constant-sum) game.
#[derive(Clone, Debug)]
pub struct ZeroSumSolution {
    /// Row player's equilibrium payoff.
    pub value: Rational,
    /// An optimal (maximin) mixed strategy of the row player, exact.
    pub row: Vec<Rational>,
    /// An optimal (minimax) mixed strategy of the column player, exact.
    pub column: Vec<Rational>,
}

/// Solve a constant-sum game by linear programming (exact simplex, Bland's rule):
/// the column player's `max Σw s.t. A w ≤ 1, w ≥ 0` with `A` made positive;
/// the row player's strategy is the dual.
pub fn zero_sum(game: &NormalFormGame) -> Result<ZeroSumSolution> {
    require_two_players(game)?;
    if game.constant_sum().is_none() {
        return Err(Error::invalid(
            "the LP method needs a constant-sum game (payoffs summing to the same constant everywhere)",
        ));
    }
    let a = game.matrix(0);
    use num_integer::Integer;
    let lcm = a.iter().flatten().fold(BigInt::from(1), |acc, x| acc.lcm(x.denom()));
    let ints = positive_integer_matrix(&a);
    // ints = lcm·A + shift, with shift = 1 − min(lcm·A).
    let shift = &ints[0][0] - (&a[0][0] * Rational::from_integer(lcm.clone())).to_integer();
    let (z, column, duals) = with_fallback(|| simplex_max_sum::<i128>(&ints), || simplex_max_sum::<BigInt>(&ints));
    let column = normalise(&column);
    let row = normalise(&duals);
    // Σw = 1/v' where v' = lcm·v + shift.
    let value = (z.recip() - Rational::from_integer(shift)) / Rational::from_integer(lcm);
    Ok(ZeroSumSolution { value, row, column })
}

/// `max Σ w s.t. M w ≤ 1, w ≥ 0` by the simplex method with Bland's rule;
/// returns the optimum, the optimal `w` and the dual prices of the rows.
#[allow(clippy::type_complexity)]
fn simplex_max_sum<T: Int>(ints: &[Vec<BigInt>]) -> Result<(Rational, Vec<Rational>, Vec<Rational>), Overflow> {
    let (m, n) = (ints.len(), ints[0].len());
    let mut t = Tableau::<T>::new(ints)?;
    let w = t.width();
    // Objective row `det·z + Σ c_j var_j = c_rhs`, kept eliminated like the others.
    let mut obj = vec![T::zero(); w];
    for o in obj.iter_mut().take(n) {
        *o = T::one().neg();
    }
    // Bland: the lowest-index nonbasic variable with a negative reduced cost enters,
    // and among min-ratio rows the one with the lowest basic variable leaves.
    while let Some(col) = (0..t.n_vars()).find(|&j| t.row_of[j].is_none() && obj[j].signum() < 0) {
        let rows = t.feasible_pivot_rows(col)?;
        let Some(r) = rows
            .into_iter()
            .filter(|&r| t.at(r, col).signum() > 0)
            .min_by_key(|&r| t.basis[r])
        else {
            unreachable!("the polytope is bounded");
        };
        let piv = t.at(r, col).clone();
        let f = obj[col].clone();
        for (j, o) in obj.iter_mut().enumerate() {
            *o = T::pivot_step(o, &piv, &f, t.at(r, j), &t.det)?;
        }
        t.pivot(r, col)?;
    }
    let det = t.det.to_big();
    let z = Rational::new(obj[w - 1].to_big(), det.clone());
    let column = t.values()[..n].to_vec();
    let duals = (0..m)
        .map(|i| Rational::new(obj[n + i].to_big(), det.clone()))
        .collect();
    Ok((z, column, duals))
}

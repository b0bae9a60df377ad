//! Exact geometry of "which linear function is largest" on the unit cube
//! (docs/theory.md §2.7): the strict-optimality LP behind non-dominated visit
//! distributions, and the exact volume and first moment of each function's
//! region of the cube, `P_i = {r ∈ [0, 1]^n : w_i · r ≥ w_j · r for all j}`.
//!
//! Everything is in rationals. [`strictly_optimal`] solves
//! `max t s.t. (w_j − w_i)·r + t ≤ 0 (j ≠ i), 0 ≤ r ≤ 1, 0 ≤ t ≤ 1` by the
//! simplex method with Bland's rule (which cannot cycle on the degenerate
//! rows, all of whose right-hand sides are 0); `w_i` is strictly optimal for
//! some reward exactly when the optimum is positive.
//!
//! [`regions`] finds each region's vertices by cutting the cube's `2^n`
//! vertices with one halfspace `(w_i − w_j)·r ≥ 0` at a time (edges found
//! combinatorially from the constraints tight at each vertex), triangulates
//! the region by pulling (cone from its first vertex over the facets that
//! miss it, recursively, facets found from the tight constraints), and sums
//! the simplices' volumes `|det|/n!` and first moments `vol · centroid`.
//! Sizes are bounded by [`MAX_REGION_VERTICES`] and [`MAX_SIMPLICES`].

use std::collections::HashMap;
use std::rc::Rc;

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Signed, Zero};

use crate::error::{Error, Result};
use crate::exact::Rational;

/// Solve `A x = b` exactly (square `A`); `None` when `A` is singular.
pub(crate) fn solve(mut a: Vec<Vec<Rational>>, mut b: Vec<Rational>) -> Option<Vec<Rational>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).find(|&r| !a[r][col].is_zero())?;
        a.swap(col, pivot);
        b.swap(col, pivot);
        let inv = a[col][col].recip();
        for j in col..n {
            a[col][j] = &a[col][j] * &inv;
        }
        b[col] = &b[col] * &inv;
        for r in 0..n {
            if r != col && !a[r][col].is_zero() {
                let factor = a[r][col].clone();
                for j in col..n {
                    let delta = &factor * &a[col][j];
                    a[r][j] -= delta;
                }
                let delta = &factor * &b[col];
                b[r] -= delta;
            }
        }
    }
    Some(b)
}

/// Rank of a set of vectors (rows), exactly.
fn rank(mut rows: Vec<Vec<Rational>>) -> usize {
    let width = rows.first().map_or(0, Vec::len);
    let mut rank = 0;
    for col in 0..width {
        let Some(p) = (rank..rows.len()).find(|&r| !rows[r][col].is_zero()) else {
            continue;
        };
        rows.swap(rank, p);
        for r in rank + 1..rows.len() {
            if !rows[r][col].is_zero() {
                let factor = &rows[r][col] / &rows[rank][col];
                for j in col..width {
                    let delta = &factor * &rows[rank][j];
                    rows[r][j] -= delta;
                }
            }
        }
        rank += 1;
    }
    rank
}

/// [`bareiss`] in `i128` with checked arithmetic; `None` when an entry or
/// an intermediate value does not fit.
fn small_bareiss(m: &[Vec<BigInt>]) -> Option<BigInt> {
    use num_traits::ToPrimitive;
    let n = m.len();
    let mut a: Vec<Vec<i128>> = m
        .iter()
        .map(|r| r.iter().map(|x| x.to_i128()).collect::<Option<Vec<_>>>())
        .collect::<Option<_>>()?;
    if n == 0 {
        return Some(BigInt::one());
    }
    let mut sign = false;
    let mut prev: i128 = 1;
    for k in 0..n {
        let p = (k..n).find(|&r| a[r][k] != 0);
        let Some(p) = p else {
            return Some(BigInt::zero());
        };
        if p != k {
            a.swap(k, p);
            sign = !sign;
        }
        for i in k + 1..n {
            for j in k + 1..n {
                let v = a[i][j]
                    .checked_mul(a[k][k])?
                    .checked_sub(a[i][k].checked_mul(a[k][j])?)?
                    / prev;
                a[i][j] = v;
            }
        }
        prev = a[k][k];
    }
    let det = BigInt::from(a[n - 1][n - 1]);
    Some(if sign { -det } else { det })
}

/// Determinant of a square integer matrix by fraction-free (Bareiss)
/// elimination: every division is exact.
fn bareiss(mut a: Vec<Vec<BigInt>>) -> BigInt {
    let n = a.len();
    if n == 0 {
        return BigInt::one();
    }
    let mut sign = false;
    let mut prev = BigInt::one();
    for k in 0..n {
        let Some(p) = (k..n).find(|&r| !a[r][k].is_zero()) else {
            return BigInt::zero();
        };
        if p != k {
            a.swap(k, p);
            sign = !sign;
        }
        for i in k + 1..n {
            for j in k + 1..n {
                let v = (&a[i][j] * &a[k][k] - &a[i][k] * &a[k][j]) / &prev;
                a[i][j] = v;
            }
        }
        prev = a[k][k].clone();
    }
    let det = a[n - 1][n - 1].clone();
    if sign {
        -det
    } else {
        det
    }
}

/// Determinant of a square matrix, exactly.
#[cfg(test)]
fn determinant(mut a: Vec<Vec<Rational>>) -> Rational {
    let n = a.len();
    let mut det = Rational::one();
    for col in 0..n {
        let Some(p) = (col..n).find(|&r| !a[r][col].is_zero()) else {
            return Rational::zero();
        };
        if p != col {
            a.swap(col, p);
            det = -det;
        }
        det *= &a[col][col];
        for r in col + 1..n {
            if !a[r][col].is_zero() {
                let factor = &a[r][col] / &a[col][col];
                for j in col..n {
                    let delta = &factor * &a[col][j];
                    a[r][j] -= delta;
                }
            }
        }
    }
    det
}

/// Maximise `c · x` subject to `A x ≤ b`, `x ≥ 0`, with `b ≥ 0` (the origin
/// is feasible) and a bounded optimum; the optimal value. Dense tableau,
/// Bland's rule.
fn maximise(a: &[Vec<Rational>], b: &[Rational], c: &[Rational]) -> Rational {
    let (m, n) = (a.len(), c.len());
    // Columns: n variables, m slacks, then the right-hand side.
    let width = n + m + 1;
    let mut t: Vec<Vec<Rational>> = (0..m)
        .map(|i| {
            let mut row = vec![Rational::zero(); width];
            row[..n].clone_from_slice(&a[i]);
            row[n + i] = Rational::one();
            row[width - 1] = b[i].clone();
            row
        })
        .collect();
    // Objective row holds −c (reduced costs); the value sits in its last entry.
    let mut z: Vec<Rational> = (0..width)
        .map(|j| if j < n { -c[j].clone() } else { Rational::zero() })
        .collect();
    let mut basis: Vec<usize> = (n..n + m).collect();
    while let Some(col) = (0..width - 1).find(|&j| z[j].is_negative()) {
        // Ratio test; ties broken by the smallest basic variable (Bland).
        let mut best: Option<(usize, Rational)> = None;
        for i in 0..m {
            if t[i][col].is_positive() {
                let ratio = &t[i][width - 1] / &t[i][col];
                let better = match &best {
                    None => true,
                    Some((bi, br)) => ratio < *br || (ratio == *br && basis[i] < basis[*bi]),
                };
                if better {
                    best = Some((i, ratio));
                }
            }
        }
        let Some((row, _)) = best else {
            // Unbounded: cannot happen for the bounded programs built here.
            return Rational::zero();
        };
        let inv = t[row][col].recip();
        for j in 0..width {
            t[row][j] = &t[row][j] * &inv;
        }
        for i in 0..m {
            if i != row && !t[i][col].is_zero() {
                let factor = t[i][col].clone();
                for j in 0..width {
                    let delta = &factor * &t[row][j];
                    t[i][j] -= delta;
                }
            }
        }
        if !z[col].is_zero() {
            let factor = z[col].clone();
            for j in 0..width {
                let delta = &factor * &t[row][j];
                z[j] -= delta;
            }
        }
        basis[row] = col;
    }
    z[width - 1].clone()
}

/// Whether `w[i]` is the unique maximiser of `w · r` for some `r` (in
/// `[0, 1]^n`, which loses nothing when every `w` has the same coordinate
/// sum, as visit distributions do): the optimum `t` of the module doc's LP is
/// positive. Exact. A vector equal to another one is never strictly optimal.
pub fn strictly_optimal(w: &[Vec<Rational>], i: usize) -> bool {
    let n = w[i].len();
    let mut a = Vec::new();
    let mut b = Vec::new();
    for (j, g) in w.iter().enumerate() {
        if j == i {
            continue;
        }
        let mut row: Vec<Rational> = g.iter().zip(&w[i]).map(|(x, y)| x - y).collect();
        row.push(Rational::one());
        a.push(row);
        b.push(Rational::zero());
    }
    for k in 0..=n {
        let mut row = vec![Rational::zero(); n + 1];
        row[k] = Rational::one();
        a.push(row);
        b.push(Rational::one());
    }
    let mut c = vec![Rational::zero(); n + 1];
    c[n] = Rational::one();
    maximise(&a, &b, &c).is_positive()
}

/// The exact volume and first moment `∫_{P_i} r dr` of one region.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    /// `vol(P_i)`: the probability, for `r` uniform on the cube, that `w_i` is a maximiser.
    pub volume: Rational,
    /// `∫_{P_i} r dr`, one entry per coordinate; `c · moment = ∫_{P_i} c·r dr`.
    pub moment: Vec<Rational>,
}

/// Most simplices a region's triangulation may have.
pub const MAX_SIMPLICES: usize = 2_000_000;

/// Most vertices any intermediate polytope of [`regions`] may have (the
/// cube `[0, 1]^n` alone has `2^n`).
pub const MAX_REGION_VERTICES: usize = 100_000;

/// Regions of the cube `[0, 1]^n` where each `w[i]` is largest (distinct
/// vectors), exactly; the volumes sum to 1. Refuses, naming the size, a cube
/// or a region with more than [`MAX_REGION_VERTICES`] vertices.
pub fn regions(w: &[Vec<Rational>]) -> Result<Vec<Region>> {
    let k = w.len();
    let n = w.first().map_or(0, Vec::len);
    if n >= 64 || (1u64 << n) as usize > MAX_REGION_VERTICES {
        return Err(Error::invalid(format!(
            "exact integration on a {n}-dimensional reward cube ({} vertices) is beyond the limit of \
             {MAX_REGION_VERTICES} vertices; use Monte Carlo",
            if n < 64 {
                (1u64 << n).to_string()
            } else {
                format!("2^{n}")
            }
        )));
    }
    if n == 0 {
        return Ok((0..k)
            .map(|i| Region {
                volume: if i == 0 { Rational::one() } else { Rational::zero() },
                moment: vec![],
            })
            .collect());
    }
    (0..k).map(|i| region(w, i)).collect()
}

/// A vertex of a polytope inside the cube, with the constraints tight at it:
/// `0..n` are `r_c = 0`, `n..2n` are `r_c = 1`, `2n + j` is the `j`-th cut.
#[derive(Clone, Debug)]
struct Vertex {
    point: Vec<Rational>,
    tight: Vec<u64>,
}

fn bit(set: &[u64], c: usize) -> bool {
    set[c / 64] >> (c % 64) & 1 == 1
}

fn set_bit(set: &mut [u64], c: usize) {
    set[c / 64] |= 1 << (c % 64);
}

fn contains_all(big: &[u64], small: &[u64]) -> bool {
    big.iter().zip(small).all(|(b, s)| b & s == *s)
}

/// The cube's vertices, then one cut `(w_i − w_j)·r ≥ 0` per `j ≠ i`: keep
/// the vertices on the right side, add the crossing points of the edges the
/// hyperplane cuts (two vertices span an edge when no third vertex is tight
/// on every constraint both are tight on).
fn region_vertices(w: &[Vec<Rational>], i: usize) -> Result<Vec<Vertex>> {
    let n = w[i].len();
    let words = (2 * n + w.len()).div_ceil(64);
    let mut vertices: Vec<Vertex> = (0..1u64 << n)
        .map(|bits| {
            let mut tight = vec![0u64; words];
            let point = (0..n)
                .map(|c| {
                    let one = bits >> c & 1 == 1;
                    set_bit(&mut tight, if one { n + c } else { c });
                    if one {
                        Rational::one()
                    } else {
                        Rational::zero()
                    }
                })
                .collect();
            Vertex { point, tight }
        })
        .collect();
    for (cut, g) in w
        .iter()
        .enumerate()
        .filter(|&(j, _)| j != i)
        .map(|(_, g)| g)
        .enumerate()
    {
        let c = 2 * n + cut;
        let h: Vec<Rational> = w[i].iter().zip(g).map(|(x, y)| x - y).collect();
        let value: Vec<Rational> = vertices
            .iter()
            .map(|v| v.point.iter().zip(&h).map(|(x, y)| x * y).sum())
            .collect();
        let mut next: Vec<Vertex> = Vec::new();
        for (v, x) in vertices.iter().zip(&value) {
            if !x.is_negative() {
                let mut v = v.clone();
                if x.is_zero() {
                    set_bit(&mut v.tight, c);
                }
                next.push(v);
            }
        }
        for (a, xa) in vertices.iter().zip(&value) {
            if !xa.is_positive() {
                continue;
            }
            for (b, xb) in vertices.iter().zip(&value) {
                if !xb.is_negative() {
                    continue;
                }
                let common: Vec<u64> = a.tight.iter().zip(&b.tight).map(|(x, y)| x & y).collect();
                // An edge lies on at least n − 1 common constraints (a cheap necessary test first).
                if common.iter().map(|w| w.count_ones() as usize).sum::<usize>() + 1 < n {
                    continue;
                }
                let edge = vertices
                    .iter()
                    .all(|v| std::ptr::eq(v, a) || std::ptr::eq(v, b) || !contains_all(&v.tight, &common));
                if !edge {
                    continue;
                }
                let t = xa / (xa - xb);
                let point = a.point.iter().zip(&b.point).map(|(p, q)| p + &t * (q - p)).collect();
                let mut tight = common;
                set_bit(&mut tight, c);
                next.push(Vertex { point, tight });
                if next.len() > MAX_REGION_VERTICES {
                    return Err(Error::invalid(format!(
                        "a region of the reward cube has more than {MAX_REGION_VERTICES} vertices; use Monte Carlo"
                    )));
                }
            }
        }
        vertices = next;
        if vertices.is_empty() {
            break;
        }
    }
    Ok(vertices)
}

fn region(w: &[Vec<Rational>], i: usize) -> Result<Region> {
    let n = w[i].len();
    let vertices = region_vertices(w, i)?;
    let zero = Region {
        volume: Rational::zero(),
        moment: vec![Rational::zero(); n],
    };
    let points: Vec<Vec<Rational>> = vertices.iter().map(|v| v.point.clone()).collect();
    let all: Vec<usize> = (0..vertices.len()).collect();
    if vertices.len() <= n || affine_rank(&points, &all) < n {
        return Ok(zero);
    }
    let tight: Vec<&[u64]> = vertices.iter().map(|v| &v.tight[..]).collect();
    let constraints = 2 * n + w.len() - 1;
    let simplices = triangulate(&tight, constraints, &all, n, &mut HashMap::new())?;
    // Integer coordinates: every point times the common denominator L, so
    // each simplex needs one fraction-free integer determinant.
    let l = points.iter().flatten().fold(BigInt::one(), |acc, x| acc.lcm(x.denom()));
    let ints: Vec<Vec<BigInt>> = points
        .iter()
        .map(|p| p.iter().map(|x| x.numer() * (&l / x.denom())).collect())
        .collect();
    let mut total = BigInt::zero();
    let mut first = vec![BigInt::zero(); n];
    for s in simplices.iter() {
        let v0 = &ints[s[0]];
        let m: Vec<Vec<BigInt>> = s[1..]
            .iter()
            .map(|&v| ints[v].iter().zip(v0).map(|(x, y)| x - y).collect())
            .collect();
        let det = small_bareiss(&m).unwrap_or_else(|| bareiss(m)).abs();
        for c in 0..n {
            let sum: BigInt = s.iter().map(|&v| &ints[v][c]).sum();
            first[c] += &det * sum;
        }
        total += det;
    }
    // vol = Σ|det| / (n! Lⁿ); moment = Σ |det| · Σ_k P_k / ((n + 1) · n! · Lⁿ⁺¹).
    let factorial: BigInt = (1..=n).map(BigInt::from).product();
    let ln = num_traits::pow(l.clone(), n);
    let volume = Rational::new(total, &factorial * &ln);
    let scale = &factorial * &ln * &l * BigInt::from(n + 1);
    let moment = first.into_iter().map(|f| Rational::new(f, scale.clone())).collect();
    Ok(Region { volume, moment })
}

/// Affine rank of the points `vertices[ids]` (the dimension of their hull).
fn affine_rank(vertices: &[Vec<Rational>], ids: &[usize]) -> usize {
    let Some((&first, rest)) = ids.split_first() else {
        return 0;
    };
    rank(
        rest.iter()
            .map(|&v| vertices[v].iter().zip(&vertices[first]).map(|(x, y)| x - y).collect())
            .collect(),
    )
}

/// Pulling triangulation of the `dim`-face with vertices `face` (sorted):
/// cone from `face[0]` over the triangulations of the facets that do not
/// contain it. The facets of a face are the inclusion-maximal proper
/// non-empty sets `face ∩ {tight on c}`, so no arithmetic is needed; each
/// face is triangulated once (`memo`), however often it is reached.
fn triangulate(
    tight: &[&[u64]],
    constraints: usize,
    face: &[usize],
    dim: usize,
    memo: &mut HashMap<Vec<usize>, Rc<Vec<Vec<usize>>>>,
) -> Result<Rc<Vec<Vec<usize>>>> {
    if let Some(t) = memo.get(face) {
        return Ok(t.clone());
    }
    if dim == 0 {
        let t = Rc::new(vec![vec![face[0]]]);
        memo.insert(face.to_vec(), t.clone());
        return Ok(t);
    }
    let apex = face[0];
    let mut candidates: Vec<Vec<usize>> = Vec::new();
    for c in 0..constraints {
        let g: Vec<usize> = face.iter().copied().filter(|&v| bit(tight[v], c)).collect();
        if g.is_empty() || g.len() == face.len() || candidates.contains(&g) {
            continue;
        }
        candidates.push(g);
    }
    let is_subset = |a: &[usize], b: &[usize]| a.len() < b.len() && a.iter().all(|x| b.contains(x));
    let mut out = Vec::new();
    for g in candidates.iter() {
        if g.contains(&apex) || candidates.iter().any(|h| is_subset(g, h)) {
            continue;
        }
        for s in triangulate(tight, constraints, g, dim - 1, memo)?.iter() {
            let mut cone = Vec::with_capacity(s.len() + 1);
            cone.push(apex);
            cone.extend_from_slice(s);
            out.push(cone);
        }
        if out.len() > MAX_SIMPLICES {
            return Err(Error::invalid(format!(
                "a region of the reward cube needs more than {MAX_SIMPLICES} simplices; use Monte Carlo"
            )));
        }
    }
    let t = Rc::new(out);
    memo.insert(face.to_vec(), t.clone());
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(p: i64, d: i64) -> Rational {
        Rational::new(p.into(), d.into())
    }

    #[test]
    fn max_of_unit_vectors() {
        // E[max of 3 uniforms] = 3/4; each coordinate wins with probability 1/3.
        let w: Vec<Vec<Rational>> = (0..3)
            .map(|i| (0..3).map(|j| q((i == j) as i64, 1)).collect())
            .collect();
        let r = regions(&w).unwrap();
        let mut e = Rational::zero();
        for (i, reg) in r.iter().enumerate() {
            assert_eq!(reg.volume, q(1, 3));
            e += &reg.moment[i];
        }
        assert_eq!(e, q(3, 4));
        assert!((0..3).all(|i| strictly_optimal(&w, i)));
    }

    #[test]
    fn integer_and_rational_determinants_agree() {
        let m = [[2i64, -1, 3, 0], [1, 4, -2, 5], [0, 3, 1, -1], [6, 0, 2, 2]];
        let big: Vec<Vec<BigInt>> = m.iter().map(|r| r.iter().map(|&x| BigInt::from(x)).collect()).collect();
        let rat: Vec<Vec<Rational>> = m.iter().map(|r| r.iter().map(|&x| q(x, 1)).collect()).collect();
        assert_eq!(small_bareiss(&big), Some(bareiss(big.clone())));
        assert_eq!(Rational::from_integer(bareiss(big)), determinant(rat));
        assert!(bareiss(vec![
            vec![BigInt::from(1), BigInt::from(2)],
            vec![BigInt::from(2), BigInt::from(4)]
        ])
        .is_zero());
    }

    #[test]
    fn a_midpoint_is_dominated() {
        let w = vec![vec![q(1, 1), q(0, 1)], vec![q(0, 1), q(1, 1)], vec![q(1, 2), q(1, 2)]];
        assert!(strictly_optimal(&w, 0) && strictly_optimal(&w, 1) && !strictly_optimal(&w, 2));
        let r = regions(&w).unwrap();
        assert_eq!(r[2].volume, q(0, 1));
        assert_eq!(r[0].volume.clone() + &r[1].volume, q(1, 1));
    }
}

//! All extreme equilibria of a two-player game by **reverse search** (Avis &
//! Fukuda 1992) over the best-response polytopes — the method of lrsnash
//! (Avis, Rosenberg, Savani & von Stengel 2010) — in memory that does not grow
//! with the number of vertices, streaming equilibria as they are found.
//!
//! With payoffs made positive integers `A`, `B` (a positive affine map per
//! player, which leaves equilibria unchanged), the polytopes are
//! `P = {x ≥ 0 : Bᵀx ≤ 1}` and `Q = {y ≥ 0 : A y ≤ 1}`; label `i < m` is
//! "`x_i = 0` / row `i` a best response", label `m + j` likewise for column
//! `j`. The extreme equilibria are the completely labelled pairs of vertices
//! `(x, y) ≠ (0, 0)`, normalised.
//!
//! # Algorithm
//!
//! * **Outer search.** Every vertex `u` of one polytope (`P` for the player
//!   with fewer strategies, unless [`Options::outer`] says otherwise) by
//!   reverse search from `u = 0`. The polytope `{u ≥ 0 : M u ≤ 1}` is
//!   perturbed lexicographically (right-hand side `1 + (ε, ε², …)`, i.e. the
//!   lexicographic ratio test with the slack columns, the initial basis'
//!   inverse, appended), so that every pivot moves between
//!   *lexicographically positive* bases, and each of those is a vertex of a
//!   simple polytope. The objective "minimise `Σ u`" has the start basis as
//!   its unique optimum; the parent of a basis is the simplex pivot with
//!   Bland's entering rule (lowest-ranked improving variable, slacks ranked
//!   before `u`) and the lexicographic ratio test for the leaving variable.
//!   The tree is walked depth first: a basis' children are the
//!   lexicographic pivots whose Bland pivot leads back (checked on the
//!   parent's dictionary, without pivoting: lrs's reverse test), and
//!   backtracking restores the parent from a bounded cache of the deepest
//!   levels of the current path or, above those, is the parent pivot itself.
//!   Every lexicographically positive basis is visited exactly once.
//! * **One output per vertex.** A degenerate vertex has several
//!   lexicographically positive bases; it is used only at its *lex-min*
//!   basis: no degenerate row whose basic variable could be exchanged for a
//!   lower-ranked nonbasic one (a nonzero entry). That is the matroid greedy
//!   (minimum-rank) basis of the vertex, unique, and — because the ranks put
//!   the perturbation's columns first, in their order — lexicographically
//!   positive, hence visited.
//! * **Inner search.** For each vertex `u ≠ 0`, the vertices `v` of the
//!   other polytope complementary to it lie on the face where every variable
//!   whose label `u` lacks is zero (the partners of `u`'s positive
//!   variables). Those variables are pivoted out of the basis: when every
//!   other variable is then basic the face is one point (always so in
//!   nondegenerate games), feasible or not. Otherwise a phase-1 simplex
//!   (minimise the sum of the forced variables, lexicographic ratio test)
//!   finds a vertex of the face or proves it empty, and a second reverse
//!   search, over the face (forced variables never enter; perturbation and
//!   ranks relative to its starting basis), lists the face's vertices, each
//!   at its lex-min basis. Every `(u, v)` so found is an extreme equilibrium,
//!   and each once; a set of the current `u`'s partners (bounded by the
//!   equilibria at `u`) guards this and counts [`Stats::duplicates`], which
//!   stays 0.
//! * **Arithmetic.** Fraction-free integer dictionaries (every entry a minor of
//!   the constraint matrix; Edmonds/Bareiss exact division) in `i128`, with
//!   the division done by the modular inverse of the divisor so products may
//!   wrap and a cheap bit-length bound proving the result fits; a tableau
//!   whose next entry might not fit is converted to `BigInt` where it stands
//!   and the search goes on (nothing is redone, nothing reported twice).
//!   Ratio tests compare exact 256-bit products.
//!
//! Memory: three dictionaries (`rows × (nonbasic variables + 1)` integers
//! each), the backtracking cache (at most 128 dictionaries and 4 MB per
//! search), the equilibria at the current outer vertex, and nothing else —
//! whatever the number of vertices (about 3 MB of resident memory in all at
//! 20×20). Cancellation is polled every 4096 pivots.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet, VecDeque};
use std::ops::ControlFlow;

use num_bigint::BigInt;
use num_traits::{Signed, ToPrimitive, Zero};

use super::bimatrix::ExtremeEquilibria;
use super::tableau::{positive_integer_matrix, transpose};
use super::Equilibrium;
use crate::error::{Error, Result};
use crate::game::{NormalFormGame, Rational};
use crate::progress::{NoProgress, Progress};

/// Which player's best-response polytope the outer reverse search enumerates.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Outer {
    /// The player with fewer strategies (the row player on ties): its
    /// polytope has lower dimension and, typically, fewer vertices.
    #[default]
    Auto,
    /// The row player's polytope `P` (vertices `x`).
    Row,
    /// The column player's polytope `Q` (vertices `y`).
    Column,
}

/// Exact arithmetic of the tableaux.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Arithmetic {
    /// `i128`, moving to `BigInt` where a value might not fit (the default).
    #[default]
    Auto,
    /// `BigInt` throughout (slower; the same results — for testing).
    BigInt,
}

/// Options of [`enumerate`].
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Whose polytope the outer search enumerates (default: the player with
    /// fewer strategies). Results are the same; speed and [`Stats`] differ.
    pub outer: Outer,
    /// The tableaux' integers (default `i128`, widening to `BigInt` where needed).
    /// Results do not depend on it.
    pub arithmetic: Arithmetic,
    /// Dictionaries of the current search path kept to backtrack without
    /// pivoting: `None` for the default (up to 128 levels in 4 MB), `Some(0)`
    /// to always pivot back. Results do not depend on it.
    pub cache_levels: Option<usize>,
}

/// What a run did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Extreme equilibria reported.
    pub equilibria: u64,
    /// The player (0 row, 1 column) whose polytope the outer search enumerated.
    pub outer_player: usize,
    /// Vertices of the outer polytope (each at its lex-min basis), `0` included.
    pub outer_vertices: u64,
    /// Lexicographically positive bases of the outer polytope visited (> vertices when degenerate).
    pub outer_bases: u64,
    /// Complementary faces that needed the phase-1 simplex and an inner reverse search
    /// (the others were a single point, solved directly).
    pub faces_searched: u64,
    /// Lexicographically positive bases visited by the inner searches.
    pub inner_bases: u64,
    /// Pivots in all.
    pub pivots: u64,
    /// Complementary vertices found twice for one outer vertex and dropped (0 expected).
    pub duplicates: u64,
    /// Whether some tableau moved from `i128` to `BigInt`.
    pub bigint: bool,
    /// `false` when the callback stopped the enumeration early.
    pub complete: bool,
}

// ---------------------------------------------------------------------------
// Exact integers.

/// Integers a tableau is built on: `i128` (fast, may report that a result
/// does not fit) or `BigInt`.
trait Num: Clone + std::fmt::Debug {
    /// What a pivot prepares once for all its rows.
    type Prep;
    fn from_big(x: &BigInt) -> Option<Self>;
    fn to_big(&self) -> BigInt;
    fn from_i64(x: i64) -> Self;
    fn sgn(&self) -> i8;
    fn neg(&self) -> Self;
    /// Prepare a pivot on element `p` of `pivot_row`, the old determinant `d`.
    fn prepare(pivot_row: &[Self], p: &Self, d: &Self) -> Self::Prep;
    /// `out[k] = (row[k]·p − f·pivot_row[k]) / d` for every `k`, each division
    /// exact; `false` if some result might not fit (then `out` is garbage).
    fn row_step(out: &mut [Self], row: &[Self], pivot_row: &[Self], f: &Self, prep: &Self::Prep) -> bool;
    /// `a·b` against `c·e`, exactly.
    fn cmp_products(a: &Self, b: &Self, c: &Self, e: &Self) -> Ordering;
    fn checked_add(&self, other: &Self) -> Option<Self>;
}

#[inline(always)]
fn bits(x: i128) -> u32 {
    128 - x.unsigned_abs().leading_zeros()
}

/// `a·b` for `a, b < 2^127` as a 256-bit `(high, low)` pair.
#[inline]
fn umul_wide(a: u128, b: u128) -> (u128, u128) {
    const LOW: u128 = (1u128 << 64) - 1;
    let (a1, a0) = (a >> 64, a & LOW);
    let (b1, b0) = (b >> 64, b & LOW);
    let p00 = a0 * b0;
    let p01 = a0 * b1;
    let p10 = a1 * b0;
    let p11 = a1 * b1;
    let mid = (p00 >> 64) + (p01 & LOW) + (p10 & LOW);
    let low = (p00 & LOW) | (mid << 64);
    let high = p11 + (p01 >> 64) + (p10 >> 64) + (mid >> 64);
    (high, low)
}

/// `a·b` as a signed 256-bit `(high, low)` pair (two's complement), ordered like the product.
#[inline]
fn mul_wide(a: i128, b: i128) -> (i128, u128) {
    let (high, low) = umul_wide(a.unsigned_abs(), b.unsigned_abs());
    if (a < 0) != (b < 0) && (high != 0 || low != 0) {
        let low2 = (!low).wrapping_add(1);
        let high2 = (!high).wrapping_add((low == 0) as u128);
        (high2 as i128, low2)
    } else {
        (high as i128, low)
    }
}

/// A pivot in `i128`. The old determinant is `d = 2^shift · odd > 0`; the
/// quotient of an exact division `n / d` is `(n >> shift) · odd⁻¹` modulo
/// `2^(128 − shift)`, correct even when `n` itself wrapped, provided the
/// quotient fits in `128 − shift` bits. Bit lengths bound it first:
/// `|x·p − f·q| < 2^(high + 1)` with `high = max(bits x + bits p, bits f + bits q)`
/// and `d ≥ 2^(bits d − 1)`, so the quotient is below `2^(high + 2 − bits d)`,
/// which must be at most `2^(126 − shift)` (one bit to spare).
#[derive(Clone, Debug)]
struct SmallPrep {
    p: i128,
    p_bits: u32,
    shift: u32,
    inverse: i128,
    /// The largest `high` allowed.
    limit: u32,
    /// The largest bit length in the pivot row.
    q_bits: u32,
}

impl Num for i128 {
    type Prep = SmallPrep;
    fn from_big(x: &BigInt) -> Option<Self> {
        // Keep one bit of headroom: |x| < 2^126.
        x.to_i128().filter(|v| bits(*v) <= 126)
    }
    fn to_big(&self) -> BigInt {
        BigInt::from(*self)
    }
    fn from_i64(x: i64) -> Self {
        x as i128
    }
    fn sgn(&self) -> i8 {
        self.signum() as i8
    }
    fn neg(&self) -> Self {
        -self
    }
    fn prepare(pivot_row: &[Self], p: &Self, d: &Self) -> SmallPrep {
        debug_assert!(*d > 0);
        let shift = d.trailing_zeros();
        let odd = (*d >> shift) as u128;
        // Newton's iteration doubles the correct low bits: 3 → 6 → … → 192.
        let mut inverse = odd;
        for _ in 0..6 {
            inverse = inverse.wrapping_mul(2u128.wrapping_sub(odd.wrapping_mul(inverse)));
        }
        debug_assert_eq!(odd.wrapping_mul(inverse), 1);
        SmallPrep {
            p: *p,
            p_bits: bits(*p),
            shift,
            inverse: inverse as i128,
            limit: 124 + bits(*d) - shift,
            q_bits: pivot_row.iter().map(|q| bits(*q)).max().unwrap_or(0),
        }
    }
    #[inline]
    fn row_step(out: &mut [Self], row: &[Self], pivot_row: &[Self], f: &Self, prep: &SmallPrep) -> bool {
        let (f, p, shift, inverse) = (*f, prep.p, prep.shift, prep.inverse);
        let n = out.len();
        let (row, pivot_row) = (&row[..n], &pivot_row[..n]);
        // bits(x) ≤ bits(OR of every |x| in the row): one bound for the row.
        let mut any = 0u128;
        if shift == 0 {
            for k in 0..n {
                any |= row[k].unsigned_abs();
                out[k] = row[k]
                    .wrapping_mul(p)
                    .wrapping_sub(f.wrapping_mul(pivot_row[k]))
                    .wrapping_mul(inverse);
            }
        } else {
            for k in 0..n {
                any |= row[k].unsigned_abs();
                let v = row[k].wrapping_mul(p).wrapping_sub(f.wrapping_mul(pivot_row[k]));
                out[k] = ((v >> shift).wrapping_mul(inverse) << shift) >> shift;
            }
        }
        let x_bits = 128 - any.leading_zeros();
        (x_bits + prep.p_bits).max(bits(f) + prep.q_bits) <= prep.limit
    }
    #[inline]
    fn cmp_products(a: &Self, b: &Self, c: &Self, e: &Self) -> Ordering {
        if bits(*a) + bits(*b) <= 126 && bits(*c) + bits(*e) <= 126 {
            return (a * b).cmp(&(c * e));
        }
        mul_wide(*a, *b).cmp(&mul_wide(*c, *e))
    }
    fn checked_add(&self, other: &Self) -> Option<Self> {
        i128::checked_add(*self, *other).filter(|v| bits(*v) <= 126)
    }
}

impl Num for BigInt {
    type Prep = (BigInt, BigInt);
    fn from_big(x: &BigInt) -> Option<Self> {
        Some(x.clone())
    }
    fn to_big(&self) -> BigInt {
        self.clone()
    }
    fn from_i64(x: i64) -> Self {
        BigInt::from(x)
    }
    fn sgn(&self) -> i8 {
        if self.is_positive() {
            1
        } else if self.is_negative() {
            -1
        } else {
            0
        }
    }
    fn neg(&self) -> Self {
        -self
    }
    fn prepare(_pivot_row: &[Self], p: &Self, d: &Self) -> (BigInt, BigInt) {
        (p.clone(), d.clone())
    }
    fn row_step(out: &mut [Self], row: &[Self], pivot_row: &[Self], f: &Self, (p, d): &(BigInt, BigInt)) -> bool {
        for ((o, x), q) in out.iter_mut().zip(row).zip(pivot_row) {
            let n = if f.is_zero() { x * p } else { x * p - f * q };
            debug_assert!((&n % d).is_zero(), "a fraction-free division is not exact");
            *o = n / d;
        }
        true
    }
    fn cmp_products(a: &Self, b: &Self, c: &Self, e: &Self) -> Ordering {
        (a * b).cmp(&(c * e))
    }
    fn checked_add(&self, other: &Self) -> Option<Self> {
        Some(self + other)
    }
}

// ---------------------------------------------------------------------------
// Dictionaries.

const NONE: usize = usize::MAX;

/// A fraction-free dictionary of `{z ≥ 0 : M z + s = 1, s ≥ 0}` over the
/// variables `z_0..z_{dim−1}` then the slacks `s_0..s_{rows−1}`. Row `r` reads
/// `det · basis[r] + Σ_c a[r][c] · cobasis[c] = rhs_r`, one column per
/// nonbasic variable (then the right-hand side), with `det > 0`; every entry
/// is a minor of `[M | I | 1]` (Edmonds/Bareiss: every division is exact). A
/// basic variable's column, not stored, is `det` in its row and 0 elsewhere
/// ([`Tab::entry`]). The objective row `det · w + Σ obj[c] · cobasis[c] = obj_rhs`
/// is kept eliminated the same way; a nonbasic variable with `obj > 0`
/// decreases `w` (improves the minimisation). `keys` are the variables whose
/// columns the lexicographic ratio test appends to the right-hand side (the
/// basis the perturbation is relative to).
#[derive(Clone, Debug)]
struct Tab<T: Num> {
    rows: usize,
    dim: usize,
    /// Columns: `dim` nonbasic variables and the right-hand side.
    w: usize,
    a: Vec<T>,
    obj: Vec<T>,
    det: T,
    zero: T,
    basis: Vec<usize>,
    cobasis: Vec<usize>,
    row_of: Vec<usize>,
    col_of: Vec<usize>,
    keys: Vec<usize>,
    scratch: Vec<T>,
    obj_scratch: Vec<T>,
}

impl<T: Num> Tab<T> {
    /// The dictionary at `z = 0` (every slack basic), objective zero.
    fn new(m: &[Vec<BigInt>]) -> Option<Self> {
        let rows = m.len();
        let dim = m.first().map_or(0, Vec::len);
        let w = dim + 1;
        let zero = T::from_i64(0);
        let one = T::from_i64(1);
        let mut a = vec![zero.clone(); rows * w];
        for (r, row) in m.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                a[r * w + j] = T::from_big(x)?;
            }
            a[r * w + dim] = one.clone();
        }
        let n = dim + rows;
        Some(Tab {
            rows,
            dim,
            w,
            a,
            obj: vec![zero.clone(); w],
            det: one,
            zero,
            basis: (dim..n).collect(),
            cobasis: (0..dim).collect(),
            row_of: (0..n).map(|k| if k < dim { NONE } else { k - dim }).collect(),
            col_of: (0..n).map(|k| if k < dim { k } else { NONE }).collect(),
            keys: (dim..n).collect(),
            scratch: Vec::new(),
            obj_scratch: Vec::new(),
        })
    }

    fn to_big(&self) -> Tab<BigInt> {
        Tab {
            rows: self.rows,
            dim: self.dim,
            w: self.w,
            a: self.a.iter().map(Num::to_big).collect(),
            obj: self.obj.iter().map(Num::to_big).collect(),
            det: self.det.to_big(),
            zero: BigInt::zero(),
            basis: self.basis.clone(),
            cobasis: self.cobasis.clone(),
            row_of: self.row_of.clone(),
            col_of: self.col_of.clone(),
            keys: self.keys.clone(),
            scratch: Vec::new(),
            obj_scratch: Vec::new(),
        }
    }

    /// Become a copy of `o` (same shape), reusing this one's allocations.
    fn copy_from(&mut self, o: &Self) {
        self.a.clone_from(&o.a);
        self.obj.clone_from(&o.obj);
        self.det.clone_from(&o.det);
        self.basis.clone_from(&o.basis);
        self.cobasis.clone_from(&o.cobasis);
        self.row_of.clone_from(&o.row_of);
        self.col_of.clone_from(&o.col_of);
        self.keys.clone_from(&o.keys);
    }

    /// Bytes of the entries (for sizing caches).
    fn bytes(&self) -> usize {
        (self.a.len() + self.obj.len()) * std::mem::size_of::<T>()
    }

    fn n_vars(&self) -> usize {
        self.dim + self.rows
    }
    #[inline(always)]
    fn is_basic(&self, k: usize) -> bool {
        self.row_of[k] != NONE
    }
    /// The entry of variable `k`'s column in row `r`.
    #[inline(always)]
    fn entry(&self, r: usize, k: usize) -> &T {
        match self.col_of[k] {
            NONE if self.row_of[k] == r => &self.det,
            NONE => &self.zero,
            c => &self.a[r * self.w + c],
        }
    }
    #[inline(always)]
    fn rhs(&self, r: usize) -> &T {
        &self.a[r * self.w + self.dim]
    }
    /// Variable `k`'s reduced cost (0 when basic).
    #[inline(always)]
    fn cost(&self, k: usize) -> &T {
        match self.col_of[k] {
            NONE => &self.zero,
            c => &self.obj[c],
        }
    }

    /// Pivot nonbasic `e` into the basis in row `r`. `None` (and the
    /// dictionary unchanged) if some new entry might not fit the integer type.
    fn pivot(&mut self, r: usize, e: usize) -> Option<()> {
        let (w, c) = (self.w, self.col_of[e]);
        debug_assert!(c != NONE);
        let pivot_row = &self.a[r * w..(r + 1) * w];
        let p = pivot_row[c].clone();
        debug_assert!(p.sgn() != 0);
        let prep = T::prepare(pivot_row, &p, &self.det);
        let mut out = std::mem::take(&mut self.scratch);
        out.resize(self.a.len(), self.zero.clone());
        let mut obj = std::mem::take(&mut self.obj_scratch);
        obj.resize(w, self.zero.clone());
        let mut ok = true;
        for i in 0..self.rows {
            let row = &self.a[i * w..(i + 1) * w];
            let dst = &mut out[i * w..(i + 1) * w];
            if i == r {
                dst.clone_from_slice(row);
                // The leaving variable's column: det in its old row …
                dst[c] = self.det.clone();
            } else {
                ok &= T::row_step(dst, row, pivot_row, &row[c], &prep);
                // … and minus the entering column elsewhere.
                dst[c] = row[c].neg();
            }
        }
        ok &= T::row_step(&mut obj, &self.obj, pivot_row, &self.obj[c], &prep);
        obj[c] = self.obj[c].neg();
        if !ok {
            self.scratch = out;
            self.obj_scratch = obj;
            return None;
        }
        self.scratch = std::mem::replace(&mut self.a, out);
        self.obj_scratch = std::mem::replace(&mut self.obj, obj);
        self.det = p;
        if self.det.sgn() < 0 {
            self.a.iter_mut().for_each(|x| *x = x.neg());
            self.obj.iter_mut().for_each(|x| *x = x.neg());
            self.det = self.det.neg();
        }
        let leaving = self.basis[r];
        self.basis[r] = e;
        self.cobasis[c] = leaving;
        self.row_of[e] = r;
        self.col_of[e] = NONE;
        self.row_of[leaving] = NONE;
        self.col_of[leaving] = c;
        Some(())
    }

    /// Is row `r` lexicographically smaller than row `b` after division by
    /// their (positive) entries in column `c`, over the right-hand side and the keys?
    fn lex_less(&self, r: usize, b: usize, c: usize) -> bool {
        let w = self.w;
        let (pr, pb) = (&self.a[r * w + c], &self.a[b * w + c]);
        match T::cmp_products(self.rhs(r), pb, self.rhs(b), pr) {
            Ordering::Less => return true,
            Ordering::Greater => return false,
            Ordering::Equal => {}
        }
        for &k in &self.keys {
            match T::cmp_products(self.entry(r, k), pb, self.entry(b, k), pr) {
                Ordering::Less => return true,
                Ordering::Greater => return false,
                Ordering::Equal => {}
            }
        }
        false // unreachable: the key columns form a nonsingular matrix
    }

    /// The lexicographic min-ratio row for entering nonbasic `e` (unique), `None` if unbounded.
    fn lex_ratio(&self, e: usize) -> Option<usize> {
        let c = self.col_of[e];
        let mut best: Option<usize> = None;
        for r in 0..self.rows {
            if self.a[r * self.w + c].sgn() <= 0 {
                continue;
            }
            best = match best {
                Some(b) if !self.lex_less(r, b, c) => Some(b),
                _ => Some(r),
            };
        }
        best
    }

    /// Would entering `j` in row `r` (its lexicographic ratio row) give a basis
    /// whose Bland pivot (lowest-ranked allowed improving variable) is the
    /// variable leaving now? Requires `cost(j) < 0`. lrs's reverse test, on the
    /// current dictionary: after the pivot the leaving variable's reduced cost is
    /// `−cost(j) > 0`, and nonbasic `k`'s has the sign of `cost(k)·p − cost(j)·a[r][k]`.
    fn reverse_ok(&self, r: usize, j: usize, order: &[usize], rank: &[usize], allowed: &[bool]) -> bool {
        let i = self.basis[r];
        let row = &self.a[r * self.w..(r + 1) * self.w];
        let cj = self.cost(j);
        let p = &row[self.col_of[j]];
        for &k in &order[..rank[i]] {
            let c = self.col_of[k];
            if k == j || c == NONE || !allowed[k] {
                continue;
            }
            if T::cmp_products(&self.obj[c], p, cj, &row[c]) == Ordering::Greater {
                return false;
            }
        }
        true
    }

    /// Bland's entering variable: the lowest-ranked allowed nonbasic variable that improves.
    fn bland(&self, order: &[usize], allowed: &[bool]) -> Option<usize> {
        order
            .iter()
            .copied()
            .find(|&k| allowed[k] && !self.is_basic(k) && self.cost(k).sgn() > 0)
    }

    /// Is this the lex-min basis of its vertex: no degenerate row whose basic
    /// variable an allowed, lower-ranked nonbasic variable could replace?
    fn is_lexmin(&self, order: &[usize], rank: &[usize], allowed: &[bool]) -> bool {
        for r in 0..self.rows {
            if self.rhs(r).sgn() != 0 {
                continue;
            }
            for &k in &order[..rank[self.basis[r]]] {
                let c = self.col_of[k];
                if c != NONE && allowed[k] && self.a[r * self.w + c].sgn() != 0 {
                    return false;
                }
            }
        }
        true
    }

    /// An allowed nonbasic variable with a nonzero entry in row `r`.
    fn exchange_for(&self, r: usize, allowed: &[bool]) -> Option<usize> {
        (0..self.dim)
            .find(|&c| allowed[self.cobasis[c]] && self.a[r * self.w + c].sgn() != 0)
            .map(|c| self.cobasis[c])
    }

    /// Objective "minimise the sum of the allowed nonbasic variables" (the
    /// current basis its unique optimum): cost `−det` for those.
    fn set_objective_nonbasic(&mut self, allowed: &[bool]) {
        for c in 0..self.w {
            self.obj[c] = if c < self.dim && allowed[self.cobasis[c]] {
                self.det.neg()
            } else {
                self.zero.clone()
            };
        }
    }

    /// Objective "minimise `Σ_{k ∈ set} var_k`" eliminated for the current basis:
    /// nonbasic `k` costs `Σ_{rows r with basis[r] ∈ set} a[r][k] − det·[k ∈ set]`,
    /// `obj_rhs = Σ rhs_r` over those rows. `None` if a sum might not fit.
    fn set_objective_sum(&mut self, set: &[bool]) -> Option<()> {
        let mut obj = vec![self.zero.clone(); self.w];
        for (c, o) in obj.iter_mut().enumerate() {
            if c < self.dim && set[self.cobasis[c]] {
                *o = self.det.neg();
            }
            for r in 0..self.rows {
                let x = &self.a[r * self.w + c];
                if set[self.basis[r]] && x.sgn() != 0 {
                    *o = o.checked_add(x)?;
                }
            }
        }
        self.obj = obj;
        Some(())
    }

    /// Whether some `z` variable is positive (the vertex is not `z = 0`).
    fn z_nonzero(&self) -> bool {
        (0..self.rows).any(|r| self.basis[r] < self.dim && self.rhs(r).sgn() > 0)
    }

    /// The vertex's `z` part, normalised to sum 1 (`None` if `z = 0`).
    fn strategy(&self) -> Option<Vec<Rational>> {
        let mut total = BigInt::zero();
        for (r, &b) in self.basis.iter().enumerate() {
            if b < self.dim {
                total += self.rhs(r).to_big();
            }
        }
        if total.is_zero() {
            return None;
        }
        let mut s = vec![Rational::zero(); self.dim];
        for (r, &b) in self.basis.iter().enumerate() {
            if b < self.dim && self.rhs(r).sgn() != 0 {
                s[b] = Rational::new(self.rhs(r).to_big(), total.clone());
            }
        }
        Some(s)
    }
}

/// A tableau in `i128` that moves itself to `BigInt` when a value might not fit.
#[derive(Clone, Debug)]
enum Dict {
    Small(Tab<i128>),
    Big(Tab<BigInt>),
}

macro_rules! with {
    ($d:expr, $t:ident => $e:expr) => {
        match $d {
            Dict::Small($t) => $e,
            Dict::Big($t) => $e,
        }
    };
}

impl Dict {
    fn new(m: &[Vec<BigInt>], arithmetic: Arithmetic) -> Dict {
        if arithmetic == Arithmetic::Auto {
            if let Some(t) = Tab::<i128>::new(m) {
                return Dict::Small(t);
            }
        }
        Dict::Big(Tab::new(m).expect("BigInt holds every integer"))
    }
    fn is_big(&self) -> bool {
        matches!(self, Dict::Big(_))
    }
    /// Become a copy of `o`, reusing allocations when the arithmetic matches.
    fn copy_from(&mut self, o: &Dict) {
        match (&mut *self, o) {
            (Dict::Small(a), Dict::Small(b)) => return a.copy_from(b),
            (Dict::Big(a), Dict::Big(b)) => return a.copy_from(b),
            _ => {}
        }
        *self = o.clone();
    }
    fn bytes(&self) -> usize {
        with!(self, t => t.bytes())
    }
    /// Redo an operation that may not fit `i128` in `BigInt` if it does not.
    fn fallible(&mut self, ctl: &mut Ctl, op: impl Fn(&mut Dict) -> Option<()>) {
        if op(self).is_some() {
            return;
        }
        if let Dict::Small(t) = self {
            let big = t.to_big();
            *self = Dict::Big(big);
            ctl.stats.bigint = true;
        }
        op(self).expect("BigInt arithmetic does not overflow");
    }
    fn pivot(&mut self, r: usize, e: usize, ctl: &mut Ctl) -> Result<()> {
        self.fallible(ctl, |d| with!(d, t => t.pivot(r, e)));
        ctl.tick()
    }
    fn set_objective_sum(&mut self, set: &[bool], ctl: &mut Ctl) {
        self.fallible(ctl, |d| with!(d, t => t.set_objective_sum(set)));
    }
    fn set_objective_nonbasic(&mut self, allowed: &[bool]) {
        with!(self, t => t.set_objective_nonbasic(allowed))
    }
    fn set_keys_to_basis(&mut self) {
        with!(self, t => t.keys = t.basis.clone())
    }
    fn rows(&self) -> usize {
        with!(self, t => t.rows)
    }
    fn n_vars(&self) -> usize {
        with!(self, t => t.n_vars())
    }
    fn basis(&self, r: usize) -> usize {
        with!(self, t => t.basis[r])
    }
    fn basis_vec(&self) -> &[usize] {
        with!(self, t => &t.basis)
    }
    fn is_basic(&self, k: usize) -> bool {
        with!(self, t => t.is_basic(k))
    }
    fn rhs_sign(&self, r: usize) -> i8 {
        with!(self, t => t.rhs(r).sgn())
    }
    fn cost_sign(&self, k: usize) -> i8 {
        with!(self, t => t.cost(k).sgn())
    }
    fn obj_rhs_sign(&self) -> i8 {
        with!(self, t => t.obj[t.dim].sgn())
    }
    fn lex_ratio(&self, e: usize) -> Option<usize> {
        with!(self, t => t.lex_ratio(e))
    }
    fn reverse_ok(&self, r: usize, j: usize, order: &[usize], rank: &[usize], allowed: &[bool]) -> bool {
        with!(self, t => t.reverse_ok(r, j, order, rank, allowed))
    }
    fn bland(&self, order: &[usize], allowed: &[bool]) -> Option<usize> {
        with!(self, t => t.bland(order, allowed))
    }
    fn is_lexmin(&self, order: &[usize], rank: &[usize], allowed: &[bool]) -> bool {
        with!(self, t => t.is_lexmin(order, rank, allowed))
    }
    fn exchange_for(&self, r: usize, allowed: &[bool]) -> Option<usize> {
        with!(self, t => t.exchange_for(r, allowed))
    }
    fn z_nonzero(&self) -> bool {
        with!(self, t => t.z_nonzero())
    }
    fn strategy(&self) -> Option<Vec<Rational>> {
        with!(self, t => t.strategy())
    }
    /// Mark the variables with a positive value's partners in `out`.
    fn mark_positive(&self, partner: impl Fn(usize) -> usize, out: &mut [bool]) {
        with!(self, t => {
            for r in 0..t.rows {
                if t.rhs(r).sgn() > 0 {
                    out[partner(t.basis[r])] = true;
                }
            }
        })
    }

    /// Make the current basis the root of a reverse search over the allowed
    /// variables: perturbation relative to it, objective "minimise the sum of
    /// the allowed nonbasic variables", ranks with the basis (in row order)
    /// first. Returns `(order, rank)`.
    fn make_root(&mut self, allowed: &[bool]) -> (Vec<usize>, Vec<usize>) {
        self.set_keys_to_basis();
        self.set_objective_nonbasic(allowed);
        let n = self.n_vars();
        let mut order: Vec<usize> = self.basis_vec().to_vec();
        order.extend((0..n).filter(|&k| !self.is_basic(k)));
        let mut rank = vec![0; n];
        for (p, &k) in order.iter().enumerate() {
            rank[k] = p;
        }
        (order, rank)
    }
}

// ---------------------------------------------------------------------------
// The searches.

struct Ctl<'a> {
    progress: &'a dyn Progress,
    /// Outer bases already reported to `progress`.
    reported: u64,
    cache_levels: Option<usize>,
    stats: Stats,
}

/// Pivots between two polls of [`Progress::cancelled`] (a few milliseconds).
const PIVOTS_PER_POLL: u64 = 4096;

impl Ctl<'_> {
    /// Count a pivot; every [`PIVOTS_PER_POLL`] report the outer bases
    /// visited since the last report (no total: the vertex count is not known
    /// in advance) and poll for cancellation.
    fn tick(&mut self) -> Result<()> {
        self.stats.pivots += 1;
        if self.stats.pivots.is_multiple_of(PIVOTS_PER_POLL) {
            self.progress.advance(self.stats.outer_bases - self.reported);
            self.reported = self.stats.outer_bases;
            if self.progress.cancelled() {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }
}

type Visit<'v> = dyn FnMut(&Dict, &mut Ctl) -> Result<ControlFlow<()>> + 'v;

/// Dictionaries of the path from the root kept for backtracking (restoring a
/// parent instead of pivoting back to it): at most this many bytes, and
/// levels.
const CACHE_BYTES: usize = 4 << 20;
const CACHE_LEVELS: usize = 128;

/// Reverse search from the root `dict` (prepared by [`Dict::make_root`]):
/// `visit` sees every lexicographically positive basis reachable through
/// allowed variables, the root first. On completion the dictionary is back at
/// the root. Going back up restores the parent from a bounded cache of the
/// deepest levels of the current path, or (above it) pivots back with
/// Bland's rule; both give the same dictionary.
fn reverse_search(
    dict: &mut Dict,
    order: &[usize],
    rank: &[usize],
    allowed: &[bool],
    ctl: &mut Ctl,
    visit: &mut Visit,
) -> Result<ControlFlow<()>> {
    if visit(dict, ctl)?.is_break() {
        return Ok(ControlFlow::Break(()));
    }
    let levels = ctl
        .cache_levels
        .unwrap_or_else(|| (CACHE_BYTES / dict.bytes().max(1)).clamp(2, CACHE_LEVELS));
    let mut cache: VecDeque<(Dict, usize)> = VecDeque::new();
    let mut spare: Vec<Dict> = Vec::new();
    let mut depth = 0usize;
    let mut pos = 0usize;
    loop {
        let mut descended = false;
        while pos < order.len() {
            let j = order[pos];
            pos += 1;
            if !allowed[j] || dict.is_basic(j) || dict.cost_sign(j) >= 0 {
                continue;
            }
            let Some(r) = dict.lex_ratio(j) else {
                continue; // an unbounded edge (impossible in a polytope)
            };
            if !dict.reverse_ok(r, j, order, rank, allowed) {
                continue;
            }
            if levels > 0 {
                if cache.len() == levels {
                    spare.extend(cache.pop_front().map(|(d, _)| d));
                }
                let mut saved = spare.pop().unwrap_or_else(|| dict.clone());
                saved.copy_from(dict);
                cache.push_back((saved, j));
            }
            dict.pivot(r, j, ctl)?;
            depth += 1;
            pos = 0;
            if visit(dict, ctl)?.is_break() {
                return Ok(ControlFlow::Break(()));
            }
            descended = true;
            break;
        }
        if descended {
            continue;
        }
        if depth == 0 {
            return Ok(ControlFlow::Continue(()));
        }
        depth -= 1;
        if let Some((mut parent, came_in)) = cache.pop_back() {
            std::mem::swap(dict, &mut parent);
            spare.push(parent);
            pos = rank[came_in] + 1;
            continue;
        }
        // Back to the parent: the simplex pivot with Bland's rule.
        let e = dict
            .bland(order, allowed)
            .expect("a basis other than the root has an improving variable");
        let r = dict.lex_ratio(e).expect("the polytope is bounded");
        let came_in = dict.basis(r);
        dict.pivot(r, e, ctl)?;
        pos = rank[came_in] + 1;
    }
}

/// The inner polytope's state across outer vertices.
struct Inner {
    /// Warm start of the direct solve: the basis the last face left (maybe infeasible).
    near: Dict,
    /// A feasible basis: the phase-1 simplex starts here.
    feasible: Dict,
}

/// Every vertex `v` of the inner polytope with the `forced` variables zero,
/// each once, passed to `emit`.
fn complementary_vertices(
    inner: &mut Inner,
    forced: &[bool],
    allowed: &[bool],
    ctl: &mut Ctl,
    emit: &mut dyn FnMut(Vec<Rational>, &mut Ctl) -> ControlFlow<()>,
) -> Result<ControlFlow<()>> {
    // Direct solve: pivot the forced variables out of the basis.
    let near = &mut inner.near;
    for r in 0..near.rows() {
        if forced[near.basis(r)] {
            if let Some(k) = near.exchange_for(r, allowed) {
                near.pivot(r, k, ctl)?;
            }
        }
    }
    let unique = (0..near.n_vars()).all(|k| forced[k] || near.is_basic(k));
    if unique {
        // Every allowed variable is basic: the face is at most the one point
        // `rhs / det` (rows still holding a forced variable must read 0).
        let feasible =
            (0..near.rows()).all(|r| near.rhs_sign(r) >= 0 && (near.rhs_sign(r) == 0 || !forced[near.basis(r)]));
        if feasible {
            if let Some(v) = near.strategy() {
                return Ok(emit(v, ctl));
            }
        }
        return Ok(ControlFlow::Continue(()));
    }
    // A face of positive dimension (or rank-deficient): phase 1 from a feasible basis.
    ctl.stats.faces_searched += 1;
    let dict = &mut inner.feasible;
    let n = dict.n_vars();
    let every: Vec<bool> = vec![true; n];
    let index_order: Vec<usize> = (0..n).collect();
    dict.set_keys_to_basis();
    dict.set_objective_sum(forced, ctl);
    while let Some(e) = dict.bland(&index_order, &every) {
        let r = dict.lex_ratio(e).expect("the polytope is bounded");
        dict.pivot(r, e, ctl)?;
    }
    if dict.obj_rhs_sign() > 0 {
        return Ok(ControlFlow::Continue(())); // the face is empty
    }
    // At a vertex of the face: forced variables still basic are zero; exchange
    // them (degenerate pivots) where an allowed variable can take their place.
    for r in 0..dict.rows() {
        if forced[dict.basis(r)] {
            debug_assert_eq!(dict.rhs_sign(r), 0);
            if let Some(k) = dict.exchange_for(r, allowed) {
                dict.pivot(r, k, ctl)?;
            }
        }
    }
    let (order, rank) = dict.make_root(allowed);
    let mut visit = |d: &Dict, ctl: &mut Ctl| -> Result<ControlFlow<()>> {
        ctl.stats.inner_bases += 1;
        if !d.is_lexmin(&order, &rank, allowed) {
            return Ok(ControlFlow::Continue(()));
        }
        match d.strategy() {
            Some(v) => Ok(emit(v, ctl)),
            None => Ok(ControlFlow::Continue(())),
        }
    };
    reverse_search(dict, &order, &rank, allowed, ctl, &mut visit)
}

fn require_two_players(game: &NormalFormGame) -> Result<()> {
    if game.n_players() != 2 {
        return Err(Error::invalid(format!(
            "this method needs a 2-player game; this one has {} players",
            game.n_players()
        )));
    }
    if game.n_actions(0) == 0 || game.n_actions(1) == 0 {
        return Err(Error::invalid("every player needs at least one strategy"));
    }
    Ok(())
}

/// Every extreme Nash equilibrium of a two-player game, exactly, each once,
/// passed to `on_equilibrium` as found (return `ControlFlow::Break` to stop).
/// Memory does not grow with the number of vertices of the polytopes.
/// Reports the outer bases visited to `progress.advance` (no total) and
/// polls `progress.cancelled()` every 4096 pivots, a few milliseconds, on
/// the calling thread ([`Error::Cancelled`]).
pub fn enumerate(
    game: &NormalFormGame,
    opts: &Options,
    mut on_equilibrium: impl FnMut(Equilibrium) -> ControlFlow<()>,
    progress: &dyn Progress,
) -> Result<Stats> {
    require_two_players(game)?;
    let (m, n) = (game.n_actions(0), game.n_actions(1));
    let a = positive_integer_matrix(&game.matrix(0));
    let bt = transpose(&positive_integer_matrix(&game.matrix(1)));
    let outer_is_row = match opts.outer {
        Outer::Auto => m <= n,
        Outer::Row => true,
        Outer::Column => false,
    };
    // Outer {u ≥ 0 : M_o u ≤ 1}, inner {v ≥ 0 : M_i v ≤ 1}: P = (Bᵀ, x), Q = (A, y).
    let (mo, mi) = if outer_is_row { (bt, a) } else { (a, bt) };
    let (d_o, d_i) = (mo[0].len(), mi[0].len());
    let mut outer = Dict::new(&mo, opts.arithmetic);
    let start_inner = Dict::new(&mi, opts.arithmetic);
    let mut inner = Inner {
        near: start_inner.clone(),
        feasible: start_inner,
    };
    let mut ctl = Ctl {
        progress,
        reported: 0,
        cache_levels: opts.cache_levels,
        stats: Stats {
            outer_player: if outer_is_row { 0 } else { 1 },
            bigint: outer.is_big() || inner.near.is_big(),
            ..Stats::default()
        },
    };
    if progress.cancelled() {
        return Err(Error::Cancelled);
    }
    let n_outer = outer.n_vars();
    let n_inner = d_i + d_o;
    // The inner variable with the same label as outer variable k: outer z_a
    // (a < d_o) is inner slack a, outer slack b is inner z_b.
    let partner = |k: usize| if k < d_o { d_i + k } else { k - d_o };
    let all = vec![true; n_outer];
    let (order, rank) = outer.make_root(&all);
    let mut seen: HashSet<Vec<Rational>> = HashSet::new();
    let mut forced = vec![false; n_inner];
    let mut allowed = vec![true; n_inner];
    let mut visit = |d: &Dict, ctl: &mut Ctl| -> Result<ControlFlow<()>> {
        ctl.stats.outer_bases += 1;
        if !d.is_lexmin(&order, &rank, &all) {
            return Ok(ControlFlow::Continue(()));
        }
        ctl.stats.outer_vertices += 1;
        if !d.z_nonzero() {
            return Ok(ControlFlow::Continue(())); // u = 0
        }
        forced.iter_mut().for_each(|f| *f = false);
        d.mark_positive(partner, &mut forced);
        for (a, f) in allowed.iter_mut().zip(&forced) {
            *a = !f;
        }
        seen.clear();
        let mut u: Option<Vec<Rational>> = None;
        let mut emit = |v: Vec<Rational>, ctl: &mut Ctl| -> ControlFlow<()> {
            if !seen.insert(v.clone()) {
                ctl.stats.duplicates += 1;
                return ControlFlow::Continue(());
            }
            let u = u.get_or_insert_with(|| d.strategy().expect("u is not 0")).clone();
            let strategies = if outer_is_row { vec![u, v] } else { vec![v, u] };
            let payoffs = game.expected_payoffs(&strategies);
            ctl.stats.equilibria += 1;
            on_equilibrium(Equilibrium { strategies, payoffs })
        };
        complementary_vertices(&mut inner, &forced, &allowed, ctl, &mut emit)
    };
    let flow = reverse_search(&mut outer, &order, &rank, &all, &mut ctl, &mut visit)?;
    progress.advance(ctl.stats.outer_bases - ctl.reported);
    ctl.stats.complete = flow.is_continue();
    Ok(ctl.stats)
}

/// Connected components of the equilibrium set from its extreme equilibria:
/// two are joined when they share a strategy (the union of maximal Nash
/// subsets), as indices into `equilibria`, each sorted, the list sorted.
pub fn components(equilibria: &[Equilibrium]) -> Vec<Vec<usize>> {
    let mut ids: [HashMap<&Vec<Rational>, usize>; 2] = [HashMap::new(), HashMap::new()];
    let pairs: Vec<(usize, usize)> = equilibria
        .iter()
        .map(|e| {
            let mut node = [0usize; 2];
            for (p, id) in ids.iter_mut().enumerate() {
                let next = id.len();
                node[p] = *id.entry(&e.strategies[p]).or_insert(next);
            }
            (node[0], node[1])
        })
        .collect();
    super::pair_components(ids[0].len(), ids[1].len(), &pairs)
}

/// Every extreme equilibrium by reverse search, grouped into connected
/// components: the same set and type as the vertex-pairing enumerator
/// ([`super::bimatrix::enumerate_extreme_by_pairing`]), in memory that does
/// not grow with the vertex count. This is what
/// [`super::bimatrix::enumerate_extreme`] runs.
pub fn extreme_equilibria(game: &NormalFormGame) -> Result<ExtremeEquilibria> {
    extreme_equilibria_with(game, &Options::default(), &NoProgress)
}

/// [`extreme_equilibria`] with options and progress (cancellation). The
/// equilibria are sorted by their strategies (row player's first),
/// lexicographically.
pub fn extreme_equilibria_with(
    game: &NormalFormGame,
    opts: &Options,
    progress: &dyn Progress,
) -> Result<ExtremeEquilibria> {
    let mut equilibria = Vec::new();
    enumerate(
        game,
        opts,
        |e| {
            equilibria.push(e);
            ControlFlow::Continue(())
        },
        progress,
    )?;
    // A canonical order, whatever the search order: by (x, y), lexicographically.
    equilibria.sort_by(|a, b| a.strategies.cmp(&b.strategies));
    let components = components(&equilibria);
    Ok(ExtremeEquilibria { equilibria, components })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_products_compare_exactly() {
        let big = (1i128 << 126) - 3;
        let cases = [
            (big, big, big - 1, big),
            (-big, big, big, -big),
            (big, -7, -big, 7),
            (3, 5, 15, 1),
            (-(1i128 << 120), 1i128 << 100, -(1i128 << 119), 1i128 << 101),
            (0, big, 0, -big),
        ];
        for (a, b, c, e) in cases {
            let exact = (BigInt::from(a) * BigInt::from(b)).cmp(&(BigInt::from(c) * BigInt::from(e)));
            assert_eq!(<i128 as Num>::cmp_products(&a, &b, &c, &e), exact, "{a} {b} {c} {e}");
        }
    }

    #[test]
    fn wrapping_exact_division_matches_bigint_or_refuses() {
        use num_integer::Integer;
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        let mut done = 0;
        let mut refused = 0;
        for _ in 0..20_000 {
            let mut draw = |max_bits: u32| -> i128 {
                let b = rng.random_range(1..=max_bits);
                let v = rng.random_range(0..(1u128 << b)) as i128;
                if rng.random_range(0..2u32) == 0 {
                    -v
                } else {
                    v
                }
            };
            let (x, p, f, q) = (draw(100), draw(100), draw(100), draw(100));
            let r = BigInt::from(draw(120).abs().max(1));
            let n = BigInt::from(x) * BigInt::from(p) - BigInt::from(f) * BigInt::from(q);
            let d = n.gcd(&r);
            let Some(d) = d.to_i128().filter(|d| *d > 0 && bits(*d) <= 126) else {
                continue;
            };
            let exact = &n / BigInt::from(d);
            let prep = <i128 as Num>::prepare(&[q], &p, &d);
            let mut out = [0i128];
            if <i128 as Num>::row_step(&mut out, &[x], &[q], &f, &prep) {
                assert_eq!(BigInt::from(out[0]), exact, "{x} {p} {f} {q} {d}");
                done += 1;
            } else {
                // Refused only when the bound (|x·p| + |f·q|) / d is near 2^126.
                let bound = (BigInt::from(x) * BigInt::from(p)).abs() + (BigInt::from(f) * BigInt::from(q)).abs();
                assert!((bound / BigInt::from(d)).bits() >= 120, "refused a small result");
                refused += 1;
            }
        }
        assert!(done > 1000 && refused > 100, "{done} done, {refused} refused");
    }
}

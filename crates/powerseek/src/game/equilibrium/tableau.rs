//! Exact integer (fraction-free) tableaux for polytopes `{z ≥ 0 : M z ≤ 1}`,
//! the common machinery of vertex enumeration, Lemke–Howson and the zero-sum LP.
//!
//! Every row is an equation `Σ_j a[r][j] · var_j = rhs_r` over the variables
//! `z_0..z_{d−1}` and slacks `s_0..s_{k−1}`; the basic variable of row `r` has
//! coefficient `det` in its row and 0 elsewhere, so its value is `rhs_r / det`.
//! Pivoting keeps all entries integers (Edmonds/Bareiss: every division is
//! exact) and `det > 0`.
//!
//! The integer type is generic: `i128` with checked arithmetic (fast; reports
//! [`Overflow`]) or `BigInt` (never overflows). Callers try `i128` first.

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use crate::exact::Rational;

/// An `i128` computation left its range; redo it with `BigInt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Overflow;

/// Integers a tableau can be built on.
pub(crate) trait Int: Clone + Ord + std::fmt::Debug + std::hash::Hash {
    fn zero() -> Self;
    fn one() -> Self;
    fn from_big(x: &BigInt) -> Result<Self, Overflow>;
    fn to_big(&self) -> BigInt;
    fn mul(&self, other: &Self) -> Result<Self, Overflow>;
    /// `(a·p − f·b) / d`, exact.
    fn pivot_step(a: &Self, p: &Self, f: &Self, b: &Self, d: &Self) -> Result<Self, Overflow>;
    fn neg(&self) -> Self;
    fn signum(&self) -> i8;
    /// `num / den` in lowest terms (`den > 0`).
    fn reduce(num: &Self, den: &Self) -> (Self, Self);
}

impl Int for i128 {
    fn zero() -> Self {
        0
    }
    fn one() -> Self {
        1
    }
    fn from_big(x: &BigInt) -> Result<Self, Overflow> {
        x.to_i128().ok_or(Overflow)
    }
    fn to_big(&self) -> BigInt {
        BigInt::from(*self)
    }
    fn mul(&self, other: &Self) -> Result<Self, Overflow> {
        self.checked_mul(*other).ok_or(Overflow)
    }
    #[inline]
    fn pivot_step(a: &Self, p: &Self, f: &Self, b: &Self, d: &Self) -> Result<Self, Overflow> {
        let x = a.checked_mul(*p).ok_or(Overflow)?;
        let y = f.checked_mul(*b).ok_or(Overflow)?;
        Ok(x.checked_sub(y).ok_or(Overflow)? / d)
    }
    fn neg(&self) -> Self {
        -self
    }
    fn signum(&self) -> i8 {
        i128::signum(*self) as i8
    }
    fn reduce(num: &Self, den: &Self) -> (Self, Self) {
        let (mut a, mut b) = (num.unsigned_abs(), den.unsigned_abs());
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1) as i128;
        (num / g, den / g)
    }
}

impl Int for BigInt {
    fn zero() -> Self {
        Zero::zero()
    }
    fn one() -> Self {
        One::one()
    }
    fn from_big(x: &BigInt) -> Result<Self, Overflow> {
        Ok(x.clone())
    }
    fn to_big(&self) -> BigInt {
        self.clone()
    }
    fn mul(&self, other: &Self) -> Result<Self, Overflow> {
        Ok(self * other)
    }
    fn pivot_step(a: &Self, p: &Self, f: &Self, b: &Self, d: &Self) -> Result<Self, Overflow> {
        Ok((a * p - f * b) / d)
    }
    fn neg(&self) -> Self {
        -self
    }
    fn signum(&self) -> i8 {
        if self.is_positive() {
            1
        } else if self.is_negative() {
            -1
        } else {
            0
        }
    }
    fn reduce(num: &Self, den: &Self) -> (Self, Self) {
        use num_integer::Integer;
        let g = num.gcd(den);
        if g.is_zero() {
            (num.clone(), den.clone())
        } else {
            (num / &g, den / &g)
        }
    }
}

#[derive(Clone, Debug)]
pub(crate) struct Tableau<T: Int> {
    pub rows: usize,
    pub dim: usize,
    /// `rows × (dim + rows + 1)`; the last column is the right-hand side.
    pub a: Vec<T>,
    pub det: T,
    /// Basic variable of each row.
    pub basis: Vec<usize>,
    /// Row of each variable when basic.
    pub row_of: Vec<Option<usize>>,
}

impl<T: Int> Tableau<T> {
    /// The tableau of `{z ≥ 0 : M z ≤ 1}` at `z = 0` (all slacks basic);
    /// `m` is `rows × dim` with integer entries.
    pub fn new(m: &[Vec<BigInt>]) -> Result<Self, Overflow> {
        let rows = m.len();
        let dim = m.first().map_or(0, Vec::len);
        let width = dim + rows + 1;
        let mut a = vec![T::zero(); rows * width];
        for (r, row) in m.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                a[r * width + j] = T::from_big(x)?;
            }
            a[r * width + dim + r] = T::one();
            a[r * width + width - 1] = T::one();
        }
        let mut row_of = vec![None; dim + rows];
        for r in 0..rows {
            row_of[dim + r] = Some(r);
        }
        Ok(Tableau {
            rows,
            dim,
            a,
            det: T::one(),
            basis: (dim..dim + rows).collect(),
            row_of,
        })
    }

    pub fn width(&self) -> usize {
        self.dim + self.rows + 1
    }
    pub fn n_vars(&self) -> usize {
        self.dim + self.rows
    }
    #[inline]
    pub fn at(&self, r: usize, j: usize) -> &T {
        &self.a[r * self.width() + j]
    }
    #[inline]
    pub fn rhs(&self, r: usize) -> &T {
        self.at(r, self.width() - 1)
    }

    /// Pivot variable `col` into the basis in row `r`.
    pub fn pivot(&mut self, r: usize, col: usize) -> Result<(), Overflow> {
        let w = self.width();
        let piv = self.a[r * w + col].clone();
        debug_assert!(piv.signum() != 0);
        let pivot_row: Vec<T> = self.a[r * w..(r + 1) * w].to_vec();
        let zero = T::zero();
        for i in 0..self.rows {
            if i == r {
                continue;
            }
            let f = self.a[i * w + col].clone();
            let row = &mut self.a[i * w..(i + 1) * w];
            for (x, p) in row.iter_mut().zip(&pivot_row) {
                *x = if f.signum() == 0 {
                    T::pivot_step(x, &piv, &zero, p, &self.det)?
                } else {
                    T::pivot_step(x, &piv, &f, p, &self.det)?
                };
            }
        }
        self.det = piv;
        if self.det.signum() < 0 {
            self.a.iter_mut().for_each(|x| *x = x.neg());
            self.det = self.det.neg();
        }
        let leaving = self.basis[r];
        self.row_of[leaving] = None;
        self.row_of[col] = Some(r);
        self.basis[r] = col;
        Ok(())
    }

    /// Value of every variable at the current basis.
    pub fn values(&self) -> Vec<Rational> {
        let mut v = vec![Rational::zero(); self.n_vars()];
        for (r, &b) in self.basis.iter().enumerate() {
            v[b] = Rational::new(self.rhs(r).to_big(), self.det.to_big());
        }
        v
    }

    /// Which variables are zero at the current basis (nonbasic, or basic with rhs 0).
    pub fn zero_variables(&self) -> Vec<bool> {
        let mut z = vec![true; self.n_vars()];
        for (r, &b) in self.basis.iter().enumerate() {
            z[b] = self.rhs(r).signum() == 0;
        }
        z
    }

    /// Rows that may leave when `col` enters while keeping the basis feasible:
    /// min-ratio rows with a positive pivot, and zero-rhs rows with a negative one.
    pub fn feasible_pivot_rows(&self, col: usize) -> Result<Vec<usize>, Overflow> {
        let mut best: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for r in 0..self.rows {
            let p = self.at(r, col);
            if p.signum() > 0 {
                match best.first() {
                    None => best.push(r),
                    Some(&b) => {
                        // rhs_r / p  vs  rhs_b / p_b
                        let lhs = self.rhs(r).mul(self.at(b, col))?;
                        let rhs = self.rhs(b).mul(p)?;
                        match lhs.cmp(&rhs) {
                            std::cmp::Ordering::Less => {
                                best.clear();
                                best.push(r);
                            }
                            std::cmp::Ordering::Equal => best.push(r),
                            std::cmp::Ordering::Greater => {}
                        }
                    }
                }
            } else if p.signum() < 0 && self.rhs(r).signum() == 0 {
                out.push(r);
            }
        }
        out.extend(best);
        Ok(out)
    }

    /// The lexicographic min-ratio row for entering `col` (unique; `None` if unbounded).
    /// Ties in `rhs / a` are broken by the slack columns (the basis inverse), which
    /// prevents cycling in degenerate problems.
    pub fn lexicographic_row(&self, col: usize) -> Result<Option<usize>, Overflow> {
        let w = self.width();
        let keys: Vec<usize> = std::iter::once(w - 1).chain(self.dim..self.dim + self.rows).collect();
        let mut best: Option<usize> = None;
        for r in 0..self.rows {
            if self.at(r, col).signum() <= 0 {
                continue;
            }
            best = Some(match best {
                None => r,
                Some(b) => {
                    let mut choice = b;
                    for &k in &keys {
                        let lhs = self.at(r, k).mul(self.at(b, col))?;
                        let rhs = self.at(b, k).mul(self.at(r, col))?;
                        if lhs < rhs {
                            choice = r;
                            break;
                        }
                        if lhs > rhs {
                            break;
                        }
                    }
                    choice
                }
            });
        }
        Ok(best)
    }
}

/// Clear denominators and shift so every entry is a positive integer
/// (a positive affine map of the payoffs, which leaves equilibria unchanged).
pub(crate) fn positive_integer_matrix(m: &[Vec<Rational>]) -> Vec<Vec<BigInt>> {
    use num_integer::Integer;
    let lcm = m
        .iter()
        .flatten()
        .fold(<BigInt as One>::one(), |acc, x| acc.lcm(x.denom()));
    let ints: Vec<Vec<BigInt>> = m
        .iter()
        .map(|row| {
            row.iter()
                // Exact: every denominator divides the lcm.
                .map(|x| x.numer() * (&lcm / x.denom()))
                .collect()
        })
        .collect();
    let min = ints
        .iter()
        .flatten()
        .min()
        .cloned()
        .unwrap_or_else(<BigInt as Zero>::zero);
    let shift = <BigInt as One>::one() - min;
    ints.into_iter()
        .map(|row| row.into_iter().map(|x| x + &shift).collect())
        .collect()
}

/// Transpose of a matrix.
pub(crate) fn transpose<T: Clone>(m: &[Vec<T>]) -> Vec<Vec<T>> {
    let cols = m.first().map_or(0, Vec::len);
    (0..cols)
        .map(|j| m.iter().map(|row| row[j].clone()).collect())
        .collect()
}

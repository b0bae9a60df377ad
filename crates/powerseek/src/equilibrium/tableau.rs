//! Exact integer (fraction-free) tableaux for polytopes `{z ≥ 0 : M z ≤ 1}`,
//! the common machinery of vertex enumeration, Lemke–Howson and the zero-sum LP.
//!
//! Every row is an equation `Σ_j a[r][j] · var_j = rhs_r` over the variables
//! `z_0..z_{d−1}` and slacks `s_0..s_{k−1}`; the basic variable of row `r` has
//! coefficient `det` in its row and 0 elsewhere, so its value is `rhs_r / det`.
//! Pivoting keeps all entries integers (Edmonds/Bareiss: every division is
//! exact) and `det > 0`.

use num_bigint::BigInt;
use num_traits::{One, Signed, Zero};

use crate::game::Rational;

#[derive(Clone, Debug)]
pub(crate) struct Tableau {
    pub rows: usize,
    pub dim: usize,
    /// `rows × (dim + rows + 1)`; the last column is the right-hand side.
    pub a: Vec<BigInt>,
    pub det: BigInt,
    /// Basic variable of each row.
    pub basis: Vec<usize>,
    /// Row of each variable when basic.
    pub row_of: Vec<Option<usize>>,
}

impl Tableau {
    /// The tableau of `{z ≥ 0 : M z ≤ 1}` at `z = 0` (all slacks basic);
    /// `m` is `rows × dim` with integer entries.
    pub fn new(m: &[Vec<BigInt>]) -> Self {
        let rows = m.len();
        let dim = m.first().map_or(0, Vec::len);
        let width = dim + rows + 1;
        let mut a = vec![BigInt::zero(); rows * width];
        for (r, row) in m.iter().enumerate() {
            for (j, x) in row.iter().enumerate() {
                a[r * width + j] = x.clone();
            }
            a[r * width + dim + r] = BigInt::one();
            a[r * width + width - 1] = BigInt::one();
        }
        let mut row_of = vec![None; dim + rows];
        for r in 0..rows {
            row_of[dim + r] = Some(r);
        }
        Tableau {
            rows,
            dim,
            a,
            det: BigInt::one(),
            basis: (dim..dim + rows).collect(),
            row_of,
        }
    }

    pub fn width(&self) -> usize {
        self.dim + self.rows + 1
    }
    pub fn n_vars(&self) -> usize {
        self.dim + self.rows
    }
    #[inline]
    pub fn at(&self, r: usize, j: usize) -> &BigInt {
        &self.a[r * self.width() + j]
    }
    #[inline]
    pub fn rhs(&self, r: usize) -> &BigInt {
        self.at(r, self.width() - 1)
    }

    /// Pivot variable `col` into the basis in row `r`.
    pub fn pivot(&mut self, r: usize, col: usize) {
        let w = self.width();
        let piv = self.a[r * w + col].clone();
        debug_assert!(!piv.is_zero());
        let pivot_row: Vec<BigInt> = self.a[r * w..(r + 1) * w].to_vec();
        for i in 0..self.rows {
            if i == r {
                continue;
            }
            let f = self.a[i * w + col].clone();
            let row = &mut self.a[i * w..(i + 1) * w];
            if f.is_zero() {
                for x in row.iter_mut() {
                    *x = &*x * &piv / &self.det;
                }
            } else {
                for (x, p) in row.iter_mut().zip(&pivot_row) {
                    *x = (&*x * &piv - &f * p) / &self.det;
                }
            }
        }
        self.det = piv;
        if self.det.is_negative() {
            self.a.iter_mut().for_each(|x| *x = -&*x);
            self.det = -&self.det;
        }
        let leaving = self.basis[r];
        self.row_of[leaving] = None;
        self.row_of[col] = Some(r);
        self.basis[r] = col;
    }

    /// Value of every variable at the current basis.
    pub fn values(&self) -> Vec<Rational> {
        let mut v = vec![Rational::zero(); self.n_vars()];
        for (r, &b) in self.basis.iter().enumerate() {
            v[b] = Rational::new(self.rhs(r).clone(), self.det.clone());
        }
        v
    }

    /// Rows that may leave when `col` enters while keeping the basis feasible:
    /// min-ratio rows with a positive pivot, and zero-rhs rows with a negative one.
    pub fn feasible_pivot_rows(&self, col: usize) -> Vec<usize> {
        let mut best: Vec<usize> = Vec::new();
        let mut out = Vec::new();
        for r in 0..self.rows {
            let p = self.at(r, col);
            if p.is_positive() {
                match best.first() {
                    None => best.push(r),
                    Some(&b) => {
                        // rhs_r / p  vs  rhs_b / p_b
                        let lhs = self.rhs(r) * self.at(b, col);
                        let rhs = self.rhs(b) * p;
                        if lhs < rhs {
                            best.clear();
                            best.push(r);
                        } else if lhs == rhs {
                            best.push(r);
                        }
                    }
                }
            } else if p.is_negative() && self.rhs(r).is_zero() {
                out.push(r);
            }
        }
        out.extend(best);
        out
    }

    /// The lexicographic min-ratio row for entering `col` (unique; `None` if unbounded).
    /// Ties in `rhs / a` are broken by the slack columns (the basis inverse), which
    /// prevents cycling in degenerate problems.
    pub fn lexicographic_row(&self, col: usize) -> Option<usize> {
        let w = self.width();
        let keys: Vec<usize> = std::iter::once(w - 1).chain(self.dim..self.dim + self.rows).collect();
        let mut best: Option<usize> = None;
        for r in 0..self.rows {
            if !self.at(r, col).is_positive() {
                continue;
            }
            best = Some(match best {
                None => r,
                Some(b) => {
                    let mut choice = b;
                    for &k in &keys {
                        let lhs = self.at(r, k) * self.at(b, col);
                        let rhs = self.at(b, k) * self.at(r, col);
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
        best
    }
}

/// Clear denominators and shift so every entry is a positive integer
/// (a positive affine map of the payoffs, which leaves equilibria unchanged).
pub(crate) fn positive_integer_matrix(m: &[Vec<Rational>]) -> Vec<Vec<BigInt>> {
    use num_integer::Integer;
    let lcm = m.iter().flatten().fold(BigInt::one(), |acc, x| acc.lcm(x.denom()));
    let ints: Vec<Vec<BigInt>> = m
        .iter()
        .map(|row| {
            row.iter()
                .map(|x| (x * Rational::from_integer(lcm.clone())).to_integer())
                .collect()
        })
        .collect();
    let min = ints.iter().flatten().min().cloned().unwrap_or_else(BigInt::zero);
    let shift = BigInt::one() - min;
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

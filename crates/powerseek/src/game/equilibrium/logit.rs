//! A mixed Nash equilibrium of any finite game by following the principal
//! branch of the logit quantal-response equilibria (McKelvey & Palfrey) from
//! the centroid at `λ = 0` towards `λ → ∞`, then polishing with Newton's
//! method on the equilibrium's support. Floating point; the result carries its
//! maximum regret, recomputed exactly from the rationalised profile, as a
//! certificate.
//!
//! The branch is traced in `(w, λ)` with `w = log σ`, by arc-length
//! continuation (tangent predictor, Newton corrector with step control), so it
//! follows the curve through turning points in `λ`. Payoffs are first scaled
//! per player to `[0, 1]`, which changes the path but not the equilibria.

use num_traits::Zero;

use super::Equilibrium;
use crate::error::{Error, Result};
use crate::game::{NormalFormGame, Rational, Scalar};

/// Options for [`logit_equilibrium`].
#[derive(Clone, Copy, Debug)]
pub struct LogitOptions {
    /// Stop following the branch at this `λ` (payoffs scaled to [0, 1]).
    pub max_lambda: f64,
    /// Most continuation steps; when reached, the profile at the last `λ` is
    /// polished and certified as it is (its regret says how good it is).
    pub max_steps: usize,
    /// Regret below which a polished profile is accepted.
    pub tolerance: f64,
}

impl Default for LogitOptions {
    fn default() -> Self {
        LogitOptions {
            max_lambda: 1e7,
            max_steps: 100_000,
            tolerance: 1e-10,
        }
    }
}

/// What [`logit_equilibrium`] found.
#[derive(Clone, Debug)]
pub struct LogitResult {
    /// The profile, in floating point.
    pub profile: Vec<Vec<f64>>,
    /// The same profile as exact rationals (each strategy summing to exactly 1).
    pub exact: Equilibrium,
    /// Maximum regret of `exact`, computed exactly.
    pub max_regret: Rational,
    /// `λ` reached on the branch (payoffs scaled to [0, 1]).
    pub lambda: f64,
    /// Number of continuation steps taken (at most [`LogitOptions::max_steps`]).
    pub steps: usize,
    /// Whether support polishing converged.
    pub polished: bool,
}

/// Payoffs scaled per player to [0, 1], as f64, in the game's layout.
pub(crate) fn scaled_payoffs(game: &NormalFormGame) -> Vec<f64> {
    let n = game.n_players();
    let raw: Vec<f64> = game.payoffs().iter().map(f64::from_rational).collect();
    let mut out = raw.clone();
    for i in 0..n {
        let vals = raw.iter().skip(i).step_by(n);
        let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let span = if hi > lo { hi - lo } else { 1.0 };
        for k in (i..out.len()).step_by(n) {
            out[k] = (raw[k] - lo) / span;
        }
    }
    out
}

/// `v[i][a]` = u_i(a, σ_{−i}) and `d[i][a][j][b]` = u_i(a, b, σ_{−i−j}) (j ≠ i).
struct Derivatives {
    values: Vec<Vec<f64>>,
    cross: Vec<Vec<Vec<Vec<f64>>>>,
}

fn derivatives(game: &NormalFormGame, payoffs: &[f64], sigma: &[Vec<f64>]) -> Derivatives {
    let n = game.n_players();
    let shape = game.shape();
    let mut values: Vec<Vec<f64>> = shape.iter().map(|&k| vec![0.0; k]).collect();
    let mut cross: Vec<Vec<Vec<Vec<f64>>>> = (0..n)
        .map(|i| {
            (0..shape[i])
                .map(|_| shape.iter().map(|&k| vec![0.0; k]).collect())
                .collect()
        })
        .collect();
    let mut pure = vec![0usize; n];
    for idx in 0..game.n_profiles() {
        for i in 0..n {
            let u = payoffs[idx * n + i];
            if u == 0.0 {
                continue;
            }
            let others: f64 = (0..n).filter(|&k| k != i).map(|k| sigma[k][pure[k]]).product();
            values[i][pure[i]] += others * u;
            for j in 0..n {
                if j != i {
                    let w: f64 = (0..n)
                        .filter(|&k| k != i && k != j)
                        .map(|k| sigma[k][pure[k]])
                        .product();
                    cross[i][pure[i]][j][pure[j]] += w * u;
                }
            }
        }
        for q in 0..n {
            pure[q] += 1;
            if pure[q] < shape[q] {
                break;
            }
            pure[q] = 0;
        }
    }
    Derivatives { values, cross }
}

/// Solve the square system `a x = b` (row-major, partial pivoting); `None` if singular.
fn solve(mut a: Vec<f64>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for c in 0..n {
        let p = (c..n).max_by(|&x, &y| a[x * n + c].abs().total_cmp(&a[y * n + c].abs()))?;
        if a[p * n + c].abs() < 1e-300 {
            return None;
        }
        if p != c {
            for k in 0..n {
                a.swap(c * n + k, p * n + k);
            }
            b.swap(c, p);
        }
        for r in c + 1..n {
            let f = a[r * n + c] / a[c * n + c];
            if f != 0.0 {
                for k in c..n {
                    a[r * n + k] -= f * a[c * n + k];
                }
                b[r] -= f * b[c];
            }
        }
    }
    for c in (0..n).rev() {
        let s: f64 = (c + 1..n).map(|k| a[c * n + k] * b[k]).sum();
        b[c] = (b[c] - s) / a[c * n + c];
    }
    b.iter().all(|x| x.is_finite()).then_some(b)
}

/// The branch's equations `H(w, λ)` and Jacobian (N rows × N+1 columns).
fn system(game: &NormalFormGame, payoffs: &[f64], x: &[f64], offsets: &[usize]) -> (Vec<f64>, Vec<f64>) {
    let n = game.n_players();
    let total = *offsets.last().unwrap_or(&0);
    let lambda = x[total];
    let sigma: Vec<Vec<f64>> = (0..n)
        .map(|i| x[offsets[i]..offsets[i + 1]].iter().map(|w| w.exp()).collect())
        .collect();
    let d = derivatives(game, payoffs, &sigma);
    let cols = total + 1;
    let mut h = vec![0.0; total];
    let mut jac = vec![0.0; total * cols];
    for i in 0..n {
        let base = offsets[i];
        // Row `base`: Σ_a σ_ia − 1.
        h[base] = sigma[i].iter().sum::<f64>() - 1.0;
        for a in 0..sigma[i].len() {
            jac[base * cols + base + a] = sigma[i][a];
        }
        // Rows `base + a`: w_ia − w_i0 − λ (v_ia − v_i0).
        for a in 1..sigma[i].len() {
            let r = base + a;
            let gap = d.values[i][a] - d.values[i][0];
            h[r] = x[base + a] - x[base] - lambda * gap;
            jac[r * cols + base + a] = 1.0;
            jac[r * cols + base] = -1.0;
            for j in 0..n {
                if j == i {
                    continue;
                }
                for b in 0..sigma[j].len() {
                    let dv = d.cross[i][a][j][b] - d.cross[i][0][j][b];
                    jac[r * cols + offsets[j] + b] = -lambda * dv * sigma[j][b];
                }
            }
            jac[r * cols + total] = -gap;
        }
    }
    (h, jac)
}

fn norm(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

/// Unit tangent of the curve `H = 0` at `x`, oriented along `previous`.
fn tangent(jac: &[f64], rows: usize, previous: &[f64]) -> Option<Vec<f64>> {
    let cols = rows + 1;
    let mut a = jac.to_vec();
    a.extend_from_slice(previous);
    let mut b = vec![0.0; cols];
    b[rows] = 1.0;
    let t = solve(a, b)?;
    let len = norm(&t);
    let t: Vec<f64> = t.iter().map(|x| x / len).collect();
    let dot: f64 = t.iter().zip(previous).map(|(a, b)| a * b).sum();
    Some(if dot < 0.0 { t.iter().map(|x| -x).collect() } else { t })
}

/// Follow the logit branch and return an approximate Nash equilibrium with its certificate.
pub fn logit_equilibrium(game: &NormalFormGame, opts: &LogitOptions) -> Result<LogitResult> {
    logit_equilibrium_with(game, opts, &crate::progress::NoProgress)
}

/// [`logit_equilibrium`], polling `progress` every path step and stopping
/// with [`Error::Cancelled`] when it asks.
pub fn logit_equilibrium_with(
    game: &NormalFormGame,
    opts: &LogitOptions,
    progress: &dyn crate::progress::Progress,
) -> Result<LogitResult> {
    let n = game.n_players();
    let payoffs = scaled_payoffs(game);
    let mut offsets = vec![0];
    for i in 0..n {
        offsets.push(offsets[i] + game.n_actions(i));
    }
    let total = offsets[n];
    let mut x: Vec<f64> = (0..n)
        .flat_map(|i| vec![-(game.n_actions(i) as f64).ln(); game.n_actions(i)])
        .collect();
    x.push(0.0);
    let mut t = vec![0.0; total + 1];
    t[total] = 1.0;
    let mut h = 0.03;
    let mut steps = 0;
    while x[total] < opts.max_lambda && steps < opts.max_steps {
        crate::progress::check(progress)?;
        steps += 1;
        let (_, jac) = system(game, &payoffs, &x, &offsets);
        let Some(tan) = tangent(&jac, total, &t) else { break };
        // Predictor, then Newton back onto the curve in the hyperplane ⊥ tangent.
        let mut accepted = None;
        for _ in 0..30 {
            let pred: Vec<f64> = x.iter().zip(&tan).map(|(a, b)| a + h * b).collect();
            let mut y = pred.clone();
            let mut ok = false;
            for _ in 0..8 {
                let (hv, jac) = system(game, &payoffs, &y, &offsets);
                let mut a = jac;
                a.extend_from_slice(&tan);
                let mut rhs: Vec<f64> = hv.iter().map(|v| -v).collect();
                rhs.push(
                    -tan.iter()
                        .zip(y.iter().zip(&pred))
                        .map(|(t, (y, p))| t * (y - p))
                        .sum::<f64>(),
                );
                let Some(dy) = solve(a, rhs) else { break };
                y.iter_mut().zip(&dy).for_each(|(y, d)| *y += d);
                if norm(&dy) < 1e-10 * (1.0 + norm(&y)) {
                    ok = norm(&system(game, &payoffs, &y, &offsets).0) < 1e-8;
                    break;
                }
            }
            if ok && y[..total].iter().all(|v| v.is_finite() && *v <= 1e-9) {
                accepted = Some(y);
                break;
            }
            h *= 0.5;
            if h < 1e-12 {
                break;
            }
        }
        let Some(y) = accepted else { break };
        x = y;
        t = tan;
        h = (h * 1.6).min(0.5 * (1.0 + x[total]));
    }
    let lambda = x[total];
    let mut profile: Vec<Vec<f64>> = (0..n)
        .map(|i| x[offsets[i]..offsets[i + 1]].iter().map(|w| w.exp()).collect())
        .collect();
    let polished = polish(game, &payoffs, &mut profile, opts.tolerance);
    let exact = rationalise(game, &profile);
    let max_regret = exact.max_regret(game);
    if !profile.iter().flatten().all(|p| p.is_finite()) {
        return Err(Error::invalid("logit path following failed (non-finite probabilities)"));
    }
    Ok(LogitResult {
        profile,
        exact,
        max_regret,
        lambda,
        steps,
        polished,
    })
}

/// Newton's method on the Nash conditions restricted to the apparent support.
pub(crate) fn polish(game: &NormalFormGame, payoffs: &[f64], profile: &mut [Vec<f64>], tolerance: f64) -> bool {
    let n = game.n_players();
    for threshold in [1e-6, 1e-4, 1e-3] {
        let support: Vec<Vec<usize>> = profile
            .iter()
            .map(|s| (0..s.len()).filter(|&a| s[a] > threshold).collect::<Vec<_>>())
            .collect();
        if support.iter().any(Vec::is_empty) {
            continue;
        }
        let mut sigma: Vec<Vec<f64>> = profile
            .iter()
            .zip(&support)
            .map(|(s, sup)| {
                let total: f64 = sup.iter().map(|&a| s[a]).sum();
                (0..s.len())
                    .map(|a| if sup.contains(&a) { s[a] / total } else { 0.0 })
                    .collect()
            })
            .collect();
        let mut offsets = vec![0];
        for i in 0..n {
            offsets.push(offsets[i] + support[i].len());
        }
        let m = offsets[n];
        let mut converged = false;
        for _ in 0..50 {
            let d = derivatives(game, payoffs, &sigma);
            let mut h = vec![0.0; m];
            let mut jac = vec![0.0; m * m];
            for i in 0..n {
                let base = offsets[i];
                h[base] = support[i].iter().map(|&a| sigma[i][a]).sum::<f64>() - 1.0;
                for k in 0..support[i].len() {
                    jac[base * m + base + k] = 1.0;
                }
                let a0 = support[i][0];
                for (k, &a) in support[i].iter().enumerate().skip(1) {
                    let r = base + k;
                    h[r] = d.values[i][a] - d.values[i][a0];
                    for j in 0..n {
                        if j == i {
                            continue;
                        }
                        for (l, &b) in support[j].iter().enumerate() {
                            jac[r * m + offsets[j] + l] = d.cross[i][a][j][b] - d.cross[i][a0][j][b];
                        }
                    }
                }
            }
            if norm(&h) < 1e-14 {
                converged = true;
                break;
            }
            let Some(step) = solve(jac, h.iter().map(|v| -v).collect()) else {
                break;
            };
            for i in 0..n {
                for (k, &a) in support[i].iter().enumerate() {
                    sigma[i][a] += step[offsets[i] + k];
                }
            }
        }
        if !converged || sigma.iter().flatten().any(|&p| p < -1e-12) {
            continue;
        }
        for s in sigma.iter_mut() {
            s.iter_mut().for_each(|p| *p = p.max(0.0));
        }
        let regret = game.regret(&sigma).into_iter().fold(0.0, f64::max);
        let scale = game
            .payoffs()
            .iter()
            .map(|p| f64::from_rational(p).abs())
            .fold(1.0, f64::max);
        if regret <= tolerance * scale {
            profile.iter_mut().zip(sigma).for_each(|(p, s)| *p = s);
            return true;
        }
    }
    false
}

/// The profile as exact rationals, each strategy renormalised to sum to exactly 1.
pub(crate) fn rationalise(game: &NormalFormGame, profile: &[Vec<f64>]) -> Equilibrium {
    let strategies: Vec<Vec<Rational>> = profile
        .iter()
        .map(|s| {
            let r: Vec<Rational> = s
                .iter()
                .map(|&p| Rational::from_float(p.max(0.0)).unwrap_or_else(Rational::zero))
                .collect();
            let total = r.iter().fold(Rational::zero(), |a, b| a + b);
            r.into_iter().map(|p| p / &total).collect()
        })
        .collect();
    let payoffs = game.expected_payoffs(&strategies);
    Equilibrium { strategies, payoffs }
}

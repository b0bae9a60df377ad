//! Observation-based policies of a POMDP and their outcomes (docs/theory.md §12.5).
//!
//! A policy tree of depth `H` picks a first action and, for each
//! observation, a policy tree of depth `H − 1`. Its *outcome* from the start
//! belief is its expected discounted state occupancy
//! `f(s') = Σ_{u<H} γ^u P(s_{u+1} = s')`, so that its value under state
//! rewards `R` is `R · f`: the POMDP analogue of a visit distribution (§6.6),
//! for the retargetability of first actions. Memoryless policies (a first
//! action, then a map observation → action) have the infinite-horizon
//! version of the same outcome ([`pomdp_memoryless_outcomes`]).

use std::collections::HashSet;

use super::Pomdp;
use crate::error::{Error, Result};

/// Per-state outcome vectors of every policy tree of depth `horizon`, as
/// `(occupancy from state s, first action)`: `occ[s]` is the vector
/// `f_s(s') = Σ_{u<H} γ^u P(s_{u+1} = s' | s_0 = s)`. Distinct trees with equal
/// vectors at every state are kept once.
fn trees(m: &Pomdp, horizon: usize, gamma: f64, limit: usize) -> Result<Vec<(Vec<Vec<f64>>, usize)>> {
    let (n, na, k) = (m.n_states(), m.n_actions(), m.n_observations());
    if horizon == 0 {
        return Ok(vec![(vec![vec![0.0; n]; n], 0)]);
    }
    let sub = trees(m, horizon - 1, gamma, limit)?;
    let count = (na as f64) * (sub.len() as f64).powi(k as i32);
    if count > limit as f64 {
        return Err(Error::invalid(format!(
            "about {count:.3e} observation-based policy trees of depth {horizon} (more than {limit}); \
             ask for a shorter horizon"
        )));
    }
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for a in 0..na {
        let mut pick = vec![0usize; k];
        loop {
            // occ[s][x] = Σ_{s'} T(s'|s,a) ([s' = x] + γ Σ_o O(o|s',a) sub_o.occ[s'][x])
            let occ: Vec<Vec<f64>> = (0..n)
                .map(|s| {
                    let mut f = vec![0.0; n];
                    for (t, &p) in m.transition_row(a, s).iter().enumerate() {
                        if p == 0.0 {
                            continue;
                        }
                        f[t] += p;
                        for (o, &q) in m.observation_row(a, t).iter().enumerate() {
                            if q != 0.0 {
                                for (x, &v) in f.iter_mut().zip(&sub[pick[o]].0[t]) {
                                    *x += p * gamma * q * v;
                                }
                            }
                        }
                    }
                    f
                })
                .collect();
            let key = crate::mdp::outcome_key(occ.iter().flatten(), a);
            if seen.insert(key) {
                out.push((occ, a));
            }
            let mut i = 0;
            while i < k && pick[i] + 1 == sub.len() {
                pick[i] = 0;
                i += 1;
            }
            if i == k {
                break;
            }
            pick[i] += 1;
        }
    }
    Ok(out)
}

/// The outcomes of every observation-based policy tree of depth `horizon`
/// from the POMDP's start belief `b`, `f = Σ_s b(s) f_s`, each with its first
/// action (an index into [`Pomdp::action_names`]); equal (vector, first
/// action) pairs are kept once. Refused when more than `limit` trees would
/// have to be built at some depth.
pub fn pomdp_outcomes(m: &Pomdp, horizon: usize, gamma: f64, limit: usize) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    if horizon == 0 {
        return Err(Error::invalid("horizon: must be at least 1 step"));
    }
    if !(gamma > 0.0 && gamma <= 1.0) {
        return Err(Error::invalid(format!("gamma = {gamma}: must be in (0, 1]")));
    }
    let b = m.start_belief();
    let n = m.n_states();
    let mut seen = HashSet::new();
    let mut vectors = Vec::new();
    let mut first = Vec::new();
    for (occ, a) in trees(m, horizon, gamma, limit)? {
        let f: Vec<f64> = (0..n).map(|x| (0..n).map(|s| b[s] * occ[s][x]).sum()).collect();
        let key = crate::mdp::outcome_key(&f, a);
        if seen.insert(key) {
            vectors.push(f);
            first.push(a);
        }
    }
    Ok((vectors, first))
}

/// The outcomes of every deterministic memoryless observation-based policy
/// from the POMDP's start belief, each with its first action: the first
/// action `a₀` is chosen freely (there is no observation yet) and every later
/// action is `π(o_t)`, a function of the latest observation only. The outcome
/// is the discounted occupancy `f(s') = Σ_{u≥0} γ^u P(s_{u+1} = s')`, the
/// infinite-horizon limit of [`pomdp_outcomes`]' normalisation (it sums to
/// `1/(1−γ)`). Since `(s_t, o_t)` is a Markov chain under `π`, `f` solves one
/// dense linear system of `|S|·|O|` unknowns per `π`. Needs `γ < 1`; refused
/// when there are more than `limit` policies `π` (`|A|^|O|`). Equal (vector,
/// first action) pairs are kept once.
pub fn pomdp_memoryless_outcomes(m: &Pomdp, gamma: f64, limit: usize) -> Result<(Vec<Vec<f64>>, Vec<usize>)> {
    if !(gamma > 0.0 && gamma < 1.0) {
        return Err(Error::invalid(format!(
            "gamma = {gamma}: memoryless policies need a discount in (0, 1)"
        )));
    }
    let (n, na, k) = (m.n_states(), m.n_actions(), m.n_observations());
    let count = (na as f64).powi(k as i32);
    if count > limit as f64 {
        return Err(Error::invalid(format!(
            "{count:.3e} memoryless policies ({na} actions ^ {k} observations, more than {limit}); \
             use policy trees of a short horizon instead"
        )));
    }
    let dim = n * k;
    let b = m.start_belief();
    // μ_a(s', o) = P(s_1 = s', o_1 = o | a₀ = a), one right-hand side per first action.
    let starts: Vec<Vec<f64>> = (0..na)
        .map(|a| {
            let next = m.predict(b, a);
            let mut mu = vec![0.0; dim];
            for (t, &p) in next.iter().enumerate() {
                for (o, &q) in m.observation_row(a, t).iter().enumerate() {
                    mu[t * k + o] = p * q;
                }
            }
            mu
        })
        .collect();
    let mut seen = HashSet::new();
    let mut vectors = Vec::new();
    let mut first = Vec::new();
    let mut pi = vec![0usize; k];
    loop {
        // y (I − γP) = μ with P[(s,o) → (s',o')] = T(s'|s,π(o)) O(o'|s',π(o)):
        // solve the transposed system (I − γP)ᵀ yᵀ = μᵀ for every first action.
        let mut lhs = vec![0.0; dim * dim];
        for i in 0..dim {
            lhs[i * dim + i] = 1.0;
        }
        for s in 0..n {
            for (o, &a) in pi.iter().enumerate() {
                let from = s * k + o;
                for (t, &p) in m.transition_row(a, s).iter().enumerate() {
                    if p == 0.0 {
                        continue;
                    }
                    for (o2, &q) in m.observation_row(a, t).iter().enumerate() {
                        // Row `to`, column `from` of the transpose.
                        lhs[(t * k + o2) * dim + from] -= gamma * p * q;
                    }
                }
            }
        }
        let ys = solve_dense(lhs, starts.clone(), dim);
        for (a, y) in ys.iter().enumerate() {
            let f: Vec<f64> = (0..n).map(|t| y[t * k..(t + 1) * k].iter().sum()).collect();
            let key = crate::mdp::outcome_key(&f, a);
            if seen.insert(key) {
                vectors.push(f);
                first.push(a);
            }
        }
        let mut i = 0;
        while i < k && pi[i] + 1 == na {
            pi[i] = 0;
            i += 1;
        }
        if i == k {
            break;
        }
        pi[i] += 1;
    }
    Ok((vectors, first))
}

/// Solve `A x = r` for each right-hand side `r` by Gaussian elimination with
/// partial pivoting; `a` is row-major `dim × dim` and nonsingular (here
/// `I − γPᵀ` with `γ < 1`, strictly diagonally dominant by columns).
fn solve_dense(mut a: Vec<f64>, mut rhs: Vec<Vec<f64>>, dim: usize) -> Vec<Vec<f64>> {
    for c in 0..dim {
        let p = (c..dim)
            .max_by(|&i, &j| a[i * dim + c].abs().total_cmp(&a[j * dim + c].abs()))
            .expect("non-empty");
        if p != c {
            for j in 0..dim {
                a.swap(c * dim + j, p * dim + j);
            }
            for r in &mut rhs {
                r.swap(c, p);
            }
        }
        let d = a[c * dim + c];
        for i in c + 1..dim {
            let f = a[i * dim + c] / d;
            if f == 0.0 {
                continue;
            }
            for j in c..dim {
                a[i * dim + j] -= f * a[c * dim + j];
            }
            for r in &mut rhs {
                r[i] -= f * r[c];
            }
        }
    }
    for r in &mut rhs {
        for c in (0..dim).rev() {
            let s: f64 = (c + 1..dim).map(|j| a[c * dim + j] * r[j]).sum();
            r[c] = (r[c] - s) / a[c * dim + c];
        }
    }
    rhs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mdp::pomdp::solve::{finite_values, BeliefTree};
    use crate::progress::NoProgress;

    const TIGER: &str = "states: l r\nactions: listen open\nobservations: l r\nstart: uniform\n\
        T: listen identity\nT: open uniform\nO: listen\n0.85 0.15\n0.15 0.85\nO: open uniform\n";

    #[test]
    fn best_outcome_is_the_optimal_value() {
        let m = Pomdp::parse(TIGER, "t.pomdp").unwrap();
        for h in 1..=3 {
            let (outcomes, first) = pomdp_outcomes(&m, h, 0.9, 1_000_000).unwrap();
            assert!(first.contains(&0) && first.contains(&1));
            let tree = BeliefTree::build(&m, m.start_belief(), h - 1, 10_000, false, &NoProgress).unwrap();
            for r in [[0.2, 0.7], [1.0, 0.0], [0.4, 0.4]] {
                let q = finite_values(&tree, &r, 0.9);
                for a in 0..2 {
                    let best = outcomes
                        .iter()
                        .zip(&first)
                        .filter(|(_, &f)| f == a)
                        .map(|(o, _)| o[0] * r[0] + o[1] * r[1])
                        .fold(f64::NEG_INFINITY, f64::max);
                    assert!((best - q[a]).abs() < 1e-12, "h {h}, a {a}: {best} vs {}", q[a]);
                }
            }
            // Each outcome is a discounted occupancy: it sums to Σ_{u<H} γ^u.
            let total: f64 = (0..h).map(|u| 0.9f64.powi(u as i32)).sum();
            assert!(outcomes.iter().all(|o| (o.iter().sum::<f64>() - total).abs() < 1e-12));
        }
        let e = pomdp_outcomes(&m, 4, 0.9, 1000).unwrap_err().to_string();
        assert!(e.contains("policy trees of depth"), "{e}");
    }
}

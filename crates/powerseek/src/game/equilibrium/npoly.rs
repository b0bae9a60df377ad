//! All Nash equilibria of small n-player games by **support enumeration with
//! polynomial solving** (the approach of Gambit's `enumpoly`, in our own code).
//!
//! For every support profile `S = (S_1, …, S_n)` (each a nonempty set of
//! actions), an equilibrium with exactly that support makes each player
//! indifferent among its support actions. With player `j`'s probabilities
//! `p_j(b)` for `b ∈ S_j` (the first action's probability `1 − Σ` the
//! others'), those are `Σ_j (|S_j| − 1)` **multilinear** equations
//! `Σ_{s ∈ S_{−i}} (u_i(a, s) − u_i(a₀, s)) Π_{j≠i} p_j(s_j) = 0` in as many
//! unknowns. A support action strictly worse than another action against
//! every pure profile of the other supports cannot be a best response, so
//! such supports are skipped at once.
//!
//! The roots in the probability box are found by **interval subdivision with
//! the Krawczyk test**: a box whose interval evaluation excludes 0, or whose
//! Krawczyk image misses it, holds no root; one whose image lies inside it
//! holds exactly one, reached by Newton's method from its centre; the others
//! are bisected; a box in which some action outside a support does strictly
//! better than the support throughout is dropped (no equilibrium there).
//! Boxes narrower than `1e-6` that remain try Newton directly; below `1e-9`
//! they are undecided: a singular root (where the Jacobian is singular, e.g.
//! the end of a segment of equilibria leaving the support) or a point of a
//! continuum. An undecided box whose centre is, to denominators of 10⁶, a
//! rational that satisfies the system exactly yields that root; the support
//! is complete only when every undecided box lies within `10⁻⁶` of such a
//! root (and the box budget did not run out), otherwise unresolved — with
//! the roots found so far still reported.
//! The floating-point stage only *finds*; what is reported is decided exactly:
//!
//! * each root is polished by Newton's method and then recognised as a
//!   rational (continued fractions, denominators up to 10⁶); if the rational
//!   profile satisfies every equation exactly, it is an **exact** root;
//! * otherwise (irrational roots) two Newton steps in exact rational
//!   arithmetic from the floating-point root (each rounded to `2⁻²⁰⁰`), then a
//!   rounding to `2⁻⁸⁰`, give a profile within about `10⁻²⁴` of the root;
//! * every profile must have all support probabilities positive (a zero
//!   belongs to a smaller support, found there) and an **exact max regret**
//!   of at most `10⁻¹²` (recomputed from the game in rational arithmetic:
//!   0 for exact roots, the certificate for irrational ones).
//!
//! A support whose solutions are not isolated (a continuum of equilibria, or
//! an irrational singular root) exhausts the subdivision's budget or its
//! smallest width; it is counted in [`PolyResult::unresolved`] and some of
//! its equilibria may be missing (rational points of a continuum that the
//! search met can be reported), which the method's note says. Completeness otherwise rests on the
//! floating-point interval arithmetic (rounded outward by one ulp per
//! operation), not on a proof; soundness of what is reported rests on the
//! exact regret only.
//!
//! **Size limit**: at most [`PolyOptions::max_supports`] support profiles
//! (`Π (2^{m_i} − 1)`, default 65 536, e.g. 5×4×3 has 3 255, 4×4×4 3 375,
//! 2×2×2×2×2×2 729); larger games are refused with the count, before any work.

use num_bigint::BigInt;
use num_traits::{One, Signed, ToPrimitive, Zero};

use super::Equilibrium;
use crate::error::{Error, Result};
use crate::game::{NormalFormGame, Rational};
use crate::progress::Progress;

/// Options of [`all_equilibria`].
#[derive(Clone, Debug)]
pub struct PolyOptions {
    /// Most support profiles the game may have (default 65 536).
    pub max_supports: u64,
    /// Most boxes the subdivision examines for one support (default 20 000);
    /// a support that needs more is reported unresolved.
    pub max_boxes: usize,
}

impl Default for PolyOptions {
    fn default() -> Self {
        PolyOptions {
            max_supports: 1 << 16,
            max_boxes: 20_000,
        }
    }
}

/// What [`all_equilibria`] found.
#[derive(Clone, Debug)]
pub struct PolyResult {
    /// Every equilibrium found, in the order of their supports.
    pub equilibria: Vec<Equilibrium>,
    /// `exact[k]`: equilibrium `k` is an exact root (regret exactly 0); the
    /// others are rational roundings of irrational roots (regret ≤ 10⁻¹²).
    pub exact: Vec<bool>,
    /// Support profiles in the game.
    pub supports: u64,
    /// Support profiles skipped because a support action is conditionally dominated.
    pub pruned: u64,
    /// Support profiles whose solutions were not isolated (continua or
    /// singular roots): their equilibria may be missing. Each lists the
    /// support of every player.
    pub unresolved: Vec<Vec<Vec<usize>>>,
}

/// Largest max regret an irrational root's rounded profile may have.
pub fn regret_bound() -> Rational {
    Rational::new(BigInt::one(), BigInt::from(10u64).pow(12))
}

/// The number of support profiles of a game with these action counts,
/// saturating at `u64::MAX`.
pub fn support_profiles(shape: &[usize]) -> u64 {
    shape.iter().fold(1u64, |acc, &m| {
        let per = if m >= 64 { u64::MAX } else { (1u64 << m) - 1 };
        acc.saturating_mul(per)
    })
}

/// Refuse a game with more support profiles than the options allow.
pub fn check_size(game: &NormalFormGame, opts: &PolyOptions) -> Result<()> {
    let count = support_profiles(&game.shape());
    if count > opts.max_supports {
        return Err(Error::invalid(format!(
            "the poly method enumerates every support profile: this {} game has {} (Π (2^m − 1)), above the limit of {}; use logit for one equilibrium, or pure-logit",
            game.shape().iter().map(|m| m.to_string()).collect::<Vec<_>>().join("×"),
            if count == u64::MAX { "more than 1.8e19".to_string() } else { count.to_string() },
            opts.max_supports
        )));
    }
    Ok(())
}

/// Every isolated Nash equilibrium of `game` (any number of players), each
/// once, by support enumeration and polynomial solving (module docs).
/// Reports the support profiles done to `progress` and stops with
/// [`Error::Cancelled`] when it asks.
pub fn all_equilibria(game: &NormalFormGame, opts: &PolyOptions, progress: &dyn Progress) -> Result<PolyResult> {
    check_size(game, opts)?;
    let shape = game.shape();
    let n = shape.len();
    let supports = support_profiles(&shape);
    progress.set_total(supports);
    let mut out = PolyResult {
        equilibria: vec![],
        exact: vec![],
        supports,
        pruned: 0,
        unresolved: vec![],
    };
    // Each player's support as a bit mask, player 0 fastest.
    let mut masks = vec![1u64; n];
    loop {
        crate::progress::check(progress)?;
        let support: Vec<Vec<usize>> = (0..n)
            .map(|i| (0..shape[i]).filter(|a| masks[i] >> a & 1 == 1).collect())
            .collect();
        if dominated(game, &support) {
            out.pruned += 1;
        } else {
            solve_support(game, &support, opts, &mut out);
        }
        progress.advance(1);
        let mut i = 0;
        loop {
            if i == n {
                return Ok(out);
            }
            masks[i] += 1;
            if masks[i] < (1u64 << shape[i]) {
                break;
            }
            masks[i] = 1;
            i += 1;
        }
    }
}

/// Pure profiles of the players other than `i` within their supports, as
/// full action profiles with player `i` at `a`, in mixed-radix order (the
/// first other player fastest).
fn for_each_other(support: &[Vec<usize>], i: usize, mut f: impl FnMut(&[usize], &[usize])) {
    let n = support.len();
    let mut digits = vec![0usize; n];
    let mut actions: Vec<usize> = (0..n).map(|j| support[j][0]).collect();
    loop {
        f(&actions, &digits);
        let mut j = 0;
        loop {
            if j == n {
                return;
            }
            if j != i {
                digits[j] += 1;
                if digits[j] < support[j].len() {
                    actions[j] = support[j][digits[j]];
                    break;
                }
                digits[j] = 0;
                actions[j] = support[j][0];
            }
            j += 1;
        }
    }
}

/// Some support action of some player is strictly worse than another of its
/// actions against every pure profile of the others' supports.
fn dominated(game: &NormalFormGame, support: &[Vec<usize>]) -> bool {
    for i in 0..support.len() {
        for &a in &support[i] {
            for b in 0..game.n_actions(i) {
                if b == a {
                    continue;
                }
                let mut always_worse = true;
                for_each_other(support, i, |actions, _| {
                    if always_worse {
                        let mut p = actions.to_vec();
                        p[i] = a;
                        let ua = game.payoff(game.profile_index(&p), i);
                        p[i] = b;
                        let ub = game.payoff(game.profile_index(&p), i);
                        always_worse = ua < ub;
                    }
                });
                if always_worse {
                    return true;
                }
            }
        }
    }
    false
}

// ---------------------------------------------------------------------------
// The indifference system of one support profile.

/// One equation: player `player`'s payoff from `action` minus that from its
/// first support action, as a tensor over the others' support actions.
struct Equation {
    player: usize,
    /// Coefficients in mixed-radix order over the others' supports (first fastest).
    exact: Vec<Rational>,
    float: Vec<f64>,
}

/// The square system: unknowns are, per player in order, the probabilities
/// of its support actions after the first.
struct System {
    sizes: Vec<usize>,
    offsets: Vec<usize>,
    dim: usize,
    equations: Vec<Equation>,
    /// For each action `b` outside a player's support, its payoff minus
    /// that of the first support action: must be ≤ 0 at an equilibrium.
    outside: Vec<Equation>,
}

/// Numbers the system is evaluated in: floats, intervals, rationals.
trait Ring: Clone {
    fn nil() -> Self;
    fn unit() -> Self;
    fn coefficient(eq: &Equation, k: usize) -> Self;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn mul(&self, o: &Self) -> Self;
}

impl Ring for f64 {
    fn nil() -> Self {
        0.0
    }
    fn unit() -> Self {
        1.0
    }
    fn coefficient(eq: &Equation, k: usize) -> Self {
        eq.float[k]
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
}

impl Ring for Rational {
    fn nil() -> Self {
        <Rational as Zero>::zero()
    }
    fn unit() -> Self {
        <Rational as One>::one()
    }
    fn coefficient(eq: &Equation, k: usize) -> Self {
        eq.exact[k].clone()
    }
    fn add(&self, o: &Self) -> Self {
        self + o
    }
    fn sub(&self, o: &Self) -> Self {
        self - o
    }
    fn mul(&self, o: &Self) -> Self {
        self * o
    }
}

/// A closed interval of floats, rounded outward by one ulp per operation.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Iv {
    lo: f64,
    hi: f64,
}

impl Iv {
    fn new(lo: f64, hi: f64) -> Iv {
        Iv { lo, hi }
    }
    fn point(x: f64) -> Iv {
        Iv { lo: x, hi: x }
    }
    fn out(lo: f64, hi: f64) -> Iv {
        Iv {
            lo: lo.next_down(),
            hi: hi.next_up(),
        }
    }
    fn contains_zero(&self) -> bool {
        self.lo <= 0.0 && self.hi >= 0.0
    }
    fn mid(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }
    fn width(&self) -> f64 {
        self.hi - self.lo
    }
    fn intersect(&self, o: &Iv) -> Option<Iv> {
        let (lo, hi) = (self.lo.max(o.lo), self.hi.min(o.hi));
        (lo <= hi).then_some(Iv { lo, hi })
    }
}

impl Ring for Iv {
    fn nil() -> Self {
        Iv::point(0.0)
    }
    fn unit() -> Self {
        Iv::point(1.0)
    }
    fn coefficient(eq: &Equation, k: usize) -> Self {
        Iv::point(eq.float[k])
    }
    fn add(&self, o: &Self) -> Self {
        Iv::out(self.lo + o.lo, self.hi + o.hi)
    }
    fn sub(&self, o: &Self) -> Self {
        Iv::out(self.lo - o.hi, self.hi - o.lo)
    }
    fn mul(&self, o: &Self) -> Self {
        let p = [self.lo * o.lo, self.lo * o.hi, self.hi * o.lo, self.hi * o.hi];
        let lo = p.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = p.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        Iv::out(lo, hi)
    }
}

impl System {
    fn new(game: &NormalFormGame, support: &[Vec<usize>]) -> System {
        let n = support.len();
        let sizes: Vec<usize> = support.iter().map(|s| s.len()).collect();
        let mut offsets = Vec::with_capacity(n);
        let mut dim = 0;
        for s in &sizes {
            offsets.push(dim);
            dim += s - 1;
        }
        let mut equations = Vec::with_capacity(dim);
        let mut outside = Vec::new();
        for i in 0..n {
            let others: Vec<usize> = (0..game.n_actions(i)).filter(|b| !support[i].contains(b)).collect();
            for (k, &a) in support[i][1..].iter().chain(&others).enumerate() {
                let mut exact = Vec::new();
                for_each_other(support, i, |actions, _| {
                    let mut p = actions.to_vec();
                    p[i] = a;
                    let ua = game.payoff(game.profile_index(&p), i).clone();
                    p[i] = support[i][0];
                    exact.push(ua - game.payoff(game.profile_index(&p), i));
                });
                let float = exact.iter().map(|q| q.to_f64().unwrap_or(f64::NAN)).collect();
                let eq = Equation {
                    player: i,
                    exact,
                    float,
                };
                if k + 1 < support[i].len() {
                    equations.push(eq);
                } else {
                    outside.push(eq);
                }
            }
        }
        System {
            sizes,
            offsets,
            dim,
            equations,
            outside,
        }
    }

    /// Every player's support probabilities from the unknowns `x`.
    fn probabilities<T: Ring>(&self, x: &[T]) -> Vec<Vec<T>> {
        (0..self.sizes.len())
            .map(|j| {
                let free = &x[self.offsets[j]..self.offsets[j] + self.sizes[j] - 1];
                let first = free.iter().fold(T::unit(), |acc, v| acc.sub(v));
                std::iter::once(first).chain(free.iter().cloned()).collect()
            })
            .collect()
    }

    /// `Σ_s coef[s] Π_{j ≠ player} probs[j][s_j]`, contracted one player
    /// at a time (the first other player's index runs fastest, so its
    /// terms are consecutive): about one multiplication per coefficient.
    fn contract<T: Ring>(&self, eq: &Equation, probs: &[Vec<T>]) -> T {
        let mut current: Vec<T> = (0..eq.float.len()).map(|k| T::coefficient(eq, k)).collect();
        for (j, p) in probs.iter().enumerate() {
            if j == eq.player {
                continue;
            }
            current = current
                .chunks(self.sizes[j])
                .map(|c| c.iter().zip(p).fold(T::nil(), |acc, (a, b)| acc.add(&a.mul(b))))
                .collect();
        }
        current.pop().unwrap_or_else(T::nil)
    }

    fn values<T: Ring>(&self, probs: &[Vec<T>]) -> Vec<T> {
        self.equations.iter().map(|eq| self.contract(eq, probs)).collect()
    }

    /// `jac[r][c]`: the derivative of equation `r` in unknown `c`.
    fn jacobian<T: Ring>(&self, probs: &[Vec<T>]) -> Vec<Vec<T>> {
        let mut jac = vec![vec![T::nil(); self.dim]; self.dim];
        for j in 0..self.sizes.len() {
            for b in 1..self.sizes[j] {
                // d p_j / d x_{j,b}: +1 at b, −1 at the first action.
                let mut unit = vec![T::nil(); self.sizes[j]];
                unit[0] = T::nil().sub(&T::unit());
                unit[b] = T::unit();
                let mut probs_d = probs.to_vec();
                probs_d[j] = unit;
                let c = self.offsets[j] + b - 1;
                for (r, eq) in self.equations.iter().enumerate() {
                    if eq.player != j {
                        jac[r][c] = self.contract(eq, &probs_d);
                    }
                }
            }
        }
        jac
    }

    /// Interval probabilities of a box, or `None` when some first action's
    /// probability `1 − Σ` would be negative throughout.
    fn box_probabilities(&self, x: &[Iv]) -> Option<Vec<Vec<Iv>>> {
        let mut probs = self.probabilities(x);
        for p in &mut probs {
            p[0] = p[0].intersect(&Iv::new(0.0, 1.0))?;
        }
        Some(probs)
    }
}

// ---------------------------------------------------------------------------
// Floating-point linear algebra and Newton's method.

/// `a⁻¹` by Gauss–Jordan with partial pivoting, or `None` when (nearly) singular.
fn inverse(a: &[Vec<f64>]) -> Option<Vec<Vec<f64>>> {
    let d = a.len();
    let scale = a.iter().flatten().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-300);
    let mut m: Vec<Vec<f64>> = a
        .iter()
        .enumerate()
        .map(|(r, row)| {
            let mut v = row.clone();
            v.extend((0..d).map(|c| if c == r { 1.0 } else { 0.0 }));
            v
        })
        .collect();
    for c in 0..d {
        let p = (c..d).max_by(|&x, &y| m[x][c].abs().total_cmp(&m[y][c].abs()))?;
        if m[p][c].abs() < 1e-12 * scale {
            return None;
        }
        m.swap(c, p);
        let pivot = m[c][c];
        for v in m[c].iter_mut() {
            *v /= pivot;
        }
        for r in 0..d {
            if r != c && m[r][c] != 0.0 {
                let f = m[r][c];
                let pivot_row = m[c].clone();
                for (v, q) in m[r].iter_mut().zip(&pivot_row) {
                    *v -= f * q;
                }
            }
        }
    }
    Some(m.into_iter().map(|row| row[d..].to_vec()).collect())
}

fn mat_vec(m: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    m.iter()
        .map(|row| row.iter().zip(v).map(|(a, b)| a * b).sum())
        .collect()
}

/// Newton's method from `x`: the root when it converges (residual below
/// `1e-13` relative to the coefficients), staying near the unit box.
fn newton(sys: &System, mut x: Vec<f64>) -> Option<Vec<f64>> {
    let scale = sys
        .equations
        .iter()
        .flat_map(|e| e.float.iter())
        .fold(1e-300f64, |m, c| m.max(c.abs()));
    for _ in 0..40 {
        let probs = sys.probabilities(&x);
        let f = sys.values(&probs);
        let residual = f.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        let y = inverse(&sys.jacobian(&probs))?;
        let step = mat_vec(&y, &f);
        for (xi, s) in x.iter_mut().zip(&step) {
            *xi -= s;
        }
        if x.iter().any(|v| !v.is_finite() || *v < -0.5 || *v > 1.5) {
            return None;
        }
        let size = step.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        if size < 1e-15 && residual < 1e-13 * scale {
            return Some(x);
        }
    }
    let f = sys.values(&sys.probabilities(&x));
    (f.iter().fold(0.0f64, |m, v| m.max(v.abs())) < 1e-12 * scale).then_some(x)
}

/// What the Krawczyk test says about a box.
enum Verdict {
    NoRoot,
    /// Exactly one root, inside the box.
    Unique,
    /// Undecided: the box (narrowed to its intersection with the image).
    Split(Vec<Iv>),
}

fn krawczyk(sys: &System, x: &[Iv], probs: &[Vec<Iv>]) -> Verdict {
    let d = sys.dim;
    let c: Vec<f64> = x.iter().map(Iv::mid).collect();
    let pc = sys.probabilities(&c);
    let fc = sys.values(&pc);
    let Some(y) = inverse(&sys.jacobian(&pc)) else {
        return Verdict::Split(x.to_vec());
    };
    let jx = sys.jacobian(probs);
    let yf = mat_vec(&y, &fc);
    let mut inside = true;
    let mut narrowed = Vec::with_capacity(d);
    for i in 0..d {
        let mut k = Iv::point(c[i] - yf[i]);
        for col in 0..d {
            // (I − Y·J(X))[i][col]
            let mut m = Iv::point(if i == col { 1.0 } else { 0.0 });
            for (l, row) in jx.iter().enumerate() {
                m = m.sub(&Iv::point(y[i][l]).mul(&row[col]));
            }
            k = k.add(&m.mul(&Iv::new(x[col].lo - c[col], x[col].hi - c[col])));
        }
        if !(k.lo > x[i].lo && k.hi < x[i].hi) {
            inside = false;
        }
        match k.intersect(&x[i]) {
            Some(v) => narrowed.push(v),
            None => return Verdict::NoRoot,
        }
    }
    if inside {
        Verdict::Unique
    } else {
        Verdict::Split(narrowed)
    }
}

/// What the subdivision found in the unit box.
struct FloatRoots {
    /// Roots Newton's method converged to (floating point).
    roots: Vec<Vec<f64>>,
    /// Centres of boxes at the smallest width that stayed undecided
    /// (singular roots, or points of a continuum), at most 256.
    undecided: Vec<Vec<f64>>,
    /// The box budget ran out before the search ended.
    exhausted: bool,
}

/// The roots of `sys` in the unit box (floating point), with the boxes the
/// search could not decide.
fn float_roots(sys: &System, opts: &PolyOptions) -> FloatRoots {
    let mut roots: Vec<Vec<f64>> = Vec::new();
    let add = |r: Vec<f64>, roots: &mut Vec<Vec<f64>>| {
        if !roots
            .iter()
            .any(|q| q.iter().zip(&r).all(|(a, b)| (a - b).abs() < 1e-9))
        {
            roots.push(r);
        }
    };
    let mut stack = vec![vec![Iv::new(0.0, 1.0); sys.dim]];
    let mut boxes = 0usize;
    let mut undecided = Vec::new();
    let mut exhausted = false;
    while let Some(x) = stack.pop() {
        boxes += 1;
        if boxes > opts.max_boxes {
            exhausted = true;
            break;
        }
        let Some(probs) = sys.box_probabilities(&x) else {
            continue;
        };
        if sys.values(&probs).iter().any(|v| !v.contains_zero()) {
            continue;
        }
        // Some action outside the support does strictly better throughout.
        if sys.outside.iter().any(|eq| sys.contract(eq, &probs).lo > 0.0) {
            continue;
        }
        let width = x.iter().map(Iv::width).fold(0.0f64, f64::max);
        let x = match krawczyk(sys, &x, &probs) {
            Verdict::NoRoot => continue,
            Verdict::Unique => {
                if let Some(r) = newton(sys, x.iter().map(Iv::mid).collect()) {
                    add(r, &mut roots);
                }
                continue;
            }
            Verdict::Split(x) => x,
        };
        if width < 1e-6 {
            if let Some(r) = newton(sys, x.iter().map(Iv::mid).collect()) {
                add(r, &mut roots);
                continue;
            }
            if width < 1e-9 {
                if undecided.len() < 256 {
                    undecided.push(x.iter().map(Iv::mid).collect());
                } else {
                    exhausted = true;
                }
                continue;
            }
        }
        // Bisect the widest side.
        let (k, _) = x
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.width().total_cmp(&b.1.width()))
            .expect("a box has sides");
        let m = x[k].mid();
        let (mut left, mut right) = (x.clone(), x);
        left[k].hi = m;
        right[k].lo = m;
        stack.push(left);
        stack.push(right);
    }
    FloatRoots {
        roots,
        undecided,
        exhausted,
    }
}

/// A rational root near `x` (denominators up to 10⁶) that satisfies the
/// system exactly, if there is one.
fn rational_root(sys: &System, x: &[f64]) -> Option<Vec<Rational>> {
    let q: Vec<Rational> = x.iter().map(|&v| rational_near(v, 1_000_000)).collect::<Option<_>>()?;
    sys.values(&sys.probabilities(&q))
        .iter()
        .all(Zero::is_zero)
        .then_some(q)
}

/// The roots of a system solved by subdivision, exact or certified later,
/// and whether the search was complete: the budget did not run out, and
/// every box it could not decide lies within `10⁻⁶` of a root recognised
/// exactly there (a singular root: Newton's method and the Krawczyk test
/// fail at it, but a rational one is checked exactly).
fn subdivision_roots(sys: &System, opts: &PolyOptions) -> (Vec<(Vec<Rational>, bool)>, bool) {
    let found = float_roots(sys, opts);
    let mut roots: Vec<(Vec<Rational>, bool)> = found.roots.iter().filter_map(|r| exact_root(sys, r)).collect();
    let mut singular: Vec<Vec<f64>> = Vec::new();
    let near = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-6);
    let mut complete = !found.exhausted;
    for (k, mid) in found.undecided.iter().enumerate() {
        if singular.iter().any(|r| near(r, mid)) {
            continue;
        }
        match (k < 64).then(|| rational_root(sys, mid)).flatten() {
            Some(q) => {
                singular.push(q.iter().map(|v| v.to_f64().unwrap_or(f64::NAN)).collect());
                roots.push((q, true));
            }
            None => complete = false,
        }
    }
    (roots, complete)
}

// ---------------------------------------------------------------------------
// Exact recognition and certification.

/// The best rational approximation of `x` with denominator at most `max_den`.
fn rational_near(x: f64, max_den: i64) -> Option<Rational> {
    if !x.is_finite() {
        return None;
    }
    let (mut h0, mut h1, mut k0, mut k1) = (0i128, 1i128, 1i128, 0i128);
    let mut v = x;
    for _ in 0..40 {
        let a = v.floor();
        if a.abs() > 1e12 {
            break;
        }
        let a = a as i128;
        let (h2, k2) = (a * h1 + h0, a * k1 + k0);
        if k2 > max_den as i128 {
            break;
        }
        (h0, h1, k0, k1) = (h1, h2, k1, k2);
        let frac = v - a as f64;
        if frac.abs() < 1e-14 {
            break;
        }
        v = 1.0 / frac;
    }
    (k1 != 0).then(|| Rational::new(BigInt::from(h1), BigInt::from(k1)))
}

/// `x` rounded to a multiple of `2^-bits`.
fn dyadic(x: &Rational, bits: u32) -> Rational {
    let scale = BigInt::one() << bits;
    let n = (x * Rational::from_integer(scale.clone())).round();
    Rational::new(n.to_integer(), scale)
}

fn dyadic_of_float(x: f64) -> Rational {
    Rational::from_float(x).unwrap_or_else(Rational::zero)
}

/// Solve `a z = b` exactly (Gaussian elimination), or `None` if singular.
fn solve_exact(mut a: Vec<Vec<Rational>>, mut b: Vec<Rational>) -> Option<Vec<Rational>> {
    let d = b.len();
    for c in 0..d {
        let p = (c..d).find(|&r| !a[r][c].is_zero())?;
        a.swap(c, p);
        b.swap(c, p);
        for r in c + 1..d {
            if a[r][c].is_zero() {
                continue;
            }
            let f = &a[r][c] / &a[c][c];
            for k in c..d {
                let v = &f * &a[c][k];
                a[r][k] -= v;
            }
            let v = &f * &b[c];
            b[r] -= v;
        }
    }
    let mut z = vec![Rational::zero(); d];
    for c in (0..d).rev() {
        let mut s = b[c].clone();
        for k in c + 1..d {
            s -= &a[c][k] * &z[k];
        }
        z[c] = s / &a[c][c];
    }
    Some(z)
}

/// An exact profile from a floating-point root: the root itself when a
/// rational with small denominators solves the system exactly (`true`),
/// else a fine rational rounding after exact Newton steps (`false`).
fn exact_root(sys: &System, x: &[f64]) -> Option<(Vec<Rational>, bool)> {
    if let Some(q) = rational_root(sys, x) {
        return Some((q, true));
    }
    let mut q: Vec<Rational> = x.iter().map(|&v| dyadic_of_float(v)).collect();
    for _ in 0..2 {
        let probs = sys.probabilities(&q);
        let f = sys.values(&probs);
        let step = solve_exact(sys.jacobian(&probs), f)?;
        q = q.iter().zip(&step).map(|(v, s)| dyadic(&(v - s), 200)).collect();
    }
    Some((q.iter().map(|v| dyadic(v, 80)).collect(), false))
}

/// With at most two players mixing the system is linear (each player's
/// equations involve only the other's unknowns): its unique root, exactly,
/// or `None` when the matrix is singular (no root, or a continuum).
fn linear_root(sys: &System) -> Option<Vec<Rational>> {
    let zero = vec![<Rational as Zero>::zero(); sys.dim];
    let probs = sys.probabilities(&zero);
    let constant = sys.values(&probs);
    let jac = sys.jacobian(&probs);
    let neg: Vec<Rational> = constant.iter().map(|c| -c).collect();
    solve_exact(jac, neg)
}

/// Solve one support profile, appending its equilibria to `out`.
fn solve_support(game: &NormalFormGame, support: &[Vec<usize>], opts: &PolyOptions, out: &mut PolyResult) {
    let sys = System::new(game, support);
    let mixing = sys.sizes.iter().filter(|&&k| k > 1).count();
    let linear = if mixing <= 2 && sys.dim > 0 {
        linear_root(&sys)
    } else {
        None
    };
    let roots: Vec<(Vec<Rational>, bool)> = if sys.dim == 0 {
        vec![(vec![], true)]
    } else if let Some(root) = linear {
        vec![(root, true)]
    } else if sys.equations.iter().any(|e| e.exact.iter().all(Zero::is_zero)) {
        // An equation that holds everywhere: any solutions form a continuum.
        out.unresolved.push(support.to_vec());
        return;
    } else {
        let (roots, complete) = subdivision_roots(&sys, opts);
        if !complete {
            // Roots found before the budget ran out are still reported.
            out.unresolved.push(support.to_vec());
        }
        roots
    };
    for (q, exact) in roots {
        if let Some(e) = certified(game, support, &sys, &q, exact) {
            out.exact.push(e.max_regret(game).is_zero());
            out.equilibria.push(e);
        }
    }
}

/// The profile of the root `q` of a support's system, when every support
/// probability is positive (a zero belongs to a smaller support) and its
/// exact max regret is 0 (`exact` roots) or at most [`regret_bound`].
fn certified(
    game: &NormalFormGame,
    support: &[Vec<usize>],
    sys: &System,
    q: &[Rational],
    exact: bool,
) -> Option<Equilibrium> {
    let probs = sys.probabilities(q);
    if probs.iter().flatten().any(|p| !p.is_positive()) {
        return None;
    }
    let strategies: Vec<Vec<Rational>> = (0..support.len())
        .map(|i| {
            let mut s = vec![Rational::zero(); game.n_actions(i)];
            for (k, &a) in support[i].iter().enumerate() {
                s[a] = probs[i][k].clone();
            }
            s
        })
        .collect();
    let e = Equilibrium {
        payoffs: game.expected_payoffs(&strategies),
        strategies,
    };
    let regret = e.max_regret(game);
    // Above the bound: an out-of-support action does better.
    (regret <= regret_bound() && (!exact || regret.is_zero())).then_some(e)
}

/// An approximate equilibrium `profile` (floating point) refined on its
/// apparent support (probabilities above `1e-9`): Newton's method on that
/// support's indifference system from the profile, then exact recognition
/// as for the poly method's roots — an exact equilibrium (`true`) or a
/// rounding of an irrational one with exact max regret ≤ [`regret_bound`]
/// (`false`); `None` when Newton does not converge there or the result is
/// not certified.
pub(crate) fn refine(game: &NormalFormGame, profile: &[Vec<f64>]) -> Option<(Equilibrium, bool)> {
    let support: Vec<Vec<usize>> = profile
        .iter()
        .map(|s| (0..s.len()).filter(|&a| s[a] > 1e-9).collect::<Vec<_>>())
        .collect();
    if support.iter().any(Vec::is_empty) {
        return None;
    }
    let sys = System::new(game, &support);
    let x: Vec<f64> = (0..support.len())
        .flat_map(|i| {
            let total: f64 = support[i].iter().map(|&a| profile[i][a]).sum();
            support[i][1..].iter().map(move |&a| profile[i][a] / total)
        })
        .collect();
    let (q, exact) = if sys.dim == 0 {
        (vec![], true)
    } else {
        exact_root(&sys, &newton(&sys, x)?)?
    };
    let e = certified(game, &support, &sys, &q, exact)?;
    let exact = e.max_regret(game).is_zero();
    Some((e, exact))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continued_fractions_find_small_rationals() {
        let q = rational_near(1.0 / 3.0, 1000).unwrap();
        assert_eq!(q, Rational::new(1.into(), 3.into()));
        let q = rational_near(0.4, 1000).unwrap();
        assert_eq!(q, Rational::new(2.into(), 5.into()));
        let q = rational_near(0.0, 1000).unwrap();
        assert!(q.is_zero());
    }

    #[test]
    fn intervals_enclose_products() {
        let a = Iv::new(-1.0, 2.0);
        let b = Iv::new(-3.0, 0.5);
        let p = a.mul(&b);
        assert!(p.lo <= -6.0 && p.hi >= 3.0 && p.lo > -6.1 && p.hi < 3.1);
    }

    #[test]
    fn support_counts() {
        assert_eq!(support_profiles(&[5, 4, 3]), 31 * 15 * 7);
        assert_eq!(support_profiles(&[70, 2]), u64::MAX);
    }
}

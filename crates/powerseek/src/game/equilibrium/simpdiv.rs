//! Nash equilibria of any finite game by **simplicial subdivision**: the
//! variable-dimension restart algorithm of van der Laan and Talman, run from
//! several starting points, each result refined on a finer grid and then by
//! Newton's method on its support.
//!
//! **The fixed-point problem.** A profile `x` (one probability vector per
//! player) is an equilibrium exactly when it is a fixed point of Nash's map
//! `f_ia(x) = (x_ia + g_ia) / (1 + Σ_b g_ib)`, `g_ia = max(0, u_i(a, x_−i) − u_i(x))`
//! (payoffs scaled per player to `[0, 1]`). The product of the players'
//! simplices is embedded in one simplex `S` of dimension `M − 1`
//! (`M = Σ_i m_i` actions) as `z = x / n`; a point `z` of `S` whose blocks do
//! not sum to `1/n` is first mapped back to a profile (a block summing to
//! `s ≥ 1/n` is rescaled, one summing to less is topped up evenly), which is
//! continuous, so `F(z) = f(x(z)) / n` maps `S` to itself and its fixed
//! points are exactly the equilibria.
//!
//! **The path.** On the grid `{z ∈ S : m z integral}` with a starting grid
//! point `v` inside `S`, each point gets the label `argmin_h (F_h(z) − z_h)`
//! over its positive coordinates (lowest index on ties). For a proper subset
//! `T` of labels, the cone `A(T) = {v + Σ_{h∈T} λ_h q(h), λ ≥ 0}` with
//! `q(h) = e(h+1) − e(h)` (cyclically) is triangulated by Freudenthal
//! simplices; starting at `v`, the algorithm walks through simplices of
//! `A(T)` carrying every label of `T` — adding a dimension when a new label
//! appears, dropping one at the cone's boundary, replacing a vertex
//! otherwise — until a full-dimensional simplex carries all `M` labels. Only
//! `q(h)` lowers `z_h`, and label `h` needs `z_h > 0`, so the walk never
//! leaves `S`. All labels on one small simplex make it an approximate fixed
//! point, to within the grid's mesh times the map's modulus of continuity.
//!
//! **Refinement and certification.** The simplex's barycentre restarts the
//! walk on a grid twice as fine, up to [`SimpdivOptions::max_grid`]; once
//! Newton's method (as in [`super::logit`]) converges on a guessed support —
//! the actions within `δ` of each player's best value, or those not much
//! less likely than its likeliest one, for a few `δ` and ratios —
//! the profile is refined exactly as the poly method's roots are (an exact
//! rational equilibrium, or a rounding of an irrational one certified to
//! `10⁻¹²`), else rationalised as it is. Every profile returned carries its
//! exact max regret, which [`super::solve`] checks against
//! [`super::Method::regret_tolerance`] (`10⁻⁶`). What the method does **not**
//! promise: to find every equilibrium. Different starting points
//! (the centroid, points leaning towards each pure profile, pseudo-random
//! interior points from a fixed seed) reach different equilibria; each is
//! reported once. On continua of equilibria (Newton's method singular) and
//! in games with near-ties (the walks converge slowly), walks can end
//! uncertified; they are counted ([`SimpdivResult::uncertified`]), not returned.

use rand::{RngExt, SeedableRng};

use super::{logit, npoly, Equilibrium};
use crate::error::{Error, Result};
use crate::game::{NormalFormGame, Rational};
use crate::progress::Progress;

/// Largest exact max regret of a profile [`equilibria`] returns: `10⁻⁶`
/// (payoffs as given). Refined profiles are exact or within `10⁻¹²`.
pub fn regret_tolerance() -> Rational {
    Rational::new(1.into(), 1_000_000.into())
}

/// Options of [`equilibria`].
#[derive(Clone, Debug)]
pub struct SimpdivOptions {
    /// Starting points (default 24): the centroid, then points leaning
    /// towards each pure profile in turn, then pseudo-random interior points.
    pub starts: usize,
    /// Finest grid (points `z` with `grid · z` integral) a walk is refined
    /// to before its profile is taken as it is (default 2¹⁶).
    pub max_grid: u64,
    /// Most pivots of one walk on one grid (default 20 000): a start whose
    /// first walk needs more is counted as not converged; a walk on a finer
    /// grid that needs more ends the refinement (the coarser grid's profile is kept).
    pub max_steps: usize,
    /// Seed of the pseudo-random starting points.
    pub seed: u64,
}

impl Default for SimpdivOptions {
    fn default() -> Self {
        SimpdivOptions {
            starts: 24,
            max_grid: 1 << 16,
            max_steps: 20_000,
            seed: 0x5eed_51d1,
        }
    }
}

/// What [`equilibria`] found.
#[derive(Clone, Debug)]
pub struct SimpdivResult {
    /// The distinct profiles reached, in the order of their first start.
    pub equilibria: Vec<Equilibrium>,
    /// `refined[k]`: profile `k` was refined by Newton's method and exact
    /// recognition (exact, or an irrational root certified to `10⁻¹²`);
    /// otherwise it is the walk's rationalised profile.
    pub refined: Vec<bool>,
    /// Starting points tried.
    pub starts: usize,
    /// Walks whose first grid ended in a completely labelled simplex.
    pub converged: usize,
    /// Converged walks whose profile's exact max regret stayed above
    /// [`regret_tolerance`] (not refined: typically on a continuum of
    /// equilibria, where Newton's method is singular); not returned.
    pub uncertified: usize,
    /// Total pivots over all walks.
    pub pivots: u64,
}

/// The game in floating point, with the embedding of profiles into one simplex.
struct Embedded<'a> {
    game: &'a NormalFormGame,
    /// Payoffs scaled per player to [0, 1], in the game's layout.
    payoffs: Vec<f64>,
    /// First coordinate of each player's block.
    offsets: Vec<usize>,
    /// Number of coordinates `M`.
    dim: usize,
}

impl Embedded<'_> {
    fn players(&self) -> usize {
        self.offsets.len() - 1
    }

    /// The profile a point of `S` stands for (blocks summing to `1/n` are
    /// just rescaled; the map is continuous and the identity on the embedded product).
    fn profile(&self, z: &[f64]) -> Vec<Vec<f64>> {
        let n = self.players() as f64;
        (0..self.players())
            .map(|i| {
                let block = &z[self.offsets[i]..self.offsets[i + 1]];
                let s: f64 = block.iter().sum();
                if s >= 1.0 / n {
                    block.iter().map(|v| v / s).collect()
                } else {
                    let top = (1.0 / n - s) / block.len() as f64;
                    block.iter().map(|v| n * (v + top)).collect()
                }
            })
            .collect()
    }

    /// `u_i(a, x_−i)` for every player and action.
    fn action_values(&self, x: &[Vec<f64>]) -> Vec<Vec<f64>> {
        let n = self.players();
        let shape = self.game.shape();
        let mut values: Vec<Vec<f64>> = shape.iter().map(|&k| vec![0.0; k]).collect();
        let mut pure = vec![0usize; n];
        for idx in 0..self.game.n_profiles() {
            for i in 0..n {
                let u = self.payoffs[idx * n + i];
                if u != 0.0 {
                    let w: f64 = (0..n).filter(|&k| k != i).map(|k| x[k][pure[k]]).product();
                    values[i][pure[i]] += w * u;
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
        values
    }

    /// Nash's map, embedded: `F(z) = f(x(z)) / n`.
    fn map(&self, z: &[f64]) -> Vec<f64> {
        let x = self.profile(z);
        let values = self.action_values(&x);
        let n = self.players() as f64;
        x.iter()
            .zip(&values)
            .flat_map(|(s, v)| {
                let u: f64 = s.iter().zip(v).map(|(p, w)| p * w).sum();
                let gains: Vec<f64> = v.iter().map(|w| (w - u).max(0.0)).collect();
                let total = 1.0 + gains.iter().sum::<f64>();
                s.iter()
                    .zip(gains)
                    .map(move |(p, g)| (p + g) / total / n)
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The label of the grid point `point / grid`: the positive coordinate
    /// with the smallest `F_h(z) − z_h` (lowest index on ties).
    fn label(&self, point: &[i64], grid: u64) -> usize {
        let z: Vec<f64> = point.iter().map(|&c| c as f64 / grid as f64).collect();
        let f = self.map(&z);
        (0..self.dim)
            .filter(|&h| point[h] > 0)
            .min_by(|&a, &b| (f[a] - z[a]).total_cmp(&(f[b] - z[b])).then(a.cmp(&b)))
            .expect("a point of the simplex has a positive coordinate")
    }

    /// `z` (a point of `S`) rounded to the grid, every coordinate at least 1.
    fn to_grid(&self, z: &[f64], grid: u64) -> Vec<i64> {
        let free = grid as f64 - self.dim as f64;
        let scaled: Vec<f64> = z.iter().map(|v| v.max(0.0) * free).collect();
        let mut point: Vec<i64> = scaled.iter().map(|v| v.floor() as i64 + 1).collect();
        let mut order: Vec<usize> = (0..self.dim).collect();
        order.sort_by(|&a, &b| (scaled[b] - scaled[b].floor()).total_cmp(&(scaled[a] - scaled[a].floor())));
        let mut missing = grid as i64 - point.iter().sum::<i64>();
        let mut k = 0;
        while missing > 0 {
            point[order[k % self.dim]] += 1;
            missing -= 1;
            k += 1;
        }
        while missing < 0 {
            let h = order[self.dim - 1 - k % self.dim];
            if point[h] > 1 {
                point[h] -= 1;
                missing += 1;
            }
            k += 1;
        }
        point
    }
}

/// One walk of the variable-dimension algorithm on one grid.
struct Walk<'a> {
    game: &'a Embedded<'a>,
    grid: u64,
    /// Labels in `T`.
    in_t: Vec<bool>,
    /// `y1 = v + Σ a(h) q(h)` (grid units): the simplex's first vertex.
    first: Vec<i64>,
    a: Vec<i64>,
    /// The order of directions: vertex `k + 1` is vertex `k` plus `q(pi[k])`.
    pi: Vec<usize>,
    /// The label of each vertex.
    labels: Vec<usize>,
}

/// How a walk ended.
enum Ending {
    /// A simplex carrying every label: its barycentre.
    Complete(Vec<f64>),
    /// The pivot budget ran out or the walk failed (not expected).
    Failed,
    /// The progress reporter asked to stop.
    Cancelled,
}

impl Walk<'_> {
    fn step(point: &mut [i64], h: usize, sign: i64) {
        let m = point.len();
        point[h] -= sign;
        point[(h + 1) % m] += sign;
    }

    /// Vertex `k` of the current simplex.
    fn vertex(&self, k: usize) -> Vec<i64> {
        let mut y = self.first.clone();
        for &h in &self.pi[..k] {
            Self::step(&mut y, h, 1);
        }
        y
    }

    /// The label of a vertex, or `None` when it lies outside `S`.
    fn label_of(&self, y: &[i64]) -> Option<usize> {
        y.iter().all(|&c| c >= 0).then(|| self.game.label(y, self.grid))
    }

    /// Remove vertex `r`; returns the index of the vertex that entered, or
    /// `None` after dropping a dimension (the label then to be removed is
    /// returned in `Err`).
    fn remove(&mut self, r: usize) -> Option<std::result::Result<usize, usize>> {
        let t = self.pi.len();
        if r == 0 {
            let h = self.pi[0];
            Self::step(&mut self.first, h, 1);
            self.a[h] += 1;
            self.pi.rotate_left(1);
            self.labels.remove(0);
            let y = self.vertex(t);
            self.labels.push(self.label_of(&y)?);
            Some(Ok(t))
        } else if r < t {
            self.pi.swap(r - 1, r);
            let y = self.vertex(r);
            self.labels[r] = self.label_of(&y)?;
            Some(Ok(r))
        } else {
            let h = self.pi[t - 1];
            if self.a[h] == 0 {
                // The facet lies on the boundary of A(T): drop h from T.
                self.in_t[h] = false;
                self.pi.pop();
                self.labels.pop();
                Some(Err(h))
            } else {
                Self::step(&mut self.first, h, -1);
                self.a[h] -= 1;
                self.pi.rotate_right(1);
                self.labels.pop();
                let y = self.first.clone();
                self.labels.insert(0, self.label_of(&y)?);
                Some(Ok(0))
            }
        }
    }

    /// Walk from the grid point `start` to a completely labelled simplex.
    fn run(
        game: &Embedded,
        grid: u64,
        start: Vec<i64>,
        opts: &SimpdivOptions,
        pivots: &mut u64,
        progress: &dyn Progress,
    ) -> Ending {
        let m = game.dim;
        let label = game.label(&start, grid);
        let mut w = Walk {
            game,
            grid,
            in_t: vec![false; m],
            first: start,
            a: vec![0; m],
            pi: vec![],
            labels: vec![label],
        };
        let mut entered = 0usize;
        for _ in 0..opts.max_steps {
            *pivots += 1;
            if pivots.is_multiple_of(1024) && progress.cancelled() {
                return Ending::Cancelled;
            }
            let l = w.labels[entered];
            let mut to_remove = if !w.in_t[l] {
                if w.pi.len() + 1 == m {
                    let t = w.pi.len();
                    let mut centre = vec![0.0; m];
                    for k in 0..=t {
                        for (c, y) in centre.iter_mut().zip(w.vertex(k)) {
                            *c += y as f64 / grid as f64 / (t + 1) as f64;
                        }
                    }
                    return Ending::Complete(centre);
                }
                // A new label: one dimension more, in the direction q(l).
                w.in_t[l] = true;
                w.a[l] = 0;
                w.pi.push(l);
                let y = w.vertex(w.pi.len());
                let Some(label) = w.label_of(&y) else {
                    return Ending::Failed;
                };
                w.labels.push(label);
                entered = w.pi.len();
                continue;
            } else {
                // The other vertex with the entering label leaves.
                let Some(r) = (0..w.labels.len()).find(|&k| k != entered && w.labels[k] == l) else {
                    return Ending::Failed;
                };
                r
            };
            loop {
                match w.remove(to_remove) {
                    None => return Ending::Failed,
                    Some(Ok(e)) => {
                        entered = e;
                        break;
                    }
                    Some(Err(h)) => {
                        // Back in A(T \ {h}): the vertex labelled h leaves next.
                        if w.pi.is_empty() {
                            return Ending::Failed;
                        }
                        let Some(r) = w.labels.iter().position(|&x| x == h) else {
                            return Ending::Failed;
                        };
                        to_remove = r;
                    }
                }
            }
        }
        Ending::Failed
    }
}

/// The starting profiles: the centroid, then `0.9 pure + 0.1 centroid` for
/// each pure profile in turn, then pseudo-random interior points.
fn starting_profiles(game: &NormalFormGame, opts: &SimpdivOptions) -> Vec<Vec<Vec<f64>>> {
    let shape = game.shape();
    let centroid: Vec<Vec<f64>> = shape.iter().map(|&k| vec![1.0 / k as f64; k]).collect();
    let mut out = vec![centroid.clone()];
    let mut rng = rand_pcg::Pcg64::seed_from_u64(opts.seed);
    let mut idx = 0;
    while out.len() < opts.starts {
        if idx < game.n_profiles() {
            let pure = game.profile(idx);
            out.push(
                centroid
                    .iter()
                    .enumerate()
                    .map(|(i, c)| {
                        c.iter()
                            .enumerate()
                            .map(|(a, p)| 0.1 * p + if a == pure[i] { 0.9 } else { 0.0 })
                            .collect()
                    })
                    .collect(),
            );
            idx += 1;
        } else {
            out.push(
                shape
                    .iter()
                    .map(|&k| {
                        let w: Vec<f64> = (0..k).map(|_| -(rng.random::<f64>().max(1e-12)).ln()).collect();
                        let s: f64 = w.iter().sum();
                        w.into_iter().map(|v| v / s).collect()
                    })
                    .collect(),
            );
        }
    }
    out.truncate(opts.starts.max(1));
    out
}

/// Equilibria reached by simplicial subdivision from the options' starting
/// points (module docs), each once. Floating point: every profile is
/// returned with its exact max regret to be checked by the caller. Reports
/// the starts done to `progress` and stops with [`Error::Cancelled`] when it asks.
pub fn equilibria(game: &NormalFormGame, opts: &SimpdivOptions, progress: &dyn Progress) -> Result<SimpdivResult> {
    if opts.starts == 0 {
        return Err(Error::invalid("simpdiv needs at least one starting point (starts = 0)"));
    }
    let n = game.n_players();
    let mut offsets = vec![0];
    for i in 0..n {
        offsets.push(offsets[i] + game.n_actions(i));
    }
    let embedded = Embedded {
        game,
        payoffs: logit::scaled_payoffs(game),
        dim: offsets[n],
        offsets,
    };
    let starts = starting_profiles(game, opts);
    progress.set_total(starts.len() as u64);
    let mut out = SimpdivResult {
        equilibria: vec![],
        refined: vec![],
        starts: starts.len(),
        converged: 0,
        uncertified: 0,
        pivots: 0,
    };
    let mut seen: Vec<Vec<Vec<f64>>> = vec![];
    for start in starts {
        crate::progress::check(progress)?;
        let z: Vec<f64> = start.iter().flatten().map(|p| p / n as f64).collect();
        if let Some((e, refined)) = walk_and_refine(&embedded, &z, opts, &mut out.pivots, progress)? {
            out.converged += 1;
            if e.max_regret(game) > regret_tolerance() {
                out.uncertified += 1;
                progress.advance(1);
                continue;
            }
            let float: Vec<Vec<f64>> = e
                .strategies
                .iter()
                .map(|s| {
                    s.iter()
                        .map(|p| num_traits::ToPrimitive::to_f64(p).unwrap_or(f64::NAN))
                        .collect()
                })
                .collect();
            let duplicate = seen.iter().any(|q| {
                q.iter()
                    .flatten()
                    .zip(float.iter().flatten())
                    .all(|(a, b)| (a - b).abs() < 1e-6)
            });
            if !duplicate {
                seen.push(float);
                out.equilibria.push(e);
                out.refined.push(refined);
            }
        }
        progress.advance(1);
    }
    Ok(out)
}

/// The smallest grid, for `M` coordinates: room for every coordinate to be
/// positive with some slack.
fn first_grid(dim: usize) -> u64 {
    (4 * dim as u64).next_power_of_two()
}

/// Walks from `z`, refining the grid until the profile refines to an
/// exact or certified equilibrium ([`refined`]) or the finest grid is
/// reached (or a walk on a finer grid runs out of pivots: the last grid's
/// profile is kept): the equilibrium and whether it was refined, or `None`
/// when the first walk did not end.
fn walk_and_refine(
    game: &Embedded,
    z: &[f64],
    opts: &SimpdivOptions,
    pivots: &mut u64,
    progress: &dyn Progress,
) -> Result<Option<(Equilibrium, bool)>> {
    let mut grid = first_grid(game.dim);
    let mut z = z.to_vec();
    let mut first = true;
    loop {
        let start = game.to_grid(&z, grid);
        match Walk::run(game, grid, start, opts, pivots, progress) {
            Ending::Complete(centre) => z = centre,
            Ending::Cancelled => return Err(Error::Cancelled),
            Ending::Failed if first => return Ok(None),
            Ending::Failed => break,
        }
        first = false;
        if let Some(e) = refined(game, &game.profile(&z)) {
            return Ok(Some((e, true)));
        }
        if grid >= opts.max_grid {
            break;
        }
        grid *= 2;
    }
    Ok(Some((logit::rationalise(game.game, &game.profile(&z)), false)))
}

/// An approximate equilibrium refined on the support it suggests, by
/// Newton's method in floating point ([`logit::polish`]), then exactly
/// ([`npoly::refine`]). Candidate supports, in turn: each player's actions
/// whose value against the others is within `δ = 10⁻¹ … 10⁻⁴` of its best
/// (or equal to it)
/// (payoffs scaled to [0, 1]), then the actions whose probability is within
/// a factor `10⁻¹ … 10⁻⁴` of its likeliest one (near an equilibrium the
/// other probabilities shrink only like the square root of the grid's mesh,
/// so neither test alone separates them early).
fn refined(game: &Embedded, profile: &[Vec<f64>]) -> Option<Equilibrium> {
    let values = game.action_values(profile);
    let by_value = [1e-1, 3e-2, 1e-2, 1e-3, 1e-4, 0.0].map(|delta| {
        profile
            .iter()
            .zip(&values)
            .map(|(s, v)| {
                let best = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                s.iter()
                    .zip(v)
                    .map(|(&p, &w)| if best - w <= delta { p } else { 0.0 })
                    .collect()
            })
            .collect::<Vec<Vec<f64>>>()
    });
    let by_probability = [1e-1, 1e-2, 1e-3, 1e-4].map(|ratio| {
        profile
            .iter()
            .map(|s| {
                let top = s.iter().cloned().fold(0.0, f64::max);
                s.iter().map(|&p| if p >= ratio * top { p } else { 0.0 }).collect()
            })
            .collect::<Vec<Vec<f64>>>()
    });
    by_value.into_iter().chain(by_probability).find_map(|cut| {
        let mut cut: Vec<Vec<f64>> = cut
            .into_iter()
            .map(|s| {
                let total: f64 = s.iter().sum();
                s.into_iter().map(|p| p / total).collect()
            })
            .collect();
        if !logit::polish(game.game, &game.payoffs, &mut cut, 1e-9) {
            return None;
        }
        npoly::refine(game.game, &cut).map(|(e, _)| e)
    })
}

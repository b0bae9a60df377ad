//! The maximum mean cycle of a strongly connected directed graph whose edges
//! are weighted by the reward of their tail: the best long-run average
//! reward of a deterministic MDP restricted to one strongly connected
//! component, which the `γ → 1` limit of POWER needs once per component and
//! reward sample.
//!
//! [`max_mean_cycle`] is Howard's policy iteration for mean payoff (as
//! analysed for cycle means by Cochet-Terrasson, Cohen, Gaubert, Mc Gettrick
//! and Quadrat, 1998, and Dasdan, 2004): keep one successor per node, evaluate
//! the resulting functional graph exactly (each node's gain is the mean of
//! the cycle it runs into, its bias the reward collected above that gain on
//! the way), and switch successors that improve the gain, else the bias, until
//! none does. Each iteration is linear in the edges and memory is linear in
//! the component; in practice a handful of iterations suffice. Karp's
//! algorithm, the textbook alternative, needs `O(k²)` memory and `O(k·E)` time
//! for `k` nodes (a 3 600-state room took 0.46 s and 108 MB per sample); it
//! remains below as the test oracle.
//!
//! Ownership: this module computes cycle means only; which components need
//! one, and how their values propagate, is the solver's business
//! ([`super::solve`]).

/// A strongly connected component as local adjacency: node `i`'s successors
/// are `succ[start[i]..start[i + 1]]`, all inside the component, and its
/// reward is `reward[i]`.
pub(crate) struct Component<'a> {
    /// Offsets into `succ`, one more than the number of nodes.
    pub start: &'a [usize],
    /// Local successor indices.
    pub succ: &'a [usize],
    /// Reward of each node (the weight of its outgoing edges).
    pub reward: &'a [f64],
}

impl Component<'_> {
    fn len(&self) -> usize {
        self.start.len() - 1
    }

    fn successors(&self, i: usize) -> &[usize] {
        &self.succ[self.start[i]..self.start[i + 1]]
    }
}

/// Gains and biases of the policy `pi` (one successor per node).
fn evaluate(
    c: &Component<'_>,
    pi: &[usize],
    gain: &mut [f64],
    bias: &mut [f64],
    state: &mut [u8],
    path: &mut Vec<usize>,
) {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    state.fill(NEW);
    for root in 0..c.len() {
        if state[root] != NEW {
            continue;
        }
        path.clear();
        let mut v = root;
        while state[v] == NEW {
            state[v] = ON_PATH;
            path.push(v);
            v = pi[v];
        }
        if state[v] == ON_PATH {
            // A new cycle: the path from `v` onwards.
            let at = path.iter().position(|&u| u == v).expect("v is on the path");
            let cycle = &path[at..];
            let mean = cycle.iter().map(|&u| c.reward[u]).sum::<f64>() / cycle.len() as f64;
            // Handle `v` has bias 0; walk the cycle backwards.
            let mut next_bias = 0.0;
            for &u in cycle[1..].iter().rev() {
                let b = c.reward[u] - mean + next_bias;
                gain[u] = mean;
                bias[u] = b;
                state[u] = DONE;
                next_bias = b;
            }
            gain[v] = mean;
            bias[v] = 0.0;
            state[v] = DONE;
            path.truncate(at);
        }
        // The rest of the path leads into evaluated nodes.
        for &u in path.iter().rev() {
            let w = pi[u];
            gain[u] = gain[w];
            bias[u] = c.reward[u] - gain[w] + bias[w];
            state[u] = DONE;
        }
    }
}

/// The largest mean reward of a cycle of `c` (strongly connected, every node
/// with at least one successor), to within rounding.
pub(crate) fn max_mean_cycle(c: &Component<'_>) -> f64 {
    let k = c.len();
    debug_assert!(k > 0 && (0..k).all(|i| !c.successors(i).is_empty()));
    let scale = c
        .reward
        .iter()
        .fold(0.0f64, |m, r| m.max(r.abs()))
        .max(f64::MIN_POSITIVE);
    // Improvements smaller than this are rounding: without the margin the
    // iteration could cycle between equivalent policies.
    let eps = 1e-12 * scale * (k as f64).max(1.0);
    // Start from each node's best-rewarded successor.
    let mut pi: Vec<usize> = (0..k)
        .map(|i| {
            let s = c.successors(i);
            *s.iter()
                .max_by(|&&a, &&b| c.reward[a].total_cmp(&c.reward[b]))
                .expect("non-empty")
        })
        .collect();
    let (mut gain, mut bias) = (vec![0.0; k], vec![0.0; k]);
    let mut state = vec![0u8; k];
    let mut path = Vec::new();
    // Howard's iteration terminates in finitely many steps; the cap only
    // guards against a rounding pathology.
    for _ in 0..10_000 {
        evaluate(c, &pi, &mut gain, &mut bias, &mut state, &mut path);
        // Gain improvement first; bias improvement only where no gain improves.
        let mut changed = false;
        for i in 0..k {
            let best = c
                .successors(i)
                .iter()
                .copied()
                .fold(pi[i], |b, w| if gain[w] > gain[b] + eps { w } else { b });
            if best != pi[i] {
                pi[i] = best;
                changed = true;
            }
        }
        if changed {
            continue;
        }
        for i in 0..k {
            let (g, mut best, mut best_bias) = (gain[pi[i]], pi[i], bias[pi[i]]);
            // Among successors of equal gain, the bias r(i) − g + bias(w) is
            // largest where bias(w) is.
            for &w in c.successors(i) {
                if (gain[w] - g).abs() <= eps && bias[w] > best_bias + eps {
                    (best, best_bias) = (w, bias[w]);
                }
            }
            if best != pi[i] {
                pi[i] = best;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    gain.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Karp's algorithm: the test oracle for [`max_mean_cycle`].
#[cfg(test)]
pub(crate) fn karp(c: &Component<'_>) -> f64 {
    let k = c.len();
    let mut d = vec![vec![f64::NEG_INFINITY; k]; k + 1];
    d[0][0] = 0.0;
    for step in 0..k {
        for i in 0..k {
            if d[step][i] == f64::NEG_INFINITY {
                continue;
            }
            for &j in c.successors(i) {
                let w = d[step][i] + c.reward[i];
                if w > d[step + 1][j] {
                    d[step + 1][j] = w;
                }
            }
        }
    }
    let mut best = f64::NEG_INFINITY;
    for v in 0..k {
        if d[k][v] == f64::NEG_INFINITY {
            continue;
        }
        let worst = (0..k)
            .filter(|&step| d[step][v] > f64::NEG_INFINITY)
            .map(|step| (d[k][v] - d[step][v]) / (k - step) as f64)
            .fold(f64::INFINITY, f64::min);
        best = best.max(worst);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    /// A random strongly connected graph: a Hamiltonian cycle in random order
    /// plus random extra edges (and sometimes self-loops).
    fn random_scc(
        rng: &mut rand_pcg::Pcg64,
        k: usize,
        extra: usize,
        levels: Option<u32>,
    ) -> (Vec<usize>, Vec<usize>, Vec<f64>) {
        let mut order: Vec<usize> = (0..k).collect();
        for i in (1..k).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut adj = vec![Vec::new(); k];
        for i in 0..k {
            adj[order[i]].push(order[(i + 1) % k]);
        }
        for _ in 0..extra {
            let (a, b) = (rng.random_range(0..k), rng.random_range(0..k));
            if !adj[a].contains(&b) {
                adj[a].push(b);
            }
        }
        let reward = (0..k)
            .map(|_| match levels {
                // Few distinct values: many ties between cycles.
                Some(l) => rng.random_range(0..l) as f64 / l as f64,
                None => rng.random::<f64>() * 2.0 - 1.0,
            })
            .collect();
        let mut start = vec![0];
        let mut succ = Vec::new();
        for a in adj {
            succ.extend(a);
            start.push(succ.len());
        }
        (start, succ, reward)
    }

    #[test]
    fn howard_equals_karp_on_random_graphs() {
        let mut rng = rand_pcg::Pcg64::seed_from_u64(7);
        for case in 0..600 {
            let k = 1 + case % 40;
            let extra = rng.random_range(0..3 * k + 1);
            let levels = (case % 3 == 0).then_some(3);
            let (start, succ, reward) = random_scc(&mut rng, k, extra, levels);
            let c = Component {
                start: &start,
                succ: &succ,
                reward: &reward,
            };
            let (h, kp) = (max_mean_cycle(&c), karp(&c));
            assert!((h - kp).abs() <= 1e-9, "case {case}: Howard {h} vs Karp {kp} (k = {k})");
        }
    }

    #[test]
    fn simple_cycles_have_their_mean() {
        // 0 → 1 → 2 → 0 with rewards 1, 2, 6 (mean 3) and a chord 1 → 0 (mean 1.5).
        let start = [0, 1, 3, 4];
        let succ = [1, 2, 0, 0];
        let reward = [1.0, 2.0, 6.0];
        let c = Component {
            start: &start,
            succ: &succ,
            reward: &reward,
        };
        assert!((max_mean_cycle(&c) - 3.0).abs() < 1e-15);
    }

    #[test]
    fn memory_and_time_are_linear_on_a_long_ring() {
        // 200 000 nodes in one ring with chords: Karp would need 4·10^10 cells.
        let k = 200_000;
        let mut start = vec![0];
        let mut succ = Vec::new();
        for i in 0..k {
            succ.push((i + 1) % k);
            if i % 7 == 0 {
                succ.push((i + k - 3) % k);
            }
            start.push(succ.len());
        }
        let reward: Vec<f64> = (0..k).map(|i| ((i * 7919) % 1000) as f64 / 1000.0).collect();
        let c = Component {
            start: &start,
            succ: &succ,
            reward: &reward,
        };
        let best = max_mean_cycle(&c);
        // Every cycle's mean lies in the reward range, and the whole ring is
        // one of the cycles.
        assert!((0.0..=0.999 + 1e-12).contains(&best));
        let ring_mean = reward.iter().sum::<f64>() / k as f64;
        assert!(best >= ring_mean - 1e-12);
    }
}

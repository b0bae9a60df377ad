//! Several agents in one gridworld (SPEC 6): joint states, turn orders, the
//! no-overlap rule and movement noise, and the single-agent MDP a focal agent
//! faces when the other agents follow fixed policies.
//!
//! A joint state is every agent's cell (and, with alternating turns, implicitly
//! the focal agent's turn: the others' moves are folded into the focal agent's
//! transitions). Moves are those of the gridworld (`up`, `down`, `left`,
//! `right` into open cells, and `stay` where the grid offers it).
//!
//! - **Alternating turns**: the focal agent moves, then each other agent in
//!   index order; the focal agent's next decision comes after all of them.
//! - **Simultaneous**: everyone moves at once; with no-overlap, agents whose
//!   targets collide (same cell) stay where they are.
//! - **No-overlap**: a move into a cell another agent occupies is not allowed
//!   (with alternating turns), and joint states with two agents on one cell do
//!   not exist.
//! - **Noise**: with probability `noise` a mover's intended move is replaced by
//!   a uniformly random allowed move.
//!
//! The focal agent's reward is a function of its own cell, so its POWER in the
//! induced MDP is estimated with [`RewardDistribution::Shared`]: one iid draw
//! per cell, read at the focal agent's cell ([`focal_rewards`]).

use std::collections::HashMap;

use crate::error::{Error, Result};
use crate::mdp::{Mdp, MdpBuilder};
use crate::reward::{Marginal, RewardDistribution};

/// How agents take turns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Turns {
    Alternating,
    Simultaneous,
}

/// The joint environment's rules.
#[derive(Clone, Copy, Debug)]
pub struct JointOptions {
    pub agents: usize,
    pub turns: Turns,
    pub no_overlap: bool,
    pub noise: f64,
}

/// A fixed policy of another agent: probabilities over its allowed moves
/// (`moves[k]` is the target cell of move k) given the joint positions.
pub type Policy<'a> = dyn Fn(usize, &[usize], &[usize]) -> Vec<f64> + Sync + 'a;

/// The uniformly random policy.
pub fn uniform_policy(_agent: usize, _positions: &[usize], moves: &[usize]) -> Vec<f64> {
    vec![1.0 / moves.len() as f64; moves.len()]
}

/// The single-agent grid the agents move on: cells and, per cell, the moves (label, target cell).
#[derive(Clone, Debug)]
pub struct Grid {
    pub cells: usize,
    pub moves: Vec<Vec<(String, usize)>>,
    pub names: Vec<String>,
}

impl Grid {
    /// The cells and moves of a deterministic gridworld MDP (states are cells).
    pub fn from_gridworld(mdp: &Mdp) -> Result<Self> {
        if !mdp.is_deterministic() || mdp.layout().is_none() {
            return Err(Error::invalid(
                "joint environments are built from deterministic gridworlds (.grid files without slip cells)",
            ));
        }
        let moves = (0..mdp.n_states())
            .map(|s| {
                mdp.actions(s)
                    .map(|a| (mdp.action_name(a).to_string(), mdp.successor(a)))
                    .collect()
            })
            .collect();
        Ok(Grid {
            cells: mdp.n_states(),
            moves,
            names: mdp.state_names().to_vec(),
        })
    }
}

/// All joint states (positions per agent), agent 0's cell changing fastest.
pub fn joint_states(grid: &Grid, opts: &JointOptions) -> Result<Vec<Vec<usize>>> {
    let total = grid
        .cells
        .checked_pow(opts.agents as u32)
        .filter(|&t| t <= 50_000_000)
        .ok_or_else(|| Error::invalid("too many joint states (more than 5·10^7)"))?;
    Ok((0..total)
        .map(|mut idx| {
            (0..opts.agents)
                .map(|_| {
                    let c = idx % grid.cells;
                    idx /= grid.cells;
                    c
                })
                .collect::<Vec<usize>>()
        })
        .filter(|p| !opts.no_overlap || (0..p.len()).all(|i| (i + 1..p.len()).all(|j| p[i] != p[j])))
        .collect())
}

/// Allowed target cells of `agent` (the no-overlap rule blocks occupied cells
/// when agents move one at a time).
fn allowed(grid: &Grid, opts: &JointOptions, positions: &[usize], agent: usize) -> Vec<usize> {
    let here = positions[agent];
    let blocked = |t: usize| opts.no_overlap && opts.turns == Turns::Alternating && t != here && positions.contains(&t);
    grid.moves[here].iter().map(|m| m.1).filter(|&t| !blocked(t)).collect()
}

/// Distribution over where a mover ends up when it intends `target` among `options`.
fn with_noise(target: usize, options: &[usize], noise: f64) -> Vec<(usize, f64)> {
    let mut out = vec![(target, 1.0 - noise)];
    out.extend(options.iter().map(|&t| (t, noise / options.len() as f64)));
    out
}

/// The MDP the focal agent faces when every other agent follows `policy`.
/// States are joint positions; the focal agent's actions are its moves.
pub fn induced_mdp(grid: &Grid, opts: &JointOptions, focal: usize, policy: &Policy) -> Result<(Mdp, Vec<Vec<usize>>)> {
    if opts.agents < 2 || focal >= opts.agents || !(0.0..=1.0).contains(&opts.noise) {
        return Err(Error::invalid(
            "joint environment: need ≥ 2 agents, a focal agent among them, and noise in [0, 1]",
        ));
    }
    let states = joint_states(grid, opts)?;
    // Dense map from the mixed-radix code of a position vector to its state index.
    let code = |p: &[usize]| p.iter().rev().fold(0usize, |acc, &c| acc * grid.cells + c);
    let mut index = vec![u32::MAX; grid.cells.pow(opts.agents as u32)];
    for (i, s) in states.iter().enumerate() {
        index[code(s)] = i as u32;
    }
    let names = states
        .iter()
        .map(|s| s.iter().map(|&c| grid.names[c].as_str()).collect::<Vec<_>>().join("|"))
        .collect();
    let mut builder = MdpBuilder::new(names);
    let others: Vec<usize> = (0..opts.agents).filter(|&a| a != focal).collect();
    for (si, s) in states.iter().enumerate() {
        let mine = allowed(grid, opts, s, focal);
        for (label, target) in grid.moves[s[focal]].iter().filter(|m| mine.contains(&m.1)) {
            // Distribution over joint positions after the focal move and the others' moves.
            let mut dist: HashMap<Vec<usize>, f64> = HashMap::new();
            match opts.turns {
                Turns::Alternating => {
                    let mut frontier: Vec<(Vec<usize>, f64)> = with_noise(*target, &mine, opts.noise)
                        .into_iter()
                        .map(|(t, p)| {
                            let mut next = s.clone();
                            next[focal] = t;
                            (next, p)
                        })
                        .collect();
                    for &o in &others {
                        let mut step = Vec::new();
                        for (pos, p) in frontier {
                            let options = allowed(grid, opts, &pos, o);
                            let probs = policy(o, &pos, &options);
                            for (k, &intended) in options.iter().enumerate() {
                                for (t, q) in with_noise(intended, &options, opts.noise) {
                                    let mut next = pos.clone();
                                    next[o] = t;
                                    step.push((next, p * probs[k] * q));
                                }
                            }
                        }
                        frontier = step;
                    }
                    for (pos, p) in frontier {
                        *dist.entry(pos).or_insert(0.0) += p;
                    }
                }
                Turns::Simultaneous => {
                    // Every agent's landing distribution, then all combinations.
                    let mut per_agent: Vec<Vec<(usize, f64)>> = vec![Vec::new(); opts.agents];
                    per_agent[focal] = with_noise(*target, &mine, opts.noise);
                    for &o in &others {
                        let options = allowed(grid, opts, s, o);
                        let probs = policy(o, s, &options);
                        for (k, &intended) in options.iter().enumerate() {
                            for (t, q) in with_noise(intended, &options, opts.noise) {
                                per_agent[o].push((t, probs[k] * q));
                            }
                        }
                    }
                    let mut combos: Vec<(Vec<usize>, f64)> = vec![(Vec::new(), 1.0)];
                    for landing in &per_agent {
                        combos = combos
                            .into_iter()
                            .flat_map(|(pos, p)| {
                                landing
                                    .iter()
                                    .map(move |&(t, q)| ([pos.clone(), vec![t]].concat(), p * q))
                            })
                            .collect();
                    }
                    for (mut pos, p) in combos {
                        if opts.no_overlap {
                            // Collisions: agents landing on a shared cell, or swapping cells, stay put.
                            let collided: Vec<bool> = (0..pos.len())
                                .map(|i| {
                                    (0..pos.len())
                                        .any(|j| j != i && (pos[j] == pos[i] || (pos[j] == s[i] && pos[i] == s[j])))
                                })
                                .collect();
                            for i in 0..pos.len() {
                                if collided[i] {
                                    pos[i] = s[i];
                                }
                            }
                        }
                        *dist.entry(pos).or_insert(0.0) += p;
                    }
                }
            }
            let mut row: Vec<(usize, f64)> = dist
                .into_iter()
                .filter(|e| e.1 > 0.0)
                .map(|(pos, p)| match index[code(&pos)] {
                    u32::MAX => Err(Error::invalid("internal error: a move left the joint state space")),
                    i => Ok((i as usize, p)),
                })
                .collect::<Result<_>>()?;
            row.sort_by_key(|e| e.0);
            builder.add_action(si, label, &row)?;
        }
    }
    Ok((builder.build()?, states))
}

/// The focal agent's reward distribution on the induced MDP: iid `marginal`
/// per grid cell, read at the focal agent's cell.
pub fn focal_rewards(grid: &Grid, states: &[Vec<usize>], focal: usize, marginal: Marginal) -> RewardDistribution {
    RewardDistribution::Shared {
        values: marginal,
        group: states.iter().map(|s| s[focal] as u32).collect(),
        groups: grid.cells,
    }
}

/// Per-cell rewards of two agents with correlation `rho ∈ [−1, 1]`, both
/// marginals uniform on `[lo, hi]` (POWERplay's construction): for each cell,
/// H's reward is uniform; with probability `|ρ|` A's reward is H's (ρ ≥ 0) or
/// its reflection `lo + hi − R_H` (ρ < 0), otherwise an independent draw. The
/// marginals stay uniform and `Corr(R_H, R_A) = ρ` exactly in expectation.
pub fn correlated_uniform_rewards(
    cells: usize,
    rho: f64,
    lo: f64,
    hi: f64,
    rng: &mut rand_pcg::Pcg64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    use rand::RngExt;
    let valid = (-1.0..=1.0).contains(&rho) && lo.is_finite() && hi.is_finite() && lo < hi;
    if !valid {
        return Err(Error::invalid(format!(
            "correlated rewards: need ρ in [−1, 1] and lo < hi (got ρ = {rho}, [{lo}, {hi}])"
        )));
    }
    let mut h = Vec::with_capacity(cells);
    let mut a = Vec::with_capacity(cells);
    for _ in 0..cells {
        let x = lo + (hi - lo) * rng.random::<f64>();
        let tied = rng.random::<f64>() < rho.abs();
        let independent = lo + (hi - lo) * rng.random::<f64>();
        h.push(x);
        a.push(match (tied, rho >= 0.0) {
            (true, true) => x,
            (true, false) => lo + hi - x,
            (false, _) => independent,
        });
    }
    Ok((h, a))
}

//! Several agents in one gridworld (docs/theory.md §8.1): joint states, turn orders, the
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

use std::sync::Arc;

use rayon::prelude::*;

use crate::error::{Error, Result};
use crate::mdp::reward::{Marginal, RewardDistribution};
use crate::mdp::{Mdp, Rows};

/// How agents take turns (`alternating` or `simultaneous` as text).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Turns {
    /// The focal agent moves, then each other agent in index order.
    Alternating,
    /// Everyone moves at once (collisions resolved by the no-overlap rule).
    Simultaneous,
}

/// The joint environment's rules.
#[derive(Clone, Copy, Debug)]
pub struct JointOptions {
    /// Number of agents, at least 2 (joint states grow as `cells^agents`).
    pub agents: usize,
    /// Turn order.
    pub turns: Turns,
    /// Two agents may not share a cell (see the module docs).
    pub no_overlap: bool,
    /// Probability in `[0, 1]` that a mover's intended move is replaced by a
    /// uniformly random allowed move.
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
    /// Number of open cells (the gridworld's states).
    pub cells: usize,
    /// `moves[c]`: the moves at cell `c`, as (action name, target cell).
    pub moves: Vec<Vec<(String, usize)>>,
    /// The cells' names (the gridworld's state names).
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

/// Sparse distributions over joint states, one per row, in compressed rows.
#[derive(Clone, Debug, Default)]
struct Effects {
    start: Vec<usize>,
    next: Vec<u32>,
    prob: Vec<f64>,
}

impl Effects {
    fn new() -> Self {
        Effects {
            start: vec![0],
            ..Default::default()
        }
    }

    fn row(&self, r: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        let range = self.start[r]..self.start[r + 1];
        self.next[range.clone()]
            .iter()
            .map(|&t| t as usize)
            .zip(self.prob[range].iter().copied())
    }

    /// Append a row, merging repeated successors and dropping zeros.
    fn push(&mut self, mut row: Vec<(usize, f64)>) {
        row.sort_by_key(|e| e.0);
        for (t, p) in row {
            if p <= 0.0 {
                continue;
            }
            match self.next[self.start[self.start.len() - 1]..].last() {
                Some(&last) if last as usize == t => *self.prob.last_mut().expect("same length") += p,
                _ => {
                    self.next.push(t as u32);
                    self.prob.push(p);
                }
            }
        }
        self.start.push(self.next.len());
    }
}

/// One agent's moves at every joint state ("slots"), in compressed rows.
#[derive(Clone, Debug)]
struct Moves {
    start: Vec<usize>,
    label: Vec<u32>,
    target: Vec<u32>,
}

impl Moves {
    fn slots(&self, s: usize) -> std::ops::Range<usize> {
        self.start[s]..self.start[s + 1]
    }
}

/// The joint environment as transition kernels, built once: each agent's
/// moves at every joint state and where they lead. [`JointDynamics::induced`]
/// composes them with the other agents' policies into the MDP a focal agent
/// faces, cheaply enough to do once per reward sample.
///
/// A policy of agent `i` is a table of probabilities over its slots: entry
/// `slot` for `slot` in [`JointDynamics::slots`]`(i, s)`.
#[derive(Clone, Debug)]
pub struct JointDynamics {
    opts: JointOptions,
    cells: usize,
    /// `positions[s * agents + i]`: agent i's cell in joint state s.
    positions: Vec<u32>,
    state_names: Arc<[String]>,
    move_names: Vec<String>,
    moves: Vec<Moves>,
    /// Alternating: per agent, where each of its slots leads. Simultaneous:
    /// one row per state and tuple of slots (agent 0's local slot fastest).
    effects: Vec<Effects>,
    tuple_start: Vec<usize>,
}

/// Where the states of a gridworld's stochastic game sit: the joint
/// dynamics it was built from and the grid's layout, for per-cell maps.
#[derive(Clone, Debug)]
pub struct GridPlacement {
    /// The joint environment the game was built from.
    pub dynamics: JointDynamics,
    /// The single-agent grid's layout.
    pub layout: crate::mdp::GridLayout,
}

impl GridPlacement {
    /// Per-cell means of per-state values (`values[g]` for every state of the
    /// game from [`JointDynamics::stochastic_game`]) at `agent`'s cell,
    /// averaged over the other agents' positions and, in turn-based games,
    /// over whose turn it is (NaN for cells no state puts the agent on).
    pub fn per_cell(&self, values: &[f64], agent: usize) -> Vec<f64> {
        let n = self.dynamics.n_states();
        cell_means(self.dynamics.cells(), values, |g| {
            Some(self.dynamics.position(g % n, agent))
        })
    }
}

/// A stochastic game from a file: `.json` in the stochastic-game format
/// (docs/theory.md §11.1), or a gridworld (`.grid`/`.txt`) that `opts.agents`
/// agents share under `opts`'s rules ([`JointDynamics::stochastic_game`]),
/// then with its [`GridPlacement`].
pub fn load_stochastic_game(
    path: &std::path::Path,
    opts: &JointOptions,
) -> Result<(crate::stochastic::StochasticGame, Option<GridPlacement>)> {
    match crate::input::extension(path).as_str() {
        "json" => Ok((crate::stochastic::json::load(path)?, None)),
        _ => {
            let mdp = crate::mdp::load(path)?;
            let layout = mdp
                .layout()
                .cloned()
                .ok_or_else(|| Error::invalid("a shared environment must be a gridworld (.grid)"))?;
            let dynamics = JointDynamics::new(&Grid::from_gridworld(&mdp)?, opts)?;
            let game = dynamics.stochastic_game()?;
            Ok((game, Some(GridPlacement { dynamics, layout })))
        }
    }
}

impl JointDynamics {
    /// Build the joint kernels of `opts.agents` agents on `grid`. Errors
    /// ([`Error::Invalid`]): fewer than 2 agents, noise outside `[0, 1]`, or
    /// more than 5·10^7 joint states.
    pub fn new(grid: &Grid, opts: &JointOptions) -> Result<Self> {
        if opts.agents < 2 || !(0.0..=1.0).contains(&opts.noise) {
            return Err(Error::invalid(format!(
                "joint environment: need at least 2 agents (got {}) and noise in [0, 1] (got {})",
                opts.agents, opts.noise
            )));
        }
        let k = opts.agents;
        let states = joint_states(grid, opts)?;
        let code = |p: &[usize]| p.iter().rev().fold(0usize, |acc, &c| acc * grid.cells + c);
        let mut index = vec![u32::MAX; grid.cells.pow(k as u32)];
        for (i, s) in states.iter().enumerate() {
            index[code(s)] = i as u32;
        }
        let lookup = |p: &[usize]| match index[code(p)] {
            u32::MAX => Err(Error::invalid("internal error: a move left the joint state space")),
            i => Ok(i as usize),
        };
        let mut move_names: Vec<String> = Vec::new();
        let mut label_of = |name: &str| match move_names.iter().position(|m| m == name) {
            Some(i) => i as u32,
            None => {
                move_names.push(name.to_string());
                (move_names.len() - 1) as u32
            }
        };
        let mut moves = Vec::with_capacity(k);
        let mut options: Vec<Vec<Vec<usize>>> = Vec::with_capacity(k); // [agent][state] allowed targets
        for agent in 0..k {
            let mut m = Moves {
                start: vec![0],
                label: Vec::new(),
                target: Vec::new(),
            };
            let mut opts_of_agent = Vec::with_capacity(states.len());
            for s in &states {
                let allowed_targets = allowed(grid, opts, s, agent);
                for (name, t) in grid.moves[s[agent]].iter().filter(|m| allowed_targets.contains(&m.1)) {
                    m.label.push(label_of(name));
                    m.target.push(*t as u32);
                }
                m.start.push(m.label.len());
                opts_of_agent.push(allowed_targets);
            }
            moves.push(m);
            options.push(opts_of_agent);
        }
        let mut effects = Vec::new();
        let mut tuple_start = Vec::new();
        match opts.turns {
            Turns::Alternating => {
                for agent in 0..k {
                    let mut e = Effects::new();
                    for (si, s) in states.iter().enumerate() {
                        for slot in moves[agent].slots(si) {
                            let intended = moves[agent].target[slot] as usize;
                            let row = with_noise(intended, &options[agent][si], opts.noise)
                                .into_iter()
                                .map(|(t, p)| {
                                    let mut next = s.clone();
                                    next[agent] = t;
                                    Ok((lookup(&next)?, p))
                                })
                                .collect::<Result<Vec<_>>>()?;
                            e.push(row);
                        }
                    }
                    effects.push(e);
                }
            }
            Turns::Simultaneous => {
                let mut e = Effects::new();
                tuple_start.push(0);
                for (si, s) in states.iter().enumerate() {
                    let counts: Vec<usize> = (0..k).map(|i| moves[i].slots(si).len()).collect();
                    let tuples: usize = counts.iter().product();
                    for t in 0..tuples {
                        let local = mixed_radix(t, &counts);
                        let landing: Vec<Vec<(usize, f64)>> = (0..k)
                            .map(|i| {
                                let intended = moves[i].target[moves[i].start[si] + local[i]] as usize;
                                with_noise(intended, &options[i][si], opts.noise)
                            })
                            .collect();
                        let mut row = Vec::new();
                        for combo in 0..landing.iter().map(Vec::len).product::<usize>() {
                            let pick = mixed_radix(combo, &landing.iter().map(Vec::len).collect::<Vec<_>>());
                            let mut pos: Vec<usize> = (0..k).map(|i| landing[i][pick[i]].0).collect();
                            let p: f64 = (0..k).map(|i| landing[i][pick[i]].1).product();
                            if p == 0.0 {
                                continue;
                            }
                            if opts.no_overlap {
                                resolve_collisions(s, &mut pos);
                            }
                            row.push((lookup(&pos)?, p));
                        }
                        e.push(row);
                    }
                    tuple_start.push(tuple_start[si] + tuples);
                }
                effects.push(e);
            }
        }
        let state_names: Arc<[String]> = states
            .iter()
            .map(|s| s.iter().map(|&c| grid.names[c].as_str()).collect::<Vec<_>>().join("|"))
            .collect();
        Ok(JointDynamics {
            opts: *opts,
            cells: grid.cells,
            positions: states.iter().flatten().map(|&c| c as u32).collect(),
            state_names,
            move_names,
            moves,
            effects,
            tuple_start,
        })
    }

    /// Number of joint states (every assignment of cells to agents, minus
    /// shared cells under no-overlap).
    pub fn n_states(&self) -> usize {
        self.state_names.len()
    }

    /// Number of agents.
    pub fn agents(&self) -> usize {
        self.opts.agents
    }

    /// The rules the environment was built with.
    pub fn options(&self) -> &JointOptions {
        &self.opts
    }

    /// Number of cells of the underlying grid.
    pub fn cells(&self) -> usize {
        self.cells
    }

    /// Agent `agent`'s cell in joint state `s`.
    pub fn position(&self, s: usize, agent: usize) -> usize {
        self.positions[s * self.opts.agents + agent] as usize
    }

    /// Joint state names: the agents' cell names joined by `|`.
    pub fn state_names(&self) -> &[String] {
        &self.state_names
    }

    /// The slots (indices into a policy table of `agent`) at joint state `s`.
    pub fn slots(&self, agent: usize, s: usize) -> std::ops::Range<usize> {
        self.moves[agent].slots(s)
    }

    /// Number of slots of `agent` over all joint states (a policy table's length).
    pub fn n_slots(&self, agent: usize) -> usize {
        self.moves[agent].label.len()
    }

    /// The move name of a slot of `agent`.
    pub fn move_name(&self, agent: usize, slot: usize) -> &str {
        &self.move_names[self.moves[agent].label[slot] as usize]
    }

    /// The uniformly random policy table of `agent`.
    pub fn uniform_policy(&self, agent: usize) -> Vec<f64> {
        let mut table = vec![0.0; self.n_slots(agent)];
        for s in 0..self.n_states() {
            let slots = self.slots(agent, s);
            let p = 1.0 / slots.len() as f64;
            table[slots].fill(p);
        }
        table
    }

    /// The joint environment as a stochastic game (docs/theory.md §11.1),
    /// players `H`, `A` (two agents) or `agent 0`, `agent 1`, … With
    /// simultaneous moves its states are the joint states and its joint
    /// actions every tuple of moves. With alternating turns it is turn-based:
    /// a state is a joint state and whose turn it is (named `<joint state>#<agent>`,
    /// agent 0's turn first in state order), and each move passes the turn
    /// on, so one round of all agents takes `agents` steps of the game.
    /// Probabilities are the exact rationals of the floating-point ones,
    /// renormalised to sum to exactly 1.
    pub fn stochastic_game(&self) -> Result<crate::stochastic::StochasticGame> {
        use crate::stochastic::{GameBuilder, Row};
        let k = self.opts.agents;
        // Estimate before allocating: exact probabilities (rationals) and
        // their floats per stored transition, as built and as frozen.
        let transitions: usize = self.effects.iter().map(|e| e.next.len()).sum();
        crate::resources::check(transitions as f64 * 2.0 * (48.0 + 16.0 + 8.0 + 4.0), || {
            format!(
                "a stochastic game of {} joint states and {transitions} transitions",
                self.n_states()
            )
        })?;
        let players: Vec<String> = if k == 2 {
            vec!["H".into(), "A".into()]
        } else {
            (0..k).map(|i| format!("agent {i}")).collect()
        };
        let n = self.n_states();
        let exact_row = |row: Vec<(usize, f64)>| -> Result<Row> {
            use num_traits::FromPrimitive;
            let mut out: Row = Vec::with_capacity(row.len());
            for (t, p) in row {
                let q = crate::exact::Rational::from_f64(p)
                    .ok_or_else(|| Error::invalid(format!("transition probability {p} is not finite")))?;
                out.push((t, q));
            }
            let total: crate::exact::Rational = out.iter().map(|e| e.1.clone()).sum();
            if num_traits::One::is_one(&total) {
                // Already a distribution (deterministic moves): nothing to divide.
                return Ok(out);
            }
            Ok(out.into_iter().map(|(t, q)| (t, q / &total)).collect())
        };
        let names_of = |i: usize, s: usize| -> Vec<String> {
            self.slots(i, s)
                .map(|slot| self.move_name(i, slot).to_string())
                .collect()
        };
        match self.opts.turns {
            Turns::Simultaneous => {
                let mut b = GameBuilder::new(players, self.state_names.to_vec());
                for s in 0..n {
                    let actions: Vec<Vec<String>> = (0..k).map(|i| names_of(i, s)).collect();
                    let rows = (self.tuple_start[s]..self.tuple_start[s + 1])
                        .map(|r| exact_row(self.effects[0].row(r).collect()))
                        .collect::<Result<Vec<_>>>()?;
                    b.state(s, actions, rows)?;
                }
                b.build()
            }
            Turns::Alternating => {
                let names = (0..k)
                    .flat_map(|i| self.state_names.iter().map(move |name| format!("{name}#{i}")))
                    .collect();
                let mut b = GameBuilder::new(players, names);
                let mut movers = Vec::with_capacity(k * n);
                for i in 0..k {
                    let next_turn = (i + 1) % k;
                    for s in 0..n {
                        let actions: Vec<Vec<String>> = (0..k)
                            .map(|j| {
                                if j == i {
                                    names_of(i, s)
                                } else {
                                    vec!["wait".to_string()]
                                }
                            })
                            .collect();
                        let rows = self
                            .slots(i, s)
                            .map(|slot| {
                                exact_row(self.effects[i].row(slot).map(|(t, p)| (next_turn * n + t, p)).collect())
                            })
                            .collect::<Result<Vec<_>>>()?;
                        b.state(i * n + s, actions, rows)?;
                        movers.push(i);
                    }
                }
                b.turn_based(movers);
                b.build()
            }
        }
    }

    /// The MDP agent `focal` faces when every other agent `j` follows the
    /// policy table `policies[j]` (the focal agent's own entry is ignored).
    /// Its states are the joint states; its actions at `s` are the focal
    /// agent's slots at `s`, in order (global action index = slot).
    pub fn induced(&self, focal: usize, policies: &[&[f64]]) -> Result<Mdp> {
        let k = self.opts.agents;
        if focal >= k {
            return Err(Error::invalid(format!(
                "focal agent {focal} does not exist ({k} agents, numbered from 0)"
            )));
        }
        if policies.len() != k {
            return Err(Error::invalid(format!(
                "induced MDP: {} policy tables for {k} agents",
                policies.len()
            )));
        }
        for j in (0..k).filter(|&j| j != focal) {
            if policies[j].len() != self.n_slots(j) {
                return Err(Error::invalid(format!(
                    "induced MDP: agent {j}'s policy has {} entries, its moves over all joint states number {}",
                    policies[j].len(),
                    self.n_slots(j)
                )));
            }
        }
        let n = self.n_states();
        // Rows are built in parallel over chunks of states, each with its own dense accumulator.
        const CHUNK: usize = 4096;
        let chunks: Vec<ChunkRows> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map_init(
                || (vec![0.0f64; n], Vec::<usize>::new()),
                |(acc, touched), chunk| {
                    let (mut labels, mut per_state, mut lens, mut next, mut prob) =
                        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
                    for s in chunk * CHUNK..((chunk + 1) * CHUNK).min(n) {
                        for a in self.slots(focal, s) {
                            self.accumulate_row(focal, s, a, policies, &mut |t, p| {
                                if acc[t] == 0.0 {
                                    touched.push(t);
                                }
                                acc[t] += p;
                            });
                            touched.sort_unstable();
                            let total: f64 = touched.iter().map(|&t| acc[t]).sum();
                            for &t in touched.iter() {
                                next.push(t as u32);
                                prob.push(acc[t] / total);
                                acc[t] = 0.0;
                            }
                            lens.push(touched.len());
                            touched.clear();
                            labels.push(self.moves[focal].label[a]);
                        }
                        per_state.push(self.slots(focal, s).len());
                    }
                    (labels, per_state, lens, next, prob)
                },
            )
            .collect();
        let mut rows = Rows {
            action_start: Vec::with_capacity(n + 1),
            action_label: Vec::with_capacity(self.n_slots(focal)),
            succ_start: Vec::with_capacity(self.n_slots(focal) + 1),
            succ_state: Vec::new(),
            succ_prob: Vec::new(),
        };
        rows.action_start.push(0);
        rows.succ_start.push(0);
        for (labels, per_state, lens, next, prob) in chunks {
            for count in per_state {
                rows.action_start
                    .push(rows.action_start[rows.action_start.len() - 1] + count);
            }
            for len in lens {
                rows.succ_start.push(rows.succ_start[rows.succ_start.len() - 1] + len);
            }
            rows.action_label.extend(labels);
            rows.succ_state.extend(next);
            rows.succ_prob.extend(prob);
        }
        Ok(Mdp::from_rows(rows, self.move_names.clone(), self.state_names.clone()))
    }

    /// Feed `(next state, probability)` of the focal agent's slot `a` at `s`
    /// (repeats allowed) to `emit`, composing the others' policies.
    fn accumulate_row(&self, focal: usize, s: usize, a: usize, policies: &[&[f64]], emit: &mut impl FnMut(usize, f64)) {
        let k = self.opts.agents;
        match self.opts.turns {
            Turns::Alternating => {
                // The focal agent moves, then each other agent in index order.
                let mut frontier: Vec<(usize, f64)> = self.effects[focal].row(a).collect();
                for o in (0..k).filter(|&o| o != focal) {
                    let mut step = Vec::with_capacity(frontier.len() * 4);
                    for (s1, p) in frontier {
                        for b in self.slots(o, s1) {
                            let w = p * policies[o][b];
                            if w > 0.0 {
                                step.extend(self.effects[o].row(b).map(|(t, q)| (t, w * q)));
                            }
                        }
                    }
                    frontier = step;
                }
                for (t, p) in frontier {
                    emit(t, p);
                }
            }
            Turns::Simultaneous => {
                // Enumerate the others' slot tuples without allocating: decode
                // each tuple's digits and the row's mixed-radix code together.
                let local_focal = a - self.moves[focal].start[s];
                let tuples: usize = (0..k).filter(|&o| o != focal).map(|o| self.slots(o, s).len()).product();
                for t in 0..tuples {
                    let (mut rest, mut code, mut stride, mut w) = (t, 0, 1, 1.0);
                    for i in 0..k {
                        let slots = self.slots(i, s);
                        let local = if i == focal {
                            local_focal
                        } else {
                            let d = rest % slots.len();
                            rest /= slots.len();
                            w *= policies[i][slots.start + d];
                            d
                        };
                        code += local * stride;
                        stride *= slots.len();
                    }
                    if w > 0.0 {
                        for (next, q) in self.effects[0].row(self.tuple_start[s] + code) {
                            emit(next, w * q);
                        }
                    }
                }
            }
        }
    }
}

/// Rows of a chunk of states: action labels, actions per state, successors
/// per action, successor states and probabilities.
type ChunkRows = (Vec<u32>, Vec<usize>, Vec<usize>, Vec<u32>, Vec<f64>);

/// Digits of `index` in the mixed radix `radices` (first digit fastest).
fn mixed_radix(mut index: usize, radices: &[usize]) -> Vec<usize> {
    radices
        .iter()
        .map(|&r| {
            let d = index % r;
            index /= r;
            d
        })
        .collect()
}

/// Simultaneous moves under no-overlap: agents landing on a shared cell, or
/// swapping cells, stay where they were.
fn resolve_collisions(before: &[usize], after: &mut [usize]) {
    let collided: Vec<bool> = (0..after.len())
        .map(|i| {
            (0..after.len())
                .any(|j| j != i && (after[j] == after[i] || (after[j] == before[i] && after[i] == before[j])))
        })
        .collect();
    for (i, c) in collided.into_iter().enumerate() {
        if c {
            after[i] = before[i];
        }
    }
}

/// The MDP the focal agent faces when every other agent follows `policy`
/// (a function of the agent, the joint positions and its allowed target
/// cells), with the joint states (agents' cells).
pub fn induced_mdp(grid: &Grid, opts: &JointOptions, focal: usize, policy: &Policy) -> Result<(Mdp, Vec<Vec<usize>>)> {
    let dynamics = JointDynamics::new(grid, opts)?;
    let k = opts.agents;
    let states: Vec<Vec<usize>> = (0..dynamics.n_states())
        .map(|s| (0..k).map(|i| dynamics.position(s, i)).collect())
        .collect();
    let tables: Vec<Vec<f64>> = (0..k)
        .map(|j| {
            let mut table = vec![0.0; dynamics.n_slots(j)];
            if j != focal {
                for (s, pos) in states.iter().enumerate() {
                    let slots = dynamics.slots(j, s);
                    let targets: Vec<usize> = slots.clone().map(|x| dynamics.moves[j].target[x] as usize).collect();
                    let probs = policy(j, pos, &targets);
                    if probs.len() != targets.len() || probs.iter().any(|p| !p.is_finite() || *p < 0.0) {
                        return Err(Error::invalid(format!(
                            "agent {j}'s policy at joint state '{}' gave {probs:?} for {} moves",
                            dynamics.state_names[s],
                            targets.len()
                        )));
                    }
                    table[slots].copy_from_slice(&probs);
                }
            }
            Ok(table)
        })
        .collect::<Result<_>>()?;
    let refs: Vec<&[f64]> = tables.iter().map(Vec::as_slice).collect();
    Ok((dynamics.induced(focal, &refs)?, states))
}

/// Per-cell means of per-joint-state `values`: joint state `s` counts for
/// cell `cell_of(s)` (or for none); NaN for cells no joint state counts for.
pub fn cell_means(cells: usize, values: &[f64], cell_of: impl Fn(usize) -> Option<usize>) -> Vec<f64> {
    let mut sum = vec![0.0; cells];
    let mut count = vec![0usize; cells];
    for (s, v) in values.iter().enumerate() {
        if let Some(c) = cell_of(s) {
            sum[c] += v;
            count[c] += 1;
        }
    }
    sum.iter()
        .zip(&count)
        .map(|(s, &c)| if c > 0 { s / c as f64 } else { f64::NAN })
        .collect()
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

/// POWERplay's ρ-correlated uniform rewards; it lives with the reward
/// profiles of stochastic games and is re-exported here for joint gridworlds.
pub use crate::stochastic::reward::correlated_uniform_rewards;

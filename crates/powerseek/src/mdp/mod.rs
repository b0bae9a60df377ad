//! Finite MDPs: states, per-state actions and sparse transition rows.
//!
//! An [`Mdp`] is immutable once built. Transitions are stored in compressed
//! sparse rows: the actions of state `s` are the global action indices
//! `actions(s)`, and the successors of action `a` are `successors(a)`. When
//! every action has a single successor with probability 1 the MDP is
//! *deterministic* and solvers use a faster kernel that skips probabilities.
//!
//! Rewards are not part of the MDP: they come from a
//! [`RewardDistribution`](crate::mdp::reward::RewardDistribution), because POWER is
//! an expectation over reward functions.
//!
//! Loaders for the supported file formats live in the submodules
//! [`gridworld`], [`json`] and [`cassandra`]; [`load`] picks one by file extension.
//! Partially observable MDPs (a Cassandra file's observation model and start
//! belief, POWER at a belief) are in [`pomdp`].

pub mod cassandra;
pub mod gamma_sweep;
pub mod gridworld;
pub mod json;
pub mod kernel;
pub mod map;
mod mean_payoff;
pub mod polytope;
pub mod pomdp;
pub mod power;
pub mod power_io;
pub mod reward;
pub mod solve;
pub mod visits;

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::error::{Error, Result};

/// Probabilities in a transition row must sum to 1 within this tolerance
/// (pomdp-solve's, so files written with six decimals, such as three entries
/// `0.333333`, are read); rows inside it are renormalised, with a note (see
/// [`Mdp::notes`]) when they are off by more than [`QUIET_ROUNDING`].
pub const ROW_SUM_TOLERANCE: f64 = 1e-5;

/// Row sums within this distance of 1 are floating-point rounding of exact
/// input and are renormalised without a note.
pub const QUIET_ROUNDING: f64 = 1e-9;

/// A finite Markov decision process without rewards.
#[derive(Clone, Debug)]
pub struct Mdp {
    action_start: Vec<usize>,
    action_label: Vec<u32>,
    succ_start: Vec<usize>,
    succ_state: Vec<u32>,
    succ_prob: Vec<f64>,
    action_names: Vec<String>,
    /// Shared so that per-sample MDPs over one state space (see `sequential`) do not copy names.
    state_names: Arc<[String]>,
    features: Option<Features>,
    layout: Option<GridLayout>,
    start: Option<usize>,
    discount: Option<f64>,
    deterministic: bool,
    /// What loading changed without failing (renormalised rows), for the front end to show.
    notes: Vec<String>,
}

/// Per-state feature vectors `φ(s)`, stored row-major (`n_states × names.len()`).
#[derive(Clone, Debug, PartialEq)]
pub struct Features {
    /// The feature names, one per column (distinct; used in reports and by
    /// feature-based reward distributions).
    pub names: Vec<String>,
    /// `values[s * names.len() + k]` is feature `k` of state `s`; finite.
    pub values: Vec<f64>,
}

impl Features {
    /// Number of features per state (the length of every `φ(s)`).
    pub fn n_features(&self) -> usize {
        self.names.len()
    }
    /// The feature vector of state `s`.
    pub fn of(&self, s: usize) -> &[f64] {
        let f = self.n_features();
        &self.values[s * f..(s + 1) * f]
    }
}

/// What a gridworld cell is; used for drawing heatmaps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cell {
    /// A wall, or a cell outside the drawn rows: not a state, drawn blank.
    Wall,
    /// An open cell (floor, start, terminal, one-way or slippery): a state.
    Open,
}

/// Where each state of a gridworld sits, so results can be drawn as a map.
#[derive(Clone, Debug)]
pub struct GridLayout {
    /// Number of columns (the longest drawn row).
    pub width: usize,
    /// Number of drawn rows.
    pub height: usize,
    /// `cells[row * width + col]`
    pub cells: Vec<Cell>,
    /// `(row, col)` of each state.
    pub position: Vec<(usize, usize)>,
}

impl Mdp {
    /// Number of states (at least 1; states are `0..n_states()`).
    pub fn n_states(&self) -> usize {
        self.action_start.len() - 1
    }
    /// Total number of (state, action) pairs.
    pub fn n_state_actions(&self) -> usize {
        self.action_label.len()
    }
    /// Total number of stored transitions (non-zero entries of `T`).
    pub fn n_transitions(&self) -> usize {
        self.succ_state.len()
    }
    /// Global indices of the actions available in `s`.
    #[inline]
    pub fn actions(&self, s: usize) -> Range<usize> {
        self.action_start[s]..self.action_start[s + 1]
    }
    /// Successor states and their probabilities for global action `a`.
    #[inline]
    pub fn successors(&self, a: usize) -> (&[u32], &[f64]) {
        let r = self.succ_start[a]..self.succ_start[a + 1];
        (&self.succ_state[r.clone()], &self.succ_prob[r])
    }
    /// For deterministic MDPs: the unique successor of global action `a`.
    #[inline]
    pub fn successor(&self, a: usize) -> usize {
        debug_assert!(self.deterministic);
        self.succ_state[a] as usize
    }
    /// For deterministic MDPs, the successor of every global action (`[a]`).
    pub fn deterministic_successors(&self) -> Option<&[u32]> {
        self.deterministic.then_some(&self.succ_state[..])
    }
    /// The transition arrays in compressed sparse rows, for the solver's kernels.
    pub(crate) fn csr(&self) -> kernel::Csr<'_> {
        kernel::Csr {
            action_start: &self.action_start,
            succ_start: &self.succ_start,
            succ_state: &self.succ_state,
            succ_prob: &self.succ_prob,
            deterministic: self.deterministic,
        }
    }
    /// Every action moves to one state with probability 1.
    pub fn is_deterministic(&self) -> bool {
        self.deterministic
    }
    /// The name of global action `a` (e.g. `"up"`).
    pub fn action_name(&self, a: usize) -> &str {
        &self.action_names[self.action_label[a] as usize]
    }
    /// All distinct action names, in first-seen order.
    pub fn action_names(&self) -> &[String] {
        &self.action_names
    }
    /// The label index of global action `a` into [`Mdp::action_names`].
    pub fn action_label(&self, a: usize) -> usize {
        self.action_label[a] as usize
    }
    /// The name of state `s` as the file wrote it (gridworlds name cells
    /// `(row,col)`, 0-based).
    pub fn state_name(&self, s: usize) -> &str {
        &self.state_names[s]
    }
    /// The state names, shared (cheap to clone).
    pub(crate) fn shared_state_names(&self) -> Arc<[String]> {
        self.state_names.clone()
    }
    /// The names of all states, indexed by state.
    pub fn state_names(&self) -> &[String] {
        &self.state_names
    }
    /// Index of the state called `name`.
    pub fn state_index(&self, name: &str) -> Option<usize> {
        self.state_names.iter().position(|n| n == name)
    }
    /// Per-state feature vectors, when the file (or [`Mdp::with_features`]) gave them.
    pub fn features(&self) -> Option<&Features> {
        self.features.as_ref()
    }
    /// Where each state sits on a grid, for MDPs loaded from a gridworld (used to draw maps).
    pub fn layout(&self) -> Option<&GridLayout> {
        self.layout.as_ref()
    }
    /// The start state, when the file names one (`S` in a gridworld, `start:`
    /// in Cassandra, `"start"` in JSON); analyses that need one state default to it.
    pub fn start(&self) -> Option<usize> {
        self.start
    }
    /// The discount rate written in the file, if the format has one.
    pub fn discount(&self) -> Option<f64> {
        self.discount
    }
    /// Remarks about how the input was read that do not make it invalid (such
    /// as rows renormalised within [`ROW_SUM_TOLERANCE`]); front ends show them
    /// (the CLI on stderr, Python as warnings).
    pub fn notes(&self) -> &[String] {
        &self.notes
    }
    /// Replace the notes (loaders restate the builder's notes with a file and line).
    pub(crate) fn with_notes(mut self, notes: Vec<String>) -> Self {
        self.notes = notes;
        self
    }
    /// The largest number of actions any state has (at least 1: every state has an action).
    pub fn max_actions(&self) -> usize {
        (0..self.n_states()).map(|s| self.actions(s).len()).max().unwrap_or(0)
    }

    pub(crate) fn with_layout(mut self, layout: GridLayout) -> Self {
        self.layout = Some(layout);
        self
    }
    pub(crate) fn with_start(mut self, start: Option<usize>) -> Self {
        self.start = start;
        self
    }
    pub(crate) fn with_discount(mut self, discount: Option<f64>) -> Self {
        self.discount = discount;
        self
    }
    /// Attach per-state features (`values` is row-major `n_states × names.len()`).
    pub fn with_features(mut self, features: Features) -> Result<Self> {
        if features.values.len() != self.n_states() * features.n_features() {
            return Err(Error::invalid(format!(
                "features: expected {} values ({} states × {} features), got {}",
                self.n_states() * features.n_features(),
                self.n_states(),
                features.n_features(),
                features.values.len()
            )));
        }
        if let Some(i) = features.values.iter().position(|v| !v.is_finite()) {
            let f = features.n_features();
            return Err(Error::invalid(format!(
                "features: state '{}', feature '{}' is not a finite number",
                self.state_names[i / f],
                features.names[i % f]
            )));
        }
        self.features = Some(features);
        Ok(self)
    }

    /// Attach a map of where each state sits (for heatmaps), checked: one
    /// position per state, inside the grid, on an open cell, no two states on
    /// one cell, and every open cell holding a state.
    pub fn with_grid_layout(self, layout: GridLayout) -> Result<Self> {
        let bad = |m: String| Err(Error::invalid(format!("layout: {m}")));
        let cells = layout.width.checked_mul(layout.height);
        if cells != Some(layout.cells.len()) {
            return bad(format!(
                "{} cells for a {}×{} grid",
                layout.cells.len(),
                layout.height,
                layout.width
            ));
        }
        if layout.position.len() != self.n_states() {
            return bad(format!(
                "{} positions for {} states",
                layout.position.len(),
                self.n_states()
            ));
        }
        let mut taken = vec![false; layout.cells.len()];
        for (s, &(r, c)) in layout.position.iter().enumerate() {
            let name = &self.state_names[s];
            if r >= layout.height || c >= layout.width {
                return bad(format!(
                    "state '{name}' at ({r},{c}) is outside the {}×{} grid",
                    layout.height, layout.width
                ));
            }
            let k = r * layout.width + c;
            if layout.cells[k] != Cell::Open {
                return bad(format!("state '{name}' sits on the wall at ({r},{c})"));
            }
            if std::mem::replace(&mut taken[k], true) {
                return bad(format!("state '{name}' shares cell ({r},{c}) with another state"));
            }
        }
        if let Some(k) = (0..taken.len()).find(|&k| layout.cells[k] == Cell::Open && !taken[k]) {
            return bad(format!(
                "the open cell ({},{}) holds no state",
                k / layout.width,
                k % layout.width
            ));
        }
        Ok(self.with_layout(layout))
    }

    /// Record the discount rate (POWER's default γ then), checked to be in [0, 1].
    pub fn with_discount_rate(self, discount: f64) -> Result<Self> {
        if !(0.0..=1.0).contains(&discount) {
            return Err(Error::invalid(format!("discount {discount} is not in [0, 1]")));
        }
        Ok(self.with_discount(Some(discount)))
    }

    /// Name the start state (analyses that need one state default to it).
    pub fn with_start_state(self, start: usize) -> Result<Self> {
        if start >= self.n_states() {
            return Err(Error::invalid(format!(
                "start state index {start} out of range ({} states)",
                self.n_states()
            )));
        }
        Ok(self.with_start(Some(start)))
    }

    /// The same MDP with state `s` renamed to position `perm[s]`.
    /// POWER is invariant under such relabelling (tests rely on this).
    pub fn relabel_states(&self, perm: &[usize]) -> Result<Mdp> {
        let n = self.n_states();
        let mut seen = vec![false; n];
        if perm.len() != n || perm.iter().any(|&p| p >= n || std::mem::replace(&mut seen[p], true)) {
            return Err(Error::invalid("relabel_states: not a permutation of the states"));
        }
        let mut inverse = vec![0; n];
        for (s, &p) in perm.iter().enumerate() {
            inverse[p] = s;
        }
        let mut b = MdpBuilder::new(inverse.iter().map(|&s| self.state_names[s].clone()).collect());
        for &old in &inverse {
            for a in self.actions(old) {
                let (next, prob) = self.successors(a);
                let row: Vec<(usize, f64)> = next.iter().zip(prob).map(|(&t, &p)| (perm[t as usize], p)).collect();
                b.add_action(perm[old], self.action_name(a), &row)?;
            }
        }
        let mut m = b.build()?;
        if let Some(f) = &self.features {
            let k = f.n_features();
            let values = inverse
                .iter()
                .flat_map(|&s| f.values[s * k..(s + 1) * k].to_vec())
                .collect();
            m = m.with_features(Features {
                names: f.names.clone(),
                values,
            })?;
        }
        Ok(m.with_start(self.start.map(|s| perm[s])))
    }
}

/// An MDP's transition structure in compressed rows, assembled by other
/// modules that guarantee validity themselves (rows sorted by successor,
/// positive, summing to 1; every state with an action).
pub(crate) struct Rows {
    pub action_start: Vec<usize>,
    pub action_label: Vec<u32>,
    pub succ_start: Vec<usize>,
    pub succ_state: Vec<u32>,
    pub succ_prob: Vec<f64>,
}

impl Mdp {
    /// Freeze prevalidated rows; cheap, so it suits one MDP per reward sample.
    pub(crate) fn from_rows(rows: Rows, action_names: Vec<String>, state_names: Arc<[String]>) -> Mdp {
        debug_assert_eq!(rows.action_start.len(), state_names.len() + 1);
        debug_assert!(rows.action_start.windows(2).all(|w| w[0] < w[1]));
        debug_assert_eq!(rows.succ_start.len(), rows.action_label.len() + 1);
        let deterministic = rows.succ_state.len() == rows.action_label.len();
        Mdp {
            action_start: rows.action_start,
            action_label: rows.action_label,
            succ_start: rows.succ_start,
            succ_state: rows.succ_state,
            succ_prob: rows.succ_prob,
            action_names,
            state_names,
            features: None,
            layout: None,
            start: None,
            discount: None,
            deterministic,
            notes: Vec::new(),
        }
    }
}

/// Assembles an [`Mdp`] action by action, then validates it in [`MdpBuilder::build`].
#[derive(Debug)]
pub struct MdpBuilder {
    state_names: Vec<String>,
    action_names: Vec<String>,
    label_of: HashMap<String, u32>,
    /// (state, label, range into `succ`)
    records: Vec<(usize, u32, Range<usize>)>,
    succ: Vec<(usize, f64)>,
}

impl MdpBuilder {
    /// A builder for an MDP whose states carry these names.
    pub fn new(state_names: Vec<String>) -> Self {
        MdpBuilder {
            state_names,
            action_names: Vec::new(),
            label_of: HashMap::new(),
            records: Vec::new(),
            succ: Vec::new(),
        }
    }

    /// A builder with states named `0..n`.
    pub fn with_states(n: usize) -> Self {
        Self::new((0..n).map(|s| s.to_string()).collect())
    }

    /// Number of states the MDP will have (fixed by the names given to [`MdpBuilder::new`]).
    pub fn n_states(&self) -> usize {
        self.state_names.len()
    }

    /// Add action `name` at `state` with successor distribution `row` of
    /// `(next_state, probability)` pairs. Index and probability checks happen here;
    /// the row-sum and no-action checks happen in [`MdpBuilder::build`].
    pub fn add_action(&mut self, state: usize, name: &str, row: &[(usize, f64)]) -> Result<()> {
        let n = self.n_states();
        let state_name = |s: usize| self.state_names.get(s).cloned().unwrap_or_else(|| s.to_string());
        if state >= n {
            return Err(Error::invalid(format!(
                "action '{name}': state index {state} out of range ({n} states)"
            )));
        }
        for &(t, p) in row {
            if t >= n {
                return Err(Error::invalid(format!(
                    "state '{}', action '{name}': successor index {t} out of range ({n} states)",
                    state_name(state)
                )));
            }
            if !p.is_finite() || p < 0.0 {
                return Err(Error::invalid(format!(
                    "state '{}', action '{name}': probability {p} of successor '{}' is not a finite non-negative number",
                    state_name(state),
                    state_name(t)
                )));
            }
        }
        let next_label = self.action_names.len() as u32;
        let label = *self.label_of.entry(name.to_string()).or_insert_with(|| {
            self.action_names.push(name.to_string());
            next_label
        });
        let begin = self.succ.len();
        self.succ.extend_from_slice(row);
        self.records.push((state, label, begin..self.succ.len()));
        Ok(())
    }

    /// Validate and freeze: every state has an action, each action's row sums to 1
    /// (within [`ROW_SUM_TOLERANCE`]; then renormalised), no action name repeats
    /// within a state. Duplicate successors in a row are merged and zeros dropped.
    pub fn build(mut self) -> Result<Mdp> {
        let n = self.n_states();
        if n == 0 {
            return Err(Error::invalid("the MDP has no states"));
        }
        if n > u32::MAX as usize {
            return Err(Error::invalid("more than 2^32 states are not supported"));
        }
        self.records.sort_by_key(|r| r.0); // stable: keeps action order within a state
        let mut action_start = Vec::with_capacity(n + 1);
        let mut action_label = Vec::with_capacity(self.records.len());
        let mut succ_start = Vec::with_capacity(self.records.len() + 1);
        let mut succ_state = Vec::with_capacity(self.succ.len());
        let mut succ_prob = Vec::with_capacity(self.succ.len());
        let mut r = 0;
        let mut row: Vec<(usize, f64)> = Vec::new();
        // Rows renormalised beyond rounding: how many, and the worst (deviation, state, action).
        let mut renormalised = 0usize;
        let mut worst: Option<(f64, usize, u32)> = None;
        succ_start.push(0);
        for s in 0..n {
            action_start.push(action_label.len());
            let first = r;
            while r < self.records.len() && self.records[r].0 == s {
                let (_, label, range) = self.records[r].clone();
                let action = &self.action_names[label as usize];
                if self.records[first..r].iter().any(|x| x.1 == label) {
                    return Err(Error::invalid(format!(
                        "state '{}': action '{action}' is defined twice",
                        self.state_names[s]
                    )));
                }
                row.clear();
                row.extend_from_slice(&self.succ[range]);
                row.sort_by_key(|e| e.0);
                row.dedup_by(|b, a| {
                    if a.0 == b.0 {
                        a.1 += b.1;
                        true
                    } else {
                        false
                    }
                });
                row.retain(|e| e.1 > 0.0);
                let total: f64 = row.iter().map(|e| e.1).sum();
                if (total - 1.0).abs() > ROW_SUM_TOLERANCE {
                    return Err(Error::invalid(format!(
                        "state '{}', action '{action}': transition probabilities sum to {total}, not 1",
                        self.state_names[s]
                    )));
                }
                let deviation = (total - 1.0).abs();
                if deviation > QUIET_ROUNDING {
                    renormalised += 1;
                    if worst.is_none_or(|w| deviation > w.0) {
                        worst = Some((deviation, s, label));
                    }
                }
                for &(t, p) in &row {
                    succ_state.push(t as u32);
                    succ_prob.push(if row.len() == 1 { 1.0 } else { p / total });
                }
                succ_start.push(succ_state.len());
                action_label.push(label);
                r += 1;
            }
            if r == first {
                return Err(Error::invalid(format!(
                    "state '{}' has no actions (every state needs at least one; make terminal states absorbing)",
                    self.state_names[s]
                )));
            }
        }
        action_start.push(action_label.len());
        let deterministic = succ_state.len() == action_label.len();
        let notes = worst
            .map(|(d, s, label)| {
                format!(
                    "{renormalised} transition row{} summed to 1 only within {ROW_SUM_TOLERANCE:e} and {} renormalised \
                     (largest deviation {d:.1e}: state '{}', action '{}')",
                    if renormalised == 1 { "" } else { "s" },
                    if renormalised == 1 { "was" } else { "were" },
                    self.state_names[s],
                    self.action_names[label as usize]
                )
            })
            .into_iter()
            .collect();
        Ok(Mdp {
            action_start,
            action_label,
            succ_start,
            succ_state,
            succ_prob,
            action_names: self.action_names,
            state_names: self.state_names.into(),
            features: None,
            layout: None,
            start: None,
            discount: None,
            deterministic,
            notes,
        })
    }
}

/// An MDP from a dense transition table `T[s, a, s']` of shape `shape =
/// (states, actions, states)`, row-major; action `a` exists at state `s`
/// unless its row is all zero. The names must match the shape.
pub fn from_dense(
    transitions: &[f64],
    shape: (usize, usize, usize),
    state_names: Vec<String>,
    action_names: &[String],
) -> Result<Mdp> {
    let (n, k, m) = shape;
    if m != n || transitions.len() != n * k * m {
        return Err(Error::invalid(format!(
            "transitions: shape ({n}, {k}, {m}) is not (states, actions, states)"
        )));
    }
    if state_names.len() != n {
        return Err(Error::invalid(format!(
            "state_names: {} names for {n} states (the transition table's first axis)",
            state_names.len()
        )));
    }
    if action_names.len() != k {
        return Err(Error::invalid(format!(
            "action_names: {} names for {k} actions (the transition table's second axis)",
            action_names.len()
        )));
    }
    if let Some(name) = action_names
        .iter()
        .enumerate()
        .find_map(|(i, a)| action_names[..i].contains(a).then_some(a))
    {
        return Err(Error::invalid(format!("action_names: '{name}' is given twice")));
    }
    let mut b = MdpBuilder::new(state_names);
    for s in 0..n {
        for (a, name) in action_names.iter().enumerate() {
            let base = (s * k + a) * n;
            let row: Vec<(usize, f64)> = (0..n)
                .map(|t| (t, transitions[base + t]))
                .filter(|e| e.1 != 0.0)
                .collect();
            if !row.is_empty() {
                b.add_action(s, name, &row)?;
            }
        }
    }
    b.build()
}

/// Sparse transition entries in coordinate form: entry `i` says
/// `T[state[i], action[i], next[i]] = prob[i]` (the four slices have one
/// length). Entries repeating a `(state, action, next)` are summed.
#[derive(Clone, Copy, Debug)]
pub struct SparseTransitions<'a> {
    /// The state of each entry (below the number of states).
    pub state: &'a [usize],
    /// The action of each entry, an index into the action names.
    pub action: &'a [usize],
    /// The successor of each entry (below the number of states).
    pub next: &'a [usize],
    /// The probability of each entry (finite, non-negative).
    pub prob: &'a [f64],
}

/// An MDP from sparse transition entries (see [`SparseTransitions`]), so
/// large MDPs need not pass through a dense `S × A × S` table. Action `a`
/// exists at state `s` when some entry with `(s, a)` has a positive
/// probability; its row must then sum to 1 (as in [`MdpBuilder::build`]).
/// Actions keep the order of `action_names` within each state.
pub fn from_sparse(t: &SparseTransitions<'_>, state_names: Vec<String>, action_names: &[String]) -> Result<Mdp> {
    let len = t.state.len();
    if t.action.len() != len || t.next.len() != len || t.prob.len() != len {
        return Err(Error::invalid(format!(
            "sparse transitions: {} states, {} actions, {} successors and {} probabilities (one of each per entry)",
            len,
            t.action.len(),
            t.next.len(),
            t.prob.len()
        )));
    }
    if let Some(name) = action_names
        .iter()
        .enumerate()
        .find_map(|(i, a)| action_names[..i].contains(a).then_some(a))
    {
        return Err(Error::invalid(format!("action_names: '{name}' is given twice")));
    }
    let (n, k) = (state_names.len(), action_names.len());
    crate::resources::check_mdp(
        "sparse transitions",
        n as f64,
        len.min(n.saturating_mul(k)) as f64,
        len as f64,
        len as f64 * 8.0,
    )?;
    if let Some(i) = (0..len).find(|&i| t.action[i] >= k) {
        return Err(Error::invalid(format!(
            "sparse transitions: entry {i} has action index {} but there are {k} action names",
            t.action[i]
        )));
    }
    if let Some(i) = (0..len).find(|&i| t.state[i] >= n) {
        return Err(Error::invalid(format!(
            "sparse transitions: entry {i} has state index {} out of range ({n} states)",
            t.state[i]
        )));
    }
    let mut order: Vec<usize> = (0..len).collect();
    order.sort_by_key(|&i| (t.state[i], t.action[i]));
    let mut b = MdpBuilder::new(state_names);
    let mut row: Vec<(usize, f64)> = Vec::new();
    for group in order.chunk_by(|&i, &j| (t.state[i], t.action[i]) == (t.state[j], t.action[j])) {
        row.clear();
        row.extend(group.iter().map(|&i| (t.next[i], t.prob[i])).filter(|e| e.1 != 0.0));
        let (s, a) = (t.state[group[0]], t.action[group[0]]);
        // NaN and negative entries stay in the row, for the builder to reject.
        if !row.is_empty() {
            b.add_action(s, &action_names[a], &row)?;
        }
    }
    b.build()
}

/// The key under which outcome vectors (visit distributions, occupancies)
/// with the same first action count as one: every entry rounded to 1e-12, in
/// `i128` so that no entry saturates (entries are at most `1/(1 − γ)`, below
/// 1e16 for any `f64` discount; in `i64` they saturated for γ > 0.99999989,
/// merging distinct vectors).
pub(crate) fn outcome_key<'a>(entries: impl IntoIterator<Item = &'a f64>, first: usize) -> Vec<i128> {
    entries
        .into_iter()
        .map(|x| (x * 1e12).round() as i128)
        .chain([first as i128])
        .collect()
}

/// Load an MDP from a file, choosing the format by extension:
/// `.grid`/`.txt` gridworld, `.json` JSON, `.mdp`/`.pomdp` Cassandra.
pub fn load(path: &Path) -> Result<Mdp> {
    let ext = crate::input::extension(path);
    match ext.as_str() {
        "grid" | "txt" => gridworld::load(path),
        "json" => json::load(path),
        "mdp" | "pomdp" => cassandra::load(path),
        _ => Err(Error::invalid(format!(
            "{}: unknown MDP file extension '{ext}' (expected .grid, .json, .mdp or .pomdp)",
            path.display()
        ))),
    }
}

impl Mdp {
    /// The one-action-per-state MDP of following `policy` in `mdp`: its optimal
    /// values are the policy's values. `policy[a]` is the probability of the
    /// global action index `a` in its state.
    pub fn follow_policy(&self, policy: &[f64]) -> Mdp {
        let mdp = self;
        let n = mdp.n_states();
        let mut acc = vec![0.0; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut rows = Rows {
            action_start: (0..=n).collect(),
            action_label: vec![0; n],
            succ_start: vec![0],
            succ_state: Vec::new(),
            succ_prob: Vec::new(),
        };
        for s in 0..n {
            for a in mdp.actions(s) {
                let (next, prob) = mdp.successors(a);
                for (&t, &p) in next.iter().zip(prob) {
                    let w = policy[a] * p;
                    if w > 0.0 {
                        if acc[t as usize] == 0.0 {
                            touched.push(t as usize);
                        }
                        acc[t as usize] += w;
                    }
                }
            }
            touched.sort_unstable();
            let total: f64 = touched.iter().map(|&t| acc[t]).sum();
            for &t in &touched {
                rows.succ_state.push(t as u32);
                rows.succ_prob.push(acc[t] / total);
                acc[t] = 0.0;
            }
            touched.clear();
            rows.succ_start.push(rows.succ_state.len());
        }
        Mdp::from_rows(rows, vec!["policy".into()], mdp.shared_state_names())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builder_rejects_bad_rows_and_missing_actions() {
        let mut b = MdpBuilder::with_states(2);
        b.add_action(0, "go", &[(1, 0.5), (0, 0.4)]).unwrap();
        b.add_action(1, "stay", &[(1, 1.0)]).unwrap();
        let e = b.build().unwrap_err().to_string();
        assert!(e.contains("state '0', action 'go'") && e.contains("sum to 0.9"), "{e}");

        let mut b = MdpBuilder::with_states(2);
        b.add_action(0, "go", &[(1, 1.0)]).unwrap();
        let e = b.build().unwrap_err().to_string();
        assert!(e.contains("state '1' has no actions"), "{e}");

        let mut b = MdpBuilder::with_states(2);
        assert!(b
            .add_action(0, "go", &[(2, 1.0)])
            .unwrap_err()
            .to_string()
            .contains("out of range"));
        assert!(b
            .add_action(0, "go", &[(1, f64::NAN)])
            .unwrap_err()
            .to_string()
            .contains("not a finite"));
    }

    #[test]
    fn dense_tables_must_match_their_names() {
        let t = [0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0]; // 2 states × 2 actions × 2
        let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let m = from_dense(&t, (2, 2, 2), names(&["x", "y"]), &names(&["a", "b"])).unwrap();
        assert_eq!(m.n_state_actions(), 4);
        for (shape, states, actions, msg) in [
            (
                (2, 2, 2),
                vec!["x"],
                vec!["a", "b"],
                "state_names: 1 names for 2 states",
            ),
            (
                (2, 2, 2),
                vec!["x", "y"],
                vec!["a"],
                "action_names: 1 names for 2 actions",
            ),
            ((2, 2, 2), vec!["x", "y"], vec!["a", "a"], "'a' is given twice"),
            (
                (2, 4, 1),
                vec!["x", "y"],
                vec!["a", "b"],
                "not (states, actions, states)",
            ),
        ] {
            let e = from_dense(&t, shape, names(&states), &names(&actions))
                .unwrap_err()
                .to_string();
            assert!(e.contains(msg), "{e}");
        }
    }

    #[test]
    fn near_one_rows_are_renormalised_with_a_note() {
        let mut b = MdpBuilder::with_states(2);
        b.add_action(0, "go", &[(1, 0.499999), (0, 0.499999)]).unwrap();
        b.add_action(1, "stay", &[(1, 1.0)]).unwrap();
        let m = b.build().unwrap();
        assert_eq!(m.successors(0).1, &[0.5, 0.5]);
        assert_eq!(m.notes().len(), 1);
        assert!(
            m.notes()[0].contains("1 transition row summed to 1 only within 1e-5"),
            "{:?}",
            m.notes()
        );
        assert!(m.notes()[0].contains("state '0', action 'go'"), "{:?}", m.notes());
    }

    #[test]
    fn duplicate_successors_merge_and_determinism_is_detected() {
        let mut b = MdpBuilder::with_states(2);
        b.add_action(0, "a", &[(1, 0.5), (1, 0.5)]).unwrap();
        b.add_action(1, "a", &[(0, 1.0), (1, 0.0)]).unwrap();
        let m = b.build().unwrap();
        assert!(m.is_deterministic());
        assert_eq!(m.successors(0), (&[1u32][..], &[1.0][..]));
    }
}

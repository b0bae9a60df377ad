//! Trained agents as decision-makers over reward orbits (docs/theory.md
//! §7.2): any training procedure — a [`Trainer`], "reward function → first
//! move" — is trained on the rewards of orbits (whole, or sampled
//! permutations), and its first moves are counted as orbit tendencies, with
//! Wilson intervals when sampled.
//!
//! The permutations are the ones of [`super::mdp_tendency`] for the same
//! request (the same random parameters and permutation streams), so a
//! trainer that returns the optimal first move reproduces argmax's counts
//! exactly. Each training run gets a seed that is a function of the
//! request's seed, the orbit and the reward itself, so a run's result does
//! not depend on threads, shards or the order of the work.

use serde::{Deserialize, Serialize};

use super::analysis::{check_enumerable, reward_parameters, sampling, FirstMoves, OrbitRow};
use super::learn::{greedy_first_move, train, QLearning};
use super::{check_choice_probabilities, orbit_fold, orbit_size, sampled_fold, Tendency, TENDENCY_CHUNK};
use crate::error::{Error, Result};
use crate::mdp::solve::default_gamma;
use crate::mdp::Mdp;
use crate::progress::Progress;
use crate::stats::wilson;

/// A training procedure: a reward function over states to a first move.
pub trait Trainer: Sync {
    /// Train on `reward` (one per state, in the MDP's order) with randomness
    /// from `seed`; return the probability of each first action at the
    /// compared state, one per action label (entry of
    /// [`Mdp::action_names`]), summing to at most 1.
    fn first_move(&self, reward: &[f64], seed: u64) -> Result<Vec<f64>>;
    /// A short name for reports.
    fn name(&self) -> String;
}

/// A built-in Q-learner (§7, §7.1) trained from `state`; its greedy first move there.
pub struct QLearner<'a> {
    /// The environment.
    pub mdp: &'a Mdp,
    /// Where every episode starts and the first move is read.
    pub state: usize,
    /// How it is trained.
    pub training: QLearning,
}

impl Trainer for QLearner<'_> {
    fn first_move(&self, reward: &[f64], seed: u64) -> Result<Vec<f64>> {
        let mut rng = rand_pcg::Pcg64::new((seed as u128) << 64 | 0x7a1d, 0);
        let q = train(self.mdp, self.state, reward, &self.training, &mut rng)?;
        Ok(greedy_first_move(self.mdp, self.state, &q))
    }
    fn name(&self) -> String {
        format!("{:?}-q-learning", self.training.learner).to_lowercase()
    }
}

/// SplitMix64's finaliser: a well-mixed 64-bit function of `x`.
fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The seed of the training run on `reward` in orbit `orbit`: a function of
/// the request's seed, the orbit's index and the reward's bits only.
pub fn training_seed(seed: u64, orbit: usize, reward: &[f64]) -> u64 {
    reward
        .iter()
        .fold(mix(seed ^ mix(orbit as u64)), |h, x| mix(h ^ super::value_bits(*x)))
}

/// A trained-tendency request (`powerseek.trained_tendency`, and the
/// built-in learners'): the orbits are those of [`super::MdpTendencyRequest`].
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainedRequest {
    /// The state whose first move is compared, by name (default: the MDP's start state).
    pub state: Option<String>,
    /// First action A, by name.
    pub a: String,
    /// First action B, by name; must differ from `a`.
    pub b: String,
    /// A reward function over the states whose orbit is taken first (default: none).
    pub u: Option<Vec<f64>>,
    /// Random reward functions whose orbits are taken besides `u`'s
    /// (default: 5 without `u`, 0 with it; at least one orbit in all).
    pub parameters: Option<usize>,
    /// Train on this many uniformly random permutations per orbit instead
    /// of every distinct one.
    pub samples: Option<u64>,
    /// Seed of the random rewards, the permutations and the training runs (default 0).
    pub seed: u64,
    /// Check `B ≥_most^n A` for this `n` (default 1).
    pub n: Option<u64>,
    /// With `samples`: only permutation chunks `first..end` (of
    /// [`TENDENCY_CHUNK`] each) of every orbit, a shard of a distributed run.
    pub chunks: Option<(u64, u64)>,
    /// Settings of the built-in Q-learner used when no trainer of one's own
    /// is given (each missing one: [`QLearning::default`]'s, the discount the
    /// MDP file's).
    pub training: Option<TrainingRequest>,
}

/// Settings of the built-in Q-learner; each missing one takes its default
/// ([`QLearning::default`]; the discount: the MDP file's, else 0.9).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingRequest {
    /// Tabular or linear (default: tabular).
    pub learner: Option<super::learn::Learner>,
    /// Successor features of the linear learner (default: one per state).
    pub features: Option<usize>,
    /// Training episodes (default 300).
    pub episodes: Option<usize>,
    /// Steps per episode (default 30).
    pub horizon: Option<usize>,
    /// Exploration rate (default 0.3).
    pub epsilon: Option<f64>,
    /// Learning rate (default 0.5).
    pub alpha: Option<f64>,
    /// Discount (default: the MDP file's, else 0.9).
    pub gamma: Option<f64>,
}

impl TrainingRequest {
    /// The settings, with defaults filled in and checked.
    pub fn resolve(&self, mdp: &Mdp) -> Result<QLearning> {
        let d = QLearning::default();
        let q = QLearning {
            learner: self.learner.unwrap_or(d.learner),
            features: self.features,
            episodes: self.episodes.unwrap_or(d.episodes),
            horizon: self.horizon.unwrap_or(d.horizon),
            epsilon: self.epsilon.unwrap_or(d.epsilon),
            alpha: self.alpha.unwrap_or(d.alpha),
            gamma: default_gamma(mdp, self.gamma),
        };
        q.validate()?;
        Ok(q)
    }
}

/// One orbit's counts.
#[derive(Clone, Debug, Serialize)]
pub struct TrainedOrbit {
    /// The reward function whose orbit this is.
    pub reward: Vec<f64>,
    /// Distinct elements of the orbit (null beyond 2^64).
    pub orbit_size: Option<u64>,
    /// Rewards where the trained first move was likelier B, equal, likelier A.
    #[serde(flatten)]
    pub row: OrbitRow,
}

/// The result of [`trained_tendency`].
#[derive(Clone, Debug, Serialize)]
pub struct TrainedReport {
    /// The state compared at, by name.
    pub state: String,
    /// A's first action, by name.
    pub a: String,
    /// B's first action, by name.
    pub b: String,
    /// The trainer's name (`python` for a Python function).
    pub trainer: String,
    /// The built-in learner's settings (null for a trainer of one's own).
    pub training: Option<QLearning>,
    /// The `n` of `B ≥_most^n A`.
    pub n: u64,
    /// Sampled permutations per orbit (null: whole orbits).
    pub samples: Option<u64>,
    /// The seed used.
    pub seed: u64,
    /// The permutation chunks trained on (null: all).
    pub chunks: Option<(u64, u64)>,
    /// Training runs in all.
    pub trained: u64,
    /// Per orbit (`u`'s first, if given), the counts; rows have 95% Wilson
    /// intervals when sampled (and not a shard).
    pub orbits: Vec<TrainedOrbit>,
    /// Index into `orbits` of the worst orbit (smallest fraction with B likelier).
    pub worst: usize,
}

/// What a request resolves to before any training.
struct Plan {
    moves: FirstMoves,
    rewards: Vec<Vec<f64>>,
    sampling: Option<super::Sampling>,
    chunks: Option<std::ops::Range<u64>>,
    training: QLearning,
}

fn plan(mdp: &Mdp, r: &TrainedRequest, custom: bool) -> Result<Plan> {
    let moves = FirstMoves::resolve(mdp, r.state.as_deref(), &r.a, &r.b)?;
    let sampling = sampling(r.samples, r.seed)?;
    if sampling.is_none() {
        check_enumerable(mdp.n_states())?;
    }
    let chunks = match (r.chunks, sampling) {
        (None, _) => None,
        (Some((first, end)), Some(_)) if first <= end => Some(first..end),
        (Some(_), _) => {
            return Err(Error::invalid(
                "chunks: a shard of permutation chunks needs samples (and first ≤ end)",
            ))
        }
    };
    if custom && r.training.is_some() {
        return Err(Error::invalid(
            "training: settings of the built-in learner, not used with a trainer of one's own",
        ));
    }
    let training = r.training.unwrap_or_default().resolve(mdp)?;
    Ok(Plan {
        moves,
        rewards: reward_parameters(mdp.n_states(), r.u.as_deref(), r.parameters, r.seed)?,
        sampling,
        chunks,
        training,
    })
}

/// The report of counts `counts` (one per orbit of the request, e.g. summed
/// over the shards of a distributed run) for `request` and a trainer named
/// `trainer` (`None`: the built-in learner).
pub fn trained_report(
    mdp: &Mdp,
    request: &TrainedRequest,
    trainer: Option<&str>,
    counts: &[Tendency],
) -> Result<TrainedReport> {
    let p = plan(mdp, request, trainer.is_some())?;
    if counts.len() != p.rewards.len() {
        return Err(Error::invalid(format!(
            "{} orbit counts for a request of {} orbits",
            counts.len(),
            p.rewards.len()
        )));
    }
    let n = request.n.unwrap_or(1);
    let name = trainer.map_or_else(
        || {
            QLearner {
                mdp,
                state: p.moves.state,
                training: p.training,
            }
            .name()
        },
        str::to_string,
    );
    let interval = p.sampling.is_some() && p.chunks.is_none();
    let orbits: Vec<TrainedOrbit> = p
        .rewards
        .iter()
        .zip(counts)
        .map(|(u, t)| TrainedOrbit {
            reward: u.clone(),
            orbit_size: orbit_size(u),
            row: OrbitRow::new(name.clone(), *t, n, interval.then(|| wilson(t.b_more, t.total()))),
        })
        .collect();
    let worst = (0..orbits.len())
        .min_by(|&i, &j| orbits[i].row.fraction.total_cmp(&orbits[j].row.fraction))
        .unwrap_or(0);
    Ok(TrainedReport {
        state: mdp.state_name(p.moves.state).to_string(),
        a: request.a.clone(),
        b: request.b.clone(),
        trainer: name,
        training: trainer.is_none().then_some(p.training),
        n,
        samples: request.samples,
        seed: request.seed,
        chunks: request.chunks,
        trained: counts.iter().map(Tendency::total).sum(),
        orbits,
        worst,
    })
}

/// Train `custom` (or the request's built-in Q-learner) on every reward of
/// the request's orbits (or sampled permutations of them) and count, per
/// orbit, the rewards where its first move is likelier B than A.
pub fn trained_tendency(
    mdp: &Mdp,
    request: &TrainedRequest,
    custom: Option<&dyn Trainer>,
    progress: &dyn Progress,
) -> Result<TrainedReport> {
    let p = plan(mdp, request, custom.is_some())?;
    let builtin = QLearner {
        mdp,
        state: p.moves.state,
        training: p.training,
    };
    let trainer: &dyn Trainer = custom.unwrap_or(&builtin);
    let FirstMoves { state, a, b } = p.moves;
    let labels = mdp.action_names().len();
    let available: Vec<bool> = (0..labels)
        .map(|l| mdp.actions(state).any(|x| mdp.action_label(x) == l))
        .collect();
    let per_orbit = |u: &[f64]| match (p.sampling, &p.chunks) {
        (Some(s), None) => s.samples,
        (Some(s), Some(c)) => (c.end * TENDENCY_CHUNK)
            .min(s.samples)
            .saturating_sub(c.start * TENDENCY_CHUNK),
        (None, _) => orbit_size(u).unwrap_or(u64::MAX),
    };
    progress.set_total(p.rewards.iter().map(|u| per_orbit(u)).fold(0, u64::saturating_add));
    let counts = crate::progress::watch(progress, |progress| -> Result<Vec<Tendency>> {
        let mut counts = Vec::with_capacity(p.rewards.len());
        for (orbit, u) in p.rewards.iter().enumerate() {
            let decide = |v: &[f64]| -> Result<(f64, f64)> {
                // A training run may take long: poll (a cheap relay flag) before each.
                crate::progress::check(progress)?;
                let probs = trainer.first_move(v, training_seed(request.seed, orbit, v))?;
                check_choice_probabilities(&probs, labels)
                    .map_err(|e| Error::invalid(format!("trainer '{}': {e}", trainer.name())))?;
                if let Some(l) = (0..labels).find(|&l| probs[l] > 0.0 && !available[l]) {
                    return Err(Error::invalid(format!(
                        "trainer '{}' chose action '{}', which is not available in state '{}'",
                        trainer.name(),
                        mdp.action_names()[l],
                        mdp.state_name(state)
                    )));
                }
                progress.advance(1);
                Ok((probs[a], probs[b]))
            };
            counts.push(match (p.sampling, &p.chunks) {
                (Some(s), chunks) => {
                    let range = chunks.clone().unwrap_or(0..s.samples.div_ceil(TENDENCY_CHUNK));
                    sampled_fold(u, s, range, progress, decide)?
                }
                (None, _) => orbit_fold(u, progress, decide)?,
            });
        }
        Ok(counts)
    })?;
    trained_report(mdp, request, custom.map(|t| t.name()).as_deref(), &counts)
}

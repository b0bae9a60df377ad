//! powerseek: the mathematics of power-seeking, computable.
//!
//! POWER — the ability to achieve a wide range of goals — of every state of a
//! finite MDP, with standard errors, optimal-action probabilities and the
//! `γ → 0` and `γ → 1` limits ([`mdp`]); normal-form and Bayesian games with
//! exact Nash equilibria, multi-agent POWER, alignment metrics and
//! power-scarcity experiments ([`game`]); retargetable decision-makers and
//! their orbit tendencies ([`retarget`]); several agents in one gridworld
//! ([`multiagent`]); and the vector model of conflict ([`conflict`]). Every
//! quantity is defined in the theory reference shipped with the repository
//! (`docs/theory.md`).
//!
//! ```
//! use powerseek::mdp::gridworld;
//! use powerseek::{estimate_power, Horizon, NoProgress, PowerOptions, RewardDistribution, SampleSize};
//!
//! // A corridor: the middle cell can reach both ends.
//! let env = gridworld::parse("T.T\n", "corridor").unwrap();
//! let opts = PowerOptions { horizon: Horizon::ZeroLimit, samples: SampleSize::Count(20_000), ..Default::default() };
//! let report = estimate_power(&env, &RewardDistribution::uniform(), &opts, &NoProgress).unwrap();
//! // As γ → 0 the middle cell's POWER is E[max of 3 U(0,1)] = 3/4 (it can stay, go left or right).
//! let middle = report.power[1];
//! assert!((middle.mean - 0.75).abs() < 4.0 * middle.se);
//! ```
//!
//! # Crate layout
//!
//! Imports point one way: core → models and formats → solvers → analyses →
//! presentation. Each area is a folder whose module doc says what it owns.
//!
//! - Core: [`error`], [`exact`] (rationals, exact parsing), [`progress`]
//!   (progress and cancellation), [`resources`] (the memory limit), [`stats`] (moments, t and Wilson intervals).
//! - [`mdp`]: the MDP model and its file formats, reward distributions
//!   ([`mdp::reward`]), batched optimal values ([`mdp::solve`]) and the POWER
//!   estimator ([`mdp::power`]); POMDPs and POWER at a belief ([`mdp::pomdp`]).
//! - [`game`]: normal-form and Bayesian games and their formats, Nash
//!   equilibria ([`game::equilibrium`]), multi-agent POWER ([`game::power`]),
//!   alignment ([`game::alignment`]) and power scarcity ([`game::scarcity`]).
//! - [`retarget`]: decision-makers, orbit tendencies and retargetability;
//!   learned policies ([`retarget::learn`]).
//! - [`stochastic`]: finite n-player stochastic games, their equilibria
//!   (Shapley, Nash value iteration, exact backward induction) and POWER at them.
//! - [`multiagent`]: joint gridworlds and sequential two-agent POWER.
//! - [`conflict`]: the vector model of conflict.
//! - [`plot`]: SVG/PNG figures of the analyses' reports.

// Index loops over states read closer to the maths than iterator chains here.
#![allow(clippy::needless_range_loop)]
// Every public item says what it is, in which units and ranges.
#![warn(missing_docs)]

pub mod conflict;
pub mod error;
pub mod exact;
pub mod game;
pub mod input;
pub mod mdp;
pub mod multiagent;
pub mod plot;
pub mod progress;
pub mod resources;
pub mod retarget;
pub mod stats;
pub mod stochastic;

pub use error::{Error, Result};
pub use exact::Rational;
pub use game::{BayesianGame, NormalFormGame};
pub use mdp::power::{estimate_power, PowerOptions, PowerReport, SampleSize};
pub use mdp::reward::RewardDistribution;
pub use mdp::solve::Horizon;
pub use mdp::Mdp;
pub use progress::{NoProgress, Progress};

//! powerseek: the mathematics of power-seeking, computable.
//!
//! POWER — the ability to achieve a wide range of goals — of every state of a
//! finite MDP, with standard errors, optimal-action probabilities and the
//! `γ → 0` and `γ → 1` limits (see `SPEC.md` section 1), and the vector
//! model of conflict and alignment ([`conflict`], section 7); normal-form and
//! Bayesian games with exact Nash equilibria ([`game`], [`equilibrium`], section 2);
//! multi-agent POWER and alignment metrics ([`multiagent`], [`alignment`],
//! [`scarcity`], sections 2–3); retargetable decision-makers ([`retarget`],
//! [`learn`], sections 4–5).
//!
//! ```
//! use powerseek::mdp::gridworld;
//! use powerseek::power::{estimate_power, NoProgress, PowerOptions, SampleSize};
//! use powerseek::reward::RewardDistribution;
//! use powerseek::solve::Horizon;
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
//! Modules: [`mdp`] (representation and file formats), [`game`] and
//! [`equilibrium`] (games and their Nash equilibria), [`reward`]
//! (distributions and reproducible sampling), [`solve`] (batched optimal
//! values), [`power`] (the Monte Carlo estimator), [`conflict`], [`stats`], [`plot`].

// Index loops over states read closer to the maths than iterator chains here.
#![allow(clippy::needless_range_loop)]

pub mod alignment;
pub mod conflict;
pub mod equilibrium;
pub mod error;
pub mod game;
mod input;
pub mod joint;
pub mod learn;
pub mod mdp;
pub mod multiagent;
pub mod plot;
pub mod power;
pub mod retarget;
pub mod reward;
pub mod scarcity;
pub mod sequential;
pub mod solve;
pub mod stats;

pub use error::{Error, Result};

//! Several agents acting in one environment.
//!
//! This area owns the joint environments built from a single-agent gridworld
//! ([`joint`]: joint states, turn orders, no-overlap, noise, and the MDP a
//! focal agent faces when the others follow policies) and sequential POWER
//! of two agents with correlated rewards ([`sequential`]). It builds on the
//! single-agent MDP area ([`crate::mdp`]) and the decision-makers of
//! [`crate::retarget`]; nothing below it imports from here.

mod analysis;
pub mod joint;
pub mod sequential;

pub use analysis::{
    check_rhos, parse_rhos, power, rho_steps, sweep, FocalPower, MultiPower, MultiRequest, RhoPoint, RhoSweep,
    TwoAgentPower, TwoAgentSetting,
};

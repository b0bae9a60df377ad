//! Several agents acting in one environment.
//!
//! This area owns the joint environments built from a single-agent gridworld
//! ([`joint`]: joint states, turn orders, no-overlap, noise, and the MDP a
//! focal agent faces when the others follow policies) and sequential POWER
//! of two agents with correlated rewards ([`sequential`]), computed on the
//! stochastic-game engine ([`crate::stochastic`]: the joint environment is
//! built as a stochastic game and the responses are its best responses and
//! policy evaluations). More than two agents: the focal agent's single-agent
//! POWER ([`crate::mdp`]) in the MDP it faces against uniformly random
//! others. Nothing below it imports from here.
//!
//! ```
//! use powerseek::mdp::gridworld;
//! use powerseek::multiagent::joint::Turns;
//! use powerseek::multiagent::{self, MultiPower, MultiRequest};
//! use powerseek::NoProgress;
//!
//! // Two agents on a two-cell corridor, moving at once (2 × 2 joint states),
//! // under POWERplay's protocol with opposed rewards (ρ = −1: r_A = 1 − r_H).
//! let grid = gridworld::parse("..\n", "pair").unwrap();
//! let request = MultiRequest { turns: Turns::Simultaneous, other: "powerplay".into(), samples: 50, ..Default::default() };
//! let MultiPower::TwoAgents(report) = multiagent::power(&grid, &request, Some(-1.0), &NoProgress).unwrap() else {
//!     unreachable!("two agents")
//! };
//! assert_eq!(report.setting.joint_states, 4);
//! let estimate = &report.point.estimate;
//! assert!(estimate.reward_correlation < -0.999);
//! // Both agents' POWER evaluates one joint policy against rewards that sum
//! // to 1 everywhere, so POWER_H + POWER_A = 1 at every joint state, in every sample.
//! for total in &estimate.total {
//!     assert!((total.mean - 1.0).abs() < 1e-5 && total.se < 1e-5);
//! }
//! ```

mod analysis;
pub mod joint;
pub mod sequential;

pub use analysis::{
    check_rhos, parse_rhos, power, rho_steps, sweep, FocalPower, MultiPower, MultiRequest, RhoPoint, RhoSweep,
    TwoAgentPower, TwoAgentSetting,
};

//! powerseek: the mathematics of power-seeking, computable.
pub mod error;
pub mod mdp;
pub mod power;
pub mod reward;
pub mod solve;
pub mod stats;
pub use error::{Error, Result};

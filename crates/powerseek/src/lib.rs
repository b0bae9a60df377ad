//! powerseek: the mathematics of power-seeking, computable.
pub mod error;
pub mod mdp;
pub use error::{Error, Result};

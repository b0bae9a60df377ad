//! Progress reporting and cooperative cancellation for long computations:
//! every long call takes a `&dyn Progress` (or `&impl Progress`), reports its
//! work in its own unit, and polls [`Progress::cancelled`] between chunks.

/// Receives progress (in reward samples) from long computations, and may ask
/// them to stop early.
pub trait Progress: Sync {
    fn set_total(&self, _samples: u64) {}
    fn advance(&self, _samples: u64) {}
    /// Polled between batches: `true` makes the computation return
    /// [`Error::Cancelled`](crate::Error::Cancelled).
    fn cancelled(&self) -> bool {
        false
    }
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

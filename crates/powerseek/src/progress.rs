//! Progress reporting and cooperative cancellation for long computations:
//! every long call takes a `&dyn Progress` (or `&impl Progress`), reports its
//! work in its own unit, and polls [`Progress::cancelled`] between chunks.

use std::sync::atomic::{AtomicBool, Ordering};

/// Receives progress (in the computation's own unit: samples, games,
/// parameters…) from long computations, and may ask them to stop early.
pub trait Progress: Sync {
    /// The computation's total amount of work, in its own unit, once known
    /// (may be called again if the total changes, e.g. per phase).
    fn set_total(&self, _samples: u64) {}
    /// That many more units of work are done (may be called from worker
    /// threads, hence `Sync`; the increments add up to the total).
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

/// Run `work` with a relay of `progress` whose [`Progress::cancelled`] is a
/// cheap flag that any thread may poll, however often (workers poll it
/// between items), while the calling thread polls `progress.cancelled()`
/// every 20 ms and raises the flag. This is how long calls stop within a
/// fraction of a second even when `progress` can only be polled from the
/// calling thread (Python's signal check) and the work runs on the thread
/// pool. The work runs on a scoped thread that is joined before returning.
///
/// Inside a rayon pool (`pool.install`) the work runs in place and polls
/// `progress` directly, so it keeps that pool.
pub fn watch<T: Send>(progress: &dyn Progress, work: impl FnOnce(&dyn Progress) -> T + Send) -> T {
    if rayon::current_thread_index().is_some() {
        return work(progress);
    }
    let relay = Relay {
        inner: progress,
        stop: AtomicBool::new(false),
    };
    let caller = std::thread::current();
    std::thread::scope(|scope| {
        let handle = scope.spawn(|| {
            // Wake the caller as soon as the work is done (also when it panics).
            struct Wake(std::thread::Thread);
            impl Drop for Wake {
                fn drop(&mut self) {
                    self.0.unpark();
                }
            }
            let _wake = Wake(caller.clone());
            work(&relay)
        });
        while !handle.is_finished() {
            if !relay.stop.load(Ordering::Relaxed) && progress.cancelled() {
                relay.stop.store(true, Ordering::Relaxed);
            }
            std::thread::park_timeout(std::time::Duration::from_millis(20));
        }
        match handle.join() {
            Ok(t) => t,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

struct Relay<'a> {
    inner: &'a dyn Progress,
    stop: AtomicBool,
}

impl Progress for Relay<'_> {
    fn set_total(&self, total: u64) {
        self.inner.set_total(total);
    }
    fn advance(&self, done: u64) {
        self.inner.advance(done);
    }
    fn cancelled(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// `Err(Cancelled)` when `progress` asks to stop: `progress::check(p)?`
/// between chunks of work.
pub fn check(progress: &dyn Progress) -> crate::Result<()> {
    if progress.cancelled() {
        Err(crate::Error::Cancelled)
    } else {
        Ok(())
    }
}

/// Forwards only cancellation: for an inner computation (one item of a
/// sweep) whose own progress units would not make sense in the outer bar.
pub struct CancelOnly<'a>(pub &'a dyn Progress);

impl Progress for CancelOnly<'_> {
    fn cancelled(&self) -> bool {
        self.0.cancelled()
    }
}

//! Progress bars on stderr (indicatif hides them when stderr is not a
//! terminal) and Ctrl-C: the first interrupt asks the running computation to
//! stop (every bar reports it as cancelled, the command exits with status
//! 130 before writing its output); a second one exits at once.

use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Exit status of a command stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const INTERRUPTED_STATUS: u8 = 130;

/// Catch Ctrl-C: the first sets the flag the bars report, the second exits.
pub fn install_interrupt_handler() {
    let _ = ctrlc::set_handler(|| {
        if INTERRUPTED.swap(true, Ordering::SeqCst) {
            std::process::exit(INTERRUPTED_STATUS.into());
        }
    });
}

/// Whether Ctrl-C was pressed.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::Relaxed)
}

/// A bar counting the computation's unit; a counter with a spinner until
/// the computation sets a total (vertex enumeration never does).
pub struct Bar(ProgressBar, String);

impl Bar {
    /// A bar counting `unit` (e.g. "samples", "games").
    pub fn new(unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{elapsed_precise}}] {{pos}} {unit} ({{per_sec}})"
            ))
            .expect("valid template"),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        Bar(bar, unit.to_string())
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        // A bar dropped on an error path (Ctrl-C) must not stay on the screen.
        if !self.0.is_finished() {
            self.0.finish_and_clear();
        }
    }
}

impl powerseek::progress::Progress for Bar {
    fn set_total(&self, total: u64) {
        if self.0.length().is_none() {
            self.0.set_style(
                ProgressStyle::with_template(&format!(
                    "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {} ({{per_sec}}, eta {{eta}})",
                    self.1
                ))
                .expect("valid template"),
            );
        }
        self.0.set_length(total);
    }
    fn advance(&self, samples: u64) {
        self.0.inc(samples);
    }
    fn cancelled(&self) -> bool {
        interrupted()
    }
}

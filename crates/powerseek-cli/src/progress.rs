//! Progress bars on stderr (indicatif hides them when stderr is not a terminal).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Bar(ProgressBar);

impl Bar {
    /// A bar counting `unit` (e.g. "samples", "games").
    pub fn new(unit: &str) -> Self {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{spinner}} [{{elapsed_precise}}] {{wide_bar}} {{pos}}/{{len}} {unit} ({{per_sec}}, eta {{eta}})"
            ))
            .expect("valid template"),
        );
        Bar(bar)
    }
    pub fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl powerseek::progress::Progress for Bar {
    fn set_total(&self, samples: u64) {
        self.0.set_length(samples);
    }
    fn advance(&self, samples: u64) {
        self.0.inc(samples);
    }
}

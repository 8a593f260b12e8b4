//! The sweep's one progress bar on stderr (only on a terminal): scenarios done of all, the
//! share of all seeds run, and an ETA for the whole sweep, in fewer than 80 columns. Lines
//! printed while it is shown go above it.

use indicatif::{ProgressBar, ProgressStyle};

use crate::cli::output::out;

/// The bar, if stderr is a terminal; otherwise printing goes straight to stdout.
pub struct Progress {
    bar: Option<ProgressBar>,
    scenarios: usize,
}

/// "[====>     ]  3 of 42 scenarios,  12% of seeds, eta 00:01:23": 20 + 2 + 20 + 14 + 16
/// columns at most below a thousand scenarios.
const TEMPLATE: &str = "[{bar:20}] {msg}, {percent:>3}% of seeds, eta {eta_precise}";

impl Progress {
    /// A bar over `scenarios` scenarios and `seeds` seeds in all, shown if `show`.
    pub fn new(show: bool, scenarios: usize, seeds: u64) -> Self {
        let bar = show.then(|| {
            let bar = ProgressBar::new(seeds);
            if let Ok(style) = ProgressStyle::with_template(TEMPLATE) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        let progress = Progress { bar, scenarios };
        progress.scenarios_done(0);
        progress
    }

    /// `done` scenarios of all are finished.
    pub fn scenarios_done(&self, done: usize) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{done:>2} of {} scenarios", self.scenarios));
        }
    }

    /// One more seed ran (any thread).
    pub fn seed(&self) {
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
    }

    /// `count` seeds need not run (their scenario's result was already there).
    pub fn seeds(&self, count: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(count);
        }
    }

    /// Prints `text` on stdout above the bar.
    pub fn print(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| out(text)),
            None => out(text),
        }
    }

    /// Removes the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

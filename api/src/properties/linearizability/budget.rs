//! How much a search may spend: steps (the same on every machine, so a run's verdict is too),
//! and, for checks a person runs on a file, a wall-clock deadline and a flag another thread
//! raises to stop it (the other keys' searches, once one key is refuted).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Steps between two looks at the clock and the stop flag.
const LOOK_EVERY: u64 = 1024;

/// What a search may spend.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Budget<'a> {
    /// Steps at most.
    pub max_steps: u64,
    /// Stop at this moment (`None`: no wall-clock limit).
    pub deadline: Option<Instant>,
    /// Stop once this is raised.
    pub stop: Option<&'a AtomicBool>,
}

/// Why a search stopped before it decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Spent {
    /// It took `max_steps` steps.
    Steps(u64),
    /// The deadline passed.
    Time,
    /// Another search raised the stop flag.
    Stopped,
}

impl<'a> Budget<'a> {
    /// `max_steps` steps, no clock, no flag.
    pub(crate) fn steps(max_steps: u64) -> Self {
        Budget {
            max_steps,
            deadline: None,
            stop: None,
        }
    }

    /// Whether a search that took `steps` steps must stop, and why.
    pub(crate) fn spent(&self, steps: u64) -> Option<Spent> {
        if steps > self.max_steps {
            return Some(Spent::Steps(self.max_steps));
        }
        if !steps.is_multiple_of(LOOK_EVERY) {
            return None;
        }
        if self.stop.is_some_and(|s| s.load(Ordering::Relaxed)) {
            return Some(Spent::Stopped);
        }
        // A deadline is set only for a file a person checks (`ftsim history`), never in a run.
        #[allow(clippy::disallowed_methods)]
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Some(Spent::Time);
        }
        None
    }
}

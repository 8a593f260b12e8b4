//! Ctrl-C during `run`: the first one asks the sweep to stop (seeds not yet started are
//! skipped, finished scenarios are kept and summarised, the exit code is 130); a second one
//! ends the process at once. The `ctrlc` crate installs the handler (SIGINT on Unix, the
//! console handler on Windows) without unsafe code here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// The exit code of an interrupted sweep, as shells report a SIGINT (128 + 2).
pub const INTERRUPTED_EXIT: u8 = 130;

/// Set once the user asked to stop.
#[derive(Clone)]
pub struct Interrupt {
    stop: Arc<AtomicBool>,
}

impl Interrupt {
    /// Installs the handler; if one cannot be installed (already installed, as in a user's
    /// binary that set its own), Ctrl-C keeps its default behaviour and the sweep runs on.
    pub fn install() -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let _ = ctrlc::set_handler(move || {
            if flag.swap(true, Ordering::SeqCst) {
                std::process::exit(i32::from(INTERRUPTED_EXIT));
            }
            eprintln!("\ninterrupted: finishing the seeds under way (Ctrl-C again to quit now)");
        });
        Interrupt { stop }
    }

    /// The flag the sweep checks before each seed.
    pub fn flag(&self) -> &AtomicBool {
        &self.stop
    }

    /// Whether the user asked to stop.
    pub fn requested(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }
}

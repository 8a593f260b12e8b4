//! Ctrl-C during `run`: the first one asks the sweep to stop (seeds not yet started are
//! skipped, finished scenarios are kept and summarised, the exit code is 130); a second one
//! ends the process at once, unless a document is being written ([`whole`]): then it ends
//! the process as soon as the document is out, so what was written parses. The `ctrlc`
//! crate installs the handler (SIGINT on Unix, the console handler on Windows) without unsafe
//! code here.

use std::io::Write;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Set while a document that must come out whole is written.
static WRITING: AtomicBool = AtomicBool::new(false);
/// Set when a second Ctrl-C came while `WRITING`.
static QUIT_AFTER_WRITING: AtomicBool = AtomicBool::new(false);

/// Runs `write` (printing a document to stdout) so that a second Ctrl-C during it ends the
/// process only once it is done and flushed: a reader gets all of the document or, if the
/// process ended before, none of it.
pub fn whole<R>(write: impl FnOnce() -> R) -> R {
    WRITING.store(true, Ordering::SeqCst);
    // A second Ctrl-C whose handler saw `WRITING` unset is seen here (both flags are
    // sequentially consistent): it is ending the process, so nothing is written.
    if QUIT_AFTER_WRITING.load(Ordering::SeqCst) {
        std::process::exit(i32::from(INTERRUPTED_EXIT));
    }
    let result = write();
    let _ = std::io::stdout().flush();
    WRITING.store(false, Ordering::SeqCst);
    if QUIT_AFTER_WRITING.load(Ordering::SeqCst) {
        std::process::exit(i32::from(INTERRUPTED_EXIT));
    }
    result
}

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
                QUIT_AFTER_WRITING.store(true, Ordering::SeqCst);
                if !WRITING.load(Ordering::SeqCst) {
                    std::process::exit(i32::from(INTERRUPTED_EXIT));
                }
                return;
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

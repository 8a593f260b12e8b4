//! An exploration's `--time-limit` and `--max-memory`, watched from a thread of their own.
//! A search asks its `stop` only between states, and a breadth-first search expands a batch
//! of states at a time: in a large group (64 nodes of flooding with crashes) one state has
//! thousands of successors of megabytes each, and a batch took 23 GB before the next ask.
//! The watch checks every few milliseconds and raises a flag that the search reads between
//! successors (`Limits::stop_now`); the search then asks `stop`, which names the limit.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ftsim_api::explore::Progress;
use ftsim_api::Duration;

/// How often the watch looks at the clock and the resident memory.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_millis(10);

/// The limits of one search and the thread watching them (it ends when this is dropped).
pub(super) struct LimitWatch {
    limits: Limits,
    /// Raised by the watch when a limit is passed; lent to the search for its whole life (one
    /// flag per command, so it is leaked rather than counted).
    raised: &'static AtomicBool,
    /// The limit that raised it, in the words of its option.
    passed: Arc<Mutex<Option<String>>>,
    finished: Arc<AtomicBool>,
}

#[derive(Clone, Copy)]
struct Limits {
    started: Instant,
    time_limit_s: Option<f64>,
    max_memory_mib: u64,
}

impl Limits {
    /// The limit passed now, if any.
    fn passed(&self) -> Option<String> {
        let elapsed_s = self.started.elapsed().as_secs_f64();
        if self.time_limit_s.is_some_and(|t| elapsed_s > t) {
            return Some("--time-limit".to_string());
        }
        (resident_memory_mib().is_some_and(|mib| mib > self.max_memory_mib))
            .then(|| format!("--max-memory {}", self.max_memory_mib))
    }
}

impl LimitWatch {
    /// Starts watching `--time-limit` (since `started`) and `--max-memory` (resident MiB).
    pub(super) fn start(
        started: Instant,
        time_limit: Option<Duration>,
        max_memory_mib: u64,
    ) -> Self {
        let limits = Limits {
            started,
            time_limit_s: time_limit.map(|d| d.0 as f64 / 1e9),
            max_memory_mib,
        };
        let watch = LimitWatch {
            limits,
            raised: Box::leak(Box::new(AtomicBool::new(false))),
            passed: Arc::new(Mutex::new(None)),
            finished: Arc::new(AtomicBool::new(false)),
        };
        let (raised, passed, finished) = (
            watch.raised,
            Arc::clone(&watch.passed),
            Arc::clone(&watch.finished),
        );
        std::thread::spawn(move || {
            while !finished.load(Ordering::Relaxed) {
                if let Some(why) = limits.passed() {
                    *passed.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    raised.store(true, Ordering::Relaxed);
                    return;
                }
                std::thread::sleep(LOOK_EVERY);
            }
        });
        watch
    }

    /// The flag the search reads between successors.
    pub(super) fn flag(&self) -> &'static AtomicBool {
        self.raised
    }

    /// The search's `stop`: the limit passed, if any (the watch's, or one passed since).
    pub(super) fn stop(&self) -> impl FnMut(&Progress) -> Option<String> + '_ {
        move |_: &Progress| {
            let seen = self.passed.lock().unwrap_or_else(|e| e.into_inner());
            seen.clone().or_else(|| self.limits.passed())
        }
    }
}

impl Drop for LimitWatch {
    fn drop(&mut self) {
        self.finished.store(true, Ordering::Relaxed);
    }
}

/// This process's resident memory now, in MiB (Linux; `None` elsewhere).
fn resident_memory_mib() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // The page size is 4 KiB on every Linux target this runs on in CI; larger pages only
    // make the figure low, so the search stops later, never wrongly.
    Some((pages * 4096) >> 20)
}

//! An exploration's `--time-limit` and `--max-memory`, watched from a thread of their own,
//! which also shows the search's progress on a terminal.
//! A search asks its `stop` only between states, and a breadth-first search expands a batch
//! of states at a time: in a large group (64 nodes of flooding with crashes) one state has
//! thousands of successors of megabytes each, and a batch took 23 GB before the next ask.
//! The watch checks every few milliseconds and raises a flag that the search reads between
//! successors (`Limits::stop_now`); the search then asks `stop`, which names the limit.
//! Memory grows between two looks, and a hash set of seen states doubles at once: the watch
//! stops the search with an eighth of `--max-memory` to spare, so that it keeps to its cap.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use ftsim_api::Duration;
use ftsim_runner::explore::Progress;

use super::memory::resident_memory_mib;

/// How often the watch looks at the clock and the resident memory.
const LOOK_EVERY: std::time::Duration = std::time::Duration::from_millis(10);

/// How often the progress line is redrawn (in looks).
const SHOW_EVERY_LOOKS: u32 = 25;

/// The limits of one search and the thread watching them (it ends when this is dropped).
pub struct LimitWatch {
    limits: Limits,
    /// Raised by the watch when a limit is passed; lent to the search for its whole life (one
    /// flag per command, so it is leaked rather than counted).
    raised: &'static AtomicBool,
    /// The limit that raised it, in the words of its option.
    passed: Arc<Mutex<Option<String>>>,
    /// The search's figures when it last asked `stop`.
    latest: Arc<Mutex<Progress>>,
    finished: Arc<AtomicBool>,
    /// The progress line on stderr, if stderr is a terminal.
    bar: Option<indicatif::ProgressBar>,
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
        let spare_mib = self.max_memory_mib / 8;
        (resident_memory_mib().is_some_and(|mib| mib + spare_mib > self.max_memory_mib))
            .then(|| format!("--max-memory {}", self.max_memory_mib))
    }

    /// The progress line: what the search has done, its rate and the memory it holds.
    fn line(&self, p: &Progress) -> String {
        let elapsed_s = self.started.elapsed().as_secs_f64().max(1e-3);
        let memory = resident_memory_mib().map_or(String::new(), |mib| {
            format!(", {mib} of {} MiB", self.max_memory_mib)
        });
        format!(
            "{} states, {} unique, depth {}; {:.0} s, {:.0} unique/s{memory}",
            p.states,
            p.unique,
            p.depth,
            elapsed_s,
            p.unique as f64 / elapsed_s
        )
    }
}

impl LimitWatch {
    /// Starts watching `--time-limit` (since `started`) and `--max-memory` (resident MiB), and
    /// shows the search's progress on stderr if it is a terminal.
    pub fn start(started: Instant, time_limit: Option<Duration>, max_memory_mib: u64) -> Self {
        let limits = Limits {
            started,
            time_limit_s: time_limit.map(|d| d.0 as f64 / 1e9),
            max_memory_mib,
        };
        let bar = std::io::stderr()
            .is_terminal()
            .then(indicatif::ProgressBar::new_spinner);
        let watch = LimitWatch {
            limits,
            raised: Box::leak(Box::new(AtomicBool::new(false))),
            passed: Arc::new(Mutex::new(None)),
            latest: Arc::new(Mutex::new(Progress::default())),
            finished: Arc::new(AtomicBool::new(false)),
            bar,
        };
        let (raised, passed, finished) = (
            watch.raised,
            Arc::clone(&watch.passed),
            Arc::clone(&watch.finished),
        );
        let (latest, bar) = (Arc::clone(&watch.latest), watch.bar.clone());
        std::thread::spawn(move || {
            let mut looks = 0u32;
            while !finished.load(Ordering::Relaxed) {
                if let Some(why) = limits.passed() {
                    *passed.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    raised.store(true, Ordering::Relaxed);
                    return;
                }
                looks = looks.wrapping_add(1);
                if let Some(bar) = bar.as_ref().filter(|_| looks % SHOW_EVERY_LOOKS == 1) {
                    let progress = *latest.lock().unwrap_or_else(|e| e.into_inner());
                    bar.set_message(limits.line(&progress));
                    bar.tick();
                }
                std::thread::sleep(LOOK_EVERY);
            }
        });
        watch
    }

    /// The flag the search reads between successors.
    pub fn flag(&self) -> &'static AtomicBool {
        self.raised
    }

    /// The search's `stop`: the limit passed, if any (the watch's, or one passed since).
    pub fn stop(&self) -> impl FnMut(&Progress) -> Option<String> + '_ {
        move |progress: &Progress| {
            *self.latest.lock().unwrap_or_else(|e| e.into_inner()) = *progress;
            let seen = self.passed.lock().unwrap_or_else(|e| e.into_inner());
            seen.clone().or_else(|| self.limits.passed())
        }
    }

    /// The search is over: the progress line goes, before its results are printed.
    pub fn finish(&self) {
        self.finished.store(true, Ordering::Relaxed);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for LimitWatch {
    fn drop(&mut self) {
        self.finish();
    }
}

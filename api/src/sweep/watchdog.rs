//! A wall-time limit per seed (`run --seed-timeout`). The engine's event budget ends a run
//! that keeps producing events; a handler that never returns (a livelock inside one event)
//! never gets back to the event loop, so only the sweep can give up on it. Each sweep worker
//! hands its seeds, a batch at a time, to a runner thread of its own, which runs them one
//! after another on one reused engine and sends each report back as it is done; the worker
//! waits at most the limit for each report. If a seed has not finished by then, the worker
//! abandons that runner (Rust cannot kill a thread: it keeps its core until the process
//! exits), records the seed as a failure, `Outcome::BudgetExceeded` with `Budget::WallTime`,
//! and hands the rest of the batch to a new runner.
//!
//! Batches, not seeds, cross the threads: with one seed per hand-off, each seed waited for two
//! thread wake-ups and ran on a new engine, which made a `--jobs 1` sweep of short runs
//! several times slower than the same sweep unwatched.
//!
//! The limit is the one thing in a sweep measured on the wall clock; it decides only whether
//! a seed that would otherwise never end is reported as stuck, so a sweep whose seeds all end
//! in time is the same with and without it.

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::Duration;

use sim_core::trace::Budget;
use sim_core::{Outcome, RunReport};

use crate::simulation::Simulation;

/// A batch of seeds for a runner: the simulation, the seeds, and whether to run each twice
/// (`--check-determinism`).
type Batch = (Arc<dyn Simulation>, Range<u64>, bool);

/// A seed's report, and whether a second run of it gave another trace hash.
type Ran = (RunReport, bool);

/// A thread that runs seeds for one sweep worker, a batch at a time.
struct Runner {
    jobs: Sender<Batch>,
    reports: Receiver<Ran>,
}

thread_local! {
    /// The runner of this sweep worker; replaced after it is abandoned. Dropping it (when the
    /// worker ends) closes its job queue, which ends its thread.
    static RUNNER: RefCell<Option<Runner>> = const { RefCell::new(None) };
}

fn spawn_runner() -> Option<Runner> {
    let (jobs, queue) = mpsc::channel::<Batch>();
    let (done, reports) = mpsc::channel();
    std::thread::Builder::new()
        .name("ftsim-seed-runner".into())
        .spawn(move || run_batches(&queue, &done))
        .ok()?;
    Some(Runner { jobs, reports })
}

/// The runner thread's loop: each batch's seeds in order, on one engine for as long as the
/// batches are of the same simulation; ends when the worker drops its end of either channel.
fn run_batches(queue: &Receiver<Batch>, done: &Sender<Ran>) {
    let mut next = queue.recv().ok();
    while let Some((sim, seeds, twice)) = next.take() {
        let mut worker = sim.worker();
        let mut batch = (seeds, twice);
        loop {
            let (seeds, twice) = batch;
            for seed in seeds {
                let report = worker.run(seed);
                let differs = twice && worker.run(seed).trace_hash != report.trace_hash;
                if done.send((report, differs)).is_err() {
                    return;
                }
            }
            match queue.recv() {
                Ok((other, seeds, twice)) if Arc::ptr_eq(&other, &sim) => batch = (seeds, twice),
                Ok(other) => {
                    next = Some(other);
                    break;
                }
                Err(_) => return,
            }
        }
    }
}

/// Runs `seeds` of `sim` in order on this thread's runner, handing each seed's report (and
/// whether a second run differed, when `twice`) to `each`; a seed that takes longer than
/// `limit` of wall time is reported as stuck and the seeds after it go to a new runner.
/// Once `stop` is set, the seeds not yet reported are skipped.
pub fn run_watched(
    sim: &Arc<dyn Simulation>,
    seeds: Range<u64>,
    limit: Duration,
    twice: bool,
    stop: &AtomicBool,
    each: &mut dyn FnMut(u64, RunReport, bool),
) {
    RUNNER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let mut next = seeds.start;
        while next < seeds.end && !stop.load(Ordering::Relaxed) {
            if slot.is_none() {
                *slot = spawn_runner();
            }
            let sent = slot.as_ref().is_some_and(|r| {
                r.jobs
                    .send((Arc::clone(sim), next..seeds.end, twice))
                    .is_ok()
            });
            if !sent {
                // No thread to watch them on: run them here, unwatched, rather than not at all.
                *slot = None;
                return run_here(sim, next..seeds.end, twice, stop, each);
            }
            next = receive(&mut slot, next..seeds.end, limit, stop, each);
        }
    });
}

/// Takes the runner's reports for `seeds`, in order, until the last, a stuck seed or `stop`;
/// returns the first seed not reported. The runner is abandoned unless every seed came back.
fn receive(
    slot: &mut Option<Runner>,
    seeds: Range<u64>,
    limit: Duration,
    stop: &AtomicBool,
    each: &mut dyn FnMut(u64, RunReport, bool),
) -> u64 {
    for seed in seeds.clone() {
        if stop.load(Ordering::Relaxed) {
            *slot = None; // still busy with the batch: left to finish it and end
            return seeds.end;
        }
        let reply = slot.as_ref().map(|r| r.reports.recv_timeout(limit));
        match reply {
            Some(Ok((report, differs))) => each(seed, report, differs),
            Some(Err(RecvTimeoutError::Timeout)) | None => {
                *slot = None; // abandoned, still running
                each(seed, stuck(seed, limit), false);
                return seed + 1;
            }
            Some(Err(RecvTimeoutError::Disconnected)) => {
                *slot = None;
                each(seed, lost(seed), false);
                return seed + 1;
            }
        }
    }
    seeds.end
}

/// Runs seeds on this thread, unwatched: when no runner thread can be started.
fn run_here(
    sim: &Arc<dyn Simulation>,
    seeds: Range<u64>,
    twice: bool,
    stop: &AtomicBool,
    each: &mut dyn FnMut(u64, RunReport, bool),
) {
    let mut worker = sim.worker();
    for seed in seeds {
        if stop.load(Ordering::Relaxed) {
            return;
        }
        let report = worker.run(seed);
        let differs = twice && worker.run(seed).trace_hash != report.trace_hash;
        each(seed, report, differs);
    }
}

/// The report of a seed abandoned after `limit`.
fn stuck(seed: u64, limit: Duration) -> RunReport {
    RunReport {
        seed,
        outcome: Outcome::BudgetExceeded {
            budget: Budget::WallTime,
            limit: u64::try_from(limit.as_millis()).unwrap_or(u64::MAX),
        },
        ..RunReport::default()
    }
}

/// The report of a seed whose thread ended without one (a panic the run did not catch).
fn lost(seed: u64) -> RunReport {
    RunReport {
        seed,
        outcome: Outcome::Panicked {
            message: "the run's thread ended without a report".into(),
            during: "the run".into(),
        },
        ..RunReport::default()
    }
}

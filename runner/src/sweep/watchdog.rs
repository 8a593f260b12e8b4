//! A wall-time limit per seed (`run --seed-timeout`). The engine's event budget ends a run
//! that keeps producing events; a handler that never returns (a livelock inside one event)
//! never gets back to the event loop, so only the sweep can give up on it. Each sweep worker
//! hands its seeds, a batch at a time, to a runner thread of its own, which runs them one
//! after another on one reused engine and folds each seed's report into a [`Tally`] the
//! worker takes. If a seed has not finished by the limit, the worker takes what the runner
//! folded so far, abandons that runner (Rust cannot kill a thread: it keeps its core until it
//! gets back from the handler, if ever, and then ends), records the seed as a failure,
//! `Outcome::BudgetExceeded` with `Budget::WallTime`, and hands the rest of the batch to a new
//! runner.
//!
//! Neither side wakes the other for each seed. The runner notes, under one lock, the seed it
//! starts and folds in each seed it ends; it signals only when a batch is done. The
//! worker sleeps until the batch is done, the running seed's deadline, or a progress tick
//! (`PROGRESS`, 100 ms), whichever comes first, then takes the tally of the seeds that ended.
//! Waking the worker for every report cost a system call and a context switch per seed: with
//! seeds of a few microseconds, a fifth of a `--jobs 1` sweep of the bundled scenarios.
//! Batches, not seeds, cross the threads for the same reason. Reports never cross: a batch
//! is up to 4,096 seeds, and keeping their reports until the worker took them held 14 MB a
//! worker (a 1,000,000-seed sweep of two-phase commit at `--jobs 1` peaked at 35 MB against
//! 21 MB unwatched). The runner's tally is as large after a thousand seeds as after one, and
//! loses nothing: every seed that ended is in it, and the worker takes it before it abandons
//! the runner.
//!
//! Only the worker reads the clock: a seed's deadline is `limit` after the worker first sees
//! it running, which is at or after the seed started, so no seed is reported stuck before
//! it has run for `limit`; it is reported at most one wake-up (`PROGRESS`, or `limit` if
//! shorter) later than that. The runner reading the clock at every seed was 0.75% of the
//! samples of a `--jobs 1` sweep of two-phase commit.
//!
//! The limit is the one thing in a sweep measured on the wall clock; it decides only whether
//! a seed that would otherwise never end is reported as stuck, so a sweep whose seeds all end
//! in time is the same with and without it.
#![allow(clippy::disallowed_methods)] // the wall clock is what a seed's time limit is about

use std::cell::RefCell;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use sim_core::trace::Budget;
use sim_core::{Outcome, RunReport};

use super::Tally;
use crate::simulation::Simulation;

/// How often at most a watching worker takes the tally of the seeds that ended (and updates
/// the progress that depends on them) while its runner is in the middle of a batch.
const PROGRESS: Duration = Duration::from_millis(100);

/// A batch of seeds for a runner: the simulation, the seeds, and whether to run each twice
/// (`--check-determinism`).
type Batch = (Arc<dyn Simulation>, Range<u64>, bool);

/// What a runner thread and its worker share.
#[derive(Default)]
struct Shared {
    state: Mutex<State>,
    /// Signalled when the runner has finished its batch, or ended.
    woken: Condvar,
}

/// The runner's progress through its batch, as the worker sees it.
#[derive(Default)]
struct State {
    /// The seeds finished and not yet taken, folded: they are the first `finished.runs`
    /// seeds the worker has not yet taken, as the runner runs its batches in order.
    finished: Tally,
    /// The seed running now.
    running: Option<u64>,
    /// Batches the worker has sent, and batches whose every seed is in `finished` (or
    /// taken): the worker sleeps until the two agree.
    batches_sent: u64,
    batches_done: u64,
    /// The runner thread has ended: it does when its worker is done with it, or by a panic
    /// the run did not catch.
    ended: bool,
    /// The worker gave up on the runner: it stops after the seed it is in.
    abandoned: bool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // Nothing runs under the lock but moving reports: a poisoned state is still whole.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A thread that runs seeds for one sweep worker, a batch at a time.
struct Runner {
    jobs: Sender<Batch>,
    shared: Arc<Shared>,
}

/// A runner dropped by its worker (abandoned, or at the end of the sweep) stops after the
/// seed it is in; one waiting for a batch ends as its job queue closes.
impl Drop for Runner {
    fn drop(&mut self) {
        self.shared.lock().abandoned = true;
    }
}

thread_local! {
    /// The runner of this sweep worker; replaced after it is abandoned. Dropping it (when the
    /// worker ends) closes its job queue, which ends its thread.
    static RUNNER: RefCell<Option<Runner>> = const { RefCell::new(None) };
}

fn spawn_runner() -> Option<Runner> {
    let (jobs, queue) = mpsc::channel::<Batch>();
    let shared = Arc::new(Shared::default());
    let theirs = Arc::clone(&shared);
    std::thread::Builder::new()
        .name("ftsim-seed-runner".into())
        .spawn(move || {
            let _ended = Ended(&theirs);
            run_batches(&queue, &theirs);
        })
        .ok()?;
    Some(Runner { jobs, shared })
}

/// Marks the runner ended when its thread's work ends, however it ends.
struct Ended<'a>(&'a Shared);

impl Drop for Ended<'_> {
    fn drop(&mut self) {
        self.0.lock().ended = true;
        self.0.woken.notify_one();
    }
}

/// The runner thread's loop: each batch's seeds in order, on one engine for as long as the
/// batches are of the same simulation; ends when its worker drops its end of the job queue or
/// abandons it.
fn run_batches(queue: &Receiver<Batch>, shared: &Shared) {
    let mut next = queue.recv().ok();
    while let Some((sim, seeds, twice)) = next.take() {
        let mut worker = sim.worker();
        let mut batch = (seeds, twice);
        loop {
            let (seeds, twice) = batch;
            let last = seeds.end.saturating_sub(1);
            for seed in seeds {
                shared.lock().running = Some(seed);
                let report = worker.run(seed);
                let differs = twice && worker.run(seed).trace_hash != report.trace_hash;
                let mut state = shared.lock();
                state.running = None;
                if state.abandoned {
                    return;
                }
                state.finished.add(seed, &report);
                if differs {
                    state.finished.add_nondeterministic(seed);
                }
                if seed == last {
                    state.batches_done += 1;
                    drop(state);
                    shared.woken.notify_one();
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

/// Runs `seeds` of `sim` in order on this thread's runner, handing `each` the tally of the
/// seeds that ended each time the worker takes them (each seed in exactly one part; a second
/// run that differed, when `twice`, counted as nondeterministic); a seed that takes longer
/// than `limit` of wall time is counted as stuck and the seeds after it go to a new runner.
/// Once `stop` is set, the seeds not yet taken are skipped.
pub fn run_watched(
    sim: &Arc<dyn Simulation>,
    seeds: Range<u64>,
    limit: Duration,
    twice: bool,
    stop: &AtomicBool,
    each: &mut dyn FnMut(Tally),
) {
    RUNNER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let mut next = seeds.start;
        while next < seeds.end && !stop.load(Ordering::Relaxed) {
            if slot.is_none() {
                *slot = spawn_runner();
            }
            let sent = slot.as_ref().is_some_and(|r| {
                r.shared.lock().batches_sent += 1;
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

/// Takes the runner's tallies for `seeds` until the last seed, a stuck seed or `stop`; returns
/// the first seed not taken. The runner is abandoned unless every seed came back.
fn receive(
    slot: &mut Option<Runner>,
    seeds: Range<u64>,
    limit: Duration,
    stop: &AtomicBool,
    each: &mut dyn FnMut(Tally),
) -> u64 {
    let Some(shared) = slot.as_ref().map(|r| Arc::clone(&r.shared)) else {
        return seeds.start;
    };
    let mut next = seeds.start;
    // The seed seen running, and when it was first seen so.
    let mut watching: Option<(u64, Instant)> = None;
    loop {
        let (finished, running, ended) = {
            let mut state = shared.lock();
            (
                std::mem::take(&mut state.finished),
                state.running,
                state.ended,
            )
        };
        if finished.runs > 0 {
            next += finished.runs;
            each(finished);
        }
        if next >= seeds.end {
            return seeds.end;
        }
        if stop.load(Ordering::Relaxed) {
            *slot = None; // left to end after the seed it is in
            return seeds.end;
        }
        if ended {
            *slot = None;
            each(one_seed(next, &lost(next)));
            return next + 1;
        }
        let now = Instant::now();
        let mut wait = PROGRESS.min(limit);
        if let Some(seed) = running.filter(|&seed| seed == next) {
            let seen = match watching {
                Some((watched, seen)) if watched == seed => seen,
                _ => now,
            };
            watching = Some((seed, seen));
            // A limit past what the clock can count is no deadline.
            if let Some(deadline) = seen.checked_add(limit) {
                let Some(left) = deadline.checked_duration_since(now) else {
                    *slot = None; // abandoned, still running
                    each(one_seed(seed, &stuck(seed, limit)));
                    return seed + 1;
                };
                wait = wait.min(left);
            }
        }
        let state = shared.lock();
        if state.batches_done < state.batches_sent && !state.ended {
            let _ = shared
                .woken
                .wait_timeout(state, wait)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// Runs seeds on this thread, unwatched, handing `each` their tally: when no runner thread can
/// be started.
fn run_here(
    sim: &Arc<dyn Simulation>,
    seeds: Range<u64>,
    twice: bool,
    stop: &AtomicBool,
    each: &mut dyn FnMut(Tally),
) {
    let mut worker = sim.worker();
    let mut tally = Tally::default();
    for seed in seeds {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let report = worker.run(seed);
        tally.add(seed, &report);
        if twice && worker.run(seed).trace_hash != report.trace_hash {
            tally.add_nondeterministic(seed);
        }
    }
    if tally.runs > 0 {
        each(tally);
    }
}

/// The tally of one seed's report.
fn one_seed(seed: u64, report: &RunReport) -> Tally {
    let mut tally = Tally::default();
    tally.add(seed, report);
    tally
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

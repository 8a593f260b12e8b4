//! A wall-time limit per seed (`run --seed-timeout`). The engine's event budget ends a run
//! that keeps producing events; a handler that never returns (a livelock inside one event)
//! never gets back to the event loop, so only the sweep can give up on it. Each sweep worker
//! hands its seeds to a runner thread of its own and waits at most the limit; if a seed has
//! not finished by then, the worker abandons that runner (Rust cannot kill a thread: it keeps
//! its core until the process exits), starts another, records the seed as a failure,
//! `Outcome::BudgetExceeded` with `Budget::WallTime`, and goes on.
//!
//! The limit is the one thing in a sweep measured on the wall clock; it decides only whether
//! a seed that would otherwise never end is reported as stuck, so a sweep whose seeds all end
//! in time is the same with and without it.

use std::cell::RefCell;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use sim_core::trace::Budget;
use sim_core::{Outcome, RunReport};

use crate::simulation::{RunOptions, Simulation};

/// A thread that runs seeds for one sweep worker, one at a time, so watching a seed costs a
/// message each way rather than a thread.
struct Runner {
    jobs: mpsc::Sender<(Arc<dyn Simulation>, u64)>,
    reports: mpsc::Receiver<RunReport>,
}

thread_local! {
    /// The runner of this sweep worker; replaced after it is abandoned. Dropping it (when the
    /// worker ends) closes its job queue, which ends its thread.
    static RUNNER: RefCell<Option<Runner>> = const { RefCell::new(None) };
}

fn spawn_runner() -> Option<Runner> {
    let (jobs, queue) = mpsc::channel::<(Arc<dyn Simulation>, u64)>();
    let (done, reports) = mpsc::channel();
    std::thread::Builder::new()
        .name("ftsim-seed-runner".into())
        .spawn(move || {
            for (sim, seed) in queue {
                if done.send(sim.run(seed, RunOptions::default())).is_err() {
                    break;
                }
            }
        })
        .ok()?;
    Some(Runner { jobs, reports })
}

/// Runs `seed` of `sim`, giving up after `limit` of wall time.
pub fn run_watched(sim: &Arc<dyn Simulation>, seed: u64, limit: Duration) -> RunReport {
    RUNNER.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = spawn_runner();
        }
        let sent = slot
            .as_ref()
            .is_some_and(|r| r.jobs.send((Arc::clone(sim), seed)).is_ok());
        if !sent {
            // No thread to watch it on: run it here, unwatched, rather than not at all.
            *slot = None;
            return sim.run(seed, RunOptions::default());
        }
        let reply = slot.as_ref().map(|r| r.reports.recv_timeout(limit));
        match reply {
            Some(Ok(report)) => report,
            Some(Err(RecvTimeoutError::Timeout)) | None => {
                *slot = None; // abandoned, still running
                stuck(seed, limit)
            }
            Some(Err(RecvTimeoutError::Disconnected)) => {
                *slot = None;
                lost(seed)
            }
        }
    })
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

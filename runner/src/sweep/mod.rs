//! Sweeps: a simulation run over a range of seeds in parallel, folded into a [`Tally`], judged
//! against the scenario's [`Expect`](crate::Expect) and summarised. The CLI and the test
//! harness both sweep through here.

mod coverage;
mod figures;
mod judge;
mod summary;
mod tally;
pub mod watchdog;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rayon::prelude::*;

use sim_core::RunReport;

use crate::simulation::Simulation;

pub use figures::{AvailabilityFigures, LatencyFigures, MetricNames, MetricTally};
pub use judge::judge;
pub use summary::{replay_command, shell_word, summarize, summarize_facts, Facts, ScenarioSummary};
pub use tally::Tally;

pub use crate::seeds::Seeds;

/// The version of the JSON documents `ftsim run` and `ftsim check` print (`schema_version`,
/// docs/json.md): it grows when a field is removed, renamed or changes its meaning, not when
/// one is added. 2: a tally counts the triggered crashes that fired, and a passing sweep in
/// which none did is not met; a version 1 tally (results line, shard) never counted them.
pub const SCHEMA_VERSION: u32 = 2;

/// Runs every seed on the current rayon pool and folds the results; `on_seed` is called after each
/// (for progress bars). The result is the same for any number of threads. Each fold split of the
/// range holds a [`Worker`](crate::Worker), so an engine is reused across the seeds it runs.
pub fn tally(sim: &dyn Simulation, seeds: Seeds, on_seed: &(dyn Fn() + Sync)) -> Tally {
    let never = AtomicBool::new(false);
    let options = SweepOptions {
        stop: &never,
        twice: false,
        seed_wall_time: None,
    };
    fold_seeds(seeds, on_seed, options, &|| reused(sim)).unwrap_or_default()
}

/// How a sweep runs its seeds.
#[derive(Clone, Copy)]
pub struct SweepOptions<'a> {
    /// Set (by Ctrl-C) to skip the seeds not yet started.
    pub stop: &'a AtomicBool,
    /// Run each seed twice and count those whose trace hashes differ
    /// (`--check-determinism`).
    pub twice: bool,
    /// Give up on a seed after this much wall time (see [`watchdog`]).
    pub seed_wall_time: Option<std::time::Duration>,
}

/// [`tally`] with options: unless `options.stop` is set before every seed ran (Ctrl-C): then
/// the seeds not yet started are skipped and the result is `None`, since a partial tally
/// depends on which threads were fastest and would not be the same twice.
pub fn tally_until(
    sim: &Arc<dyn Simulation>,
    seeds: Seeds,
    on_seed: &(dyn Fn() + Sync),
    options: SweepOptions<'_>,
) -> Option<Tally> {
    match options.seed_wall_time {
        None => fold_seeds(seeds, on_seed, options, &|| reused(sim.as_ref())),
        Some(limit) => fold_watched(sim, seeds, on_seed, options, limit),
    }
}

/// Seeds a watched sweep hands to a runner thread at once (see [`watchdog`]): about an
/// eighth of each thread's share, so the threads still balance their loads, but at least 64
/// and at most 4,096. Each batch costs a hand-over in each direction between the worker and
/// its runner (two thread wake-ups): with 64 seeds a batch, those were a fifth of a `--jobs
/// 1` sweep of 50,000 seeds of two-phase commit.
fn watched_batch(count: u64) -> u64 {
    let threads = rayon::current_num_threads().max(1) as u64;
    (count / threads.saturating_mul(8)).clamp(64, 4096)
}

/// The fold of a watched sweep: batches of seeds in parallel, each batch's seeds run in order
/// on the worker's runner thread.
fn fold_watched(
    sim: &Arc<dyn Simulation>,
    seeds: Seeds,
    on_seed: &(dyn Fn() + Sync),
    options: SweepOptions<'_>,
    limit: std::time::Duration,
) -> Option<Tally> {
    let range = seeds.range();
    let batch = watched_batch(range.end - range.start);
    let batches = (range.end - range.start).div_ceil(batch);
    let tally = (0..batches)
        .into_par_iter()
        .map(|i| {
            let start = range.start + i * batch;
            start..range.end.min(start.saturating_add(batch))
        })
        .fold(Tally::default, |mut t, batch| {
            let mut add = |part: Tally| {
                (0..part.runs).for_each(|_| on_seed());
                t = std::mem::take(&mut t).merge(part);
            };
            watchdog::run_watched(sim, batch, limit, options.twice, options.stop, &mut add);
            t
        })
        .reduce(Tally::default, Tally::merge);
    (tally.runs == range.end - range.start).then_some(tally)
}

/// A runner of seeds that keeps one engine and resets it between them.
fn reused(sim: &dyn Simulation) -> impl FnMut(u64) -> RunReport + '_ {
    let mut worker = sim.worker();
    move |seed| worker.run(seed)
}

/// The fold behind [`tally`] and [`tally_until`]: each split of the range runs its seeds with
/// a runner from `init` (one engine reused across them).
fn fold_seeds<R: FnMut(u64) -> RunReport>(
    seeds: Seeds,
    on_seed: &(dyn Fn() + Sync),
    options: SweepOptions<'_>,
    init: &(dyn Fn() -> R + Sync),
) -> Option<Tally> {
    let tally = seeds
        .range()
        .into_par_iter()
        .map_init(init, |run, seed| {
            if options.stop.load(Ordering::Relaxed) {
                return None;
            }
            let report = run(seed);
            let differs = options.twice && run(seed).trace_hash != report.trace_hash;
            on_seed();
            Some((seed, report, differs))
        })
        .fold(Tally::default, |mut t, ran| {
            if let Some((seed, report, differs)) = ran {
                t.add(seed, &report);
                if differs {
                    t.add_nondeterministic(seed);
                }
            }
            t
        })
        .reduce(Tally::default, Tally::merge);
    let range = seeds.range();
    (tally.runs == range.end - range.start).then_some(tally)
}
